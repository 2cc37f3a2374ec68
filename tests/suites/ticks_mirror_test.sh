#!/bin/sh
# The page's axes tick as the terminal's: repl/web/ticks.js's ticks() (run
# by node) puts a linear axis's ticks where viz/plot_ticks.c's
# plot_linear_ticks (compiled here) puts them, over 20,000 random ranges of
# three scales, tick targets from 2 to 9, integer axes among them.  The JS is
# a mirror written by hand, so a rule added to one side only (the "at least
# two labels" rule once was) fails here.
# Usage: CC=cc CFLAGS="..." tests/suites/ticks_mirror_test.sh   (from the source tree;
# CFLAGS: the viz layer's include paths)
set -u
CC=${CC:-cc}
src=$(pwd)
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: ticks mirror: node is not installed (make deps installs it)"
    exit 0
fi
sh "$(dirname "$0")/watchdog.sh" $$ 300 ticks-mirror & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT

cat >"$tmp/dump.c" <<'EOF'
#include <stdio.h>
#include "plot_internal.h"
/* lo hi target integers count tick... for random ranges (xorshift) */
int main(void) {
    unsigned long long s = 12345;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double scale = i % 3 == 0 ? 1 : i % 3 == 1 ? 0.001 : 100;
        double lo = ((double)(s % 20001) / 1000.0 - 10.0) * scale;
        double span = ((double)((s >> 20) % 10000) + 1) / 1000.0 * scale;
        double target = 2 + (double)((s >> 40) % 8);
        int integers = (s >> 50) % 5 == 0;
        plot_tick_list l;
        plot_linear_ticks(&l, lo, lo + span, target, integers);
        printf("%.17g %.17g %g %d %d", lo, lo + span, target, integers, l.count);
        for (int k = 0; k < l.count; k++) printf(" %.17g", l.items[k].position);
        printf("\n");
    }
    return 0;
}
EOF
# shellcheck disable=SC2086 # CFLAGS is a list of flags
if ! $CC ${CFLAGS:-} -I"$src/viz" -I"$src/include" -I"$src/include/autograd" -I"$src/src/util" \
    "$tmp/dump.c" "$src/viz/plot_ticks.c" -o "$tmp/dump" -lm 2>"$tmp/cc.log"; then
    echo "FAIL: ticks mirror: the C side did not build: $(head -c 400 "$tmp/cc.log")"
    exit 1
fi
"$tmp/dump" >"$tmp/c.txt" || { echo "FAIL: ticks mirror: the C side failed"; exit 1; }

cat >"$tmp/compare.js" <<'EOF'
global.window = {};
require(process.argv[2]);
const ticks = window.agreplTicks.ticks;
const lines = require('fs').readFileSync(process.argv[3], 'utf8').trim().split('\n');
let differ = 0, first = '';
for (const line of lines) {
  const f = line.split(' ');
  const lo = Number(f[0]), hi = Number(f[1]), n = Number(f[2]), integers = f[3] === '1';
  const want = f.slice(5).map(Number);
  const got = ticks(lo, hi, n, integers);
  const same = got.length === want.length &&
    got.every((v, i) => Math.abs(v - want[i]) <= 1e-9 * Math.max(1, Math.abs(want[i])));
  if (!same && differ++ === 0)
    first = 'ticks(' + lo + ', ' + hi + ', ' + n + ', ' + integers + '): the page ' + got.join(' ') +
      ', the terminal ' + want.join(' ');
}
console.log(lines.length + ' ' + differ + ' ' + first);
EOF
set -- $(node "$tmp/compare.js" "$src/repl/web/ticks.js" "$tmp/c.txt")
ranges=$1 differ=$2
shift 2
if [ "$ranges" = 20000 ] && [ "$differ" = 0 ]; then
    echo "ok: the page's linear ticks are the terminal's over $ranges ranges"
    echo "ticks mirror: 1 passed, 0 failed"
else
    echo "FAIL: the page's linear ticks differ from the terminal's in $differ of $ranges ranges; first: $*"
    echo "ticks mirror: 0 passed, 1 failed"
    exit 1
fi
