"""web_pictures.py: the pictures of learning in the web page, for web_test.py.

run(driver, typed, shots) runs TensorFlow Playground's circle lesson in the
page (boundary and neurons live at the pace, the points over the field),
then reads the pixels of the page's own PNG (its Save PNG button and
savefig's link): the field is blue (class 1, the inner disc) at the centre and
orange (class 0, the ring) just outside the ring's points; a point
is its class's colour; the colour bar is there, blue at its top and orange
at its bottom; then a 2x2 heat map shows its four numbers in cells of the
one-sign scale (white to blue), and images() its grid; a wide matrix's
colour bar labels a negative number with a real minus sign, and its labels
and a small model's field's end inside their panels; a heat map's cells
and the level curves' caption write negative numbers with a real minus
sign too, and a heat map writes all its cells' numbers or none (as the
terminal); an 8-class boundary's legend whose long names leave no room
inside the frame nor right of it goes under the frame, covering no point.
savefig_as_terminal(driver, typed, shots, agrepl, tmp): savefig of a loss,
the units and a boundary in the page against the terminal's savefig (the
PNG's pixel size, the panels' shares, no title nor legend value the terminal
has not); 11-savefig-page.png and 11-savefig-terminal.png.  Screenshots in
shots: 8-circle-boundary.png, 9-heatmap-images.png, and the page's saved
figures 8-circle-figure.png, 9-heatmap-figure.png; 10-eight-classes.png."""
import base64
import os
import re
import time

from checks import check

# The pixels of the page's last download (a PNG): [r, g, b] at each (x, y)
# of the saved figure's SVG units (the PNG is drawn at twice their size).
READ_PIXELS = """
var points = arguments[0], done = arguments[arguments.length - 1];
createImageBitmap(window.agrepl.lastDownloadBlob).then(function (bitmap) {
  var canvas = document.createElement('canvas');
  canvas.width = bitmap.width; canvas.height = bitmap.height;
  var cx = canvas.getContext('2d');
  cx.drawImage(bitmap, 0, 0);
  var scale = bitmap.width / window.agrepl.savedAxes.width;
  done(points.map(function (p) {
    var d = cx.getImageData(Math.floor(p[0] * scale), Math.floor(p[1] * scale), 1, 1).data;
    return [d[0], d[1], d[2]];
  }));
}, function (e) { done(String(e)); });
"""

# (x, y) of the map panel's data point in the saved figure's SVG units
TO_MAP = """
var a = window.agrepl.savedAxes.map, x = arguments[0], y = arguments[1];
return [a.x + (x - a.xr[0]) / (a.xr[1] - a.xr[0]) * a.w, a.y + a.h - (y - a.yr[0]) / (a.yr[1] - a.yr[0]) * a.h];
"""


def orange(c):
    return c[0] > 200 and c[0] > c[1] + 20 and c[1] > c[2] + 40


def blue(c):
    return c[2] > c[0] + 60 and c[2] > 120


def settled(driver, script, timeout=60):
    """script's value once it is truthy (the page draws a figure at its next
    frame, later on a loaded machine), or its last value after timeout s."""
    deadline = time.time() + timeout
    value = driver.execute_script(script)
    while not value and time.time() < deadline:
        time.sleep(0.1)
        value = driver.execute_script(script)
    return value


def saved_pixels(driver, points, how, keep=None):
    """Saves the figure as PNG (how: a click or a statement), reads the points;
    the PNG kept as the file keep (None: not kept)."""
    driver.execute_script("window.agrepl.lastDownload = null")
    how()
    settled(driver, "return /\\.png$/.test(window.agrepl.lastDownload || '')")
    if keep is not None:
        got = driver.execute_async_script(
            "var done = arguments[0]; window.agrepl.lastDownloadBlob.arrayBuffer().then(function (b) {"
            " var u = new Uint8Array(b), s = ''; for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);"
            " done(btoa(s)); });")
        with open(keep, "wb") as f:
            f.write(base64.b64decode(got))
    return driver.execute_async_script(READ_PIXELS, points)


def savefig_clicked(driver, typed, name):
    """savefig(name) in the page, then a click on the link it offers"""
    typed("savefig(\"%s\")" % name)
    links = [a for a in driver.find_elements("css selector", "#output .saved a") if a.text == name]
    if links:
        links[-1].click()


