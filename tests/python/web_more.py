"""web_more.py: more of the web page, for web_test.py.

pace(driver, typed): a loop drawing a boundary at pace(30) is drawn at its
pace: the page redraws for (nearly) every figure the session sends, not at
a cap of its own.
endless_plot(driver, typed, shots): a loop plotting as fast as it can,
without end: the page keeps answering, Stop ends it with every name kept,
the points kept of the series stay bounded (lines_kept.js) and the plot
reaches its last step, its last value in the legend.
plot_fits(driver, typed, shots): with the README's graph and a loss plot
both shown, at 1366x768 and at 150% zoom (911x512 CSS px), the single
panel is drawn whole inside its pane: none of its text below the fold or
past the pane's side.
console(driver, typed): the up arrow brings back the last statement, down
the draft; the graph pans by drag and by arrow keys.
saves(driver, typed): the plot's and the graph's Save SVG buttons,
save(m, "m.safetensors") and render(y, "g.svg") give downloads of what the
terminal writes (an SVG whose nodes are the graph's; a safetensors file with
the model's tensors in its header).
line_colours(driver, typed): a loss named as a tracked path takes the path's
colour (an optimizer's loss beside its track), as in the terminal; a loss
of at most 40 steps has a dot on each.
axis_names(driver, typed): each panel's axes carry the terminal's names:
xlabel= and ylabel=, "step" and the loss's name, x0 and x1 beside a
boundary, the two names a path was tracked by.
marks(driver, typed): mark() draws the terminal's cross, its label beside
it where the tracked paths do not run (slid into the frame near its
edge, as the optimizer race's minimum); the map's legend goes where it hides
none of them, into a ring's hole when the edges are full, outside the frame
when every place within hides some; the paths' markers.
long_title(driver, typed, shots): a title wider than the figure wraps into
centred rows inside it, above the panel's frame, as the terminal's
(test_long_title_wraps_inside_the_figure).
lessons(driver, typed, samples, web, shots): every lesson loaded by
name runs to its end with its .expect lines; the lessons' data shipped
(lesson_data); render() to .png and savefig() offer links to PNGs the
page draws (a graph's SVG at 96 dpi, as the terminal's), each graph and
saved figure shown in its pane, no download without a click.
long_panel_title(driver, typed, shots): a heat map's or images' title
wider than its panel wraps into centred rows inside the panel, the picture
below the last row, as the terminal's (test_long_panel_title_wraps).
map_in_view(driver, typed, shots): the moons figure at 1366x768 scrolls
and opens on its boundary while it trains, stays where the wheel put it,
and opens on the boundary again after clearplot().
long_caret(driver, typed, shots): the caret under an error in a statement
longer than the console is wide stays under its character, as a
terminal wraps both rows.
legend(driver, typed, shots): the graph's legend wholly in the pane, as the
graph window keeps it: pinned inside when the view cuts it, off the
output's box, seen once, no bigger than at 100 %, staying put when panned along
the axis it is cut on.
lesson_after_lesson(driver, typed, shots): a lesson loaded by name after
another draws on an empty figure at full speed (the last lesson's panels
gone, the pace it set off), its names kept; a playground lesson after
moons_svm finds accuracy() still the built-in."""
import json
import math
import os
import re
import subprocess
import tempfile
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.remote_connection import RemoteConnection

from checks import check


def pace(driver, typed):
    typed("clearplot()")
    typed("px, pt = moons(100, noise=0.1, seed=1); pm = mlp([16, 16, 1], activation=tanh, seed=1)")
    typed("boundary(pm, [-1.5, 2.5], [-1, 1.5], px, pt)")
    time.sleep(0.5)
    r0 = driver.execute_script("return window.agrepl.figuresReceived || 0")
    d0 = driver.execute_script("return window.agrepl.plotsDrawn || 0")
    t0 = time.time()
    typed("pace(30); for i in range(60) { boundary(pm, [-1.5, 2.5], [-1, 1.5], px, pt) }; pace(0)")
    elapsed = time.time() - t0
    time.sleep(0.3)
    received = driver.execute_script("return window.agrepl.figuresReceived || 0") - r0
    drawn = driver.execute_script("return window.agrepl.plotsDrawn || 0") - d0
    ratio = drawn / received if received else 0
    check("pace(30): the page redraws at the pace, for nearly every figure the loop sends "
          "(%d drawn of %d received, %.1f a second over %.2f s)" % (drawn, received, drawn / elapsed, elapsed),
          received >= 20 and ratio >= 0.8, (drawn, received, elapsed))


# agrepl.js under node, its high-resolution clock (emscripten's
# emscripten_get_now: process.hrtime here, performance.now() in the page)
# counted while a loop plots: [clock reads, plot calls]
CLOCK_READS = r"""
const create = require(process.argv[1]);
let reads = 0;
const hrtime = process.hrtime;
process.hrtime = function () { reads++; return hrtime.apply(process, arguments); };
process.hrtime.bigint = hrtime.bigint;
global.postMessage = () => {};
create({ wasmBinary: require('fs').readFileSync(process.argv[1].replace(/\.js$/, '.wasm')) }).then((M) => {
  M._web_start();
  reads = 0;
  M.ccall('web_run', 'number', ['string'], ['for i in range(100000) { plot(sin(i / 100), "wave") }']);
  console.log(JSON.stringify([reads, 100000]));
});
"""


def plotting_loop(driver, typed, web):
    """A loop that plots as fast as it can costs the page's worker what it
    adds: its figures carry the lines' numbers as bytes (each figure's JSON
    text was 20 characters a point, 2 MB a figure for a million steps:
    printf and JSON.parse of every number), and a plot reads the pace's
    clock without performance.now() (0.7 us a call in a worker, a second
    of a million plots) (bench/README.md, "The web page's plotting loop")."""
    typed("clearplot()")
    time.sleep(0.3)
    before = driver.execute_script("return [window.agrepl.figuresReceived || 0, window.agrepl.figureChars || 0]")
    typed('for i in range(300000) { plot(sin(i / 100), "wave") }')
    time.sleep(0.5)  # the last figure, handed over as the statement ended
    after = driver.execute_script("return [window.agrepl.figuresReceived || 0, window.agrepl.figureChars || 0,"
                                  " window.agrepl.longestSeries, document.querySelector('#plot svg').textContent]")
    figures, chars = after[0] - before[0], after[1] - before[1]
    shown = re.search(r"wave (-?[0-9.e+-]+)", after[3])
    check("a loop of 300,000 plots: the page gets every step (the last, sin(2999.99) = 0.2289, in the legend) "
          "with under 1,000 characters of JSON a figure (%d figures, %d characters): the numbers come as bytes"
          % (figures, chars),
          figures >= 1 and chars / figures < 1000 and after[2] == 300000 and shown is not None and
          abs(float(shown.group(1)) - math.sin(2999.99)) < 1e-5, (figures, chars, after[2], shown and shown.group(0)))
    out = subprocess.run(["node", "-e", CLOCK_READS, os.path.abspath(os.path.join(web, "agrepl.js"))],
                         capture_output=True, text=True, env=dict(os.environ, NODE_PATH="/usr/share/nodejs"))
    reads = json.loads(out.stdout.split("\n")[-2]) if out.returncode == 0 and out.stdout.strip() else None
    check("100,000 plots in the page's session (agrepl.js under node) read the high-resolution clock under "
          "1,000 times (the pace's clock is Date.now(): performance.now() was read at every plot)",
          reads is not None and reads[0] < 1000, (reads, out.stderr[-500:]))


def endless_plot(driver, typed, shots):
    """The QA's freeze: a fast loop plotting without end grew the page's
    memory by gigabytes and each figure's cost with the series, until the
    page took no Stop.  Properties only: what is kept, and that the page
    answers and stops within a bound a loaded machine meets many times over."""
    from selenium.webdriver.support.ui import WebDriverWait
    typed("clearplot()")
    typed("n = 0")
    heap = "return performance.memory ? performance.memory.usedJSHeapSize : 0"
    heap_before = driver.execute_script(heap)
    box = driver.find_element("id", "input")
    box.send_keys('while true { n += 1; plot(sin(n/100), "wave") }')
    box.send_keys(Keys.ENTER)
    # the old page answered nothing, not even chromedriver: its calls given up after a while
    RemoteConnection.set_timeout(90)
    answers, heaps = [], []
    try:
        for _ in range(8):
            time.sleep(0.5)
            answers.append(driver.execute_script(
                "return [window.agrepl.figuresReceived || 0, window.agrepl.pointsKept, window.agrepl.longestSeries]"))
            heaps.append(driver.execute_script(heap))
        driver.find_element("id", "stop").click()
        WebDriverWait(driver, 60, poll_frequency=0.05).until(
            lambda d: d.find_element("id", "input").is_enabled() and d.find_element("id", "stop").get_property("disabled"))
        stopped = True
    except Exception as e:  # the old page: it answered nothing, Stop included
        stopped = False
        answers.append(repr(e)[:200])
    finally:
        RemoteConnection.reset_timeout()
    check("an endless fast plotting loop: the page keeps answering, Stop ends it and the console takes input again",
          stopped, answers)
    if not stopped:
        raise RuntimeError("the page stopped answering: the tests after this one cannot run")
    driver.save_screenshot(os.path.join(shots, "endless-plot.png"))
    text = typed("n")
    steps = int(re.search(r"n\((\d+)\)\s*$", text).group(1)) if re.search(r"n\((\d+)\)\s*$", text) else 0
    limits = driver.execute_script("return [window.agreplLinesKept.RAW_MAX, window.agreplLinesKept.MAX_BUCKETS]")
    time.sleep(0.5)  # the last figure, handed over as the statement ended
    final = driver.execute_script("return [window.agrepl.pointsKept, window.agrepl.longestSeries,"
                                  " document.querySelector('#plot svg').textContent]")
    kept = [a[1] for a in answers if isinstance(a, list)] + [final[0]]
    check("every name kept after Stop: n counted on past what is kept whole (%d steps)" % steps,
          steps > 4 * limits[0], text[-200:])
    check("the page keeps at most 5 points a bucket of the series, however long it grew "
          "(kept %s of %d steps)" % (kept, steps), max(kept) <= 5 * limits[1] and final[1] in (steps - 1, steps),
          (kept, final[1]))
    # Stop may come between n += 1 and the plot: the series' last value is sin(its steps / 100)
    value = float(typed("sin(%d/100)" % final[1]).rstrip().split("\n")[-1].split("(")[-1].rstrip(")"))
    shown = re.search(r"wave (-?[0-9.e+-]+)", final[2])
    check("the plot reaches the series' last step, its last value in the legend",
          shown is not None and abs(float(shown.group(1)) - value) < 1e-5, (shown and shown.group(0), value))
    grown = max(heaps) - heap_before if heaps and heap_before else 0
    check("the page's JS heap stays bounded while the loop runs (grew %.0f MB at most)" % (grown / 1e6),
          grown < 150e6, [round(h / 1e6) for h in heaps])


