#!/bin/sh
# The reference is whole: the pages man/gen_ref.py makes from the headers
# are the ones in man/ (nobody edited a header and forgot `make man`), and
# every function the shared library exports is in a man page.
# Usage: tests/man_test.sh build/libautograd.so.X.Y.Z
set -u
shared=$1
status=0
cd "$(dirname "$0")/.." || exit 1
python3 man/gen_ref.py include/autograd man --check || status=1
exported=$(nm -D --defined-only "$shared" | awk '$2 == "T" { print $3 }')
count=$(printf '%s\n' "$exported" | grep -c .)
missing=""
for f in $exported; do
    grep -q "\\b$f(" man/autograd*.3 || missing="$missing $f"
done
if [ "$count" -lt 100 ]; then
    echo "FAIL: only $count exported functions (listing broken?)"; status=1
elif [ -n "$missing" ]; then
    echo "FAIL: exported but in no man page:$missing"; status=1
else
    echo "ok: all $count exported functions are in man/autograd*.3"
fi
for page in man/autograd*.3; do
    err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$err" ] || { echo "FAIL: $page: $err" | head -5; status=1; }
done
exit $status
