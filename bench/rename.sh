#!/usr/bin/env bash
# Write-side bench (issue 19): renaming a section and an author used by N published articles.
#   bash bench/rename.sh [ARTICLES=5000]
# BENCH_DATA=DIR keeps the seeded database, its key and ids in DIR, so a later run (another build) skips seeding.
# Starts the API in Release on its own embedded PostgreSQL (rate limiting off), seeds through the management API and
# prints how long each rename took (three of each), after checking the cached pages show the new name.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARTICLES=${1:-5000}
WORK=$(mktemp -d /tmp/hn-rename-XXXXXX); chmod 755 "$WORK"
DATA=${BENCH_DATA:-$WORK/data}; mkdir -p "$DATA"; chmod 755 "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
API_PID=""
cleanup() {
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
echo "Building (Release)…" >&2
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
export Database__EmbeddedDataPath="$DATA/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
[ -s "$DATA/key" ] || (cd "$ROOT" && dotnet "$DLL" keys create --name bench --scopes '*' 2>/dev/null | tail -n 1 >"$DATA/key")
KEY=$(cat "$DATA/key")
(cd "$ROOT" && exec dotnet "$DLL" --urls "http://127.0.0.1:$PORT" >>"$WORK/api.log" 2>&1) & API_PID=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
python3 "$ROOT/bench/rename.py" "http://127.0.0.1:$PORT" "$KEY" "$ARTICLES" "$DATA/state.json"
