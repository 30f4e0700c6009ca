# Sourced by the benchmarks: starts a release ksuite over $WORK/data and sets BASE.
#   KSUITE_BENCH_DATABASE_URL  the database (default: SQLite in the data directory; see
#                              bench/on_postgres.sh)
#   KSUITE_BENCH_PROCESSES=2   two processes on the same database behind nginx on loopback
#                              (round robin, keepalive), BASE being nginx
# Every process started is added to PIDS; the caller's EXIT trap stops them.

# Starts one process writing to $1; sets URL to where it listens.
ksuite_process() {
  local out=$1
  RUST_LOG=warn ./target/release/ksuite serve --listen 127.0.0.1:0 --smtp-listen 127.0.0.1:0 \
    --imap-listen 127.0.0.1:0 --imaps-listen 127.0.0.1:0 --submission-listen 127.0.0.1:0 \
    --submissions-listen 127.0.0.1:0 --data-dir "$WORK/data" --static-dir "$WORK/none" \
    ${KSUITE_BENCH_DATABASE_URL:+--database-url "$KSUITE_BENCH_DATABASE_URL"} \
    ${PUBLIC_URL:+--public-url "$PUBLIC_URL" --trusted-proxies 127.0.0.1} > "$out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "running at" "$out" && break; sleep 0.1; done
  URL=$(grep -o 'http://[0-9.:]*' "$out" | head -1 || true)
}

start_ksuite() {
  local n=${KSUITE_BENCH_PROCESSES:-1} upstreams="" i port=""
  PUBLIC_URL=""
  if [ "$n" -gt 1 ]; then
    # Behind the balancer, the processes are reached at its address (origin checks, links).
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    PUBLIC_URL="http://127.0.0.1:$port"
  fi
  for i in $(seq 1 "$n"); do
    ksuite_process "$WORK/out$i"
    [ -n "$URL" ] || { cat "$WORK/out$i"; exit 1; }
    upstreams+="server ${URL#http://}; "
    BASE=$URL
  done
  BACKEND="SQLite"
  [ -z "${KSUITE_BENCH_DATABASE_URL:-}" ] || BACKEND="PostgreSQL"
  if [ "$n" -gt 1 ]; then
    command -v nginx >/dev/null || { echo "installing nginx"; ${SUDO:-} apt-get install -y -qq nginx >/dev/null; }
    mkdir -p "$WORK/lb"
    cat > "$WORK/lb/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/lb/nginx.pid;
error_log $WORK/lb/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/lb; proxy_temp_path $WORK/lb; fastcgi_temp_path $WORK/lb;
  uwsgi_temp_path $WORK/lb; scgi_temp_path $WORK/lb;
  upstream ksuite { $upstreams keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 30m;
    location / {
      proxy_pass http://ksuite; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$http_host; proxy_buffering off;
    }
  }
}
CONF
    nginx -c "$WORK/lb/nginx.conf" -g 'daemon off;' &
    PIDS+=($!)
    BASE="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do curl -s -o /dev/null "$BASE/api/health" && break; sleep 0.1; done
  fi
  SETUP="$BACKEND, one process"
  [ "$n" -eq 1 ] || SETUP="$BACKEND, $n processes behind nginx"
}
