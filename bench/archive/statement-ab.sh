#!/usr/bin/env bash
# Two versions of one statement compared in one PostgreSQL backend, each query run by both, in random order, so the
# VM's drift (±15 % between runs of a minute here) falls on both alike: running the same file as A and B gives B/A
# 0.997 over 1,200 executions each.
#   BENCH_DATA=DIR bash bench/archive/statement-ab.sh N A.sql B.sql [QUERIES=600] [PASSES=2]
# Each file holds `PREPARE s(text, timestamptz, text, int, int) AS <statement>;`: the search statement as the API sends
# it (its parameters q, now, language, take, offset; copy it from the server log with log_min_duration_statement = 0)
# or a variant of it. Queries are words and two-word phrases from the archive's words.tsv and phrases.txt (2 : 1).
# Starts the archive's cluster alone on port 41091 (as root, it runs as postgres) unless it is already up there.
set -euo pipefail
N=${1:?articles}; A=$(realpath "${2:?A.sql}"); B=$(realpath "${3:?B.sql}"); QUERIES=${4:-600}; PASSES=${5:-2}
DATA="${BENCH_DATA:?BENCH_DATA=DIR holds the seeded archives}/$N"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PORT=41091
export PGPASSWORD; PGPASSWORD=$(cat "$DATA/pg.password")
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" "$@"; else "$PG_BIN/pg_ctl" "$@"; fi; }
WORK=$(mktemp -d); STARTED=""
cleanup() { rm -rf "$WORK"; [ -z "$STARTED" ] || run_pg -D "$DATA/pg" -w stop -m fast >/dev/null; }
trap cleanup EXIT
if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $PORT; then
  run_pg -D "$DATA/pg" -l "$DATA/pg/server.log" -w -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=" start >/dev/null
  STARTED=1
fi
{ cut -f1 "$DATA/words.tsv" | shuf -n $((QUERIES * 2 / 3)) --random-source=<(yes); shuf -n $((QUERIES / 3)) --random-source=<(yes) "$DATA/phrases.txt"; } \
  | sed "s/'/''/g" > "$WORK/queries"
execute() { echo "EXECUTE $1('$2', now(), NULL, 21, 0);"; }
{ echo "SET plan_cache_mode = force_generic_plan; SET jit = off;"
  sed 's/^PREPARE s(/PREPARE a(/' "$A"; sed 's/^PREPARE s(/PREPARE b(/' "$B"
  echo '\o /dev/null'
  while read -r q; do execute a "$q"; execute b "$q"; done < "$WORK/queries"
  echo '\timing on'
  for pass in $(seq "$PASSES"); do
    shuf --random-source=<(yes "$pass") "$WORK/queries" | while read -r q; do
      if [ $((RANDOM % 2)) = 0 ]; then echo '\echo A'; execute a "$q"; echo '\echo B'; execute b "$q"
      else echo '\echo B'; execute b "$q"; echo '\echo A'; execute a "$q"; fi
    done
  done; } > "$WORK/run.sql"
"$PG_BIN/psql" -h 127.0.0.1 -p $PORT -U postgres -d headlessnews -X -q -f "$WORK/run.sql" 2>/dev/null \
  | awk '/^A$/ {side = "A"} /^B$/ {side = "B"} /^Time:/ {ms[side] += $2; n[side]++}
         END {printf "A %.3f ms, B %.3f ms a search (%d each); B/A %.3f\n", ms["A"] / n["A"], ms["B"] / n["B"], n["A"], ms["B"] / ms["A"]}'
