#!/bin/sh
# bench/compare.sh BUILD — what `make bench-compare` runs: each workload
# through our C API, as an agrepl script, and in PyTorch eager
# (bench/torch_bench.py: float64, torch.set_num_threads(1)), then the ratios
# ours / PyTorch of time per iteration and of peak memory, and the agrepl
# script's against the C API's (time per iteration; peak memory above
# agrepl's own start-up peak, `agrepl -e 1`'s smallest, against the C
# run's peak).
#
# The three run in interleaved rounds, C between the other two and the
# order turned round every other round: seven rounds for the scalar rows
# W1, W2, W4 and W6 (their rounds' ratios spread most on a shared host),
# five for W5, three for W3 and W7.  Each side's time in a round is the
# median of its runs; a ratio is the median of the rounds' ratios, each of
# two times taken one after the other, so a load that comes and goes on a
# shared machine weighs on both sides of it alike (in one evening PyTorch's
# W5 step moved from 11.4 to 14.0 ms between minutes, and C's W2 between
# 0.7 and 1.2 us from one process to the next).
#
# W4, W5 and W7 hand PyTorch the same data and initial weights: agbench
# --dump writes them to a temporary file that torch_bench.py reads.  The
# agrepl time is the whole process (start-up included) against PyTorch's
# loop alone; a second line gives the script against the C API less the
# start-up (`agrepl -e 1`, timed in the same round).  For W1, W2, W6 and
# W7 a third, "in-session loop / C", times the script as the C row times
# its loop: the script run five times in one session, each run's statements
# timed by `:time` (wall clock), the fastest run's time an iteration, against
# the C row's fastest of its five runs in the same round.  OPENBLAS_NUM_THREADS=1
# for both sides.  PYTHON picks the interpreter that has torch (default:
# Debian's /usr/bin/python3).
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
tmp=$(mktemp -d "${TMPDIR:-/tmp}"/agbench-compare-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

field() { # field NAME LINE: the number after NAME= in a result line
    printf '%s\n' "$2" | sed -n "s|.* $1=\([0-9.eE+-]*\).*|\1|p"
}
ratio() { # ratio A B: A/B with three significant digits
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3g", a / b; else printf "n/a" }'
}
# in_session SCRIPT ITERS: SCRIPT run five times in one agrepl session with
# :time on, its print lines left out (the C loop prints nothing); the
# fastest run's statements' time summed, in us an iteration (each run ends
# with a marker print, whose own time line is left out)
in_session() {
    { echo ':time on'
      for _ in 1 2 3 4 5; do grep -v -e '^#' -e '^print(' "$1"; echo 'print("--run--")'; done
    } >"$tmp/in_session.ag"
    "$AGREPL" --headless "$tmp/in_session.ag" 2>&1 | awk -v n="$2" '
        /^time:/ { if (marker) marker = 0; else sum += $2; next }
        /^--run--$/ { if (k == 0 || sum < best) best = sum; k++; sum = 0; marker = 1 }
        END { if (k == 5) printf "%.6g\n", best * 1000 / n; else print "n/a" }'
}
median() { # median NUMBER...: their median (n/a among them counts as large)
    printf '%s\n' "$@" | sed 's|^n/a$|1e308|' | sort -g |
        awk 'NF { v[++n] = $1 } END { m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                                      if (n == 0 || m + 0 >= 1e308) print "n/a"; else printf "%.6g\n", m }'
}
# report LABEL RATIOS PEAK_RATIO: the median of the rounds' time ratios
report() {
    # shellcheck disable=SC2086
    printf '    %-22s time %sx (rounds:%s)  peak %sx\n' "$1" "$(median $2)" "$2" "$3"
}
# report_c RATIOS PEAK_ABOVE_STARTUP C_PEAK TIME_TARGET: the script against the
# C API, time per iteration (the median of the rounds) and peak memory above
# agrepl's own start-up peak (met only while the C row is not regressed:
# bench/regress.sh)
report_c() {
    # shellcheck disable=SC2086
    time=$(median $1)
    case $4 in
    -) goal="no target" ;;
    *)  if [ "$c_regressed" = 1 ]; then
            goal="target <= $4x: not counted, the C row regressed"
        elif awk -v r="$time" -v t="$4" 'BEGIN { exit !(r <= t) }'; then
            goal="target <= $4x: met"
        else
            goal="target <= $4x: NOT met"
        fi ;;
    esac
    printf '    %-22s time %sx (rounds:%s; %s)  peak above start-up %sx (target <= 2x)\n' \
        "agrepl (process) / C" "$time" "$1" "$goal" "$(ratio "$2" "$3")"
}
# report_dgemm LABEL LINES: a W5 step against its three big products alone
# (at most 1.3x), the median of the rounds' lines: both in CPU
# time, interleaved in a run of their own, not the timed ones (agbench W5:
# blocks of steps and of products in turn; --time-cmd --vs-dgemm: the
# script stopped for a sample every 0.1 s)
report_dgemm() {
    r=""; cpu=""; dgemm=""
    while read -r line; do
        [ -n "$line" ] || continue
        r="$r $(field vs_dgemm "$line")"
        cpu="$cpu $(field cpu_us "$line")"
        dgemm="$dgemm $(field dgemm_us "$line")"
    done <<LINES
$2
LINES
    # shellcheck disable=SC2086
    r=$(median $r)
    verdict="NOT met"
    awk -v r="$r" 'BEGIN { exit !(r <= 1.3) }' && verdict=met
    # shellcheck disable=SC2086
    printf '    %-22s %sx its three 1000x256x256 dgemms alone (CPU time, interleaved: %s us a step against %s; target <= 1.3x: %s)\n' \
        "$1" "$r" "$(median $cpu)" "$(median $dgemm)" "$verdict"
}
. "$HERE/regress.sh"
repl_vs() { # W5's script with its products sampled (report_dgemm)
    repl_vs=$("$AGBENCH" --time-cmd "$id" "$name" agrepl "$iters" 1 --vs-dgemm -- \
        "$AGREPL" --headless "$HERE/$script") && echo "$repl_vs"
}

