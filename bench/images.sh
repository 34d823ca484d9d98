#!/usr/bin/env bash
# Image bench (issue 21), every figure beside its ceiling in one run:
#  - upload of a 24 MP JPEG (p95, hashing and metadata reading included), ~16 MB at q90 and ~10 MB at q68;
#  - first rendition of that JPEG to 1280 px WebP through the API, beside vipsthumbnail on the same file (the ceiling);
#  - stored renditions (1280 px and 640 px WebP) served by the API to readers (anonymous, the asset shown by a published
#    story), beside nginx serving the same bytes (wrk, same connections and duration), with sendfile off (nginx's
#    default) and on;
#  - API resident memory while 8 first renditions of 24 MP images run at once, above its idle figure.
# The box may be shared: `uptime` is printed before and after so the figures can be read with the load they ran under.
# Needs a running API (API=http://127.0.0.1:5080) and a key with content:write and content:publish (KEY=...). Installs libvips-tools,
# nginx-light and wrk if missing. Usage: KEY=hn_... bash bench/images.sh [runs]
set -euo pipefail
API=${API:-http://127.0.0.1:5080}
RUNS=${1:-20}
: "${KEY:?set KEY to an API key with content:write}"
missing=()
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# nginx's worker runs as another user: the files it serves must be readable (mktemp -d is 0700).
work=$(mktemp -d); chmod 755 "$work"
nginx_pid=""
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

p95() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95+0.5); if (i<1) i=1; printf "%.0f", a[i]}'; }
ms() { date +%s%N; }
auth=(-H "Authorization: Bearer $KEY")
port=${API##*:}; port=${port%%/*}
API_PID=${API_PID:-$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$API_PID/status"; }

echo "load before: $(uptime)"
# Noisy 6000x4000 JPEGs (24 MP; noise compresses like a photo, ~9-10 MB at q 90), one per upload so every rendition is
# a first one, and 8 more for the concurrent memory figure.
total=$(( RUNS + 8 ))
for i in $(seq 1 "$total"); do
  vips gaussnoise "$work/n$i.v" 6000 4000 --mean $((60 + i)) --sigma 50
  vips bandjoin "$work/n$i.v $work/n$i.v $work/n$i.v" "$work/c$i.v"
  vips cast "$work/c$i.v" "$work/photo$i.jpg[Q=90]" uchar
  [ "$i" -le "$RUNS" ] && vips cast "$work/c$i.v" "$work/ten$i.jpg[Q=68]" uchar
  rm -f "$work/n$i.v" "$work/c$i.v"
done
echo "fixture: $(stat -c %s "$work/photo1.jpg") bytes, 6000x4000 JPEG q90 (vips gaussnoise); the same noise at q68: $(stat -c %s "$work/ten1.jpg") bytes"

upload() { curl -sf "${auth[@]}" -F "file=@$1" "$API/v1/manage/assets" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n1; }

: > "$work/upload.ms"; : > "$work/render.ms"; : > "$work/ceiling.ms"
for i in $(seq 1 "$RUNS"); do
  t0=$(ms); id=$(upload "$work/photo$i.jpg"); t1=$(ms)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/upload.ms"
  t0=$(ms); curl -sf -o /dev/null "${auth[@]}" "$API/v1/images/$id/1/1280.webp"; t1=$(ms)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/render.ms"
  t0=$(ms); vipsthumbnail "$work/photo$i.jpg" --size 1280 -o "$work/thumb$i.webp[Q=80,strip]"; t1=$(ms)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/ceiling.ms"
done
: > "$work/upload10.ms"
for i in $(seq 1 "$RUNS"); do
  t0=$(ms); upload "$work/ten$i.jpg" >/dev/null; t1=$(ms)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/upload10.ms"
done
echo "upload 24 MP JPEG p95: $(p95 < "$work/upload.ms") ms for the q90 fixture, $(p95 < "$work/upload10.ms") ms for the q68 one (n=$RUNS each)"
echo "first rendition 1280 webp p95: $(p95 < "$work/render.ms") ms; vipsthumbnail ceiling p95: $(p95 < "$work/ceiling.ms") ms"

# Cached rendition: the stored bytes through the API as readers get them (a published story shows the asset, no key),
# and the same bytes from nginx, with the same wrk settings.
draft=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
  -d "{\"headline\":\"Bench pier $(date +%s%N)\",\"body\":[{\"type\":\"paragraph\",\"html\":\"Pictures.\"}],\"heroImage\":{\"assetId\":\"$id\"}}" \
  "$API/v1/manage/articles")
article=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' <<<"$draft"); version=$(sed -n 's/.*"version":\([0-9]*\).*/\1/p' <<<"$draft")
curl -sf -o /dev/null "${auth[@]}" -H 'Content-Type: application/json' -H "If-Match: \"$version\"" -d '{}' "$API/v1/manage/articles/$article/publish"
mkdir -p "$work/www"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port=$(free_port); sendfile_port=$(free_port)
# One nginx worker (the API may use every core), with sendfile off (nginx's default: it reads the file and writes it,
# as the API copies its bytes) and on (the kernel sends the page cache: the box's best case).
cat > "$work/nginx.conf" <<EOF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; types { image/webp webp; }
  server { listen 127.0.0.1:$nginx_port; root $work/www; location / { add_header Cache-Control "public, max-age=31536000, immutable"; } }
  server { listen 127.0.0.1:$sendfile_port; sendfile on; root $work/www; location / { add_header Cache-Control "public, max-age=31536000, immutable"; } } }
