#!/usr/bin/env bash
# Seeds an archive of N published articles for bench/archive/run.sh (issue 23), kept in $BENCH_DATA/N:
#   BENCH_DATA=DIR bash bench/archive/seed.sh N
# The base (sections, authors, 100 sources, 300 quotes, 500 notices, and one template article per quote) goes through
# the management API once and is kept in $BENCH_DATA/base; each size is a copy of it, migrated by the API, then grown by
# generate.sql (staging), generate-articles.sql and generate-finish.sql (two sessions each, one per core) and
# generate-files.sql (the bench's inputs). $BENCH_DATA/N/steps has each step's wall and PostgreSQL CPU seconds.
# Check a seeded archive against the write path with bench/archive/check.py.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:?articles}; DATA=${BENCH_DATA:?BENCH_DATA=DIR keeps the seeded databases}
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
[ -f "$DLL" ] || dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export Database__SeedSampleContent=false RateLimiting__Enabled=false ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
API_PID=""
trap '[ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true' EXIT
start_api() { # data dir
  export Database__EmbeddedDataPath="$1/pg"
  (cd "$ROOT" && exec dotnet "$DLL" --urls "http://127.0.0.1:$PORT" >>"$1/api.log" 2>&1) & API_PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && return; sleep 0.5; done
  echo "The API did not become ready; see $1/api.log" >&2; exit 1
}
stop_api() { kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""; }

if [ ! -f "$DATA/base/done" ]; then
  rm -rf "$DATA/base"; mkdir -p "$DATA/base"
  export Database__EmbeddedDataPath="$DATA/base/pg"
  KEY=$(cd "$ROOT" && dotnet "$DLL" keys create --name bench --scopes '*' 2>/dev/null | tail -n 1); echo "$KEY" > "$DATA/base/key"
  start_api "$DATA/base"
  python3 "$ROOT/bench/seed.py" "http://127.0.0.1:$PORT" "$KEY" 0 /dev/null >&2
  python3 "$ROOT/bench/archive/templates.py" "http://127.0.0.1:$PORT" "$KEY" >&2
  stop_api; touch "$DATA/base/done"
fi
OUT="$DATA/$N"
rm -rf "$OUT"; mkdir -p "$OUT"; cp -a "$DATA/base/pg" "$DATA/base/pg.password" "$DATA/base/key" "$OUT/"
start_api "$OUT"
PGPASSWORD=$(cat "$OUT/pg.password"); export PGPASSWORD
psql_() { psql -h 127.0.0.1 -p "$(sed -n 4p "$OUT/pg/postmaster.pid")" -U postgres -d headlessnews -X -q -v n="$N" "$@"; }
# A throwaway cluster being filled: no fsync, no full-page images, checkpoints far apart, no autovacuum of half-loaded
# tables (step 3 vacuums once); all undone before the API stops.
SEEDING=(fsync=off full_page_writes=off max_wal_size=2GB checkpoint_timeout=30min autovacuum=off)
for s in "${SEEDING[@]}"; do psql_ -c "ALTER SYSTEM SET ${s%%=*} = '${s#*=}'"; done
psql_ -c "SELECT pg_reload_conf()" >/dev/null
start=$(date +%s)
# Each step's wall time, and the CPU time the cluster's finished sessions used so far (the postmaster's reaped
# children), which says what the box's load took away.
pg_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($16 + $17) / hz }' "/proc/$(head -1 "$OUT/pg/postmaster.pid")/stat"; }
cpu0=$(pg_cpu)
step() { echo "$1: $(( $(date +%s) - start )) s, PostgreSQL CPU $(( $(pg_cpu) - cpu0 )) s" | tee -a "$OUT/steps" >&2; }
(cd "$OUT" && psql_ -f "$ROOT/bench/archive/generate.sql"); step staged
# Two sessions, one per core: the articles split by g % 2, then the index builds and the rest of the content.
pids=(); for part in 0 1; do (cd "$OUT" && psql_ -v part=$part -v parts=2 -f "$ROOT/bench/archive/generate-articles.sql") & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done; step articles
pids=(); for part in 0 1; do (cd "$OUT" && psql_ -v part=$part -f "$ROOT/bench/archive/generate-finish.sql") & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done; step indexed
(cd "$OUT" && psql_ -f "$ROOT/bench/archive/generate-files.sql")
for s in "${SEEDING[@]}"; do psql_ -c "ALTER SYSTEM RESET ${s%%=*}"; done
psql_ -c "SELECT pg_reload_conf()" -c "CHECKPOINT" >/dev/null
echo "Generated $N articles in $(( $(date +%s) - start )) s." | tee "$OUT/seeded" >&2
stop_api
sync -f "$OUT/pg"
