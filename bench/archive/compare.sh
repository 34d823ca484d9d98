#!/usr/bin/env bash
# Flatness (issue 23): runs run.sh at two sizes and prints each scenario's p99 side by side with the ratio (goal ≤ 1.5),
# and the CPU a request cost the API and PostgreSQL at each size (the figure the box's load moves least),
# then keeps the steady-state plan of every delivery query at each size in bench/archive/plans-N.txt.
#   BENCH_DATA=DIR bash bench/archive/compare.sh 10000 1000000 [DURATION=10s]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SMALL=${1:?small size}; LARGE=${2:?large size}; DURATION=${3:-10s}
OUT=$(mktemp -d /tmp/hn-compare-XXXXXX); trap 'rm -rf "$OUT"' EXIT
for n in "$SMALL" "$LARGE"; do
  bash "$HERE/run.sh" "$n" "$DURATION" | tee "$OUT/$n.txt"
  python3 "$HERE/plans.py" "${BENCH_DATA:?}/$n/plans.txt" > "$HERE/plans-$n.txt"
done
python3 - "$OUT/$SMALL.txt" "$OUT/$LARGE.txt" "$SMALL" "$LARGE" <<'PY'
import sys
def rows(path):  # | scenario | req/s | p50 | p99 | errors | load | CPU ms: API + PostgreSQL | ...
    return [[c.strip() for c in line.strip().strip('|').split('|')] for line in open(path)
            if line.startswith('| ') and not line.startswith('| scenario')]
small, large = rows(sys.argv[1]), rows(sys.argv[2])
a, b = sys.argv[3], sys.argv[4]
print(f"\n| scenario (output cache off) | {a} req/s | p99 ms | load | CPU ms | {b} req/s | p99 ms | load | CPU ms | p99 ratio | ≤ 1.5 | CPU ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
cpu = lambda row: sum(float(part) for part in row[6].split('+'))
for s, l in zip(small, large):
    ratio = float(l[3]) / float(s[3])
    print(f"| {s[0]} | {s[1]} | {s[3]} | {s[5]} | {s[6]} | {l[1]} | {l[3]} | {l[5]} | {l[6]} | {ratio:.2f} | {'met' if ratio <= 1.5 else 'missed'} | {cpu(l) / cpu(s):.2f} |")
PY
