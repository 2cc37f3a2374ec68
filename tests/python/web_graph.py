"""web_graph.py: a big graph in the web page, for web_test.py.

run(driver, typed, shots) shows a folded 2-16-16-1 MLP's loss at 1280x720
(a projector) and checks that the page opens it readable (its smallest text
at least 12 CSS px) on its output node, as the graph window and the notebook
open a big graph; a click on the first layer's folded box opens the drawing
with that group expanded (more nodes, still readable) and the inspector
shows the layer's 16 units' maps (a PNG of 8 x 2 maps of 32 x 32 cells,
coloured); the 0 button then fits the whole drawing.  Then the explorer lesson's MLP,
its loss a def's call, drawn whole: no edge runs through a frame's title
and each Linear has w left of it and b right of it.  Screenshots in shots:
10-folded-mlp.png, 10-folded-mlp-opened.png, 10-whole-mlp-titles.png."""
import os
import time

from checks import check

# the clicked box's view: the node titled by the folded group whose
# inspector text names the layer
CLICK_BOX = """
var v = document.querySelector('#graph .agrepl-view:not([style*="none"])'), name = arguments[0], hit = 0;
v.querySelectorAll('g.node').forEach(function (n) {
  var t = n.querySelector('title').textContent;
  v.querySelectorAll('pre[data-node]').forEach(function (p) {
    if (p.getAttribute('data-node') === t && p.getAttribute('data-group') !== null && p.textContent.indexOf(name + '\\n') >= 0) {
      n.dispatchEvent(new MouseEvent('click', { bubbles: true })); hit++;
    }
  });
});
return hit;
"""

# where the output node is against the graph pane, and the smallest text
PLACE = """
var v = document.querySelector('#graph .agrepl-view:not([style*="none"])'), out = v.querySelector('pre[data-output]');
var pane = document.getElementById('graph').getBoundingClientRect(), node = null;
v.querySelectorAll('g.node').forEach(function (n) { if (out && n.querySelector('title').textContent === out.getAttribute('data-node')) node = n; });
var r = node ? node.getBoundingClientRect() : null;
return { text: window.agrepl.graphText, opened: window.agrepl.graphOpened, nodes: v.querySelectorAll('g.node').length,
         inside: !!r && r.left >= pane.left && r.right <= pane.right && r.top >= pane.top && r.bottom <= pane.bottom,
         pane: [pane.width, pane.height] };
"""

# the inspector's maps: their size and the share of coloured pixels
MAPS = """
var done = arguments[arguments.length - 1], img = document.querySelector('#inspector img.agrepl-maps');
if (!img) { done(null); return; }
var go = function () {
  var c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  var cx = c.getContext('2d'); cx.drawImage(img, 0, 0);
  var d = cx.getImageData(0, 0, c.width, c.height).data, coloured = 0;
  for (var i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 30) coloured++;
  done([img.naturalWidth, img.naturalHeight, coloured / (c.width * c.height), img.getBoundingClientRect().width]);
};
if (img.complete) go(); else img.onload = go;
"""


# drawn whole: the frames' titles an edge runs through (each edge's path
# sampled every 2 px against each title's box, shrunk by 1 px), and each
# Linear's parameters beside it, left and right
TITLES = """
var v = document.querySelector('#graph .agrepl-view:not([style*="none"])'), crossed = [], titles = 0;
v.querySelectorAll('g.cluster').forEach(function (c) {
  var t = c.querySelector('text');
  if (!t || !t.textContent) return;
  titles++;
  var b = t.getBBox(), hit = false;
  v.querySelectorAll('g.edge path').forEach(function (p) {
    var length = p.getTotalLength(), n = Math.ceil(length / 2);
    for (var i = 0; i <= n && !hit; i++) {
      var q = p.getPointAtLength(length * i / n);
      hit = q.x > b.x + 1 && q.x < b.x + b.width - 1 && q.y > b.y + 1 && q.y < b.y + b.height - 1;
    }
  });
  if (hit) crossed.push(t.textContent);
});
var centre = function (n) { var r = n.getBBox(); return [r.x + r.width / 2, r.y + r.height / 2]; };
var linears = [], left = 0, right = 0;
v.querySelectorAll('g.node').forEach(function (n) {
  var label = n.querySelector('text');
  if (label && label.textContent === 'Linear') linears.push(centre(n));
});
v.querySelectorAll('g.node').forEach(function (n) {
  var name = n.querySelector('text'), c = centre(n);
  if (!name || !/\\.[wb]$/.test(name.textContent)) return;
  linears.forEach(function (l) { if (Math.abs(l[1] - c[1]) < 2) { if (c[0] < l[0]) left++; else right++; } });
});
return { titles: titles, crossed: crossed, left: left, right: right, linears: linears.length };
"""