def viewport(driver, width, height):
    """The window sized so that the page gets width x height CSS px."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def plot_fits(driver, typed, shots):
    size = driver.get_window_size()
    typed("clearplot()")
    for line in ["x = 1.0", "y = sin(x) + x^2", "y.backward()", "show(y)"]:
        typed(line)
    typed('for i in range(50) { plot(1 / (i + 1), "loss") }')
    outside = ("var p = document.getElementById('plot'), r = p.getBoundingClientRect(), out = [];"
               "var bottom = r.top + p.clientHeight, right = r.left + p.clientWidth;"
               "p.querySelectorAll('svg text').forEach(function (t) { var b = t.getBoundingClientRect();"
               "  if (b.width && (b.bottom > bottom + 1 || b.right > right + 1 || b.top < r.top - 1 || b.left < r.left - 1))"
               "    out.push(t.textContent); });"
               "return [out, p.clientWidth, p.clientHeight, window.agrepl.plotScale];")
    try:
        for (w, h, how) in [(1366, 768, "a 1366x768 window"), (911, 512, "150% zoom (911x512 CSS px)")]:
            if how.startswith("a "):
                driver.set_window_size(w, h)
            else:
                viewport(driver, w, h)
            time.sleep(0.5)  # drawn again for the pane's new size (a ResizeObserver)
            at = driver.execute_script(outside)
            driver.save_screenshot(os.path.join(shots, "plot-fits-%dx%d.png" % (w, h)))
            check("a single loss plot beside a graph at %s fits its pane whole: no text below the fold or past its "
                  "side (the x axis's ticks and name, the legend)" % how, not at[0] and at[1] > 0, at)
    finally:
        driver.set_window_size(size["width"], size["height"])


def console(driver, typed):
    box = driver.find_element("id", "input")
    typed("hist = 41")
    typed("hist + 1")
    box.send_keys("draft")
    box.send_keys(Keys.ARROW_UP)
    first = box.get_property("value")
    box.send_keys(Keys.ARROW_UP)
    second = box.get_property("value")
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ARROW_DOWN)
    back = box.get_property("value")
    check("the up arrow brings back the last statements, the down arrow the draft",
          (first, second, back) == ("hist + 1", "hist = 41", "draft"), (first, second, back))
    box.send_keys(Keys.ARROW_UP)
    box.send_keys(Keys.ENTER)
    deadline = time.time() + 30
    text = ""
    while time.time() < deadline and text.count("ag> hist + 1") < 2:
        time.sleep(0.1)
        text = driver.execute_script("return document.getElementById('output').textContent")
    time.sleep(0.3)
    text = driver.execute_script("return document.getElementById('output').textContent")
    check("a statement brought back runs again", text.rstrip().endswith("ag> hist + 1\nvariable(42)"), text[-100:])
    typed("show(y)")
    graph = driver.find_element("id", "graph")
    where = "return document.querySelector('#graph .agrepl-graph').style.transform"
    before = driver.execute_script(where)
    ActionChains(driver).move_to_element(graph).click_and_hold().move_by_offset(60, 40).release().perform()
    dragged = driver.execute_script(where)
    graph.send_keys(Keys.ARROW_LEFT)
    keyed = driver.execute_script(where)

    def shift(a, b):
        ta = [float(v) for v in a.split("translate(")[1].split(")")[0].replace("px", "").split(",")]
        tb = [float(v) for v in b.split("translate(")[1].split(")")[0].replace("px", "").split(",")]
        return round(tb[0] - ta[0]), round(tb[1] - ta[1])
    check("a drag pans the graph by the mouse's move (60, 40)", shift(before, dragged) == (60, 40), (before, dragged))
    check("the left arrow pans it 40 px", shift(dragged, keyed) == (40, 0), (dragged, keyed))


def download(driver):
    """the page's last download: its name and bytes (as text)"""
    name = driver.execute_script("return window.agrepl.lastDownload")
    text = driver.execute_async_script(
        "var done = arguments[0]; window.agrepl.lastDownloadBlob.arrayBuffer().then(function (b) {"
        " var u = new Uint8Array(b), s = ''; for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);"
        " done(s); });")
    return name, text


def wait_download(driver, name, how):
    driver.execute_script("window.agrepl.lastDownload = null")
    how()
    deadline = time.time() + 30
    while driver.execute_script("return window.agrepl.lastDownload") != name and time.time() < deadline:
        time.sleep(0.1)
    return download(driver)


def saves(driver, typed):
    typed("show(y)")
    name, svg = wait_download(driver, "graph.svg", lambda: driver.find_element("id", "graphsvg").click())
    check("the graph's Save SVG downloads graph.svg: y's drawing (its Sin node, its nodes' titles)",
          name == "graph.svg" and svg.lstrip().startswith("<svg") and ">Sin<" in svg and "<title>v0</title>" in svg,
          (name, svg[:200]))
    typed("clearplot()")
    typed("for i in range(5) { plot(1 / (i + 1), \"loss\") }")
    time.sleep(0.5)
    name, svg = wait_download(driver, "figure.svg", lambda: driver.find_element("id", "plotsvg").click())
    check("the plot's Save SVG downloads figure.svg: the loss curve with its 5 points and its legend naming it "
          "(a file's legend as the terminal's: no last value)",
          name == "figure.svg" and "<polyline" in svg and len(svg.split("<polyline")[1].split('points="')[1]
                                                              .split('"')[0].split()) == 5 and ">loss</text>" in svg and
          "loss 0.2" not in svg,
          (name, svg[:300]))
    typed("sm = mlp([3, 1], seed=1); so = sm(ones([2, 2]))")
    name, data = wait_download(driver, "sm.safetensors",
                               lambda: (typed("save(sm, \"sm.safetensors\")"),
                                        driver.find_elements("css selector", "#output .saved a")[-1].click()))
    header = json.loads(data[8:8 + int.from_bytes(data[:8].encode("latin-1"), "little")]) if len(data) > 8 else {}
    check("save(m, \"sm.safetensors\") gives a download: safetensors with the model's weights (2 layers' w and b, float64)",
          name == "sm.safetensors" and len([k for k in header if k != "__metadata__"]) == 4 and
          all(v["dtype"] == "F64" for k, v in header.items() if k != "__metadata__"), (name, header))
    name, svg = wait_download(driver, "g.svg",
                              lambda: (typed("render(y, \"g.svg\")"),
                                       driver.find_elements("css selector", "#output .saved a")[-1].click()))
    check("render(y, \"g.svg\") gives a download: the graph's SVG with y's Sin node",
          name == "g.svg" and "<svg" in svg and ">Sin<" in svg, (name, svg[:200]))


