#!/usr/bin/env bash
# What a search would cost in an index kept beside the API (Lucene.Net) instead of PostgreSQL: the archive's articles
# indexed newest first, then searched with the bench's rotating words and phrases, ranked as the API ranks (relevance
# times a recency boost, the page cut from the newest 200 matches or from every match), snippet text from nothing,
# binary doc values or stored fields. A measurement for issue 23, not part of the product (see bench/README.md).
#   BENCH_DATA=DIR bash bench/archive/index-probe.sh N [SECONDS=10]
# Starts the archive's cluster alone on port 41091 (as root, it runs as postgres) unless it is already up there; keeps
# the export and the index in DIR/N/index-probe for the next run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:?articles}; SECONDS_EACH=${2:-10}
DATA="${BENCH_DATA:?BENCH_DATA=DIR holds the seeded archives}/$N"; OUT="$DATA/index-probe"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PORT=41091
export PGPASSWORD; PGPASSWORD=$(cat "$DATA/pg.password")
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" "$@"; else "$PG_BIN/pg_ctl" "$@"; fi; }
STARTED=""
cleanup() { [ -z "$STARTED" ] || run_pg -D "$DATA/pg" -w stop -m fast >/dev/null; }
trap cleanup EXIT
mkdir -p "$OUT"
dotnet build -c Release "$ROOT/bench/archive/index-probe" -v quiet -nologo >/dev/null
PROBE="$ROOT/bench/archive/index-probe/bin/Release/net10.0/IndexProbe.dll"
if [ ! -f "$OUT/index/segments.gen" ]; then
  if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $PORT; then
    run_pg -D "$DATA/pg" -l "$DATA/pg/server.log" -w -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=" start >/dev/null
    STARTED=1
  fi
  # One line an article, newest first; tabs, line breaks and backslashes (COPY's escapes) become spaces.
  clean() { echo "translate($1, chr(9) || chr(10) || chr(13) || chr(92), '    ')"; }
  "$PG_BIN/psql" -h 127.0.0.1 -p $PORT -U postgres -d headlessnews -X -q -c "\\copy (SELECT article_id,
      date_part('epoch', visible_from)::bigint, $(clean headline), $(clean "coalesce(standfirst, '')"), $(clean body_text)
      FROM published_articles ORDER BY visible_from DESC) TO '$OUT/articles.tsv'"
  cleanup; STARTED=""
  rm -rf "$OUT/index"
  dotnet "$PROBE" build "$OUT/articles.tsv" "$OUT/index"
  echo "index: $(du -sh "$OUT/index" | cut -f1)"
fi
{ cut -f1 "$DATA/words.tsv"; cat "$DATA/phrases.txt"; } > "$OUT/queries.txt"
for window in 200 0; do
  for snippets in none docvalues stored; do
    dotnet "$PROBE" search "$OUT/index" "$OUT/queries.txt" 2 "$SECONDS_EACH" $window $snippets
  done
done
