"""web_cpu.py: CPU time for the web page's benchmarks (web_bench.py,
web_plot.py), from /proc: a headless Chromium's processes (started in a
session of their own), its Web Worker threads, and a command's children."""
import os
import resource
import subprocess


def session_pids(sid):
    """(pid, its /proc stat fields after the name) of every live process in
    session sid; fields[3] is field 6, the session id (fields[0] is field 3,
    the state)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            yield pid, fields


def session_cpu(sid):
    """CPU seconds (user + system) of every live process in session sid (the
    headless Chromium started in its own session: browser, renderer with the
    page and its worker, GPU and utility processes)."""
    total = sum(int(fields[11]) + int(fields[12]) for _, fields in session_pids(sid))  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def worker_cpu(sid):
    """CPU seconds of the page's Web Worker threads (Chromium names them
    DedicatedWorker): the session's WebAssembly itself, as the terminal's
    process is, without the page's drawing on its main thread."""
    total = 0
    for pid, _ in session_pids(sid):
        try:
            tids = os.listdir("/proc/%s/task" % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                with open("/proc/%s/task/%s/stat" % (pid, tid)) as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            if name.startswith("DedicatedWorker"):
                fields = stat.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_seconds(argv, stdin_text):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, input=stdin_text, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
