#!/usr/bin/python3
"""The Jupyter kernel's memory over 10,000 executions in one kernel.

usage: /usr/bin/python3 bench/kernel_memory.py build/bench/agrepl [EXECUTIONS]

For each workload a fresh kernel (agrepl --kernel on a connection file of
ours, driven by Debian's jupyter_client) runs the same cell EXECUTIONS times
(default 10,000) after 200 to warm up, and the kernel's VmRSS is read from
/proc every tenth of the way.  Prints the samples, the growth from the first
to the last and the growth per execution over the second half (a least
squares slope), which is what a leak shows as: flat memory is a slope near
0 bytes per execution.

The kernel runs with transparent huge pages off (prctl PR_SET_THP_DISABLE,
which it inherits): the engine advises its arena MADV_HUGEPAGE, and the
first touch of a fresh 2 MiB of it then adds 2 MiB to VmRSS at once when
the system has a huge page free, which hides the bytes a leak would add.
"""
import atexit
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/bench/agrepl")
EXECUTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
WARM_UP = 200

WORKLOADS = [
    ("x = 1 (a statement the :save log keeps)", "x = 1", ""),
    (":reset then x = 1 (the log emptied each time)", ":reset\nx = 1", ""),
    ("1 (a value, the cell's result)", "1", ""),
    ("print(x)", "print(x)", "x = 1"),
    ("a graph and its backward", "y = sin(x) * x + x ^ 2\ny.backward()\ny", "x = 0.5"),
    (":reset then the graph (the log emptied each time)",
     ":reset\nx = 0.5\ny = sin(x) * x + x ^ 2\ny.backward()\ny", ""),
    ("an error (unknown name)", "sinn(1)", ""),
]


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def execute(client, code):
    msg_id = client.execute(code)
    while True:
        reply = client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    while True:  # the cell's iopub messages, up to its idle
        m = client.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" \
                and m["content"]["execution_state"] == "idle":
            return reply["content"]


def slope(points):
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


PR_SET_THP_DISABLE = 41
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
    print("note: could not turn transparent huge pages off; VmRSS may jump by 2 MiB")
tmp = tempfile.mkdtemp(prefix="agrepl-kernel-memory-")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # at the end, however it ends
print("agrepl kernel memory: %d executions of each cell in one kernel, VmRSS in KiB" % EXECUTIONS)
for name, cell, setup in WORKLOADS:
    connection_file = os.path.join(tmp, "kernel.json")
    write_connection_file(connection_file, ip="127.0.0.1", key=b"memory")
    process = subprocess.Popen([AGREPL, "--kernel", connection_file], stdout=subprocess.DEVNULL,
                               env=dict(os.environ, HOME=tmp, AGREPL_HEADLESS="1"))
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    if setup:
        assert execute(client, setup)["status"] == "ok", setup
    for _ in range(WARM_UP):
        execute(client, cell)
    samples = [(0, rss_kb(process.pid))]
    started = time.monotonic()
    step = EXECUTIONS // 10
    for i in range(1, EXECUTIONS + 1):
        execute(client, cell)
        if i % step == 0:
            samples.append((i, rss_kb(process.pid)))
    seconds = time.monotonic() - started
    client.shutdown()
    process.wait()
    client.stop_channels()
    half = [p for p in samples if p[0] >= EXECUTIONS // 2]
    print("%-46s %s" % (name, " ".join("%d" % kb for _, kb in samples)))
    print("%-46s %+d KiB first to last, %+.1f bytes per execution over the second half (%.1f s)"
          % ("", samples[-1][1] - samples[0][1], slope(half) * 1024, seconds))
    sys.stdout.flush()
