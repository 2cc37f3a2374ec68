#!/bin/sh
# A few whole sessions under valgrind memcheck: no invalid reads or writes,
# no use of uninitialised values, and no definite leaks outside the Graphviz
# and font libraries (tests/suites/valgrind.supp).  Complements the ASan pass with
# an uninstrumented build.
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: skipped (not installed)"
    exit 0
fi
tmp=$(mktemp -d)
ulimit -c 0 2>/dev/null # a crash fails its check; it never waits on a core dump
sh "$(dirname "$0")/watchdog.sh" $$ 900 valgrind & watchdog=$! # a hang fails naming what it ran
trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
for name in autograd operators optim_adam model_recurrent viz_graph data_files batches; do
    if (cd "$root/tests/scripts" && AGREPL_HEADLESS=1 HOME="$tmp" valgrind -q --leak-check=full \
        --errors-for-leak-kinds=definite --error-exitcode=9 \
        --suppressions="$root/tests/suites/valgrind.supp" "$AGREPL" <"$name.ag" >"$tmp/$name.out" 2>&1); then
        pass=$((pass + 1))
    elif grep -q '==[0-9]*==' "$tmp/$name.out"; then
        echo "FAIL valgrind $name:"
        grep '==[0-9]*==' "$tmp/$name.out" | head -30
        fail=$((fail + 1))
    else
        pass=$((pass + 1)) # a script error status with a clean valgrind report
    fi
done
# A graph drawn from a script on stdin: the forked Graphviz child must not
# move stdin's shared offset when it exits (valgrind tidies glibc's stdio in
# every process it ends), or the rest of the script runs twice.
printf 'x = 1.0\ny = x * 2\nrender(y, "%s/once.svg")\nprint("after render")\n' "$tmp" >"$tmp/once.ag"
runs=$(AGREPL_HEADLESS=1 HOME="$tmp" valgrind -q --suppressions="$root/tests/suites/valgrind.supp" "$AGREPL" <"$tmp/once.ag" 2>&1 |
    grep -c 'after render')
if [ "$runs" = 1 ]; then
    pass=$((pass + 1))
else
    echo "FAIL valgrind: a script on stdin after render ran its last line $runs times (want 1)"
    fail=$((fail + 1))
fi
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