echo "== ours vs PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)') (float64, 1 thread; interleaved rounds)"
startup_peak=0
if [ -x "$AGREPL" ]; then
    startup=$("$AGBENCH" --time-cmd S1 startup agrepl 1 10 -- "$AGREPL" -e '1')
    echo "$startup"
    # the smallest run's: a run that got a 2 MiB huge page at start-up would
    # make the scripts' peaks above it come out low, even negative
    startup_peak=$(field peak_min_mib "$startup")
fi
# id agrepl-script agrepl-runs rounds target(agrepl/C time)
while read -r id script runs rounds target; do
    data=""
    case $id in
    W4 | W5 | W7)
        data=$tmp/$id.txt
        "$AGBENCH" --dump "$id" "$data"
        ;;
    esac
    c_us=""; c_torch=""; a_torch=""; a_c=""; a_less=""; a_loop=""; loop_us=""; c_lines=""; a_lines=""; faults=""
    name=$("$AGBENCH" --list | awk -v id="$id" '$1 == id { print $2 }')
    iters=$("$AGBENCH" --list | awk -v id="$id" '$1 == id { print $3 }')
    r=1
    while [ "$r" -le "$rounds" ]; do
        order="repl c torch"
        [ $((r % 2)) = 0 ] && order="torch c repl"
        for side in $order; do
            case $side in
            c) ours=$("$AGBENCH" "$id") && echo "$ours" ;;
            torch) torch=$("$PYTHON" "$HERE/torch_bench.py" "$id" $data) && echo "$torch" ;;
            repl)
                [ -x "$AGREPL" ] || continue
                # W5's step against its products: a run of its own (the
                # samples cool the caches for the steps after them), away
                # from C's
                first=false
                [ "$side" = "${order%% *}" ] && first=true
                if [ "$id" = W5 ] && $first; then repl_vs; fi
                repl=$("$AGBENCH" --time-cmd "$id" "$name" agrepl "$iters" "$runs" -- \
                    "$AGREPL" --headless "$HERE/$script") && echo "$repl"
                # the process's start-up, timed beside it: what the script's
                # steps cost less it (the C row's time is its loop alone)
                s1=$("$AGBENCH" --time-cmd S1 startup agrepl 1 "$runs" -- "$AGREPL" -e '1')
                case $id in W1 | W2 | W6 | W7) loop_us=$(in_session "$HERE/$script" "$iters") ;; esac
                if [ "$id" = W5 ] && ! $first; then repl_vs; fi
                ;;
            esac
        done
        c_us="$c_us $(field us/iter "$ours")"
        c_torch="$c_torch $(ratio "$(field us/iter "$ours")" "$(field us/iter "$torch")")"
        c_lines="$c_lines$ours
