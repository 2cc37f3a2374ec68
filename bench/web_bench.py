#!/usr/bin/env python3
"""web_bench.py WEB_DIR AGREPL: the web page's figures (make bench-web).

- size: every file of WEB_DIR (build/web: page, script, agrepl.js and its
  agrepl.wasm, @viz-js/viz, the lessons) compressed with gzip -9, as a static
  server that compresses sends them (goal: under 3 MB);
- first prompt: headless Chromium (as tests/python/web_test.py) loading the page
  from python3 -m http.server on 127.0.0.1, the time from the start of the
  navigation to the console taking input (performance.now() when the worker
  says ready), median of 5 reloads once the page is cross-origin isolated
  (goal: under 1 s), and the first visit (which reloads once for isolation);
- Rosenbrock: the CPU time (user + system, from /proc) of every process of
  the headless browser while `:load rosenbrock` runs (10,000 steps, with its
  live plot drawn in the page) and the same lesson without its plot lines,
  against the terminal's agrepl --headless running the same two scripts (CPU
  time, median of 5) (goal: within 3x); the worker's wall clock beside it.

web_bench.py WEB_DIR AGREPL --against OLD_WEB_DIR: the first prompt of
OLD_WEB_DIR too (another build of the page, served from another port), its
loads taken in turn with WEB_DIR's, so both see the same machine.  Each load
also gives when the worker's steps ended: its scripts read, the WebAssembly
compiled and instantiated, the session made (the first prompt; the session's
files are read from IndexedDB after it)."""
import atexit
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from checks import end_group, serve_folder, start_browser  # noqa: E402
from web_cpu import cpu_seconds, session_cpu, worker_cpu  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WEB, AGREPL = sys.argv[1], sys.argv[2]
AGAINST = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--against" else None
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LESSON = os.path.join(ROOT, "samples", "rosenbrock.ag")


def sizes(web):
    size = raw = 0
    for folder, _, names in os.walk(web):
        for name in names:
            data = open(os.path.join(folder, name), "rb").read()
            raw += len(data)
            size += len(gzip.compress(data, 9))
    return size, raw


if AGAINST:
    print("web size, %s: %.2f MB compressed (gzip -9), %.2f MB as files" % ((AGAINST,) + tuple(v / 1e6 for v in sizes(AGAINST))))
size, raw = sizes(WEB)
print("web size: %.2f MB compressed (gzip -9), %.2f MB as files, lessons included (goal: under 3 MB)"
      % (size / 1e6, raw / 1e6))

lesson = open(LESSON).read()
no_plot = "\n".join(l for l in lesson.splitlines()
                    if not any(w in l for w in ("plot(", "track(", "contour(", "savefig(")))
tmp = tempfile.mkdtemp(prefix="agrepl-web-bench-")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # at the end, however it ends
# Chromium's own temporary files (an org.chromium.Chromium.* folder, left
# when it is ended) go with tmp
browser_env = dict(os.environ, TMPDIR=tmp)
procs = []
driver = None
try:
    server, port = serve_folder(WEB, os.path.join(tmp, "server.log"), None)
    procs.append(server)
    driver = start_browser(procs, tmp, browser_env, (1400, 900))  # procs[1]: Chromium
    wait = WebDriverWait(driver, 600, poll_frequency=0.02)

    def load(at=port):
        """[ms to the first prompt, the worker's steps, the page's time origin,
        the browser's CPU seconds meanwhile (every process of it: on a loaded
        machine the wall clock counts the others, this does not)]"""
        cpu0 = session_cpu(procs[1].pid)
        driver.get("http://127.0.0.1:%d/index.html" % at)
        wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.ready"))
        cpu = session_cpu(procs[1].pid) - cpu0
        return driver.execute_script("return [window.agrepl.readyMs, window.agrepl.stages || null, performance.timeOrigin]") + [cpu]

    def stages(got):
        """the worker's steps' medians, ms from the start of the navigation"""
        steps = [g[1] for g in got if g[1]]
        if not steps:
            return ""
        return " (medians: worker started %s)" % ", ".join(
            "%s %.0f" % (k, statistics.median(st[k] - g[2] for st, g in zip(steps, got)))
            for k in ["worker", "scripts", "wasm", "session"])

    first = load()[0]
    isolated = driver.execute_script("return window.crossOriginIsolated")
    if AGAINST:
        old_server, old_port = serve_folder(AGAINST, os.path.join(tmp, "old-server.log"), None)
        procs.append(old_server)
        load(old_port)
        got, old_got = [], []
        for _ in range(7):
            old_got.append(load(old_port))
            got.append(load())
        print("web first prompt, %s: %.0f ms median of 7 loads (%s)%s; the browser's CPU meanwhile %.0f ms (median)"
              % (AGAINST, statistics.median(g[0] for g in old_got), " ".join("%.0f" % g[0] for g in old_got),
                 stages(old_got), 1000 * statistics.median(g[3] for g in old_got)))
    else:
        got = [load() for _ in range(5)]
    loads = [g[0] for g in got]
    print("web first prompt: %.0f ms median of %d loads (%s), first visit %.0f ms (goal: under 1 s)%s"
          % (statistics.median(loads), len(loads), " ".join("%.0f" % t for t in loads), first, stages(got))
          + ("" if isolated else " [page not cross-origin isolated]")
          + "; the browser's CPU meanwhile %.0f ms (median)" % (1000 * statistics.median(g[3] for g in got)))

    chromium = procs[1].pid
    slow_wait = WebDriverWait(driver, 600, poll_frequency=0.25)

    def page_run(src):
        """The worker's wall time for src, and the CPU time of the whole
        browser (every process: page, worker, drawing) meanwhile."""
        before = driver.execute_script("return window.agrepl.runs")
        cpu0, worker0 = session_cpu(chromium), worker_cpu(chromium)
        driver.execute_script("document.getElementById('input').value = arguments[0];"
                              "document.getElementById('input').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}))",
                              src)
        slow_wait.until(lambda d: d.execute_script("return window.agrepl.runs") > before)
        time.sleep(0.3)  # the last figure drawn (at most ten a second)
        cpu, worker = session_cpu(chromium) - cpu0, worker_cpu(chromium) - worker0
        return driver.execute_script("return window.agrepl.lastMs") / 1000, cpu, worker

    full = [page_run(":load rosenbrock") for _ in range(5)]
    loop = [page_run(no_plot) for _ in range(5)]
    first_full = full[0]
    web_full, web_full_cpu, web_full_worker = (statistics.median(r[k] for r in full) for k in range(3))
    web_loop, web_loop_cpu, web_loop_worker = (statistics.median(r[k] for r in loop) for k in range(3))
    idle0 = session_cpu(chromium)
    time.sleep(3)
    idle = (session_cpu(chromium) - idle0) / 3
