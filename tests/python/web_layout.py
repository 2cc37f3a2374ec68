"""web_layout.py: the graph and plot panes' layout at a laptop's sizes and
browser zoom, for web_test.py.  Each size is the page's CSS px: a
1366x768 laptop, and that laptop at 125 % (1093x614) and 150 % (911x512)
browser zoom (web_more.viewport sizes the window to it).

first_graph_whole(driver, typed, shots): the README's first session's graph
(five boxes) beside a loss plot at 1366x768 opens whole, every box inside
the pane, its boxes' text at least 12 px and the legend's key at least
9 px, as measured in the browser (each text's font size times its screen
transform); in a 1366x768 window (its graph pane 268 px high) whole, its
boxes' text at least 9 px (a graph of at most 8 boxes).  Screenshots
14-first-graph-*.png.
legend_clear(driver, typed, shots): at 1366x768, 125 % and 150 %, with and
without a plot beside, five graphs (the sin loop, the folded MLP, a small
one, the README's first, Rosenbrock's): the legend seen (its pinned copy,
else the drawing's own) overlaps no node's box in the pane; where it is
folded into the legend button the button pins it inside the pane, its text
at least 9 px, and folds it again.  Screenshots 14-legend-*.png.
plot_text(driver, typed, shots): a lone loss panel in a short plot pane (a
1366x768 window, its pane 268 px high; 1366x768, 125 % and 150 %) has its
ticks' and legend's text at least 11.9 px, and still fits its pane whole.
Screenshots 14-plot-*.png."""
import os
import time

from checks import check
import web_more

SIZES = [(1366, 768, "1366x768"), (1093, 614, "125% zoom (1093x614)"), (911, 512, "150% zoom (911x512)")]

# the shown drawing's boxes' smallest text and the legend's, in CSS px (each
# text's font size times its screen transform), whether every box is inside
# the pane, and how the page opened it
OPENED = """
var v = document.querySelector('#graph .agrepl-view:not([style*="none"])'), pane = document.getElementById('graph').getBoundingClientRect();
var boxes = 1e9, key = 1e9, inside = true;
v.querySelectorAll('g.node').forEach(function (n) {
  var legend = n.querySelector('title').textContent === 'legend', r = n.getBoundingClientRect();
  if (!legend && (r.left < pane.left - 0.5 || r.top < pane.top - 0.5 || r.right > pane.right + 0.5 || r.bottom > pane.bottom + 0.5))
    inside = false;
  n.querySelectorAll('text').forEach(function (t) {
    var px = parseFloat(t.getAttribute('font-size')) * Math.abs(t.getScreenCTM().a);
    if (legend) key = Math.min(key, px); else boxes = Math.min(boxes, px);
  });
});
return { opened: window.agrepl.graphOpened, inside: inside, boxes: boxes, key: key, pane: [pane.width, pane.height] };
"""

