#!/usr/bin/env bash
# Archive bench (issue 23): uncached delivery reads on an archive seeded by seed.sh, every request reaching PostgreSQL.
#   BENCH_DATA=DIR bash bench/archive/run.sh N [DURATION=10s]
# Search rotates through thousands of one-word and two-word queries drawn from the seeded text (words in 0.1-20 % of
# articles), so no two consecutive requests ask the same thing. Prints a markdown table with the box's load average
# beside each figure, and saves EXPLAIN (ANALYZE, BUFFERS) of every delivery query the scenarios run (auto_explain on
# the API's own connections) in $BENCH_DATA/N/plans.txt.
# Each row also gives the box's ceilings for that read, measured in the same run:
# pgbench running the statements the API ran for it (logged from the API's own connections, prepared once per
# connection, the values sent as parameters; see ceilings.py; 20 requests of a rotating scenario), and nginx serving
# the same response bodies (100 of a rotating scenario's).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:?articles}; DURATION=${2:-10s}; DATA="${BENCH_DATA:?BENCH_DATA=DIR holds the seeded archives}/$N"
[ -f "$DATA/seeded" ] || { echo "Seed first: BENCH_DATA=$BENCH_DATA bash bench/archive/seed.sh $N" >&2; exit 1; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "Install wrk and nginx-light (Debian packages) first." >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
# Huge pages: without them each PostgreSQL backend faults in the shared buffers 4 kB at a time, and a read rotating over
# a large archive pays that for minutes in each of the API's connections (search at 1,000,000: 15-17 ms of PostgreSQL
# CPU a request without, 8.3 with; see bench/README.md). As root the bench reserves enough for the embedded cluster's
# shared buffers (a quarter of memory, at most 4 GB) unless BENCH_HUGE_PAGES=0; PostgreSQL's huge_pages = try uses them.
if [ "${BENCH_HUGE_PAGES:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
  buffers_mb=$(awk '/MemTotal/ {m = int($2 / 1024 / 4); print (m > 4096 ? 4096 : m)}' /proc/meminfo)
  wanted=$((buffers_mb * 11 / 20 + 16))
  have=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
  [ "$have" -lt "$wanted" ] && echo "$wanted" > /proc/sys/vm/nr_hugepages
  echo "huge pages: $(awk '/HugePages_Total/ {print $2}' /proc/meminfo) of 2 MB reserved (wanted $wanted)" >&2
fi
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
WORK=$(mktemp -d /tmp/hn-archive-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export Database__EmbeddedDataPath="$DATA/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Delivery__Cache__ServerCacheEnabled=false
API_PID=""
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT
start_api() {
  (cd "$ROOT" && exec dotnet "$DLL" --urls "$BASE" >>"$WORK/api.log" 2>&1) & API_PID=$!
  for _ in $(seq 1 600); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
  curl -fs "$BASE/health/ready" >/dev/null || { echo "The API did not become ready; see its log:" >&2; cat "$WORK/api.log" >&2; exit 1; }
  # Searches use the database until the node's search index is built (~1 min at 100,000 articles): measured after.
  local started=$SECONDS
  until curl -fs "$BASE/health/ready" | grep -q '"search-index":"healthy"'; do
    [ $((SECONDS - started)) -gt 1800 ] && { echo "The search index was not built in 30 minutes" >&2; exit 1; }
    sleep 1
  done
  echo "search index built in $((SECONDS - started)) s after the API was ready" >&2
}
stop_api() { kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""; }
psql_() { PGPASSWORD=$(cat "$DATA/pg.password") psql -h 127.0.0.1 -p "$(sed -n 4p "$DATA/pg/postmaster.pid")" -U postgres -d headlessnews -X -q "$@"; }

start_api
# A deep keyset cursor: follow next links to item 0.999 N (page ~5,000 of 20 at 100,000 articles).
DEEP=$(python3 - "$BASE" "$N" <<'PY'
import json, sys, urllib.request
base, n = sys.argv[1], int(sys.argv[2]); cursor, seen = None, 0
while seen + 100 <= n * 0.999:
    page = json.load(urllib.request.urlopen(f"{base}/v1/articles?limit=100" + (f"&cursor={cursor}" if cursor else "")))
    seen += len(page["items"]); cursor = page["next"]
print(cursor)
PY
)
# The date range is one every size holds (10,000 articles span 100 days), so both sizes read a full month.
TAG=$(sed -n 3p "$DATA/tags.txt"); FROM_DAY=$(date -u -d '-90 days' +%Y-%m-%dT00:00:00Z); TO_DAY=$(date -u -d '-60 days' +%Y-%m-%dT00:00:00Z)
SCENARIOS=(
  "latest 20|/v1/articles?limit=20"
  "section news|/v1/articles?section=news&limit=20"
  "tag $TAG|/v1/articles?tag=$TAG&limit=20"
  "place|/v1/articles?place=$(psql_ -At -c "SELECT slug FROM places WHERE slug LIKE 'place-%' ORDER BY slug LIMIT 1")&limit=20"
  "author reporter-3|/v1/articles?author=reporter-3&limit=20"
  "30 days, 90 to 60 days ago|/v1/articles?from=$FROM_DAY&to=$TO_DAY&limit=20"
  "keyset page at item 0.999 N|/v1/articles?limit=20&cursor=$DEEP"
  "notices within 10 km of Conwy|/v1/notices?near=53.2801,-3.8277&radiusKm=10"
  "quotes in use|/v1/quotes?limit=20"
  "sources in use|/v1/sources?limit=20"
  "authors|/v1/authors?limit=20"
)

# Every scenario is a file of request paths: one, or (slugs, search) many that wrk rotates through, shuffled once.
mkdir -p "$WORK/paths"
{ cut -f1 "$DATA/words.tsv"; cat "$DATA/phrases.txt"; } | shuf --random-source=<(yes) | sed 's/ /%20/; s#^#/v1/search?q=#' > "$WORK/paths/search"
sed 's#^#/v1/articles/#' "$DATA/slugs.txt" > "$WORK/paths/by-slug"
NAMES=("search, $(wc -l <"$WORK/paths/search") rotating one- and two-word queries" "article by slug, rotating $(wc -l <"$DATA/slugs.txt") slugs")
IDS=(search by-slug)
for i in "${!SCENARIOS[@]}"; do
  s=${SCENARIOS[$i]}; NAMES+=("${s%%|*}"); IDS+=("s$i"); echo "${s#*|}" > "$WORK/paths/s$i"
done
cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout,
    summary.requests))
end
LUA
rotating() { # paths file, lua script to write: each connection starts at a random path and walks on
  { echo 'paths = {}'; echo "for line in io.lines(\"$1\") do paths[#paths + 1] = line end"
    echo 'counter = 0'
    echo 'init = function(args) counter = math.random(#paths) end'
    echo 'request = function() counter = counter + 1; return wrk.format("GET", paths[(counter % #paths) + 1]) end'
    cat "$WORK/report.lua"; } > "$2"
}
# CPU time (user + system, clock ticks) of a process, and of each backend serving the API ("pid ticks" lines): only
# backends alive at both ends of a run count, so autovacuum workers and connections that come or go are left out.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
backend_ticks() {
  local pid; for pid in $(pgrep -f "postgres: postgres headlessnews 127.0.0.1"); do echo "$pid $(ticks "$pid")"; done | sort
}
# "req/s p50 p99 errors load API-ms PostgreSQL-ms": the last two are the CPU a request cost each process (the API's
# runs only; "- -" for nginx). The box's load moves them far less than req/s and p99 (up to ~1.5x at load 15-25).
measure() { # id, base URL, paths file
  rotating "$3" "$WORK/$1.lua"
  wrk -t2 -c32 -d3s -s "$WORK/$1.lua" "$2" >/dev/null
  local api=false api0; [ "$2" = "$BASE" ] && api=true
  $api && { api0=$(ticks "$API_PID"); backend_ticks > "$WORK/backends-before"; }
  local line; line=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$WORK/$1.lua" "$2" | grep '^RESULT')
  read -r _ rps p50 p99 errors requests <<<"$line"
  local cpu="- -"
  $api && cpu=$(join "$WORK/backends-before" <(backend_ticks) | awk -v a=$(($(ticks "$API_PID") - api0)) -v n="$requests" \
    -v hz="$(getconf CLK_TCK)" '{p += $3 - $2} END {printf "%.3f %.3f", a * 1000 / hz / n, p * 1000 / hz / n}')
  echo "$rps $p50 $p99 $errors $(awk '{print $1}' /proc/loadavg) $cpu"
}

# Warm until steady: tiered compilation, and each PostgreSQL backend maps the shared buffers it touches the first time
# (4 kB pages, one fault each), so a rotating read climbs for a minute on a large archive (by slug at 1,000,000:
# 2,085 => 4,150 req/s over 60 s). 5 s rounds until one gains under 5 % on the one before, at most 2 minutes.
warm() { # paths file
  rotating "$1" "$WORK/warm.lua"; local before=0 now
  for _ in $(seq 24); do
    now=$(wrk -t2 -c32 -d5s -s "$WORK/warm.lua" "$BASE" | awk '/^RESULT/{print $2}')
    awk -v b="$before" -v n="$now" 'BEGIN{exit !(n < b * 1.05)}' && break; before=$now
  done
}
for id in "${IDS[@]}"; do warm "$WORK/paths/$id"; done
WHEN=$(date -u +%FT%RZ); READ_MODEL=$(psql_ -At -c "SELECT count(*) FROM published_articles")
mkdir -p "$WORK/api" "$WORK/www"
for id in "${IDS[@]}"; do
  measure "$id" "$BASE" "$WORK/paths/$id" > "$WORK/api/$id"
  # The bodies nginx will serve: the API's own answers, 100 of a rotating scenario's.
  mkdir -p "$WORK/www/$id"; : > "$WORK/paths/nginx-$id"; k=0
  head -n 100 "$WORK/paths/$id" | while read -r path; do
    # Right after a saturating run a search may still time out: asked again, else left out.
    k=$((k + 1)); curl -fs --retry 3 --retry-all-errors -o "$WORK/www/$id/$k.json" "$BASE$path" && echo "/$id/$k.json" >> "$WORK/paths/nginx-$id" || true
  done
done
PEAK=$(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$API_PID/status")

# Plans: auto_explain on the API's own connections (a fresh process) for one request of each scenario.
psql_ -c "ALTER DATABASE headlessnews SET session_preload_libraries = 'auto_explain'" \
  -c "ALTER DATABASE headlessnews SET auto_explain.log_min_duration = 0" -c "ALTER DATABASE headlessnews SET auto_explain.log_analyze = on" \
  -c "ALTER DATABASE headlessnews SET auto_explain.log_buffers = on"
stop_api
start_api
LOG="$DATA/pg/server.log"; FROM=$(wc -l <"$LOG")
# Each delivery read 11 times: Npgsql prepares on the fifth use and PostgreSQL may then settle on a generic plan.
{ for s in "${SCENARIOS[@]}" "|$(head -1 "$WORK/paths/by-slug")"; do for _ in $(seq 11); do echo "${s#*|}"; done; done
  shuf -n 6 "$WORK/paths/search"; } | while read -r url; do echo "GET $url" >>"$WORK/asked"; curl -s -o /dev/null "$BASE$url"; done
psql_ -c "ALTER DATABASE headlessnews RESET ALL"
{ cat "$WORK/asked"; tail -n +"$FROM" "$LOG"; } > "$DATA/plans.txt"

# The statements each request runs, logged from the API's own connections (a fresh process) after one unlogged round,
# each request after a marker ceilings.py splits on. 20 of a rotating scenario's: pgbench prepares every script's
# statements on each of its connections, so each more is one more plan made per client (a search's takes ~ms).
psql_ -c "ALTER DATABASE headlessnews SET log_min_duration_statement = 0"
stop_api
start_api
for id in "${IDS[@]}"; do head -n 20 "$WORK/paths/$id"; done | while read -r url; do curl -s -o /dev/null "$BASE$url"; done
FROM=$(wc -l <"$LOG")
for id in "${IDS[@]}"; do
  k=0; head -n 20 "$WORK/paths/$id" | while read -r url; do
    k=$((k + 1)); psql_ -c "SELECT 'hn-bench $id $k'" >/dev/null; curl -s -o /dev/null "$BASE$url"
  done
done
psql_ -c "ALTER DATABASE headlessnews RESET ALL"
tail -n +"$FROM" "$LOG" > "$WORK/statements.log"
python3 "$ROOT/bench/archive/ceilings.py" "$WORK/statements.log" "$WORK/sql"
chmod -R a+rX "$WORK"

# Ceiling 1: PostgreSQL alone, pgbench running each scenario's statements (8 clients, as many as the API's pools use
# under wrk), rotating through its requests; each transaction is one request's statements.
# Its first seconds are left out, as the API's warm-up is: each of pgbench's fresh connections plans every statement
# and faults in the shared buffers it touches (search at 1,000,000: 40 tps in the first 5 s, ~340 from then on; the
# 5 s runs of 2026-12-05 counted only the first and printed 9 tps).
PGBENCH_WARMUP=${BENCH_PGBENCH_WARMUP:-10}
pgbench_measure() { # id, plan_cache_mode: "tps p50 p99 errors load"
  local files=() f line; for f in "$WORK/sql/$1"/*.sql; do files+=(-f "$f"); done
  while IFS= read -r line; do files+=(-D "$line"); done < <(cat "$WORK/sql/$1"/*.vars)
  rm -f "$WORK"/pgbench_log*
  local from=$(($(date +%s) + PGBENCH_WARMUP))
  local out; out=$(cd "$WORK" && PGOPTIONS="-c plan_cache_mode=$2" PGPASSWORD=$(cat "$DATA/pg.password") "$PG_BIN/pgbench" -h 127.0.0.1 -p "$(sed -n 4p "$DATA/pg/postmaster.pid")" \
    -U postgres -n -M prepared -c 8 -j 2 -T "$((PGBENCH_WARMUP + ${DURATION%s}))" -l --log-prefix=pgbench_log "${files[@]}" headlessnews 2>&1) \
    || { echo "pgbench failed on $1:" >&2; tail -n 5 <<<"$out" >&2; }
  grep -q '^tps' <<<"$out" || { echo "- - - - -"; return; }
  # Log lines: client, transaction, latency (µs), script, end (epoch s), end (µs).
  local latencies; latencies=$(cat "$WORK"/pgbench_log* 2>/dev/null | awk -v from="$from" '$5 >= from {print $3 / 1000}' | sort -n)
  local count; count=$(grep -c . <<<"$latencies" || true)
  [ "$count" -gt 0 ] || { echo "0 - - - $(awk '{print $1}' /proc/loadavg)"; return; }
  echo "$((count / ${DURATION%s})) $(sed -n "$(( (count + 1) / 2 ))p" <<<"$latencies") \
    $(sed -n "$(( (count * 99 + 99) / 100 ))p" <<<"$latencies") $(awk '/failed transactions/{print $4; exit}' <<<"$out") $(awk '{print $1}' /proc/loadavg)"
}
mkdir -p "$WORK/pgbench"
# The API keeps generic plans for some reads and lets PostgreSQL choose for others: each runs both ways, the faster counts.
for id in "${IDS[@]}"; do
  [ -d "$WORK/sql/$id" ] || continue
  { echo "$(pgbench_measure "$id" auto) auto"; echo "$(pgbench_measure "$id" force_generic_plan) generic"; } | sort -k1,1nr | head -n 1 > "$WORK/pgbench/$id"
done
stop_api

# Ceiling 2: nginx (as many workers as cores) serving the same bodies.
NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/nginx.conf" <<CONF
worker_processes $(nproc);
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; default_type application/json; } }
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
mkdir -p "$WORK/nginx"
for id in "${IDS[@]}"; do measure "nginx-$id" "http://127.0.0.1:$NGINX_PORT" "$WORK/paths/nginx-$id" > "$WORK/nginx/$id"; done

echo
echo "$N articles ($READ_MODEL in the read model), $(nproc) cores, $WHEN"
echo
echo "| scenario (output cache off) | req/s | p50 ms | p99 ms | errors | load avg | CPU ms a request: API + PostgreSQL | pgbench, same SQL: tps | p50 ms | p99 ms | statements a request, plans | nginx, same bytes: req/s | p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for i in "${!IDS[@]}"; do
  id=${IDS[$i]}; read -r rps p50 p99 errors load api_cpu pg_cpu < "$WORK/api/$id"
  read -r tps pp50 pp99 _ _ plan < <(cat "$WORK/pgbench/$id" 2>/dev/null || echo "- - - - - -")
  statements=$(awk 'FNR == 1 {files++} /;$/ {n++} END {if (files) printf "%.1f", n / files; else print "-"}' "$WORK/sql/$id"/*.sql 2>/dev/null || echo -)
  read -r nrps _ np99 _ _ < "$WORK/nginx/$id"
  printf '| %s | %s | %s | %s | %s | %s | %s + %s | %s | %s | %s | %s | %s | %s |\n' "${NAMES[$i]}" "$rps" "$p50" "$p99" "$errors" "$load" "$api_cpu" "$pg_cpu" \
    "$tps" "$pp50" "$pp99" "$statements, $plan" "$nrps" "$np99"
done
echo "API peak memory (VmHWM): $PEAK MB"
echo "Plans: $DATA/plans.txt"
