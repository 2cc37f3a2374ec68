# bench/regress.sh — sourced by bench/compare.sh and bench/run.sh: a C-API
# result line against the best figure bench/best_c.txt keeps for its
# workload.  Sets c_regressed=1 (and prints a loud line) when the row is
# more than 20 % slower; c_regressed=0 otherwise (or when there is no
# figure).  Targets that compare the REPL with the C API count only while
# the C row is not regressed.
BEST_C=${BEST_C:-$(dirname "$0")/best_c.txt}
check_c() { # check_c RESULT_LINE
    c_regressed=0
    _id=$(printf '%s\n' "$1" | awk '{ print $1 }')
    _us=$(printf '%s\n' "$1" | sed -n 's|.* us/iter=\([0-9.eE+-]*\).*|\1|p')
    _best=$(awk -v id="$_id" '$1 == id { print $2 }' "$BEST_C" 2>/dev/null)
    [ -n "$_best" ] && [ -n "$_us" ] || return 0
    _ratio=$(awk -v a="$_us" -v b="$_best" 'BEGIN { printf "%.2f", a / b }')
    if awk -v r="$_ratio" 'BEGIN { exit !(r > 1.2) }'; then
        c_regressed=1
        echo "    !!! C REGRESSION: $_id takes ${_ratio}x its best on this machine ($_us us/iter against $_best, bench/best_c.txt): targets against the C API do not count"
    else
        echo "    C row against its best (bench/best_c.txt): ${_ratio}x of $_best us/iter"
    fi
}