def panels(driver, typed, shots, agrepl):
    """panel= in the page at 1280x720: the panels the terminal draws, in its
    order (numbered, then named as made; the figure's own empty panel left
    out), named ones with their names; the terminal's error for a panel
    holding another kind; three panels readable (12 px text, wrapped to rows
    and scrolled) where the pane cannot hold them side by side."""
    import subprocess
    size = driver.get_window_size()
    driver.set_window_size(1280, 720)
    try:
        statements = ["clearplot()",
                      "qx, qt = moons(100, noise=0.1, seed=1); qm = mlp([16, 16, 1], activation=tanh, seed=1)",
                      "boundary(qm, [-1.5, 2.5], [-1, 1.5], qx, qt, panel=\"before\")",
                      "for i in range(3) { plot(1 / (i + 1), \"loss\", panel=2) }",
                      "heatmap([[1, 2], [3, 4]], \"w\", panel=\"weights\")"]
        for st in statements:
            text = typed(st)
        bad = "boundary(qm, [-1.5, 2.5], [-1, 1.5], qx, qt, panel=2)"
        text = typed(bad)
        page_error = text.split("ag> " + bad + "\n")[-1].split("\n")[0]
        time.sleep(0.5)
        laid = driver.execute_script(
            "return window.agrepl.figureAxes.panels.map(function (p) { return [p.kind, p.key, p.x, p.y]; })")
        check("panel= draws in the page: panel 2's series, then \"before\"'s map, then \"weights\"'s heat map",
              [p[:2] for p in laid] == [["series", "n2"], ["map", "s:before"], ["heatmap", "s:weights"]], laid)
        words = driver.execute_script("return Array.prototype.map.call(document.querySelectorAll('#plot svg text'),"
                                      " function (t) { return t.textContent; })")
        check("a named panel carries its name: \"before\" over the map, \"weights: w [2 2]\" over the heat map",
              "before" in words and "weights: w [2 2]" in words and "loss 0.333333" in words, words)
        circles = driver.execute_script("return document.querySelectorAll('#plot svg g.points circle').length")
        check("the map panel holds the boundary's field and its 100 points",
              circles == 100 and driver.execute_script("return document.querySelectorAll('#plot svg image.field').length") == 1,
              circles)
        if os.path.exists(agrepl):
            native = subprocess.run([agrepl, "--headless"], input="\n".join(statements[1:] + [bad]) + "\n",
                                    capture_output=True, text=True)
            check("the page's error for a panel holding another kind is the terminal's",
                  page_error.startswith("error: ") and page_error in native.stderr, (page_error, native.stderr))
        scale = driver.execute_script("return window.agrepl.plotScale")
        smallest = driver.execute_script(
            "return Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll('#plot svg text'),"
            " function (t) { return +t.getAttribute('font-size'); }))")
        check("three panels at 1280x720 stay readable: the smallest text at least 10.5 px, the rest scrolled to",
              scale is not None and smallest * scale >= 10.5 and
              driver.execute_script("var p = document.getElementById('plot'); return p.scrollHeight > p.clientHeight"),
              (scale, smallest))
        driver.save_screenshot(os.path.join(shots, "11-panels.png"))
        driver.execute_script("document.getElementById('plot').scrollTop = 10000")
        driver.save_screenshot(os.path.join(shots, "11-panels-scrolled.png"))
        # a saved file takes nothing from what the display holds: the next
        # figure (the map and heat map unchanged, sent as "same") still shows them
        typed("savefig(\"panels.svg\")")
        typed("plot(0.25, \"loss\", panel=2)")
        time.sleep(0.5)
        kept = driver.execute_script(
            "var s = document.querySelector('#plot svg'); return [s.querySelectorAll('image.field').length,"
            " s.querySelectorAll('image.heatmap').length, s.querySelectorAll('g.points circle').length,"
            " document.querySelector('#plot svg polyline').getAttribute('points').split(' ').length]")
        check("after savefig, a figure that changes only panel 2's loss keeps the other panels' pictures",
              kept == [1, 1, 100, 4], kept)
        typed("clearplot()")
        time.sleep(0.3)
        laid = driver.execute_script("return [window.agrepl.figureAxes.panels.length,"
                                     " !!document.querySelector('#plot .empty'), document.getElementById('plot').clientHeight]")
        check("clearplot() forgets the panels in the page too, and the empty plot pane folds away",
              laid[0] == 0 and laid[1] and laid[2] == 0, laid)
    finally:
        driver.set_window_size(size["width"], size["height"])


def axis_names(driver, typed):
    def names():
        time.sleep(0.5)
        return driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('#plot svg text.axisname'),"
            " function (t) { return t.textContent; })")
    cases = [
        ("a loss plotted step by step: step under it, its name beside it",
         ["clearplot()", "for i in range(3) { plot(1 / (i + 1), \"loss\") }"], ["step", "loss"]),
        ("xlabel= and ylabel= name plot(xs, ys)'s axes",
         ["clearplot()", "plot([0, 1, 2], [1, 4, 9], name=\"sq\", xlabel=\"epoch\", ylabel=\"value <1>\")"],
         ["epoch", "value <1>"]),
        ("plot(xs, ys) without them: x, and the line's name",
         ["clearplot()", "plot([0, 1, 2], [1, 4, 9], name=\"sq\")"], ["x", "sq"]),
        ("two losses: step, and no name for the values (the legend names them)",
         ["clearplot()", "plot(1, \"train\"); plot(2, \"test\")"], ["step"]),
        ("a path tracked as track(ta, tb) names the map's axes ta and tb",
         ["clearplot()", "ta = 1.0; tb = 2.0; track(ta, tb); ta = 1.5; track(ta, tb)"], ["ta", "tb"]),
        ("a second path: x0 and x1", ["track(tb, ta)"], ["x0", "x1"]),
        ("a boundary's map: x0 and x1; a panel= sheet's series keeps its own xlabel=",
         ["clearplot()", "nx, nt = moons(20, noise=0.1, seed=1); nm = mlp([4, 1], seed=1)",
          "boundary(nm, [-1.5, 2.5], [-1, 1.5], nx, nt)",
          "plot(0.5, \"loss\", xlabel=\"epoch\", panel=\"train\")"], ["x0", "x1", "epoch", "loss"]),
    ]
    for what, statements, want in cases:
        for st in statements:
            typed(st)
        got = names()
        check("the page names the axes as the terminal does: " + what, got == want, (got, want))
    # lstm_sine's figure: a loss by step on a log scale beside a whole wave
    typed("clearplot()")
    typed("for i in range(5) { plot(1 / (i + 1), \"loss\", log=true) }")
    typed("plot(linspace(0, 25, 200), sin(linspace(0, 25, 200)), name=\"wave\", points=true)")
    got = names()
    shown = driver.execute_script(
        "var s = document.querySelector('#plot svg'), t = Array.prototype.slice.call(s.querySelectorAll('text'));"
        "var wave = t.filter(function (e) { return e.textContent === 'wave'; })[0], b = wave ? wave.getBBox() : null;"
        "var hidden = b ? Array.prototype.filter.call(s.querySelectorAll('circle[r=\"2.5\"]'), function (c) {"
        "  var x = +c.getAttribute('cx'), y = +c.getAttribute('cy');"
        "  return x > b.x - 25 && x < b.x + b.width + 3 && y > b.y - 3 && y < b.y + b.height + 3; }).length : null;"
        "return [window.agrepl.figureAxes.panels.map(function (p) { return p.kind; }),"
        " t.filter(function (e) { return e.textContent === 'log scale'; }).length, hidden]")
    check("a loss by step and plot(xs, ys) are two panels, as in the terminal: the log scale the loss's only, "
          "each with its axes' names; the wave's legend (its name, no last value) hides none of its 200 points",
          got == ["step", "loss", "x", "wave"] and shown == [["series", "xy"], 1, 0], (got, shown))
    typed("plot(linspace(0, 25, 200), 2 * sin(linspace(0, 25, 200)), name=\"a wave named at length\")")
    hidden = driver.execute_script(
        "var s = document.querySelector('#plot svg'), t = Array.prototype.slice.call(s.querySelectorAll('text'));"
        "var b = t.filter(function (e) { return e.textContent === 'a wave named at length'; })[0].getBBox();"
        "var points = Array.prototype.map.call(s.querySelectorAll('circle[r=\"2.5\"]'), function (c) {"
        "  return [+c.getAttribute('cx'), +c.getAttribute('cy')]; });"
        "s.querySelectorAll('polyline').forEach(function (l) { l.getAttribute('points').split(' ').forEach(function (p) {"
        "  points.push(p.split(',').map(Number)); }); });"
        "return points.filter(function (p) {"
        "  return p[0] > b.x - 25 && p[0] < b.x + b.width + 3 && p[1] > b.y - 16 && p[1] < b.y + b.height + 3; }).length")
    check("two waves (points, and a line of twice their height) that fill every corner: the range grows so the "
          "legend sits above them, over none of their points", hidden == 0, hidden)
    x_labels_js = ("return Array.prototype.filter.call(document.querySelectorAll('#plot svg text[data-label]'), "
                   "function (t) { return t.getAttribute('text-anchor') === 'middle'; })"
                   ".map(function (t) { return t.getAttribute('data-label'); })")
    y_labels = ("return Array.prototype.filter.call(document.querySelectorAll('#plot svg text'), function (t) {"
                " return t.getAttribute('x') === '64' && t.getAttribute('text-anchor') === 'end' &&"
                " +t.getAttribute('y') < window.agrepl.figureAxes.panels[0].y + 420; })"
                ".map(function (t) { return t.getAttribute('data-label'); })")
    got = driver.execute_script(y_labels)
    check("the log scale's ticks from 0.2 to 1: 0.2, 0.5 and 1 (1, 2 and 5 times the powers of ten)",
          got == ["0.2", "0.5", "1"], got)
    typed("clearplot()")
    typed("for i in range(13) { plot(10 ^ -i, \"tiny\", log=true) }")
    time.sleep(0.5)
    got = driver.execute_script(y_labels)
    check("a loss over 12 decades: at most 8 ticks, every other decade, all as 1e-N as the terminal writes them",
          got == ["1e-12", "1e-10", "1e-8", "1e-6", "1e-4", "1e-2", "1e0"], got)
    shown = driver.execute_script(y_labels.replace("t.getAttribute('data-label')", "t.textContent"))
    check("drawn as 10 with a superscript exponent and a real minus sign, as the terminal draws them",
          shown[:2] == ["10\u221212", "10\u221210"] and shown[-1] == "100" and
          driver.execute_script("return document.querySelectorAll('#plot svg text[data-label=\"1e-12\"] tspan').length") == 1,
          shown)
    # a linear axis in one style: fine steps all in exponent form, a minus sign, the step axis in whole steps
    typed("clearplot()")
    typed("for i in range(3) { plot(-2e-5 + i * 2e-5, \"fine\") }")
    time.sleep(0.5)
    got = driver.execute_script(y_labels)
    x_labels = driver.execute_script(x_labels_js)
    shown = driver.execute_script(y_labels.replace("t.getAttribute('data-label')", "t.textContent"))
    check("a linear axis's labels in one style as the terminal's (1e-5 steps: all 1e-5 form, each with its "
          "mantissa: 1\u00d710\u207b\u2075, not 10\u207b\u2075 beside 2\u00d710\u207b\u2075); steps whole",
          got == ["-2e-5", "-1e-5", "0", "1e-5", "2e-5"] and shown[0] == "\u22122\u00d710\u22125" and
          shown[3] == "1\u00d710\u22125" and x_labels == ["0", "1", "2"], [got, shown, x_labels])
    typed("clearplot()")
    typed("plot([5e5, 1e6, 1.5e6], [0, 1, 0], name=\"far\")")
    time.sleep(0.5)
    x_labels = driver.execute_script(x_labels_js)
    styles = set((label.partition("e")[2], len(label.partition("e")[0].partition(".")[2])) for label in x_labels if label != "0")
    check("an axis from 5e5 to 1.5e6 in one style as the terminal's (viz/plot_ticks.c): one exponent, one count "
          "of decimals (0.5e6 ... 1.0e6 ..., never 5e5 beside 1.0e6)",
          len(x_labels) >= 3 and "1.0e6" in x_labels and styles == {("6", 1)}, x_labels)
    # ticks far from zero against their span: labelled relative to an offset written once at the
    # axis's end, as the terminal's (viz/plot_ticks.c, matplotlib's rule); "0.999990e0" and
    # "1000.0012" before
    typed("clearplot()")
    typed("for i in range(60) { plot(1 - 0.00001 * exp(-i / 10.0), \"loss\") }")
    typed("plot(linspace(1000.001, 1000.002, 40), sin(linspace(0, 6, 40)), name=\"wave\")")
    time.sleep(0.5)
    got = driver.execute_script(y_labels)
    x_labels = driver.execute_script(x_labels_js)
    drawn = driver.execute_script(
        "var s = document.querySelector('#plot svg'), p = window.agrepl.figureAxes.panels;"
        "var offsets = Array.prototype.map.call(s.querySelectorAll('text.offset'), function (t) {"
        "  var b = t.getBBox(); return [t.getAttribute('data-offset'), t.getAttribute('data-scale'), t.textContent,"
        "  b.x, b.y, b.x + b.width, b.y + b.height]; });"
        "var widest = 0; s.querySelectorAll('text[data-label][text-anchor=\"end\"]').forEach(function (t) {"
        "  widest = Math.max(widest, t.getBBox().width); });"
        "var name = Array.prototype.filter.call(s.querySelectorAll('text.axisname'), function (t) {"
        "  return t.textContent === 'x'; })[0].getBBox();"
        "return [offsets, widest, name.x + name.width, p.map(function (q) { return [q.x, q.y]; })]")
    offsets, widest, name_right, places = drawn
    check("ticks far from zero against their span take an offset, as the terminal's: a loss up to 1 labelled "
          "-1.0 ... 0 under \u00d710\u207b\u2075 + 1 over the frame's left end, x from 1000.001 0.0010 ... "
          "0.0020 with +1000 under its right end, clear of the axis's name; the y labels at most 30 px wide",
          got == ["-1.0", "-0.8", "-0.6", "-0.4", "-0.2", "0"] and
          x_labels[-6:] == ["0.0010", "0.0012", "0.0014", "0.0016", "0.0018", "0.0020"] and
          [o[:3] for o in offsets] == [["+1", "-5", "\u00d710\u22125 + 1"], ["+1000", "0", "+1000"]] and
          offsets[0][3] >= places[0][0] + 70 and offsets[0][6] <= places[0][1] + 40 and
          offsets[1][5] <= places[1][0] + 530.5 and name_right < offsets[1][3] and widest <= 30,
          [got, x_labels, offsets, widest, name_right, places])
    # dots at the range's corners and a row across whose centres are 1.5 px below where the legend
    # went (a box 330 px high over [-0.04, 1.04], the legend 10 px down and 22 high): each dot's disc
    # counts, so the legend leaves them whole, as the terminal's (viz/plot_draw.c, plot_points_under)
    typed("clearplot()")
    typed("plot(concat([[0, 1, 0, 1], linspace(0, 1, 41)]), concat([[0, 0, 1, 1], full([41], 0.93036)]), "
          "name=\"row\", points=true)")
    time.sleep(0.5)
    nearest = driver.execute_script(
        "var s = document.querySelector('#plot svg'), r = s.querySelector('g.legend rect');"
        "var x0 = +r.getAttribute('x'), y0 = +r.getAttribute('y'), x1 = x0 + +r.getAttribute('width'),"
        " y1 = y0 + +r.getAttribute('height'), nearest = Infinity;"
        "s.querySelectorAll('circle[r=\"2.5\"]').forEach(function (c) {"
        "  if (c.closest('g.legend')) return;"
        "  var x = +c.getAttribute('cx'), y = +c.getAttribute('cy');"
        "  nearest = Math.min(nearest, Math.hypot(Math.max(x0 - x, x - x1, 0), Math.max(y0 - y, y - y1, 0))); });"
        "return nearest")
    check("the legend leaves the dots at its edge whole: no dot's disc (radius 2.5) under it, as the terminal's",
          nearest >= 2.0, nearest)
    typed("clearplot()")


