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
    "--NotebookApp.port_retries=0",  # never another port than the one the hub routes to
]
# A lesson's kernel is small (about 10 MB); these leave room for 50 students
# on a 4 GB machine.  Enforced by the spawners that can (containers, systemd).
c.Spawner.mem_limit = "256M"
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60


def copy_lessons(spawner):
    """Copies the lesson notebooks into ~/lessons the first time a student's
    server starts; a student who comes back keeps their own copies."""
    home = getattr(spawner, "home_dir", None)  # the test's spawner has its own
    uid = gid = None
    if not home:
        entry = pwd.getpwnam(spawner.user.name)
        home, uid, gid = entry.pw_dir, entry.pw_uid, entry.pw_gid
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


# Each student's server on a port of its own, 20000 + the student's number in
# the hub: below Linux's ephemeral ports (32768 on), so no kernel's randomly
# picked port can take it, and never shared.  With random ports, two of a
# class's servers starting at once could be handed the same one; the server
# that lost moved to the next port, which could be a classmate's, and the
# hub then sent one student's requests to another's server.
FIRST_SERVER_PORT = 20000


def prepare_server(spawner):
    spawner.port = FIRST_SERVER_PORT + spawner.user.id
    copy_lessons(spawner)


c.Spawner.pre_spawn_hook = prepare_server
