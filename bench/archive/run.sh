#!/usr/bin/env bash
# Archive bench (issue 23): uncached delivery reads on an archive seeded by seed.sh, every request reaching PostgreSQL.
#   BENCH_DATA=DIR bash bench/archive/run.sh N [DURATION=10s]
# Search rotates through thousands of one-word and two-word queries drawn from the seeded text (words in 0.1-20 % of
# articles), so no two consecutive requests ask the same thing. Prints a markdown table with the box's load average
# beside each figure, and saves EXPLAIN (ANALYZE, BUFFERS) of every delivery query the scenarios run (auto_explain on
# the API's own connections) in $BENCH_DATA/N/plans.txt.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:?articles}; DURATION=${2:-10s}; DATA="${BENCH_DATA:?BENCH_DATA=DIR holds the seeded archives}/$N"
[ -f "$DATA/seeded" ] || { echo "Seed first: BENCH_DATA=$BENCH_DATA bash bench/archive/seed.sh $N" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "Install wrk (Debian package) first." >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
WORK=$(mktemp -d /tmp/hn-archive-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export Database__EmbeddedDataPath="$DATA/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Delivery__Cache__ServerCacheEnabled=false
API_PID=""
cleanup() { [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
start_api() {
  (cd "$ROOT" && exec dotnet "$DLL" --urls "$BASE" >>"$WORK/api.log" 2>&1) & API_PID=$!
  for _ in $(seq 1 600); do curl -fs "$BASE/health/ready" >/dev/null && return; sleep 0.2; done
  echo "The API did not become ready; see its log:" >&2; cat "$WORK/api.log" >&2; exit 1
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
TAG=$(sed -n 3p "$DATA/tags.txt"); YEAR_AGO=$(date -u -d '-1 year' +%Y-%m-%dT00:00:00Z); MONTH_LATER=$(date -u -d '-11 months' +%Y-%m-%dT00:00:00Z)
SCENARIOS=(
  "latest 20|/v1/articles?limit=20"
  "section news|/v1/articles?section=news&limit=20"
  "tag $TAG|/v1/articles?tag=$TAG&limit=20"
  "place|/v1/articles?place=$(psql_ -At -c "SELECT slug FROM places WHERE slug LIKE 'place-%' ORDER BY slug LIMIT 1")&limit=20"
  "author reporter-3|/v1/articles?author=reporter-3&limit=20"
  "a month a year ago|/v1/articles?from=$YEAR_AGO&to=$MONTH_LATER&limit=20"
  "keyset page at item 0.999 N|/v1/articles?limit=20&cursor=$DEEP"
  "notices within 10 km of Conwy|/v1/notices?near=53.2801,-3.8277&radiusKm=10"
)

# wrk scripts: rotating slugs; rotating search queries (words and two-word phrases, shuffled).
cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
{ echo 'slugs = {}'; echo "for line in io.lines(\"$DATA/slugs.txt\") do slugs[#slugs + 1] = line end"
  echo 'counter = 0'
  echo 'request = function() counter = counter + 1; return wrk.format("GET", "/v1/articles/" .. slugs[(counter % #slugs) + 1]) end'
  cat "$WORK/report.lua"; } > "$WORK/by-slug.lua"
{ cut -f1 "$DATA/words.tsv"; cat "$DATA/phrases.txt"; } | shuf --random-source=<(yes) | sed 's/ /%20/' > "$WORK/queries.txt"
{ echo 'queries = {}'; echo "for line in io.lines(\"$WORK/queries.txt\") do queries[#queries + 1] = line end"
  echo 'counter = 0'
  echo 'init = function(args) counter = math.random(#queries) end'
  echo 'request = function() counter = counter + 1; return wrk.format("GET", "/v1/search?q=" .. queries[(counter % #queries) + 1]) end'
  cat "$WORK/report.lua"; } > "$WORK/search.lua"

measure() { # name, url, script
  wrk -t2 -c32 -d3s -s "$3" "$2" >/dev/null
  local line; line=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$3" "$2" | grep '^RESULT')
  read -r _ rps p50 p99 errors <<<"$line"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "$errors" "$(awk '{print $1}' /proc/loadavg)"
}
# Warm: 15 s of the mix, so tiered compilation is not what gets timed.
wrk -t2 -c32 -d10s -s "$WORK/search.lua" "$BASE" >/dev/null
wrk -t2 -c32 -d5s -s "$WORK/by-slug.lua" "$BASE" >/dev/null
echo
echo "$N articles ($(psql_ -At -c "SELECT count(*) FROM published_articles") in the read model), $(nproc) cores, $(date -u +%FT%RZ)"
echo
echo "| scenario (output cache off) | req/s | p50 ms | p99 ms | errors | load avg |"
echo "|---|---|---|---|---|---|"
measure "search, $(wc -l <"$WORK/queries.txt") rotating one- and two-word queries" "$BASE" "$WORK/search.lua"
measure "article by slug, rotating $(wc -l <"$DATA/slugs.txt") slugs" "$BASE" "$WORK/by-slug.lua"
for s in "${SCENARIOS[@]}"; do measure "${s%%|*}" "$BASE${s#*|}" "$WORK/report.lua"; done
echo "API peak memory (VmHWM): $(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$API_PID/status") MB"

# Plans: auto_explain on the API's own connections (a fresh process) for one request of each scenario.
psql_ -c "ALTER DATABASE headlessnews SET session_preload_libraries = 'auto_explain'" \
  -c "ALTER DATABASE headlessnews SET auto_explain.log_min_duration = 0" -c "ALTER DATABASE headlessnews SET auto_explain.log_analyze = on" \
  -c "ALTER DATABASE headlessnews SET auto_explain.log_buffers = on"
stop_api
start_api
LOG="$DATA/pg/server.log"; FROM=$(wc -l <"$LOG")
# Each delivery read 11 times: Npgsql prepares on the fifth use and PostgreSQL may then settle on a generic plan.
{ for s in "${SCENARIOS[@]}" "|/v1/articles/$(head -1 "$DATA/slugs.txt")"; do for _ in $(seq 11); do echo "${s#*|}"; done; done
  shuf -n 6 "$WORK/queries.txt" | sed 's#^#/v1/search?q=#'; } | while read -r url; do echo "GET $url" >>"$WORK/asked"; curl -s -o /dev/null "$BASE$url"; done
psql_ -c "ALTER DATABASE headlessnews RESET ALL"
{ cat "$WORK/asked"; tail -n +"$FROM" "$LOG"; } > "$DATA/plans.txt"
stop_api
echo "Plans: $DATA/plans.txt"
