#!/bin/sh
# repl/'s floors, by the floor table in HACKING.md (the rows "| 3 top |",
# "| 2 middle |", "| 1 bottom |" of the Layers section):
#  - includes: every #include "..." of a file in repl/ names a header of its
#    own floor or one below, or is listed in the "| up (to remove) |" row;
#  - calls: every name a repl/ object uses (nm's U) that another repl/ object
#    defines is defined on the user's floor or one below, or is listed as
#    "FILE.c -> NAME" in the "| calls up (to remove) |" row.
# Fails on an include or a call running up that is not listed, on a listed
# one that is gone, and on a file of repl/ in no floor.
# Usage: tests/suites/repl_floors_test.sh [OBJECT.o ...]  (from anywhere; reads
# the source tree, and the objects of repl/ that make hacking-tests names:
# without any, those of build/repl/)
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
    /^\| calls up \(to remove\) \|/ { n = split($0, q, "`")
                               for (i = 2; i <= n; i += 2) if (split(q[i], w, " -> ") == 2) { print w[1], w[2] > "'"$tmp"'/calls_up" } }
' HACKING.md
: >> "$tmp/up"; : >> "$tmp/calls_up"
[ -s "$tmp/floors" ] || { echo "FAIL: no floor table in HACKING.md (its rows begin \"| 1 bottom |\")"; exit 1; }
floor_of() { # $1 = a path below repl/; prints its floor, or nothing
    while read -r floor pattern; do
        case $1 in $pattern) echo "$floor"; return ;; esac
    done < "$tmp/floors"
}
status=0 count=0 : > "$tmp/seen"
for path in $(git ls-files --cached --others --exclude-standard 'repl/*.c' 'repl/*.h' 2>/dev/null || find repl -name '*.[ch]'); do
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

# Calls: which object defines each global name, which uses it (nm -P: "OBJECT: NAME TYPE ...").
[ $# -gt 0 ] || set -- build/repl/*.o
for object in "$@"; do
    [ -f "$object" ] || { echo "FAIL: no object $object (make build-all first)"; exit 1; }
    source=$(basename "$object" .o).c
    floor=$(floor_of "$source")
    [ -n "$floor" ] || { echo "FAIL: repl/$source (from $object) is on no floor of HACKING.md's table"; status=1; continue; }
    echo "$object $source $floor" >> "$tmp/objects"
done
nm -A -P "$@" > "$tmp/nm" || { echo "FAIL: nm could not read the objects"; exit 1; }
# "USER DEFINER NAME USER_FLOOR DEFINER_FLOOR" for each name one object uses and another defines
awk '
    FILENAME ~ /objects$/ { source[$1 ":"] = $2; floor[$1 ":"] = $3; next }
    !($1 in source) { next }
    $3 == "U" { used[++n] = $1 " " $2; next }
    $3 ~ /^[A-TV-Z]$/ && !($2 in definer) { definer[$2] = $1 }
    END {
        for (i = 1; i <= n; i++) {
            split(used[i], u, " "); user = u[1]; name = u[2]
            if (!(name in definer) || definer[name] == user) continue
            d = definer[name]
            print source[user], source[d], name, floor[user], floor[d]
        }
    }
' "$tmp/objects" "$tmp/nm" > "$tmp/calls"
calls=$(grep -c . "$tmp/calls")
: > "$tmp/calls_seen"
while read -r user definer name from to; do
    [ "$to" -le "$from" ] && continue
    if grep -qxF "$user $name" "$tmp/calls_up"; then echo "$user $name" >> "$tmp/calls_seen"; continue; fi
    echo "FAIL: repl/$user (floor $from) uses $name of repl/$definer (floor $to): a call running up"
    status=1
done < "$tmp/calls"
while read -r user name; do
    grep -qxF "$user $name" "$tmp/calls_seen" ||
        { echo "FAIL: HACKING.md lists $user -> $name as a call running up, but $user no longer uses it from a higher floor"; status=1; }
done < "$tmp/calls_up"
[ "$calls" -ge 500 ] || { echo "FAIL: only $calls uses of repl/'s names across its objects read (nm broken?)"; status=1; }
[ $status -eq 0 ] && echo "ok: $count includes of repl/'s headers and $calls uses of names across $(grep -c . "$tmp/objects") objects run down or across its floors ($(grep -c . "$tmp/up") includes, $(grep -c . "$tmp/calls_up") calls listed as still running up)"
exit $status
