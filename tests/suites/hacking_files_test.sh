#!/bin/sh
# HACKING.md's file tables name every file under src/ include/ repl/ viz/
# tests/ bench/, and name no file that is not there.
# A table follows a line "`DIR/` by file"; the first cell of each row names
# files (or `SUBDIR/`, covering everything below it) relative to DIR.
# Usage: tests/suites/hacking_files_test.sh  (from anywhere; reads the source tree)
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# the named paths, one a line (directories end in /)
awk '
    /^`[^`]*\/` by file/ { split($0, q, "`"); dir = q[2]; next }
    /^## / { dir = "" }
    dir != "" && /^\| `/ {
        split($0, cells, "|"); cell = cells[2]
        n = split(cell, parts, "`")
        for (i = 2; i <= n; i += 2) print dir parts[i]
    }
' HACKING.md | sort -u > "$tmp/named"
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    git ls-files src include repl viz tests bench > "$tmp/files"
else
    find src include repl viz tests bench -type f > "$tmp/files"
fi
sort -o "$tmp/files" "$tmp/files"
status=0
count=$(grep -c . "$tmp/named")
[ "$count" -ge 100 ] || { echo "FAIL: only $count names read from HACKING.md's tables (format changed?)"; status=1; }
missing=""
while read -r f; do
    grep -qxF "$f" "$tmp/named" && continue
    covered=no d=$f
    while [ "${d%/*}" != "$d" ]; do
        d=${d%/*}
        grep -qxF "$d/" "$tmp/named" && { covered=yes; break; }
    done
    [ $covered = yes ] || missing="$missing $f"
done < "$tmp/files"
[ -z "$missing" ] || { echo "FAIL: in no file table of HACKING.md:$missing"; status=1; }
stale=""
while read -r n; do
    case $n in
    */) grep -q "^$n" "$tmp/files" || stale="$stale $n" ;;
    *) grep -qxF "$n" "$tmp/files" || stale="$stale $n" ;;
    esac
done < "$tmp/named"
[ -z "$stale" ] || { echo "FAIL: HACKING.md's tables name files that are not there:$stale"; status=1; }
# The repository's text says its facts itself: no pointer to a document
# that is not in it (the shared SPEC, DESIGN, STYLE and upstream reference),
# nor to the tracker ("issue 33", "issue 54 item 2"), a bare section number
# of one ("§11") or a golden case of the reference ("G47"): the case checked,
# the figure or the reason is written instead.
pointers=$(grep -rnE 'SPEC §|SPEC section|SPEC\.md|reference §|upstream\.md|DESIGN( §|\.md)|STYLE\.md' \
    src include repl viz tests samples bench man 2>/dev/null | grep -v '^tests/suites/hacking_files_test.sh:')
[ -z "$pointers" ] || { echo "FAIL: references to documents not in the repository (write the fact instead):"; echo "$pointers"; status=1; }
pointers=$(grep -rnIE '\b[Ii]ssues? [0-9]+|§ ?[0-9]|\bG[0-9]{1,3}\b' \
    src include repl viz tests bench man Makefile HACKING.md README.md 2>/dev/null |
    grep -v '^tests/suites/hacking_files_test.sh:')
[ -z "$pointers" ] || { echo "FAIL: pointers to issues, sections or golden cases (write the fact instead):"; echo "$pointers"; status=1; }
[ $status -ne 0 ] || echo "ok: HACKING.md's tables name all $(grep -c . "$tmp/files") files under src include repl viz tests bench"
exit $status