def run(driver, typed, shots):
    typed("clearplot()")
    received = driver.execute_script("return window.agrepl.fieldsReceived || 0")
    text = typed(":load playground_circle")
    check("the circle lesson runs in the page (its accuracy printed)", "accuracy" in text.split(":load playground_circle")[-1],
          text[-400:])
    fields = driver.execute_script("return window.agrepl.fieldsReceived || 0") - received
    # the lesson's loop draws a boundary every 10 steps at pace(20); the page
    # gets one each time the figure is shown while the loop runs, and the last
    check("boundary() redraws live in the page while the lesson trains (fields sent during the loop, then the last)",
          fields >= 2, fields)
    drawn = ("var s = document.querySelector('#plot svg'); return s ? [s.querySelectorAll('image.field').length,"
             " s.querySelectorAll('g.points circle').length, s.querySelectorAll('g.colourbar rect').length,"
             " s.querySelectorAll('path.edge').length, s.querySelectorAll('image.unit').length,"
             " Array.prototype.map.call(s.querySelectorAll('g.legend'), function (g) { return g.textContent; }).join(' | ')] : null")
    settled(driver, drawn.replace("return s ?", "return s && s.querySelectorAll('image.unit').length === 10 &&"
                                  " s.querySelectorAll('g.points circle').length === 200 ?"))
    svg = driver.execute_script(drawn)
    check("the page draws the boundary's field, its 200 points, the colour bar, the 0.5-level curve and the legend",
          svg is not None and svg[0] == 1 and svg[1] == 200 and svg[2] >= 64 and svg[3] == 1 and
          "class 0" in svg[5] and "class 1" in svg[5], svg)
    check("the page draws every unit's map (2 inputs, 6 hidden, 2 outputs)", svg is not None and svg[4] == 10, svg)
    driver.save_screenshot(os.path.join(shots, "8-circle-boundary.png"))

    # the field's colours where the classes are: the inner disc (class 1,
    # blue) at the centre, the ring (class 0, orange) just outside the
    # ring's points (radius 1) on the diagonals; a point of each class in
    # its colour (its dot's centre)
    spots = [(0.0, 0.05), (-0.88, -0.88), (0.88, 0.88), (-0.88, 0.88), (0.88, -0.88)]
    # the page lays the panels out for its pane (here one a row, scrolled) and
    # a saved file three a row: the points' dots as drawn, moved to the file's map
    shown = driver.execute_script("return window.agrepl.figureAxes.map")
    dots = driver.execute_script(
        "var g = document.querySelectorAll('#plot svg g.points'), out = [];"
        "g.forEach(function (e) { var c = e.querySelector('circle');"
        " out.push([+e.getAttribute('data-class'), +c.getAttribute('cx'), +c.getAttribute('cy')]); }); return out;")
    saved_pixels(driver, [], lambda: driver.find_element("id", "plotpng").click())
    points = [driver.execute_script(TO_MAP, x, y) for x, y in spots]
    a = driver.execute_script("return window.agrepl.savedAxes.map")
    bar_x = a["x"] + a["w"] + 14 + 7
    points += [[bar_x, a["y"] + 8 + 3], [bar_x, a["y"] + a["h"] - 8 - 3]]
    # each dot's centre as data, from the pane's map, then where the file's map puts it
    points += [driver.execute_script(TO_MAP, shown["xr"][0] + (d[1] - shown["x"]) / shown["w"] * (shown["xr"][1] - shown["xr"][0]),
                                     shown["yr"][0] + (shown["y"] + shown["h"] - d[2]) / shown["h"] * (shown["yr"][1] - shown["yr"][0]))
               for d in dots]
    for name, how in (("the page's Save PNG button",
                       lambda: driver.find_element("id", "plotpng").click()),
                      ("savefig(\"circle.png\") in the page",
                       lambda: savefig_clicked(driver, typed, "circle.png"))):
        got = saved_pixels(driver, points, how, os.path.join(shots, "8-circle-figure.png"))
        ok = isinstance(got, list) and len(got) == len(points)
        check(name + ": the field is blue (class 1) at the centre", ok and blue(got[0]), got)
        check(name + ": the field is orange (class 0) outside the ring, on the four diagonals", ok and all(orange(c) for c in got[1:5]), got)
        check(name + ": the colour bar is blue at its top and orange at its bottom",
              ok and blue(got[5]) and orange(got[6]), got[5:7] if ok else got)
        colours = {0: (230, 159, 0), 1: (0, 114, 178)}
        check(name + ": each class's points are its colour (Okabe-Ito orange and blue)",
              ok and len(dots) == 2 and all(tuple(got[7 + i]) == colours[d[0]] for i, d in enumerate(dots)),
              (dots, got[7:] if ok else got))

    # a heat map of a 2x2 tensor shows its numbers; images() its grid
    typed("clearplot()")
    typed("heatmap([[1, 2], [3, 4]], \"w\")")
    typed("images([[0, 1, 1, 0], [1, 0, 0.5, 1]], shape=[2, 2])")
    settled(driver, "return document.querySelectorAll('#plot svg image.picture').length === 2")
    cells = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#plot svg text.cell'), function (t) {"
        " return t.textContent; })")
    check("a heat map of [[1, 2], [3, 4]] writes its four numbers in its cells", cells == ["1", "2", "3", "4"], cells)
    title = driver.execute_script("return document.querySelector('#plot svg').textContent")
    check("the heat map is titled with its name and shape, the images with their count",
          "w [2 2]" in title and "2 images, 2x2" in title, title[:300])
    saved_pixels(driver, [], lambda: driver.find_element("id", "plotpng").click())  # the file's layout, savedAxes
    h = driver.execute_script("return window.agrepl.savedAxes.heatmap")
    im = driver.execute_script("return window.agrepl.savedAxes.images")
    spots = [[h["x"] + h["cell"] * (c + 0.2), h["y"] + h["cell"] * (r + 0.2)] for r in range(2) for c in range(2)]
    spots += [[im["x"] + im["w"] * 0.25, im["y"] + im["h"] * 0.25], [im["x"] + im["w"] * 0.75, im["y"] + im["h"] * 0.25]]
    got = saved_pixels(driver, spots, lambda: savefig_clicked(driver, typed, "heat.png"),
                       os.path.join(shots, "9-heatmap-figure.png"))
    ok = isinstance(got, list) and len(got) == 6
    check("the heat map's cells go from pale to deep blue as 1, 2, 3, 4 (one sign: white to blue)",
          ok and all(blue(c) or c[2] > c[0] for c in got[:4]) and
          got[0][0] > got[1][0] > got[2][0] > got[3][0], got)
    check("the first image is black at 0 and white at 1", ok and max(got[4]) < 10 and min(got[5]) > 245, got)
    driver.save_screenshot(os.path.join(shots, "9-heatmap-images.png"))

    # a wide matrix of small weights: its colour bar's labels (the session's, viz/plot_maps_data.c)
    # write a negative number with a real minus sign, as the axes' ticks do
    typed("clearplot()")
    typed("heatmap(reshape(0.000219 * sin(1.7 * arange(24)), [2, 12]), \"small weights\")")
    settled(driver, "return document.querySelectorAll('#plot svg g.colourbar text').length === 3")
    labels = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#plot svg g.colourbar text'), function (t) {"
        " return t.textContent; })")
    check("a colour bar's labels write a negative number with a real minus sign (U+2212), as the axes' ticks do "
          "(\u22120.000219, not -0.000219)", "\u22120.000219" in labels and not any("-" in t for t in labels), labels)
    # its labels, and a small model's field's (-0.000254), measured: the bar's room grows so they end
    # 11 px inside their panel, as the terminal's end 14 units inside it (viz/plot_maps.c, bar_reach);
    # a fixed 70 px (a heat map's) and 64 px (a map's) cut the one and left the other at the edge
    typed("def tiny(a, b) = 0.000254 * (a - b) / 2")
    typed("boundary(tiny, [-1, 1], [-1, 1])")
    settled(driver, "return document.querySelectorAll('#plot svg g.colourbar').length === 2")
    ends = driver.execute_script(
        "var panels = window.agrepl.figureAxes.panels, out = [];"
        "document.querySelectorAll('#plot svg g.colourbar').forEach(function (g) {"
        "  var right = 0, texts = [], b = g.getBBox(), x = b.x + b.width / 2, y = b.y + b.height / 2;"
        "  g.querySelectorAll('text').forEach(function (t) { var c = t.getBBox();"
        "    right = Math.max(right, c.x + c.width); texts.push(t.textContent); });"
        "  var p = panels.filter(function (q) { return x >= q.x && x < q.x + q.w && y >= q.y && y < q.y + q.h; })[0];"
        "  out.push([p.kind, texts, p.x + p.w - right]); });"
        "return out")
    check("a colour bar's labels end at least 11 px inside their panel, as wide as they are (a wide matrix's "
          "\u22120.000219, a small model's field's \u22120.000254), as the terminal's end 14 units inside",
          sorted(e[0] for e in ends) == ["heatmap", "map"] and all(e[2] >= 11 - 0.5 for e in ends), ends)
    numbers_and_legends(driver, typed, shots)


