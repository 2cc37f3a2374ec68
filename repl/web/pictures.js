/* pictures.js — the pictures of learning in the page: scatter's points in
 * their class colours (the map's legend, figure_svg.js, names them), boundary's field under them with its
 * 0-level (threshold) curve and colour bar, heatmap's cells with their
 * numbers, images' grid and neurons' units laid out by layer, drawn as SVG
 * into the page's figure (figure_svg.js's figureSvg calls these), so the
 * page's "Save SVG" and "Save PNG" keep them.
 *
 * The session computes every colour (viz/plot_maps_data.c, as the terminal's
 * drawing does: the same palette) and repl/web/plot_web.c sends the grids as
 * typed arrays in 'figure-bytes' messages ahead of the figure's JSON, which
 * names them by key; "same" in the JSON is the picture the page was sent
 * last.  Each grid becomes a PNG (a canvas) once, shown as an SVG <image>. */
'use strict';
(function () {
  var bytes = {};          /* key -> ArrayBuffer, until a figure takes it */
  var kept = {};           /* panel key ('': the figure's own) -> kind -> the picture last sent to the display */
  var KINDS = ['points', 'field', 'heatmap', 'images', 'neurons'];

  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'); }
  function n1(v) { return (+v).toFixed(1); }
  /* text's width in the figure's font (DejaVu Sans) at size px, measured
   * (figure_svg.js measures with it too) */
  var measure = null;
  function textWidth(text, size) {
    if (measure === null) measure = document.createElement('canvas').getContext('2d');
    measure.font = size + 'px "DejaVu Sans", sans-serif';
    return measure.measureText(String(text)).width;
  }

  /* the worker's bytes (plot_web.c's web_post_bytes) */
  function keep(m) { bytes[m.key] = m.bytes; }
  function take(key, Type) {
    var b = bytes[key];
    delete bytes[key];
    return b ? new Type(b) : null;
  }

  /* A line's numbers, sent as a Float64Array (plot_web.c, line_numbers:
   * its key; [] for none), as the array the page keeps: null where a
   * number is not finite (a gap in the line, as JSON's null was). */
  function lineNumbers(v) {
    if (typeof v !== 'number') return v;
    var a = take(v, Float64Array) || [], out = new Array(a.length);
    for (var i = 0; i < a.length; i++) out[i] = isFinite(a[i]) ? a[i] : null;
    return out;
  }

  /* The figure's lines and pictures with their bytes, "same" as the last one
   * (display: true for the figures of the display, which may say "same"),
   * and so for each of its panels chosen by panel= (f.sheets: kept by their
   * key; a panel the figure no longer has is forgotten). */
  function resolve(f, display, slot) {
    slot = slot || '';
    (f.series || []).forEach(function (s) { s.values = lineNumbers(s.values); s.xs = lineNumbers(s.xs); });
    (f.paths || []).forEach(function (p) { p.xs = lineNumbers(p.xs); p.ys = lineNumbers(p.ys); });
    var mine = display ? (kept[slot] = kept[slot] || {}) : {}; /* a file's figure keeps nothing */
    KINDS.forEach(function (kind) {
      var p = f[kind];
      if (p === 'same') { f[kind] = mine[kind] || null; return; }
      if (p === undefined) p = f[kind] = null;
      if (p) {
        if (kind === 'points') {
          p.xs = take(p.xs, Float64Array); p.ys = take(p.ys, Float64Array); p.classes = take(p.classes, Uint8Array);
        } else {
          p.pixels = take(p.pixels, Uint8ClampedArray);
          if (kind === 'field') p.edge = p.edge ? take(p.edge, Float64Array) : null;
          if (kind === 'neurons') p.weights = p.weights ? take(p.weights, Float64Array) : null;
        }
      }
      if (display) {
        mine[kind] = p;
        if (kind === 'field' && p) window.agrepl.fieldsReceived = (window.agrepl.fieldsReceived || 0) + 1;
      }
    });
    if (!slot) {
      f.sheets = f.sheets || [];
      f.sheets.forEach(function (sheet) { resolve(sheet.figure, display, sheet.key); });
      if (display) Object.keys(kept).forEach(function (k) {
        if (k && !f.sheets.some(function (sheet) { return sheet.key === k; })) delete kept[k];
      });
    }
    return f;
  }

  /* width x height RGBA pixels (from byte offset) as a PNG data URL */
  function png(pixels, width, height, offset) {
    var canvas = document.createElement('canvas');
    canvas.width = width; canvas.height = height;
    var rgba = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset + (offset || 0), width * height * 4);
    canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
    return canvas.toDataURL('image/png');
  }
  function image(parts, url, x, y, w, h, blocky, cls) {
    parts.push('<image' + (cls ? ' class="' + cls + '"' : '') + ' x="' + n1(x) + '" y="' + n1(y) + '" width="' + n1(w) +
               '" height="' + n1(h) + '" preserveAspectRatio="none"' +
               (blocky ? ' style="image-rendering:pixelated" image-rendering="pixelated"' : '') +
               ' href="' + url + '"/>');
  }
  function text(parts, x, y, s, size, anchor, fill, extra) {
    parts.push('<text x="' + n1(x) + '" y="' + n1(y) + '" font-size="' + size + '"' + (anchor ? ' text-anchor="' + anchor + '"' : '') +
               (fill ? ' fill="' + fill + '"' : '') + (extra || '') + '>' + esc(s) + '</text>');
  }

  /* A colour bar and its labels: BAR_GAP px right of its picture,
   * BAR_WIDTH wide, its labels (LABEL_SIZE px) LABEL_GAP right of it; they
   * end EDGE px inside the panel, as text does at its left (the
   * terminal's, viz/plot_maps.c: bar_reach, BAR_GAP, PLOT_EDGE_MARGIN, at
   * the page's scale) */
  var BAR_GAP = 14, BAR_WIDTH = 14, LABEL_GAP = 4, LABEL_SIZE = 11, EDGE = 11;
  /* from a bar's left edge to the right end of its labels, measured */
  function barReach(bar) {
    var widest = 0;
    [bar.high, bar.low, bar.mid].forEach(function (t) {
      if (t !== null && t !== undefined) widest = Math.max(widest, textWidth(t, LABEL_SIZE));
    });
    return BAR_WIDTH + LABEL_GAP + widest;
  }

  /* A vertical colour bar: its bands (bottom first, one list a bar), framed,
   * its ends labelled (and the threshold, at mid from the bottom) */
  function colourBar(parts, bar, x, top, bottom, width) {
    var h = bottom - top, each = width / bar.bands.length;
    parts.push('<g class="colourbar">');
    bar.bands.forEach(function (bands, k) {
      var band = h / bands.length;
      bands.forEach(function (c, i) {
        parts.push('<rect x="' + n1(x + k * each) + '" y="' + n1(bottom - (i + 1) * band) + '" width="' + n1(each) +
                   '" height="' + n1(band + 0.6) + '" fill="' + c + '"/>');
      });
    });
    parts.push('<rect x="' + n1(x + 0.5) + '" y="' + n1(top + 0.5) + '" width="' + n1(width - 1) + '" height="' + n1(h - 1) +
               '" fill="none" stroke="#262626"/>');
    text(parts, x + width + LABEL_GAP, top + 4, bar.high, LABEL_SIZE, null, '#191919');
    text(parts, x + width + LABEL_GAP, bottom + 4, bar.low, LABEL_SIZE, null, '#191919');
    if (bar.mid !== null && bar.mid !== undefined) {
      var y = bottom - bar.midAt * h;
      parts.push('<line x1="' + n1(x - 3) + '" x2="' + n1(x + width + 3) + '" y1="' + n1(y) + '" y2="' + n1(y) +
                 '" stroke="#262626" stroke-width="1.6"/>');
      text(parts, x + width + LABEL_GAP, y + 4, bar.mid, LABEL_SIZE, null, '#191919');
    }
    if (bar.title) text(parts, x + width / 2, top - 5, bar.title, 11, 'middle', '#191919');
    parts.push('</g>');
  }

  /* ---- the map panel --------------------------------------------------------- */

  function hasMap(f) { return !!(f.field || (f.points && f.points.count)); }
  /* the map's ranges when the field sets them (null: the page's own) */
  function mapRange(f) {
    if (f.field) return [[f.field.range[0], f.field.range[1]], [f.field.range[2], f.field.range[3]]];
    return null;
  }
  /* the points' coordinates, for a map without field or contour */
  function pointCoordinates(f, xs, ys) {
    var p = f.points;
    if (!p || !p.xs) return;
    for (var i = 0; i < p.count; i++) { xs.push(p.xs[i]); ys.push(p.ys[i]); }
  }
  /* room right of the map's frame for the colour bar: 64 px at least, more
   * when its labels are wide (a small model's −0.000254), so they end EDGE
   * px inside the panel (the frame ends 30 px inside it) */
  function barRoom(f) {
    return f.field ? Math.max(64, Math.ceil(BAR_GAP + barReach(f.field.bar) + EDGE - 30)) : 0;
  }

  /* under the level curves: the field and its threshold's curve */
  function mapUnder(parts, f, a) {
    var field = f.field;
    if (!field) return;
    if (!field.url) field.url = png(field.pixels, field.columns, field.rows);
    var x0 = a.X(field.range[0]), x1 = a.X(field.range[1]), y0 = a.Y(field.range[3]), y1 = a.Y(field.range[2]);
    image(parts, field.url, x0, y0, x1 - x0, y1 - y0, false, 'field');
    if (field.edge && field.edge.length) {
      var d = [], e = field.edge;
      for (var i = 0; i + 3 < e.length; i += 4)
        d.push('M' + n1(a.X(e[i])) + ' ' + n1(a.Y(e[i + 1])) + 'L' + n1(a.X(e[i + 2])) + ' ' + n1(a.Y(e[i + 3])));
      parts.push('<path class="edge" fill="none" stroke="#262626" stroke-width="2" d="' + d.join('') + '"/>');
    }
  }

  /* A marker about (x, y) the size of a disc of radius r: outline's corners
   * (plot_marker_outline's, for radius 1), a circle when it has none. */
  function marker(outline, x, y, r) {
    if (!outline || !outline.length) return '<circle cx="' + n1(x) + '" cy="' + n1(y) + '" r="' + r + '"/>';
    var corners = [];
    for (var i = 0; i + 1 < outline.length; i += 2) corners.push(n1(x + r * outline[i]) + ',' + n1(y + r * outline[i + 1]));
    return '<polygon points="' + corners.join(' ') + '"/>';
  }

  /* over the level curves: the points, class by class, each in its colour
   * and marker (the palette's colours come round again with another
   * marker, as the terminal's) with a dark rim */
  function mapOver(parts, f, a) {
    var p = f.points;
    if (!p || !p.xs) return;
    var byClass = {}, outlines = p.outlines || [];
    for (var i = 0; i < p.count; i++) {
      var x = a.X(p.xs[i]), y = a.Y(p.ys[i]), k = p.classes[i];
      if (!isFinite(x) || !isFinite(y)) continue;
      (byClass[k] = byClass[k] || []).push(marker(outlines[Math.floor(k / p.palette.length) % Math.max(outlines.length, 1)], x, y, 3.6));
    }
    Object.keys(byClass).forEach(function (k) {
      parts.push('<g class="points" data-class="' + k + '" fill="' + p.palette[k % p.palette.length] +
                 '" stroke="#262626" stroke-opacity="0.85" stroke-width="1">' + byClass[k].join('') + '</g>');
    });
  }

  /* right of the frame: the colour bar */
  function mapBar(parts, f, box) {
    if (f.field) colourBar(parts, f.field.bar, box.x + box.w + BAR_GAP, box.y + 8, box.y + box.h - 8, BAR_WIDTH);
  }

  /* ---- panels of their own ------------------------------------------------------ */

  /* which of them the figure has, in the terminal's order: units before the
   * map, the heat map and images after it */
  function before(f) { return f.neurons ? ['neurons'] : []; }
  function after(f) { var out = []; if (f.heatmap) out.push('heatmap'); if (f.images) out.push('images'); return out; }

  function panel(parts, f, kind, box, axes) {
    if (kind === 'neurons') neurons(parts, f.neurons, box, axes);
    else if (kind === 'heatmap') heatmap(parts, f.heatmap, box, axes);
    else if (kind === 'images') images(parts, f.images, box, axes);
  }

  /* a panel chosen by panel="before": its name first, as the terminal titles it */
  function named(box, title) { return box.name ? box.name + ': ' + title : title; }

  /* A title in rows at most `room` wide, as the terminal's (viz/plot_draw.c,
   * plot_draw_wrapped: Pango's PANGO_WRAP_WORD_CHAR, centred): one row when
   * it fits (or the room is less than a letter); else as many words as fit
   * a row, a word wider than a row broken between letters.  The figure's
   * title (figure_svg.js) and the panels' take their rows from here. */
  function titleRows(title, size, room) {
    if (textWidth(title, size) <= room || room < size) return [title];
    var rows = [], row = '';
    title.split(/ +/).forEach(function (word) {
      var tried = row ? row + ' ' + word : word;
      if (textWidth(tried, size) <= room) { row = tried; return; }
      if (row) rows.push(row);
      row = word;
      while (row.length > 1 && textWidth(row, size) > room) {
        var n = 1;
        while (n < row.length && textWidth(row.slice(0, n + 1), size) <= room) n++;
        rows.push(row.slice(0, n));
        row = row.slice(n);
      }
    });
    if (row) rows.push(row);
    return rows;
  }

  /* A panel's title (heat map, images, units) centred at its top, wrapped
   * within the panel less EDGE at each side as the terminal's panel_title
   * (viz/plot_maps.c); how much lower its rows past the first put what is
   * under it. */
  var PANEL_TITLE_SIZE = 13, PANEL_TITLE_LINE = 16;
  function panelTitle(parts, box, title) {
    var rows = titleRows(named(box, title), PANEL_TITLE_SIZE, box.w - 2 * EDGE);
    rows.forEach(function (row, k) {
      text(parts, box.x + box.w / 2, box.y + 22 + k * PANEL_TITLE_LINE, row, PANEL_TITLE_SIZE, 'middle', null, ' class="panel-title"');
    });
    return (rows.length - 1) * PANEL_TITLE_LINE;
  }

  var CELL_TEXT_HEIGHT = 14; /* a line of 12 px DejaVu Sans */
  var CELL_LEGIBLE = 22; /* a cell's side at least where it fits, its row or column numbered (the terminal's CELL_LEGIBLE, to scale) */
  function heatmap(parts, m, box, axes) {
    var lower = panelTitle(parts, box, m.title);
    /* square cells as large as fit, a side CELL_LEGIBLE at least where it
     * fits (a 2 x 200 matrix's are oblong, not a strip under 4 px high), 70
     * px kept right of them for the bar, more when its labels would end
     * past EDGE px inside the panel (a wide matrix's −0.000219 was cut), as
     * the terminal's plot_maps_heatmap_panel */
    var top = box.y + 40 + lower, roomH = box.h - 40 - 30 - lower, reach = barReach(m.bar), room = 70, roomW, cell,
        cellW, cellH, w, h, left;
    for (var pass = 0; pass < 4; pass++) {
      roomW = box.w - 40 - room;
      cell = Math.min(roomW / m.columns, roomH / m.rows, 70);
      cellW = Math.max(cell, Math.min(CELL_LEGIBLE, roomW / m.columns));
      cellH = Math.max(cell, Math.min(CELL_LEGIBLE, roomH / m.rows));
      w = cellW * m.columns; h = cellH * m.rows;
      left = Math.floor(box.x + 30 + (roomW - w) / 2);
      var over = left + w + BAR_GAP + reach - (box.x + box.w - EDGE);
      if (over <= 0) break;
      /* narrower cells move the bar as much; else the centred picture moves by half */
      room += (cellW === roomW / m.columns ? 1 : 2) * Math.ceil(over);
    }
    var y0 = Math.floor(top + (roomH - h) / 2);
    if (!m.url) m.url = png(m.pixels, m.columns, m.rows);
    image(parts, m.url, left, y0, w, h, true, 'heatmap');
    parts.push('<rect x="' + (left + 0.5) + '" y="' + (y0 + 0.5) + '" width="' + n1(w - 1) + '" height="' + n1(h - 1) + '" fill="none" stroke="#262626"/>');
    /* the numbers when every cell holds its own (measured as written), all
     * or none, so a missing number never reads as an empty cell: the
     * terminal's rule (viz/plot_maps.c, plot_maps_heatmap_panel); the
     * session sends none past PLOT_CELL_NUMBERS cells */
    var widest = m.cells ? Math.max.apply(null, m.cells.map(function (t) { return textWidth(t, 12); })) : Infinity;
    if (cellW >= widest + 6 && cellH >= CELL_TEXT_HEIGHT + 2) {
      for (var r = 0; r < m.rows; r++)
        for (var c = 0; c < m.columns; c++) {
          var i = r * m.columns + c;
          text(parts, left + (c + 0.5) * cellW, y0 + (r + 0.5) * cellH + 4, m.cells[i], 12, 'middle',
               m.dark[i] === '1' ? '#ffffff' : '#191919', ' class="cell"');
        }
    }
    var everyColumn = 1, everyRow = 1;
    while (cellW * everyColumn < 22) everyColumn *= 2;
    while (cellH * everyRow < 22) everyRow *= 2;
    for (var c2 = 0; c2 < m.columns; c2 += everyColumn) text(parts, left + (c2 + 0.5) * cellW, y0 + h + 14, String(c2), 11, 'middle');
    for (var r2 = 0; r2 < m.rows; r2 += everyRow) text(parts, left - 5, y0 + (r2 + 0.5) * cellH + 4, String(r2), 11, 'end');
    /* the bar as high as the cells or, when they are lower, as its labels
     * need (LABEL_SIZE text, two or three of them), centred on them */
    var barH = Math.max(h, (m.bar.mid !== null && m.bar.mid !== undefined ? 2 : 1) * (LABEL_SIZE + 6)),
        barTop = Math.floor(y0 + (h - barH) / 2);
    colourBar(parts, m.bar, left + w + BAR_GAP, barTop, barTop + barH, BAR_WIDTH);
    axes.heatmap = { x: left, y: y0, cell: cellW, cellHeight: cellH, rows: m.rows, columns: m.columns, bar: left + w + BAR_GAP };
  }

  function images(parts, g, box, axes) {
    var lower = panelTitle(parts, box, g.title);
    var top = box.y + 40 + lower, gap = 4, roomW = box.w - 40, roomH = box.h - 40 - 20 - lower;
    var columns = g.columns, rows = Math.ceil(g.count / columns);
    var scale = Math.min((roomW - gap * (columns - 1)) / (columns * g.width), (roomH - gap * (rows - 1)) / (rows * g.height), 50);
    var cw = g.width * scale, ch = g.height * scale;
    var totalW = columns * cw + (columns - 1) * gap, totalH = rows * ch + (rows - 1) * gap;
    var left = Math.floor(box.x + 20 + (roomW - totalW) / 2), y0 = Math.floor(top + (roomH - totalH) / 2);
    if (!g.urls) {
      g.urls = [];
      for (var k = 0; k < g.count; k++) g.urls.push(png(g.pixels, g.width, g.height, k * g.width * g.height * 4));
    }
    g.urls.forEach(function (url, i) {
      var x = left + (i % columns) * (cw + gap), y = y0 + Math.floor(i / columns) * (ch + gap);
      image(parts, url, x, y, cw, ch, true, 'picture');
      parts.push('<rect x="' + n1(x - 0.5) + '" y="' + n1(y - 0.5) + '" width="' + n1(cw + 1) + '" height="' + n1(ch + 1) +
                 '" fill="none" stroke="#262626" stroke-opacity="0.5"/>');
    });
    axes.images = { x: left, y: y0, w: cw, h: ch, gap: gap, columns: columns };
  }

  /* Each layer's block of maps, as the terminal's (viz/plot_maps.c,
   * unit_blocks) at the page's scale (its text 12 px to the terminal's 15):
   * while the widest layer's maps can be 29 px or more, one size for all, a
   * column a layer; else each layer's maps near 35 px, in up to four
   * columns (a 30-unit layer drew maps of 10 px).  { size, x, y, gapX,
   * gapY, columns } a layer. */
  var UNIT_READABLE = 29, UNIT_TARGET = 35, UNIT_COLUMNS = 4;
  function unitBlocks(net, box, top, bottom) {
    var height = bottom - top, columnW = (box.w - 30) / net.layers, most = Math.max.apply(null, net.units);
    function fit(n, columns) {
      var rows = Math.ceil(n / columns);
      var across = columns === 1 ? columnW * 0.45 : columnW * 0.72 / (columns + 0.3 * (columns - 1));
      return Math.min(height / rows * 0.82, across, 70);
    }
    var uniform = fit(most, 1), uniformGap = Math.min((height - uniform * most) / (most > 1 ? most - 1 : 1), uniform * 0.5);
    return net.units.map(function (n, l) {
      var columns = 1, size = uniform, gapY = uniformGap;
      if (uniform < UNIT_READABLE) {
        var target = Math.min(UNIT_TARGET, fit(1, 1));
        size = fit(n, 1);
        for (var c = 2; c <= UNIT_COLUMNS && c <= n && size < target; c++)
          if (fit(n, c) > size) { size = fit(n, c); columns = c; }
        size = Math.min(size, target);
        var r = Math.ceil(n / columns);
        gapY = Math.min((height - size * r) / (r > 1 ? r - 1 : 1), size * 0.5);
      }
      var rows = Math.ceil(n / columns), gapX = size * 0.3;
      return { size: size, columns: columns, gapX: gapX, gapY: gapY,
               x: Math.floor(box.x + 15 + columnW * (l + 0.5) - (columns * size + (columns - 1) * gapX) / 2),
               y: top + (height - (rows * size + (rows - 1) * gapY)) / 2 };
    });
  }

  function neurons(parts, net, box, axes) {
    var top = box.y + 40 + panelTitle(parts, box, 'units over the plane'), bottom = box.y + box.h - 26;
    var blocks = unitBlocks(net, box, top, bottom);
    function unitX(l, u) { var b = blocks[l]; return Math.floor(b.x + (u % b.columns) * (b.size + b.gapX)); }
    function unitY(l, u) { var b = blocks[l]; return Math.floor(b.y + Math.floor(u / b.columns) * (b.size + b.gapY)); }
    if (net.weights) { /* under the maps: blue positive, orange negative */
      var at = 0;
      for (var l = 0; l + 1 < net.layers; l++) {
        var next = net.units[l + 1];
        for (var i = 0; i < net.units[l]; i++)
          for (var j = 0; j < next; j++) {
            var s = net.weights[at + i * next + j];
            if (s === 0) continue;
            parts.push('<line x1="' + n1(unitX(l, i) + blocks[l].size) + '" y1="' + n1(unitY(l, i) + blocks[l].size / 2) + '" x2="' +
                       n1(unitX(l + 1, j)) + '" y2="' + n1(unitY(l + 1, j) + blocks[l + 1].size / 2) + '" stroke="' +
                       net.palette[s < 0 ? 0 : 1] + '" stroke-opacity="' + (0.25 + 0.6 * Math.abs(s)).toFixed(3) + '" stroke-width="' +
                       (0.5 + 2.4 * Math.abs(s)).toFixed(2) + '"/>');
          }
        at += net.units[l] * next;
      }
    }
    if (!net.urls) {
      net.urls = [];
      var cells = net.grid * net.grid * 4, total = net.units.reduce(function (a, b) { return a + b; }, 0);
      for (var k = 0; k < total; k++) net.urls.push(png(net.pixels, net.grid, net.grid, k * cells));
    }
    var unit = 0;
    net.units.forEach(function (count, l) {
      var size = blocks[l].size;
      for (var u = 0; u < count; u++, unit++) {
        var x = unitX(l, u), y = unitY(l, u);
        image(parts, net.urls[unit], x, y, size, size, false, 'unit');
        parts.push('<rect x="' + n1(x + 0.5) + '" y="' + n1(y + 0.5) + '" width="' + n1(size - 1) + '" height="' + n1(size - 1) +
                   '" fill="none" stroke="#262626" stroke-opacity="0.8"/>');
        if (l + 1 === net.layers && u === 0) axes.neurons = { x: x, y: y, size: size, range: net.range };
      }
      var b = blocks[l];
      text(parts, b.x + (b.columns * size + (b.columns - 1) * b.gapX) / 2, bottom + 16, net.labels[l], 11, 'middle');
    });
  }

  window.agreplPictures = {
    keep: keep, resolve: resolve, hasMap: hasMap, mapRange: mapRange, pointCoordinates: pointCoordinates, textWidth: textWidth, titleRows: titleRows,
    barRoom: barRoom, EDGE: EDGE, mapUnder: mapUnder, mapOver: mapOver, mapBar: mapBar, marker: marker,
    before: before, after: after, panel: panel
  };
})();