# the legend as seen (its pinned copy, else the drawing's own where it is
# shown), each node box (clipped to the pane) it overlaps by more than half a
# pixel each way, the legend button's state and the pinned legend's smallest text
COVER = """
var graph = document.getElementById('graph'), pane = graph.getBoundingClientRect(), button = document.getElementById('legendbutton');
var v = document.querySelector('#graph .agrepl-view:not([style*="none"])'), pin = graph.querySelector('.agrepl-legend-pin');
var legend = null, boxes = [], covered = [];
v.querySelectorAll('g.node').forEach(function (n) {
  var t = n.querySelector('title').textContent, r = n.getBoundingClientRect();
  if (t === 'legend') { legend = n; return; }
  var b = [Math.max(r.left, pane.left), Math.max(r.top, pane.top), Math.min(r.right, pane.right), Math.min(r.bottom, pane.bottom)];
  if (b[2] > b[0] && b[3] > b[1]) boxes.push([t].concat(b));
});
var seen = pin ? pin.getBoundingClientRect() : legend && getComputedStyle(legend).visibility !== 'hidden' ? legend.getBoundingClientRect() : null;
if (seen) boxes.forEach(function (b) {
  var across = Math.min(seen.right, b[3]) - Math.max(seen.left, b[1]), down = Math.min(seen.bottom, b[4]) - Math.max(seen.top, b[2]);
  if (across > 0.5 && down > 0.5) covered.push([b[0], Math.round(across), Math.round(down)]);
});
var text = pin ? Math.min.apply(null, Array.prototype.map.call(pin.querySelectorAll('text'), function (t) {
  return parseFloat(t.getAttribute('font-size')) * Math.abs(t.getScreenCTM().a); })) : null;
return { covered: covered, boxes: boxes.length, pinned: !!pin, pins: graph.querySelectorAll('.agrepl-legend-pin').length,
         button: !!button && getComputedStyle(button).visibility === 'visible', pressed: !!button && button.getAttribute('aria-pressed') === 'true',
         legend: seen ? [seen.left, seen.top, seen.right, seen.bottom] : null, pane: [pane.left, pane.top, pane.right, pane.bottom],
         text: text, opened: window.agrepl.graphOpened };
"""

# the plot's ticks' and legend's text (the figure's 12-unit text) in CSS px,
# and the texts past the pane's edges
PLOT_TEXT = """
var p = document.getElementById('plot'), r = p.getBoundingClientRect(), small = 1e9, out = [];
var bottom = r.top + p.clientHeight, right = r.left + p.clientWidth;
p.querySelectorAll('svg text').forEach(function (t) {
  var b = t.getBoundingClientRect();
  if (!b.width) return;
  if (b.bottom > bottom + 1 || b.right > right + 1 || b.top < r.top - 1 || b.left < r.left - 1) out.push(t.textContent);
  if (t.getAttribute('font-size') === '12') small = Math.min(small, 12 * Math.abs(t.getScreenCTM().a));
});
return { small: small, out: out, pane: [p.clientWidth, p.clientHeight], scale: window.agrepl.plotScale };
"""

FIRST = "x = 1.0; y = sin(x) + x^2; y.backward(); show(y)"
LOSS = 'clearplot(); for i in range(50) { plot(1 / (i + 1), "loss") }'


def first_graph_whole(driver, typed, shots):
    size = driver.get_window_size()
    try:
        typed(LOSS)
        web_more.viewport(driver, 1366, 768)
        typed(FIRST)
        time.sleep(0.5)
        at = driver.execute_script(OPENED)
        driver.save_screenshot(os.path.join(shots, "14-first-graph-1366x768.png"))
        check("the README's first graph beside a loss plot at 1366x768 opens whole, every box in the pane",
              at["opened"] == "whole" and at["inside"], at)
        check("... its boxes' text at least 12 px, the legend's key at least 9 px",
              at["boxes"] >= 11.9 and at["key"] >= 9, at)
        # a 1366x768 window (the browser's bars leave a 268 px-high graph
        # pane): its seven boxes whole at 9 px or more
        for w, h, how in [(1366, 768, "a 1366x768 window")]:
            driver.set_window_size(w, h)
            typed(FIRST)
            time.sleep(0.5)
            at = driver.execute_script(OPENED)
            driver.save_screenshot(os.path.join(shots, "14-first-graph-%dx%d-window.png" % (w, h)))
            check("the README's first graph (seven boxes) beside a loss plot in %s opens whole, every box in the pane, "
                  "their text at least 9 px" % how, at["opened"] == "whole" and at["inside"] and at["boxes"] >= 9, at)
    finally:
        driver.set_window_size(size["width"], size["height"])


