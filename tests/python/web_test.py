#!/usr/bin/env python3
"""web_test.py WEB_DIR SHOTS_DIR: the web page (make web) in a real browser.

Serves WEB_DIR (build/web) with python3 -m http.server on 127.0.0.1 and
drives Debian's headless Chromium through chromium-driver and Selenium, as
browser_test.py does: the page cross-origin isolates itself (sw.js), types
the README's first session key by key and checks the printed numbers and the
tree, Tab-completes as Readline (a shared prefix, then the list once with
the typed line under it), shows the graph and clicks x's node for the inspector,
shows a folded MLP readable at 1280x720 and clicks a layer open with its
maps (web_graph.py), keeps a big graph's legend wholly in the pane at
1280x720 and 1366x768, off the output, after a resize, a pan and a zoom
(web_more.py), opens the README's first graph whole beside a plot at
1366x768, keeps the legend off every box at 125-150 % zoom (folded into its
button where no place is free) and a lone loss panel's text at 12 px in a
short pane (web_layout.py), brings statements back with the up arrow, pans, saves
the graph and the plot as SVG and downloads save(m) and render's files
(web_more.py), draws panels chosen by panel= as the terminal lays them
out, readable at 1280x720, with the terminal's axis names (web_more.py),
runs the Rosenbrock lesson and checks its last numbers, plots, draws the
circle lesson's boundary, points and units, heat maps' numbers and a map's
legend under its frame (web_pictures.py: their pixels in the page's PNG), loads a lesson after another on an empty figure at full speed (web_more.py),
loads every lesson by name to its end with
its files offered as links and the lessons' data (web_more.py), interrupts an
endless loop (every name kept) and one that plots as fast as it can (the
page answering, the series kept bounded, web_more.py), saves a session with :save, reloads the page
and :loads it back (the browser's storage), checks an error's caret (under its name in a statement wider than the console, web_more.py),
compares the page's dot(y) with the terminal's, writes lesson pages with
agrepl --web-lesson (beside the build, installed, none), reads a .npy numpy
wrote and picked in the page (the file list left closed, opened by Files) and downloads one numpy reads, reads a CSV
and np.savez / np.savez_compressed archives picked in the page as the
terminal does (the same lines, errors too), and opens a
lesson page from disk (file://).  Screenshots in SHOTS_DIR.
Where emscripten is missing (no page was built) it says SKIP and passes."""
import difflib
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import web_graph  # noqa: E402
import web_layout  # noqa: E402
import web_more  # noqa: E402
import web_pictures  # noqa: E402
from checks import check, end_group  # noqa: E402

WEB, SHOTS = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
AGREPL = os.path.join(os.path.dirname(os.path.abspath(WEB)), "agrepl")
if not os.path.exists(os.path.join(WEB, "agrepl.js")):
    print("SKIP: web page: %s/agrepl.js was not built (emscripten's emcc is missing: make deps installs it)" % WEB)
    sys.exit(0)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.file_detector import UselessFileDetector  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

HANG_GUARD = 300


tmp = checks.temp_dir("agrepl-web-test-")  # removed at the end, however it ends
os.makedirs(SHOTS, exist_ok=True)
# TMPDIR: Chromium's own temporary files (its profile's SingletonSocket in an
# org.chromium.Chromium.* folder, left when it is ended) go with tmp
env = dict(os.environ, HOME=tmp, TMPDIR=tmp)
env.pop("DISPLAY", None)
server = driver = None
browsers = []  # Chromium and chromedriver


