#!/usr/bin/env python3
"""web_print.py WEB_DIR AGREPL: how fast the web page shows printed lines.

Headless Chromium at 1366x768 (as tests/python/web_test.py drives it) loads
WEB_DIR (build/web) from python3 -m http.server on 127.0.0.1 and types
`for i in range(N) { print(i) }` for N = 2,000 and 200,000: the wall clock
from Enter to the console taking input again, and how many text messages
the worker sent; then AGREPL --headless prints 200,000 lines (wall clock);
then a loop printing without end, Stop pressed after 3 s: the time from the
click to the console taking input, and the last line shown against i."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from checks import end_group, serve_folder, start_browser  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WEB, AGREPL = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
tmp = tempfile.mkdtemp(prefix="agrepl-web-print-")
env = dict(os.environ, HOME=tmp, TMPDIR=tmp)
env.pop("DISPLAY", None)
server = driver = None
browsers = []  # Chromium and chromedriver
try:
    server, port = serve_folder(WEB, os.path.join(tmp, "server.log"), env)
    driver = start_browser(browsers, tmp, env, (1366, 768))
    wait = WebDriverWait(driver, 600, poll_frequency=0.05)
    driver.get("http://127.0.0.1:%d/index.html" % port)
    wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.ready"))
    wait.until(lambda d: d.find_element(By.ID, "input").is_enabled())

    def idle(d):
        return d.find_element(By.ID, "input").is_enabled() and d.find_element(By.ID, "stop").get_property("disabled")

    def typed(line):
        before = driver.execute_script("return window.agrepl.runs")
        box = driver.find_element(By.ID, "input")
        box.send_keys(line)
        box.send_keys(Keys.ENTER)
        started = time.time()
        wait.until(lambda d: d.execute_script("return window.agrepl.runs") > before and idle(d))
        return time.time() - started

    def shown():
        return driver.execute_script("return document.getElementById('output').textContent").split("\n")

    for n in (2000, 200000):
        sent = driver.execute_script("return window.agrepl.textMessages || 0")
        seconds = typed("for i in range(%d) { print(i) }" % n)
        messages = driver.execute_script("return window.agrepl.textMessages || 0") - sent
        print("page, %d lines: %.2f s, %d text messages, last line %s" % (n, seconds, messages, shown()[-2]))
    started = time.time()
    subprocess.run([AGREPL, "--headless"], input="for i in range(200000) { print(i) }\n", capture_output=True,
                   text=True, cwd=tmp, env=env)
    print("terminal (agrepl --headless), 200000 lines: %.2f s" % (time.time() - started))
    box = driver.find_element(By.ID, "input")
    box.send_keys("for i in range(1000000000) { print(i) }")
    box.send_keys(Keys.ENTER)
    time.sleep(3)
    driver.find_element(By.ID, "stop").click()
    started = time.time()
    wait.until(idle)
    stopped = time.time() - started
    lines = shown()
    last = lines[lines.index("error: interrupted") - 1] if "error: interrupted" in lines else None
    typed("i")
    print("page, endless printing loop: Stop took %.2f s; the console holds %d lines; last shown %s, i = %s" %
          (stopped, len(lines), last, shown()[-2]))
finally:
    if driver is not None:
        driver.quit()
    for process in browsers + [server]:
        end_group(process)
    subprocess.run(["rm", "-rf", tmp])
