#!/bin/sh
# bench/session.sh BUILD — whether a statement's cost grows with the session
# (what `make bench` runs last; bench/README.md).  One line each:
#   S3  300,000 top-level assignments to distinct names, whole process
#   S4  a trivial statement (z = 1) with a 1M-node graph alive: the median
#       of 21 statements' `:time` lines
#   S5  the W1 loop (10,000 steps) timed by `:time` in a fresh session and
#       after S3's assignments and S4's graph (its second run in each, the
#       first warms the heap up), and the ratio long / fresh
set -e
BUILD=${1:-build/bench}
AGBENCH=$BUILD/agbench
AGREPL=$BUILD/agrepl
HERE=$(dirname "$0")
export OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}"/agbench-session-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

awk 'BEGIN { for (i = 0; i < 300000; i++) printf "v%d = %d\n", i, i }' >"$tmp/assign.ag"
echo 'print(v299999)' >>"$tmp/assign.ag"
"$AGBENCH" --time-cmd S3 assign300k agrepl 300000 3 -- "$AGREPL" --headless "$tmp/assign.ag"

graph='y = 0.5
for i in range(500000) { y = sin(y) }'
{
    echo "$graph"
    echo ':time on'
    for i in $(seq 21); do echo "z = $i"; done
} >"$tmp/trivial.ag"
# median of the `time: T ms` lines, in microseconds
median_us() { grep '^time:' | awk '{ print $2 * 1000 }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }'; }
us=$("$AGREPL" --headless "$tmp/trivial.ag" | median_us)
echo "S4  trivial-1M agrepl iters=21     us/iter=$us runs=1 | z = 1 with 500,000 sin ops (1M nodes) alive"

# the loop as in w1_rosenbrock.ag, timed on its own
sed -n '/^x0 = /,/^}/p' "$HERE/w1_rosenbrock.ag" >"$tmp/loop.ag"
{ echo ':time on'; cat "$tmp/loop.ag" "$tmp/loop.ag"; } >"$tmp/fresh.ag"
{ grep -v '^print' "$tmp/assign.ag"; echo "$graph"; echo ':time on'; cat "$tmp/loop.ag" "$tmp/loop.ag"; } >"$tmp/long.ag"
fresh=$("$AGREPL" --headless "$tmp/fresh.ag" | tail -1 | awk '{ print $2 }')
long=$("$AGREPL" --headless "$tmp/long.ag" | tail -1 | awk '{ print $2 }')
echo "S5  w1-loop    agrepl fresh=${fresh}ms long=${long}ms long/fresh=$(awk -v a="$long" -v b="$fresh" 'BEGIN { printf "%.2f", a / b }') | after 300,000 names and a 1M-node graph"
