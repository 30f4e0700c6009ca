#!/usr/bin/env bash
# Runs a benchmark on PostgreSQL: starts a throwaway PostgreSQL, creates an empty
# database and runs the given command with KSUITE_BENCH_DATABASE_URL pointing at it
# (bench/dav.sh, bench/redirect.sh and bench/mail_bench.py start ksuite on it).
#   bench/on_postgres.sh bench/redirect.sh 8 64 3
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres-temp.sh
trap postgres_temp_stop EXIT
postgres_temp_start
postgres_temp_createdb bench
export KSUITE_BENCH_DATABASE_URL="$PG_SERVER_URL/bench" PG_BIN
"$@"
