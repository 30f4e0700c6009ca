#!/usr/bin/env bash
# Redirect throughput: a release ksuite with 10,000 short links, hammered on loopback by
# wrk with random slugs. Prints requests/s and latency percentiles (p99 included).
#   bench/redirect.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-64}
LINKS=10000
command -v wrk >/dev/null || { echo "installing wrk"; ${SUDO:-} apt-get install -y -qq wrk >/dev/null; }
cargo build -q --release -p ksuite-server

WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
RUST_LOG=warn ./target/release/ksuite serve --listen 127.0.0.1:0 --smtp-listen 127.0.0.1:0 --imap-listen 127.0.0.1:0 --imaps-listen 127.0.0.1:0 --submission-listen 127.0.0.1:0 --submissions-listen 127.0.0.1:0 --data-dir "$WORK/data" --static-dir "$WORK/none" > "$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q "running at" "$WORK/out" && break; sleep 0.1; done
BASE=$(grep -o 'http://[0-9.:]*' "$WORK/out" | head -1)
[ -n "$BASE" ] || { cat "$WORK/out"; exit 1; }

# One real user through the API, then 10,000 links written straight into its database.
curl -sf -o /dev/null -H 'content-type: application/json' "$BASE/api/auth/signup" \
  -d '{"email":"bench@example.org","display_name":"Bench","password":"correct horse battery staple"}'
python3 - "$WORK/data/ksuite.db" "$LINKS" "$WORK/slugs" <<'PY'
import random, sqlite3, sys, time
db, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
con = sqlite3.connect(db)
uid = con.execute("SELECT id FROM users").fetchone()[0]
now = int(time.time())
slugs = set()
while len(slugs) < n:
    slugs.add("".join(random.choice(alphabet) for _ in range(7)))
slugs = sorted(slugs)
con.executemany(
    "INSERT INTO links (user_id, slug, url, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    [(uid, s, f"https://example.org/page/{i}?ref=bench", now, now + 86400 * 30) for i, s in enumerate(slugs)])
con.commit()
open(out, "w").write("\n".join(slugs) + "\n")
PY

echo "ksuite redirect benchmark: $LINKS links, $CONNECTIONS connections, ${DURATION}s, $(nproc) cores (wrk and server share them)"
# Warm-up pass (fills the cache), then the measured run.
wrk -t2 -c"$CONNECTIONS" -d3s -s bench/redirect.lua "$BASE" -- "$WORK/slugs" > /dev/null
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/redirect.lua "$BASE" -- "$WORK/slugs" | tee "$WORK/wrk"
echo
awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "RESULT redirect: %s req/s, p99 %s\n", rps, p99}' "$WORK/wrk"
