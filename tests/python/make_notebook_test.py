#!/usr/bin/python3
"""`make notebook` as a user runs it: Debian's jupyter-notebook on
127.0.0.1 with a token, a kernel started through its REST API.  The
kernel's connection file says ipc (Unix sockets), in a folder of mode 0700
that make made, the sockets themselves only the user's; with Jupyter's
default, TCP on 127.0.0.1, any local user could read every cell on the
iopub port.  When the server ends, the folder is gone.

usage: /usr/bin/python3 tests/python/make_notebook_test.py build/agrepl
"""
import glob
import json
import os
import stat
import subprocess
import sys
import time
import urllib.request

import checks
from checks import check, free_port

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/agrepl")
BUILD = os.path.dirname(AGREPL)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


# short: a Unix socket's path (this, the runtime folder, the kernel's id)
# must stay under 108 bytes
tmp = checks.temp_dir("agnb-")  # removed at the end, however it ends
port, token = free_port(), "agrepl-make-notebook-test"
env = dict(os.environ, HOME=tmp, TMPDIR=tmp, AGREPL_HEADLESS="1")
for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "DISPLAY"):
    env.pop(name, None)
log = open(os.path.join(tmp, "make.log"), "w")
make = subprocess.Popen(
    ["make", "--no-print-directory", "-C", ROOT, "notebook", "BUILD=" + BUILD,
     "NOTEBOOK_COPY=" + os.path.join(tmp, "notebooks"),
     "NOTEBOOK_ARGS=--no-browser --ip=127.0.0.1 --port=%d --port-retries=0 --NotebookApp.token=%s" % (port, token)],
    stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
try:
    base = "http://127.0.0.1:%d" % port
    deadline = time.time() + 300
    while make.poll() is None and time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/api/status?token=" + token, timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    serving = make.poll() is None and time.time() < deadline
    check("make notebook serves", serving, open(log.name).read())
    if not serving:
        raise SystemExit(checks.summary("make notebook tests"))
    request = urllib.request.Request(base + "/api/kernels?token=" + token, method="POST",
                                     data=json.dumps({"name": "agrepl"}).encode(),
                                     headers={"Content-Type": "application/json"})
    kernel = json.loads(urllib.request.urlopen(request, timeout=60).read())
    runtimes = glob.glob(os.path.join(tmp, "agrepl-kernels.*"))
    check("make notebook made one runtime folder for the kernels", len(runtimes) == 1,
          "%s\n%s" % (runtimes, open(log.name).read()))
    connection = {}
    files = glob.glob(os.path.join(tmp, "agrepl-kernels.*", "kernel-%s.json" % kernel["id"]))
    if files:
        with open(files[0]) as f:
            connection = json.load(f)
    check("the kernel's connection file is in it", len(files) == 1, files)
    check("the kernel's transport is ipc", connection.get("transport") == "ipc", connection)
    if runtimes:
        mode = stat.S_IMODE(os.stat(runtimes[0]).st_mode)  # (Jupyter adds the sticky bit)
        check("the runtime folder is the user's alone (0700)", mode & 0o777 == 0o700, oct(mode))
    sockets = []
    for _ in range(100):  # the kernel binds its sockets a moment after it starts
        sockets = [connection.get("ip", "") + "-%d" % connection[k]
                   for k in ("shell_port", "iopub_port", "control_port", "stdin_port", "hb_port")
                   if k in connection]
        if sockets and all(os.path.exists(s) for s in sockets):
            break
        time.sleep(0.1)
    modes = {s: oct(stat.S_IMODE(os.stat(s).st_mode)) for s in sockets if os.path.exists(s)}
    check("the kernel's five sockets are files no other user can open",
          len(modes) == 5 and all(stat.S_ISSOCK(os.stat(s).st_mode) and m == "0o700" for s, m in modes.items()),
          modes)
finally:
    # make, its shell, jupyter-notebook and the kernel; the server removes
    # the runtime folder on TERM (checked below), which may take a while
    checks.end_group(make, grace=20)
check("the runtime folder is removed when the server ends", glob.glob(os.path.join(tmp, "agrepl-kernels.*")) == [],
      open(log.name).read())
sys.exit(checks.summary("make notebook tests"))
