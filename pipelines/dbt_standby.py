"""dbt, imported once per run and ready before the run's dbt steps start.

A dbt step spent 3.8 s between dagster-dbt starting `boardpack-dbt` and dbt's first log line
(measured on the demo, both steps of a run alike): Python importing dbt-core (about 3 s,
mostly its artifact classes' serialisers, built as each class is defined) and DuckDB's
adapter. A run has two dbt steps, and its first seconds are single-threaded Python (Dagster
loading the job), leaving the machine's other core idle.

So `boardpack run` starts a standby process as it begins (`DbtStandby`): it imports dbt and
the adapter while Dagster loads, then waits on a Unix socket in a private folder (mode 0700).
`boardpack-dbt`, started by dagster-dbt as before, finds the socket (STANDBY_VARIABLE), hands
over its arguments, environment, working folder and its own standard input, output and error
(the file descriptors themselves, SCM_RIGHTS), and waits for the exit status. The standby
forks; the child, already holding dbt, runs the command exactly as `boardpack-dbt` would
(pipelines/dbt_child.py) and reports its status. Each dbt step gets a fresh fork of the same
imported state, as a fresh process would: dbt's per-invocation state starts empty in each.

dbt's output reaches dagster-dbt through the same pipe it reads, since the child writes to the
very descriptors `boardpack-dbt` was given. What `boardpack-dbt` guarantees holds as before:

* a kill -9 of the run kills the standby, which kills its child (PR_SET_PDEATHSIG at each
  link), so nothing writes the warehouse after its run is gone;
* dagster-dbt's interrupt (SIGINT) and a SIGTERM reach the child, forwarded by
  `boardpack-dbt`; if `boardpack-dbt` itself is killed, the child sees the socket close and
  ends at once.

A run killed with kill -9 leaves its standby's folder behind (empty but for the socket); the
folder is named by the run's pid, and the next run removes those whose process is gone.

With no standby (the Dagster UI's runs, dbt run by hand, a standby that failed to start),
`boardpack-dbt` runs dbt in its own process, as it always did.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading

from pipelines.dbt_child import PARENT_ENV, die_with_parent, tie_to_parent

# The standby's socket, for the `boardpack-dbt` the run starts (set by DbtStandby).
STANDBY_VARIABLE = "BOARDPACK_DBT_STANDBY"
# The standby's private folder, in the system's temporary folder: this prefix, the run's pid.
FOLDER_PREFIX = "boardpack-dbt-"
_LENGTH = struct.Struct("!I")  # the request's length, then the request (JSON)
_NUMBER = struct.Struct("!q")  # the child's pid, then its exit status
_MAX_REQUEST = 16 * 2**20
STARTING_TIMEOUT_S = 120.0


class DbtStandby:
    """A dbt standby for the dbt steps this process runs (see the module's docstring), from
    `with` until stop(): the run stops it once its last dbt step has ended, which gives back
    its memory (130 MB) before the pack's browser needs it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._folder = ""
        self._before: str | None = None

    def __enter__(self) -> DbtStandby:
        with contextlib.suppress(Exception):  # tidying up: never a reason for a run to fail
            sweep_abandoned_folders()
        # mode 0700: this user's alone; named by this process, for a later run to sweep up
        self._folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        path = os.path.join(self._folder, "dbt.sock")
        # Listening before the standby starts: a boardpack-dbt that comes while it is still
        # importing dbt waits in the queue; one that comes after it died is refused, and runs
        # dbt itself. The standby holds the only copy of the socket.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(path)
            listener.listen(8)
            try:
                self._process = subprocess.Popen(
                    # -P: not the working folder first on its path (it may hold another
                    # `pipelines`)
                    [
                        sys.executable,
                        "-P",
                        "-m",
                        "pipelines.dbt_standby",
                        str(listener.fileno()),
                        _kept_parse(),
                    ],
                    pass_fds=[listener.fileno()],
                    env={**os.environ, PARENT_ENV: str(os.getpid())},
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,  # a standby that fails leaves dbt to boardpack-dbt
                )
            except OSError:
                shutil.rmtree(self._folder, ignore_errors=True)
                return self
        self._before = os.environ.get(STANDBY_VARIABLE)
        os.environ[STANDBY_VARIABLE] = path
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the standby (a dbt it is running is stopped with it) and remove its socket."""
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            if self._before is None:
                os.environ.pop(STANDBY_VARIABLE, None)
            else:
                os.environ[STANDBY_VARIABLE] = self._before
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(self._folder, ignore_errors=True)


def sweep_abandoned_folders(root: str | None = None) -> list[str]:
    """Remove the socket folders left by runs killed outright (kill -9 leaves a run no time to
    remove its own): this user's, named by a process that no longer runs. The folders in
    `root` (the system's temporary folder by default) that were removed."""
    root = root or tempfile.gettempdir()
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            found = re.fullmatch(rf"{FOLDER_PREFIX}(\d+)-\w+", entry.name)
            if not found or not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                    continue
                if _runs(int(found[1])):
                    continue
                shutil.rmtree(entry.path)
                removed.append(entry.path)
    return removed


def _runs(pid: int) -> bool:
    """Whether a process with this pid runs (or the number is no pid: leave its folder be)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # another user's, or no pid at all
        return True
    return True


def _kept_parse() -> str:
    """dbt's parsed project as the dbt steps keep it between runs (pipelines/assets/dbt.py)."""
    from pipelines.plain_settings import PARTIAL_PARSE, dbt_target_dir

    return str(dbt_target_dir() / PARTIAL_PARSE)


# -- boardpack-dbt's side ---------------------------------------------------------------------


def hand_over(args: list[str]) -> int | None:
    """Run dbt with these arguments in the run's standby: its exit status, or None when there is
    no standby to take it (then the caller runs dbt itself)."""
    path = os.environ.get(STANDBY_VARIABLE, "")
    if not path:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # the standby answers once it has imported dbt (seconds); one that hangs is passed over
    connection.settimeout(STARTING_TIMEOUT_S)
    try:
        connection.connect(path)
        request = json.dumps(
            {"args": args, "environment": dict(os.environ), "folder": os.getcwd()}
        ).encode()
        socket.send_fds(connection, [_LENGTH.pack(len(request)) + request], [0, 1, 2])
        started = _receive(connection, _NUMBER.size)
    except OSError:
        started = b""
    if len(started) < _NUMBER.size:  # nothing ran: the standby is gone or never came up
        connection.close()
        return None
    (child,) = _NUMBER.unpack(started)
    connection.settimeout(None)  # dbt itself takes as long as it takes

    def forward(number: int, _frame) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, number)

    forwarded = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    handlers = {number: signal.signal(number, forward) for number in forwarded}
    try:
        status = _receive(connection, _NUMBER.size)
    finally:
        connection.close()
        for number, handler in handlers.items():
            signal.signal(number, handler)
    if len(status) < _NUMBER.size:
        print("boardpack-dbt: dbt's process ended without an exit status", file=sys.stderr)
        return 1
    return _NUMBER.unpack(status)[0]


def _receive(connection: socket.socket, size: int) -> bytes:
    """Exactly `size` bytes, or fewer if the other end closed first."""
    data = b""
    while len(data) < size:
        try:
            chunk = connection.recv(size - len(data))
        except InterruptedError:
            continue
        if not chunk:
            break
        data += chunk
    return data


# -- the standby ------------------------------------------------------------------------------


def serve(listening: int, kept_parse: str = "") -> None:
    """Import dbt, then fork a child per request on the socket the run listens on for it
    (`listening`, a file descriptor), until the run stops this process or dies."""
    die_with_parent()
    listener = socket.socket(fileno=listening)
    _import_dbt(kept_parse)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    standby = os.getpid()
    while True:
        connection, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _child(connection, standby)  # never returns
        connection.close()


def _import_dbt(kept_parse: str = "") -> None:
    """What every dbt step imports before its first log line (with dbt_child's patch to it) and
    compiles before its first node: see _compile_ahead()."""
    import gc

    from pipelines.dbt_child import parse_across_warehouses

    parse_across_warehouses()
    import dbt.adapters.duckdb  # noqa: F401 - the adapter dbt registers first thing
    import dbt.cli.main  # noqa: F401

    # ahead of time only: whatever this leaves, each step compiles as it always did
    with contextlib.suppress(Exception):
        _compile_ahead(kept_parse)
    gc.collect()
    gc.freeze()  # every fork starts with these spared by its collector (pipelines/collector.py)


# The classes whose JSON schema dbt builds to validate the project, the profile and the
# selectors at every start (0.26 s; dbt caches each once built).
_VALIDATED = {
    "dbt.contracts.project": (
        "ProjectFlags",
        "ProfileConfig",
        "Project",
        "PackageConfig",
        "Configuration",
    ),
    "dbt.contracts.selection": ("SelectorFile",),
    "dbt.adapters.duckdb.credentials": ("DuckDBCredentials",),
}


def _compile_ahead(kept_parse: str) -> None:
    """Have mashumaro (dbt's serialisation library) build, once for every fork, the code it
    otherwise builds in each dbt step on first use ("lazy compilation"): each artifact class's
    reader and writer, and the JSON schemas dbt validates its configuration with. A dbt step
    read its kept parse and wrote its manifest 0.9 s faster with these built (the demo's views
    step, 3.9 -> 3.0 s). Done by reading the kept parse (target/partial_parse.msgpack) and
    writing every node as its manifest entry, in memory; nothing is written anywhere."""
    import importlib

    for module_name, names in _VALIDATED.items():
        module = importlib.import_module(module_name)
        for name in names:
            getattr(module, name).json_schema()
    if not kept_parse or not os.path.isfile(kept_parse):
        return
    from dbt.contracts.graph.manifest import Manifest

    with open(kept_parse, "rb") as handle:
        manifest = Manifest.from_msgpack(handle.read())
    for nodes in (
        manifest.nodes,
        manifest.sources,
        manifest.macros,
        manifest.docs,
        manifest.exposures,
        manifest.functions,
        manifest.metrics,
        manifest.groups,
        manifest.semantic_models,
        manifest.unit_tests,
        manifest.saved_queries,
    ):
        for node in nodes.values():
            node.to_resource().to_dict(omit_none=False, context={"artifact": True})
    manifest.metadata.to_dict(omit_none=False, context={"artifact": True})


def _child(connection: socket.socket, standby: int) -> None:
    from pipelines.dbt_child import run_dbt

    tie_to_parent(standby)  # dies with the standby, which dies with the run
    try:
        request, descriptors = _request(connection)
    except (OSError, ValueError):
        os._exit(1)  # boardpack-dbt saw no pid: it runs dbt itself
    for target, descriptor in enumerate(descriptors[:3]):
        os.dup2(descriptor, target)
    for descriptor in descriptors:
        os.close(descriptor)
    os.chdir(request["folder"])
    os.environ.clear()
    os.environ.update(request["environment"])
    done = threading.Event()

    def watch() -> None:  # boardpack-dbt killed: nobody waits for this dbt, so it stops
        with contextlib.suppress(OSError):
            connection.recv(1)
        if not done.is_set():
            os._exit(1)

    connection.sendall(_NUMBER.pack(os.getpid()))
    threading.Thread(target=watch, daemon=True).start()
    try:
        run_dbt(list(request["args"]))
        status = 0
    except SystemExit as ended:
        status = ended.code
    except BaseException:  # noqa: BLE001 - reported to dagster-dbt as dbt's own error would be
        import traceback

        traceback.print_exc()
        status = 1
    code = status if isinstance(status, int) else (0 if status is None else 1)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    done.set()
    with contextlib.suppress(OSError):
        connection.sendall(_NUMBER.pack(code))
    sys.exit(code)


def _request(connection: socket.socket) -> tuple[dict, list[int]]:
    first, descriptors, _flags, _address = socket.recv_fds(connection, 65536, 3)
    if len(first) < _LENGTH.size or len(descriptors) != 3:
        raise ValueError("not a boardpack-dbt request")
    (length,) = _LENGTH.unpack(first[: _LENGTH.size])
    if length > _MAX_REQUEST:
        raise ValueError("request too long")
    body = first[_LENGTH.size :]
    if len(body) < length:
        body += _receive(connection, length - len(body))
    return json.loads(body), descriptors


if __name__ == "__main__":
    serve(int(sys.argv[1]), *sys.argv[2:3])