def line_colours(driver, typed):
    typed("clearplot()")
    typed("for i in range(3) { track(i, i * i, name=\"adam\"); track(i, 1 - i, name=\"sgd\");"
          " plot(1 / (i + 1), \"sgd\"); plot(2 / (i + 1), \"adam\"); plot(i, \"other\") }")
    time.sleep(0.5)
    got = driver.execute_script(
        "var out = {}; document.querySelectorAll('#plot svg polyline').forEach(function (p, i) {"
        " out[i] = [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray') || '']; }); return out")
    lines = [got[k] for k in sorted(got, key=int)]
    strokes, dashes = [c for c, _ in lines], [d for _, d in lines]
    # the series panel's lines (sgd, adam, other), then the map's paths (adam, sgd)
    check("a loss named as a tracked path has the path's colour in the page, as in the terminal; another line its own",
          len(strokes) == 5 and strokes[0] == strokes[4] and strokes[1] == strokes[3] and strokes[0] != strokes[1] and
          strokes[2] not in (strokes[0], strokes[1]), strokes)
    # the terminal's styles: path k the k-th (adam solid, sgd dashed), a loss its path's,
    # "other" the third line of its panel (dotted)
    check("and its line style (solid, dashed, dotted: the one beneath shows through where lines overlap)",
          dashes == ["10 6", "", "0.01 5.5", "", "10 6"], dashes)
    # the terminal's palettes (viz/plot_maps_data.c): paths red then orange, the third series green
    check("the terminal's colours: the paths' palette (adam red, sgd orange), the series' (\"other\" green)",
          strokes[3:] == ["#d62728", "#ff7f0e"] and strokes[2] == "#2ca02c", strokes)
    dots = driver.execute_script(
        "var s = document.querySelector('#plot svg'); return [s.querySelectorAll('circle.step').length,"
        " s.querySelectorAll('g.legend circle[r=\"3.4\"]').length]")
    check("a short loss (3 steps each) has a dot on each point, and in its legend, as in the terminal",
          dots == [9, 3], dots)
    typed("for i in range(3, 41) { plot(1 / (i + 1), \"sgd\") }")
    typed("plot(0.01, \"sgd\")")
    time.sleep(0.5)
    dots = driver.execute_script("return document.querySelectorAll('#plot svg circle.step').length")
    check("a loss past 40 steps is a line alone", dots == 6, dots)
    typed("clearplot()")


def long_title(driver, typed, shots):
    typed("clearplot()")
    typed("for i in range(20) { plot(1 / (i + 1), \"loss\") }")
    long = ("DeZero's spiral: loss and accuracy per epoch, with the learning rate halved every ten "
            "epochs and the batch shuffled again each time")
    typed("title(\"%s\")" % long)
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), w = +s.getAttribute('width'), rows = s.querySelectorAll('text[font-size=\"16\"]');"  # the title's rows, old or new
        "var frame = s.querySelector('rect[stroke=\"#444\"]'), top = frame ? frame.getBBox().y : -1;"
        "return [Array.prototype.map.call(rows, function (t) { var b = t.getBBox();"
        "  return [t.textContent, Math.floor(b.x), Math.ceil(b.x + b.width), b.y + b.height, Math.round(b.x + b.width / 2)]; }), w, top]")
    rows, width, top = got
    check("a title wider than the figure wraps into centred rows inside it, above the frame, as the terminal's "
          "([rows: text, left, right, bottom, centre], width, frame's top)",
          len(rows) >= 2 and " ".join(r[0] for r in rows) == long and
          all(r[1] >= 0 and r[2] <= width and abs(r[4] - width / 2) <= 1 for r in rows) and
          all(rows[k][3] <= rows[k + 1][3] - 15 for k in range(len(rows) - 1)) and rows[-1][3] < top, got)
    driver.save_screenshot(os.path.join(shots, "long-title.png"))
    typed("clearplot()")


