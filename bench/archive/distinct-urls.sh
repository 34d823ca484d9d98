#!/usr/bin/env bash
# Memory under many distinct URLs (issue 23): the output cache ON, wrk rotating through URLS distinct list URLs
# (`/v1/articles?to=<distinct instants>&limit=20`, every fifth with `include=body`) against an archive seeded by seed.sh,
# while the API's resident memory (VmRSS) is sampled each second. Prints req/s, p99, the peak and final RSS, and the
# GC heap at the end (the target: the API process alone stays within 300 MB).
#   BENCH_DATA=DIR bash bench/archive/distinct-urls.sh N [DURATION=90s] [URLS=60000]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:?articles}; DURATION=${2:-90s}; URLS=${3:-60000}; DATA="${BENCH_DATA:?BENCH_DATA=DIR holds the seeded archives}/$N"
[ -f "$DATA/seeded" ] || { echo "Seed first: BENCH_DATA=$BENCH_DATA bash bench/archive/seed.sh $N" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "Install wrk (Debian package) first." >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
WORK=$(mktemp -d /tmp/hn-distinct-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export Database__EmbeddedDataPath="$DATA/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
API_PID=""; SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
(cd "$ROOT" && exec dotnet "$DLL" --urls "$BASE" >>"$WORK/api.log" 2>&1) & API_PID=$!
for _ in $(seq 1 600); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
curl -fs "$BASE/health/ready" >/dev/null || { echo "The API did not become ready:" >&2; cat "$WORK/api.log" >&2; exit 1; }
psql_() { PGPASSWORD=$(cat "$DATA/pg.password") psql -h 127.0.0.1 -p "$(sed -n 4p "$DATA/pg/postmaster.pid")" -U postgres -d headlessnews -X -q "$@"; }

# URLS distinct instants spread evenly over the archive's visible dates, each a list URL of its own.
read -r FIRST LAST <<<"$(psql_ -At -F ' ' -c "SELECT extract(epoch FROM min(visible_from))::bigint, extract(epoch FROM max(visible_from))::bigint FROM published_articles")"
python3 - "$FIRST" "$LAST" "$URLS" >"$WORK/urls.txt" <<'PY'
import datetime, random, sys
first, last, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
urls = []
for i in range(n):
    t = datetime.datetime.fromtimestamp(first + (last - first) * i // n, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    urls.append(f"/v1/articles?to={t}&limit=20" + ("&include=body" if i % 5 == 4 else ""))
random.Random(23).shuffle(urls)
print("\n".join(urls))
PY
{ echo 'urls = {}'; echo "for line in io.lines(\"$WORK/urls.txt\") do urls[#urls + 1] = line end"
  echo 'counter = 0'
  echo 'init = function(args) counter = math.random(#urls) end'
  echo 'request = function() counter = counter + 1; return wrk.format("GET", urls[(counter % #urls) + 1]) end'
  cat <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.0f %.2f %.2f %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
} > "$WORK/distinct.lua"

rss() { awk '/^VmRSS/{printf "%.0f", $2/1024}' "/proc/$API_PID/status"; }
echo "RSS before load: $(rss) MB"
(while sleep 1; do echo "$(rss)" >>"$WORK/rss"; done) & SAMPLER=$!
LINE=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$WORK/distinct.lua" "$BASE" | grep '^RESULT')
kill "$SAMPLER"; SAMPLER=""
read -r _ REQUESTS RPS P50 P99 ERRORS <<<"$LINE"
echo
echo "$N articles, $URLS distinct list URLs (1 in 5 with include=body), output cache on, $DURATION, $(nproc) cores, $(date -u +%FT%RZ)"
echo
echo "| requests | req/s | p50 ms | p99 ms | errors | RSS peak MB | RSS final MB | load avg |"
echo "|---|---|---|---|---|---|---|---|"
printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$REQUESTS" "$RPS" "$P50" "$P99" "$ERRORS" "$(sort -n "$WORK/rss" | tail -1)" "$(rss)" "$(awk '{print $1}' /proc/loadavg)"
echo "RSS every 10 s (MB): $(awk 'NR % 10 == 0' "$WORK/rss" | paste -sd ' ')"
echo "API peak memory (VmHWM): $(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$API_PID/status") MB"
echo "GC at the end (MB): $(curl -fs "$BASE/metrics" | awk '/^dotnet_gc_last_collection_memory_committed_size_bytes/{printf "committed %.0f", $2/1048576} /^dotnet_gc_last_collection_heap_size_bytes/{sum += $2} END{printf ", heap %.0f", sum/1048576}')"
