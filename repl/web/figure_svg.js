/* figure_svg.js — the figure drawn as SVG text, for agrepl-page.js
 * (window.agreplFigureSvg), which receives the session's figures, keeps the
 * last one, lays it out in the plot pane and saves it: every panel as the
 * terminal draws it (viz/plot_draw.c and the rest), the series by step, the
 * whole series of plot(xs, ys), the map (the contour's level curves, its
 * paths with their markers, the marks, the classes' points) with its legend
 * placed where it hides least, and the pictures of learning (pictures.js
 * draws those); the axes' ticks are ticks.js's.  It keeps no page state: a
 * figure's JSON in, its SVG text and where each panel went out (a contour's
 * traced paths are kept on the contour itself, drawn again only when its
 * place changes). */
'use strict';
(function () {
  /* text's width in the figure's font at size px, measured (pictures.js's) */
  var textWidth = window.agreplPictures.textWidth;
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'); }
  /* the axes' ticks and their labels, as the terminal's (ticks.js) */
  var T = window.agreplTicks, ticks = T.ticks, logTicks = T.logTicks, logLabels = T.logLabels,
      linearLabels = T.linearLabels, tickText = T.tickText, offsetMarkup = T.offsetMarkup;
  function label(v) { return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(+v.toPrecision(6)); }

  /* A line's pixel points, thinned to what shows: of the points falling in
   * one pixel column, the first, the lowest, the highest and the last (so a
   * 10,000-step loss draws as a few thousand points, looking the same);
   * points falls in one column only when x only grows. */
  function thinned(points) {
    if (points.length < 2000) return points;
    var out = [], column = null, group = [];
    function flush() {
      if (!group.length) return;
      var lo = group[0], hi = group[0];
      group.forEach(function (p) { if (p[1] < lo[1]) lo = p; if (p[1] > hi[1]) hi = p; });
      var keep = [group[0], lo, hi, group[group.length - 1]].sort(function (a, b) { return a[2] - b[2]; });
      keep.forEach(function (p, i) { if (i === 0 || p !== keep[i - 1]) out.push(p); });
      group = [];
    }
    points.forEach(function (p, i) {
      var c = Math.round(p[0]);
      if (c !== column) { flush(); column = c; }
      group.push([p[0], p[1], i]);
    });
    flush();
    return out;
  }
  function pointList(points) {
    return thinned(points).map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' ');
  }

  /* What is written over a frame's left end: a named panel's name, then the
   * y axis's offset (its labels' yLabels) at offsetX; end, where they end
   * (box.x when nothing is). */
  function overLeftEnd(box, yLabels) {
    var end = box.x + (box.name ? Math.ceil(textWidth(box.name, 13)) : 0);
    var offsetX = box.x + (box.name ? Math.ceil(textWidth(box.name, 13)) + 12 : 0);
    if (offsetMarkup(yLabels, true)) end = offsetX + textWidth(offsetMarkup(yLabels, true), 12);
    return { end: end, offsetX: offsetX };
  }
  /* how many ticks the y axis of the frame box wants */
  function yTargets(box) { return box.h / (55 * (box.unit || 1)); }
  /* one panel: frame, ticks, grid, the axes' names (names: [x, y], "" for
   * none), integerX for steps; returns the data → pixel mapping */
  function axes(parts, box, xr, yr, log, titleText, names, integerX) {
    var X = function (x) { return box.x + (x - xr[0]) / (xr[1] - xr[0]) * box.w; };
    var Y = function (y) { if (log) y = Math.log10(y); return box.y + box.h - (y - yr[0]) / (yr[1] - yr[0]) * box.h; };
    parts.push('<rect x="' + box.x + '" y="' + box.y + '" width="' + box.w + '" height="' + box.h + '" fill="white" stroke="#444"/>');
    /* as many ticks as the terminal's: one per 100 of its units across, per 55 up */
    var xTicks = ticks(xr[0], xr[1], box.w / (100 * (box.unit || 1)), integerX), xLabels = linearLabels(xTicks, xr[0], xr[1]);
    xTicks.forEach(function (t, i) {
      var x = X(t);
      parts.push('<line x1="' + x + '" x2="' + x + '" y1="' + box.y + '" y2="' + (box.y + box.h) + '" stroke="#eee"/>');
      parts.push('<text x="' + x + '" y="' + (box.y + box.h + 16) + '" text-anchor="middle" font-size="12" data-label="' +
                 esc(xLabels[i]) + '">' + tickText(xLabels[i]) + '</text>');
    });
    var yTicks = log ? logTicks(yr[0], yr[1], yTargets(box)) : ticks(yr[0], yr[1], yTargets(box));
    var yLabels = log ? logLabels(yTicks) : linearLabels(yTicks, yr[0], yr[1]);
    yTicks.forEach(function (t, i) {
      var y = box.y + box.h - (t - yr[0]) / (yr[1] - yr[0]) * box.h;
      parts.push('<line x1="' + box.x + '" x2="' + (box.x + box.w) + '" y1="' + y + '" y2="' + y + '" stroke="#eee"/>');
      parts.push('<text x="' + (box.x - 6) + '" y="' + (y + 4) + '" text-anchor="end" font-size="12" data-label="' +
                 esc(yLabels[i]) + '">' + tickText(yLabels[i], log && !yTicks.labels) + '</text>');
    });
    /* an offset written once, as the terminal's: the y axis's over the
     * frame's left end (after a named panel's name), the x axis's under its
     * right end, where the axis's name keeps clear of it */
    var nameRight = box.x + box.w, over = overLeftEnd(box, yLabels);
    if (offsetMarkup(yLabels, true))
      parts.push('<text class="offset" x="' + over.offsetX + '" y="' + (box.y - 8) + '" font-size="12" data-offset="' + esc(yLabels.offset) +
                 '" data-scale="' + yLabels.scale + '">' + offsetMarkup(yLabels) + '</text>');
    if (offsetMarkup(xLabels, true)) {
      parts.push('<text class="offset" x="' + (box.x + box.w) + '" y="' + (box.y + box.h + 32) + '" text-anchor="end" font-size="12" data-offset="' +
                 esc(xLabels.offset) + '" data-scale="' + xLabels.scale + '">' + offsetMarkup(xLabels) + '</text>');
      nameRight -= textWidth(offsetMarkup(xLabels, true), 12) + 12;
    }
    if (titleText) parts.push('<text x="' + (box.x + box.w / 2) + '" y="' + (box.y - 8) + '" text-anchor="middle" font-size="13">' + esc(titleText) + '</text>');
    if (names && names[0]) {
      var nameX = Math.min(box.x + box.w / 2, nameRight - textWidth(names[0], 13) / 2);
      parts.push('<text class="axisname" x="' + nameX + '" y="' + (box.y + box.h + 32) + '" text-anchor="middle" font-size="13">' + esc(names[0]) + '</text>');
    }
    if (names && names[1]) {
      var ny = box.y + box.h / 2, nx = box.x - 56;
      parts.push('<text class="axisname" x="' + nx + '" y="' + ny + '" transform="rotate(-90 ' + nx + ' ' + ny + ')" text-anchor="middle" font-size="13">' + esc(names[1]) + '</text>');
    }
    return { X: X, Y: Y, leftEnd: over.end }; /* leftEnd: where what is over the frame's left end ends */
  }
  /* The axes' names, as the terminal writes them: the figure carries each
   * panel's (viz/plot.c, plot_name_axes). */
  function axisNames(f, panel) { return (f.labels && f.labels[panel]) || ['', '']; }
  /* values' range, margin (0.04 when not given) of its span added at each end */
  function range(values, margin) {
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (v) { if (v !== null && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    if (lo === Infinity) return [0, 1];
    if (lo === hi) return [lo - 0.5, hi + 0.5];
    var pad = (hi - lo) * (margin === undefined ? 0.04 : margin);
    return [lo - pad, hi + pad];
  }
  /* The legend, in a white box as the terminal's: each name beside its
   * swatch, a line (with a dot of radius `marker`: a path's, a short
   * loss's), a dot for points, a class's dot
   * with a dark rim.  place: legendPlace's, or legendGrid's (its entries
   * in place.columns columns of place.column px, a row at a time). */
  function legend(parts, place, names) {
    if (!names.length) return;
    var columns = place.columns || 1, column = place.column || 0;
    parts.push('<g class="legend"><rect x="' + place.x + '" y="' + place.y + '" width="' + place.w + '" height="' + place.h +
               '" fill="white" fill-opacity="0.85" stroke="#c8c8c8"/>');
    names.forEach(function (n, i) {
      var x = place.x + 6 + (i % columns) * (column + LEGEND_COLUMN_GAP), y = place.y + 11 + Math.floor(i / columns) * 16;
      swatch(parts, n, x, y);
      parts.push('<text x="' + (x + 22) + '" y="' + (y + 4) + '" font-size="12">' + esc(n.name) + '</text>');
    });
    parts.push('</g>');
  }
  /* The legend in as many columns as fit room px (then as few as keep its
   * rows: 8 entries in 4 columns of 2), as the terminal's
   * (viz/plot_legend.c, plot_legend_columns): { columns, column, w, h }. */
  var LEGEND_COLUMN_GAP = 12;
  function legendGrid(names, room) {
    var widest = 0;
    names.forEach(function (n) { widest = Math.max(widest, textWidth(n.name, 12)); });
    var column = Math.ceil(widest) + 22;
    function size(columns) {
      return { columns: columns, column: column, w: columns * column + (columns - 1) * LEGEND_COLUMN_GAP + 14,
               h: Math.ceil(names.length / columns) * 16 + 6 };
    }
    var columns = Math.max(1, names.length);
    while (columns > 1 && size(columns).w > room) columns--;
    var rows = Math.ceil(names.length / columns);
    return size(Math.ceil(names.length / rows));
  }
  /* an entry's swatch in [x, x + 18] at height y */
  function swatch(parts, n, x, y) {
    if (n.classDot)
      parts.push('<g fill="' + n.colour + '" stroke="#262626" stroke-width="1">' + window.agreplPictures.marker(n.outline, x + 9, y, 4) + '</g>');
    else if (n.dot) parts.push('<circle cx="' + (x + 9) + '" cy="' + y + '" r="3" fill="' + n.colour + '"/>');
    else parts.push('<line x1="' + x + '" x2="' + (x + 18) + '" y1="' + y + '" y2="' + y + '" stroke="' + n.colour + '" stroke-width="2"' + dashAttributes(n.dash) + '/>');
    if (n.marker) parts.push('<circle cx="' + (x + 9) + '" cy="' + y + '" r="' + n.marker + '" fill="' + n.colour + '"/>');
  }
  /* The legend as one row over a map's frame, ending at its right end, as
   * the terminal's (viz/plot_legend.c, plot_draw_legend_above) at the
   * page's scale: each swatch, a gap, the name, a space before the next. */
  var ROW_SWATCH = 18, ROW_GAP = 5, ROW_SPACING = 13;
  function rowWidth(names) {
    return names.reduce(function (w, n, i) { return w + (i ? ROW_SPACING : 0) + ROW_SWATCH + ROW_GAP + textWidth(n.name, 12); }, 0);
  }
  function legendRow(parts, names, right, top) {
    var x = right - rowWidth(names), y = top - 12;
    parts.push('<g class="legend row">');
    names.forEach(function (n) {
      swatch(parts, n, x, y);
      parts.push('<text x="' + (x + ROW_SWATCH + ROW_GAP) + '" y="' + (y + 4) + '" font-size="12">' + esc(n.name) + '</text>');
      x += ROW_SWATCH + ROW_GAP + textWidth(n.name, 12) + ROW_SPACING;
    });
    parts.push('</g>');
  }

  /* The kinds of panel a figure of its own shows, in the terminal's order
   * (viz/plot.c, plot_panel_order): the series by step (losses); the whole
   * series of plot(xs, ys); the network's units; the map (the boundary's
   * field, the contour with its tracks and marks, the class points); the
   * heat map; the images (pictures.js draws the pictures of learning). */
  function kindsOf(f) {
    var P = window.agreplPictures;
    var hasSteps = f.series.some(function (s) { return !s.xs; }), hasXy = f.series.some(function (s) { return !!s.xs; });
    var hasMap = !!f.contour || f.paths.length > 0 || f.marks.length > 0 || P.hasMap(f);
    var order = [];
    if (hasSteps || (!hasXy && !hasMap && !P.before(f).length && !P.after(f).length)) order.push('series');
    if (hasXy) order.push('xy');
    order = order.concat(P.before(f));
    if (hasMap) order.push('map');
    return order.concat(P.after(f));
  }
  /* Every panel of the figure: its own, then those chosen by panel= (each
   * drawn from its own figure, a named one with its name), as the terminal
   * lays them out; the figure's own empty panel is left out when panel=
   * drew elsewhere. */
  function panelsOf(f) {
    var list = [], sheets = f.sheets || [];
    var own = kindsOf(f), empty = own.length === 1 && own[0] === 'series' && !f.series.length;
    if (!(empty && sheets.length)) own.forEach(function (kind) { list.push({ kind: kind, fig: f }); });
    sheets.forEach(function (sheet) {
      kindsOf(sheet.figure).forEach(function (kind) {
        list.push({ kind: kind, fig: sheet.figure, name: sheet.name, key: sheet.key });
      });
    });
    return list;
  }

  /* The figure as SVG text: in the pane each panel 560 x 420 units,
   * `across` a row; { svg: the text, axes: where each panel went } (the
   * page keeps axes in window.agrepl for the tests: .map the figure's own
   * map's axes, .panels every panel's place, kind and panel= key).  A file
   * (file: true) is the terminal's savefig instead (fileLayout): its size,
   * its panels' places, and only what the terminal draws.  In the pane a
   * lone series panel may be size.w x size.h instead (the page's short plot
   * pane: text kept readable, the frame fitted to the pane's shape). */
  var PANEL_W = 560, PANEL_H = 420;
  /* The figure's title in rows at most the figure's width less 24 wide
   * (pictures.js titleRows, as the terminal's plot_draw_figure). */
  var TITLE_SIZE = 16, TITLE_LINE = 19;
  /* A file's figure as the terminal lays out its savefig (viz/plot_window.c,
   * plot_figure_size; viz/plot_draw.c, plot_draw_figure): 900 x 600 pixels
   * for one panel, 1400 for two, 1860 for three, rows of three 600 high
   * each, times :zoom; a row's panels in equal shares but a boundary's map
   * half as wide again, a last row of fewer as wide a share as the row
   * above.  In the page's units, FILE_UNIT of the terminal's (the page's 12
   * px text to its 15), drawn at the terminal's pixel size: { W, H (units),
   * pixelW, pixelH, above (the title's room), rects: a panel's x, y, w, h }. */
  var FILE_UNIT = 0.8, FILE_ACROSS = 3, FILE_ROW = 600;
  function fileLayout(f, panels, titleLines) {
    var n = panels.length, rows = n > FILE_ACROSS ? Math.ceil(n / FILE_ACROSS) : 1;
    var wide = n >= 3 ? 1860 : n === 2 ? 1400 : 900, zoom = f.zoom > 0 ? f.zoom : 1;
    var W = wide * FILE_UNIT, H = rows * FILE_ROW * FILE_UNIT;
    var above = titleLines.length ? 24 + (titleLines.length - 1) * TITLE_LINE : 0, rowH = (H - above) / rows;
    var share = panels.map(function (p) { return p.kind === 'map' && p.fig.field && n > 1 ? 1.5 : 1; }), shares = [];
    share.forEach(function (s, i) { var r = Math.floor(i / FILE_ACROSS); shares[r] = (shares[r] || 0) + s; });
    if (rows > 1 && n % FILE_ACROSS && shares[rows - 1] < shares[rows - 2]) shares[rows - 1] = shares[rows - 2];
    var before = 0, rects = share.map(function (s, i) {
      var r = rows > 1 ? Math.floor(i / FILE_ACROSS) : 0;
      if (rows > 1 && i % FILE_ACROSS === 0) before = 0;
      var x0 = Math.floor(W * before / shares[r]), x1 = Math.floor(W * (before + s) / shares[r]);
      before += s;
      var y0 = Math.floor(above + r * rowH), y1 = r === rows - 1 ? H : Math.floor(above + (r + 1) * rowH);
      return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    });
    return { W: W, H: H, pixelW: Math.round(wide * zoom), pixelH: Math.round(rows * FILE_ROW * zoom), above: above, rects: rects };
  }
  function figureSvg(f, across, file, size) {
    var P = window.agreplPictures, panels = panelsOf(f);
    across = Math.max(1, Math.min(panels.length, across || 3));
    var lone = !file && size && panels.length === 1 && (panels[0].kind === 'series' || panels[0].kind === 'xy');
    var panelW = lone ? size.w : PANEL_W, panelH = lone ? size.h : PANEL_H;
    var down = Math.ceil(panels.length / across), W = across * panelW;
    var titleLines = f.title ? P.titleRows(f.title, TITLE_SIZE, (file ? fileLayout(f, panels, []).W : W) - 24) : [];
    /* a wrapped title's further lines push the panels down */
    var above = f.title && (panels.length > 1 || ['series', 'xy', 'map'].indexOf(panels[0].kind) < 0) ? 24 : 0;
    if (titleLines.length > 1) above += (titleLines.length - 1) * TITLE_LINE;
    var H = down * panelH + above, pixels = '', placed = null;
    if (file) {
      placed = fileLayout(f, panels, titleLines);
      W = placed.W; H = placed.H;
      pixels = ' width="' + placed.pixelW + '" height="' + placed.pixelH + '"';
    } else {
      pixels = ' width="' + W + '" height="' + H + '"';
    }
    var parts = [], figureAxes = { width: W, height: H, panels: [] };
    parts.push('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H + '"' + pixels +
               ' font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="white"/>');
    titleLines.forEach(function (line, k) {
      parts.push('<text class="title" x="' + W / 2 + '" y="' + (20 + k * TITLE_LINE) + '" text-anchor="middle" font-size="' + TITLE_SIZE + '">' + esc(line) + '</text>');
    });
    panels.forEach(function (p, i) {
      var rect = placed ? placed.rects[i] :
        { x: (i % across) * panelW, y: above + Math.floor(i / across) * panelH, w: panelW, h: panelH };
      rect.file = !!file;
      var entry = { kind: p.kind, key: p.key || null, name: p.name || null, x: rect.x, y: rect.y, w: rect.w, h: rect.h };
      figureAxes.panels.push(entry);
      if (p.kind === 'series' || p.kind === 'xy') seriesPanel(parts, p.fig, rect, p.kind === 'xy', p.name);
      else if (p.kind === 'map') mapPanel(parts, p.fig, rect, p.key ? entry : figureAxes, p.name);
      else P.panel(parts, p.fig, p.kind, { x: rect.x, y: rect.y, w: rect.w, h: rect.h, name: p.name }, p.key ? entry : figureAxes);
      if (p.name && ['series', 'xy', 'map'].indexOf(p.kind) >= 0) /* a named panel's name over its frame's left end */
        parts.push('<text class="panelname" x="' + (rect.x + 70) + '" y="' + (frameOf(rect).y - 8) + '" font-size="13">' + esc(p.name) + '</text>');
    });
    parts.push('</svg>');
    return { svg: parts.join(''), axes: figureAxes };
  }
  /* A panel's frame: in the pane 70 units in from its left, 40 down, 30
   * short of its right and 50 of its bottom; in a file as the terminal's
   * (viz/plot_draw.c, plot_layout_panel: its top 34 of its units down),
   * whose ticks come one per 100 of its units across and 55 up (unit). */
  function frameOf(panel) {
    var top = panel.file ? Math.round(34 * FILE_UNIT) : 40;
    return { x: panel.x + 70, y: panel.y + top, w: panel.w - 100, h: panel.h - top - 50, unit: panel.file ? FILE_UNIT : 1 };
  }

  /* a series by step this short (40 points, an epoch's loss) gets a dot
   * on each point, as in the terminal (viz/plot_draw.c, SMALL_SERIES) */
  function short(s) { return !s.xs && !s.points && s.values.length <= 40; }
  /* value i's x: its x, else its step (a long series is kept thinned: lines_kept.js) */
  function xOf(s, i) { return s.xs ? s.xs[i] : s.steps ? s.steps[i] : i; }
  /* The series by step (plot(v)), or with xy the whole series of
   * plot(xs, ys), as the terminal draws them in panels of their own; a log
   * scale is the series by step's only (as the terminal's). */
  function seriesPanel(parts, f, panel, xy, name) {
    var xs = [], ys = [], log = f.log && !xy;
    var shown = f.series.filter(function (s) { return !!s.xs === xy; });
    shown.forEach(function (s) {
      s.values.forEach(function (v, i) {
        xs.push(xOf(s, i));
        ys.push(log ? (v > 0 ? Math.log10(v) : null) : v);
      });
    });
    var box = frameOf(panel), names = [];
    box.name = name;
    shown.forEach(function (s) {
      var last = s.values[s.values.length - 1];
      /* in the pane a loss's last value beside its name, as it trains (a
       * whole series's last point means nothing); a file's legend names
       * the lines only, as the terminal's */
      names.push({ name: s.name + (!xy && !panel.file && last !== undefined && last !== null ? ' ' + label(last) : ''),
                   colour: s.colour, dot: !!s.points, dash: dashOf(s), marker: short(s) ? 3.4 : 0 });
    });
    function draw(yr) {
      var out = [], drawn = [];
      /* the pane says 'log scale' over it; a file is the terminal's, its decades' ticks say so */
      /* a file's margins as the terminal's (viz/plot_draw.c, series_panel): 3 % of the steps, 4 % of
       * a whole series's xs, 5 % of the values; the pane's 4 % */
      var a = axes(out, box, range(xs, panel.file ? (xy ? 0.04 : 0.03) : undefined), yr, log, log && !panel.file ? 'log scale' : '', axisNames(f, xy ? 'xy' : 'series'), !xy);
      shown.forEach(function (s, k) {
        var colour = names[k].colour, pts = [];
        s.values.forEach(function (v, i) {
          var x = xOf(s, i);
          if (v === null || x === null || (log && !(v > 0))) return;
          pts.push([a.X(x), a.Y(v)]);
        });
        if (s.points) pts.forEach(function (p) { out.push('<circle cx="' + p[0].toFixed(1) + '" cy="' + p[1].toFixed(1) + '" r="2.5" fill="' + colour + '"/>'); });
        else out.push('<polyline fill="none" stroke="' + colour + '" stroke-width="1.8"' + dashAttributes(names[k].dash) + ' points="' + pointList(pts) + '"/>');
        if (short(s)) /* a short loss (by epoch): a dot on each of its points too, as the terminal's */
          pts.forEach(function (p) { out.push('<circle class="step" cx="' + p[0].toFixed(1) + '" cy="' + p[1].toFixed(1) + '" r="3.4" fill="' + colour + '"/>'); });
        /* each point with its dot's radius: a dot half under the legend is hidden too */
        var r = s.points ? 2.5 : short(s) ? 3.4 : 0;
        drawn = drawn.concat(pts.map(function (p) { return [p[0], p[1], r]; }));
      });
      return { parts: out, place: legendPlace(box, names, drawn, null, null, null, false) };
    }
    var yr = range(ys, panel.file ? 0.05 : undefined), d = draw(yr);
    if (d.place.hidden > 0) {
      /* curves that leave no corner free (a wave): the range grows at the
       * top by the legend's height, so it sits above them, as in the terminal */
      var room = names.length * 16 + 24;
      d = draw([yr[0], yr[1] + (yr[1] - yr[0]) * room / (box.h - room)]);
    }
    Array.prototype.push.apply(parts, d.parts);
    legend(parts, d.place, names);
  }
  /* A line's dash: its on-off lengths (dots are round caps of near-zero
   * dashes), as the session sends each series's and path's colour and
   * dash, the terminal's (viz/plot_maps_data.c, plot_series_colour and the
   * rest): a loss shares its path's, so that where two lines run on top of
   * each other (Adam's and AdamW's first hundred steps) the one beneath
   * shows through the gaps of the one above. */
  function dashOf(line) { return line.dash && line.dash.length ? line.dash.join(' ') : ''; }
  function dashAttributes(dash) {
    return dash ? ' stroke-dasharray="' + dash + '" stroke-linecap="round"' : '';
  }
  /* Each name wider than room cut short with an ellipsis (in place, whole
   * characters), so the legend stays inside the frame, as the terminal's
   * fit_names (a long series name ran past the frame's left edge). */
  function fitNames(names, room) {
    names.forEach(function (n) { n.name = ellipsized(n.name, 12, room); });
  }
  /* text, or its longest start that fits in room px at size with an
   * ellipsis after it (the terminal's plot_ellipsized) */
  function ellipsized(text, size, room) {
    if (textWidth(text, size) <= room) return text;
    var chars = Array.from(text), lo = 0, hi = chars.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (textWidth(chars.slice(0, mid).join('') + '\u2026', size) <= room) lo = mid; else hi = mid - 1;
    }
    return chars.slice(0, lo).join('').replace(/ +$/, '') + '\u2026';
  }
  /* Where the legend goes, as the terminal places its own (viz/plot_legend.c,
   * plot_legend_place): the corner of the frame box, or else the place along
   * its top or bottom edge, that hides the fewest of the points (pixels, at
   * most 2000 of them sampled), class dots (counted within 6 px: a dot whose
   * centre is outside is still half under it), marks (each as 50) and the
   * paths' markers, a corner on a tie; a point [x, y, r] with a radius r
   * counts when its disc overlaps the box (viz/plot_draw.c,
   * plot_points_under).  Its box: x, y, w, h, and how much it hides. */
  function legendPlace(box, names, points, dots, crosses, markers, inside) {
    var widest = 0;
    fitNames(names, box.w - 2 * 10 - 36);
    names.forEach(function (n) { widest = Math.max(widest, textWidth(n.name, 12)); });
    var w = Math.ceil(widest) + 36, h = names.length * 16 + 6, inset = 10, best = null;
    var places = [[box.x + box.w - w - inset, box.y + inset], [box.x + inset, box.y + inset],
                  [box.x + box.w - w - inset, box.y + box.h - h - inset], [box.x + inset, box.y + box.h - h - inset]];
    var span = box.w - 2 * inset - w, tall = box.h - 2 * inset - h;
    for (var k = 1; span > 0 && k <= 7; k++) {
      var x = box.x + inset + span * k / 8;
      places.push([x, box.y + inset], [x, box.y + box.h - h - inset]);
    }
    /* a map may leave a hole, as ten classes in a ring: with inside, nine
     * places within, the middle first, as legend_place's `inside` */
    if (inside && span > 0 && tall > 0)
      [[2, 2], [1, 2], [3, 2], [2, 1], [2, 3], [1, 1], [3, 1], [1, 3], [3, 3]].forEach(function (q) {
        places.push([box.x + inset + span * q[0] / 4, box.y + inset + tall * q[1] / 4]);
      });
    function under(list, at, margin, weight) {
      var count = 0, step = Math.ceil(list.length / 2000);
      for (var i = 0; i < list.length; i += weight > 1 ? 1 : step) {
        var p = list[i], r = p[2] || 0;
        var dx = Math.max(at[0] - margin - p[0], p[0] - (at[0] + w + margin), 0);
        var dy = Math.max(at[1] - margin - p[1], p[1] - (at[1] + h + margin), 0);
        if (r > 0 ? dx * dx + dy * dy < r * r : dx === 0 && dy === 0) count += weight;
      }
      return count;
    }
    for (var c = 0; c < places.length && !(best && best.hidden === 0); c++) {
      var at = places[c], hidden = under(points, at, 0, 1) + under(dots || [], at, 6, 1) + under(crosses || [], at, 0, 50) +
          under(markers || [], at, 0, 1);
      if (best === null || hidden < best.hidden) best = { x: at[0], y: at[1], w: w, h: h, hidden: hidden };
    }
    return best;
  }

  /* A path's markers as the terminal's (viz/plot_draw.c, draw_path), at
   * the page's scale (its text 12 px to the terminal's 15): a dot on each
   * point of a path of at most 120; its start a ring, nested around those
   * of the paths before it that start there (starts: their pixels), each
   * in its own colour; where it is now, a disc with a dark rim. */
  var MARKER = 0.8 * 6.5;
  function pathMarkers(parts, track, colour, starts) {
    if (!track.length) return;
    var n1 = function (v) { return v.toFixed(1); };
    if (track.length <= 120) {
      var dots = [];
      for (var i = 1; i + 1 < track.length; i++) dots.push('<circle cx="' + n1(track[i][0]) + '" cy="' + n1(track[i][1]) + '" r="2.2"/>');
      if (dots.length) parts.push('<g class="pathdots" fill="' + colour + '">' + dots.join('') + '</g>');
    }
    var s = track[0], e = track[track.length - 1], nested = 0;
    starts.forEach(function (t) { if (Math.hypot(t[0] - s[0], t[1] - s[1]) < MARKER) nested++; });
    starts.push(s);
    var ring = '<circle class="start" cx="' + n1(s[0]) + '" cy="' + n1(s[1]) + '" r="' + n1(MARKER + 2.6 * nested) + '" fill="none"';
    parts.push(ring + ' stroke="white" stroke-width="4.2"/>', ring + ' stroke="' + colour + '" stroke-width="2"/>');
    parts.push('<circle class="now" cx="' + n1(e[0]) + '" cy="' + n1(e[1]) + '" r="' + n1(MARKER) + '" fill="' + colour +
               '" stroke="#262626" stroke-width="1.2"/>');
  }
  /* How much of the tracks (pixel points) lies in the box [x0, x1] x [y0,
   * y1]: points along each segment, 3 px apart, as the terminal counts. */
  function crossings(tracks, x0, y0, x1, y1) {
    var count = 0;
    tracks.forEach(function (t) {
      for (var i = 0; i + 1 < t.length; i++) {
        var a = t[i], c = t[i + 1];
        if (Math.max(a[0], c[0]) < x0 || Math.min(a[0], c[0]) > x1 || Math.max(a[1], c[1]) < y0 || Math.min(a[1], c[1]) > y1) continue;
        var length = Math.hypot(c[0] - a[0], c[1] - a[1]), samples = length < 3 ? 1 : Math.min(1000, Math.floor(length / 3));
        for (var j = 0; j <= samples; j++) {
          var px = a[0] + j / samples * (c[0] - a[0]), py = a[1] + j / samples * (c[1] - a[1]);
          if (px >= x0 && px <= x1 && py >= y0 && py <= y1) count++;
        }
      }
    });
    return count;
  }
  /* How many of the tracks' markers (a start's ring, where a track is
   * now) touch the box [x0, x1] x [y0, y1], as the terminal counts them. */
  function markersIn(tracks, x0, y0, x1, y1) {
    var count = 0;
    tracks.forEach(function (t) {
      if (!t.length) return;
      [t[0], t[t.length - 1]].forEach(function (q) {
        var dx = q[0] - Math.max(x0, Math.min(q[0], x1)), dy = q[1] - Math.max(y0, Math.min(q[1], y1));
        if (Math.hypot(dx, dy) < MARKER + 2) count++;
      });
    });
    return count;
  }
  /* A cross at each mark, its label beside it where the tracks cover it
   * least: of above right, below right, above left, below left, above and
   * below the cross (each slid along its row into the frame), the first
   * with the fewest points of the tracks in it, a track's marker counting
   * as 50; both outlined in white to read over the level curves: the
   * terminal's marks (viz/plot_draw.c, draw_marks). */
  var MARK_SIZE = 7;
  function markLabelPlace(x, y, w, h, box, tracks) {
    var best = null, bestCost = Infinity;
    for (var place = 0; place < 6; place++) {
      var up = place % 2 === 0;
      var x0 = place < 2 ? x + MARK_SIZE + 5 : place < 4 ? x - MARK_SIZE - 5 - w : x - w / 2;
      var y0 = up ? y - MARK_SIZE - 2 - h : y + MARK_SIZE + 2;
      x0 = Math.max(box.x, Math.min(x0, box.x + box.w - w)); /* along its row into the frame */
      var cost = crossings(tracks, x0 - 3, y0 - 3, x0 + w + 3, y0 + h + 3) +
                 50 * markersIn(tracks, x0 - 3, y0 - 3, x0 + w + 3, y0 + h + 3);
      if (x0 < box.x || y0 < box.y || y0 + h > box.y + box.h) cost += 1e6;
      if (cost < bestCost) { bestCost = cost; best = { x: x0, y: y0, up: up }; }
    }
    return best;
  }
  function marks(parts, list, b, box, tracks) {
    list.forEach(function (m) {
      var x = b.X(m.x), y = b.Y(m.y);
      if (!(x >= box.x && x <= box.x + box.w && y >= box.y && y <= box.y + box.h)) return;
      var d = 'M' + (x - MARK_SIZE) + ' ' + (y - MARK_SIZE) + 'L' + (x + MARK_SIZE) + ' ' + (y + MARK_SIZE) +
              'M' + (x - MARK_SIZE) + ' ' + (y + MARK_SIZE) + 'L' + (x + MARK_SIZE) + ' ' + (y - MARK_SIZE);
      parts.push('<path class="mark" d="' + d + '" stroke="white" stroke-width="6" stroke-linecap="round"/>');
      parts.push('<path class="mark" d="' + d + '" stroke="#262626" stroke-width="2.6" stroke-linecap="round"/>');
      if (!m.label) return;
      var p = markLabelPlace(x, y, textWidth(m.label, 12), 13, box, tracks);
      parts.push('<text class="mark" x="' + p.x + '" y="' + (p.up ? y - MARK_SIZE - 5 : y + MARK_SIZE + 12) +
                 '" text-anchor="start" font-size="12" fill="#262626" stroke="white" stroke-width="4" stroke-linejoin="round" paint-order="stroke">' + esc(m.label) + '</text>');
    });
  }

  /* Level curves, lowest level first: indigo through teal to a light
   * green, the terminal's scale (viz/plot_draw.c, level_colour), so the
   * curves near the minimum, where the paths go, are the strongest. */
  function levelColour(level, count) {
    var stops = [[59, 79, 154], [58, 156, 168], [166, 217, 106]];
    var t = count <= 1 ? 0 : level / (count - 1), scaled = t * 2, low = scaled >= 1 ? 1 : 0, k = scaled - low;
    return 'rgb(' + [0, 1, 2].map(function (i) {
      return Math.round(stops[low][i] + k * (stops[low + 1][i] - stops[low][i]));
    }).join(',') + ')';
  }
  function mapPanel(parts, f, panel, figureAxes, name) {
    var P = window.agreplPictures;
    var c = f.contour, xr, yr, given = P.mapRange(f);
    if (given) { xr = given[0]; yr = given[1]; }
    else if (c) { xr = [c.range[0], c.range[1]]; yr = [c.range[2], c.range[3]]; }
    else {
      var px = [], py = [];
      f.paths.forEach(function (p) { px = px.concat(p.xs); py = py.concat(p.ys); });
      f.marks.forEach(function (m) { px.push(m.x); py.push(m.y); });
      P.pointCoordinates(f, px, py);
      xr = range(px); yr = range(py);
    }
    var box = frameOf(panel), left = panel.x, top = panel.y;
    box.w -= P.barRoom(f);
    box.name = name;
    /* the pane names the map; a file is the terminal's, which does not */
    var title = panel.file ? '' : f.field ? 'boundary' : c && !c.caption ? 'contour' : '';
    /* one legend, the classes' and the paths', placed before the drawing: outside the frame narrows it */
    var classes = f.points && f.points.legend ? f.points.legend : [];
    var entries = classes.map(function (e) { return { name: e.name, colour: e.colour, classDot: true, outline: e.outline }; }).concat(
      f.paths.map(function (p) { return { name: p.name, colour: p.colour, dash: dashOf(p), marker: 4 }; }));
    var spot = mapLegendSpot(f, box, xr, yr, entries, title, panel);
    var b = axes(parts, box, xr, yr, false, title, axisNames(f, 'contour'));
    var clip = 'mapclip' + left + '-' + top;
    parts.push('<clipPath id="' + clip + '"><rect x="' + box.x + '" y="' + box.y + '" width="' + box.w + '" height="' + box.h + '"/></clipPath><g clip-path="url(#' + clip + ')">');
    P.mapUnder(parts, f, b);
    var at = [box.x, box.y, box.w, xr, yr].join();
    if (c && c.drawn && c.drawnAt === at) { /* a contour is traced once: its paths too */
      parts.push(c.drawn);
    } else if (c) { /* one path per level */
      var paths = {}, levelParts = [];
      for (var i = 0; i + 4 < c.segments.length; i += 5) {
        var level = c.segments[i + 4];
        (paths[level] = paths[level] || []).push('M' + b.X(c.segments[i]).toFixed(1) + ' ' + b.Y(c.segments[i + 1]).toFixed(1) +
                                                'L' + b.X(c.segments[i + 2]).toFixed(1) + ' ' + b.Y(c.segments[i + 3]).toFixed(1));
      }
      Object.keys(paths).forEach(function (level) {
        var colour = levelColour(+level, c.levels.length);
        levelParts.push('<path class="level" data-level="' + level + '" fill="none" stroke="' + colour + '" stroke-width="1" d="' + paths[level].join('') + '"/>');
      });
      c.drawn = levelParts.join('');
      c.drawnAt = at;
      parts.push(c.drawn);
    }
    P.mapOver(parts, f, b);
    var tracks = [];
    var starts = [];
    f.paths.forEach(function (p) {
      var colour = p.colour, pts = [], track = [];
      tracks.push(track);
      /* a point less than half a pixel from the last one drawn adds nothing */
      var lastX = null, lastY = null, n = p.xs.length;
      p.xs.forEach(function (x, i) {
        if (x === null || p.ys[i] === null) return;
        var X = b.X(x), Y = b.Y(p.ys[i]);
        track.push([X, Y]);
        if (i < n - 1 && lastX !== null && Math.abs(X - lastX) < 0.5 && Math.abs(Y - lastY) < 0.5) return;
        lastX = X; lastY = Y;
        pts.push(X.toFixed(1) + ',' + Y.toFixed(1));
      });
      parts.push('<polyline fill="none" stroke="' + colour + '" stroke-width="2"' + dashAttributes(dashOf(p)) + ' points="' + pts.join(' ') + '"/>');
      pathMarkers(parts, track, colour, starts);
    });
    marks(parts, f.marks, b, box, tracks);
    parts.push('</g>');
    if (c && c.caption) /* "11 levels, 0.201 to 500 (log spacing)", as over the terminal's contour, clear of the left end's text */
      parts.push('<text class="caption" x="' + (box.x + box.w) + '" y="' + (box.y - 8) + '" text-anchor="end" font-size="11" fill="#5f5f5f">' +
                 esc(b.leftEnd > box.x ? ellipsized(c.caption, 11, box.x + box.w - b.leftEnd - 12) : c.caption) + '</text>');
    P.mapBar(parts, f, box);
    if (spot.kind === 'above') legendRow(parts, entries, box.x + box.w, box.y);
    else if (spot.kind === 'right') legend(parts, { x: spot.x, y: box.y, w: spot.w, h: spot.h }, entries);
    else if (spot.kind === 'below') legend(parts, spot, entries);
    else if (entries.length) legend(parts, spot.place, entries);
    figureAxes.map = { x: box.x, y: box.y, w: box.w, h: box.h, xr: xr, yr: yr };
  }
  /* What a map's legend may hide, in pixels of the frame box over xr x yr:
   * the tracks' points, the class dots, the marks (each with its drawn
   * radius, as pathMarkers and marks draw them: a path's dots, its start's
   * ring, where it is now, a mark's cross), the boundary's line. */
  function mapPoints(f, box, xr, yr) {
    var X = function (x) { return box.x + (x - xr[0]) / (xr[1] - xr[0]) * box.w; };
    var Y = function (y) { return box.y + box.h - (y - yr[0]) / (yr[1] - yr[0]) * box.h; };
    var out = { tracks: [], dots: [], marks: [], ends: [], edge: [] };
    f.paths.forEach(function (p) {
      var t = [];
      p.xs.forEach(function (x, i) { if (x !== null && p.ys[i] !== null) t.push([X(x), Y(p.ys[i])]); });
      t.forEach(function (q) { out.tracks.push([q[0], q[1], t.length <= 120 ? 2.2 : 0]); });
      if (t.length) out.ends.push([t[0][0], t[0][1], MARKER + 2.1], [t[t.length - 1][0], t[t.length - 1][1], MARKER + 0.6]);
    });
    if (f.points && f.points.xs)
      for (var i = 0; i < f.points.count; i++) out.dots.push([X(f.points.xs[i]), Y(f.points.ys[i])]);
    out.marks = f.marks.map(function (m) { return [X(m.x), Y(m.y), MARK_SIZE + 3]; });
    /* the boundary's threshold line, a point at each piece's middle with the
     * line's half width (viz/plot_maps.c, plot_maps_edge_in) */
    var e = f.field && f.field.edge ? f.field.edge : [];
    for (var k = 0; k + 3 < e.length; k += 4) out.edge.push([X((e[k] + e[k + 2]) / 2), Y((e[k + 1] + e[k + 3]) / 2), 1.1]);
    return out;
  }
  /* Where a map's legend goes, as the terminal's (viz/plot_draw.c,
   * map_legend_place): where it hides none of the tracks, class dots and
   * marks and the boundary's line, a corner or along the top or bottom
   * edge ('frame', its place);
   * else one row over the frame ('above') when it fits right of what is
   * over the frame's left end and of the map's title, and no level curves'
   * caption is there; else a place within (a ring's hole); else outside
   * the frame, right of it and of the colour bar at its top ('right', its
   * x, w, h: matplotlib's bbox_to_anchor), box narrowed for it, when the
   * frame keeps two thirds of its width and the legend is no taller;
   * else under the frame, below its x axis's name, centred on it in as
   * many columns as the panel's width takes ('below', its x, y, w, h,
   * columns, column), box made shorter for it, when the frame keeps two
   * thirds of its height; else within, where it hides the fewest. */
  var BELOW_GAP = 6;
  function mapLegendSpot(f, box, xr, yr, entries, title, panel) {
    if (!entries.length) return { kind: 'frame', place: null };
    var P = window.agreplPictures, pts = mapPoints(f, box, xr, yr);
    function place(inside) { return legendPlace(box, entries, pts.tracks.concat(pts.edge), pts.dots, pts.marks, pts.ends, inside); }
    var edges = place(false);
    if (edges.hidden === 0) return { kind: 'frame', place: edges };
    if (!f.contour) {
      var limit = overLeftEnd(box, linearLabels(ticks(yr[0], yr[1], yTargets(box)), yr[0], yr[1])).end;
      if (limit > box.x) limit += 16;
      if (title) limit = Math.max(limit, box.x + box.w / 2 + textWidth(title, 13) / 2 + 16);
      if (box.x + box.w - rowWidth(entries) >= limit) return { kind: 'above' };
    }
    var within = place(true);
    if (within.hidden === 0) return { kind: 'frame', place: within };
    /* the bar's labels end P.EDGE inside its room and the frame's 30 px margin */
    var bar = P.barRoom(f), offset = (bar ? bar + 30 - P.EDGE : 0) + 10;
    var narrower = box.w - Math.ceil(offset + within.w + P.EDGE - 30 - bar);
    if (narrower >= box.w * 2 / 3 && within.h <= box.h) {
      box.w = narrower;
      return { kind: 'right', x: box.x + narrower + offset, w: within.w, h: within.h };
    }
    var room = panel.w - 2 * P.EDGE, grid = legendGrid(entries, room), shorter = box.h - grid.h - BELOW_GAP;
    if (grid.w > room || shorter < box.h * 2 / 3) return { kind: 'frame', place: within };
    box.h = shorter;
    grid.kind = 'below';
    grid.x = Math.min(Math.max(Math.floor(box.x + box.w / 2 - grid.w / 2), panel.x + P.EDGE), panel.x + panel.w - P.EDGE - grid.w);
    grid.y = panel.y + panel.h - BELOW_GAP - grid.h;
    return grid;
  }

  window.agreplFigureSvg = { figureSvg: figureSvg, panelsOf: panelsOf, PANEL_W: PANEL_W, PANEL_H: PANEL_H };
})();
