#!/bin/sh
# No-crash test for whole scripts: random bytes and random token soups
# (deterministic: a fixed awk seed) are run as `agrepl FILE`.  Each run must
# end with status 0 or 1 — never a signal, never a sanitizer report — and a
# status 1 must come with an error message.
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
COUNT=${FUZZ_COUNT:-150}
tmp=$(mktemp -d)
ulimit -c 0 2>/dev/null # a crash fails its check; it never waits on a core dump
sh "$(dirname "$0")/watchdog.sh" $$ 600 fuzz_scripts & watchdog=$! # a hang fails naming what it ran
trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
# Sanitizers must not hide behind status 1 (their default).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=87"
export AGREPL_HEADLESS=1 HOME="$tmp"
awk -v count="$COUNT" -v dir="$tmp" 'BEGIN {
    srand(20261121)
    split("x y z = + - * / ^ @ % ( ) [ ] { } , ; . : == < > and or not 1 2.5 1e3 -0 \"s\" " \
          "sin exp log sum reshape matmul backward grad cleargrad def for in range if else nograd " \
          "testmode return break continue print zeros ones rand randn mlp sgd adam dot tree plot " \
          "x.grad y.backward() \n \n # true false pi e [1,2,3] [[1,2],[3,4]] :vars :help :digits",
          tok, " ")
    ntok = length(tok)
    for (i = 0; i < count; i++) {
        f = sprintf("%s/soup%03d.ag", dir, i)
        n = 1 + int(rand() * 40)
        s = ""
        for (j = 0; j < n; j++) s = s tok[1 + int(rand() * ntok)] " "
        print s > f
        close(f)
        f = sprintf("%s/bytes%03d.ag", dir, i)
        n = int(rand() * 200)
        s = ""
        for (j = 0; j < n; j++) s = s sprintf("%c", 1 + int(rand() * 126))
        printf "%s", s > f
        close(f)
    }
}'
pass=0 fail=0
for f in "$tmp"/*.ag; do
    out=$(cd "$tmp" && timeout 20 "$AGREPL" --headless "$f" 2>&1 </dev/null)
    status=$?
    if [ "$status" -eq 0 ] || { [ "$status" -eq 1 ] && printf '%s' "$out" | grep -q 'error'; }; then
        pass=$((pass + 1))
    else
        echo "FAIL fuzz $(basename "$f"): status $status"
        printf '%s\n' "$out" | tail -5
        cp "$f" "/tmp/agrepl-fuzz-failure-$(basename "$f")"
        fail=$((fail + 1))
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