def run(driver, typed, shots):
    size = driver.get_window_size()
    driver.set_window_size(1280, 720)
    try:
        typed("clearplot()")
        typed("gx, gt = moons(100, noise=0.1, seed=1); gm = mlp([16, 16, 1], activation=tanh, seed=1)")
        typed("gL = mean((gm(gx) - reshape(gt, [100, 1]))^2); gL.backward(); show(gL, fold=true)")
        time.sleep(0.5)
        at = driver.execute_script(PLACE)
        check("a folded 2-16-16-1 MLP opens readable at 1280x720: its smallest text at least 12 px",
              at["text"] is not None and at["text"] >= 11.9, at)
        check("... on its output node, in view", at["opened"] == "output" and at["inside"], at)
        driver.save_screenshot(os.path.join(shots, "10-folded-mlp.png"))
        before = at["nodes"]
        hit = driver.execute_script(CLICK_BOX, "gm.linear[0]")
        check("the first layer is one folded box", hit == 1, hit)
        time.sleep(0.5)
        at = driver.execute_script(PLACE)
        check("a click on the first layer's folded box expands it (more nodes drawn), still readable",
              at["nodes"] > before and at["text"] is not None and at["text"] >= 11.9 and at["opened"] == "focus",
              (before, at))
        inspected = driver.find_element("id", "inspector").text
        check("the inspector names the layer and its 16 units over the plane",
              "folded group" in inspected and "gm.linear[0]: 16 units over x0" in inspected, inspected[:400])
        maps = driver.execute_async_script(MAPS)
        check("the inspector shows the layer's unit maps: 8 x 2 maps of 32 x 32 cells, coloured, drawn at least 500 px wide",
              maps is not None and maps[0] == 8 * 32 + 7 * 2 and maps[1] == 2 * 32 + 2 and maps[2] > 0.5 and maps[3] >= 500,
              maps)
        driver.save_screenshot(os.path.join(shots, "10-folded-mlp-opened.png"))
        driver.find_element("css selector", "[data-zoom=fit]").click()
        time.sleep(0.3)
        whole = driver.execute_script(PLACE)
        check("the 0 button fits the whole drawing in the pane", whole["opened"] == "whole" and whole["inside"], whole)
        typed("tm = mlp([8, 8, 1], activation=tanh, seed=0); tX = randn(16, 2, seed=1); tY = randn(16, 1, seed=2)")
        typed("def tloss(m, X, Y) = mean((m(X) - Y)^2)")
        typed("tL = tloss(tm, tX, tY); tL.backward(); show(tL, fold=false)")
        time.sleep(0.5)
        drawn = driver.execute_script(TITLES)
        check("mlp_explorer's graph drawn whole: no edge through any of its 4 frames' titles",
              drawn["titles"] == 4 and drawn["crossed"] == [], drawn)
        check("... each Linear's w left of it and b right of it", drawn["linears"] == 3 and drawn["left"] == 3 and
              drawn["right"] == 3, drawn)
        driver.find_element("css selector", "[data-zoom=fit]").click()
        time.sleep(0.3)
        driver.save_screenshot(os.path.join(shots, "10-whole-mlp-titles.png"))
    finally:
        driver.set_window_size(size["width"], size["height"])
