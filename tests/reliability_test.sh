#!/bin/bash
# Reliability checks that need a shell: output to a full disk or a closed
# pipe must fail with a message on stderr and status 1 (issue 13, item 6).
set -u
AGREPL=${AGREPL:-build/agrepl}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # NAME WANT_STATUS GOT_STATUS STDERR_FILE PATTERN
    if [ "$3" = "$2" ] && grep -q "$5" "$4"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: status $3 (want $2), stderr: $(cat "$4")"
    fi
}
AGREPL_HEADLESS=1 "$AGREPL" -e 'print(1)' >/dev/full 2>"$tmp/err"
check "stdout to /dev/full" 1 $? "$tmp/err" 'error writing to standard output'
# a closed pipe with SIGPIPE ignored: writes fail with EPIPE
(trap '' PIPE; AGREPL_HEADLESS=1 "$AGREPL" -e 'for i in range(200000) { print(i) }' 2>"$tmp/err"; echo $? >"$tmp/rc") | head -c 1 >/dev/null
check "stdout to a closed pipe" 1 "$(cat "$tmp/rc")" "$tmp/err" 'error writing to standard output'
echo "reliability: $pass passed, $fail failed"
[ "$fail" = 0 ]
