#!/bin/sh
# step.sh NAME COMMAND...: runs one step of `make test` (a unit-test binary
# or a shell suite), its output shown as it comes, and returns its status.
# When TEST_TALLY names a file, appends "PASSED FAILED NAME" to it: the
# counts cmocka prints ("[  PASSED  ] N test(s).", "[  FAILED  ] M
# test(s)"), else the suite's last "N passed, M failed" line, else 1 passed
# or 1 failed by the status; a step that fails with no failure counted (a
# crash, a leak reported at exit) counts one more failure.  A step that
# prints "SKIP: why" and succeeds is written "skip NAME: why" instead.  tests/tally.sh
# adds the file up at the end of the run, and names the slowest steps from
# the seconds each took ("SECONDS NAME" lines in FILE.time).
name=$1
shift
log=$(mktemp) || exit 1
trap 'rm -f "$log" "$log.status"' EXIT
start=$(date +%s)
{
    "$@" 2>&1
    echo $? >"$log.status"
} | tee "$log"
status=$(cat "$log.status" 2>/dev/null)
status=${status:-1}
[ -z "${TEST_TALLY:-}" ] || echo "$(( $(date +%s) - start )) $name" >>"$TEST_TALLY.time"
skip=$(sed -n 's/^SKIP: //p' "$log" | head -n 1)
if [ -n "${TEST_TALLY:-}" ] && [ "$status" = 0 ] && [ -n "$skip" ]; then
    # a step that could not run here (a tool missing) says so: counted apart
    echo "skip $name: $skip" >>"$TEST_TALLY"
elif [ -n "${TEST_TALLY:-}" ]; then
    counts=$(awk '
        /^\[  PASSED  \] [0-9]+ test/ { p += $4; cm = 1 }
        /^\[  FAILED  \] [0-9]+ test/ { f += $4; cm = 1 }
        match($0, /[0-9]+ passed, [0-9]+ failed/) {
            split(substr($0, RSTART, RLENGTH), w, " "); sp = w[1]; sf = w[3]; suite = 1
        }
        END {
            if (cm) print p + 0, f + 0
            else if (suite) print sp + 0, sf + 0
        }' "$log")
    if [ -z "$counts" ]; then
        if [ "$status" = 0 ]; then counts="1 0"; else counts="0 1"; fi
    fi
    set -- $counts
    passed=$1 failed=$2
    [ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
    echo "$passed $failed $name" >>"$TEST_TALLY"
fi
exit "$status"
