#!/usr/bin/env bash
# Live blog streams (issue 26): one command, stops by itself.
#   bash bench/live.sh [READERS=10000] [ENTRIES=10]
#   NODES=2 bash bench/live.sh …   a second API node (B) on node A's database: the readers connect to B, the entries are
#                                  written on A, so the latency printed is A write => B receive.
# Starts the API in Release on its own embedded PostgreSQL (rate limiting off), creates a live blog, then the load
# client (bench/live) holds READERS real SSE connections, writes ENTRIES entries (one every 2 s) and measures delivery
# latency, then drops every reader and reconnects it with Last-Event-ID within 5 s while entries keep coming, and
# counts missed and duplicated events. Prints the API's RSS, the database connections, and the box's load.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
READERS=${1:-10000}; ENTRIES=${2:-10}; NODES=${NODES:-1}
WORK=$(mktemp -d /tmp/hn-live-XXXXXX); chmod 755 "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
API_PID=""; B_PID=""; CLIENT_PID=""
cleanup() {
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null || true
  [ -n "$B_PID" ] && kill "$B_PID" 2>/dev/null && wait "$B_PID" 2>/dev/null || true
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Each reader is a socket on both ends (client and API run here).
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "file descriptors: $(ulimit -n)" >&2

dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
dotnet build -c Release "$ROOT/bench/live" -v quiet -nologo >/dev/null
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
CLIENT="$ROOT/bench/live/bin/Release/net10.0/LiveLoad.dll"
export Database__EmbeddedDataPath="$WORK/pg" Database__SeedSampleContent=false RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
KEY=$(cd "$ROOT" && dotnet "$DLL" keys create --name bench --scopes '*' 2>/dev/null | tail -n 1)
(cd "$ROOT" && exec dotnet "$DLL" --urls "http://127.0.0.1:$PORT" >>"$WORK/api.log" 2>&1) & API_PID=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"

auth=(-H "Authorization: Bearer $KEY" -H "Content-Type: application/json")
blog=$(curl -fs "${auth[@]}" -d '{"headline":"Bench live blog","body":[{"type":"paragraph","html":"Follow the latest."}],"format":"liveblog"}' "$BASE/v1/manage/articles")
id=$(printf '%s' "$blog" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
slug=$(printf '%s' "$blog" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slug"])')
curl -fs "${auth[@]}" -H 'If-Match: "1"' -d '{}' "$BASE/v1/manage/articles/$id/publish" >/dev/null

PG_DATA="$WORK/pg"; [ -f "$PG_DATA/postmaster.pid" ] || PG_DATA=$(ls -d /var/lib/headlessnews/*/postgres | head -n 1)
PG_PORT=$(sed -n 4p "$PG_DATA/postmaster.pid"); PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
export PGPASSWORD; PGPASSWORD=$(cat "$PG_DATA.password")
connections() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d headlessnews -Atc \
  "SELECT count(*) || ' (' || count(*) FILTER (WHERE application_name = 'headlessnews-live-listener') || ' live listener)' FROM pg_stat_activity WHERE datname = 'headlessnews'"; }
# A node's own database connections: its established sockets to PostgreSQL's port.
node_connections() { ss -Htnp state established "( dport = :$PG_PORT )" | grep -c "pid=$1," || true; }
rss_of() { awk '/VmRSS|VmHWM/{printf "%s %d MB  ", $1, $2/1024}' "/proc/$1/status"; }

READ_BASE=$BASE; WRITE_ARG=()
if [ "$NODES" = 2 ]; then
  PORT_B=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$ROOT" && ConnectionStrings__HeadlessNews="Host=127.0.0.1;Port=$PG_PORT;Database=headlessnews;Username=postgres;Password=$PGPASSWORD" \
    exec dotnet "$DLL" --urls "http://127.0.0.1:$PORT_B" >>"$WORK/api-b.log" 2>&1) & B_PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT_B/health/ready" >/dev/null && break; sleep 0.2; done
  READ_BASE="http://127.0.0.1:$PORT_B"; WRITE_ARG=("$BASE")
  echo "two nodes: readers on B ($READ_BASE), entries written on A ($BASE)"
fi
READ_PID=${B_PID:-$API_PID}
nodes() {
  echo "  node A: $(rss_of "$API_PID")database connections $(node_connections "$API_PID")"
  [ -z "$B_PID" ] || echo "  node B (readers): $(rss_of "$B_PID")database connections $(node_connections "$B_PID")"
  echo "  database connections in all: $(connections)"
}

echo "before readers:"; nodes
mkfifo "$WORK/go"
dotnet "$CLIENT" "$READ_BASE" "$slug" "$id" "$KEY" "$READERS" "$ENTRIES" 5 "${WRITE_ARG[@]}" <"$WORK/go" >"$WORK/client.log" 2>&1 & CLIENT_PID=$!
exec 3>"$WORK/go"
until grep -q READY "$WORK/client.log" || ! kill -0 "$CLIENT_PID" 2>/dev/null; do sleep 1; done
grep -v RESULT "$WORK/client.log"
echo "with $READERS readers (load: $(uptime | sed 's/.*load average/load average/')):"; nodes
[ -z "${LIVE_DIAG:-}" ] || "$LIVE_DIAG" "$READ_PID" with-readers
echo >&3
wait "$CLIENT_PID" || echo "the load client failed: $(tail -n 20 "$WORK/client.log")"; CLIENT_PID=""
grep RESULT "$WORK/client.log" | tail -n 2
echo "after the storm (ready: $(curl -s -o /dev/null -w '%{http_code}' "$READ_BASE/health/ready"); load: $(uptime | sed 's/.*load average/load average/')):"; nodes
[ -z "${LIVE_DIAG:-}" ] || "$LIVE_DIAG" "$READ_PID" after-storm
