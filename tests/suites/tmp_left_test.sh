#!/bin/sh
# The Python tests leave nothing in $TMPDIR however they end (their folder
# from checks.temp_dir, removed at exit and on TERM): each case runs one with
# TMPDIR a fresh empty folder, which must be empty after it --
#   safetensors_cnn.py to its end (with PyTorch and NumPy; else skipped);
#   numpy_files_test.py when its agrepl fails at once (an uncaught error midway);
#   numpy_files_test.py ended by TERM, as a wrapping timeout ends it, while its
#   agrepl runs (status 143; the agrepl ended too).
# (The Chromium tests are checked on their own runs: make browser-tests and
# web-tests run them under tests/suites/no_tmp_left.sh.)
# Usage: tests/suites/tmp_left_test.sh build/agrepl
set -u
agrepl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3; [ -x $PY ] || PY=python3
sh "$dir/watchdog.sh" $$ 300 tmp-left & watchdog=$! # a hang fails naming what it ran
tmp=$(mktemp -d) || exit 1
trap 'kill $watchdog 2>/dev/null; [ -s "$tmp/sleeper" ] && kill "$(cat "$tmp/sleeper")" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# left NAME DIR: DIR (the case's TMPDIR) is empty after NAME
left() {
    if [ -z "$(ls -A "$2")" ]; then
        ok "$1: nothing left in TMPDIR"
    else
        fail "$1: left in TMPDIR: $(ls -A "$2" | tr '\n' ' ')"
    fi
}

# safetensors_cnn.py to its end
if $PY -c 'import torch, numpy' 2>/dev/null; then
    mkdir "$tmp/cnn"
    TMPDIR=$tmp/cnn $PY "$dir/../python/safetensors_cnn.py" "$agrepl" >"$tmp/cnn.log" 2>&1 ||
        fail "safetensors_cnn.py: $(tail -n 5 "$tmp/cnn.log")"
    left "safetensors_cnn.py run to its end" "$tmp/cnn"
else
    echo "note: safetensors_cnn.py not run: no PyTorch or NumPy for $PY"
fi

# numpy_files_test.py with an agrepl that fails: its first np.load raises
mkdir "$tmp/fails"
printf '#!/bin/sh\nexit 1\n' >"$tmp/agrepl-fails"
chmod +x "$tmp/agrepl-fails"
TMPDIR=$tmp/fails $PY "$dir/../python/numpy_files_test.py" "$tmp/agrepl-fails" >"$tmp/fails.log" 2>&1
status=$?
[ $status -ne 0 ] && grep -q Error "$tmp/fails.log" && ok "numpy_files_test.py with a failing agrepl: an error, status $status" ||
    fail "numpy_files_test.py with a failing agrepl: status $status: $(tail -n 3 "$tmp/fails.log")"
left "numpy_files_test.py ended by an uncaught error" "$tmp/fails"

# numpy_files_test.py ended by TERM while its agrepl (a sleep) runs
mkdir "$tmp/term"
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 120\n' "$tmp/sleeper" >"$tmp/agrepl-sleeps"
chmod +x "$tmp/agrepl-sleeps"
TMPDIR=$tmp/term $PY "$dir/../python/numpy_files_test.py" "$tmp/agrepl-sleeps" >"$tmp/term.log" 2>&1 &
test_pid=$!
tries=0
while [ ! -s "$tmp/sleeper" ] && [ $tries -lt 300 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
if [ -s "$tmp/sleeper" ]; then
    sleep 0.2 # the exec
    kill -TERM $test_pid
    wait $test_pid
    status=$?
    [ $status -eq 143 ] && ok "numpy_files_test.py ended by TERM: status 143" ||
        fail "numpy_files_test.py ended by TERM: status $status: $(tail -n 3 "$tmp/term.log")"
    sleeper=$(cat "$tmp/sleeper")
    tries=0
    while kill -0 "$sleeper" 2>/dev/null && [ $tries -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -0 "$sleeper" 2>/dev/null && fail "numpy_files_test.py ended by TERM: its agrepl (pid $sleeper) runs on" ||
        ok "numpy_files_test.py ended by TERM: its agrepl ended too"
    left "numpy_files_test.py ended by TERM" "$tmp/term"
else
    kill $test_pid 2>/dev/null
    fail "numpy_files_test.py never started its agrepl: $(tail -n 3 "$tmp/term.log")"
fi

echo "tmp left: $passed passed, $failed failed"
[ $failed -eq 0 ]
