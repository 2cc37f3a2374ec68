#!/usr/bin/env python3
"""web_page.py WEB_DIR OUT.png: the README's picture of the web page.

Serves WEB_DIR (build/web, made by `make web`) on 127.0.0.1 and drives
Debian's headless Chromium through chromium-driver and Selenium, as
tests/python/web_test.py does: types the README's first session, shows its
graph with x's node clicked open in the inspector, runs the circle lesson
(a small network learning a ring around a disc) and scrolls the plot to its
decision boundary, then takes the page (a 1400x1000 window).  pictures.sh runs it
when the page is built."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "python"))
from checks import end_group, serve_folder, start_browser, temp_dir  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WEB, OUT = sys.argv[1], os.path.abspath(sys.argv[2])
LIMIT = 300  # seconds any one step may take before the picture is given up

tmp = temp_dir("agrepl-web-picture-")  # removed at the end, however it ends
# TMPDIR: Chromium's own temporary files (an org.chromium.Chromium.* folder,
# left when it is ended) go with tmp
env = dict(os.environ, HOME=tmp, TMPDIR=tmp)
env.pop("DISPLAY", None)
processes = []
driver = None
try:
    server, port = serve_folder(WEB, os.path.join(tmp, "server.log"), env)
    processes.append(server)
    driver = start_browser(processes, tmp, env, (1400, 1000), extra=["--hide-scrollbars"])
    wait = WebDriverWait(driver, LIMIT, poll_frequency=0.05)
    driver.get("http://127.0.0.1:%d/index.html" % port)
    wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.ready"))
    wait.until(lambda d: d.find_element(By.ID, "input").is_enabled())

    def typed(line):
        """Types line into the console and presses Enter; waits until it ran."""
        before = driver.execute_script("return window.agrepl.runs")
        box = driver.find_element(By.ID, "input")
        box.send_keys(line)
        box.send_keys(Keys.ENTER)
        wait.until(lambda d: d.execute_script("return window.agrepl.runs") > before and
                   d.find_element(By.ID, "input").is_enabled() and
                   d.find_element(By.ID, "stop").get_property("disabled"))

    for line in ["x = 1.0", "y = sin(x) + x^2", "y.backward()", "x.grad", "tree(y)"]:
        typed(line)
    wait.until(lambda d: d.execute_script("return window.agrepl.vizReady"))
    typed("show(y)")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph svg g.node"))
    nodes = driver.find_elements(By.CSS_SELECTOR, "#graph svg g.node")
    x_node = next(n for n in nodes if "x" in n.text.split("\n")[:1])
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", x_node)
    wait.until(lambda d: d.find_element(By.ID, "inspector").text)
    typed(":load playground_circle")
    # the last boundary and every unit's map drawn; then the plot pane
    # scrolled so the boundary with its points and its axes sits in view
    wait.until(lambda d: d.execute_script(
        "var s = document.querySelector('#plot svg'); return s && s.querySelectorAll('image.unit').length === 10 &&"
        " s.querySelectorAll('g.points circle').length === 200"))
    time.sleep(1)
    driver.execute_script(  # the map's panel from its title down to its axis name x0
        "var p = document.getElementById('plot'), a = window.agrepl.figureAxes, m = a.map;"
        "var scale = p.querySelector('svg').getBoundingClientRect().height / a.height;"
        "p.scrollTop = (m.y - 22) * scale")
    driver.find_element(By.CSS_SELECTOR, "[data-zoom=fit]").click()  # the graph whole again,
    driver.find_element(By.CSS_SELECTOR, "[data-zoom=in]").click()  # and a step larger
    time.sleep(0.5)
    driver.save_screenshot(OUT)
    print("wrote %s" % OUT)
finally:
    if driver is not None:
        driver.quit()
    for p in processes:
        end_group(p)