try:
    server, port = checks.serve_folder(WEB, os.path.join(tmp, "server.log"), env)
    base = "http://127.0.0.1:%d" % port
    driver = checks.start_browser(browsers, tmp, env, (1400, 900))
    driver.file_detector = UselessFileDetector()  # chromedriver reads a picked file's path itself
    wait = WebDriverWait(driver, HANG_GUARD, poll_frequency=0.05)

    def load():
        driver.get(base + "/index.html")
        wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.ready"))
        wait.until(lambda d: d.find_element(By.ID, "input").is_enabled())

    load()
    charset = driver.execute_script("return document.characterSet")
    check("the page declares UTF-8", charset == "UTF-8", charset)
    isolated = driver.execute_script("return window.crossOriginIsolated && window.agrepl.isolated")
    check("the page is cross-origin isolated from a plain static server (sw.js): Ctrl-C by shared flag",
          isolated, driver.execute_script("return [window.crossOriginIsolated, window.agrepl.isolated]"))

    def output():
        return driver.execute_script("return document.getElementById('output').textContent")

    def runs():
        return driver.execute_script("return window.agrepl.runs")

    def typed(line, timeout=HANG_GUARD):
        """Types line into the console and presses Enter; waits until it ran."""
        before = runs()
        box = driver.find_element(By.ID, "input")
        box.send_keys(line)
        box.send_keys(Keys.ENTER)
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(
            lambda d: d.execute_script("return window.agrepl.runs") > before and
            d.find_element(By.ID, "input").is_enabled() and d.find_element(By.ID, "stop").get_property("disabled"))
        return output()

    # the README's first session, key by key
    for line in ["x = 1.0", "y = sin(x) + x^2", "y.backward()"]:
        typed(line)
    text = typed("x.grad")
    check("README's first session: x.grad prints variable(2.5403023058681398)",
          text.rstrip().endswith("variable(2.5403023058681398)"), text[-300:])
    text = typed("tree(y)")
    check("tree(y) draws the text tree", "│   └── x = 1 (grad 2.5403023058681398)" in text, text[-400:])

    # Tab completion from the session's list
    box = driver.find_element(By.ID, "input")
    box.send_keys("x.back")
    box.send_keys(Keys.TAB)
    wait.until(lambda d: d.find_element(By.ID, "input").get_property("value") != "x.back")
    value = box.get_property("value")
    check("Tab completes a method after '.'", value == "x.backward", value)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    # as the terminal's Readline: a first Tab fills what the candidates share; with nothing to fill
    # it lists nothing (Readline rings its bell), a second lists them with "ag> sq" under them,
    # a third with nothing printed since adds nothing
    typed("abcdef_one = 1; abcdef_two = 2")
    box.send_keys("abc")
    before = output()
    box.send_keys(Keys.TAB)
    wait.until(lambda d: d.find_element(By.ID, "input").get_property("value") != "abc")
    time.sleep(0.2)
    value, printed = box.get_property("value"), output()[len(before):]
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    check("a first Tab fills what two candidates share and lists nothing, as Readline",
          value == "abcdef_" and printed == "", [value, printed])
    box.send_keys("sq")
    lists = []
    for _ in range(3):
        box.send_keys(Keys.TAB)
        time.sleep(0.4)
        lists.append(output()[len(before):])
    value = box.get_property("value")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    shown = lists[1].split("\n")
    check("Tab with nothing to fill: the first lists nothing, the second lists the candidates with the prompt "
          "and the typed text under them, a third adds nothing, as the terminal's Readline",
          lists[0] == "" and value == "sq" and "sqrt" in lists[1] and "squeeze" in lists[1] and
          lists[1].endswith("\nag> sq\n") and "ag> sq" not in "\n".join(shown[:-2]) and lists[2] == lists[1],
          lists)

    # an error with its caret
    text = typed("w = sin(x")
    check("an open parenthesis asks for another line", driver.find_element(By.ID, "prompt").text.strip() == "..>",
          driver.find_element(By.ID, "prompt").text)
    text = typed(")")
    text = typed("z = foo(1)")
    check("an error names the unknown name", "foo" in text.split("ag> z = foo(1)")[-1], text[-300:])
    check("the error's caret is under the column",
          "  z = foo(1)\n      ^" in text.split("ag> z = foo(1)")[-1], text[-300:])

    # the graph, and the inspector on a click
    wait.until(lambda d: d.execute_script("return window.agrepl.vizReady"))
    typed("show(y)")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph svg g.node"))
    nodes = driver.find_elements(By.CSS_SELECTOR, "#graph svg g.node")
    names = [n.find_element(By.TAG_NAME, "title").get_attribute("textContent") for n in nodes]
    check("show(y) draws the graph in the page (@viz-js/viz from the session's DOT)",
          {"v0", "f0", "f1", "f2"} <= set(names), names)
    x_node = next(n for n in nodes if "x" in n.text.split("\n")[:1])
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", x_node)
    wait.until(lambda d: d.find_element(By.ID, "inspector").text)
    inspected = driver.find_element(By.ID, "inspector").text
    check("a click on x shows its gradient in the inspector", "2.5403023058681398" in inspected, inspected)
    check("the inspector shows the chain rule of x's uses", "Sin" in inspected and "Pow" in inspected, inspected)
    driver.save_screenshot(os.path.join(SHOTS, "1-first-session-graph.png"))
    shown = driver.execute_script("return window.agrepl.graphsShown")
    typed("x.cleargrad()")
    text = typed("y.backward(step=0.05)")
    check("backward(step=0.05) plays its steps with the chain rule",
          "done: 3 steps" in text and "x.grad = 2 + 0.5403023058681398 = 2.5403023058681398" in text, text[-500:])
    check("and each step redraws the graph in the page",
          driver.execute_script("return window.agrepl.graphsShown") >= shown + 3,
          (shown, driver.execute_script("return window.agrepl.graphsShown")))
    before = driver.execute_script("return document.querySelector('#graph .agrepl-graph').style.transform")
    driver.find_element(By.CSS_SELECTOR, "[data-zoom=in]").click()
    after = driver.execute_script("return document.querySelector('#graph .agrepl-graph').style.transform")
    check("+ zooms the graph", before != after and "scale" in after, (before, after))
    # a big graph: a folded MLP readable on its output, a box clicked open with its maps (web_graph.py)
    web_graph.run(driver, typed, SHOTS)
    # the legend wholly in the pane, pinned there when the view cuts it (web_more.py)
    web_more.legend(driver, typed, SHOTS)
    # history, pan, Save SVG, save(m) and render(y, "g.svg") downloads (web_more.py)
    web_more.console(driver, typed)
    web_more.saves(driver, typed)

    # the Rosenbrock lesson, with a plot
    # (:digits full first: a lesson loaded by name shows four digits, and the
    # check is that every digit is the terminal's)
    typed(":digits full")
    t0 = time.time()
    text = typed(":load rosenbrock")
    lesson_s = time.time() - t0
    check("the Rosenbrock lesson's last numbers", "10000 x0(0.9944984367782456) x1(0.9890050527419593)" in text,
          text[-500:])
    check("the Rosenbrock lesson's loss", "loss: y(3.0340428960433347e-05)" in text, text[-300:])
    # the lesson's 10,000 losses came in pieces (each figure only the points
    # added since the last) and draw thinned to what shows: the curve's first
    # and last points where they are, far fewer than 10,000
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#plot svg polyline"))
    time.sleep(0.5)
    drawn = driver.execute_script(
        "var p = document.querySelectorAll('#plot svg polyline')[0].getAttribute('points').split(' ');"
        "return [p.length, p[0], p[p.length - 1], document.querySelector('#plot').textContent];")
    check("the lesson's loss curve spans its 10,000 steps, drawn thinned (its first point at the left edge, its last at the right, 3.0e-5 in the legend)",
          100 < drawn[0] < 5000 and "loss 3.0e-5" in drawn[3] and float(drawn[1].split(",")[0]) < 90 and
          float(drawn[2].split(",")[0]) > 510, drawn[:3])
    driver.save_screenshot(os.path.join(SHOTS, "2a-rosenbrock-lesson.png"))
    typed("clearplot()")
    typed("for i in range(50) { plot(1 / (i + 1), \"loss\") }")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#plot svg polyline"))
    pts = driver.execute_script("return document.querySelector('#plot svg polyline').getAttribute('points')")
    check("plot() draws its series in the page", len(pts.split()) == 50, pts[:200])
    typed("def f(a, b) = (1 - a)^2 + 100*(b - a^2)^2")
    typed("contour(f, [-2, 2], [-1, 3])")
    typed("a = -1.5; b = 2.0")
    typed("for i in range(20) { track(a, b); a += 0.1; b -= 0.05 }")
    typed("mark(1, 1, \"minimum\")")
    wait.until(lambda d: "minimum" in d.find_element(By.ID, "plot").text)
    levels = driver.execute_script("return document.querySelectorAll('#plot svg path.level').length")
    check("contour, track and mark draw in the page", levels >= 5, levels)
    drawn = driver.execute_script(
        "var s = document.querySelector('#plot svg'), c = s.querySelector('text.caption');"
        "var n = c ? parseInt(c.textContent, 10) : 0, stroke = function (k) {"
        "  var l = s.querySelector('path.level[data-level=\"' + k + '\"]'); return l ? l.getAttribute('stroke') : null; };"
        "return [c ? c.textContent : null, stroke(0), stroke(n - 1)]")
    check("the contour's caption and level colours are the terminal's (viz/plot_draw.c): \"N levels, low to high "
          "(log spacing)\" over the panel, indigo for the lowest level through to light green for the highest",
          drawn[0] is not None and re.match(r"^\d+ levels, [0-9.e-]+ to [0-9.e-]+ \(log spacing\)$", drawn[0]) and
          drawn[1:] == ["rgb(59,79,154)", "rgb(166,217,106)"], drawn)
    driver.save_screenshot(os.path.join(SHOTS, "2-rosenbrock-plot.png"))

    # Ctrl-C stops an endless loop; every name stays
    typed("n = 0")
    box = driver.find_element(By.ID, "input")
    box.send_keys("for i in range(1000000000) { n += 1 }")
    box.send_keys(Keys.ENTER)
    time.sleep(1.0)
    check("the endless loop is running (Stop enabled)",
          not driver.find_element(By.ID, "stop").get_property("disabled"))
    before = runs()
    box.send_keys(Keys.CONTROL, "c")
    WebDriverWait(driver, 20, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.agrepl.runs") > before)
    text = output()
    check("Ctrl-C stops the loop: interrupted", "error: interrupted" in text.split("ag> for i in range(1000000000)")[-1], text[-300:])
    text = typed("n > 1000")
    check("every name kept after Ctrl-C (n counted on)", text.rstrip().endswith("true"), text[-200:])
    text = typed("x.grad")
    check("x is still bound after Ctrl-C", text.rstrip().endswith("variable(2.5403023058681398)"), text[-200:])
    driver.save_screenshot(os.path.join(SHOTS, "3-interrupted.png"))
    # an endless loop plotting as fast as it can: Stop still ends it (web_more.py)
    web_more.plotting_loop(driver, typed, WEB)  # its figures' JSON small, no performance.now() a plot
    web_more.endless_plot(driver, typed, SHOTS)
    # a single plot beside the graph fits its pane at 1366x768 and at 150% zoom (web_more.py)
    web_more.plot_fits(driver, typed, SHOTS)
    # at 1366x768 and 125-150 % zoom: the README's graph whole beside a plot, the
    # legend over no box, a lone loss panel's text at 12 px (web_layout.py)
    web_layout.first_graph_whole(driver, typed, SHOTS)
    web_layout.legend_clear(driver, typed, SHOTS)
    web_layout.plot_text(driver, typed, SHOTS)

    # :save, reload the page, :load: the file lives in the browser's storage
    text = typed(":save session.ag")
    check(":save writes into the browser's storage", "error" not in text.split(":save session.ag")[-1], text[-300:])
    load()
    text = typed("x")
    check("a reloaded page starts a new session", "unknown name" in text.split("ag> x")[-1], text[-300:])
    # the same DOT as the terminal's
    for line in ["x = 1.0", "y = sin(x) + x^2", "y.backward()", "w = sin(x", ")"]:
        typed(line)
    text = typed("dot(y)")
    web_dot = text.split("ag> dot(y)\n")[-1]
    web_dot = web_dot[:web_dot.rindex("}") + 1] if "}" in web_dot else web_dot
    if os.path.exists(AGREPL):
        native = subprocess.run([AGREPL, "--headless"], capture_output=True, text=True,
                                input="x = 1.0\ny = sin(x) + x^2\ny.backward()\nw = sin(x\n)\ndot(y)\n").stdout
        diff = "".join(difflib.unified_diff(native.strip().splitlines(True), web_dot.strip().splitlines(True),
                                            "terminal", "page"))
        check("dot(y) in the page is the terminal's DOT, byte for byte", web_dot.strip() == native.strip(),
              diff.replace("\t", "\\t"))

    text = typed(":load session.ag")
    text = typed("x.grad")
    check("the saved session loads back after a reload", text.rstrip().endswith("variable(2.5403023058681398)"),
          text[-1500:])
    text = typed(":help")
    check(":help works in the page", ":lessons" in text and "backward" in text, text[-300:])
    driver.save_screenshot(os.path.join(SHOTS, "4-reloaded.png"))
    # the pictures of learning: boundary, scatter, neurons, heatmap, images (web_pictures.py)
    web_pictures.run(driver, typed, SHOTS)
    if os.path.exists(AGREPL):  # savefig in the page against the terminal's
        web_pictures.savefig_as_terminal(driver, typed, SHOTS, AGREPL, tmp)
    web_more.pace(driver, typed)
    web_more.panels(driver, typed, SHOTS, AGREPL)  # panel= at 1280x720
    web_more.map_in_view(driver, typed, SHOTS)  # the moons figure at 1366x768 opens on its boundary
    web_more.axis_names(driver, typed)  # xlabel=, ylabel= and the default names
    web_more.line_colours(driver, typed)
    web_more.marks(driver, typed)  # the cross, its label off the paths
    web_more.long_title(driver, typed, SHOTS)  # wrapped into rows, as the terminal's
    web_more.long_panel_title(driver, typed, SHOTS)  # a panel's title wrapped in its panel
    web_more.long_caret(driver, typed, SHOTS)
    web_more.lesson_after_lesson(driver, typed, SHOTS)
    # every lesson by name, render to .png and savefig's links, the lessons' data
    web_more.lessons(driver, typed, os.path.join(HERE, "..", "..", "samples"), WEB, SHOTS, AGREPL)
    # a lesson page (agrepl --web-lesson, make web-lesson): opens with the lesson run;
    # the terminal's agrepl finds the built page beside it (build/agrepl, build/web)
    lesson_dir = os.path.join(tmp, "newton-page")
    newton = os.path.join(HERE, "..", "..", "samples", "newton.ag")
    wl_env = {k: v for k, v in env.items() if k != "AGREPL_WEB"}
    made = subprocess.run([AGREPL, "--web-lesson", newton, lesson_dir], capture_output=True, text=True, env=wl_env)
    check("agrepl --web-lesson writes a lesson page from build/web beside build/agrepl",
          made.returncode == 0 and "(the page from " in made.stdout and
          os.path.realpath(made.stdout.split("(the page from ")[-1].split(")")[0]) == os.path.realpath(WEB),
          made.stdout + made.stderr)
    # installed: PREFIX/bin/agrepl finds PREFIX/share/agrepl/web
    prefix = os.path.join(tmp, "prefix")
    os.makedirs(os.path.join(prefix, "bin"))
    shutil.copy(AGREPL, os.path.join(prefix, "bin", "agrepl"))
    shutil.copytree(WEB, os.path.join(prefix, "share", "agrepl", "web"))
    installed = subprocess.run([os.path.join(prefix, "bin", "agrepl"), "--web-lesson", newton,
                                os.path.join(tmp, "installed-page")], capture_output=True, text=True, env=wl_env)
    check("an installed agrepl --web-lesson takes PREFIX/share/agrepl/web",
          installed.returncode == 0 and "/bin/../share/agrepl/web)" in installed.stdout and
          os.path.exists(os.path.join(tmp, "installed-page", "agrepl.js")), installed.stdout + installed.stderr)
    shutil.rmtree(os.path.join(prefix, "share"))
    missing = subprocess.run([os.path.join(prefix, "bin", "agrepl"), "--web-lesson", newton,
                              os.path.join(tmp, "nowhere-page")], capture_output=True, text=True, env=wl_env)
    check("--web-lesson without a built page fails, naming where it looked and `make web`",
          missing.returncode == 1 and "no built web page" in missing.stderr and "make web" in missing.stderr and
          "/share/agrepl/web" in missing.stderr and not os.path.exists(os.path.join(tmp, "nowhere-page")),
          missing.stderr)
    bad = os.path.join(tmp, "bad.ag")
    with open(bad, "w") as f:
        f.write("x = 1\n# </script> ends the element\n")
    refused = subprocess.run([AGREPL, "--web-lesson", bad, os.path.join(tmp, "bad-page")], capture_output=True,
                             text=True, env=wl_env)
    check("--web-lesson refuses a script containing </script",
          refused.returncode == 1 and "</script" in refused.stderr, refused.stderr)
    inner = subprocess.run([AGREPL, "--web-lesson", newton, os.path.join(WEB, "newton-page")], capture_output=True,
                           text=True, env=wl_env)
    check("--web-lesson refuses a folder inside the built page (it would copy itself into the copy)",
          inner.returncode == 1 and "copied into itself" in inner.stderr and
          not os.path.exists(os.path.join(WEB, "newton-page")), inner.stderr)
    with open(os.path.join(lesson_dir, "index.html"), encoding="utf-8") as f:
        lesson_page = f.read()
    check("the lesson page is titled by the lesson's first line",
          "<title>agrepl — Newton&#x27;s method" in lesson_page or "<title>agrepl — Newton's method" in lesson_page,
          lesson_page[:400])
    def open_lesson_page(folder, name):
        """Serves a lesson page's folder and opens it; waits for its lesson to
        have run.  The server, and the last line of the lesson's .expect."""
        page_server, port = checks.serve_folder(folder, os.path.join(tmp, name + "-server.log"), env)
        driver.get("http://127.0.0.1:%d/index.html" % port)
        wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.runs >= 1 && "
                                              "!document.getElementById('input').disabled"))
        with open(os.path.join(HERE, "..", "samples", name + ".expect"), encoding="utf-8") as f:
            return page_server, [l for l in f.read().split("\n") if l][-1]

    lesson_server = None
    try:
        lesson_server, expected = open_lesson_page(lesson_dir, "newton")
        text = output()
        check("the lesson page opens with the lesson run (its last expected line)", expected in text,
              "%r not in %s" % (expected, text[-400:]))
        driver.save_screenshot(os.path.join(SHOTS, "5-lesson-page.png"))
        # a lesson page that draws at once: its first statement waits for the
        # graph drawer (@viz-js/viz loads after the prompt), it does not fail
        tanh_dir = os.path.join(tmp, "tanh-page")
        made = subprocess.run([AGREPL, "--web-lesson", os.path.join(HERE, "..", "..", "samples", "tanh_graph.ag"),
                               tanh_dir], capture_output=True, text=True, env=wl_env)
        check("--web-lesson writes the tanh_graph page", made.returncode == 0, made.stdout + made.stderr)
        tanh_server = None
        try:
            tanh_server, tanh_last = open_lesson_page(tanh_dir, "tanh_graph")
            text = output()
            check("a lesson page that renders at once runs whole: render waits for the graph drawer",
                  tanh_last in text and "still loading" not in text and "could not be loaded" not in text and
                  driver.execute_script("return window.agrepl.lastRc") == 0,
                  "%r; %s" % (tanh_last, text[-600:]))
            after = typed("pi").split("ag> pi\n")[-1]
            check("the lesson page runs its lesson as agrepl --lesson does: a lesson's 4 digits, its own :digits 3 "
                  "ended with it", "(a lesson: numbers show 4 significant digits" in text and
                  after.startswith("variable(3.142)\n"), after)
            # many printed lines reach the page in a few messages, every line in order
            sent = driver.execute_script("return window.agrepl.textMessages")
            text = typed("for i in range(5000) { print(i) }")
            printed = text.split("for i in range(5000) { print(i) }\n")[-1].split("\n")
            messages = driver.execute_script("return window.agrepl.textMessages") - sent
            check("5,000 printed lines reach the page whole and in order, in pieces, not a message a line",
                  printed[:5000] == [str(i) for i in range(5000)] and messages <= 500,
                  (messages, printed[:3], printed[-4:]))
            # a loop that prints without end: the page keeps its last 10,000
            # lines, stays able to take Stop, and shows the last line printed
            box = driver.find_element(By.ID, "input")
            box.send_keys("for j in range(1000000000) { print(j) }")
            box.send_keys(Keys.ENTER)
            time.sleep(3)
            driver.find_element(By.ID, "stop").click()
            wait.until(lambda d: d.find_element(By.ID, "input").is_enabled() and
                       d.find_element(By.ID, "stop").get_property("disabled"))
            shown = output().split("\n")
            j = typed("j").rstrip().split("\n")[-1]
            before = shown[shown.index("error: interrupted") - 1] if "error: interrupted" in shown else None
            check("a loop printing without end: Stop ends it, the console keeps its last 10,000 lines, the last "
                  "one printed shown before the error",
                  before is not None and j.isdigit() and int(before) in (int(j), int(j) - 1) and int(j) > 20000 and
                  len(shown) <= 10100, (len(shown), before, j))
        finally:
            end_group(tanh_server)
        # without cross-origin isolation (?isolate=0 on this new origin): Stop
        # starts a new worker and runs the session's statements again
        plain_server, plain_port = checks.serve_folder(WEB, os.path.join(tmp, "plain-server.log"), env)
        driver.get("http://127.0.0.1:%d/index.html?isolate=0" % plain_port)
        wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.ready && "
                                              "!document.getElementById('input').disabled"))
        check("?isolate=0 leaves the page without shared memory",
              not driver.execute_script("return window.crossOriginIsolated"))
        typed("k = 41")
        box = driver.find_element(By.ID, "input")
        box.send_keys("for i in range(1000000000) { k = 42 }")
        box.send_keys(Keys.ENTER)
        time.sleep(1.0)
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: "every name is back" in d.execute_script(
            "return document.getElementById('output').textContent"))
        wait.until(lambda d: d.find_element(By.ID, "input").is_enabled())
        text = typed("k")
        check("Stop without shared memory: a new worker, the session's statements again, k kept",
              text.rstrip().endswith("k(41)") and "interrupted" in text, text[-400:])
        # a file picked on this computer, loaded into the session
        script = os.path.join(tmp, "picked.ag")
        with open(script, "w") as f:
            f.write("picked = 7 * 6\n")
        driver.find_element(By.ID, "upload").send_keys(script)
        wait.until(lambda d: "copied picked.ag" in d.execute_script(
            "return document.getElementById('output').textContent"))
        # the file list floats over the graph pane: a file picked must not
        # leave it covering the pane's buttons; Files opens it, a click
        # elsewhere closes it
        covered = driver.execute_script(
            "var b = document.querySelector('[data-zoom=in]').getBoundingClientRect();"
            "var at = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);"
            "return at && at.closest('[data-zoom=in]') ? null : (at ? at.id || at.tagName : 'nothing')")
        check("a file picked leaves the graph pane's buttons uncovered (the list opens from Files)", covered is None,
              covered)
        driver.find_element(By.ID, "files").click()
        wait.until(lambda d: "picked.ag" in d.find_element(By.ID, "filelist").text)
        driver.find_element(By.ID, "output").click()
        check("Files lists the picked file; a click elsewhere closes the list",
              driver.find_element(By.ID, "filelist").get_property("hidden"),
              driver.find_element(By.ID, "filelist").text)
        typed(":load picked.ag")
        text = typed("picked")
        check("a file picked in the page loads (Open file…)", text.rstrip().endswith("picked(42)"), text[-300:])
        # the data loaders on a picked file: a .npy numpy wrote, read in the
        # page; save_npy gives a download numpy reads back
        import numpy
        numpy.save(os.path.join(tmp, "grid.npy"), numpy.arange(6, dtype=numpy.float64).reshape(2, 3) / 4)
        driver.find_element(By.ID, "upload").send_keys(os.path.join(tmp, "grid.npy"))
        wait.until(lambda d: "copied grid.npy" in d.execute_script(
            "return document.getElementById('output').textContent"))
        typed(":digits full")
        text = typed("g = load_npy(\"grid.npy\")")
        text = typed("print(g.shape, g.sum())")
        check("load_npy reads a .npy numpy wrote and the user picked", "[2 3] variable(3.75)" in text.split("g.sum())")[-1],
              text[-300:])
        text = typed("save_npy(\"twice.npy\", g * 2)")
        links = driver.find_elements(By.CSS_SELECTOR, "#output .saved a")
        check("a statement that saves offers the file as a download link", [a.text for a in links][-1:] == ["twice.npy"],
              [a.text for a in links])
        links[-1].click()
        wait.until(lambda d: d.execute_script("return window.agrepl.lastDownload") == "twice.npy")
        got = driver.execute_async_script(
            "var done = arguments[0]; window.agrepl.lastDownloadBlob.arrayBuffer().then(function (b) {"
            " var u = new Uint8Array(b), s = ''; for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);"
            " done(btoa(s)); });")
        import base64
        import io
        back = numpy.load(io.BytesIO(base64.b64decode(got)))
        check("the downloaded .npy is what numpy reads: the picked grid times 2",
              back.shape == (2, 3) and numpy.array_equal(back, numpy.arange(6).reshape(2, 3) / 2), repr(back))
        # load_csv (libcsv compiled from Debian's source) and load_npz (the
        # page's unzip; np.savez_compressed's members inflated by the
        # browser) on picked files numpy wrote: the numbers numpy has, and
        # every line the terminal's agrepl prints for the same statements
        with open(os.path.join(tmp, "table.csv"), "w", newline="") as f:
            f.write('x1,"x 2",t\r\n0.5,-2,1\r\n1e-3,"3.25",0\r\n7,8,1\r\n')
        with open(os.path.join(tmp, "broken.csv"), "w") as f:
            f.write("1,2\n3,4\n5,oops\n")
        pairs = numpy.arange(12, dtype=numpy.float64).reshape(3, 4) / 8
        labels = numpy.array([3, 1, 4], dtype=numpy.int32)
        numpy.savez(os.path.join(tmp, "plain.npz"), pairs=pairs, labels=labels)
        numpy.savez_compressed(os.path.join(tmp, "packed.npz"), a=pairs * 3, b=labels)
        packed = bytearray(open(os.path.join(tmp, "packed.npz"), "rb").read())
        start = 30 + packed[26] + 256 * packed[27] + packed[28] + 256 * packed[29]
        packed[start:start + 2] = b"\xff\xff"  # a deflate block type that does not exist
        with open(os.path.join(tmp, "broken.npz"), "wb") as f:
            f.write(bytes(packed))
        with open(os.path.join(tmp, "notzip.npz"), "w") as f:
            f.write("not a zip\n")
        for name in ["table.csv", "broken.csv", "plain.npz", "packed.npz", "broken.npz", "notzip.npz"]:
            driver.find_element(By.ID, "upload").send_keys(os.path.join(tmp, name))
            wait.until(lambda d: "copied " + name in d.execute_script(
                "return document.getElementById('output').textContent"))
        statements = ["x, t = load_csv(\"table.csv\", header=true, target=\"t\")", "x", "t",
                      "load_csv(\"broken.csv\")", "load_csv(\"table.csv\")",
                      "p, l = load_npz(\"plain.npz\")", "p", "l",
                      "a, b = load_npz(\"packed.npz\")", "a", "b", "load_npz(\"packed.npz\", name=\"b\")",
                      "load_npz(\"broken.npz\")", "load_npz(\"notzip.npz\")", "load_npz(\"packed.npz\", name=\"c\")"]
        page = {}
        for st in statements:
            text = typed(st)
            page[st] = text.split("ag> " + st + "\n")[-1].split("saved in this browser")[0].rstrip("\n")
        native = subprocess.run([AGREPL, "--headless"], input=":digits full\n" + "\n".join(statements) + "\n",
                                capture_output=True, text=True, cwd=tmp)
        # the terminal's output, statement by statement: each error is
        # "<stdin>:N:C: error: ..." and its two caret lines, the page's "error: ..."
        native_lines = native.stdout.splitlines() + native.stderr.splitlines()
        for st in statements:
            shown = page[st]
            if "error:" in shown:
                message = shown.split("error:", 1)[1].splitlines()[0].strip()
                same = any(line.endswith("error: " + message) for line in native_lines)
                check("the page's error for %s is the terminal's" % st, same and message != "",
                      shown + "\n--- terminal:\n" + "\n".join(l for l in native_lines if "error:" in l))
            elif " = " in st:
                check("the page prints nothing for %s, as the terminal" % st, shown == "", shown)
            else:
                check("the page prints what the terminal prints for %s" % st,
                      shown != "" and all(line in native_lines for line in shown.splitlines()),
                      shown + "\n--- terminal:\n" + "\n".join(native_lines))
        def numbers(text):
            """the numbers a printed variable holds, in order"""
            return [float(v) for v in text.split("(", 1)[-1].replace("[", " ").replace("]", " ").replace(")", " ").split()]
        check("load_csv in the page: the table's values and targets (header and quotes read by libcsv)",
              numbers(page["x"]) == [0.5, -2, 0.001, 3.25, 7, 8] and page["x"].startswith("x[3 2](") and
              numbers(page["t"]) == [1, 0, 1], page["x"] + " / " + page["t"])
        check("load_csv in the page: a bad cell is named by its line and column",
              "broken.csv: line 3, column 2: 'oops' is not a number" in page["load_csv(\"broken.csv\")"],
              page["load_csv(\"broken.csv\")"])
        check("load_npz in the page reads np.savez's stored members: numpy's numbers",
              numbers(page["p"]) == list(pairs.ravel()) and page["p"].startswith("p[3 4](") and
              numbers(page["l"]) == [3, 1, 4], page["p"] + " / " + page["l"])
        check("load_npz in the page reads np.savez_compressed's deflated members: numpy's numbers",
              numbers(page["a"]) == list((pairs * 3).ravel()) and page["a"].startswith("a[3 4](") and
              numbers(page["b"]) == [3, 1, 4], page["a"] + " / " + page["b"])
        check("load_npz in the page: a damaged deflate stream is libzip's error",
              "broken.npz: a.npy cannot be read: Zlib error: data error" in page["load_npz(\"broken.npz\")"],
              page["load_npz(\"broken.npz\")"])
        driver.save_screenshot(os.path.join(SHOTS, "6-files.png"))
    finally:
        end_group(lesson_server)
        end_group(locals().get("plain_server"))
    # opened from disk (file://): Chromium starts no Worker from a file, so
    # the page makes it from a Blob of agrepl-file.js's strings
    driver.get("file://" + os.path.abspath(os.path.join(lesson_dir, "index.html")))
    wait.until(lambda d: d.execute_script("return window.agrepl && window.agrepl.runs >= 1 && "
                                          "!document.getElementById('input').disabled"))
    check("from file:// the worker runs from a Blob", driver.execute_script("return window.agrepl.blobWorker"))
    text = output()
    check("the lesson page opened from disk runs its lesson", expected in text, text[-400:])
    for line in ["x = 1.0", "y = sin(x) + x^2", "y.backward()"]:
        typed(line)
    text = typed("x.grad")
    # at a lesson's 4 digits: the page ran its lesson as agrepl --lesson does
    check("from file:// the README's first session prints x.grad (a lesson's 4 digits, after the page's lesson)",
          text.rstrip().endswith("variable(2.54)"), text[-300:])
    wait.until(lambda d: d.execute_script("return window.agrepl.vizReady"))
    typed("show(y)")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph svg g.node"))
    check("from file:// show(y) draws the graph",
          len(driver.find_elements(By.CSS_SELECTOR, "#graph svg g.node")) >= 4)
    driver.save_screenshot(os.path.join(SHOTS, "7-file-url.png"))
    ready_ms = driver.execute_script("return window.agrepl.readyMs")
    print("web: first prompt %.0f ms after the page started loading; Rosenbrock lesson %.2f s" % (ready_ms, lesson_s))
finally:
    if driver is not None:
        try:
            driver.quit()
        except Exception:
            pass
    for p in browsers + [server]:
        end_group(p)

sys.exit(checks.summary("web tests", " (screenshots in %s)" % SHOTS))
