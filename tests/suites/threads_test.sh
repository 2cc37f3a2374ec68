#!/bin/sh
# Two threads making their first contexts at once: the same results, the
# host's OpenBLAS thread count untouched, and nothing reported by helgrind
# or DRD (tests/unit/threads_ctx.c; tests/suites/threads.supp: races inside OpenBLAS
# between its own workers and its exit-time shutdown).
# Usage: tests/suites/threads_test.sh build/tests/threads_ctx
set -u
prog=$1
status=0
sh "$(dirname "$0")/watchdog.sh" $$ 600 threads & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
if out=$("$prog" 2); then echo "ok: $out"; else echo "FAIL: $out"; status=1; fi
for tool in helgrind drd; do
    for host in 1 2; do
        if valgrind --tool=$tool -q --error-exitcode=3 --suppressions="$(dirname "$0")/threads.supp" "$prog" $host > "$tmp/out" 2> "$tmp/err"; then
            echo "ok: $tool, host OpenBLAS threads $host: no report"
        else
            echo "FAIL: $tool, host OpenBLAS threads $host:"; head -20 "$tmp/err"; cat "$tmp/out"; status=1
        fi
    done
done
exit $status
