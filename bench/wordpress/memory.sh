#!/usr/bin/env bash
# WordPress import memory: generates a ~1 GB WXR (165,000 posts of ~6 KB; or N posts), builds the API in Release and runs
# the import on it (default --dry-run: the whole file is read, converted and checked, nothing written; "full" writes
# into a fresh embedded PostgreSQL), sampling the CLI's RSS every 5 s into rss.tsv. Prints the peak (VmHWM).
# usage: bash bench/wordpress/memory.sh [posts=165000] [dry|full] [seconds=0: no limit]
set -euo pipefail
cd "$(dirname "$0")/../.."
posts=${1:-165000}
mode=${2:-dry}
limit=${3:-0}
data=${BENCH_DATA:-$PWD/bench/wordpress/.data}/memory
mkdir -p "$data"
export_file="$data/export-$posts.xml"
[ -s "$export_file" ] || python3 bench/wordpress/generate_wxr.py "$posts" > "$export_file"
echo "export: $posts posts, $(du -m "$export_file" | cut -f1) MB"
dotnet build src/HeadlessNews.Api -c Release -v q -nologo > /dev/null
work="$data/run-$$"
mkdir -p "$work"
trap 'rm -rf "$work/postgres"' EXIT
export Database__EmbeddedDataPath="$work/postgres" Database__SeedSampleContent=false Logging__LogLevel__Default=Warning
args=(import wordpress "$export_file" --media skip)
[ "$mode" = dry ] && args+=(--dry-run)
start=$(date +%s)
dotnet src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll "${args[@]}" > "$work/out.log" 2>&1 &
pid=$!
printf "seconds\trss_mb\thwm_mb\n" > "$work/rss.tsv"
hwm=0
while kill -0 "$pid" 2> /dev/null; do
  if status=$(cat "/proc/$pid/status" 2> /dev/null); then
    rss=$(awk '/^VmRSS/ {print int($2/1024)}' <<< "$status")
    hwm=$(awk '/^VmHWM/ {print int($2/1024)}' <<< "$status")
    printf "%s\t%s\t%s\n" "$(( $(date +%s) - start ))" "$rss" "$hwm" >> "$work/rss.tsv"
  fi
  if [ "$limit" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$limit" ]; then
    kill -TERM "$pid"
    echo "stopped after $limit s"
  fi
  sleep 5
done
wait "$pid" || true
echo "$mode run: $(( $(date +%s) - start )) s, peak RSS $hwm MB (samples: $work/rss.tsv)"
tail -n 4 "$work/out.log"