finally:
    if driver is not None:
        driver.quit()
    for p in procs:
        end_group(p)

native_full = statistics.median(cpu_seconds([AGREPL, "--headless"], lesson) for _ in range(5))
native_loop = statistics.median(cpu_seconds([AGREPL, "--headless"], no_plot) for _ in range(5))
print("web rosenbrock (10,000 steps, live plot): the worker's CPU %.3f s, terminal CPU %.3f s: %.1fx (goal: within 3x); "
      "the first run in a fresh page (WebAssembly still being compiled): %.3f s, %.1fx"
      % (web_full_worker, native_full, web_full_worker / native_full, first_full[2], first_full[2] / native_full))
print("web rosenbrock without plot lines: the worker's CPU %.3f s, terminal CPU %.3f s: %.1fx"
      % (web_loop_worker, native_loop, web_loop_worker / native_loop))
print("web rosenbrock (10,000 steps, live plot): browser CPU %.3f s, terminal CPU %.3f s: %.1fx (goal: within 3x)"
      % (web_full_cpu, native_full, web_full_cpu / native_full))
print("web rosenbrock without plot lines: browser CPU %.3f s, terminal CPU %.3f s: %.1fx"
      % (web_loop_cpu, native_loop, web_loop_cpu / native_loop))
print("web rosenbrock, the worker's wall clock (counts other processes on a loaded machine): "
      "%.3f s with its plot (%.1fx the terminal's CPU), %.3f s without (%.1fx); the idle browser uses %.3f s CPU a second"
      % (web_full, web_full / native_full, web_loop, web_loop / native_loop, idle))

# The page's times are wall clock in a browser (which gives no CPU time):
# on a loaded machine they count other processes too.  The same agrepl.js
# under node, its CPU time, is the WebAssembly's own cost.
NODE = r"""
const create = require(process.argv[1]);
global.postMessage = () => {};
create({ wasmBinary: require('fs').readFileSync(process.argv[1].replace(/\.js$/, '.wasm')) }).then((M) => {
  M._web_start();
  const c0 = process.cpuUsage();
  M.ccall('web_run', 'number', ['string'], [process.argv[2]]);
  const c = process.cpuUsage(c0);
  console.log((c.user + c.system) / 1e6);
});
"""


def node_cpu(src):
    out = subprocess.run(["node", "-e", NODE, os.path.abspath(os.path.join(WEB, "agrepl.js")), src],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, NODE_PATH="/usr/share/nodejs")).stdout
    return float(out.split()[-1])


node_full = statistics.median(node_cpu(lesson) for _ in range(5))
node_loop = statistics.median(node_cpu(no_plot) for _ in range(5))
print("web rosenbrock as WebAssembly under node (CPU): %.3f s with plot lines (%.1fx the terminal's), "
      "%.3f s without (%.1fx)" % (node_full, node_full / native_full, node_loop, node_loop / native_loop))
