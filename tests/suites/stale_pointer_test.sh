#!/bin/sh
# AG_DEBUG_NO_REUSE=1 makes the stale-pointer bug visible: under valgrind
# (plain build) or AddressSanitizer (SAN set), the read of a collected node
# is reported; without the switch the same read silently gives 99.
# Usage: SAN="..." tests/suites/stale_pointer_test.sh build/tests/stale_pointer
set -u
prog=$1
status=0
sh "$(dirname "$0")/watchdog.sh" $$ 600 stale_pointer & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) && trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; status=1; }

out=$(ASAN_OPTIONS=detect_leaks=0 "$prog" 2>/dev/null)
[ "$out" = 99 ] && echo "ok: without the switch the stale pointer silently reads 99" ||
    fail "without the switch expected the reused node's 99, got '$out'"

if [ -n "${SAN:-}" ]; then
    AG_DEBUG_NO_REUSE=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 "$prog" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    if [ $rc -ne 0 ] && grep -q "heap-use-after-free" "$tmp/err"; then
        echo "ok: AG_DEBUG_NO_REUSE=1: AddressSanitizer reports the stale read (heap-use-after-free)"
    else
        fail "AG_DEBUG_NO_REUSE=1 under ASan: status $rc, no heap-use-after-free report"; head -5 "$tmp/err"
    fi
else
    valgrind -q --error-exitcode=3 "$prog" > "$tmp/out" 2> "$tmp/err"
    [ $? -eq 0 ] && echo "ok: without the switch valgrind sees nothing (why the switch exists)" ||
        fail "valgrind reported errors without the switch"
    AG_DEBUG_NO_REUSE=1 valgrind -q --error-exitcode=3 "$prog" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    if [ $rc -eq 3 ] && grep -q "Invalid read" "$tmp/err"; then
        echo "ok: AG_DEBUG_NO_REUSE=1: valgrind reports the stale read ($(grep -m1 'Invalid read' "$tmp/err" | sed 's/^==[0-9]*== //'))"
    else
        fail "AG_DEBUG_NO_REUSE=1 under valgrind: status $rc, no 'Invalid read'"; head -5 "$tmp/err"
    fi
fi
# ag_cleargrad and ag_set_name on the stale handle (its node not reused yet):
# -1 each and nothing written, where the plain build runs it (under ASan the
# read of the poisoned node is itself reported); freed, the read is reported.
if [ -z "${SAN:-}" ]; then
    out=$(valgrind -q --error-exitcode=3 --leak-check=full "$prog" setters 2>"$tmp/err")
    rc=$?
    [ $rc -eq 0 ] && [ "$out" = "-1 -1" ] && echo "ok: ag_cleargrad and ag_set_name refuse the collected handle (-1 -1), valgrind clean" ||
        { fail "setters on the collected handle: status $rc, printed '$out' (expected -1 -1)"; head -5 "$tmp/err"; }
    AG_DEBUG_NO_REUSE=1 valgrind -q --error-exitcode=3 "$prog" setters > "$tmp/out" 2> "$tmp/err"
    rc=$?
    [ $rc -eq 3 ] && grep -q "Invalid read" "$tmp/err" && echo "ok: AG_DEBUG_NO_REUSE=1: valgrind reports the setters' stale read" ||
        { fail "AG_DEBUG_NO_REUSE=1 setters under valgrind: status $rc, no 'Invalid read'"; head -5 "$tmp/err"; }
else
    AG_DEBUG_NO_REUSE=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 "$prog" setters > "$tmp/out" 2> "$tmp/err"
    rc=$?
    [ $rc -ne 0 ] && grep -q "heap-use-after-free" "$tmp/err" && echo "ok: AG_DEBUG_NO_REUSE=1: AddressSanitizer reports the setters' stale read" ||
        { fail "AG_DEBUG_NO_REUSE=1 setters under ASan: status $rc, no heap-use-after-free report"; head -5 "$tmp/err"; }
fi
exit $status
