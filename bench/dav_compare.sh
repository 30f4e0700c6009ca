#!/usr/bin/env bash
# GET of one event and PUT of new events on ksuite, next to Xandikos, Radicale and nginx
# serving the same .ics as a static file, with the same wrk settings. Rounds alternate
# between the servers, so a busy moment of the machine hurts all of them alike; the
# median round is printed, then the ratios the README quotes.
#   bench/dav_compare.sh [seconds-per-round] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5}
CONNECTIONS=${2:-32}
ROUNDS=${3:-3}
XANDIKOS_VERSION=0.4.10
RADICALE_VERSION=3.9.0
for tool in wrk nginx; do
  command -v $tool >/dev/null || { echo "installing $tool"; ${SUDO:-} apt-get install -y -qq $tool >/dev/null; }
done
venv() { # venv DIR PACKAGE VERSION
  if [ "$(cat "$1/.installed" 2>/dev/null)" != "$3" ]; then
    python3 -m venv "$1" && "$1/bin/pip" install -q "$2==$3" && echo "$3" > "$1/.installed"
  fi
}
venv .tools/xandikos xandikos $XANDIKOS_VERSION
venv .tools/radicale radicale $RADICALE_VERSION
cargo build -q --release -p ksuite-server

WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 did not start"; exit 1; }

# ksuite, seeded like bench/dav.sh.
RUST_LOG=warn ./target/release/ksuite serve --listen 127.0.0.1:0 --smtp-listen 127.0.0.1:0 \
  --imap-listen 127.0.0.1:0 --imaps-listen 127.0.0.1:0 --submission-listen 127.0.0.1:0 \
  --submissions-listen 127.0.0.1:0 --data-dir "$WORK/ksuite" --static-dir "$WORK/none" > "$WORK/ksuite.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "running at" "$WORK/ksuite.out" && break; sleep 0.1; done
KSUITE=$(grep -o 'http://[0-9.:]*' "$WORK/ksuite.out" | head -1)
EMAIL=bench@example.org
J=(-sf -H 'content-type: application/json' -c "$WORK/cookies" -b "$WORK/cookies")
CSRF=$(curl "${J[@]}" "$KSUITE/api/auth/signup" \
  -d "{\"email\":\"$EMAIL\",\"display_name\":\"Bench\",\"password\":\"correct horse battery staple\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
APP_PASSWORD=$(curl "${J[@]}" -H "x-csrf-token: $CSRF" -H "origin: $KSUITE" "$KSUITE/api/account/app-passwords" -d '{"name":"bench"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
python3 bench/dav_seed.py "$KSUITE" "$EMAIL" "$APP_PASSWORD" "$WORK" > /dev/null
KSUITE_AUTH=$(cat "$WORK/auth")
KSUITE_CAL="/dav/calendars/$EMAIL/1/"

# Xandikos (no authentication: its best case), seeded with the same 1,000 events.
XPORT=$(free_port)
.tools/xandikos/bin/xandikos serve -d "$WORK/xandikos" --defaults -l 127.0.0.1 -p "$XPORT" \
  --current-user-principal /bench/ > "$WORK/xandikos.out" 2>&1 &
PIDS+=($!)
XANDIKOS="http://127.0.0.1:$XPORT"
wait_up "$XANDIKOS/"
XCAL=/bench/calendars/calendar/
mkdir -p "$WORK/xseed"
BENCH_CAL_PATH=$XCAL BENCH_BOOK_PATH=/bench/contacts/addressbook/ BENCH_EVENTS_ONLY=1 \
  python3 bench/dav_seed.py "$XANDIKOS" bench x "$WORK/xseed" > /dev/null

# Radicale (authentication off, as in bench/radicale_compare.sh).
RPORT=$(free_port)
.tools/radicale/bin/python -m radicale --storage-filesystem-folder="$WORK/radicale" --auth-type=none \
  --server-hosts="127.0.0.1:$RPORT" --logging-level=warning > "$WORK/radicale.out" 2>&1 &
PIDS+=($!)
RADICALE="http://127.0.0.1:$RPORT"
wait_up "$RADICALE/"
RCAL=/bench/calendar/
curl -sf -o /dev/null -u bench:x -X MKCALENDAR "$RADICALE$RCAL"

# nginx serving ksuite's copy of the event as a plain file.
NPORT=$(free_port)
mkdir -p "$WORK/static" "$WORK/nginx"
# nginx workers run as another user when started by root: the file must be readable.
chmod 755 "$WORK" "$WORK/static"
curl -sf -H "Authorization: $KSUITE_AUTH" "$KSUITE${KSUITE_CAL}event-500.ics" > "$WORK/static/event-500.ics"
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  types { text/calendar ics; }
  server { listen 127.0.0.1:$NPORT; root $WORK/static; }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
NGINX="http://127.0.0.1:$NPORT"
chmod 644 "$WORK/static/event-500.ics"
wait_up "$NGINX/event-500.ics"

# One wrk run: prints requests/s. `rps NAME BASE METHOD PATH AUTH SCRIPT`
rps() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s "$6" "$2" -- "$3" "$4" "" "" "$5" 2>&1)
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$out" >&2
    echo "FAILED: $1 had error answers; one such request answers:" >&2
    curl -s -i -X "$3" ${5:+-H "Authorization: $5"} "$2$4" | head -c 2000 >&2
    exit 1
  fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "GET one event and PUT new events, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds, $(nproc) cores (wrk and servers share them)"
declare -A GET PUT
for round in $(seq 1 "$ROUNDS"); do
  GET[ksuite]+="$(rps ksuite "$KSUITE" GET "${KSUITE_CAL}event-500.ics" "$KSUITE_AUTH" bench/dav.lua) "
  GET[nginx]+="$(rps nginx "$NGINX" GET /event-500.ics "" bench/dav.lua) "
  GET[xandikos]+="$(rps xandikos "$XANDIKOS" GET "${XCAL}event-500.ics" "" bench/dav.lua) "
  PUT[ksuite]+="$(rps ksuite "$KSUITE" PUT "$KSUITE_CAL" "$KSUITE_AUTH" bench/dav_put.lua) "
  PUT[radicale]+="$(rps radicale "$RADICALE" PUT "$RCAL" "" bench/dav_put.lua) "
done
for s in ksuite nginx xandikos; do
  m=$(tr ' ' '\n' <<<"${GET[$s]}" | grep . | median)
  printf "RESULT GET one event  %-9s %10s req/s   (rounds: %s)\n" "$s" "$m" "${GET[$s]}"
  declare "GET_$s=$m"
done
for s in ksuite radicale; do
  m=$(tr ' ' '\n' <<<"${PUT[$s]}" | grep . | median)
  printf "RESULT PUT new event  %-9s %10s req/s   (rounds: %s)\n" "$s" "$m" "${PUT[$s]}"
  declare "PUT_$s=$m"
done
python3 - "$GET_ksuite" "$GET_nginx" "$GET_xandikos" "$PUT_ksuite" "$PUT_radicale" <<'EOF'
import sys
k, n, x, pk, pr = map(float, sys.argv[1:])
print(f"RATIO GET ksuite/xandikos {k / x:.1f}x   ksuite/nginx {k / n:.2f}x   PUT ksuite/radicale {pk / pr:.1f}x")
EOF
