# Starts a private single-node Ceph cluster with a RADOS Gateway (real S3) for a test or benchmark run.
#
#   source .ci/ceph.sh
#   trap stop_ceph EXIT          # before start_ceph, so that a failed start is cleaned up too
#   start_ceph
#
# - Installs Debian's ceph-mon, ceph-osd, radosgw and ceph-common when they are missing.
# - One monitor, one OSD on memstore (in memory, no disk), no manager, and radosgw, all in a fresh temp folder, on
#   free loopback ports, without systemd. stop_ceph stops the daemons by their pid files and removes the folder.
# - Exports COFFER_TEST_S3_ENDPOINT, COFFER_TEST_S3_ACCESS_KEY and COFFER_TEST_S3_SECRET_KEY for the tests.
CEPH_DIR=""

install_ceph() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Ceph (ceph-mon, ceph-osd, radosgw) is not installed and cannot be installed here" >&2
    return 1
  fi
  echo "Ceph is not installed: installing ceph-mon ceph-osd radosgw ceph-common"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq ceph-mon ceph-osd radosgw ceph-common >/dev/null
}

ceph_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_ceph() {
  for tool in ceph-mon ceph-osd radosgw ceph-authtool monmaptool radosgw-admin ceph; do
    command -v "$tool" >/dev/null || { install_ceph; break; }
  done
  CEPH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/coffer-ceph.XXXXXX")"
  local d="$CEPH_DIR" fsid mon_port rgw_port osd_uuid osd_id
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mon_port="$(ceph_free_port)"
  rgw_port="$(ceph_free_port)"
  mkdir -p "$d/mon" "$d/osd" "$d/rgw" "$d/run"
  cat >"$d/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $d/ceph.client.admin.keyring
run dir = $d/run
admin socket = $d/run/\$name.asok
log file = $d/\$name.log
pid file = $d/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
mon warn on pool no redundancy = false
ms bind ipv6 = false
[mon]
mon data = $d/mon/\$cluster-\$id
[osd]
osd data = $d/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = ${CEPH_MEMSTORE_BYTES:-2147483648}
osd max object name len = 256
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $d/rgw
EOF
  local conf=(-c "$d/ceph.conf")
  ceph-authtool --create-keyring "$d/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$d/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$d/mon.keyring" --import-keyring "$d/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$d/monmap" >/dev/null
  ceph-mon "${conf[@]}" --mkfs -i a --monmap "$d/monmap" --keyring "$d/mon.keyring" >/dev/null 2>&1
  ceph-mon "${conf[@]}" -i a
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  osd_id="$(ceph "${conf[@]}" osd new "$osd_uuid")"
  mkdir -p "$d/osd/ceph-$osd_id"
  ceph "${conf[@]}" auth get-or-create "osd.$osd_id" mon 'allow profile osd' osd 'allow *' mgr 'allow profile osd' \
    -o "$d/osd/ceph-$osd_id/keyring" >/dev/null
  ceph-osd "${conf[@]}" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" --keyring "$d/osd/ceph-$osd_id/keyring" >/dev/null 2>&1
  ceph-osd "${conf[@]}" -i "$osd_id" --keyring "$d/osd/ceph-$osd_id/keyring" >/dev/null 2>&1
  ceph "${conf[@]}" auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' -o "$d/rgw/keyring" >/dev/null
  radosgw "${conf[@]}" -n client.rgw.a --keyring "$d/rgw/keyring"
  local tries=0
  until node -e "fetch(process.argv[1]).then(r => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))" "http://127.0.0.1:$rgw_port/" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 120 ]; then
      echo "the RADOS Gateway did not answer on 127.0.0.1:$rgw_port within 60 s; see $d/*.log" >&2
      return 1
    fi
    sleep 0.5
  done
  local access secret
  access="coffer$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  radosgw-admin "${conf[@]}" user create --uid=coffer --display-name="Coffer tests" \
    --access-key="$access" --secret-key="$secret" >/dev/null
  export COFFER_TEST_S3_ENDPOINT="http://127.0.0.1:$rgw_port"
  export COFFER_TEST_S3_ACCESS_KEY="$access"
  export COFFER_TEST_S3_SECRET_KEY="$secret"
  export COFFER_TEST_CEPH_DIR="$d"
  echo "Ceph RADOS Gateway is running for the tests at $COFFER_TEST_S3_ENDPOINT (cluster in $d)"
}

stop_ceph() {
  [ -n "$CEPH_DIR" ] || return 0
  local pidfile pid
  for pidfile in "$CEPH_DIR"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
  done
  sleep 1
  for pidfile in "$CEPH_DIR"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$CEPH_DIR"
  CEPH_DIR=""
  echo "Ceph for the tests is stopped and its files removed"
}
