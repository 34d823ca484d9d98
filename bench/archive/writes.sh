#!/usr/bin/env bash
# Writes at scale (issue 23): 8 concurrent editors creating and publishing articles through the management API on an
# archive seeded by seed.sh, then a rename of the section most articles are filed under while they keep publishing.
# Prints publish p50/p95/p99, how long the rename took to answer and until every article showed it (batches after the
# commit), the editors' p99 meanwhile, and whether any page of that section still shows the old name (bench/archive/writes.py). The articles it publishes stay in the archive.
# PACE (seconds) spaces each editor's stories (0: as fast as the API answers, a closed loop that measures throughput more
# than latency; 1: 8 editors publish 28,800 stories an hour, far beyond any newsroom).
# WARMUP seconds of the same load go first, uncounted (the write path's code is still being compiled; see writes.py).
#   BENCH_DATA=DIR bash bench/archive/writes.sh N [SECONDS=30] [EDITORS=8] [PACE=0] [WARMUP=3]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:?articles}; SECONDS_=${2:-30}; EDITORS=${3:-8}; PACE=${4:-0}; WARMUP=${5:-3}; DATA="${BENCH_DATA:?BENCH_DATA=DIR holds the seeded archives}/$N"
[ -f "$DATA/seeded" ] || { echo "Seed first: BENCH_DATA=$BENCH_DATA bash bench/archive/seed.sh $N" >&2; exit 1; }
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
WORK=$(mktemp -d /tmp/hn-writes-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export Database__EmbeddedDataPath="$DATA/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
API_PID=""
cleanup() { [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
KEY=$(cd "$ROOT" && dotnet "$DLL" keys create --name "bench-writes" --scopes '*' 2>/dev/null | tail -n 1)
(cd "$ROOT" && exec dotnet "$DLL" --urls "$BASE" >>"$WORK/api.log" 2>&1) & API_PID=$!
for _ in $(seq 1 600); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
curl -fs "$BASE/health/ready" >/dev/null || { echo "The API did not become ready:" >&2; cat "$WORK/api.log" >&2; exit 1; }
psql_() { PGPASSWORD=$(cat "$DATA/pg.password") psql -h 127.0.0.1 -p "$(sed -n 4p "$DATA/pg/postmaster.pid")" -U postgres -d headlessnews -X -q "$@"; }
read -r SECTION USED <<<"$(psql_ -At -F ' ' -c "SELECT section_id, count(*) FROM articles GROUP BY section_id ORDER BY count(*) DESC LIMIT 1")"
echo "$N articles, $EDITORS editors, the renamed section is used by $USED articles; $(nproc) cores, $(date -u +%FT%RZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
PGPASSWORD=$(cat "$DATA/pg.password") python3 "$ROOT/bench/archive/writes.py" "$BASE" "$KEY" "$SECTION" "$SECONDS_" "$EDITORS" \
  "psql -h 127.0.0.1 -p $(sed -n 4p "$DATA/pg/postmaster.pid") -U postgres -d headlessnews -X" "$PACE" "$WARMUP"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
