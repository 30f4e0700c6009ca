# Sourced: a throwaway PostgreSQL (Debian's package) in a temporary directory on a free
# loopback port, for tests and benchmarks. initdb refuses root, so under root the server
# runs as the `postgres` user the package creates.
#   postgres_temp_start   sets PG_BIN and PG_SERVER_URL (postgres://ksuite@127.0.0.1:PORT)
#   postgres_temp_stop    stops it and removes its files (KSUITE_TEST_PG_LOG=file keeps the log)
#   postgres_temp_createdb NAME

postgres_temp_start() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is not installed: run scripts/setup.sh --test" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/ksuite-pg.XXXXXX)
  [ "$(id -u)" != 0 ] || chown postgres: "$PG_DIR"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  _pg_as_owner "$PG_BIN/initdb" -U ksuite --auth=trust --no-sync -E UTF8 --locale=C -D "$PG_DIR/data" >/dev/null
  # Many servers at once (a test run), each with its own pool: room for their connections.
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w start -o \
    "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=1000 -c shared_buffers=256MB" >/dev/null
  PG_SERVER_URL="postgres://ksuite@127.0.0.1:$port"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port"
}

postgres_temp_createdb() {
  "$PG_BIN/psql" -q "$PG_SERVER_URL/postgres" -c "CREATE DATABASE $1" >/dev/null
}

postgres_temp_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  [ -z "${KSUITE_TEST_PG_LOG:-}" ] || cp "$PG_DIR/log" "$KSUITE_TEST_PG_LOG" || true
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
}

_pg_as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
