#!/usr/bin/python3
"""agrepl's Jupyter kernel against python3-ipykernel, side by side in one run
(`make bench-kernel`, not part of make test).

  start:      process start to the first kernel_info_reply (median of RUNS)
  round trip: execute_request of `1` to its execute_reply and idle (median of 300)
  Rosenbrock: bench/w1_rosenbrock.ag (10,000 steps) in one cell, against the
              same file run as a script by agrepl (median of 3 each)
  memory:     the kernel's VmRSS after 1,000 and after 10,000 executions

usage: /usr/bin/python3 bench/kernel_bench.py build/bench/agrepl
"""
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

AGREPL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/bench/agrepl")
HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = 7
tmp = tempfile.mkdtemp(prefix="agrepl-kernel-bench-")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # at the end, however it ends
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def start(command_of):
    cf = os.path.join(tmp, "k%d.json" % time.monotonic_ns())
    write_connection_file(cf, ip="127.0.0.1", key=b"bench")
    client = BlockingKernelClient(connection_file=cf)
    client.load_connection_file()
    client.start_channels()
    t0 = time.perf_counter()
    process = subprocess.Popen(command_of(cf), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:  # kernel_info until the first reply (the shell socket queues it once bound)
        client.kernel_info()
        try:
            reply = client.get_shell_msg(timeout=0.05)
        except Exception:
            continue
        if reply["msg_type"] == "kernel_info_reply":
            break
    return time.perf_counter() - t0, process, client


def execute(client, code):
    msg_id = client.execute(code)
    while True:
        reply = client.get_shell_msg(timeout=300)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    while True:  # its idle status: the output is all out
        try:
            m = client.get_iopub_msg(timeout=5)
        except Exception:  # iopub not subscribed yet after a start (ZeroMQ's slow joiner)
            return reply["content"]
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" \
                and m["content"]["execution_state"] == "idle":
            return reply["content"]


def stop(process, client):
    client.shutdown()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    client.stop_channels()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


kernels = {
    "agrepl": lambda cf: [AGREPL, "--kernel", cf],
    "ipykernel": lambda cf: ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", cf],
}
results = {}
for name, command_of in kernels.items():
    starts = []
    for _ in range(RUNS):
        seconds, process, client = start(command_of)
        starts.append(seconds)
        stop(process, client)
    seconds, process, client = start(command_of)
    time.sleep(0.5)  # iopub subscribed
    for _ in range(20):
        execute(client, "1")
    trips = []
    for _ in range(300):
        t0 = time.perf_counter()
        execute(client, "1")
        trips.append(time.perf_counter() - t0)
    results[name] = (statistics.median(starts), statistics.median(trips))
    if name == "agrepl":
        with open(os.path.join(HERE, "w1_rosenbrock.ag")) as f:
            w1 = f.read()
        cells = []
        for _ in range(3):
            t0 = time.perf_counter()
            reply = execute(client, w1)
            cells.append(time.perf_counter() - t0)
            assert reply["status"] == "ok", reply
        scripts = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([AGREPL, "--headless", os.path.join(HERE, "w1_rosenbrock.ag")], check=True,
                           stdout=subprocess.DEVNULL)
            scripts.append(time.perf_counter() - t0)
        for _ in range(1000):
            execute(client, "x = 1")
        after_1k = rss_kb(process.pid)
        for _ in range(9000):
            execute(client, "x = 1")
        after_10k = rss_kb(process.pid)
    stop(process, client)

(a_start, a_trip), (p_start, p_trip) = results["agrepl"], results["ipykernel"]
print("%-34s %12s %12s %8s %s" % ("", "agrepl", "ipykernel", "ratio", "target"))
print("%-34s %10.1f ms %10.1f ms %8.3f %s" % ("start to first kernel_info_reply", a_start * 1e3, p_start * 1e3,
                                             a_start / p_start, "<= 0.2"))
print("%-34s %10.3f ms %10.3f ms %8.3f %s" % ("round trip of executing 1", a_trip * 1e3, p_trip * 1e3,
                                             a_trip / p_trip, "<= 0.333"))
cell, script = statistics.median(cells), statistics.median(scripts)
print("Rosenbrock 10,000 steps: cell %.1f ms, script %.1f ms (with its start-up): cell/script %.3f (target <= 1.10)"
      % (cell * 1e3, script * 1e3, cell / script))
print("kernel memory: VmRSS %d KiB after 1,000 executions, %d KiB after 10,000 (+%d KiB)"
      % (after_1k, after_10k, after_10k - after_1k))
