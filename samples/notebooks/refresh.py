#!/usr/bin/python3
"""Runs every notebook here (or those named) in the agrepl kernel and writes
it back with its outputs, so GitHub and a teacher's first look show the
pictures and numbers: `make notebooks`.  tests/python/notebook_test.py fails when a
committed notebook's printed lines differ from a fresh run's.

usage: /usr/bin/python3 samples/notebooks/refresh.py build/agrepl [NAME.ipynb ...]
"""
import atexit
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import nbclient
import nbformat

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/agrepl")
HERE = os.path.dirname(os.path.abspath(__file__))
paths = [os.path.abspath(p) for p in sys.argv[2:]] or sorted(glob.glob(os.path.join(HERE, "*.ipynb")))

tmp = tempfile.mkdtemp(prefix="agrepl-notebooks-")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # at the end, however it ends
env_home = os.environ.get("HOME")
os.environ["HOME"] = tmp
r = subprocess.run([AGREPL, "--install-kernel", "--prefix", tmp], capture_output=True, text=True)
if r.returncode != 0:
    sys.exit("refresh: cannot install the kernelspec: " + r.stderr)
os.environ["JUPYTER_PATH"] = os.path.join(tmp, "share", "jupyter")
status = 0
for path in paths:
    nb = nbformat.read(path, as_version=4)
    try:
        # run where nothing is kept (a lesson that saves a file saves it here);
        # no timings in the cells' metadata, so a run again changes nothing else
        nbclient.NotebookClient(nb, timeout=600, kernel_name="agrepl", record_timing=False,
                                resources={"metadata": {"path": tmp}}).execute()
    except Exception as e:  # a failing cell: CellExecutionError names it
        print("refresh: %s: %s" % (os.path.basename(path), e), file=sys.stderr)
        status = 1
        continue
    nbformat.write(nb, path)
    print("refresh: %s (%d bytes)" % (os.path.relpath(path), os.path.getsize(path)))
sys.exit(status)