def numbers_and_legends(driver, typed, shots):
    """A heat map's and a contour's negative numbers, a heat map's cells all or
    none, an 8-class boundary's legend under its frame (run's last part)."""
    # a heat map's cells and the level curves' caption: the session's strings
    # (plot_matrix_cell_text, plot_contour_caption) with a real minus sign, as the ticks'
    typed("clearplot()")
    typed("heatmap([[1, -2], [3, -0.5]], \"signs\")")
    typed("def plane(a, b) = a + b - 5")
    typed("contour(plane, [-1, 1], [-1, 1], levels=[-6, -5, -4])")
    settled(driver, "return document.querySelectorAll('#plot svg text.cell').length === 4 &&"
                    " document.querySelector('#plot svg text.caption')")
    words = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#plot svg text.cell, #plot svg text.caption'),"
        " function (t) { return t.textContent; })")
    check("a heat map's cells and the level curves' caption write negative numbers with a real minus sign "
          "(\u22122, \u22120.5, \u22126 to \u22124), as the ticks and colour bars do",
          words == ["3 levels, \u22126 to \u22124 (given)", "1", "\u22122", "3", "\u22120.5"], words)

    # all the cells' numbers or none, as the terminal (viz/plot_maps.c): a 3x10 matrix of whole
    # numbers shows its 30; one cell of -0.0012, too wide for its cell, and none show (the page
    # wrote the other 29, a hole where one was missing)
    typed("clearplot()")
    typed("w = reshape(arange(30), [3, 10])")
    typed("heatmap(w, \"whole\")")
    settled(driver, "return document.querySelectorAll('#plot svg text.cell').length === 30")
    whole = driver.execute_script("return document.querySelectorAll('#plot svg text.cell').length")
    typed("heatmap(w - 7.0012 * (w == 7), \"one wide\")")
    settled(driver, "return document.querySelector('#plot svg') &&"
                    " document.querySelector('#plot svg').textContent.indexOf('one wide') >= 0")
    wide = driver.execute_script("return document.querySelectorAll('#plot svg text.cell').length")
    check("a heat map writes all its cells' numbers or none: 30 of 30 whole numbers, 0 of 30 when one (\u22120.0012) "
          "does not fit its cell", whole == 30 and wide == 0, (whole, wide))

    # points without classes (scatter(x), no t): one grey, no legend, as the terminal's
    # (they were class 0's orange, with a "class 0" legend)
    typed("clearplot()")
    typed("scatter([[-1, -1], [1, 1], [1, -1]])")
    settled(driver, "return document.querySelectorAll('#plot svg g.points circle').length === 3")
    plain = driver.execute_script(
        "return [Array.prototype.map.call(document.querySelectorAll('#plot svg g.points'),"
        " function (g) { return g.getAttribute('fill'); }),"
        " document.querySelectorAll('#plot svg g.legend').length]")
    check("points without classes are one grey (#4d4d4d) with no legend", plain == [["#4d4d4d"], 0], plain)

    # an 8-class boundary beside a loss, its classes' long names: the legend fits neither
    # within the frame nor right of it (the frame would keep under two thirds of its
    # width), so it goes under the frame in columns, as the terminal's; it covered points
    typed("clearplot()")
    typed("x, t = gaussians(400, classes=8, std=0.6, seed=2)")
    typed("m = mlp([16, 8], activation=tanh, seed=1)")
    typed("opt = adam(m, lr=0.03)")
    typed("for step in range(60) { loss = cross_entropy(m(x), t); m.cleargrads(); loss.backward(); opt.step(); "
          "plot(loss, \"loss\") }")
    typed("boundary(m, [-3, 3], [-3, 3], x, t, names=[\"north east arm\", \"north arm\", \"north west arm\", "
          "\"west arm\", \"south west arm\", \"south arm\", \"south east arm\", \"east arm\"])")
    settled(driver, "return document.querySelectorAll('#plot svg g.points circle').length === 400")
    found = driver.execute_script(
        "var a = window.agrepl.figureAxes.map, box = null;"
        "document.querySelectorAll('#plot svg g.legend').forEach(function (g) {"
        "  if (g.textContent.indexOf('north arm') >= 0) { var r = g.querySelector('rect');"
        "    box = ['x', 'y', 'width', 'height'].map(function (k) { return +r.getAttribute(k); }); } });"
        "var touched = 0, inside = 0;"
        "document.querySelectorAll('#plot svg g.points circle').forEach(function (c) {"
        "  var x = +c.getAttribute('cx'), y = +c.getAttribute('cy'), r = +c.getAttribute('r');"
        "  if (x < a.x || x > a.x + a.w || y < a.y || y > a.y + a.h) return;"
        "  inside++;"
        "  if (!box) return;"
        "  var dx = Math.max(box[0] - x, x - box[0] - box[2], 0), dy = Math.max(box[1] - y, y - box[1] - box[3], 0);"
        "  if (dx * dx + dy * dy < r * r) touched++; });"
        "return [box, [a.x, a.y, a.w, a.h], inside, touched]")
    driver.execute_script("var p = document.getElementById('plot'); p.scrollTop = p.scrollHeight")
    driver.save_screenshot(os.path.join(shots, "10-eight-classes.png"))
    box, frame, inside, touched = found
    check("an 8-class boundary's legend with long names goes under the frame and covers none of its points",
          box is not None and inside > 350 and touched == 0 and box[1] > frame[1] + frame[3], found)

    # playground_xor's boundary: its points fill the four quadrants, so the only place along
    # the frame's edges that hid none was the bottom's middle, on the threshold line where
    # the two lower quadrants meet; the line counts as hidden (as viz/plot_maps.c's
    # plot_maps_edge_in), so the legend goes over the frame in one row, as the terminal's
    typed("clearplot()")
    typed("x, t = xor(200, seed=1)")
    typed("m = mlp([8, 4, 2], activation=tanh, seed=1)")
    typed("opt = adam(m, lr=0.05)")
    typed("for step in range(200) { loss = cross_entropy(m(x), t); m.cleargrads(); loss.backward(); opt.step(); "
          "plot(loss, \"loss\") }")
    typed("boundary(m, [-1.2, 1.2], [-1.2, 1.2], x, t)")
    settled(driver, "return document.querySelectorAll('#plot svg g.points circle').length === 200 &&"
                    " document.querySelector('#plot svg path.edge')")
    legends = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#plot svg g.legend'), function (g) {"
        "  return [g.getAttribute('class'), g.textContent]; })")
    check("playground_xor's legend goes over the frame in one row, not on the boundary's line between the points",
          any(c == "legend row" and "class 0" in t and "class 1" in t for c, t in legends) and
          not any(c == "legend" and "class 0" in t for c, t in legends), legends)

    # neurons() of a 30-unit layer: every map was under 10 px in the page (14 in the terminal);
    # a wide layer's maps go in columns, as the terminal's (viz/plot_maps_data.c, plot_unit_blocks)
    typed("clearplot()")
    typed("wide = mlp([30, 2], activation=tanh, seed=1)")
    typed("neurons(wide, [-1, 1], [-1, 1])")
    settled(driver, "return document.querySelectorAll('#plot svg image.unit').length === 34")
    sizes = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#plot svg image.unit'), function (i) {"
        "  return [+i.getAttribute('x'), +i.getAttribute('y'), +i.getAttribute('width')]; })")
    columns = len(set(round(x) for x, y, w in sizes[2:32]))
    check("neurons() of a 30-unit layer draws every map at least 24 px wide in the page, the layer's in columns "
          "(2 inputs, 30 hidden, 2 outputs)",
          len(sizes) == 34 and min(w for x, y, w in sizes) >= 24 and columns > 1, (columns, sizes[:3], sizes[-2:]))


