#!/bin/sh
# bench/callgrind.sh BUILD [ID ...] — instruction counts (valgrind's
# callgrind) of each workload through the C API and as an agrepl script, for
# comparisons on a loaded machine, where wall times move by 2-3x (see
# bench/README.md).  The C figure is everything agbench's run of the
# workload executes (BENCH_RUNS=1: one run, set-up included, process
# start-up not); the agrepl figure is the whole process, start-up included,
# as `make bench-compare` times it.  Under valgrind OpenBLAS and the vector
# kernels take their AVX2 paths (valgrind has no AVX-512).  Default IDs: S1
# (agrepl -e 1) W1 W1d W2 W4 W6 W7; W5 takes about 5 minutes.  W1d is W1's
# script with the objective a def called at every step, against W1's C run.
set -e
BUILD=${1:-build/bench}
[ $# -gt 0 ] && shift
IDS=${*:-S1 W1 W1d W2 W4 W6 W7}
HERE=$(dirname "$0")
export OPENBLAS_NUM_THREADS=1 BENCH_RUNS=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}"/agbench-callgrind-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
total() { # total FILE: the program's instruction count
    callgrind_annotate "$1" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,
}
inclusive() { # inclusive FILE FUNCTION
    callgrind_annotate --inclusive=yes "$1" 2>/dev/null | grep ":$2 " | head -1 | awk '{ print $1 }' | tr -d ,
}
script_of() {
    case $1 in
    W1) echo w1_rosenbrock.ag ;; W1d) echo w1_rosenbrock_def.ag ;; W2) echo w2_matyas.ag ;; W3) echo w3_tanh4.ag ;;
    W4) echo w4_mlp_small.ag ;; W5) echo w5_mlp_wide.ag ;; W6) echo w6_chain.ag ;; W7) echo w7_lstm.ag ;;
    esac
}
for id in $IDS; do
    if [ "$id" = S1 ]; then
        valgrind --tool=callgrind --callgrind-out-file="$tmp/s1" "$BUILD/agrepl" -e 1 >/dev/null 2>&1
        printf '%-3s agrepl -e 1: %s instructions\n' S1 "$(total "$tmp/s1")"
        continue
    fi
    valgrind --tool=callgrind --callgrind-out-file="$tmp/c" "$BUILD/agbench" "${id%d}" >/dev/null 2>&1
    valgrind --tool=callgrind --callgrind-out-file="$tmp/r" "$BUILD/agrepl" --headless \
        "$HERE/$(script_of "$id")" >/dev/null 2>&1
    c=$(inclusive "$tmp/c" run_workload)
    r=$(total "$tmp/r")
    printf '%-3s C %s  agrepl (process) %s  agrepl / C %s\n' "$id" "$c" "$r" \
        "$(awk -v a="$r" -v b="$c" 'BEGIN { printf "%.2fx", a / b }')"
done
