/* graph_fit.js — the graph pane's measures and its pinned legend, for
 * agrepl-page.js (window.agreplGraphFit), which keeps the view (its scale
 * and offset) and places the drawing: how much Graphviz shrank a drawing
 * bigger than its size= (drawingShrink), the CSS pixels of its smallest text
 * (smallestText, which the page fits the drawing by), and the legend kept
 * wholly in view (pinLegend: a copy pinned in the pane when the view cuts
 * the drawing's own), as the graph window does (viz/graph_window.c); and
 * frame titles slid off the edges (placeTitles), as viz/graph_titles.c. */
'use strict';
(function () {
  /* Graphviz draws a graph bigger than its size= scaled down: its g.graph's
   * transform (scale(0.381) ...) shrinks every text and box; 1 when none. */
  function drawingShrink(svg) {
    var g = svg.querySelector('g.graph'), list = g && g.transform && g.transform.baseVal;
    var m = list && list.numberOfItems > 0 ? list.consolidate() : null;
    return m && m.matrix.a > 0 ? m.matrix.a : 1;
  }
  /* The CSS pixels of svg's smallest text at the view's scale 1 (viewScale:
   * the scale it is drawn at now); 0 when it has none.  The drawing's own
   * text: its boxes', frames' and edges', not the legend's key (11 units to
   * a box's 14), which is pinned apart when the view cuts it and has its
   * own floor there: counted, it held the README's five boxes (14 units)
   * cropped at 1366x768 beside a plot, their text 12.3 px whole. */
  function smallestText(svg, viewScale) {
    var vb = svg.viewBox && svg.viewBox.baseVal, small = 0, key = legendNode(svg);
    if (!vb || !vb.width) return 0;
    svg.querySelectorAll('text').forEach(function (t) {
      var f = parseFloat(t.getAttribute('font-size'));
      if (f > 0 && (!small || f < small) && !(key && key.contains(t))) small = f;
    });
    return small * drawingShrink(svg) * (svg.getBoundingClientRect().width / viewScale) / vb.width;
  }
  /* The legend (the drawing's node titled "legend") wholly in view, as the
   * graph window keeps it (viz/graph_window.c, draw_legend and pin_legend):
   * where the view shows it whole, at its place in the drawing; else a copy
   * of it pinned inside the pane, over the graph (white under it, nothing
   * under it hovered or clicked), the drawing's own hidden: at the view's
   * scale, never above 100 % (zoomed in, the graph grows, not the legend)
   * or smaller to fit, slid along each axis until it is wholly inside, as a
   * sticky header; but never over a node's box.  While the view is fitted
   * (a drawing placed, the pane resized: fitted is set) the pin goes to the
   * place free of every box nearest that one (at the pane's edges, or
   * beside a box), and stays at that place in the pane while the user drags
   * and zooms, so the legend never jumps about.  Where no place is free (a
   * drawing opened at readable text in a pane as small as 125-150 % zoom
   * leaves it: the pinned legend hid a box there), or a drag brings a box
   * under it, it folds into the pane's legend button (nothing pinned), which
   * pins it at the place that covers least (never the output's box, when
   * it can) until it is pressed again or the next drawing is placed.  The
   * graph window can also move a cut legend into its inspector panel; the
   * page's inspector is a strip under the pane, so here it is pinned or
   * folded. */
  var legendAt = null; /* where the pin sits in the pane, chosen while fitted; null: slid */
  var legendOpen = false; /* the user pressed the legend button */
  function legendNode(v) {
    var found = null;
    if (v) v.querySelectorAll('g.node').forEach(function (n) {
      var t = n.querySelector('title');
      if (t && t.textContent === 'legend') found = n;
    });
    return found;
  }
  /* the shown drawing's boxes in the pane, [x0, y0, x1, y1, weight] each,
   * measured once: the output's with a margin, weighing more than all the
   * rest; and how much of them a rectangle [x, y, width, height] covers
   * (graph_window.c's boxes_covered) */
  function paneBoxes(v, pane) {
    var out = v.querySelector('pre[data-output]'), name = out && out.getAttribute('data-node'), boxes = [];
    v.querySelectorAll('g.node').forEach(function (n) {
      var t = n.querySelector('title'), title = t ? t.textContent : '';
      if (title === 'legend') return;
      var r = n.getBoundingClientRect(), output = title === name, margin = output ? 12 : 0;
      if (r.right + margin < pane.left || r.left - margin > pane.right || r.bottom + margin < pane.top ||
          r.top - margin > pane.bottom) return; /* out of the pane: nothing pinned covers it */
      boxes.push([r.left - pane.left - margin, r.top - pane.top - margin, r.right - pane.left + margin,
                  r.bottom - pane.top + margin, output ? 1e6 : 1]);
    });
    return boxes;
  }
  function boxesCovered(boxes, at) {
    var covered = 0;
    boxes.forEach(function (b) {
      var across = Math.min(at[0] + at[2], b[2]) - Math.max(at[0], b[0]);
      var down = Math.min(at[1] + at[3], b[3]) - Math.max(at[1], b[1]);
      if (across > 0 && down > 0) covered += b[4] * across * down;
    });
    return covered;
  }
  /* pinLegend(graph, v, viewScale, fitted): the legend of v (the pane
   * graph's shown view) at the view's scale viewScale, its place chosen
   * again when fitted; returns what was pinned ({ x, y, width, height,
   * scale, folded: false }: the tests read it), { folded: true } when it
   * is folded into the button, or false when nothing needed to be. */
  function pinLegend(graph, v, viewScale, fitted) {
    var old = graph.querySelector('.agrepl-legend-pin'), button = document.getElementById('legendbutton');
    if (old) old.remove();
    graph.querySelectorAll('g.node.agrepl-legend-hidden').forEach(function (n) {
      n.classList.remove('agrepl-legend-hidden');
    });
    function fold(folded) {
      if (button) { /* its room kept in the pane's bar: shown or not, the pane keeps its size */
        button.style.visibility = folded || legendOpen ? 'visible' : 'hidden';
        button.setAttribute('aria-pressed', legendOpen ? 'true' : 'false');
      }
      return folded;
    }
    var legend = legendNode(v), svg = v && v.querySelector('svg');
    if (!legend || !svg) return fold(false);
    var vb = svg.viewBox && svg.viewBox.baseVal, s = svg.getBoundingClientRect(), pane = graph.getBoundingClientRect();
    if (!vb || !vb.width || !s.width) return fold(false);
    /* the legend's box on screen, 4 units round its frame as the graph window's */
    var r = legend.getBoundingClientRect(), margin = 4 * s.width / vb.width;
    var seen = [r.left - margin - pane.left, r.top - margin - pane.top, r.width + 2 * margin, r.height + 2 * margin];
    var areaWidth = graph.clientWidth, height = graph.clientHeight;
    if (seen[0] >= -0.5 && seen[1] >= -0.5 && seen[0] + seen[2] <= areaWidth + 0.5 &&
        seen[1] + seen[3] <= height + 0.5) {
      legendAt = null; /* cut later by a drag: slid only as far as needed */
      legendOpen = false;
      return fold(false);
    }
    /* its size at 100 %: the drawing's own size (view.scale 1), and not
     * the smaller one Graphviz scales a graph bigger than its size= down to
     * (g.graph's transform): a legend pinned at that was unreadable */
    var shown = viewScale * drawingShrink(svg);
    var pictureWidth = seen[2] / shown, pictureHeight = seen[3] / shown;
    var scale = Math.min(shown, 1, areaWidth / pictureWidth, height / pictureHeight);
    var width = pictureWidth * scale, tall = pictureHeight * scale;
    var x = Math.max(0, Math.min(seen[0], areaWidth - width)), y = Math.max(0, Math.min(seen[1], height - tall));
    var boxes = paneBoxes(v, pane), folded = false;
    if (fitted) { /* the free place nearest the slid one: at an edge of the pane or beside a box */
      var xs = [x, 0, areaWidth - width], ys = [y, 0, height - tall], best = null;
      boxes.forEach(function (b) { xs.push(b[2], b[0] - width); ys.push(b[3], b[1] - tall); });
      xs.forEach(function (px) {
        if (px < 0 || px > areaWidth - width) return;
        ys.forEach(function (py) {
          if (py < 0 || py > height - tall || boxesCovered(boxes, [px, py, width, tall]) > 0) return;
          var d = Math.abs(px - x) + Math.abs(py - y);
          if (!best || d < best[2]) best = [px, py, d];
        });
      });
      if (best) legendAt = { x: best[0], y: best[1] };
      else { /* none free: folded, and where it covers least when the button opens it */
        var otherX = x + width / 2 < areaWidth / 2 ? areaWidth - width : 0;
        var otherY = y + tall / 2 < height / 2 ? height - tall : 0, least = Infinity;
        [[x, y], [x, otherY], [otherX, y], [otherX, otherY]].forEach(function (p) {
          var covered = boxesCovered(boxes, [p[0], p[1], width, tall]);
          if (covered < least - 0.02 * width * tall) { least = covered; legendAt = { x: p[0], y: p[1] }; }
        });
      }
    }
    if (legendAt) { /* kept where it was put in the pane, inside it as the pane shrinks */
      x = Math.max(0, Math.min(legendAt.x, areaWidth - width));
      y = Math.max(0, Math.min(legendAt.y, height - tall));
    }
    if (boxesCovered(boxes, [x, y, width, tall]) > 0) folded = true; /* none free, or a box dragged under it */
    if (fold(folded) && !legendOpen) return { folded: true };
    /* a copy: the svg's frame (its size, viewBox and the graph's transform)
     * holding the legend alone, shown through a window its size */
    var pin = document.createElement('div'), copy = svg.cloneNode(false), frame = svg.querySelector('g.graph');
    var k = scale / shown; /* the copy's size against the drawing on screen */
    pin.className = 'agrepl-legend-pin';
    pin.style.cssText = 'left:' + (x + graph.scrollLeft) + 'px;top:' + (y + graph.scrollTop) + 'px;width:' + width +
      'px;height:' + tall + 'px';
    copy.removeAttribute('id');
    copy.style.cssText = 'position:absolute;display:block;max-width:none;left:' + -(r.left - margin - s.left) * k +
      'px;top:' + -(r.top - margin - s.top) * k + 'px;width:' + s.width * k + 'px;height:' + s.height * k + 'px';
    var holder = frame ? frame.cloneNode(false) : copy, drawn = legend.cloneNode(true);
    if (frame) { holder.removeAttribute('id'); copy.appendChild(holder); }
    drawn.removeAttribute('id');
    drawn.setAttribute('class', 'agrepl-legend-copy'); /* not one of the drawing's nodes */
    holder.appendChild(drawn);
    pin.appendChild(copy);
    graph.appendChild(pin);
    legend.classList.add('agrepl-legend-hidden'); /* never seen twice */
    return { x: x, y: y, width: width, height: tall, scale: scale, folded: false };
  }

  /* Frame titles kept clear of the edges, as viz/graph_titles.c keeps them
   * in the terminal's drawings: Graphviz centres a cluster's title in a band
   * at the top of its frame and routes edges through that band (the edge
   * into Sub ran through "loss(m, X, Y)"), so each title slides along its
   * band to the free stretch nearest where Graphviz put it (free of every
   * edge's line, arrowhead and label, inside the frame), or where it
   * overlaps least.  The svg must be displayed (getBBox measures it). */
  var CLEARANCE = 4, FRAME_PAD = 6;
  function edgeSpans(svg, y0, y1) {
    var spans = [];
    function add(lo, hi) { spans.push([lo - CLEARANCE, hi + CLEARANCE]); }
    function segment(a, b) {
      if (a[1] > b[1]) { var t = a; a = b; b = t; }
      if (b[1] < y0 || a[1] > y1) return;
      var xa = a[0], xb = b[0];
      if (b[1] > a[1]) {
        var ta = a[1] < y0 ? (y0 - a[1]) / (b[1] - a[1]) : 0, tb = b[1] > y1 ? (y1 - a[1]) / (b[1] - a[1]) : 1;
        xa = a[0] + (b[0] - a[0]) * ta; xb = a[0] + (b[0] - a[0]) * tb;
      }
      add(Math.min(xa, xb), Math.max(xa, xb));
    }
    svg.querySelectorAll('g.edge').forEach(function (e) {
      e.querySelectorAll('path').forEach(function (p) {
        var length = p.getTotalLength(), n = Math.max(2, Math.ceil(length / 4)), from = null;
        for (var i = 0; i <= n; i++) {
          var q = p.getPointAtLength(length * i / n), to = [q.x, q.y];
          if (from) segment(from, to);
          from = to;
        }
      });
      e.querySelectorAll('polygon, text').forEach(function (m) { /* arrowheads and operand names */
        var b = m.getBBox();
        if (b.y + b.height >= y0 && b.y <= y1) add(b.x, b.x + b.width);
      });
    });
    return spans;
  }
  function covered(spans, x, half) {
    var sum = 0;
    spans.forEach(function (s) { var lo = Math.max(s[0], x - half), hi = Math.min(s[1], x + half); if (hi > lo) sum += hi - lo; });
    return sum;
  }
  function placeTitles(svg) {
    var moved = 0;
    svg.querySelectorAll('g.cluster').forEach(function (c) {
      var text = c.querySelector('text'), frame = c.querySelector('path, polygon');
      if (!text || !frame) return;
      var t = text.getBBox(), f = frame.getBBox(), half = t.width / 2, at = t.x + half;
      if (!t.width) return; /* not displayed: not measured */
      var spans = edgeSpans(svg, t.y, t.y + t.height);
      var cover = covered(spans, at, half);
      if (cover === 0) return;
      var lo = f.x + FRAME_PAD + half, hi = f.x + f.width - FRAME_PAD - half;
      if (hi < lo) return;
      var best = Math.min(Math.max(at, lo), hi), least = covered(spans, best, half);
      spans.forEach(function (s) {
        [s[0] - half, s[1] + half].forEach(function (x) {
          if (x < lo || x > hi) return;
          var c = covered(spans, x, half);
          if (c < least || (c === least && Math.abs(x - at) < Math.abs(best - at))) { best = x; least = c; }
        });
      });
      if (best !== at) {
        text.setAttribute('x', +text.getAttribute('x') + best - at);
        moved++;
      }
    });
    return moved;
  }

  /* the legend button pressed: the folded legend pinned, or folded again;
   * closeLegend: a drawing placed, folded again if it must be */
  function toggleLegend() { legendOpen = !legendOpen; return legendOpen; }
  function closeLegend() { legendOpen = false; }

  window.agreplGraphFit = { drawingShrink: drawingShrink, smallestText: smallestText, pinLegend: pinLegend,
                            toggleLegend: toggleLegend, closeLegend: closeLegend, placeTitles: placeTitles };
})();
