# Sourced by the DAV benchmarks: `wrk_run LABEL NAME METHOD PATH BODY DEPTH [fresh]` replays
# one request with bench/dav.lua and prints a RESULT line (requests/s and p99).
# Uses BASE, AUTH, WORK, DURATION, CONNECTIONS and WARMUP (seconds; 0 = none).
wrk_run() {
  local label=$1 name=$2 method=$3 path=$4 body="" depth=$6 fresh=${7:-}
  [ -n "$5" ] && body="$WORK/$5.xml"
  local args=(-t2 -c"$CONNECTIONS" --timeout 30s -s bench/dav.lua "$BASE" -- "$method" "$path" "$body" "$depth" "$AUTH" "$fresh")
  [ "${WARMUP:-0}" -gt 0 ] && wrk -d"${WARMUP}s" "${args[@]}" > /dev/null
  wrk -d"${DURATION}s" --latency "${args[@]}" > "$WORK/wrk"
  if grep -q "Non-2xx" "$WORK/wrk"; then cat "$WORK/wrk"; echo "FAILED: $name had error answers"; exit 1; fi
  awk -v l="$label" -v n="$name" '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "RESULT %s %-44s %10s req/s   p99 %s\n", l, n, rps, p99}' "$WORK/wrk"
}
