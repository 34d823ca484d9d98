#!/usr/bin/env bash
# WordPress import speed: generates N fictional posts (~5 KB each, no pictures), imports them with the command line
# into a fresh embedded PostgreSQL (Release build), then imports the same file again (nothing changes).
# Prints posts/s for both runs, the CLI's CPU seconds (user + system: steadier than wall time on a shared box) and its
# peak memory (VmHWM via /usr/bin/time).
# With PICTURES > 0, each post shows that many pictures of its own (a 1600x1067 JPEG made with libvips' `vips`,
# installed if missing), served by picture_site.py on a loopback port after DELAY_MS each, and imported with
# --media download.
# usage: bash bench/wordpress/run.sh [posts=10000] [pictures=0] [delay_ms=100]
set -euo pipefail
cd "$(dirname "$0")/../.."
posts=${1:-10000}
pictures=${2:-0}
delay_ms=${3:-100}
work=$PWD/bench/wordpress/.data/run-$$
mkdir -p "$work"
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
media=skip
if (( pictures > 0 )); then
  command -v vips > /dev/null || { apt-get update -qq && apt-get install -y -qq libvips-tools > /dev/null; }
  for band in r g b; do vips gaussnoise "$work/$band.v" 1600 1067 --mean 128 --sigma 50; done
  vips bandjoin "$work/r.v $work/g.v $work/b.v" "$work/picture.jpg[Q=82]"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 bench/wordpress/picture_site.py "$port" "$delay_ms" "$work/picture.jpg" &
  media=download
  export Webhooks__AllowPrivateTargets=true
fi
python3 bench/wordpress/generate_wxr.py "$posts" "$pictures" "http://127.0.0.1:${port:-9}" > "$work/export.xml"
echo "export: $posts posts, $(du -m "$work/export.xml" | cut -f1) MB, $pictures picture(s) a post ($(du -k "$work/picture.jpg" 2> /dev/null | cut -f1 || echo 0) KB, ${delay_ms} ms each)"
dotnet build src/HeadlessNews.Api -c Release -v q -nologo > /dev/null
api="dotnet src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
export Database__EmbeddedDataPath="$work/postgres" Database__SeedSampleContent=false Logging__LogLevel__Default=Warning
for run in first again; do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss" $api import wordpress "$work/export.xml" --media $media --report "$work/report-$run.json" > "$work/out-$run.log" 2>&1
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  read -r rss user system < <(tail -n 1 "$work/rss")
  echo "$run run: $(printf %.1f "$seconds") s, $(echo "$posts / $seconds" | bc) posts/s, CLI CPU $(echo "$user + $system" | bc) s, peak RSS $(( rss / 1024 )) MB"
  grep -E "posts |images " "$work/out-$run.log"
done