# A figure of a loss, a network's units and a boundary: savefig's three panels
FIGURE = ["x, t = moons(100, noise=0.1, seed=1)", "sign = 2 * t - 1",
          "m = mlp([16, 16, 1], activation=tanh, seed=1)", "opt = adam(m, lr=0.02)",
          "title(\"moons: a 2-16-16-1 MLP learns the boundary\")",
          "for step in range(40) { loss = mean(relu(1 - sign * reshape(m(x), [100]))); m.cleargrads(); "
          "loss.backward(); opt.step(); plot(loss, \"loss\") }",
          "boundary(m, [-1.5, 2.5], [-1, 1.5], x, t)", "neurons(m, [-1.5, 2.5], [-1, 1.5])"]


def png_size(data):
    """(width, height) of PNG bytes, from their IHDR"""
    return (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) if data[:8] == b"\x89PNG\r\n\x1a\n" else None


def saved_bytes(driver, typed, name):
    """savefig(name) in the page, its link clicked: the bytes given"""
    driver.execute_script("window.agrepl.lastDownload = null")
    savefig_clicked(driver, typed, name)
    settled(driver, "return window.agrepl.lastDownload === %r" % name)
    got = driver.execute_async_script(
        "var done = arguments[0]; window.agrepl.lastDownloadBlob.arrayBuffer().then(function (b) {"
        " var u = new Uint8Array(b), s = ''; for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);"
        " done(btoa(s)); });")
    return base64.b64decode(got)