def legend_clear(driver, typed, shots):
    size = driver.get_window_size()
    graphs = [("sin-loop", "lx = 2.0; ly = lx; for i in range(60) { ly = sin(ly) * lx }; ly.backward(); show(ly)"),
              ("folded-mlp", "lgx, lgt = moons(100, noise=0.1, seed=1); lgm = mlp([16, 16, 1], activation=tanh, seed=1);"
                             " lgL = mean((lgm(lgx) - reshape(lgt, [100, 1]))^2); lgL.backward(); show(lgL, fold=true)"),
              ("small", "la = 1.0; lb = sin(la) * la; lb.backward(); show(lb)"),
              ("first", FIRST),
              ("rosenbrock", "def rosenbrock(a, b) = 100*(b - a^2)^2 + (a - 1)^2; x0 = 0.0; x1 = 2.0;"
                             " y = rosenbrock(x0, x1); y.backward(); show(y)")]
    folded = 0
    try:
        for plotted in [False, True]:
            typed(LOSS if plotted else "clearplot()")
            for w, h, how in SIZES:
                web_more.viewport(driver, w, h)
                for name, line in graphs:
                    typed(line)
                    time.sleep(0.4)
                    at = driver.execute_script(COVER)
                    what = "%s at %s%s" % (name, how, " beside a plot" if plotted else "")
                    check("the legend over no node's box: " + what, at["covered"] == [] and at["pins"] <= 1, at)
                    if at["covered"]:
                        driver.save_screenshot(os.path.join(shots, "14-legend-covers-%s-%dx%d-%d.png" % (name, w, h, plotted)))
                    if not at["button"]:
                        continue
                    # folded: the button pins it in the pane, readable, and folds it again
                    folded += 1
                    check("... folded (nothing pinned) into the legend button: " + what, not at["pinned"], at)
                    if folded == 1:
                        driver.save_screenshot(os.path.join(shots, "14-legend-folded-%s-%dx%d.png" % (name, w, h)))
                    driver.find_element("id", "legendbutton").click()
                    time.sleep(0.2)
                    pinned = driver.execute_script(COVER)
                    box, pane = pinned["legend"], pinned["pane"]
                    check("... the button pins it wholly inside the pane, pressed, its text at least 9 px: " + what,
                          pinned["pinned"] and pinned["pressed"] and box[0] >= pane[0] - 0.5 and box[1] >= pane[1] - 0.5 and
                          box[2] <= pane[2] + 0.5 and box[3] <= pane[3] + 0.5 and pinned["text"] >= 9, pinned)
                    if folded == 1:
                        driver.save_screenshot(os.path.join(shots, "14-legend-opened-%s-%dx%d.png" % (name, w, h)))
                    driver.find_element("id", "legendbutton").click()
                    time.sleep(0.2)
                    again = driver.execute_script(COVER)
                    check("... and pressed again folds it: " + what, not again["pinned"] and again["covered"] == [], again)
                driver.save_screenshot(os.path.join(shots, "14-legend-%dx%d-%d.png" % (w, h, plotted)))
    finally:
        driver.set_window_size(size["width"], size["height"])


def plot_text(driver, typed, shots):
    size = driver.get_window_size()
    try:
        typed(FIRST)
        typed(LOSS)
        for w, h, how in [(1366, 768, "a 1366x768 window")] + SIZES:
            if how.startswith("a "):
                driver.set_window_size(w, h)
            else:
                web_more.viewport(driver, w, h)
            time.sleep(0.5)  # drawn again for the pane's new size (a ResizeObserver)
            at = driver.execute_script(PLOT_TEXT)
            driver.save_screenshot(os.path.join(shots, "14-plot-%dx%d%s.png" % (w, h, "-window" if how.startswith("a ") else "")))
            check("a lone loss panel beside a graph at %s: its ticks' and legend's text at least 11.9 px (pane %dx%d)"
                  % (how, at["pane"][0], at["pane"][1]), at["small"] >= 11.9 and at["small"] < 1e9, at)
            check("... and it fits its pane whole: no text past its edges at " + how, not at["out"], at)
    finally:
        driver.set_window_size(size["width"], size["height"])
