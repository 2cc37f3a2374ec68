#!/bin/sh
# bench/compare.sh BUILD — what `make bench-compare` runs: each workload
# through our C API, as an agrepl script, and in PyTorch eager
# (bench/torch_bench.py: float64, torch.set_num_threads(1)), then the ratios
# ours / PyTorch of time per iteration and of peak memory, and the agrepl
# script's against the C API's (time per iteration; peak memory above
# agrepl's own start-up peak, `agrepl -e 1`, against the C run's peak).
#
# W4, W5 and W7 hand PyTorch the same data and initial weights: agbench
# --dump writes them to a temporary file that torch_bench.py reads.  The
# agrepl time is the whole process (start-up included) against PyTorch's
# loop alone.  OPENBLAS_NUM_THREADS=1 for both sides.  PYTHON picks the
# interpreter that has torch (default: Debian's /usr/bin/python3).
set -e
BUILD=${1:-build/bench}
AGBENCH=$BUILD/agbench
AGREPL=$BUILD/agrepl
HERE=$(dirname "$0")
export OPENBLAS_NUM_THREADS=1
if [ -z "$PYTHON" ]; then
    PYTHON=python3
    [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "bench/compare.sh: $PYTHON cannot import torch (make bench-compare installs python3-torch)" >&2
    exit 1
fi
tmp=$(mktemp -d /tmp/agbench-compare-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

field() { # field NAME LINE: the number after NAME= in a result line
    printf '%s\n' "$2" | sed -n "s|.* $1=\([0-9.eE+-]*\).*|\1|p"
}
ratio() { # ratio A B: A/B with three significant digits
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3g", a / b; else printf "n/a" }'
}
report() { # report LABEL OURS_LINE TORCH_LINE
    printf '    %-22s time %sx  peak %sx\n' "$1" \
        "$(ratio "$(field us/iter "$2")" "$(field us/iter "$3")")" \
        "$(ratio "$(field peak "$2")" "$(field peak "$3")")"
}
# report_c REPL_LINE C_LINE TIME_TARGET: the script against the C API, time
# per iteration and peak memory above agrepl's own start-up peak
# (met only while the C row is not regressed: bench/regress.sh)
report_c() {
    peak=$(awk -v a="$(field peak "$1")" -v s="$startup_peak" 'BEGIN { printf "%.2f", a - s }')
    time=$(ratio "$(field us/iter "$1")" "$(field us/iter "$2")")
    case $3 in
    -) goal="no target" ;;
    *)  if [ "$c_regressed" = 1 ]; then
            goal="target <= $3x: not counted, the C row regressed"
        elif awk -v r="$time" -v t="$3" 'BEGIN { exit !(r <= t) }'; then
            goal="target <= $3x: met"
        else
            goal="target <= $3x: NOT met"
        fi ;;
    esac
    printf '    %-22s time %sx (%s)  peak above start-up %sx (target <= 2x)\n' \
        "agrepl (process) / C" "$time" "$goal" "$(ratio "$peak" "$(field peak "$2")")"
}
# report_dgemm LABEL LINE: a W5 step against its three big products alone
# (issue 33: at most 1.3x), as the line measured it: both in CPU time,
# interleaved in one run (agbench W5: blocks of steps and of products in
# turn; --time-cmd --vs-dgemm: the script stopped for a sample every 0.1 s)
report_dgemm() {
    r=$(field vs_dgemm "$2")
    verdict="NOT met"
    awk -v r="$r" 'BEGIN { exit !(r <= 1.3) }' && verdict=met
    printf '    %-22s %sx its three 1000x256x256 dgemms alone (CPU time, interleaved: %s us a step against %s; target <= 1.3x: %s)\n' \
        "$1" "$r" "$(field cpu_us "$2")" "$(field dgemm_us "$2")" "$verdict"
}
. "$HERE/regress.sh"


echo "== ours vs PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)') (float64, 1 thread)"
startup_peak=0
if [ -x "$AGREPL" ]; then
    startup=$("$AGBENCH" --time-cmd S1 startup agrepl 1 10 -- "$AGREPL" -e '1')
    echo "$startup"
    startup_peak=$(field peak "$startup")
fi
# id agrepl-script agrepl-runs target(agrepl/C time)
while read -r id script runs target; do
    data=""
    case $id in
    W4 | W5 | W7)
        data=$tmp/$id.txt
        "$AGBENCH" --dump "$id" "$data"
        ;;
    esac
    ours=$("$AGBENCH" "$id")
    torch=$("$PYTHON" "$HERE/torch_bench.py" "$id" $data)
    echo "$ours"
    echo "$torch"
    report "C / torch" "$ours" "$torch"
    check_c "$ours"
    vs=""
    if [ "$id" = W5 ]; then
        vs=--vs-dgemm
        report_dgemm "C W5 step" "$ours"
        echo "    C page faults per step after 10 steps: $(field faults/step "$ours") (target < 10)"
    fi
    if [ -x "$AGREPL" ]; then
        name=$(printf '%s\n' "$ours" | awk '{ print $2 }')
        iters=$(field iters "$ours")
        repl=$("$AGBENCH" --time-cmd "$id" "$name" agrepl "$iters" "$runs" $vs -- \
            "$AGREPL" --headless "$HERE/$script")
        echo "$repl"
        report "agrepl (process) / torch" "$repl" "$torch"
        report_c "$repl" "$ours" "$target"
        if [ "$id" = W5 ]; then report_dgemm "agrepl W5 step" "$repl"; fi
    fi
done <<EOF
W1 w1_rosenbrock.ag 5 2
W2 w2_matyas.ag 5 2
W3 w3_tanh4.ag 5 -
W6 w6_chain.ag 5 1.2
W4 w4_mlp_small.ag 3 1.2
W5 w5_mlp_wide.ag 1 1.1
W7 w7_lstm.ag 3 1.5
EOF