def long_panel_title(driver, typed, shots):
    typed("clearplot()")
    long = "true digit (rows) against the CNN's answer (columns) on the held-out digits of the last epoch"
    typed("heatmap(eye(10), name=\"%s\")" % long)
    typed("images(zeros([2, 3, 3]), panel=2)")
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), im = s.querySelector('image.heatmap');"
        "var rows = s.querySelectorAll('text[font-size=\"13\"]');"  # the panels' titles, old or new
        "return [Array.prototype.map.call(rows, function (t) { var b = t.getBBox();"
        "  return [t.textContent, Math.floor(b.x), Math.ceil(b.x + b.width), b.y + b.height, Math.round(b.x + b.width / 2)]; }),"
        " im ? im.getBBox().y : -1]")
    rows, image_top = got
    # the heat map's panel is the first, 560 wide at x = 0 (figure_svg.js PANEL_W); its title
    # (the name, then the shape) is the text above the map, the images' below it
    mine = [r for r in rows if r[3] < image_top]
    check("a heat map's title wider than its panel wraps into centred rows inside it, the map below them, "
          "as the terminal's ([rows: text, left, right, bottom, centre], map's top)",
          len(mine) >= 2 and " ".join(r[0] for r in mine) == long + " [10 10]" and
          all(r[1] >= 0 and r[2] <= 560 and abs(r[4] - 280) <= 1 for r in mine) and
          all(mine[k][3] <= mine[k + 1][3] - 12 for k in range(len(mine) - 1)) and image_top > 0, got)
    others = [r for r in rows if r[3] > image_top]
    check("the images' short title stays one row", len(others) == 1 and others[0][0] == "2 images, 3x3", got)
    driver.save_screenshot(os.path.join(shots, "long-panel-title.png"))
    typed("clearplot()")


def marks(driver, typed):
    # a diagonal through the mark: above right (where a fixed label went) it crosses the label
    typed("clearplot()")
    typed("for i in range(21) { track(i / 20, i / 20, name=\"w\") }")
    typed("mark(0.5, 0.5, \"minimum\")")
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), t = s.querySelector('text.mark'), line = s.querySelector('polyline');"
        "if (!t || !line) return null;"
        "var b = t.getBBox(), p = line.getAttribute('points').trim().split(/\\s+/).map(function (q) { return q.split(',').map(Number); }), inside = 0;"
        "for (var i = 0; i + 1 < p.length; i++) for (var j = 0; j <= 20; j++) {"
        "  var x = p[i][0] + j / 20 * (p[i + 1][0] - p[i][0]), y = p[i][1] + j / 20 * (p[i + 1][1] - p[i][1]);"
        "  if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height) inside++; }"
        "return [s.querySelectorAll('path.mark').length, t.textContent, inside, b.width]")
    check("mark() draws a cross (outlined) with its label beside it, off the tracked path, as the terminal",
          got is not None and got[0] == 2 and got[1] == "minimum" and got[2] == 0 and got[3] > 20, got)
    # the optimizer race's minimum: a path through the mark near the frame's right edge from the
    # upper left, another under it on the left; the label slides into the frame above right, as
    # the terminal's (test_mark_label_slides_into_the_frame), over no path
    typed("clearplot(); def bowl(a, b) = a^2 + b^2; contour(bowl, [-2, 2], [-2, 2])")
    typed("for i in range(41) { track(-1.5 + 2.8 * i / 30, 1.5 - 1.5 * i / 30, name=\"through\") }")
    typed("for i in range(21) { track(-1.5 + 2.5 * i / 20, -0.25, name=\"under\") }; "
          "for i in range(1, 11) { track(1.0, -0.25 - 1.2 * i / 10, name=\"under\") }")
    typed("mark(1.3, 0, \"minimum (1, 1)\")")
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), t = s.querySelector('text.mark'), f = s.querySelector('clipPath rect');"
        "if (!t || !f) return null;"
        "var b = t.getBBox(), inside = 0, fx = +f.getAttribute('x') + +f.getAttribute('width');"
        "Array.prototype.forEach.call(s.querySelectorAll('polyline'), function (line) {"
        "  var p = line.getAttribute('points').trim().split(/\\s+/).map(function (q) { return q.split(',').map(Number); });"
        "  for (var i = 0; i + 1 < p.length; i++) for (var j = 0; j <= 20; j++) {"
        "    var x = p[i][0] + j / 20 * (p[i + 1][0] - p[i][0]), y = p[i][1] + j / 20 * (p[i + 1][1] - p[i][1]);"
        "    if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height) inside++; } });"
        "var c = s.querySelector('path.mark').getAttribute('d').match(/[-0-9.]+/g).map(Number);"
        "return [inside, Math.round(fx - b.x - b.width), Math.round(b.y + b.height - (c[1] + 7))]")
    check("a mark's label near the frame's right edge slides into the frame above the cross, over no path, "
          "as the terminal's ([points of paths in it, room to the frame's right, its bottom to the cross's top])",
          got is not None and got[0] == 0 and got[1] >= 0 and got[2] <= 0, got)
    typed("clearplot()")
    typed("for i in range(21) { track(i / 20, i / 20, name=\"w\") }")
    typed("mark(0.5, 0.5, \"minimum\")")
    time.sleep(0.5)
    # the path ends in the top right corner: the legend (framed) goes where it hides none of it
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), g = s.querySelector('g.legend'), line = s.querySelector('polyline');"
        "if (!g || !line) return null;"
        "var r = g.querySelector('rect').getBBox(), p = line.getAttribute('points').trim().split(/\\s+/).map(function (q) { return q.split(',').map(Number); }), inside = 0;"
        "for (var i = 0; i + 1 < p.length; i++) for (var j = 0; j <= 20; j++) {"
        "  var x = p[i][0] + j / 20 * (p[i + 1][0] - p[i][0]), y = p[i][1] + j / 20 * (p[i + 1][1] - p[i][1]);"
        "  if (x >= r.x && x <= r.x + r.width && y >= r.y && y <= r.y + r.height) inside++; }"
        "return [g.textContent, inside, g.querySelectorAll('circle').length]")
    check("the map's legend, framed, with the path's line and dot, goes where it hides none of the path",
          got == ["w", 0, 1], got)
    # the terminal's path markers: a dot on each point between the ends of a short path, a ring at
    # its start (nested around an earlier path's starting there), a rimmed disc where it is now
    typed("track(0, 0, name=\"v\"); track(0.25, 0.1, name=\"v\")")
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), r = function (q) { return Array.prototype.map.call("
        " s.querySelectorAll(q), function (c) { return +c.getAttribute('r'); }); };"
        "return [s.querySelectorAll('g.pathdots circle').length, r('circle.start'), r('circle.now').length]")
    check("a path's markers as the terminal's: its 19 inner points dotted, nested start rings, a disc at each end",
          got is not None and got[0] == 19 and len(got[1]) == 4 and got[1][0] == got[1][1] and
          got[1][2] == got[1][3] and got[1][2] > got[1][0] and got[2] == 2, got)
    # ten classes in a ring: every place along the edges hides some; the legend goes in the hole
    typed("clearplot()")
    typed("x, t = gaussians(400, classes=10, std=0.1, seed=1)")
    typed("scatter(x, t)")
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), g = s.querySelector('g.legend');"
        "if (!g) return null;"
        "var r = g.querySelector('rect').getBBox(), f = s.querySelector('rect[stroke=\"#444\"]').getBBox();"
        "var dots = s.querySelectorAll('g.points circle');"
        "function under(x0, y0) { var n = 0; Array.prototype.forEach.call(dots, function (c) {"
        "  var x = +c.getAttribute('cx'), y = +c.getAttribute('cy');"
        "  if (x >= x0 && x <= x0 + r.width && y >= y0 && y <= y0 + r.height) n++; }); return n; }"
        "var cx = r.x + r.width / 2 - f.x, cy = r.y + r.height / 2 - f.y;"
        "return [dots.length, under(r.x, r.y), under(f.x + 10, f.y + 10), g.querySelectorAll('text').length,"
        " cx > f.width / 4 && cx < 3 * f.width / 4 && cy > f.height / 4 && cy < 3 * f.height / 4]")
    check("ten classes in a ring: the legend of ten goes into the hole, over none of the dots",
          got is not None and got[0] == 400 and got[1] == 0 and got[1] < got[2] and got[3] == 10 and got[4], got)
    # where every place within hides some too (a thicker ring, whose hole has a dot at its edge; eight
    # classes' blobs beside a loss), the legend goes outside the frame, right of it at its top, as the
    # terminal's (viz/plot_draw.c, map_legend_place; matplotlib's bbox_to_anchor), the frame narrower
    for scene in (["x, t = gaussians(400, classes=10, std=0.3, seed=1)", "scatter(x, t)"],
                  ["x, t = gaussians(400, classes=8, std=0.6, seed=2)", "scatter(x, t)",
                   "for i in range(20) { plot(1 / (i + 1), \"loss\") }"]):
        typed("clearplot()")
        for line in scene:
            typed(line)
        time.sleep(0.5)
        got = driver.execute_script(
            "var s = document.querySelector('#plot svg'), m = window.agrepl.figureAxes.map, r = null;"
            "s.querySelectorAll('g.legend').forEach(function (g) {"
            "  if (/class 0/.test(g.textContent)) r = g.querySelector('rect').getBBox(); });"
            "if (!r) return null;"
            "var touched = 0; s.querySelectorAll('g.points circle').forEach(function (c) {"
            "  var x = +c.getAttribute('cx'), y = +c.getAttribute('cy');"
            "  if (Math.hypot(Math.max(r.x - x, x - r.x - r.width, 0), Math.max(r.y - y, y - r.y - r.height, 0)) < 3.6) touched++; });"
            "var panel = window.agrepl.figureAxes.panels.filter(function (p) { return p.kind === 'map'; })[0];"
            "return [touched, r.x - (m.x + m.w), r.y - m.y, panel.x + panel.w - (r.x + r.width), m.w]")
        check("%s: no place within is free, so the legend goes outside the frame, right of it at its top, "
              "over none of the dots, inside its panel; the frame keeps two thirds of its width" % scene[0],
              got is not None and got[0] == 0 and got[1] >= 9 and abs(got[2]) <= 0.5 and got[3] >= 10 and
              got[4] >= 460 * 2 / 3, got)
    typed("clearplot()")
    # a name too long for the frame is cut short with an ellipsis: the legend stays inside it
    typed("for v in [1.1, 0.9, 0.7, 0.6, 0.5] { plot(v, \"training loss (cross entropy, mean over the batch, "
          "averaged again over the epoch, and once more over the runs)\") }")
    time.sleep(0.5)
    got = driver.execute_script(
        "var s = document.querySelector('#plot svg'), g = s.querySelector('g.legend');"
        "if (!g) return null;"
        "var r = g.querySelector('rect').getBBox(), f = s.querySelector('rect[stroke=\"#444\"]').getBBox();"
        "return [r.x >= f.x && r.x + r.width <= f.x + f.width, g.querySelector('text').textContent]")
    check("a legend name too long for the frame ends in an ellipsis, the legend inside the frame, as the terminal",
          got is not None and got[0] and got[1].startswith("training loss") and "\u2026" in got[1], got)
    typed("clearplot()")


