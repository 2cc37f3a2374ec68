#!/bin/sh
# Files of data, side by side (bench/README.md, "Files of data"): a CSV of a
# million rows read by agrepl's load_csv against numpy.loadtxt, and a .npy
# of the same numbers read by load_npy against reading the file's bytes.
# Each is a whole process, its CPU time (user + system, which a loaded
# machine does not inflate as it does wall time), best of 3 runs, its
# start-up (an empty run) subtracted.  Not a test: the numbers depend on
# the machine.
# Usage: sh bench/data_files.sh [build/agrepl] [rows]   (GNU time: Debian's package time)
set -u
AGREPL=${1:-build/agrepl}
ROWS=${2:-1000000}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$PY - "$tmp" "$ROWS" <<'PYEOF'
import sys, numpy as np
tmp, rows = sys.argv[1], int(sys.argv[2])
x = np.random.default_rng(0).standard_normal((rows, 4))
np.savetxt(tmp + "/big.csv", x, delimiter=",", fmt="%.17g")
np.save(tmp + "/big.npy", x)
PYEOF
best() { # best of 3: CPU seconds (user + system) of the command
    b=""
    for _ in 1 2 3; do
        /usr/bin/time -o "$tmp/time" -f "%U %S" "$@" >/dev/null 2>&1
        t=$(tail -1 "$tmp/time")
        b=$(echo "$t ${b:-1e9}" | awk '{ t = $1 + $2; print (t < $3 ? t : $3) }')
    done
    echo "$b"
}
csv_bytes=$(wc -c < "$tmp/big.csv"); npy_bytes=$(wc -c < "$tmp/big.npy")
a0=$(best "$AGREPL" --headless -e 'x = 1')
p0=$(best $PY -c 'import numpy')
a_csv=$(best "$AGREPL" --headless -e "x = load_csv(\"$tmp/big.csv\")")
p_csv=$(best $PY -c "import numpy; numpy.loadtxt('$tmp/big.csv', delimiter=',')")
a_npy=$(best "$AGREPL" --headless -e "x = load_npy(\"$tmp/big.npy\")")
p_npy=$(best $PY -c "import numpy; numpy.load('$tmp/big.npy')")
cat_npy=$(best cat "$tmp/big.npy")
awk -v rows="$ROWS" -v cb="$csv_bytes" -v nb="$npy_bytes" -v a0="$a0" -v p0="$p0" -v ac="$a_csv" -v pc="$p_csv" \
    -v an="$a_npy" -v pn="$p_npy" -v cn="$cat_npy" 'BEGIN {
    printf "CSV, %d rows x 4 (%.1f MB): agrepl load_csv %.3f s, numpy.loadtxt %.3f s (ratio %.2f)\n", rows, cb / 1e6, ac - a0, pc - p0, (ac - a0) / (pc - p0)
    printf ".npy (%.1f MB): agrepl load_npy %.3f s, numpy.load %.3f s, cat %.3f s (CPU seconds)\n", nb / 1e6, an - a0, pn - p0, cn
}'
