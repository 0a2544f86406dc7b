"""One run at a time per warehouse, from every entry point (issue 11): `boardpack run` waits
for a run Dagster started (or stops at once with --no-wait), a Dagster run waits for
`boardpack run`, and the process that holds the lock can take it again without waiting for
itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
from pipeline_helpers import pipeline_environment

from pipelines.resources import Warehouse
from pipelines.settings import Settings
from pipelines.warehouse_lock import lock_path, warehouse_lock

BOARDPACK = Path(sys.executable).parent / "boardpack"

# A Dagster run (as the daemon or the UI would launch it) that holds the warehouse for a while.
DAGSTER_HOLDER = """
import sys, time
import dagster as dg
from pipelines.resources import Warehouse
from pipelines.settings import Settings

@dg.asset
def slow(warehouse: Warehouse):
    print("holding", flush=True)
    time.sleep(120)

dg.materialize([slow], resources={"warehouse": Warehouse(settings=Settings(db=sys.argv[1]))})
"""
# Anything else that holds it (here: the lock alone, as `boardpack run` takes it).
PLAIN_HOLDER = """
import sys, time
from pathlib import Path
from pipelines.warehouse_lock import warehouse_lock

with warehouse_lock(Path(sys.argv[1]), "boardpack run --month 2014-08"):
    print("holding", flush=True)
    time.sleep(120)
"""


def hold(script: str, database: Path) -> subprocess.Popen:
    env = {**os.environ}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(database)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    line = proc.stdout.readline()  # blocks until the holder holds the lock
    assert line.strip() == "holding", "the holder never took the lock"
    return proc


def release(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)  # waits, and closes its pipes


def test_the_same_process_can_take_the_lock_again(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    done = threading.Event()

    def nested():
        with warehouse_lock(database, "outer"), warehouse_lock(database, "inner"):
            done.set()

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done.is_set(), "the lock waited for itself"
    # released: another process can take it at once
    probe = subprocess.run(
        [sys.executable, "-c", PLAIN_HOLDER.replace("time.sleep(120)", "pass"), str(database)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "holding"


def test_no_wait_refuses_at_once_when_held(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    with warehouse_lock(database, "boardpack run --month 2014-07"):
        holder = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; "
                "from pipelines.warehouse_lock import warehouse_lock\n"
                "with warehouse_lock(Path(sys.argv[1]), 'x', wait=False): pass",
                str(database),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert holder.returncode != 0
    assert "WarehouseBusy" in holder.stderr
    assert "in use by boardpack run --month 2014-07 (pid" in holder.stderr
    # released when the block ended: taken again at once, and its file says by whom
    with warehouse_lock(database, "again", wait=False):
        assert '"what": "again"' in lock_path(database).read_text()


def cli(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, **pipeline_environment(root)}
    env.pop("DAGSTER_HOME", None)
    return subprocess.Popen(
        [str(BOARDPACK), "run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_boardpack_run_waits_for_a_dagster_run_or_stops_with_no_wait(tmp_path):
    root = tmp_path / "run"
    root.mkdir()
    database = root / "warehouse.duckdb"
    holder = hold(DAGSTER_HOLDER, database)
    try:
        started = time.monotonic()
        refused = cli(root, "--no-wait")
        out, err = refused.communicate(timeout=120)
        assert refused.returncode == 3, out + err
        [line] = err.strip().splitlines()
        assert line.startswith(f"boardpack run: not started: the warehouse {database} is in use")
        assert "Dagster run " in line and line.endswith("(--no-wait)")
        assert time.monotonic() - started < 60
        assert not database.exists()  # it never touched the warehouse

        waiting = cli(root)
        try:
            deadline = time.monotonic() + 120
            first = waiting.stderr.readline()
            assert first.startswith("Waiting: the warehouse"), first
            assert "Dagster run " in first and "this run starts when that one ends" in first
            time.sleep(3)
            assert waiting.poll() is None, "the second run did not wait"
            assert not database.exists(), "the second run touched the warehouse while waiting"
            assert time.monotonic() < deadline
        finally:
            os.killpg(waiting.pid, signal.SIGKILL)
            waiting.communicate(timeout=30)
    finally:
        release(holder)


def test_a_dagster_run_waits_for_the_warehouse(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    ran = threading.Event()

    @dg.asset
    def touch(warehouse: Warehouse):
        with warehouse.get_connection() as con:
            con.execute("CREATE TABLE touched AS SELECT 1 AS x")
        ran.set()

    holder = hold(PLAIN_HOLDER, database)
    results = []
    instance = dg.DagsterInstance.ephemeral()

    def launch():
        results.append(
            dg.materialize(
                [touch],
                resources={"warehouse": Warehouse(settings=Settings(db=str(database)))},
                instance=instance,
            )
        )

    worker = threading.Thread(target=launch, daemon=True)
    try:
        worker.start()
        time.sleep(4)
        assert not ran.is_set(), "the Dagster run did not wait for the warehouse"
    finally:
        release(holder)
    worker.join(timeout=60)
    assert ran.is_set() and results and results[0].success
    logs = [entry.user_message for entry in instance.all_logs(results[0].run_id)]
    assert any(
        "Waiting: the warehouse" in m and "boardpack run --month 2014-08" in m for m in logs
    ), logs
    instance.dispose()
