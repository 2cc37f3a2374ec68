#!/bin/sh
# no_tmp_left.sh COMMAND...: runs COMMAND (a Python test: make's numpy-,
# torch-, kernel-, notebook-, browser- and web-tests) with TMPDIR a fresh empty
# folder, and fails when COMMAND leaves anything in it (its temporary folder,
# Chromium's org.chromium.Chromium.*): a FAIL line naming what was left, and
# status 1 when COMMAND's own was 0.  Otherwise COMMAND's status.  The folder
# goes either way.
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/agrepl-tmpdir-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TMPDIR=$dir "$@"
status=$?
if [ -n "$(ls -A "$dir")" ]; then
    echo "FAIL: left in TMPDIR by $*: $(ls -A "$dir" | tr '\n' ' ')"
    [ $status -ne 0 ] || status=1
fi
exit $status
