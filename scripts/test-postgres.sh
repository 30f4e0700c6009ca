#!/usr/bin/env bash
# Runs the server's integration tests against PostgreSQL: starts Debian's PostgreSQL in a
# temporary directory on a free loopback port (as the `postgres` user under root, since
# initdb refuses root), points every test server at a fresh database on it
# (KSUITE_TEST_POSTGRES, see server/tests/support), and stops it afterwards, whatever
# the outcome. Extra arguments go to `cargo test` (e.g. `--test dav`).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: run scripts/setup.sh --test" >&2; exit 1; }
dir=$(mktemp -d /tmp/ksuite-pg.XXXXXX)
as_db_user() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  # KSUITE_TEST_PG_LOG=file keeps the server log: each failed statement is in it.
  [ -z "${KSUITE_TEST_PG_LOG:-}" ] || cp "$dir/log" "$KSUITE_TEST_PG_LOG" || true
  as_db_user "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_db_user "$bin/initdb" -U ksuite --auth=trust --no-sync -E UTF8 --locale=C -D "$dir/data" >/dev/null
# Many test servers at once, each with its own pool: room for their connections.
as_db_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=1000 -c shared_buffers=256MB" >/dev/null
export KSUITE_TEST_POSTGRES="postgres://ksuite@127.0.0.1:$port"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port"
[ $# -gt 0 ] || set -- --test '*'
set -- --no-fail-fast "$@"
cargo test -p ksuite-server "$@"
