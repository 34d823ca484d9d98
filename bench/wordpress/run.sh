#!/usr/bin/env bash
# WordPress import speed: generates N fictional posts (~5 KB each, no pictures), imports them with the command line
# into a fresh embedded PostgreSQL (Release build), then imports the same file again (nothing changes).
# Prints posts/s for both runs, the CLI's CPU seconds (user + system: steadier than wall time on a shared box) and its
# peak memory (VmHWM via /usr/bin/time).
# usage: bash bench/wordpress/run.sh [posts=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
posts=${1:-10000}
work=$PWD/bench/wordpress/.data/run-$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
python3 bench/wordpress/generate_wxr.py "$posts" > "$work/export.xml"
echo "export: $posts posts, $(du -m "$work/export.xml" | cut -f1) MB"
dotnet build src/HeadlessNews.Api -c Release -v q -nologo > /dev/null
api="dotnet src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll"
export Database__EmbeddedDataPath="$work/postgres" Database__SeedSampleContent=false Logging__LogLevel__Default=Warning
for run in first again; do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss" $api import wordpress "$work/export.xml" --media skip --report "$work/report-$run.json" > "$work/out-$run.log" 2>&1
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  read -r rss user system < <(tail -n 1 "$work/rss")
  echo "$run run: $(printf %.1f "$seconds") s, $(echo "$posts / $seconds" | bc) posts/s, CLI CPU $(echo "$user + $system" | bc) s, peak RSS $(( rss / 1024 )) MB"
  grep -E "posts " "$work/out-$run.log"
done