# A PNG the page offered, clicked: its name, size in pixels and the share
# of its pixels that are dark (text, edges), decoded by the browser.
READ_PNG = """
var done = arguments[arguments.length - 1], blob = window.agrepl.lastDownloadBlob;
blob.arrayBuffer().then(function (b) {
  var u = new Uint8Array(b), signature = [137, 80, 78, 71, 13, 10, 26, 10].every(function (v, i) { return u[i] === v; });
  createImageBitmap(blob).then(function (bitmap) {
    var canvas = document.createElement('canvas');
    canvas.width = bitmap.width; canvas.height = bitmap.height;
    var cx = canvas.getContext('2d');
    cx.drawImage(bitmap, 0, 0);
    var d = cx.getImageData(0, 0, bitmap.width, bitmap.height).data, dark = 0;
    for (var i = 0; i < d.length; i += 4) if (d[i + 3] > 128 && d[i] + d[i + 1] + d[i + 2] < 240) dark++;
    done([window.agrepl.lastDownload, signature, bitmap.width, bitmap.height, dark / (bitmap.width * bitmap.height)]);
  }, function (e) { done([window.agrepl.lastDownload, signature, 0, 0, String(e)]); });
});
"""


def clicked_png(driver, name, keep=None):
    """clicks the page's link to the file `name` (the last one offered) and
    reads the PNG it downloads (READ_PNG's list); kept as the file keep"""
    driver.execute_script("window.agrepl.lastDownload = null")
    links = [a for a in driver.find_elements("css selector", "#output .saved a") if a.text == name]
    if not links:
        return None
    links[-1].click()
    deadline = time.time() + 30
    while driver.execute_script("return window.agrepl.lastDownload") != name and time.time() < deadline:
        time.sleep(0.1)
    if keep is not None and driver.execute_script("return window.agrepl.lastDownload") == name:
        with open(keep, "wb") as f:
            f.write(download(driver)[1].encode("latin-1"))
    return driver.execute_async_script(READ_PNG)


MAP_IN_VIEW = """
var plot = document.getElementById('plot'), svg = plot.querySelector('svg'), a = window.agrepl.figureAxes;
var map = a.panels.filter(function (p) { return p.kind === 'map'; })[0];
if (!svg || !map) return null;
var pane = plot.getBoundingClientRect(), s = svg.getBoundingClientRect(), k = s.width / a.width;
var top = s.top + map.y * k, bottom = s.top + (map.y + map.h) * k;
/* wholly in view, or from its top down where the pane is lower than the panel */
var seen = bottom - top <= pane.bottom - pane.top + 1 ? top >= pane.top - 1 && bottom <= pane.bottom + 1 :
           Math.abs(top - pane.top) <= 1;
return {inside: seen, top: top, bottom: bottom,
        pane: [pane.top, pane.bottom], scrollTop: plot.scrollTop, scrolls: plot.scrollHeight > plot.clientHeight};
"""


def map_in_view(driver, typed, shots):
    """The moons lesson's figure (the loss, the units, the boundary) on a
    1366x768 laptop: the three panels cannot be side by side at a readable
    size, so the pane scrolls; it shows the boundary while it trains, until
    the user scrolls the pane (then the view stays where it was put), and
    a figure drawn after clearplot() shows its boundary again.  Screenshot
    14-map-in-view.png."""
    size = driver.get_window_size()
    driver.set_window_size(1366, 768)
    try:
        time.sleep(0.3)
        typed("clearplot()")
        typed("vx, vt = moons(100, noise=0.1, seed=1); vm = mlp([16, 16, 1], activation=tanh, seed=1); vopt = adam(vm, lr=0.02)")
        step = ("for i in range(5) { vL = mean((reshape(vm(vx), [100]) - vt)^2); vm.cleargrads(); vL.backward(); "
                "vopt.step(); plot(vL, \"loss\"); neurons(vm, [-1.5, 2.5], [-1, 1.5]); "
                "boundary(vm, [-1.5, 2.5], [-1, 1.5], vx, vt) }")
        typed(step)
        time.sleep(0.5)
        at = driver.execute_script(MAP_IN_VIEW)
        check("the moons figure at 1366x768 scrolls, and its boundary panel is in view as it trains (wholly, or from its top "
              "in a pane lower than it)", at is not None and
              at["scrolls"] and at["inside"], at)
        driver.save_screenshot(os.path.join(shots, "14-map-in-view.png"))
        # the wheel over the pane, as a user scrolls (a real input event, not scrollTop set)
        ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(driver.find_element("id", "plot")), 0,
                                                -3000).perform()
        time.sleep(0.3)
        up = driver.execute_script("return document.getElementById('plot').scrollTop")
        typed(step)
        time.sleep(0.5)
        at = driver.execute_script(MAP_IN_VIEW)
        check("scrolled up by the wheel to the loss, the view stays there while the figure is drawn again",
              up == 0 and at is not None and at["scrollTop"] == 0, (up, at))
        typed("clearplot()")
        typed(step)
        time.sleep(0.5)
        at = driver.execute_script(MAP_IN_VIEW)
        check("after clearplot(), the next figure opens on its boundary again", at is not None and at["inside"], at)
    finally:
        driver.set_window_size(size["width"], size["height"])


def long_caret(driver, typed, shots):
    """A class types its loops on one line: an error near the end of one
    wider than the console must point at the right name."""
    line = "for i in range(3) { q = 1; " + "q = q + 1; q = q * 2; " * 6 + "q = q + zzz }"
    typed(line)
    at = driver.execute_script(
        "var spans = document.querySelectorAll('#output span'), s = spans[spans.length - 1];"
        "var node = s.firstChild, text = node ? node.textContent : '', z = text.indexOf('zzz'), c = text.lastIndexOf('^');"
        "if (z < 0 || c < 0) return [text, null, null];"
        "var box = function (i) { var r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);"
        "  var b = r.getClientRects(); b = b[b.length - 1]; return [b.left, b.top]; };"
        "return [text, box(z), box(c), s.getBoundingClientRect().width];")
    check("an error in a statement wider than the console: the caret stays under its name (%s)" % (at[1:],),
          at[1] is not None and at[2] is not None and abs(at[1][0] - at[2][0]) < 2 and at[2][1] > at[1][1],
          at)
    driver.save_screenshot(os.path.join(shots, "13-long-caret.png"))


