# Starts a private PostgreSQL server for the test run: initdb into a temp dir as an unprivileged user, listening on
# 127.0.0.1 at a free port; exports TEST_DATABASE_URL. stop_postgres stops it and removes its files.
PG_DIR=""
PG_USER="${PG_USER:-postgres}"

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/$1" ] && { echo "$dir/$1"; return; }; done
  command -v "$1"
}

start_postgres() {
  if [ -z "$(pg_bin initdb)" ] || [ -z "$(pg_bin pg_ctl)" ]; then
    echo "PostgreSQL is not installed: installing postgresql (Debian)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
  PG_DIR="$(mktemp -d /tmp/coffer-pg.XXXXXX)"
  chown "$PG_USER" "$PG_DIR"
  local port
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  su "$PG_USER" -s /bin/sh -c "$(pg_bin initdb) -D '$PG_DIR/data' -U coffer --auth=trust -E UTF8 >/dev/null"
  su "$PG_USER" -s /bin/sh -c "$(pg_bin pg_ctl) -D '$PG_DIR/data' -l '$PG_DIR/log' -w -o \"-h 127.0.0.1 -p $port -k '$PG_DIR' -c max_connections=300 -c fsync=on\" start >/dev/null"
  export TEST_DATABASE_URL="postgres://coffer@127.0.0.1:$port/postgres"
  echo "PostgreSQL is running for the tests at 127.0.0.1:$port"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  su "$PG_USER" -s /bin/sh -c "$(pg_bin pg_ctl) -D '$PG_DIR/data' -m immediate stop >/dev/null 2>&1" || true
  rm -rf "$PG_DIR"
}