"
        faults="$faults $(field faults/step "$ours")"
        if [ -x "$AGREPL" ]; then
            a_torch="$a_torch $(ratio "$(field us/iter "$repl")" "$(field us/iter "$torch")")"
            a_c="$a_c $(ratio "$(field us/iter "$repl")" "$(field us/iter "$ours")")"
            less=$(awk -v a="$(field us/iter "$repl")" -v s="$(field us/iter "$s1")" -v n="$iters" \
                'BEGIN { printf "%.6g", a - s / n }')
            a_less="$a_less $(ratio "$less" "$(field us/iter "$ours")")"
            case $loop_us in
            "") ;;
            n/a) a_loop="$a_loop n/a" ;; # a run failed: counts as large, never met
            *) a_loop="$a_loop $(ratio "$loop_us" "$(field us/iter "$ours")")" ;;
            esac
            a_lines="$a_lines$repl_vs
"
        fi
        r=$((r + 1))
    done
    report "C / torch" "$c_torch" "$(ratio "$(field peak "$ours")" "$(field peak "$torch")")"
    # shellcheck disable=SC2086
    check_c "$id C (median of the rounds) us/iter=$(median $c_us) "
    if [ "$id" = W5 ]; then
        report_dgemm "C W5 step" "$c_lines"
        # shellcheck disable=SC2086
        echo "    C page faults per step after 10 steps: $(median $faults) (target < 10)"
    fi
    if [ -x "$AGREPL" ]; then
        report "agrepl (process) / torch" "$a_torch" "$(ratio "$(field peak "$repl")" "$(field peak "$torch")")"
        peak=$(awk -v a="$(field peak "$repl")" -v s="$startup_peak" 'BEGIN { printf "%.2f", a - s }')
        report_c "$a_c" "$peak" "$(field peak "$ours")" "$target"
        # shellcheck disable=SC2086
        printf '    %-22s time %sx (rounds:%s)\n' "less start-up / C" "$(median $a_less)" "$a_less"
        if [ -n "$a_loop" ]; then
            verdict="target <= ${target}x: NOT met"
            # shellcheck disable=SC2086
            awk -v r="$(median $a_loop)" -v t="$target" 'BEGIN { exit !(r <= t) }' && verdict="target <= ${target}x: met"
            [ "$c_regressed" = 1 ] && verdict="target <= ${target}x: not counted, the C row regressed"
            # shellcheck disable=SC2086
            printf '    %-22s time %sx (rounds:%s)  %s\n' "in-session loop / C" "$(median $a_loop)" "$a_loop" "$verdict"
        fi
        if [ "$id" = W5 ]; then report_dgemm "agrepl W5 step" "$a_lines"; fi
    fi
done <<EOF
W1 w1_rosenbrock.ag 5 7 1.5
W2 w2_matyas.ag 5 7 1.5
W3 w3_tanh4.ag 5 3 -
W6 w6_chain.ag 5 7 1.2
W4 w4_mlp_small.ag 3 7 1.2
W5 w5_mlp_wide.ag 1 5 1.1
W7 w7_lstm.ag 3 3 1.3
W8 w8_lenet.ag 3 3 -
W9 w9_lenet28.ag 3 3 -
EOF
