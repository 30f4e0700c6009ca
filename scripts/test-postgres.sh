#!/usr/bin/env bash
# Runs the server's integration tests against PostgreSQL: starts Debian's PostgreSQL in a
# temporary directory on a free loopback port, points every test server at a fresh
# database on it (KSUITE_TEST_POSTGRES, see server/tests/support), and stops it
# afterwards, whatever the outcome. Extra arguments go to `cargo test` (e.g. `--test dav`);
# KSUITE_TEST_PG_LOG=file keeps the server's log, where every failed statement is written.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres-temp.sh
trap postgres_temp_stop EXIT
postgres_temp_start
export KSUITE_TEST_POSTGRES="$PG_SERVER_URL"
# --workspace, as `make test`'s SQLite pass: the same feature set, so nothing is rebuilt.
[ $# -gt 0 ] || set -- --test '*'
cargo test --workspace --no-fail-fast "$@"
