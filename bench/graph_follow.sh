#!/bin/sh
# graph_follow.sh — the graph window following a big graph: an interactive
# agrepl (in tmux, under Xvfb) shows the 1,001-node chain y = sin(y) + y
# (`show(y, max_nodes=5000)`), then runs `x.cleargrad(); y.backward()` N
# times: every gradient changes, the structure does not, so each statement
# redraws the window into the kept layout.  A row is the CPU time (user +
# sys of agrepl and its children, from /proc) that one such statement took,
# the window's redraw included, less what the session spends idle over the
# same wall time (SDL's event loop); the same statement with no window is
# measured first.  CPU time holds on a loaded machine where wall time does not.
#   sh bench/graph_follow.sh [BUILD_DIR] [N]
# AGREPL_FOLLOW_PERF=FILE also records a perf profile of the follows there.
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
RUNS=${2:-10}
AGREPL=$(cd "$BUILD" && pwd)/agrepl
if [ -z "${AGREPL_FOLLOW_INNER:-}" ]; then
    for tool in xvfb-run tmux; do
        command -v "$tool" >/dev/null 2>&1 || { echo "graph_follow: needs $tool"; exit 1; }
    done
    exec xvfb-run -a -s "-screen 0 1600x900x24 -noreset" env AGREPL_FOLLOW_INNER=1 \
        AGREPL_FOLLOW_PERF="${AGREPL_FOLLOW_PERF:-}" sh "$0" "$BUILD" "$RUNS"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}"/agbench-follow-XXXXXX)
socket="agrepl-follow-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
python3 - "$AGREPL" "$tmp" "$socket" "$RUNS" <<'PY'
import os, subprocess, sys, time
agrepl, tmp, socket, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ticks = os.sysconf("SC_CLK_TCK")
log = os.path.join(tmp, "trace")

def tmux(*args):
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout

def cpu(pid):
    """user + sys seconds of pid and its reaped children"""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / ticks

def screen():
    return tmux("capture-pane", "-p", "-t", "f")

def send(line):
    tmux("send-keys", "-t", "f", "-l", line)
    tmux("send-keys", "-t", "f", "Enter")

def prompts():
    return screen().count("ag> ")

def shows():
    try:
        return sum(1 for l in open(log) if l.split(" ", 1)[-1].startswith("show "))
    except OSError:
        return 0

def settle(pid, quiet=0.3):
    """waits until pid's CPU time stops growing for `quiet` s; its CPU time then"""
    last, since = cpu(pid), time.time()
    while time.time() - since < quiet:
        time.sleep(0.05)
        now = cpu(pid)
        if now != last:
            last, since = now, time.time()
    return last

def session(env):
    tmux("kill-server")
    cmd = "cd %s && exec env -u AGREPL_HEADLESS %s HOME=%s %s 2>%s/err" % (tmp, env, tmp, agrepl, tmp)
    for _ in range(20): # a server just killed may still hold the socket
        tmux("new-session", "-d", "-s", "f", "-x", "200", "-y", "50", cmd)
        panes = tmux("list-panes", "-t", "f", "-F", "#{pane_pid}").split()
        if panes: break
        time.sleep(0.2)
    pid = int(panes[0])
    for _ in range(100):
        if "ag> " in screen(): break
        time.sleep(0.1)
    return pid

build = "x = 0.5; y = x; for i in range(250) { y = sin(y) + y }; y.backward()"
statement = "x.cleargrad(); y.backward()"

def measure(pid, windowed):
    """CPU seconds of each of `runs` statements, less the idle rate"""
    before, start = settle(pid), time.time()
    time.sleep(2)
    idle = (settle(pid) - before) / (time.time() - start)
    spent = []
    for _ in range(runs):
        c0, t0, n0 = settle(pid), time.time(), shows()
        send(statement)
        while windowed and shows() == n0 and time.time() - t0 < 30:
            time.sleep(0.01)
        c1 = settle(pid)
        spent.append(max(0.0, c1 - c0 - idle * (time.time() - t0)))
    return spent, idle

pid = session("")
send(build)
bare, _ = measure(pid, False)
pid = session("AGREPL_WINDOW_TRACE=" + log)
send(build + '; show(y, max_nodes=5000)')
for _ in range(600):
    if shows() > 0: break
    time.sleep(0.1)
profile = os.environ.get("AGREPL_FOLLOW_PERF") # a perf.data of the follows, when named
perf = subprocess.Popen(["perf", "record", "-F", "4000", "-g", "-o", profile, "-p", str(pid)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if profile else None
followed, idle = measure(pid, True)
if perf:
    perf.send_signal(2)
    perf.wait()
kept = [l.strip() for l in open(log) if " show " in " " + l]
if os.environ.get("AGREPL_FOLLOW_TRACE"): print(open(log).read())
bare.sort(); followed.sort()
print("statement without a window: median %.3f s, max %.3f s" % (bare[len(bare) // 2], bare[-1]))
print("statement the window follows: median %.3f s, max %.3f s (idle %.3f s/s; %d runs)" %
      (followed[len(followed) // 2], followed[-1], idle, runs))
print("last redraw: %s" % (kept[-1] if kept else "none"))
PY