def lesson_after_lesson(driver, typed, shots):
    """As a class goes from one lesson to the next: what the last one drew
    and the pace it set (the playground lessons' pace(20)) must not carry
    into the next, nor its names be lost."""
    typed(":digits full")
    typed("kept = 7")
    typed("pace(20)")
    typed("px, pt = moons(60, noise=0.1, seed=1); pm = mlp([8, 1], activation=tanh, seed=1)")
    typed("boundary(pm, [-1.5, 2.5], [-1, 1.5], px, pt)")
    typed("plot(1.5, \"earlier lesson's loss\")")
    t0 = time.time()
    text = typed(":load matyas", timeout=120).split("ag> :load matyas\n")[-1]
    elapsed = time.time() - t0
    time.sleep(0.5)
    drawn = driver.execute_script("return document.querySelector('#plot').textContent")
    check("a lesson loaded after another draws on an empty figure: none of the last panels (no boundary, no "
          "earlier series), its own loss and path", "earlier lesson" not in drawn and "class 0" not in drawn and
          "loss" in drawn and "wrote matyas.png" in text, drawn[:400])
    check("and at full speed, not held at the pace the last set (matyas' 301 steps in %.1f s, 15 s at pace 20)" %
          elapsed, elapsed < 8, elapsed)
    # moons_svm then a playground lesson: moons_svm's names must not hide
    # the built-in accuracy() the playground lessons call
    typed(":load moons_svm", timeout=120)
    text = typed(":load playground_gauss", timeout=120).split("ag> :load playground_gauss\n")[-1]
    check("a playground lesson loaded after moons_svm runs to its end (its accuracy() not hidden by a name "
          "moons_svm left)", driver.execute_script("return window.agrepl.lastRc") == 0 and "error" not in text and
          "accuracy variable(" in text, text[-400:])
    kept = typed("kept").split("ag> kept\n")[-1]
    check("the session's names stay across :load NAME", kept.strip().startswith("kept(7)"), kept)
    driver.save_screenshot(os.path.join(shots, "13-lesson-after-lesson.png"))


def loss_lines(text):
    """the numbers of each printed line that starts with "loss" """
    return [[float(n) for n in re.findall(r"-?[0-9]+\.[0-9]+(?:e[-+]?[0-9]+)?", l)]
            for l in text.split("\n") if l.startswith("loss")]


def lessons(driver, typed, samples, web, shots, agrepl=None):
    """Every lesson in samples/ loaded by name in the page runs to its end
    (the statement's status 0) and prints the lines its .expect file holds,
    as in the terminal: iris_csv reads the data the page ships beside its
    lessons (lesson_data); tanh_graph's and mlp_explorer's render() to .png
    draw each graph in the pane and offer PNGs of its SVG at 96 dpi, no
    longer stopping the lesson with :digits 3 left set; digits' five
    savefig() offer links and start no download until one is clicked; each
    savefig shows the figure saved in the pane."""
    def load(name):
        """:load NAME at full digits in a fresh session: its output, status,
        and how many graphs it showed in the pane"""
        for line in [":reset", ":pace off", ":digits full", "clearplot()"]:
            typed(line)
        driver.execute_script("window.agrepl.lastDownload = null")
        shown = driver.execute_script("return window.agrepl.graphsShown || 0")
        text = typed(":load " + name).split("ag> :load " + name + "\n")[-1]
        rc = driver.execute_script("return window.agrepl.lastRc")
        expect = os.path.join(samples, "..", "tests", "samples", name + ".expect")
        missing = []
        if os.path.exists(expect):
            # each line exactly, in order, as run_samples.sh wants them of the
            # terminal: the page's numbers are the terminal's digit for digit
            # (its Pow multiplies as the engine's does, not through musl's pow)
            lines, at = text.split("\n"), 0
            for want in [l for l in open(expect, encoding="utf-8").read().split("\n") if l]:
                while at < len(lines) and lines[at] != want:
                    at += 1
                if at == len(lines):
                    missing.append(want)
                    break
                at += 1
        check("the %s lesson runs to its end in the page: no error, every line of its .expect, digit for digit" % name,
              rc == 0 and not missing, "status %r, missing %r in:\n%s" % (rc, missing, text[-1500:]))
        return text, driver.execute_script("return window.agrepl.graphsShown || 0") - shown

    # the data the lessons read, shipped with the page beside its lessons
    data = os.path.join(samples, "data")
    shipped = os.path.join(web, "lessons", "data")
    same = os.path.exists(os.path.join(shipped, "iris.csv")) and \
        open(os.path.join(shipped, "iris.csv"), "rb").read() == open(os.path.join(data, "iris.csv"), "rb").read()
    readme = open(os.path.join(shipped, "README.md"), encoding="utf-8").read() \
        if os.path.exists(os.path.join(shipped, "README.md")) else ""
    check("make web puts the lessons' data beside their copies (lessons/data/iris.csv), with the README naming its "
          "source and licence", same and "## iris.csv" in readme and "**Licence:**" in readme, os.listdir(web))
    text = typed("lesson_data(\"iris.csv\")").split("ag> lesson_data(\"iris.csv\")\n")[-1]
    check("lesson_data(\"iris.csv\") in the page names the data shipped with its lessons", "/lessons/data/iris.csv" in text,
          text)
    load("iris_csv")

    # render(..., "x.png"): each graph in the pane, each file a PNG of the page's SVG
    text, shown = load("tanh_graph")
    after = typed("pi").split("ag> pi\n")[-1]
    check("the lesson's own :digits 3 ended with it (not left at 3 digits)", "3.141592653589793" in after, after)
    pngs = ["dtanh1.png", "dtanh2.png", "dtanh3.png", "dtanh4.png", "dtanh3_grads.png"]
    check("tanh_graph's five render(..., \"x.png\") each draw the graph in the page's graph pane", shown == 5, shown)
    title = driver.execute_script("var s = document.querySelector('#graph svg'); return s ? s.textContent : ''")
    check("the pane shows the last one, with render's title", "3rd derivative, with the gradients of the last backward"
          in title, title[:300])
    links = [a.text for a in driver.find_elements("css selector", "#output .saved a")][-5:]
    check("the five PNGs are offered as links", links == pngs, links)
    check("and none downloads without a click", driver.execute_script("return window.agrepl.lastDownload") is None,
          driver.execute_script("return window.agrepl.lastDownload"))
    # the page's own SVG of the first graph (the lesson's options and digits)
    typed(":digits 3")
    name, svg = wait_download(driver, "dtanh1.svg", lambda: (
        typed("render(gx1, \"dtanh1.svg\", grads=false, title=\"1st derivative of tanh at x = 1\")"),
        driver.find_elements("css selector", "#output .saved a")[-1].click()))
    typed(":digits full")
    size = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    got = clicked_png(driver, "dtanh1.png", os.path.join(shots, "12-dtanh1-page.png"))
    check("a click on dtanh1.png downloads a PNG of that SVG at 96 dpi, as the terminal draws its PNGs (4/3 pixel a "
          "point), its text and edges drawn",
          size is not None and got is not None and got[0] == "dtanh1.png" and got[1] and
          abs(got[2] - float(size.group(1)) * 4 / 3) <= 1 and abs(got[3] - float(size.group(2)) * 4 / 3) <= 1 and
          isinstance(got[4], float) and got[4] > 0.005, (size and size.groups(), got))
    got = clicked_png(driver, "dtanh4.png")
    check("dtanh4.png too (110 nodes)", got is not None and got[0] == "dtanh4.png" and got[1] and got[2] > 500 and
          isinstance(got[4], float) and got[4] > 0.005, got)

    # savefig: links, no download until clicked
    text, shown = load("digits")
    check("digits' five savefig() start no download", driver.execute_script("return window.agrepl.lastDownload") is None,
          driver.execute_script("return window.agrepl.lastDownload"))
    figures = ["digits_images.png", "digits_accuracy.png", "digits_filters.png", "digits_feature_maps.png",
               "digits_confusion.png"]
    links = [a.text for a in driver.find_elements("css selector", "#output .saved a")][-5:]
    check("they are offered as links", links == figures, links)
    got = clicked_png(driver, "digits_images.png")
    check("a click on digits_images.png downloads the figure as a PNG (the image grid drawn)",
          got is not None and got[0] == "digits_images.png" and got[1] and got[2] > 400 and
          isinstance(got[4], float) and got[4] > 0.01, got)
    typed(":reset")
    received = driver.execute_script("return window.agrepl.figuresReceived || 0")
    typed("for i in range(3) { clearplot(); heatmap([[i, 1], [2, 3]], name=\"w\" + str(i)); savefig(\"w\" + str(i) + \".png\") }")
    received = driver.execute_script("return window.agrepl.figuresReceived || 0") - received
    check("each savefig hands the pane the figure it saves (three in one statement, within 250 ms)", received >= 3,
          received)
    links = [a.text for a in driver.find_elements("css selector", "#output .saved a")][-3:]
    check("savefig in a loop offers each file", links == ["w0.png", "w1.png", "w2.png"], links)
    # a file the page writes after the statement: a folder that is not there
    # fails the statement now, with the terminal's error
    typed("q = sin(1.0) * 2")
    text = typed("render(q, \"nowhere/q.png\")") + typed("savefig(\"nowhere/w.png\")")
    check("render and savefig to .png in a missing folder fail at once with the terminal's errors",
          "error: render: cannot write \"nowhere/q.png\": No such file or directory" in text and
          "error: savefig: cannot write 'nowhere/w.png': No such file or directory" in text and
          driver.execute_script("return window.agrepl.lastRc") == 1, text[-600:])

    # every other lesson
    for path in sorted(os.listdir(samples)):
        name = path[:-3]
        if path.endswith(".ag") and name not in ("iris_csv", "tanh_graph", "digits"):
            text, shown = load(name)
            if name.startswith("playground") and agrepl:
                # the losses their .expect leaves out: exp, log and tanh are
                # emscripten's (musl's) here, glibc's in the terminal, whose
                # last bits differ, and a training loop carries that on (README)
                with tempfile.TemporaryDirectory() as home:
                    native = subprocess.run([agrepl, "--headless", os.path.abspath(os.path.join(samples, path))],
                                            capture_output=True, text=True, cwd=home, timeout=300,
                                            env=dict(os.environ, HOME=home, AGREPL_HEADLESS="1")).stdout
                page, term = loss_lines(text), loss_lines(native)
                check("the %s lesson's losses in the page are the terminal's to 8 digits or better" % name,
                      page and len(page) == len(term) and all(
                          len(a) == len(b) and all(abs(x - y) <= 1e-8 * max(abs(y), 1e-300) for x, y in zip(a, b))
                          for a, b in zip(page, term)), (page, term))
            if name == "mlp_explorer":
                links = [a.text for a in driver.find_elements("css selector", "#output .saved a")][-2:]
                check("mlp_explorer's two render(..., \"x.png\") are offered as links, each graph drawn in the pane",
                      links == ["mlp_folded.png", "mlp_whole.png"] and shown >= 2, (links, shown))
    typed(":pace off")


