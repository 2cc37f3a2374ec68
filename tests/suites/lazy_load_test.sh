#!/bin/sh
# What agrepl loads, and when (start-up, bench/README.md): it links none of
# the graph and window libraries and not OpenBLAS; it loads the viz module
# agrepl-viz.so (viz/viz_module.h) only when a graph or plot built-in runs,
# and says clearly why when the module cannot be loaded (the session keeps
# its values and goes on); the library loads OpenBLAS at the first product
# that needs it (src/blas.c), with the engine's thread settings, and never
# with AG_BLAS=builtin; Readline is loaded only by an interactive session
# (repl/main.c readline_load), never by a script.
set -u
AGREPL=${AGREPL:-build/agrepl}
AGREPL="$(cd "$(dirname "$AGREPL")" && pwd)/$(basename "$AGREPL")"
pass=0 fail=0
agrepl() { AGREPL_HEADLESS=1 timeout -k 5 60 "$AGREPL" "$@"; }
tmp=$(mktemp -d)
sh "$(dirname "$0")/watchdog.sh" $$ 600 lazy-load & watchdog=$!
trap 'kill $watchdog 2>/dev/null; rm -rf "$tmp"' EXIT
ulimit -c 0 2>/dev/null
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# Linked: no Graphviz, SDL2, Cairo, Pango or OpenBLAS (they were most of start-up).
needed=$(readelf -d "$AGREPL" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ -n "$needed" ] && ! printf '%s\n' "$needed" | grep -q 'SDL\|gvc\|cgraph\|cairo\|pango\|blas'; then ok
else bad "agrepl links the viz libraries: $(printf '%s ' $needed)"; fi

# Readline: not linked, not loaded by a script (interactive_test.sh drives
# the session that loads it).
if ! printf '%s\n' "$needed" | grep -q 'readline\|tinfo'; then ok
else bad "agrepl links Readline: $(printf '%s ' $needed)"; fi
LD_DEBUG=files agrepl -e 'x = 2.0' >/dev/null 2>"$tmp/ld"
if [ $? = 0 ] && ! grep -q 'libreadline\|libtinfo' "$tmp/ld"; then ok
else bad "a script loaded Readline: $(grep -m1 'readline\|tinfo' "$tmp/ld")"; fi

# libcsv and libzip (and libzip's libcrypto): not linked, not loaded by a
# script that reads no CSV or .npz; loaded by the first call that needs them.
if ! printf '%s\n' "$needed" | grep -q 'libcsv\|libzip'; then ok
else bad "agrepl links libcsv or libzip: $(printf '%s ' $needed)"; fi
LD_DEBUG=files agrepl -e 'x = moons(10, seed=1)' >/dev/null 2>"$tmp/ld"
if [ $? = 0 ] && ! grep -q 'libcsv\|libzip' "$tmp/ld"; then ok
else bad "a script without files of data loaded libcsv or libzip: $(grep -m1 'libcsv\|libzip' "$tmp/ld")"; fi
printf '1,2\n3,4\n' >"$tmp/d.csv"
(cd "$tmp" && LD_DEBUG=files AGREPL_HEADLESS=1 timeout -k 5 60 "$AGREPL" -e 'x = load_csv("d.csv"); save_npz("d.npz", x); print(load_npz("d.npz"))') >"$tmp/out" 2>"$tmp/ld"
if [ $? = 0 ] && grep -q 'calling init: .*libcsv.so' "$tmp/ld" && grep -q 'calling init: .*libzip.so' "$tmp/ld" &&
   grep -q '^variable\[2 2\]' "$tmp/out"; then ok
else bad "load_csv and save_npz did not load libcsv and libzip: $(cat "$tmp/out")"; fi

# Loaded: not by a script that never draws; by the first graph built-in.
LD_DEBUG=files agrepl -e 'x = 2.0; y = x * x' >/dev/null 2>"$tmp/ld"
if [ $? = 0 ] && ! grep -q 'agrepl-viz.so\|libSDL2' "$tmp/ld"; then ok
else bad "a script that never draws loaded the viz module: $(grep -m2 'agrepl-viz\|SDL' "$tmp/ld")"; fi
printf 'x = 2.0\ny = x * x\ntree(y)\n' >"$tmp/tree.ag"
LD_DEBUG=files agrepl "$tmp/tree.ag" >"$tmp/out" 2>"$tmp/ld"
if [ $? = 0 ] && grep -q 'calling init: .*agrepl-viz.so' "$tmp/ld" && grep -q '^y = 4 ' "$tmp/out"; then ok
else bad "tree(y) did not load the module and draw: $(cat "$tmp/out")"; fi

# Missing: a clear error, status 1, and the session goes on with its values.
printf 'x = 2.0\nplot(x)\nprint(x + 1)\n' | AGREPL_VIZ_MODULE="$tmp/none.so" agrepl >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "error: plot: graphs and plots need agrepl's graph module, which could not be loaded: $tmp/none.so: cannot open shared object file" "$tmp/err" &&
   grep -q '^variable(3)$' "$tmp/out"; then ok