EOF
nginx -c "$work/nginx.conf" -p "$work" & nginx_pid=$!
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
cpu_ticks() { local total=0 p; for p in "$@"; do total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo "$total"; }
# "req/s CPU-ms-a-request" of one 10 s wrk run against $1, the CPU being that of the processes named after it.
measure() {
  local url=$1 t0 out n; shift; t0=$(cpu_ticks "$@"); out=$(wrk -t2 -c16 -d10s "$url")
  if grep -q 'Non-2xx' <<<"$out"; then echo "$url answered errors under wrk:" >&2; echo "$out" >&2; exit 1; fi
  n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  echo "$(rps <<<"$out") $(awk -v t=$(( $(cpu_ticks "$@") - t0 )) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", 1000*t/hz/n}')"
}
pct() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.0f", 100*a/n}'; }
# The 1280 px rendition (an article's hero: the bytes weigh most) and the 640 px one (a list's thumbnail: the request does).
for width in 1280 640; do
  url="$API/v1/images/$id/1/$width.webp"
  curl -sf -o "$work/www/$width.webp" "$url"
  for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/$width.webp" && break; sleep 0.1; done
  nginx_worker=$(pgrep -P "$nginx_pid")
  wrk -t2 -c16 -d10s "$url" >/dev/null # warm-up: tiered compilation of the route
  wrk -t2 -c16 -d3s "http://127.0.0.1:$nginx_port/$width.webp" >/dev/null
  read -r api_rps api_cpu < <(measure "$url" "$API_PID")
  read -r nginx_rps nginx_cpu < <(measure "http://127.0.0.1:$nginx_port/$width.webp" "$nginx_worker")
  read -r sendfile_rps sendfile_cpu < <(measure "http://127.0.0.1:$sendfile_port/$width.webp" "$nginx_worker")
  echo "stored $width px rendition ($(stat -c %s "$work/www/$width.webp") bytes), wrk -t2 -c16 10 s, req/s (CPU ms a request): API $api_rps ($api_cpu);" \
    "nginx $nginx_rps ($nginx_cpu), API at $(pct "$api_rps" "$nginx_rps") %; nginx with sendfile $sendfile_rps ($sendfile_cpu), API at $(pct "$api_rps" "$sendfile_rps") %"
done

# Memory: 8 first renditions of 24 MP images at once (uploads first), sampling the API's RSS every 20 ms.
ids=()
for i in $(seq $(( RUNS + 1 )) "$total"); do ids+=("$(upload "$work/photo$i.jpg")"); done
sleep 1
idle=$(rss_kb)
( peak=0; while [ ! -f "$work/done" ]; do r=$(rss_kb); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" > "$work/peak"; sleep 0.02; done ) &
sampler=$!
renders=()
for id in "${ids[@]}"; do curl -sf -o /dev/null "${auth[@]}" "$API/v1/images/$id/1/1280.webp" & renders+=($!); done
wait "${renders[@]}"
touch "$work/done"; wait "$sampler"
peak=$(cat "$work/peak")
echo "8 concurrent first renditions: API RSS idle $(( idle / 1024 )) MB, peak $(( peak / 1024 )) MB, +$(( (peak - idle) / 1024 )) MB"
echo "load after: $(uptime)"
