#!/usr/bin/env bash
# Redirect throughput: a release ksuite with 10,000 short links, hammered on loopback by
# wrk with random slugs, next to nginx answering the same requests with a bare
# `return 302` (the ceiling for any redirector on this machine). Rounds alternate between
# the two, so a busy moment hurts both alike; prints the median requests/s of each, the
# ratio, and ksuite's latency percentiles (p99 included) from its last round. On
# PostgreSQL: bench/on_postgres.sh bench/redirect.sh; two processes behind nginx:
# KSUITE_BENCH_PROCESSES=2 (see bench/server.sh).
#   bench/redirect.sh [seconds-per-round] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-64}
ROUNDS=${3:-3}
LINKS=10000
for tool in wrk nginx; do
  command -v $tool >/dev/null || { echo "installing $tool"; ${SUDO:-} apt-get install -y -qq $tool >/dev/null; }
done
cargo build -q --release -p ksuite-server

WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
source bench/server.sh
start_ksuite

# One real user through the API, then 10,000 links written straight into its database.
curl -sf -o /dev/null -H 'content-type: application/json' "$BASE/api/auth/signup" \
  -d '{"email":"bench@example.org","display_name":"Bench","password":"correct horse battery staple"}'
python3 - "$LINKS" "$WORK/slugs" "$WORK/links.tsv" <<'PY'
import random, sys, time
n, out, rows = int(sys.argv[1]), sys.argv[2], sys.argv[3]
alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
now = int(time.time())
slugs = set()
while len(slugs) < n:
    slugs.add("".join(random.choice(alphabet) for _ in range(7)))
slugs = sorted(slugs)
open(out, "w").write("\n".join(slugs) + "\n")
open(rows, "w").write("".join(
    f"{s}\thttps://example.org/page/{i}?ref=bench\t{now}\t{now + 86400 * 30}\n" for i, s in enumerate(slugs)))
PY
if [ -n "${KSUITE_BENCH_DATABASE_URL:-}" ]; then
  "$PG_BIN/psql" -q "$KSUITE_BENCH_DATABASE_URL" -c "CREATE TEMP TABLE l (slug TEXT, url TEXT, c BIGINT, e BIGINT)" \
    -c "\\copy l FROM '$WORK/links.tsv'" \
    -c "INSERT INTO links (user_id, slug, url, created_at, expires_at) SELECT (SELECT id FROM users), slug, url, c, e FROM l"
else
  python3 - "$WORK/data/ksuite.db" "$WORK/links.tsv" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
uid = con.execute("SELECT id FROM users").fetchone()[0]
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
con.executemany("INSERT INTO links (user_id, slug, url, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [(uid, s, u, int(c), int(e)) for s, u, c, e in rows])
con.commit()
PY
fi

# nginx with a bare redirect for every /l/ path.
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NPORT; location /l/ { return 302 https://example.org/page/1?ref=bench; } }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
NGINX="http://127.0.0.1:$NPORT"
for _ in $(seq 1 100); do curl -s -o /dev/null "$NGINX/l/x" && break; sleep 0.1; done

echo "redirect benchmark ($SETUP): $LINKS links, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds, $(nproc) cores (wrk and servers share them)"
# Warm-up pass (fills ksuite's cache), then alternating measured rounds.
wrk -t2 -c"$CONNECTIONS" -d3s -s bench/redirect.lua "$BASE" -- "$WORK/slugs" > /dev/null
rps() {
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/redirect.lua "$1" -- "$WORK/slugs" > "$WORK/wrk-$2"
  awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$2"
}
K=""; N=""
for _ in $(seq 1 "$ROUNDS"); do
  K+="$(rps "$BASE" ksuite) "
  N+="$(rps "$NGINX" nginx) "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
KM=$(median <<<"$K"); NM=$(median <<<"$N")
cat "$WORK/wrk-ksuite"
P99=$(awk '/^ +99%/ {print $2}' "$WORK/wrk-ksuite")
echo "RESULT redirect ksuite: $KM req/s (rounds: $K), p99 $P99"
echo "RESULT redirect nginx return 302: $NM req/s (rounds: $N)"
python3 -c "import sys; print(f'RATIO ksuite/nginx {float(sys.argv[1]) / float(sys.argv[2]):.2f}x')" "$KM" "$NM"
