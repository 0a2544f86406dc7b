"""One run at a time per warehouse, whoever starts it: `boardpack run`, the nightly schedule, a
rerun from the Dagster UI.

DuckDB allows one writing process per database file, and two runs that took turns at it would
interleave their steps (one run's dbt build over the other's half-loaded tables). So every run
holds an exclusive lock on `<database>.lock` from its start to its end: the CLI takes it before
it starts the run, and a run launched by Dagster (daemon, UI) takes it when its resources are
set up (pipelines/resources.py). A second run waits, saying who holds the lock, or with
`--no-wait` stops at once.

The lock is `flock(2)` on a file beside the database: the kernel releases it when the holding
process ends, however it ends (kill -9 included), so a crash never leaves a stale lock behind.
flock locks belong to an open file description, so the same process taking the lock twice
through two `open()`s would wait for itself forever: the CLI's run executes in its own process,
so the lock is re-entrant within a process (a count per lock file), and only the first taker
opens the file.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

POLL_SECONDS = 1.0

_held: dict[Path, tuple[int, int]] = {}  # lock file -> (file descriptor, times taken)
_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse and the caller chose not to wait."""


def lock_path(database: Path) -> Path:
    database = Path(database).resolve()
    return database.with_name(database.name + ".lock")


def holder(path: Path) -> str:
    """Who holds the lock, as the holder wrote it: 'pid 123 on host, boardpack run --month
    2014-08, since 02:00:04'."""
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another run"
    since = str(info.get("since", ""))[11:19]
    return (
        f"{info.get('what', 'another run')} (pid {info.get('pid', '?')} on "
        f"{info.get('host', '?')}, since {since})"
    )


@contextmanager
def warehouse_lock(
    database: Path,
    what: str,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the warehouse's run lock for the block. ``what`` describes this run to anyone who
    has to wait for it. Waits (calling ``on_wait`` once with a message) while another process
    holds it, or raises WarehouseBusy when ``wait`` is false."""
    path = lock_path(database)
    with _guard:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            _release(path)
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        _acquire(fd, path, database, wait, on_wait)
        os.ftruncate(fd, 0)
        info = {
            "what": what,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now().isoformat(timespec="seconds"),
        }
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        with _guard:
            _held[path] = (fd, 1)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield path
    finally:
        _release(path)


def _acquire(fd: int, path: Path, database: Path, wait: bool, on_wait) -> None:
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            busy = f"the warehouse {database} is in use by {holder(path)}"
            if not wait:
                raise WarehouseBusy(busy) from None
            if not told and on_wait is not None:
                on_wait(f"Waiting: {busy}; this run starts when that one ends")
                told = True
            time.sleep(POLL_SECONDS)


def _release(path: Path) -> None:
    with _guard:
        fd, count = _held[path]
        if count > 1:
            _held[path] = (fd, count - 1)
            return
        del _held[path]
    os.close(fd)  # closing the only descriptor releases the flock
