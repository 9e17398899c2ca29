# Starts a private PostgreSQL server for a test or benchmark run and exports TEST_DATABASE_URL.
#
#   source .ci/postgres.sh
#   trap stop_postgres EXIT      # before start_postgres, so that a failed start is cleaned up too
#   start_postgres
#
# - Installs the distribution's PostgreSQL (Debian: `apt-get install postgresql`) when no initdb/pg_ctl is found,
#   without creating or starting the distribution's default cluster.
# - initdb refuses to run as root, so as root the server runs as an unprivileged user (PG_USER, default postgres,
#   created when missing); as any other user it runs as that user.
# - The cluster lives in a fresh temp dir, listens on 127.0.0.1 at a free port (its socket in the same dir) and is
#   stopped and removed by stop_postgres.
PG_DIR=""
PG_USER="${PG_USER:-postgres}"
PG_PORT=""

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return 0; }
  done
  command -v "$1" || true
}

install_postgres() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL (initdb, pg_ctl) is not installed and cannot be installed here: install the postgresql package" >&2
    return 1
  fi
  echo "PostgreSQL is not installed: installing the postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Only our private cluster is wanted: stop postgresql-common from creating (and starting) the default one.
  apt-get install -y -qq postgresql-common >/dev/null
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/coffer-ci.conf
  apt-get install -y -qq postgresql >/dev/null
}

# Runs a command line as the user that owns the cluster.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_USER" -- sh -c "cd '$PG_DIR' && $1"
  else
    sh -c "cd '$PG_DIR' && $1"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_postgres() {
  if [ -z "$(pg_bin initdb)" ] || [ -z "$(pg_bin pg_ctl)" ]; then install_postgres; fi
  local initdb pg_ctl
  initdb="$(pg_bin initdb)"
  pg_ctl="$(pg_bin pg_ctl)"
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    echo "initdb or pg_ctl is still missing after installing PostgreSQL" >&2
    return 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
  fi
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/coffer-pg.XXXXXX")"
  chmod 700 "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_DIR"
  if ! as_pg_user "'$initdb' -D '$PG_DIR/data' -U coffer --auth=trust -E UTF8 --no-locale >'$PG_DIR/initdb.log' 2>&1"; then
    echo "initdb failed:" >&2
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  # A port picked free can be taken before the server binds it: try a few.
  local attempt
  for attempt in 1 2 3 4 5; do
    PG_PORT="$(free_port)"
    if as_pg_user "'$pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/log' -w -t 60 -o \"-h 127.0.0.1 -p $PG_PORT -k '$PG_DIR' -c max_connections=300 -c fsync=on\" start >/dev/null"; then
      export TEST_DATABASE_URL="postgres://coffer@127.0.0.1:$PG_PORT/postgres"
      echo "PostgreSQL $("$pg_ctl" --version | awk '{print $3}') is running for the tests at 127.0.0.1:$PG_PORT (data in $PG_DIR)"
      return 0
    fi
  done
  echo "PostgreSQL did not start:" >&2
  cat "$PG_DIR/log" >&2 || true
  return 1
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_pg_user "'$(pg_bin pg_ctl)' -D '$PG_DIR/data' -m immediate -w stop >/dev/null 2>&1" || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
  echo "PostgreSQL for the tests is stopped and its files removed"
}