# the legend as the page shows it (the copy pinned in the pane, else the
# drawing's own), the pane, the output's box, the view's scale and the
# legend's width at 100 % (its frame and 4 units round it)
LEGEND = """
var v = document.querySelector('#graph .agrepl-view:not([style*="none"])'), out = v.querySelector('pre[data-output]');
var graph = document.getElementById('graph'), pane = graph.getBoundingClientRect(), node = null, legend = null;
v.querySelectorAll('g.node').forEach(function (n) {
  var t = n.querySelector('title').textContent;
  if (out && t === out.getAttribute('data-node')) node = n;
  if (t === 'legend') legend = n;
});
var box = function (r) { return r ? [r.left, r.top, r.right, r.bottom] : null; };
var pins = graph.querySelectorAll('.agrepl-legend-pin'), pin = pins.length ? pins[0] : null;
var svg = v.querySelector('svg'), vb = svg.viewBox.baseVal, m = document.querySelector('#graph .agrepl-graph').style.transform;
var scale = +m.split('scale(')[1].split(')')[0], unit = svg.getBoundingClientRect().width / vb.width;
var frame = svg.querySelector('g.graph'), list = frame && frame.transform.baseVal;
var shrink = list && list.numberOfItems ? list.consolidate().matrix.a : 1;  // Graphviz's size= scale
var shown = pin ? pin.getBoundingClientRect() : legend && legend.getBoundingClientRect(), hit = null;
if (shown) { hit = document.elementFromPoint(shown.left + shown.width / 2, shown.top + shown.height / 2); }
return { pane: box(pane), legend: box(shown), output: box(node && node.getBoundingClientRect()), pins: pins.length,
         pinned: !!pin, drawn_hidden: !!legend && getComputedStyle(legend).visibility === 'hidden',
         hit_pin: !!pin && !!hit && pin.contains(hit), scale: scale,
         full_width: legend ? (legend.getBoundingClientRect().width + 8 * unit) / (scale * shrink) : null,
         legend_text: pin ? Math.min.apply(null, Array.prototype.map.call(pin.querySelectorAll('text'), function (t) {
           return parseFloat(t.getAttribute('font-size')) * Math.abs(t.getScreenCTM().a); })) : null };
"""


# The smallest text of the shown drawing's boxes as drawn, in px: each
# text's font size times its screen transform's scale (the legend is no
# box: its key's text has its own floor, legend_text).
SMALLEST_NODE_TEXT = """
var small = 1e9;
document.querySelectorAll('#graph g.node').forEach(function (n) {
  var title = n.querySelector('title');
  if (!title || title.textContent !== 'legend') n.querySelectorAll('text').forEach(function (t) {
    var f = parseFloat(t.getAttribute('font-size')), m = t.getScreenCTM(), r = t.getBoundingClientRect();
    if (f > 0 && m && r.width > 0) small = Math.min(small, f * Math.abs(m.a));
  });
});
return small;
"""


def legend(driver, typed, shots):
    """The graph's legend wholly in view, as the graph window keeps it
    (viz/graph_window.c, draw_legend): a big graph opened at a readable
    size on its output (a 60-step sin loop, a folded MLP), a small one
    opened on its output at 1280x720 (its legend cut at the pane's left
    edge), at 1280x720 and 1366x768 and after a resize: the legend seen
    (pinned in the pane when the view cuts it) is inside the pane, never
    over the output's box, seen once (the drawing's own hidden), and a
    click there reaches it, not a node under it; zoomed in past 100 % it is
    no bigger than at 100 %; panned along the axis it was cut on, it stays
    put (a sticky header).  Where pinned it would hide a box, it is folded
    into the legend button (web_layout.legend_clear checks that): the
    button pins it, and these checks are of that.  Screenshots
    12-legend-*.png."""
    size = driver.get_window_size()
    graphs = [("sin-loop", "lx = 2.0; ly = lx; for i in range(60) { ly = sin(ly) * lx }; ly.backward(); show(ly)"),
              ("folded-mlp", "lgx, lgt = moons(100, noise=0.1, seed=1); lgm = mlp([16, 16, 1], activation=tanh, seed=1);"
                             " lgL = mean((lgm(lgx) - reshape(lgt, [100, 1]))^2); lgL.backward(); show(lgL, fold=true)"),
              ("small", "la = 1.0; lb = sin(la) * la; lb.backward(); show(lb)")]

    def inside(at):
        pane, box = at["pane"], at["legend"]
        return box is not None and box[0] >= pane[0] - 0.5 and box[1] >= pane[1] - 0.5 and \
            box[2] <= pane[2] + 0.5 and box[3] <= pane[3] + 0.5

    def clear_of_output(at):
        box, out = at["legend"], at["output"]
        return out is not None and (box[2] <= out[0] or box[0] >= out[2] or box[3] <= out[1] or box[1] >= out[3])

    def unfolded():
        """The legend pinned by its button where it was folded."""
        button = driver.find_element("id", "legendbutton")
        if button.value_of_css_property("visibility") == "visible" and button.get_attribute("aria-pressed") != "true":
            button.click()
            time.sleep(0.2)

    def whole(what, at):
        check("the legend wholly in the graph pane: " + what, inside(at), at)
        check("... seen once (pinned: the drawing's own hidden), a click there reaching it, not a node under it: " + what,
              at["pins"] <= 1 and at["pinned"] == at["drawn_hidden"] and (at["hit_pin"] or not at["pinned"]), at)

    try:
        typed("clearplot()")
        for w, h in [(1280, 720), (1366, 768)]:
            driver.set_window_size(w, h)
            time.sleep(0.3)
            for name, line in graphs:
                typed(line)
                time.sleep(0.5)
                unfolded()
                at = driver.execute_script(LEGEND)
                what = "%s at %dx%d" % (name, w, h)
                whole(what, at)
                if name == "sin-loop":  # Graphviz scales this drawing down (g.graph's transform)
                    smallest = driver.execute_script(SMALLEST_NODE_TEXT)
                    check("... its boxes' text opened readable, at least 11 px (the drawing's scale counted): " + what,
                          smallest >= 11, smallest)
                    check("... its pinned legend's text at least 9 px, not shrunk with the drawing: " + what,
                          at["pinned"] and at["legend_text"] is not None and at["legend_text"] >= 9, at)
                check("... not over the output's box: " + what, at["legend"] is not None and clear_of_output(at), at)
                driver.save_screenshot(os.path.join(shots, "12-legend-%s-%dx%d.png" % (name, w, h)))
        # resized (the folded MLP shown at 1366x768): placed again, the legend kept whole
        typed(graphs[1][1])
        driver.set_window_size(1280, 720)
        time.sleep(0.5)
        unfolded()
        at = driver.execute_script(LEGEND)
        whole("the folded MLP after a resize from 1366x768 to 1280x720", at)
        check("... not over the output's box after the resize", at["legend"] is not None and clear_of_output(at), at)
        # panned down along the axis it is cut on (the drawing's top, with
        # the legend, above the pane): a sticky header, it stays put
        graph = driver.find_element("id", "graph")
        before = at
        graph.send_keys(Keys.ARROW_UP)
        time.sleep(0.2)
        at = driver.execute_script(LEGEND)
        whole("the folded MLP panned down 40 px", at)
        check("... pinned at the pane's edge, where it was (a sticky header)",
              before["pinned"] and at["pinned"] and abs(at["legend"][1] - before["legend"][1]) < 0.5, (before, at))
        # zoomed in past 100 %: the graph grows, not the legend
        for _ in range(5):
            driver.find_element("css selector", "[data-zoom=in]").click()
        time.sleep(0.3)
        at = driver.execute_script(LEGEND)
        whole("the folded MLP zoomed in past 100 %", at)
        check("... the legend pinned no bigger than at 100 %% (the view at %.2f)" % at["scale"],
              at["scale"] > 1 and at["pinned"] and at["legend"][2] - at["legend"][0] <= at["full_width"] + 1, at)
        driver.save_screenshot(os.path.join(shots, "12-legend-zoomed-in.png"))
        driver.find_element("css selector", "[data-zoom=fit]").click()
        time.sleep(0.3)
        at = driver.execute_script(LEGEND)
        whole("the whole folded MLP (the 0 button)", at)
        check("... at its place in the drawing, not pinned", not at["pinned"], at)
    finally:
        driver.set_window_size(size["width"], size["height"])
