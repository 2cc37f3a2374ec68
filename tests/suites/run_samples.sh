#!/bin/sh
# Runs every lesson in samples/ headless, as a user would (`agrepl FILE`),
# and checks the key numbers each one prints against tests/samples/NAME.expect
# (lines that must appear in the output, in order).  A sample without an
# .expect file must still run to the end with status 0.  No lesson may print
# the note about a gradient summed over several backward calls.
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
tmp=$(mktemp -d)
ulimit -c 0 2>/dev/null # a crash fails its check; it never waits on a core dump
sh "$(dirname "$0")/watchdog.sh" $$ 600 samples & watchdog=$! # a hang fails naming what it ran
trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
for ag in "$root"/samples/*.ag; do
    [ -e "$ag" ] || continue
    name=$(basename "$ag" .ag)
    out="$tmp/$name.out"
    (cd "$tmp" && AGREPL_HEADLESS=1 HOME="$tmp" timeout -k 5 300 "$AGREPL" --headless "$ag" >"$out" 2>&1)
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "FAIL sample $name: exit status $status"
        tail -5 "$out"
        fail=$((fail + 1))
        continue
    fi
    # a shipped lesson never trips the summed-gradient note: it is
    # for a gradient someone reads, draws or steps with, and a lesson shows
    # how to clear it
    if grep -Eq '(adds|adding) up the gradients of' "$out"; then
        echo "FAIL sample $name: prints the summed-gradient note:"
        grep -E -A2 '(adds|adding) up the gradients of' "$out"
        fail=$((fail + 1))
        continue
    fi
    expect="$root/tests/samples/$name.expect"
    if [ -f "$expect" ]; then
        # every expected line must appear, in order
        if ! awk 'NR==FNR { want[n++] = $0; next } i < n && $0 == want[i+0] { i++ } END { exit i < n }' \
            "$expect" "$out"; then
            echo "FAIL sample $name: expected lines missing; output was:"
            head -30 "$out"
            fail=$((fail + 1))
            continue
        fi
    fi
    pass=$((pass + 1))
done
if [ -f "$root/build/samples/train_mlp" ] || [ -f "$(dirname "$AGREPL")/samples/train_mlp" ]; then
    bin="$(dirname "$AGREPL")/samples/train_mlp"
    if [ -x "$bin" ]; then
        if "$bin" >"$tmp/train_mlp.out" 2>&1; then pass=$((pass + 1)); else
            echo "FAIL sample train_mlp"; tail -5 "$tmp/train_mlp.out"; fail=$((fail + 1)); fi
    fi
fi
echo "samples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