def savefig_as_terminal(driver, typed, shots, agrepl, tmp):
    """savefig in the page makes the terminal's figure: its pixel size, its
    panels' shares, and what it shows (no panel title the terminal has not,
    the legend naming the loss without a value); it was 3360x888 with the
    pane's 560 x 420 panels drawn twice over, a "boundary" title over the
    map and "loss 0.27" in the legend."""
    import subprocess
    typed("clearplot()")
    for line in FIGURE:
        typed(line)
    png = saved_bytes(driver, typed, "moons.png")
    with open(os.path.join(shots, "11-savefig-page.png"), "wb") as f:
        f.write(png)
    panels = driver.execute_script("return window.agrepl.savedAxes.panels.map(function (p) { return [p.kind, p.w]; })")
    svg = saved_bytes(driver, typed, "moons.svg").decode("utf-8", "replace")
    native = os.path.join(tmp, "savefig-terminal")
    os.makedirs(native, exist_ok=True)
    subprocess.run([agrepl, "--headless"], input="\n".join(FIGURE + ["savefig(\"moons.png\")"]) + "\n", text=True,
                   capture_output=True, cwd=native, env=dict(os.environ, HOME=native))
    with open(os.path.join(native, "moons.png"), "rb") as f:
        terminal = f.read()
    kept = os.path.join(shots, "11-savefig-terminal.png")
    with open(kept, "wb") as f:
        f.write(terminal)
    check("savefig(\"moons.png\") in the page is the terminal's size (a loss, the units and a boundary: 1860x600)",
          png_size(png) is not None and png_size(png) == png_size(terminal), (png_size(png), png_size(terminal)))
    kinds = [k for k, w in panels]
    widths = dict(panels)
    check("its panels are the terminal's: the loss, the units, the boundary's map half as wide again",
          kinds == ["series", "neurons", "map"] and abs(widths["map"] / widths["series"] - 1.5) < 0.01, panels)
    texts = re.findall(r">([^<>]+)</text>", svg)
    check("the saved figure has no panel title the terminal has not (\"boundary\") and its legend names the loss "
          "without a value, as the terminal's",
          "boundary" not in texts and "loss" in texts and not any(re.match(r"loss \S", t) for t in texts), texts[:40])
    # at :zoom 1.5 a file is the figure of :zoom 1 half as large again, as the terminal's (plot_figure_size)
    zoomed = ["clearplot()", ":zoom 1.5", "for i in range(20) { plot(1 / (i + 1), \"loss\") }"]
    for line in zoomed:
        typed(line)
    png = saved_bytes(driver, typed, "zoomed.png")
    typed(":zoom 1")
    subprocess.run([agrepl, "--headless"], input="\n".join(zoomed + ["savefig(\"zoomed.png\")"]) + "\n", text=True,
                   capture_output=True, cwd=native, env=dict(os.environ, HOME=native))
    with open(os.path.join(native, "zoomed.png"), "rb") as f:
        terminal = f.read()
    check("savefig at :zoom 1.5 in the page is the terminal's size (one panel: 1350x900)",
          png_size(png) is not None and png_size(png) == png_size(terminal), (png_size(png), png_size(terminal)))
