"""JupyterHub for a class on one machine: each student gets a JupyterLab that opens on notebook 00 of their
own copy of the workbook.

Start it from the repository with ``.venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` (as
root, so that it can start servers as the students' Unix accounts); ``deploy/jupyterhub/README.md`` says
how to add students. Environment variables change what a class never needs to change:

- ``MEDMETA_HUB_STATE``: folder for the hub's database, cookie secret and proxy pid file (default:
  ``deploy/jupyterhub/state``);
- ``MEDMETA_HUB_PORT``: the port the hub listens on at 127.0.0.1 (default 8000); put a TLS reverse proxy
  (nginx, Caddy) in front of it to serve a class over the network;
- ``MEDMETA_HUB_PROXY``: the ``configurable-http-proxy`` command (default: ``build/.hub-js``, where
  ``make hub-bench`` installs it from npm, else the one on ``PATH``);
- ``MEDMETA_HUB_TEST=1``: **tests only**: a dummy authenticator (any name, one shared password from
  ``MEDMETA_HUB_TEST_PASSWORD``, at least 8 characters), servers run as the hub's own user with homes
  under the state folder, and a ``loadtest`` service whose token is ``MEDMETA_HUB_TEST_TOKEN``. Never use
  it for a real class: it offers no isolation between students.
"""

import os
import pwd
import shutil
import sys
from pathlib import Path

from medmeta_lite.data import copy_notebooks

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
STATE = Path(os.environ.get("MEDMETA_HUB_STATE", HERE / "state"))
STATE.mkdir(parents=True, exist_ok=True)
TESTING = os.environ.get("MEDMETA_HUB_TEST") == "1"
# The notebooks students receive: the student versions of `make student` (build/student) for a graded
# course, or by default the workbook itself, solutions included.
HANDOUT = os.environ.get("MEDMETA_HUB_NOTEBOOKS") or None
WORKBOOK_FOLDER = "medmeta-notebooks"

# The hub, its proxy and every student server listen on loopback only.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("MEDMETA_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.Spawner.ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
local_proxy = REPOSITORY / "build" / ".hub-js" / "node_modules" / ".bin" / "configurable-http-proxy"
proxy = os.environ.get("MEDMETA_HUB_PROXY") or (str(local_proxy) if local_proxy.exists() else None)
if proxy or shutil.which("configurable-http-proxy"):
    c.ConfigurableHTTPProxy.command = [proxy or "configurable-http-proxy"]

# Each student's server runs the same Python as the hub (the workbook's .venv) and opens JupyterLab on
# notebook 00 of the student's own copy of the notebooks.
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = f"/lab/tree/{WORKBOOK_FOLDER}/00_start_here.ipynb"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Answer a start request at once and let the spawn go on (the page polls); waiting up to 10 s first made
# JupyterHub 6.1 fail the request with "Exception is not set" when a start took longer than that.
c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}
# The same quiet, reproducible TensorFlow as `make lab`; progress in each student's own home.
c.Spawner.environment = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONHASHSEED": "0",
    # One BLAS/OpenMP thread per kernel, not one per core: 20 kernels on 2 cores would oversubscribe them.
    "OMP_NUM_THREADS": "1",
}
# Kernels talk to their student's server over Unix sockets in the student's runtime folder, not over
# loopback TCP ports. No other account can connect to them, and servers that start kernels at the same
# moment cannot pick the same "free" port: with TCP, about one kernel in a few dozen started together died
# with "Address already in use" (jupyter_client finds free ports by binding and releasing them).
c.Spawner.args = ["--KernelManager.transport=ipc"]


def student_home(spawner) -> Path:
    """The home folder of the student a server is started for."""
    if hasattr(spawner, "home_dir"):  # SimpleLocalProcessSpawner (tests)
        return Path(spawner.home_dir)
    return Path(pwd.getpwnam(spawner.user.name).pw_dir)


def copy_workbook(spawner) -> None:
    """Give the student a copy of the notebooks before their server starts. A notebook already in the
    copy is never overwritten: it holds the student's answers."""
    home = student_home(spawner)
    copied, kept = copy_notebooks(home / WORKBOOK_FOLDER, HANDOUT)
    spawner.log.info("workbook for %s: %d notebook(s) copied, %d kept", spawner.user.name, len(copied),
                     len(kept))
    if os.geteuid() == 0 and not TESTING:  # the copy belongs to the student, not to root
        account = pwd.getpwnam(spawner.user.name)
        for path in [home / WORKBOOK_FOLDER, *copied]:
            os.chown(path, account.pw_uid, account.pw_gid)
    spawner.environment = {**spawner.environment, "MEDMETA_LITE_HOME": str(home / ".medmeta-lite")}
    if TESTING:
        # A socket path holds at most 107 bytes; the test homes lie deep in a temporary folder, so their
        # kernels' sockets go in a short folder of the hub's state instead.
        runtime = STATE / "run" / spawner.user.name
        runtime.mkdir(parents=True, exist_ok=True)
        spawner.environment["JUPYTER_RUNTIME_DIR"] = str(runtime)


c.Spawner.pre_spawn_hook = copy_workbook

if TESTING:
    # Any name signs in with one shared password (JupyterHub's successor of DummyAuthenticator).
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["MEDMETA_HUB_TEST_PASSWORD"]
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
    if os.geteuid() == 0:  # CI runs as root; the servers then run as root too (tests only)
        c.Spawner.args = [*c.Spawner.args, "--allow-root"]
    c.JupyterHub.services = [{"name": "loadtest", "api_token": os.environ["MEDMETA_HUB_TEST_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "loadtest", "services": ["loadtest"],
                                "scopes": ["admin:users", "admin:servers", "access:servers"]}]
    # Many students at once on one machine: allow every spawn to be pending together.
    c.JupyterHub.concurrent_spawn_limit = 0
else:
    # A class on one machine: each student is a Unix account (sudo adduser NAME) and signs in with its
    # password (PAM). The instructor is the admin; only listed students may sign in.
    c.JupyterHub.authenticator_class = "pam"
    c.JupyterHub.spawner_class = "localprocess"
    admins = [name for name in os.environ.get("MEDMETA_HUB_ADMINS", "").split(",") if name]
    students = [name for name in os.environ.get("MEDMETA_HUB_STUDENTS", "").split(",") if name]
    c.Authenticator.admin_users = set(admins)
    c.Authenticator.allowed_users = set(students) | set(admins)
