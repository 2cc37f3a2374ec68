#!/bin/sh
# repl/'s floors: every #include "..." of a file in repl/ names a header of
# its own floor or one below, by the floor table in HACKING.md (the rows
# "| 3 top |", "| 2 middle |", "| 1 bottom |" of the Layers section) — or
# is one of the includes that still run up, listed in its "| up (to remove) |"
# row.  Fails on an upward include not listed, on a listed one that is gone,
# and on a file of repl/ in no floor.
# Usage: tests/suites/repl_floors_test.sh  (from anywhere; reads the source tree)
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# "FLOOR PATTERN" a line, and the listed upward includes "FILE HEADER"
awk '
    /^\| [123] [a-z]+ \|/ { floor = substr($0, 3, 1); n = split($0, q, "`")
                           for (i = 2; i <= n; i += 2) print floor, q[i] > "'"$tmp"'/floors" }
    /^\| up \(to remove\) \|/ { n = split($0, q, "`")
                               for (i = 2; i <= n; i += 2) if (split(q[i], w, " -> ") == 2) { print w[1], w[2] > "'"$tmp"'/up" } }
' HACKING.md
: >> "$tmp/up"
[ -s "$tmp/floors" ] || { echo "FAIL: no floor table in HACKING.md (its rows begin \"| 1 bottom |\")"; exit 1; }
floor_of() { # $1 = a path below repl/; prints its floor, or nothing
    while read -r floor pattern; do
        case $1 in $pattern) echo "$floor"; return ;; esac
    done < "$tmp/floors"
}
status=0 count=0 : > "$tmp/seen"
for path in $(git ls-files 'repl/*.c' 'repl/*.h' 2>/dev/null || find repl -name '*.[ch]'); do
    file=${path#repl/}
    case $file in web/cairo/* | web/cgraph/*) continue ;; esac # stand-ins for the browser build's libraries
    from=$(floor_of "$file")
    if [ -z "$from" ]; then echo "FAIL: repl/$file is on no floor of HACKING.md's table"; status=1; continue; fi
    for header in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$path"); do
        dir=$(dirname "$path")
        [ -f "$dir/$header" ] || [ -f "repl/$header" ] || continue # src/util/, viz/, include/: below repl/
        to=$(floor_of "$header")
        [ -n "$to" ] || continue
        count=$((count + 1))
        [ "$to" -le "$from" ] && continue
        if grep -qxF "$file $header" "$tmp/up"; then echo "$file $header" >> "$tmp/seen"; continue; fi
        echo "FAIL: repl/$file (floor $from) includes $header (floor $to): an include running up"
        status=1
    done
done
while read -r file header; do
    grep -qxF "$file $header" "$tmp/seen" ||
        { echo "FAIL: HACKING.md lists $file -> $header as running up, but $file no longer includes it"; status=1; }
done < "$tmp/up"
[ "$count" -ge 50 ] || { echo "FAIL: only $count includes of repl/'s headers read (listing broken?)"; status=1; }
[ $status -eq 0 ] && echo "ok: $count includes of repl/'s headers run down or across its floors ($(grep -c . "$tmp/up") listed as still running up)"
exit $status
