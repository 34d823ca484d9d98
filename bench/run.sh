#!/usr/bin/env bash
# HeadlessNews benchmark (issue 5): one command, stops by itself.
#   bash bench/run.sh [ARTICLES=10000] [DURATION=10s]
# BENCH_DATA=DIR keeps the seeded database (and its key and slugs) in DIR, so a second run skips seeding.
# Seeds fictional content, starts the API in Release on its own embedded PostgreSQL (rate limiting off),
# drives it with wrk on loopback, and measures this box's ceilings in the same run: nginx serving the same
# JSON bytes as a static file, and pgbench running the same SQL. Prints a markdown table.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARTICLES=${1:-10000}; DURATION=${2:-10s}; THREADS=2; CONNECTIONS=32
WORK=$(mktemp -d /tmp/hn-bench-XXXXXX); chmod 755 "$WORK"
DATA=${BENCH_DATA:-$WORK/data}; mkdir -p "$DATA"; chmod 755 "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
API_PID=""
cleanup() {
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "Install wrk and nginx-light (Debian packages) first." >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi

echo "Building (Release)…" >&2
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
export Database__EmbeddedDataPath="$DATA/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
start_api() { # extra environment assignments for the API process
  (cd "$ROOT" && exec env "$@" dotnet "$DLL" --urls "http://127.0.0.1:$PORT" >>"$WORK/api.log" 2>&1) & API_PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && return; sleep 0.2; done
  echo "The API did not become ready; see its log:" >&2; cat "$WORK/api.log" >&2; exit 1
}
stop_api() { kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""; }
BASE="http://127.0.0.1:$PORT"
if [ ! -s "$DATA/slugs.txt" ] || [ "$(wc -l <"$DATA/slugs.txt")" -ne "$ARTICLES" ]; then
  rm -rf "${DATA:?}"/*
  KEY=$(cd "$ROOT" && dotnet "$DLL" keys create --name bench --scopes '*' 2>/dev/null | tail -n 1)
  start_api
  echo "Seeding $ARTICLES articles…" >&2
  start=$(date +%s)
  python3 "$ROOT/bench/seed.py" "$BASE" "$KEY" "$ARTICLES" "$DATA/slugs.txt.partial" >&2
  mv "$DATA/slugs.txt.partial" "$DATA/slugs.txt"
  echo "Seeded in $(( $(date +%s) - start )) s." >&2
  stop_api
fi
# Measured from a fresh process, so peak memory is the delivery workload's, not seeding's.
start_api

# wrk script: rotate through the seeded slugs; report p50/p99 in ms.
cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
{ echo 'slugs = {}'; echo 'for line in io.lines("'"$DATA"'/slugs.txt") do slugs[#slugs + 1] = line end'
  echo 'counter = 0'
  echo 'request = function() counter = counter + 1; return wrk.format("GET", "/v1/articles/" .. slugs[(counter % #slugs) + 1]) end'
  cat "$WORK/report.lua"; } > "$WORK/by-slug.lua"
ETAG=$(curl -sI "$BASE/v1/articles?limit=20" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
{ echo "wrk.headers[\"If-None-Match\"] = '$ETAG'"; cat "$WORK/report.lua"; } > "$WORK/revalidate.lua"

measure() { # name, url, script, duration
  local line; line=$(wrk -t$THREADS -c$CONNECTIONS -d"$4" --latency -s "$3" "$2" | grep '^RESULT')
  read -r _ rps p50 p99 errors <<<"$line"
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "$errors"
}
run() { # name, url, script; an unmeasured 3 s run first, so tiered JIT compilation is not what gets timed
  wrk -t$THREADS -c$CONNECTIONS -d3s -s "$3" "$2" >/dev/null
  measure "$1" "$2" "$3" "$DURATION"
}

# A server that has just started runs unoptimised code while tiered compilation works in the background. The API's
# own start-up warm-up covers most of that before /health/ready answers (see bench/README.md); production servers run
# for days, so every process still gets 15 s of each kind of request before anything is timed, and the first 5 s of a
# fresh process are reported once, below, for honesty.
warm() {
  for url in "$BASE/v1/articles?limit=20" "$BASE/v1/search?q=harbour%20works" "$BASE/v1/notices?near=53.2801,-3.8277&radiusKm=10"; do
    wrk -t$THREADS -c$CONNECTIONS -d15s "$url" >/dev/null
  done
  wrk -t$THREADS -c$CONNECTIONS -d15s -s "$WORK/by-slug.lua" "$BASE/v1/articles" >/dev/null
}
warm
curl -s "$BASE/v1/articles?limit=20" > "$WORK/latest.json"
SAMPLE_SLUG=$(head -n 1 "$DATA/slugs.txt")
echo
echo "| scenario | req/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
curl -s "$BASE/v1/articles?limit=20" >/dev/null
run "latest 20 (cached)" "$BASE/v1/articles?limit=20" "$WORK/report.lua"
run "latest 20 with include=body (cached)" "$BASE/v1/articles?limit=20&include=body" "$WORK/report.lua"
run "article by slug (rotating $ARTICLES slugs)" "$BASE/v1/articles" "$WORK/by-slug.lua"
run "search 'harbour works'" "$BASE/v1/search?q=harbour%20works" "$WORK/report.lua"
run "notices within 10 km of Conwy" "$BASE/v1/notices?near=53.2801,-3.8277&radiusKm=10" "$WORK/report.lua"
run "304 revalidation of latest 20" "$BASE/v1/articles?limit=20" "$WORK/revalidate.lua"
peak() { awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$API_PID/status" 2>/dev/null || echo "?"; }
PEAK_CACHED=$(peak)

# The same reads with the server output cache off: every request reaches PostgreSQL.
stop_api
start_api Delivery__Cache__ServerCacheEnabled=false
measure "latest 20, output cache off, first 5 s of a fresh process" "$BASE/v1/articles?limit=20" "$WORK/report.lua" 5s
warm
run "latest 20, output cache off" "$BASE/v1/articles?limit=20" "$WORK/report.lua"
run "article by slug, output cache off" "$BASE/v1/articles" "$WORK/by-slug.lua"
run "search 'harbour works', output cache off" "$BASE/v1/search?q=harbour%20works" "$WORK/report.lua"
PEAK_UNCACHED=$(peak)

# Ceiling 1: nginx serving the same JSON bytes as a static file.
mkdir -p "$WORK/www"; cp "$WORK/latest.json" "$WORK/www/latest.json"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; default_type application/json; } }
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
run "ceiling: nginx static latest-20 JSON ($(wc -c <"$WORK/latest.json") bytes)" "http://127.0.0.1:$NGINX_PORT/latest.json" "$WORK/report.lua"

# Ceiling 2: pgbench running the delivery SQL directly against the same database.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DATA="$DATA/pg"
if [ ! -f "$PG_DATA/postmaster.pid" ]; then PG_DATA=$(ls -d /var/lib/headlessnews/*/postgres | head -n 1); fi
PG_PORT=$(sed -n 4p "$PG_DATA/postmaster.pid")
export PGPASSWORD; PGPASSWORD=$(cat "$PG_DATA.password")  # the embedded cluster's generated password
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgb() { # name, sql file
  local tps; tps=$(as_pg "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c 8 -j 2 -T "${DURATION%s}" -f "$2" headlessnews 2>/dev/null \
    | awk '/^tps/{printf "%.0f", $3; exit}')
  printf '| %s | %s | | | |\n' "$1" "$tps"
}
cp "$ROOT/bench/sql/"*.sql "$WORK/" && chmod 644 "$WORK/"*.sql
sed -i "s/:slug/'$SAMPLE_SLUG'/" "$WORK/by-slug.sql"
pgb "ceiling: pgbench latest-20 query" "$WORK/latest.sql"
pgb "ceiling: pgbench by-slug query" "$WORK/by-slug.sql"
pgb "ceiling: pgbench full-text search query" "$WORK/search.sql"

echo
echo "API peak memory (VmHWM): ${PEAK_CACHED} MB with the output cache, ${PEAK_UNCACHED} MB without"
