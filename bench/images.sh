#!/usr/bin/env bash
# Image bench (issue 21): first rendition of a 24 MP JPEG to 1280 px WebP through the API beside vipsthumbnail (the
# ceiling), and 10 MB JPEG upload p95. Needs a running API (API=http://127.0.0.1:5080) and an admin key (KEY=...).
# Installs libvips-tools (vipsthumbnail) and python3 if missing. Usage: KEY=hn_... bash bench/images.sh [runs]
set -euo pipefail
API=${API:-http://127.0.0.1:5080}
RUNS=${1:-20}
: "${KEY:?set KEY to an API key with content:write}"
command -v vipsthumbnail >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvips-tools >/dev/null; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

p95() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95+0.5); if (i<1) i=1; printf "%.0f", a[i]}'; }
ms() { date +%s%N; }

# Noisy 6000x4000 JPEGs (24 MP; noise compresses like a photo, ~9-10 MB at q 90), one per run so every rendition is a first one.
for i in $(seq 1 "$RUNS"); do
  vips gaussnoise "$work/n$i.v" 6000 4000 --mean $((100 + i)) --sigma 50
  vips bandjoin "$work/n$i.v $work/n$i.v $work/n$i.v" "$work/c$i.v"
  vips cast "$work/c$i.v" "$work/photo$i.jpg[Q=90]" uchar
  rm -f "$work/n$i.v" "$work/c$i.v"
done
echo "fixture: $(stat -c %s "$work/photo1.jpg") bytes, 6000x4000"

: > "$work/upload.ms"; : > "$work/render.ms"; : > "$work/ceiling.ms"
for i in $(seq 1 "$RUNS"); do
  t0=$(ms)
  body=$(curl -sf -H "Authorization: Bearer $KEY" -F "file=@$work/photo$i.jpg" "$API/v1/manage/assets")
  t1=$(ms); echo $(( (t1 - t0) / 1000000 )) >> "$work/upload.ms"
  id=$(printf '%s' "$body" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n1)
  t0=$(ms)
  curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "$API/v1/images/$id/1/1280.webp"
  t1=$(ms); echo $(( (t1 - t0) / 1000000 )) >> "$work/render.ms"
  t0=$(ms)
  vipsthumbnail "$work/photo$i.jpg" --size 1280 -o "$work/thumb$i.webp[Q=80,strip]"
  t1=$(ms); echo $(( (t1 - t0) / 1000000 )) >> "$work/ceiling.ms"
done
echo "upload 24 MP JPEG p95: $(p95 < "$work/upload.ms") ms"
echo "first rendition 1280 webp p95: $(p95 < "$work/render.ms") ms (vipsthumbnail ceiling p95: $(p95 < "$work/ceiling.ms") ms)"

# Cached rendition: the same URL again (stored bytes, no image work).
t0=$(ms); for _ in $(seq 1 200); do curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "$API/v1/images/$id/1/1280.webp"; done; t1=$(ms)
echo "cached rendition (sequential curl): $(( 200 * 1000000000 / (t1 - t0) )) req/s"
