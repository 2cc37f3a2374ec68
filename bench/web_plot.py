#!/usr/bin/env python3
"""web_plot.py WEB_DIR AGREPL [OLD_WEB_DIR]: a plotting loop in the web page
against the terminal.

Headless Chromium (as tests/python/web_test.py drives it) loads WEB_DIR from
python3 -m http.server on 127.0.0.1 and runs, 3 times each in turn,
`for i in range(N) { plot(sin(i / 100), "wave") }` (N = 1,000,000, after
clearplot()) and the same loop with `v = sin(i / 100)` for the plot: the
statement's time in the worker (web_run, performance.now()), the worker
thread's CPU (/proc), the figures handed over and their JSON text.  Then
AGREPL --headless runs both loops (CPU, median of 3).  OLD_WEB_DIR: another
build of the page measured the same way, in the same browser, in turn."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from checks import end_group, serve_folder, start_browser  # noqa: E402
from web_cpu import cpu_seconds, worker_cpu  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WEB, AGREPL = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
OLD = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
N = 1000000
PLOT = 'clearplot(); for i in range(%d) { plot(sin(i / 100), "wave") }' % N
BARE = 'clearplot(); for i in range(%d) { v = sin(i / 100) }' % N
tmp = tempfile.mkdtemp(prefix="agrepl-web-plot-")
env = dict(os.environ, HOME=tmp, TMPDIR=tmp)
env.pop("DISPLAY", None)
procs, driver = [], None
try:
    driver = start_browser(procs, tmp, env, (1400, 900))
    chromium = procs[0].pid
    wait = WebDriverWait(driver, 600, poll_frequency=0.05)
    pages = [("page", WEB)] + ([("old page", OLD)] if OLD else [])
    ports = {}
    for name, folder in pages:
        server, ports[name] = serve_folder(folder, os.path.join(tmp, name + ".log"), env)
        procs.append(server)

    def run(src):
        """[the worker's time for src (s), its CPU (s), figures, their JSON characters]"""
        before = driver.execute_script("return window.agrepl.runs")
        got0 = driver.execute_script("return [window.agrepl.figuresReceived || 0, window.agrepl.figureChars || 0]")
        cpu0 = worker_cpu(chromium)
        driver.execute_script("document.getElementById('input').value = arguments[0];"
                              "document.getElementById('input').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}))",
                              src)
        wait.until(lambda d: d.execute_script("return window.agrepl.runs") > before and
                   d.execute_script("return !!document.getElementById('stop').disabled"))
        time.sleep(0.5)  # the last figure drawn
        cpu = worker_cpu(chromium) - cpu0
        got = driver.execute_script("return [window.agrepl.lastMs, window.agrepl.figuresReceived || 0,"
                                    " window.agrepl.figureChars || 0]")
        return [got[0] / 1000, cpu, got[1] - got0[0], got[2] - got0[1]]

    results = {}
    for name, _ in pages:
        results[name] = {"plot": [], "bare": []}
    for _ in range(3):
        for name, _ in pages:
            driver.get("http://127.0.0.1:%d/index.html" % ports[name])
            wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.ready") and
                       d.find_element("id", "input").is_enabled())
            run("x = 1")  # the files read and the graph drawer loaded before the timing
            for kind, src in (("bare", BARE), ("plot", PLOT)):
                results[name][kind].append(run(src))
finally:
    if driver is not None:
        driver.quit()
    for p in procs:
        end_group(p)

native = {kind: statistics.median(cpu_seconds([AGREPL, "--headless"], src + "\n") for _ in range(3))
          for kind, src in (("plot", PLOT), ("bare", BARE))}
print("terminal (agrepl --headless, CPU, median of 3): plotting loop %.2f s, without plot %.2f s" %
      (native["plot"], native["bare"]))
for name, folder in pages:
    r = results[name]
    med = {k: [statistics.median(x[i] for x in r[k]) for i in range(4)] for k in r}
    print("%s (%s), median of 3: plotting loop %.2f s in the worker (CPU %.2f s: %.1fx the terminal's), "
          "%d figures, %.0f JSON characters each; without plot %.2f s (CPU %.2f s: %.1fx)" %
          (name, folder, med["plot"][0], med["plot"][1], med["plot"][1] / native["plot"], med["plot"][2],
           med["plot"][3] / max(med["plot"][2], 1), med["bare"][0], med["bare"][1], med["bare"][1] / native["bare"]))
subprocess.run(["rm", "-rf", tmp])
