#!/usr/bin/python3
"""Every sample notebook (samples/notebooks/*.ipynb), committed with its outputs, run in the agrepl kernel
with Debian's nbclient, then exported to HTML with nbconvert: no cell fails,
the numbers each lesson prints are the expected ones and those its committed
outputs show (make notebooks writes them), and the HTML a teacher
hands out holds the graph's SVG (with its inspector script) and the plots.

usage: /usr/bin/python3 tests/python/notebook_test.py build/agrepl
"""
import difflib
import glob
import os
import subprocess
import sys

import nbclient
import nbformat
from nbconvert import HTMLExporter

import checks
from checks import check

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/agrepl")
HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = os.path.join(HERE, "..", "..", "samples", "notebooks")

# What each lesson must print (exact lines of its output); the numbers are
# those of the .ag lessons and of upstream DeZero (Rosenbrock: 0.99449...).
EXPECTED = {
    "backprop_by_hand": ["variable(0.9689124217106447)", "dy/dx by hand: variable(0.9689124217106447)"],
    # (at the :digits 4 the lesson sets for a class; samples/rosenbrock.ag's
    # .expect checks upstream's every digit)
    "rosenbrock_matyas": ["gradient at the start: variable(-2) variable(400)",
                          "10000 x0(0.9945) x1(0.989)",
                          "gradient: variable(0.04) variable(0.04)",
                          "by hand: variable(0.04) variable(0.04)"],
    "optimizer_race": ["momentum beats adam: true", "adam beats sgd: true"],
    "mlp_sine": ["final loss below 0.1: true"],
    "lstm_sine": ["LSTM beats repeating the last value: true"],
    "accumulation": ["after one backward: variable(6)", "after a second backward, nothing cleared: variable(12)",
                     "cleared, then backward: variable(6)", "sgd with reset_grad, after 30 steps: w(0.003714)"],
    "moons_svm": ["step 99 loss 0.0193 accuracy 100 %", "training accuracy 100 %: true"],
    "spiral": ["accuracy above 95 %: true"],
    "moons": ["accuracy variable(1)"],
    "playground": ["accuracy variable(1)", "accuracy variable(0.995)", "accuracy variable(0.9933)"],
    "lstm_guide": ["loss below 0.01: true"],
    "iris_csv": ["train: [120 4] test: [30 4]", "test accuracy at least 90 %: true"],
    "digits": ["mlp test accuracy 0.9764", "cnn test accuracy 0.9731",
               "feature maps of a 7 (the first test image): [1 8 8 8]", "right answers 289 of 297"],
}
# The one notebook whose point is a gradient summed over backward calls.
SUMS_ON_PURPOSE = {"accumulation"}


def printed(nb):
    """The lines a notebook's cells printed (streams and results' text)."""
    lines = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                lines += out.text.splitlines()
            elif out.output_type == "execute_result":
                lines += out.data["text/plain"].splitlines()
    return lines



# removed at the end, however it ends; the TMPDIR of all the test starts
# (nbclient's KernelManager writes its connection file there)
tmp = checks.temp_dir("agrepl-notebook-test-", own_tmpdir=True)
os.environ["HOME"] = tmp
r = subprocess.run([AGREPL, "--install-kernel", "--prefix", tmp], capture_output=True, text=True)
check("kernelspec installed for the run", r.returncode == 0, r.stderr)
os.environ["JUPYTER_PATH"] = os.path.join(tmp, "share", "jupyter")
os.chdir(tmp)  # a lesson that saved a file would do it here

paths = sorted(glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
check("the sample notebooks", sorted(os.path.basename(p)[:-6] for p in paths) == sorted(EXPECTED),
      [os.path.basename(p) for p in paths])
for path in paths:
    name = os.path.basename(path)[:-6]
    nb = nbformat.read(path, as_version=4)
    committed = printed(nb)
    check(name + ": committed with its outputs (make notebooks)",
          all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
          and any(c.get("outputs") for c in nb.cells))
    check(name + ": kernelspec agrepl", nb.metadata.get("kernelspec", {}).get("name") == "agrepl")
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="agrepl").execute()
        check(name + ": every cell runs", True)
    except Exception as e:  # a failing cell: CellExecutionError names it
        check(name + ": every cell runs", False, e)
        continue
    lines = []
    svg_shown = png_plots = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                lines += out.text.splitlines()
            elif out.output_type == "execute_result":
                lines += out.data["text/plain"].splitlines()
            elif out.output_type == "display_data":
                svg_shown += "<svg" in out.data.get("text/html", "")
                png_plots += "text/html" not in out.data and "image/png" in out.data
    summed = [line for line in lines if "up the gradients of" in line]
    if name not in SUMS_ON_PURPOSE:
        check(name + ": no note about a gradient summed over backward calls", not summed, "\n".join(summed))
    check(name + ": the committed outputs print what a fresh run prints (else: make notebooks)",
          committed == printed(nb),
          "\n".join(difflib.unified_diff(committed, printed(nb), "committed", "fresh", lineterm="")))
    for want in EXPECTED.get(name, []):
        check("%s prints %r" % (name, want), want in lines, "\n".join(lines))
    check(name + ": show() displays its graph inline", svg_shown >= 1)
    if name != "backprop_by_hand":
        check(name + ": its plot is shown inline", png_plots >= 1)
    html, _ = HTMLExporter().from_notebook_node(nb)
    with open(os.path.join(tmp, name + ".html"), "w") as f:
        f.write(html)
    check(name + ": the HTML export holds the graph's SVG and the inspector script",
          "<svg" in html and 'class="node"' in html and "agrepl-inspector" in html)
    if name != "backprop_by_hand":
        check(name + ": the HTML export holds the plot as PNG", "data:image/png;base64," in html)

sys.exit(checks.summary("notebook tests"))
