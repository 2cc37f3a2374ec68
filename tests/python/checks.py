"""checks.py — what the Python tests share (kernel_test.py, notebook_test.py,
classroom_test.py, browser_test.py, make_notebook_test.py, web_test.py,
numpy_files_test.py; temp_dir also safetensors_cnn.py, torch_weights_test.py,
torch_optim_test.py):
the pass/fail tally, a free port on 127.0.0.1 for a server a test starts,
starting it and waiting until it listens, headless Chromium and
chromedriver for Selenium (start_browser; also samples/pictures/web_page.py
and bench/web_print.py, web_bench.py), ending the process groups a test
starts, and its temporary directory, removed however the test ends.

    import checks
    from checks import check
    check("what is checked", condition, detail)   # prints ok: / FAIL
    ...
    sys.exit(checks.summary("kernel tests"))      # prints the counts

A failure prints its detail (str()), cut at detail_limit characters (None:
whole); a test sets checks.detail_limit for its own long details.

    server = subprocess.Popen([...], start_new_session=True)
    ...
    checks.end_group(server)   # TERM, then KILL what is left of its group

    tmp = checks.temp_dir("agrepl-x-test-")   # in $TMPDIR; gone at the end"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

passed = failed = 0
detail_limit = 2000


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print("ok: " + name)
    else:
        failed += 1
        text = str(detail)
        if detail_limit is not None:
            text = text[:detail_limit]
        print("FAIL " + name + (": " + text if detail else ""))
    sys.stdout.flush()


def summary(what, note=""):
    """Prints "WHAT: N passed, M failed[ NOTE]"; the exit status to give."""
    print("%s: %d passed, %d failed%s" % (what, passed, failed, note))
    return 1 if failed else 0


def end_group(process, grace=10):
    """Ends the process group a test started (Popen with
    start_new_session=True: the process and all it started): TERM, up to
    GRACE seconds for the process to end, then KILL what is left of the
    group.  None (nothing was started) does nothing."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def free_port():
    """A TCP port on 127.0.0.1 that no one listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_listening(argv, port, log_path, env, cwd=None):
    """Starts argv (a server) in a process group of its own (end_group ends
    it), its output in the file log_path, and waits until it accepts
    connections on 127.0.0.1:PORT, or has ended, or 1200 tries 0.1 s apart
    have failed; returns its Popen."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                   start_new_session=True)
    for _ in range(1200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    return process


def serve_folder(folder, log_path, env):
    """python3 -m http.server serving folder on a free port of 127.0.0.1,
    started by start_listening (its output in log_path); returns the
    process and the port."""
    port = free_port()
    return start_listening([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)], port,
                           log_path, env, cwd=folder), port


def start_browser(processes, tmp, env, size, extra=(), capabilities=None):
    """Headless Chromium at size (width, height) and chromedriver, each
    started by start_listening (its group added to processes as it starts,
    for the caller to end_group however it ends), both reached at 127.0.0.1
    only: Selenium's own Service and chromedriver's own Chromium would look
    up "localhost", which a machine without /etc/hosts (a bare Debian root)
    cannot resolve.  Chromium's profile is tmp/chromium; the logs are
    tmp/chromium.log and tmp/chromedriver.log; extra: more of Chromium's
    switches; capabilities: more of the session's.  Returns Selenium's
    driver, attached to that Chromium."""
    from selenium import webdriver
    browser_port, driver_port = free_port(), free_port()
    processes.append(start_listening(
        ["/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
         "--disable-background-networking", "--window-size=%d,%d" % size,
         "--user-data-dir=" + os.path.join(tmp, "chromium"), "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=%d" % browser_port] + list(extra) + ["about:blank"],
        browser_port, os.path.join(tmp, "chromium.log"), env))
    processes.append(start_listening(["/usr/bin/chromedriver", "--port=%d" % driver_port], driver_port,
                                     os.path.join(tmp, "chromedriver.log"), env))
    options = webdriver.ChromeOptions()
    options.debugger_address = "127.0.0.1:%d" % browser_port
    for key, value in (capabilities or {}).items():
        options.set_capability(key, value)
    return webdriver.Remote(command_executor="http://127.0.0.1:%d" % driver_port, options=options)


def temp_dir(prefix, keep=False, dir=None, own_tmpdir=False):
    """A new directory, tempfile.mkdtemp(prefix=PREFIX, dir=DIR) (DIR None:
    $TMPDIR, else /tmp), removed with all in it when the test ends, however
    it ends: at its sys.exit, an uncaught exception, Ctrl-C, or the TERM of
    a wrapping timeout (made an exit here, so the test's finally clauses run
    first).  KEEP true (a test's variable for debugging) keeps it and prints
    its path instead.  Functions the test registers with atexit afterwards
    (ending the processes that write in it) run before it is removed.
    OWN_TMPDIR: it is also the temporary folder of the test and of all it
    starts (tempfile's and $TMPDIR), so that what they make there (such as
    jupyter_client's connection files, tmp*.json, of a KernelManager that
    was not shut down) goes with it."""
    path = tempfile.mkdtemp(prefix=prefix, dir=dir)
    if own_tmpdir:
        os.environ["TMPDIR"] = tempfile.tempdir = path

    def remove():
        if keep:
            print("kept " + path)
        else:
            shutil.rmtree(path, ignore_errors=True)
    atexit.register(remove)
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return path
