# JupyterHub for a class learning backprop with agrepl: one server, one
# notebook server and one agrepl kernel per student.  For Debian's
# `jupyterhub` package (3.0); see README.md in this folder.
#
#   sudo jupyterhub -f /path/to/samples/classroom/jupyterhub_config.py
#
# Every student is a user of the machine (made by add_students.sh), logs in
# with that name and password, and gets:
#   - a notebook server running as that user (LocalProcessSpawner), rooted at
#     their home, which is theirs alone (mode 0700);
#   - the lessons, copied into ~/lessons the first time their server starts;
#   - the agrepl kernel and nothing else: no terminal, no Python kernel; the
#     kernelspec makes every agrepl kernel read and write files only inside
#     the student's home (`agrepl --install-kernel --files-in '~'`).
# The teacher (TEACHER below) is an admin: the hub's admin page lists the
# students, their servers, and can start, stop or open them.
import os
import pwd
import shutil

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

TEACHER = os.environ.get("AGREPL_TEACHER", "teacher")
# where `make install` put the lesson notebooks (PREFIX/share/agrepl/notebooks)
NOTEBOOKS = os.environ.get("AGREPL_NOTEBOOKS", "/usr/local/share/agrepl/notebooks")
CLASS_GROUP = os.environ.get("AGREPL_CLASS_GROUP", "students")

# ---- where the hub listens ---------------------------------------------------
# Every interface, port 8000.  On a school network put it behind HTTPS: either
# a certificate here (ssl_cert/ssl_key) or a reverse proxy (nginx, Caddy) in
# front that forwards to 127.0.0.1:8000.
c.JupyterHub.bind_url = "http://:8000"
# c.JupyterHub.ssl_cert = "/etc/letsencrypt/live/class.example.org/fullchain.pem"
# c.JupyterHub.ssl_key = "/etc/letsencrypt/live/class.example.org/privkey.pem"
c.JupyterHub.db_url = "sqlite:////var/lib/jupyterhub/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/var/lib/jupyterhub/jupyterhub_cookie_secret"

# The proxy in front of the hub is Debian's configurable-http-proxy, a
# Node.js program whose modules are in /usr/share/nodejs: Debian's own node
# finds them there, a Node.js from elsewhere (NodeSource) needs to be told.
os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")

# ---- who may log in ----------------------------------------------------------
# The machine's own accounts (PAM): the students made by add_students.sh and
# the teacher.  A school with central accounts swaps this for its LDAP or
# OAuth sign-in (the ldapauthenticator or oauthenticator packages from PyPI);
# nothing else in this file changes.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set()  # empty: everyone in the group below
c.PAMAuthenticator.allowed_groups = {CLASS_GROUP, TEACHER}
c.Authenticator.admin_users = {TEACHER}
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per student

# ---- each student's notebook server -------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # runs as the student's own user
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/tree/lessons"
c.Spawner.args = [
    "--NotebookApp.terminals_enabled=False",          # no shell for students
    "--KernelSpecManager.allowed_kernelspecs=agrepl",  # only the agrepl kernel
]
# A lesson's kernel is small (about 10 MB); these leave room for 50 students
# on a 4 GB machine.  Enforced by the spawners that can (containers, systemd).
c.Spawner.mem_limit = "256M"
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60


def student_home(spawner):
    """The student's home, and their uid and gid when the hub must hand
    files over to them (it runs as root); the test's spawner has its own."""
    home = getattr(spawner, "home_dir", None)
    if home:
        return home, None, None
    entry = pwd.getpwnam(spawner.user.name)
    return entry.pw_dir, entry.pw_uid, entry.pw_gid


def copy_lessons(spawner):
    """Copies the lesson notebooks into ~/lessons the first time a student's
    server starts; a student who comes back keeps their own copies."""
    home, uid, gid = student_home(spawner)
    lessons = os.path.join(home, "lessons")
    if os.path.exists(lessons):
        return
    os.makedirs(home, mode=0o700, exist_ok=True)
    os.makedirs(lessons, mode=0o755)
    for name in sorted(os.listdir(NOTEBOOKS)):
        if name.endswith(".ipynb"):
            shutil.copyfile(os.path.join(NOTEBOOKS, name), os.path.join(lessons, name))
    if uid is not None and os.getuid() == 0:  # the hub runs as root: hand them over
        for path in [lessons] + [os.path.join(lessons, n) for n in os.listdir(lessons)]:
            os.chown(path, uid, gid)


# Kernels talk to their notebook server over Unix sockets in ~/.kernels (a
# folder only the student can open), not over TCP ports on 127.0.0.1.  With
# TCP, a kernel's five ports are picked free by the server and bound by the
# kernel a moment later; with a class starting kernels at once, another
# connection can take one in between ("cannot bind the shell socket ...:
# Address already in use"), the restarts reuse the same ports, and after five
# the kernel is gone.  A Unix socket's path must stay under 108 bytes: it is
# the home, "/.kernels/", and 49 bytes of the kernel's id, so a home longer
# than about 48 bytes keeps TCP (the hub's log says so).
KERNEL_SOCKETS = ".kernels"
SOCKET_PATH_MAX = 107


def kernels_over_sockets(spawner):
    home, _, _ = student_home(spawner)
    runtime = os.path.join(home, KERNEL_SOCKETS)
    longest = os.path.join(runtime, "kernel-%s-ipc-99" % ("0" * 36))
    if len(longest.encode()) > SOCKET_PATH_MAX:
        spawner.log.warning("%s: home %s is too long for Unix sockets; kernels use TCP ports",
                            spawner.user.name, home)
        return
    spawner.environment = dict(spawner.environment, JUPYTER_RUNTIME_DIR=runtime)
    spawner.args = list(spawner.args) + ["--KernelManager.transport=ipc"]


# Each student's server on a port of its own, 20000 + the student's number in
# the hub: below Linux's ephemeral ports (32768 on), so no connection's
# randomly picked port can take it, and never shared.  With random ports, two
# of a class's servers starting at once could be handed the same one, and the
# hub then sent one student's requests to another's server.  (JupyterHub's
# single-user server never moves off the port it is given.)  Another hub on
# the same machine needs another range: AGREPL_FIRST_SERVER_PORT.
FIRST_SERVER_PORT = int(os.environ.get("AGREPL_FIRST_SERVER_PORT", "20000"))


def prepare_server(spawner):
    spawner.port = FIRST_SERVER_PORT + spawner.user.id
    kernels_over_sockets(spawner)
    copy_lessons(spawner)


c.Spawner.pre_spawn_hook = prepare_server
