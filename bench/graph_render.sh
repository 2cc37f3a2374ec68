#!/bin/sh
# graph_render.sh — render() of big graphs: whole agrepl
# processes drawing a chain y = sin(y) + y of 201, 1,001 and 2,001 nodes and
# y = sin(y) * x + y (long edges) of 601 and 4,801 nodes to PNG and SVG.  Each
# row is the CPU time (user + sys of agrepl and the forked layout child) of
# the best of N runs, beside `agrepl -e 1` in the same run: CPU time holds on
# a loaded machine where wall time does not.
#   sh bench/graph_render.sh [BUILD_DIR] [N]
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
RUNS=${2:-5}
AGREPL=$BUILD/agrepl
dir=$(mktemp -d "${TMPDIR:-/tmp}"/agbench-render-XXXXXX)
trap 'rm -rf "$dir"' EXIT
AGREPL_HEADLESS=1 python3 - "$AGREPL" "$dir" "$RUNS" <<'PY'
import os, resource, subprocess, sys
agrepl, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def cpu(args):
    """user + sys CPU seconds of one run (its children included), best of runs"""
    best = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0: # a lost picture is a row too
            return None, done.stderr.strip().splitlines()[0]
        spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = spent if best is None else min(best, spent)
    return best, done.stdout.strip() + (" / " + done.stderr.strip() if done.stderr.strip() else "")

start, _ = cpu([agrepl, "--headless", "-e", "1"])
print("%-34s %8.3f s" % ("agrepl -e 1 (start-up)", start))
graphs = [("chain, 201 nodes", "x = 0.5; y = x; for i in range(50) { y = sin(y) + y }"),
          ("chain, 1,001 nodes", "x = 0.5; y = x; for i in range(250) { y = sin(y) + y }"),
          ("chain, 2,001 nodes", "x = 0.5; y = x; for i in range(500) { y = sin(y) + y }"),
          ("long edges, 601 nodes", "x = 1.0; y = x; for i in range(100) { y = sin(y) * x + y }"),
          ("long edges, 4,801 nodes", "x = 1.0; y = x; for i in range(800) { y = sin(y) * x + y }")]
for name, build in graphs:
    for ext in ("png", "svg"):
        path = os.path.join(out, "g." + ext)
        seconds, said = cpu([agrepl, "--headless", "-e",
                             '%s; render(y, "%s", max_nodes=5000, fold=false)' % (build, path)])
        shown = "%8.3f s" % seconds if seconds is not None else "  failed"
        print("%-34s %s  (%s)" % ("%s, %s" % (name, ext.upper()), shown, said.replace(out + "/", "")))
PY
