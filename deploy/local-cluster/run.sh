#!/usr/bin/env bash
# A real scale-out topology on loopback, checked end to end, then torn down (issue 10):
#   PostgreSQL primary + one streaming standby (pg_basebackup -R), two API nodes, nginx load balancer.
# Usage: bash deploy/local-cluster/run.sh        (stops by itself; exit code 0 when every check passes)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/hn-cluster-XXXXXX); chmod 755 "$WORK"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
# Five distinct free ports: every socket stays bound until all five are chosen, so none can be handed out twice.
ports=$(python3 -c '
import socket
sockets = [socket.socket() for _ in range(5)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))')
read -r PRIMARY_PORT STANDBY_PORT NODE_A NODE_B LB <<<"$ports"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pids=()   # every background process this script starts (API nodes, load bursts); nginx and PostgreSQL have their own stop
failures=0
# A pid is only signalled while it is still this shell's child: a reaped one may already be someone else's.
is_child() { [ "$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ')" = "$$" ]; }
stop_children() { # SIGTERM, up to 10 s to exit, then SIGKILL
  local pid
  for pid in "${pids[@]}"; do is_child "$pid" && kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do is_child "$pid" || continue 2; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
stop_nginx() { # nginx removes its pid file as it exits
  [ -f "$WORK/nginx.pid" ] || return 0
  kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -f "$WORK/nginx.pid" ] || return 0; sleep 0.2; done
}
cleanup() {
  trap '' INT TERM HUP   # a second Ctrl-C must not cut the teardown short
  stop_children
  stop_nginx
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/standby" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP   # so a signal also runs cleanup
check() { # name, condition-result (0 ok), figure
  if [ "$2" = 0 ]; then printf '  ok    %-62s %s\n' "$1" "$3"; else printf '  FAIL  %-62s %s\n' "$1" "$3"; failures=$((failures+1)); fi
}
now_ms() { date +%s%3N; }

echo "Building the API (Release)…"
dotnet build -c Release "$ROOT/src/HeadlessNews.Api" -v quiet -nologo >/dev/null
DLL="$ROOT/src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"

echo "Starting the primary (:$PRIMARY_PORT) and a streaming standby (:$STANDBY_PORT)…"
mkdir -p "$WORK/primary" "$WORK/pglogs"; [ "$(id -u)" = 0 ] && chown postgres: "$WORK/primary" "$WORK/pglogs"; chmod 700 "$WORK/primary"
as_pg "$PG_BIN/initdb" -D "$WORK/primary" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$WORK/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 5
hot_standby = on
CONF
echo "host replication postgres 127.0.0.1/32 trust" >> "$WORK/primary/pg_hba.conf"
as_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -l "$WORK/pglogs/primary.log" -o "-p $PRIMARY_PORT" -w start >/dev/null
as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "CREATE DATABASE headlessnews" >/dev/null
mkdir -p "$WORK/standby"; [ "$(id -u)" = 0 ] && chown postgres: "$WORK/standby"; chmod 700 "$WORK/standby"
as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$WORK/standby" -R -X stream -c fast >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/standby" -l "$WORK/pglogs/standby.log" -o "-p $STANDBY_PORT" -w start >/dev/null

PRIMARY="Host=127.0.0.1;Port=$PRIMARY_PORT;Username=postgres;Database=headlessnews"
READ="Host=127.0.0.1:$STANDBY_PORT,127.0.0.1:$PRIMARY_PORT;Target Session Attributes=prefer-standby;Username=postgres;Database=headlessnews"
export ConnectionStrings__HeadlessNews="$PRIMARY" ConnectionStrings__HeadlessNewsRead="$READ" RateLimiting__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
KEY=$(cd "$ROOT" && dotnet "$DLL" keys create --name "cluster check" --scopes "content:write,content:publish" 2>/dev/null | tail -n 1)

# Not called in $( ): pids must be recorded in this shell, not in a subshell that forgets them.
start_node() { dotnet "$DLL" --urls "http://127.0.0.1:$1" >"$WORK/node-$1.log" 2>&1 & pids+=($!); }
wait_ready() { for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$1/health/ready" >/dev/null && return 0; sleep 0.2; done; return 1; }
start_node "$NODE_A"; PID_A=$!; start_node "$NODE_B"
wait_ready "$NODE_A"; wait_ready "$NODE_B"
echo "API nodes on :$NODE_A (A) and :$NODE_B (B)."

cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
  access_log off;
  upstream api { server 127.0.0.1:$NODE_A max_fails=1 fail_timeout=5s; server 127.0.0.1:$NODE_B max_fails=1 fail_timeout=5s; keepalive 32; }
  server {
    listen 127.0.0.1:$LB;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 1s;
    }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
echo "nginx balancing on :$LB."
echo

api() { # method node path [json] [if-match]  -> prints "status body"
  local args=(-s -o "$WORK/body" -w '%{http_code}' -X "$1" "http://127.0.0.1:$2$3" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json')
  [ -n "${4:-}" ] && args+=(-d "$4"); [ -n "${5:-}" ] && args+=(-H "If-Match: \"$5\"")
  curl "${args[@]}"
}
json() { python3 -c "import json,sys; print(json.load(open('$WORK/body'))$1)"; }
fields() { python3 -c "import json,sys; body = json.load(open('$WORK/body')); print(*(body[name] for name in sys.argv[1:]))" "$@"; }
poll() { # status node path tries: 0 as soon as node answers status, polling every 10 ms
  for _ in $(seq 1 "$4"); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2$3")" = "$1" ] && return 0; sleep 0.01; done
  return 1
}
within_1s() { # name status node path start-ms; polls on past 1 s (about 10 s) so that a miss prints how late it really was
  local took
  if poll "$2" "$3" "$4" 1000; then took=$(( $(now_ms) - $5 )); check "$1" "$([ $took -le 1000 ] && echo 0 || echo 1)" "$took ms"
  else check "$1" 1 "still not after $(( $(now_ms) - $5 )) ms"; fi
}
# A cold node's first requests pay for JIT compilation and for opening its pools and its LISTEN connection: start-up
# cost, not the cross-node propagation checks 1 and 2 time. So both nodes first serve every route the checks use
# (create, publish, unpublish, the article and list reads, management reads, through nginx too); the first round is timed.
warm_round() { # writer reader; sets warm_ms, from the publish acknowledgement on writer until reader serves the article
  local id slug version start node
  warm_rounds=$((warm_rounds + 1))
  api POST "$1" /v1/manage/articles "{\"headline\":\"Warm-up $warm_rounds: Rhyl promenade reopens\",\"body\":[{\"type\":\"paragraph\",\"html\":\"Warm-up.\"}]}" >/dev/null
  read -r id slug version <<<"$(fields id slug version)"
  curl -s -o /dev/null "http://127.0.0.1:$2/v1/articles/$slug"
  api POST "$1" "/v1/manage/articles/$id/publish" '{}' "$version" >/dev/null; start=$(now_ms)
  if poll 200 "$2" "/v1/articles/$slug" 3000; then warm_ms="$(( $(now_ms) - start )) ms"; else warm_ms="not within 30 s"; fi
  version=$(json "['version']")
  curl -s -o /dev/null "http://127.0.0.1:$1/v1/articles/$slug"
  api POST "$2" "/v1/manage/articles/$id/unpublish" '{}' "$version" >/dev/null
  poll 404 "$1" "/v1/articles/$slug" 3000 || true
  for node in "$1" "$2" "$LB"; do
    curl -s -o /dev/null "http://127.0.0.1:$node/v1/articles?limit=5"; curl -s -o /dev/null "http://127.0.0.1:$node/v1/articles?limit=3&x=$RANDOM"
  done
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$1/v1/manage/articles"
}
echo "Warming both nodes…"
warm_rounds=0
warm_round "$NODE_A" "$NODE_B"; cold_ms=$warm_ms
for _ in 1 2; do warm_round "$NODE_B" "$NODE_A"; warm_round "$NODE_A" "$NODE_B"; done
printf '  --    %-62s %s\n' "figure: cold nodes, first publish via A served by B after" "$cold_ms" \
  "figure: last warm-up round, publish via A served by B after" "$warm_ms"
echo

echo "Checks:"
# 1. Published through A (timed from the acknowledgement), served by B within 1 s, once both nodes are warm.
api POST "$NODE_A" /v1/manage/articles '{"headline":"Cluster check: Llandudno pier lights return","body":[{"type":"paragraph","html":"The lights are back."}]}' >/dev/null
read -r ID SLUG VERSION <<<"$(fields id slug version)"
curl -s "http://127.0.0.1:$NODE_B/v1/articles/$SLUG" >/dev/null   # B caches the 404 if it would
api POST "$NODE_A" "/v1/manage/articles/$ID/publish" '{}' "$VERSION" >/dev/null; start=$(now_ms)
within_1s "published via A is served by B within 1 s" 200 "$NODE_B" "/v1/articles/$SLUG" "$start"
VERSION=$(json "['version']")   # only now: starting python3 takes seconds on a loaded box, which the clock above must not count

# 2. Unpublished through B, gone from A's cache within 1 s.
curl -s "http://127.0.0.1:$NODE_A/v1/articles/$SLUG" >/dev/null; curl -s "http://127.0.0.1:$NODE_A/v1/articles/$SLUG" >/dev/null
api POST "$NODE_B" "/v1/manage/articles/$ID/unpublish" '{}' "$VERSION" >/dev/null; start=$(now_ms)
within_1s "unpublished via B is gone from A's cache within 1 s" 404 "$NODE_A" "/v1/articles/$SLUG" "$start"

# 3. The standby, which serves delivery reads, stays under 1 s behind during a burst of 40 creates + publishes.
#    replay_lag is the primary's own measure: from flushing WAL until the standby reports it applied.
( for i in $(seq 1 40); do
    api POST "$NODE_A" /v1/manage/articles "{\"headline\":\"Burst $i: Conwy quay market opens\",\"body\":[{\"type\":\"paragraph\",\"html\":\"Stalls $i.\"}]}" >/dev/null
    { api POST "$NODE_A" "/v1/manage/articles/$(json "['id']")/publish" '{}' 1; echo; } >>"$WORK/burst-statuses"
  done ) &
burst=$!; pids+=($burst)
max_ms=0; max_bytes=0; samples=0
while kill -0 $burst 2>/dev/null; do
  row=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -AtF ' ' -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,
    COALESCE(EXTRACT(epoch FROM replay_lag) * 1000, 0)::int FROM pg_stat_replication WHERE replay_lsn IS NOT NULL" 2>/dev/null | head -n 1) || true
  if [ -n "$row" ]; then
    read -r bytes ms <<<"$row"; samples=$((samples + 1))
    [ "$bytes" -gt "$max_bytes" ] && max_bytes=$bytes; [ "$ms" -gt "$max_ms" ] && max_ms=$ms
  fi
  sleep 0.05
done
published=$(grep -c '^200$' "$WORK/burst-statuses" 2>/dev/null || true)
check "standby replay lag < 1 s during a 40-article publish burst" \
  "$([ "$published" = 40 ] && [ $samples -gt 0 ] && [ $max_ms -lt 1000 ] && echo 0 || echo 1)" \
  "max ${max_ms} ms, ${max_bytes} bytes ($samples samples; $published/40 published)"

# 4. Killing node A loses no request nginx could retry.
ok=0; failed=0
( sleep 0.5; kill -9 "$PID_A" ) & pids+=($!)
for _ in $(seq 1 300); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB/v1/articles?limit=5")" = 200 ]; then ok=$((ok+1)); else failed=$((failed+1)); fi
done
check "kill -9 of node A under 300 requests through nginx" "$([ $failed = 0 ] && echo 0 || echo 1)" "$ok ok, $failed failed"

# 5. Primary down: delivery answers from the standby, management answers 503.
as_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -m fast -w stop >/dev/null
sleep 1
codes=""; for _ in $(seq 1 5); do codes="$codes $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB/v1/articles?limit=3&x=$RANDOM")"; done
check "primary stopped: delivery still answers from the standby" "$([ "$(echo $codes | tr ' ' '\n' | grep -vc 200)" = 0 ] && echo 0 || echo 1)" "statuses:$codes"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "http://127.0.0.1:$NODE_B/v1/manage/articles")
check "primary stopped: management answers 503" "$([ "$code" = 503 ] && echo 0 || echo 1)" "status $code"

echo
if [ $failures = 0 ]; then echo "All cluster checks passed."; else echo "$failures cluster check(s) failed."; fi
exit $failures
