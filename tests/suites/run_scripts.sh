#!/bin/sh
# Transcript tests: each tests/scripts/NAME.ag is fed to agrepl on stdin (so
# the session goes on after an error, like a person typing) and its whole
# output, stdout and stderr together, must equal NAME.out.  When NAME.args
# exists its words are passed as arguments instead and the file is not fed on
# stdin (for script-mode and option tests); NAME.status holds the expected exit
# status (default: 0, or 1 when the output has an error line).
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
dir=$(dirname "$0")/../scripts
pass=0 fail=0
tmp=$(mktemp -d)
ulimit -c 0 2>/dev/null # a crash fails its check; it never waits on a core dump
sh "$(dirname "$0")/watchdog.sh" $$ 600 scripts & watchdog=$! # a hang fails naming what it ran
trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
for ag in "$dir"/*.ag; do
    [ -e "$ag" ] || continue
    name=$(basename "$ag" .ag)
    expected="$dir/$name.out"
    actual="$tmp/$name.out"
    if [ -f "$dir/$name.args" ]; then
        # shellcheck disable=SC2046
        (cd "$dir" && AGREPL_HEADLESS=1 HOME="$tmp" timeout -k 5 300 "$AGREPL" $(cat "$name.args") >"$actual" 2>&1 </dev/null)
        status=$?
    else
        (cd "$dir" && AGREPL_HEADLESS=1 HOME="$tmp" timeout -k 5 300 "$AGREPL" <"$name.ag" >"$actual" 2>&1)
        status=$?
    fi
    if [ -f "$dir/$name.status" ]; then
        want=$(cat "$dir/$name.status")
    elif grep -q 'error' "$expected" 2>/dev/null; then
        want=1
    else
        want=0
    fi
    if [ ! -f "$expected" ]; then
        echo "FAIL $name: no $name.out"
        fail=$((fail + 1))
    elif ! diff -u "$expected" "$actual" >"$tmp/diff"; then
        echo "FAIL $name: output differs"
        head -40 "$tmp/diff"
        fail=$((fail + 1))
    elif [ "$status" != "$want" ]; then
        echo "FAIL $name: exit status $status, expected $want"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "transcripts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
