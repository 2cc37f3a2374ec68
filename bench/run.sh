#!/bin/sh
# bench/run.sh BUILD — what `make bench` runs after building BUILD (-O2, no
# sanitizers): every workload through the C API (BUILD/agbench), then the
# same workloads as agrepl scripts (BUILD/agrepl, whole process timed), then
# agrepl's start-up and a 200-node graph rendered to PNG.  One line each:
#   ID NAME RUNNER iters=N us/iter=T runs=R peak=P | final values
# us/iter is the median over R runs; for agrepl it is the whole process's
# wall time divided by N.  BENCH_RUNS=R overrides R everywhere.
# OpenBLAS runs on one thread (OPENBLAS_NUM_THREADS=1), like PyTorch in
# bench/compare.sh, but for the rows on every core: W5's agrepl-all row and
# the width sweep (agbench --sweep, beside torch_bench.py --sweep).
set -e
BUILD=${1:-build/bench}
AGBENCH=$BUILD/agbench
AGREPL=$BUILD/agrepl
export OPENBLAS_NUM_THREADS=1
HERE=$(dirname "$0")

if [ ! -x "$AGBENCH" ]; then
    echo "bench/run.sh: $AGBENCH is missing (make bench builds it)" >&2
    exit 1
fi

field() { # field NAME LINE: the number after NAME= in a result line
    printf '%s\n' "$2" | sed -n "s|.* $1=\([0-9.eE+-]*\).*|\1|p"
}
. "$HERE/regress.sh"
echo "== C API ($AGBENCH; OPENBLAS_NUM_THREADS=1)"
for w in W1 W2 W3 W6 W4 W5 W5m W7; do
    line=$("$AGBENCH" "$w")
    echo "$line"
    check_c "$line"
    # W5 measures its three products alone between its own steps (CPU time),
    # in a run after the timed ones
    if [ "$w" = W5 ]; then
        echo "    W5 step / its three dgemms alone: $(field vs_dgemm "$line")x (CPU time, interleaved; target <= 1.3x)"
    fi
done

# The library's own blocked product instead of OpenBLAS (src/blas.c), on
# the workloads made of big products: W5m's share is then built-in/OpenBLAS.
echo "== C API, the built-in product (AG_BLAS=builtin)"
for w in W5 W5m; do
    AG_BLAS=builtin "$AGBENCH" "$w"
done

if [ ! -x "$AGREPL" ]; then
    echo "bench/run.sh: $AGREPL is missing: agrepl scripts skipped" >&2
    exit 0
fi

echo "== agrepl scripts ($AGREPL --headless, whole process)"
# id name iterations runs script
# (a fifth word before the script is an option of --time-cmd)
while read -r id name iters runs option script; do
    [ -n "$script" ] || { script=$option; option=""; }
    "$AGBENCH" --time-cmd "$id" "$name" agrepl "$iters" "$runs" $option -- \
        "$AGREPL" --headless "$HERE/$script"
done <<EOF
W1 rosenbrock 10000 5 w1_rosenbrock.ag
W2 matyas 10000 5 w2_matyas.ag
W3 tanh4 100 5 w3_tanh4.ag
W6 chain 100000 5 w6_chain.ag
W4 mlp-small 10000 3 w4_mlp_small.ag
W5 mlp-wide 500 1 --vs-dgemm w5_mlp_wide.ag
W7 lstm 10 3 w7_lstm.ag
EOF

# W5 as agrepl runs it by default: every core for the big products (the
# engine's threads, src/blas.c); the loss is the one-thread run's, bit for bit
env -u OPENBLAS_NUM_THREADS "$AGBENCH" --time-cmd W5 mlp-wide agrepl-all 500 1 -- \
    "$AGREPL" --headless "$HERE/w5_mlp_wide.ag"

echo "== agrepl start-up and rendering (whole process)"
"$AGBENCH" --time-cmd S1 startup agrepl 1 10 -- "$AGREPL" -e '1'
png=$(mktemp "${TMPDIR:-/tmp}"/agbench-graph-XXXXXX.png)
trap 'rm -f "$png"' EXIT # also when a step fails (set -e)
"$AGBENCH" --time-cmd S2 render200 agrepl 1 5 -- "$AGREPL" --headless -e \
    "x = 0.5; y = x; for i in range(50) { y = sin(y) + y }; render(y, \"$png\")"

echo "== the width sweep: 1-W-W-1 MLPs (W5 at W = 256) on one thread and on every core, interleaved blocks, best of ${SWEEP_ROUNDS:=5}; load $(cut -d' ' -f1-3 /proc/loadavg)"
# The C API as agrepl sets it (AG_BLAS_THREADS_AUTO: OPENBLAS_NUM_THREADS,
# OMP_NUM_THREADS, else every CPU), then PyTorch on one thread, its default
# count and every CPU; the ratios pair them row by row.
sweep=$(env -u OPENBLAS_NUM_THREADS "$AGBENCH" --sweep "$SWEEP_ROUNDS")
printf '%s\n' "$sweep"
PYTHON=${PYTHON:-python3}
if "$PYTHON" -c 'import torch' 2>/dev/null; then
    torch_sweep=$(env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$PYTHON" "$HERE/torch_bench.py" --sweep "$SWEEP_ROUNDS")
    printf '%s\n' "$torch_sweep"
    printf '%s\n%s\n' "$sweep" "$torch_sweep" | awk '
        { split($0, f, " "); us = ""; for (i = 1; i <= NF; i++) if ($i ~ /^us\/iter=/) us = substr($i, 9)
          t[$1, $3] = us; if ($0 ~ /default=1/) def[$1] = $3; if ($3 ~ /^C-/ && $3 != "C-1t") all[$1] = $3
          if ($3 ~ /^torch-/) tall[$1] = $3 }
        END { for (w = 16; w <= 1024; w *= 4) { id = "M" w
                if (!((id, "C-1t") in t)) continue
                printf "    W = %-4d C/torch: one thread %.2fx", w, t[id, "C-1t"] / t[id, "torch-1t"]
                if (id in all) printf ", C on %s / torch default (%s) %.2fx, / torch on %s %.2fx", all[id], def[id],
                    t[id, all[id]] / t[id, def[id]], tall[id], t[id, all[id]] / t[id, tall[id]]
                printf "\n" } }'
else
    echo "    (PyTorch is not installed: make bench-compare installs python3-torch)"
fi

echo "== the decision boundary redrawn (100x100 grid of a 2-16-16-1 MLP and the figure; target 30 a second)"
if [ -x "$BUILD/boundary_bench" ]; then "$BUILD/boundary_bench" 200; fi

echo "== agrepl session: statements' cost against the session's size"
sh "$HERE/session.sh" "$BUILD"

echo "== the chain sweep: y = sin(y) * 1.0001 + 0.0001 and one backward, CPU ns an op, 1e3 to 1e7 ops (1e7 takes 3.4 GB; target: worst / best <= 1.3 in one context)"
if [ -x "$BUILD/chain_sweep" ]; then
    "$BUILD/chain_sweep" one 1000 300 10000 300 100000 100 1000000 20 3000000 6 10000000 5
    # a new context for each repetition: the first touch of its memory
    # (the kernel clearing pages) is in the figures
    "$BUILD/chain_sweep" fresh 1000 300 10000 300 100000 100 1000000 20 3000000 6 10000000 5
fi
