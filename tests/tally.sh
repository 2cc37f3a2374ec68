#!/bin/sh
# tally.sh FILE STATUS: the closing line of `make test`, "N passed, M
# failed", from the counts tests/step.sh wrote to FILE over the whole run
# (plain and sanitizer passes); STATUS is make's own, so a build that failed
# before any test could count is one failure too.  Names the skipped steps
# ("skip NAME: why" lines: a tool missing here) and the failed ones first;
# exits 1 when anything failed.  Before that line, the slowest steps and
# their seconds (FILE.time, written by step.sh), to keep the run's time in
# sight (CI allows 30 minutes).
tally=$1 status=$2
[ -f "$tally" ] || : >"$tally"
if [ -s "$tally.time" ]; then
    echo "slowest steps (seconds):"
    sort -rn "$tally.time" | head -n 10 | sed 's/^/  /'
    awk '{ s += $1 } END { printf "all steps: %d s\n", s }' "$tally.time"
fi
awk -v status="$status" '
    $1 == "skip" { skipped++; $1 = ""; sub(/^ +/, ""); skips = skips "\n  " $0; next }
    { passed += $1; failed += $2; if ($2 > 0) { $1 = ""; $2 = ""; sub(/^ +/, ""); names = names "\n  " $0 } }
    END {
        if (status != 0 && failed == 0) { failed = 1; names = names "\n  a build step (see above)" }
        if (skipped > 0) print "skipped (SKIP):" skips
        if (failed > 0) print "failed:" names
        if (skipped > 0) printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
        else printf "%d passed, %d failed\n", passed, failed
        exit failed > 0
    }' "$tally"
