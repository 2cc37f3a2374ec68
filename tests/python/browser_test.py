#!/usr/bin/python3
"""An agrepl notebook in a real browser: Debian's Jupyter Notebook serves
samples/notebooks/backprop_by_hand.ipynb (on 127.0.0.1, in a temporary
directory, with a token), headless Chromium (chromium-driver, Selenium) opens
it and runs its cells; the test then clicks a node of the inline graph and
checks that the inspector shows its gradient, adds a cell that draws a graph
with folded groups, opens one with a click and inspects a node inside it,
and folds it again.  At a 1280x720 viewport every inline graph,
:zoom 1.5's and those of rosenbrock_matyas and mlp_sine run whole, fits its
output's width, or (mlp_sine's folded graph, whose text would be under 12
px) opens inside its output zoomed to readable text on its output node,
saying how to see the rest, and fit then shows it whole; the inspector opens where it is seen; + zooms inside the
output.  Screenshots of each stage go to SHOTS_DIR.

usage: /usr/bin/python3 tests/python/browser_test.py build/agrepl SHOTS_DIR

Every process it starts (the notebook server, its kernels, chromedriver and
Chromium) runs in a process group of its own that the test ends, whatever
happens.  No display is needed.  Waits have no time bound of their own
except a hang guard (HANG_GUARD seconds) that only a stuck browser meets.
Prints "ok: ..." / "FAIL ..." lines and a summary; status 1 on a failure.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

import nbformat

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import checks
from checks import check, end_group, free_port

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/agrepl")
SHOTS = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "build/browser-test")
HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOK = os.path.join(HERE, "..", "..", "samples", "notebooks", "backprop_by_hand.ipynb")
HANG_GUARD = 600


tmp = checks.temp_dir("agrepl-browser-test-")  # removed at the end, however it ends
os.makedirs(SHOTS, exist_ok=True)
# TMPDIR: Chromium's own temporary files (its profile's SingletonSocket in an
# org.chromium.Chromium.* folder, left when it is ended) go with tmp
env = dict(os.environ, HOME=tmp, TMPDIR=tmp, JUPYTER_PATH=os.path.join(tmp, "share", "jupyter"),
           JUPYTER_CONFIG_DIR=os.path.join(tmp, "config"), JUPYTER_DATA_DIR=os.path.join(tmp, "data"),
           JUPYTER_RUNTIME_DIR=os.path.join(tmp, "runtime"), AGREPL_HEADLESS="1")
env.pop("DISPLAY", None)
r = subprocess.run([AGREPL, "--install-kernel", "--prefix", tmp], capture_output=True, text=True, env=env)
check("kernelspec installed for the run", r.returncode == 0, r.stderr)
notebooks = os.path.join(tmp, "notebooks")
os.makedirs(notebooks)
# without the outputs it is committed with: Run All's end is when every
# code cell has a prompt number again
# (and the lessons whose graphs were wider than a 1280-px page)
WIDE = ["rosenbrock_matyas.ipynb", "mlp_sine.ipynb"]
for source in [NOTEBOOK] + [os.path.join(os.path.dirname(NOTEBOOK), name) for name in WIDE]:
    clean = nbformat.read(source, as_version=4)
    for notebook_cell in clean.cells:
        if notebook_cell.cell_type == "code":
            notebook_cell.outputs, notebook_cell.execution_count = [], None
    nbformat.write(clean, os.path.join(notebooks, os.path.basename(source)))

port, token = free_port(), "agrepl-browser-test-token"
server_log = open(os.path.join(tmp, "server.log"), "w")
server = driver = None
browsers = []  # Chromium and chromedriver
try:
    server = subprocess.Popen(
        ["jupyter-notebook", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port, "--port-retries=0",
         "--notebook-dir=" + notebooks, "--NotebookApp.token=" + token]
        + (["--allow-root"] if os.getuid() == 0 else []),
        stdout=server_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = "http://127.0.0.1:%d" % port
    while True:  # until it answers (or is gone)
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(base + "/api/status?token=" + token, timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    check("jupyter-notebook serves on 127.0.0.1 with a token", server.poll() is None,
          open(server_log.name).read())
    if server.poll() is not None:
        raise SystemExit(1)
    spec = json.loads(urllib.request.urlopen(base + "/api/kernelspecs?token=" + token).read())
    check("the server finds the agrepl kernelspec", "agrepl" in spec["kernelspecs"], spec)

    # Chromium and chromedriver (checks.start_browser), its console's log kept
    driver = checks.start_browser(browsers, tmp, env, (1400, 1800), extra=["--enable-logging=stderr"],
                                  capabilities={"goog:loggingPrefs": {"browser": "ALL"}})
    wait = WebDriverWait(driver, HANG_GUARD, poll_frequency=0.2)
    driver.get(base + "/notebooks/backprop_by_hand.ipynb?token=" + token)
    wait.until(lambda d: d.execute_script(
        "return window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
        " && Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.info_reply"
        " && Jupyter.notebook.kernel.info_reply.implementation == 'agrepl'"))
    check("the notebook opens with the agrepl kernel connected", True)

    def run_all_done():
        return driver.execute_script(
            "return !Jupyter.notebook.kernel_busy && Jupyter.notebook.get_cells().every(function(c){"
            "return c.cell_type != 'code' || typeof c.input_prompt_number == 'number';})")

    # Cell > Run All, as a person does
    driver.find_element(By.LINK_TEXT, "Cell").click()
    driver.find_element(By.ID, "run_all_cells").click()
    wait.until(lambda d: run_all_done())
    driver.save_screenshot(os.path.join(SHOTS, "1-run-all.png"))
    outputs = driver.execute_script(
        "return Jupyter.notebook.get_cells().map(function(c){return c.element.find('.output_area').text();})")
    check("run all: x.grad is dy/dx = cos(0.25) * 2 * 0.5",
          any("0.9689124217106447" in o for o in outputs), outputs)
    check("run all: no cell failed", not any("Error" in o for o in outputs), outputs)
    graphs = driver.find_elements(By.CSS_SELECTOR, ".agrepl-graph svg g.node")
    check("show(y): the graph is inline as SVG with its nodes", len(graphs) >= 4, len(graphs))

    def node_named(graph, first_line):
        """The visible g.node whose inspector text starts with first_line."""
        name = driver.execute_script(
            "var g=arguments[0],f=arguments[1],views=g.querySelectorAll('.agrepl-view');"
            "for(var i=0;i<views.length;i++){if(views[i].style.display=='none')continue;"
            "var ps=views[i].querySelectorAll('pre[data-node]');"
            "for(var j=0;j<ps.length;j++)if(ps[j].textContent.split('\\n')[0].indexOf(f)==0)"
            "return [i,ps[j].getAttribute('data-node')];}return null;", graph, first_line)
        if name is None:
            return None
        views = graph.find_elements(By.CSS_SELECTOR, ".agrepl-view")
        for g in views[name[0]].find_elements(By.CSS_SELECTOR, "g.node"):
            if g.find_element(By.TAG_NAME, "title").get_attribute("textContent") == name[1]:
                return g
        return None

    def click(element):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        ActionChains(driver).move_to_element(element).click().perform()

    def shot(element, name):
        """A screenshot of element, scrolled to its top."""
        driver.execute_script("arguments[0].scrollIntoView(true);", element)
        element.screenshot(os.path.join(SHOTS, name))

    graph = driver.find_element(By.CSS_SELECTOR, ".agrepl-graph")
    inspector = graph.find_element(By.CSS_SELECTOR, ".agrepl-inspector")
    check("the inspector is closed before a click", not inspector.is_displayed())
    x_node = node_named(graph, "x")
    check("the graph has a node x", x_node is not None)
    if x_node is not None:
        click(x_node)
        wait.until(lambda d: inspector.is_displayed())
        text = inspector.text
        shot(graph, "2-inspect-x.png")
        # the page as a student sees it in a 1100 px window (make pictures
        # puts it in the README, which is shown about that wide)
        size = driver.get_window_size()
        driver.set_window_size(1100, 1000)
        driver.execute_script("arguments[0].scrollIntoView({block: 'end'});", graph)
        time.sleep(0.5)  # the notebook lays itself out again at the new width
        driver.save_screenshot(os.path.join(SHOTS, "2-page-inspect-x.png"))
        driver.set_window_size(size["width"], size["height"])
        check("click on x: the inspector shows its value and gradient",
              "value: 0.5" in text and "grad (.grad): 0.9689124217106447" in text, text)
        check("click on x: the chain rule's numbers of its use by the square",
              "× 1 = 0.9689124217106447" in text or "= 0.9689124217106447" in text.split("uses:")[-1], text)
    sin_node = node_named(graph, "Sin")
    if sin_node is not None:
        click(sin_node)
        wait.until(lambda d: inspector.text.startswith("Sin"))
        text = inspector.text
        check("click on sin: its rule and the chain rule's numbers",
              "rule:" in text and "cos" in text and "here:" in text, text)
    else:
        check("the graph has a node sin", False)

    # a graph with folded groups: a click opens one, a node in it inspects
    driver.execute_script(
        "var c=Jupyter.notebook.insert_cell_at_bottom('code');"
        "c.set_text('def sq(a) { return a * a + 1 }\\nx = 2.0\\ny = sq(x) * sq(x + 1)\\n"
        "y.backward()\\nshow(y, fold=true)');Jupyter.notebook.select(Jupyter.notebook.ncells()-1);"
        "c.execute();")
    wait.until(lambda d: run_all_done() and len(d.find_elements(By.CSS_SELECTOR, ".agrepl-graph")) == 2)
    graph = driver.find_elements(By.CSS_SELECTOR, ".agrepl-graph")[1]
    inspector = graph.find_element(By.CSS_SELECTOR, ".agrepl-inspector")

    def shown_key():
        return driver.execute_script(
            "var v=arguments[0].querySelectorAll('.agrepl-view');for(var i=0;i<v.length;i++)"
            "if(v[i].style.display!='none')return v[i].getAttribute('data-key');return null;", graph)

    check("fold=true: the graph shows its groups folded", shown_key() == "", shown_key())
    shot(graph, "3-folded.png")
    box = node_named(graph, "folded group 0: ")  # then its call or layer
    check("a folded group is a node", box is not None)
    if box is not None:
        click(box)
        wait.until(lambda d: shown_key() == "0")
        check("click on a folded group: the drawing with it open", True)
        mul = None
        for first in ("Mul", "Pow"):
            mul = mul or node_named(graph, first)
        inside = node_named(graph, "(Mul output)") or mul
        check("the open group's nodes are drawn", inside is not None)
        if inside is not None:
            click(inside)
            wait.until(lambda d: inspector.is_displayed())
            shot(graph, "4-group-open.png")
            check("a node inside the open group inspects with its gradient",
                  "grad" in inspector.text and ("here:" in inspector.text or "value: 4" in inspector.text),
                  inspector.text)
        frame = driver.execute_script(
            "var v=arguments[0].querySelectorAll('.agrepl-view');for(var i=0;i<v.length;i++)"
            "if(v[i].style.display!='none'){var cs=v[i].querySelectorAll('g.cluster');"
            "for(var j=0;j<cs.length;j++)if(cs[j].querySelector('title').textContent=='cluster_group0')"
            "return cs[j].querySelector('polygon,path');}return null;", graph)
        check("the open group has a frame", frame is not None)
        if frame is not None:
            driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", frame)
            wait.until(lambda d: shown_key() == "")
            check("click on the open group's frame folds it again", True)
    # a projector's page: a 1280x720 viewport, :zoom 1.5
    driver.set_window_size(1280, 720)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(1280 + 1280 - inner[0], 720 + 720 - inner[1])
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.execute_script(
        "var c=Jupyter.notebook.insert_cell_at_bottom('code');"
        "c.set_text(':zoom 1.5\\na = 2.0; b = 3.0; y3 = sin(a*b) + a\\ny3.backward()\\nshow(y3)');c.execute();")
    wait.until(lambda d: run_all_done() and len(d.find_elements(By.CSS_SELECTOR, ".agrepl-graph")) == 3)
    graph = driver.find_elements(By.CSS_SELECTOR, ".agrepl-graph")[2]
    fits_script = (
        "return [].slice.call(document.querySelectorAll('.agrepl-graph')).map(function(g){"
        "var p=[].slice.call(g.querySelectorAll('.agrepl-pane')).filter(function(p){return p.offsetParent;})[0],"
        "s=p.querySelector('svg'),o=g.closest('.output_subarea').getBoundingClientRect();"
        "return [p.scrollWidth-p.clientWidth,Math.round(s.getBoundingClientRect().right-o.right),"
        "Math.round(s.getBoundingClientRect().width)];})")
    fits = driver.execute_script(fits_script)
    check("at 1280x720 (viewport %dx%d) every inline graph fits its output's width, :zoom 1.5's too "
          "(no sideways scrolling, nothing past the output's edge)" % tuple(inner),
          all(f[0] <= 1 and f[1] <= 1 for f in fits), fits)
    b_node = node_named(graph, "b")
    if b_node is not None:
        click(b_node)
        inspector = graph.find_element(By.CSS_SELECTOR, ".agrepl-inspector")
        wait.until(lambda d: inspector.is_displayed())
        time.sleep(0.3)
        place = driver.execute_script(
            "var r=arguments[0].getBoundingClientRect(),n=arguments[1].getBoundingClientRect();"
            "return [arguments[2].getAttribute('data-inspector'),r.top,r.bottom,r.left,r.right,n.bottom,n.right,"
            "window.innerHeight,window.innerWidth];", inspector, b_node, graph)
        driver.save_screenshot(os.path.join(SHOTS, "5-1280x720-zoom15-inspect-b.png"))
        where, top, bottom, left, right, node_bottom, node_right, height, width = place
        seen = top >= 0 and top < height - 40 and right <= width and left >= 0
        placed = (where == "beside" and left >= node_right - 1) or (where == "under" and top >= node_bottom - 1)
        check("click on b at :zoom 1.5: the inspector opens where it is seen (%s the graph, top at %d of %d px)"
              % (where, top, height), seen and placed and inspector.text.startswith("b\n"), place)
    else:
        check("the :zoom 1.5 graph has a node b", False)
    zoom_in = graph.find_element(By.CSS_SELECTOR, ".agrepl-tools button[data-zoom='1.25']")
    fit = graph.find_element(By.CSS_SELECTOR, ".agrepl-tools button[data-zoom='fit']")
    pane_of = ("return [].slice.call(arguments[0].querySelectorAll('.agrepl-pane')).filter(function(p){"
               "return p.offsetParent;}).map(function(p){return [p.scrollWidth, p.clientWidth];})[0]")
    click(zoom_in)
    click(zoom_in)
    zoomed = driver.execute_script(pane_of, graph)
    driver.save_screenshot(os.path.join(SHOTS, "6-1280x720-zoomed-in.png"))
    click(fit)
    fitted = driver.execute_script(pane_of, graph)
    check("+ zooms the graph inside its output (it scrolls and pans there), fit fits it again",
          zoomed[0] > zoomed[1] * 1.3 and fitted[0] <= fitted[1] + 1, (zoomed, fitted))
    # a folded layer of a two-input model: a click opens it and the
    # inspector shows what leaves it with every unit's map over the plane
    driver.execute_script(
        "var c=Jupyter.notebook.insert_cell_at_bottom('code');"
        "c.set_text(':zoom 1\\nmx, mt = moons(40, noise=0.1, seed=1)\\nmm = mlp([4, 1], activation=tanh, seed=1)\\n"
        "ml = mean((mm(mx) - reshape(mt, [40, 1]))^2)\\nml.backward()\\nshow(ml, fold=true)');c.execute();")
    wait.until(lambda d: run_all_done() and len(d.find_elements(By.CSS_SELECTOR, ".agrepl-graph")) == 4)
    graph = driver.find_elements(By.CSS_SELECTOR, ".agrepl-graph")[3]
    inspector = graph.find_element(By.CSS_SELECTOR, ".agrepl-inspector")
    layer = None
    for group in (1, 0):  # the first layer, of 4 units, is the group further from the output
        box = node_named(graph, "folded group %d: " % group)
        if box is not None and driver.execute_script(
                "return !!arguments[0].querySelector('pre[data-group=\"%d\"] img.agrepl-maps')" % group, graph):
            layer = layer or box
    check("a folded layer of mlp([4, 1]) over moons carries its units' maps", layer is not None)
    if layer is not None:
        click(layer)
        wait.until(lambda d: inspector.is_displayed())
        time.sleep(0.3)
        maps = driver.execute_script(
            "var i=arguments[0].querySelector('img.agrepl-maps');"
            "return i?[i.naturalWidth,i.naturalHeight,Math.round(i.getBoundingClientRect().width)]:null;", inspector)
        shot(graph, "7-layer-maps.png")
        check("click on the folded layer: it opens and the inspector shows its output's value, gradient and "
              "units' maps (%s)" % (maps,), maps is not None and maps[0] > 0 and maps[2] >= 2 * maps[0] - 8
              and "its output: " in inspector.text and "value:" in inspector.text and "grad" in inspector.text,
              (maps, inspector.text[:300]))
    # per graph: how it opened (data-opened: "output" when zoomed to readable
    # text on it), whether the output's node is wholly inside the pane's
    # visible part, its smallest text in px, how far the pane reaches past
    # the output's right edge, and the tools' note
    opened_script = (
        "return [].slice.call(document.querySelectorAll('.agrepl-graph')).map(function(g){"
        "var p=[].slice.call(g.querySelectorAll('.agrepl-pane')).filter(function(p){return p.offsetParent;})[0],"
        "s=p.querySelector('svg'),o=g.closest('.output_subarea').getBoundingClientRect(),b=p.getBoundingClientRect(),"
        "out=g.querySelector('.agrepl-view:not([style*=\"none\"]) pre[data-output]'),seen=false,small=0;"
        "if(out)[].slice.call(p.querySelectorAll('g.node')).forEach(function(n){var t=n.querySelector('title');"
        "if(t&&t.textContent==out.getAttribute('data-node')){var r=n.getBoundingClientRect();"
        "seen=r.left>=b.left-1&&r.right<=b.right+1&&r.top>=b.top-1&&r.bottom<=b.bottom+1;}});"
        "[].slice.call(s.querySelectorAll('text')).forEach(function(t){"
        "var f=parseFloat(t.getAttribute('font-size'))*s.getBoundingClientRect().width/s.viewBox.baseVal.width;"
        "if(f>0&&(!small||f<small))small=f;});"
        "return [g.getAttribute('data-opened'),seen,small,Math.round(b.right-o.right),"
        "g.querySelector('.agrepl-tools').textContent];})")
    for name in WIDE:  # run whole at 1280x720: every graph within its output
        driver.get(base + "/notebooks/" + name + "?token=" + token)
        wait.until(lambda d: d.execute_script(
            "return window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
            " && Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.info_reply"))
        driver.execute_script("Jupyter.notebook.execute_all_cells();")
        wait.until(lambda d: run_all_done() and d.find_elements(By.CSS_SELECTOR, ".agrepl-graph"))
        graph = driver.find_elements(By.CSS_SELECTOR, ".agrepl-graph")[-1]
        driver.execute_script("arguments[0].scrollIntoView(true);", graph)
        driver.save_screenshot(os.path.join(SHOTS, "7-1280x720-%s.png" % name[:-6]))
        fits = driver.execute_script(fits_script)
        # each graph fits its output's width, or (text under 12 px at that
        # width) opens zoomed to readable text on its output inside a pane
        # within the output, the note saying how to see the rest
        opened = driver.execute_script(opened_script)
        check("%s at 1280x720: its graphs fit their outputs' width, or open inside them readable on their "
              "output" % name, fits and len(fits) == len(opened) and all(
                  (f[0] <= 1 and f[1] <= 1 and o[0] is None) or
                  (o[0] == "output" and o[1] and o[2] >= 11.9 and o[3] <= 1 and "drag to see the rest" in o[4])
                  for f, o in zip(fits, opened)), (fits, opened))
        if name == "mlp_sine.ipynb":  # its folded graph: text 10 px when fitted whole
            check("mlp_sine's folded graph opens on its output at readable text, with a note",
                  opened and opened[-1][0] == "output", opened)
            click(graph.find_element(By.CSS_SELECTOR, ".agrepl-tools button[data-zoom='fit']"))
            fits = driver.execute_script(fits_script)
            check("fit shows mlp_sine's folded graph whole within its output", fits[-1][0] <= 1 and fits[-1][1] <= 1,
                  fits)
    logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "agrepl" in e.get("message", "")]
    check("no script errors from the graph's script", not logs, logs)
finally:
    if driver is not None:
        try:
            driver.quit()
        except Exception as e:  # the browser is ended below either way
            print("note: quitting the browser: %s" % e)
    for p in browsers:
        end_group(p)
    end_group(server)
    server_log.close()

sys.exit(checks.summary("browser tests", " (screenshots in %s)" % SHOTS))