else bad "missing module (AGREPL_VIZ_MODULE): status $rc, stderr: $(cat "$tmp/err"), stdout: $(cat "$tmp/out")"; fi
# A copy of agrepl with no module beside it (and none installed there) names where it looked.
cp "$AGREPL" "$tmp/agrepl"
printf 'x = 2.0\ndot(x * x)\n' >"$tmp/dot.ag"
AGREPL_HEADLESS=1 timeout -k 5 60 "$tmp/agrepl" "$tmp/dot.ag" >"$tmp/out" 2>"$tmp/err"
rc=$?
installed=$(strings "$AGREPL" | grep -m1 '^/.*/agrepl/agrepl-viz.so$')
if [ $rc = 1 ] && [ -n "$installed" ] && ! [ -e "$installed" ] &&
   grep -q "dot: graphs and plots need agrepl's graph module, which could not be loaded: agrepl-viz.so is not in $tmp/ nor $installed" "$tmp/err"; then ok
elif [ -e "$installed" ]; then echo "viz-module: skipped the copied-agrepl check ($installed is installed)"
else bad "copied agrepl without its module: status $rc, stderr: $(cat "$tmp/err")"; fi
# Not the module: refused by name.
libs=$(dirname "$AGREPL")
if [ -e "$libs/libautograd.so" ]; then
    AGREPL_VIZ_MODULE="$libs/libautograd.so" agrepl "$tmp/dot.ag" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc = 1 ] && grep -q "libautograd.so is not this agrepl's graph module (no agrepl_viz_module)" "$tmp/err"; then ok
    else bad "a library that is not the module: status $rc, stderr: $(cat "$tmp/err")"; fi
fi
# OpenBLAS: not loaded by scalars or a product small enough for the
# engine's own loop (2x2x2), loaded by a bigger one, whose numbers are right.
LD_DEBUG=files agrepl -e 'x = [[1, 2], [3, 4]]; y = x @ x; z = 2.0 * 3.0' >/dev/null 2>"$tmp/ld"
if [ $? = 0 ] && ! grep -q 'openblas' "$tmp/ld"; then ok
else bad "scalars and a 2x2 product loaded OpenBLAS: $(grep -m1 openblas "$tmp/ld")"; fi
LD_DEBUG=files agrepl -e 'x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]; print(x @ x)' >"$tmp/out" 2>"$tmp/ld"
if [ $? = 0 ] && grep -q 'calling init: .*openblas' "$tmp/ld" && grep -q '150' "$tmp/out" && grep -q '30' "$tmp/out"; then ok
else bad "a 3x3 product did not load OpenBLAS or is wrong: $(cat "$tmp/out")"; fi
AG_BLAS=builtin LD_DEBUG=files agrepl -e 'x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]; print(x @ x)' >"$tmp/out" 2>"$tmp/ld"
if [ $? = 0 ] && ! grep -q 'openblas' "$tmp/ld" && grep -q '150' "$tmp/out" && grep -q '30' "$tmp/out"; then ok
else bad "AG_BLAS=builtin: a 3x3 product loaded OpenBLAS or is wrong: $(cat "$tmp/out")"; fi
# Threads: OpenBLAS runs on one (its workers are stopped before the first
# product); a product of 2^22 multiply-adds or more is split over the
# engine's own threads (src/blas.c: "ag-gemm"), as many in all as
# OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS, else the CPUs say; small ones
# stay on the calling thread.  (Killed after the look; no timeout wrapper,
# whose own process would be the one looked at.)
threads_during() { # threads_during ENV SIZE: "TASKS WORKERS" 2 s into SIZE^2 products
    env $1 AGREPL_HEADLESS=1 "$AGREPL" -e "x = randn([$2, $2], seed=0)
for i in range(100000) { y = x @ x }" >/dev/null 2>&1 & p=$!
    sleep 2
    echo "$(ls /proc/$p/task 2>/dev/null | wc -l) $(cat /proc/$p/task/*/comm 2>/dev/null | grep -c '^ag-gemm$')"
    kill $p 2>/dev/null; wait $p 2>/dev/null
}
small=$(threads_during OPENBLAS_NUM_THREADS=3 100)
big=$(threads_during OPENBLAS_NUM_THREADS=3 600)
omp=$(threads_during "-u OPENBLAS_NUM_THREADS -u GOTO_NUM_THREADS OMP_NUM_THREADS=2" 600)
one=$(threads_during OPENBLAS_NUM_THREADS=1 600)
if [ "$small" = "1 0" ] && [ "$big" = "3 2" ] && [ "$omp" = "2 1" ] && [ "$one" = "1 0" ]; then ok
else bad "threads (tasks, ag-gemm workers): $small during 100x100 products (want 1 0), $big during 600x600 with OPENBLAS_NUM_THREADS=3 (want 3 2), $omp with OMP_NUM_THREADS=2 (want 2 1), $one with OPENBLAS_NUM_THREADS=1 (want 1 0)"; fi
echo "lazy-load: $pass passed, $fail failed"
[ "$fail" = 0 ]
