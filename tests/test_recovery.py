"""Fault tolerance: a run killed with SIGKILL at any stage leaves nothing a rerun cannot mend.

For each stage (ingest, dbt, quality checks, pack writing) the pipeline is started as a
subprocess (`boardpack run`, its own process group), watched until the stage is under way, and
the whole process group is killed with SIGKILL. Then:

* the DuckDB file opens and is consistent (every raw table the load log says was loaded holds
  exactly the rows the log says);
* no `board_pack.*` / indicators.csv of the month is left half-written under its real name (the
  pack is written into a `.tmp-*` folder and moved into place), and a leftover `.tmp-*` folder is
  never where a reader looks for a pack;
* a rerun completes and its indicators.csv is byte-identical to an uninterrupted run's.

At the dbt stage only the `boardpack run` process itself is killed (kill -9 of its pid, not its
process group), as a person or the OOM killer would: its dbt child must die with it rather than
go on writing the warehouse under the next run.

A small authority (seed 7, scale 0.05) keeps each run to about a minute; the uninterrupted
baseline is run once for the module.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import psutil
import pytest
from pipeline_helpers import pipeline_environment

from pipelines.cli import NOTHING_CHANGED_PREFIX

MONTH = "2014-08"
BOARDPACK = Path(sys.executable).parent / "boardpack"
PACK_FILES = ("indicators.csv", "board_pack.html", "board_pack.pdf", "board_pack.xlsx")
# How a stage is recognised as under way from the run's console output (`boardpack run` prints
# one "HH:MM:SS step: message" line per message its steps write). The steps run in the order
# ingest (raw_extracts: 13 files checked, then loaded in one transaction), dbt_models,
# data_quality_checks (on the views dbt built), dbt_check_result_views, board_pack.
#   ingest: the first file reported checked (the other twelve are still to come, and nothing
#           is loaded before all are checked);
#   dbt:    dbt's build command started, plus a few seconds into the build;
#   checks: the first dbt build finished, which is when the checks step starts (it reports only
#           at its end), plus part of the baseline's checks duration;
#   pack:   the pack's staging folder (output/.tmp-<month>-*) appearing.
STAGES = ("ingest", "dbt", "checks", "pack")
CHECKED_LINE = re.compile(r"^\d\d:\d\d:\d\d raw_extracts: \S+\.csv: (checked|unchanged)")
LOADED_LINE = re.compile(r"^\d\d:\d\d:\d\d raw_extracts: loaded \d+ of \d+ tables")
CHECKS_LINE = re.compile(r"^\d\d:\d\d:\d\d data_quality_checks: ")
RUN_TIMEOUT = 600


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> Path:
    from pipelines.synthetic import generate_authority

    folder = tmp_path_factory.mktemp("recovery_extracts") / "extracts"
    generate_authority(folder, seed=7, scale=0.05)
    return folder


def _env(root: Path, extracts: Path) -> dict[str, str]:
    env = {**os.environ, **pipeline_environment(root), "BOARDPACK_EXTRACTS": str(extracts)}
    env.pop("DAGSTER_HOME", None)  # an ephemeral Dagster instance: nothing recorded anywhere
    return env


def _command(root: Path, extracts: Path, rebuild: bool = False) -> list[str]:
    return [
        str(BOARDPACK),
        "run",
        "--extracts",
        str(extracts),
        "--month",
        MONTH,
        "--output",
        str(root / "output"),
        "--db",
        str(root / "warehouse.duckdb"),
        *(["--rebuild"] if rebuild else []),
    ]


def _run(root: Path, extracts: Path) -> subprocess.CompletedProcess:
    root.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        _command(root, extracts),
        env=_env(root, extracts),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, f"the run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _line_time(line: str) -> float | None:
    try:
        at = datetime.strptime(line[:8], "%H:%M:%S")
    except ValueError:
        return None
    return at.hour * 3600 + at.minute * 60 + at.second


def _checks_seconds(output: str) -> float:
    """The checks step's duration in a complete run's output (one-second log resolution)."""
    models_built = checks_done = None
    for line in output.splitlines():
        if "Finished dbt command" in line and models_built is None:
            models_built = _line_time(line)
        elif CHECKS_LINE.search(line) and checks_done is None:
            checks_done = _line_time(line)
    if models_built is None or checks_done is None or checks_done < models_built:
        return 2.0
    return max(checks_done - models_built, 1.0)


def _run_and_kill(
    root: Path, extracts: Path, stage: str, checks_seconds: float = 2.0, rebuild: bool = False
) -> str:
    """Start a run, SIGKILL its whole process group once `stage` is under way; its output."""
    root.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        _command(root, extracts, rebuild),
        env=_env(root, extracts),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    checked = threading.Event()
    loaded = threading.Event()
    dbt_started = threading.Event()
    models_built = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if CHECKED_LINE.search(line):
                checked.set()
            elif LOADED_LINE.search(line):
                loaded.set()
            elif "Running dbt command" in line:
                dbt_started.set()
            elif "Finished dbt command" in line:
                models_built.set()

    def under_way() -> bool:
        if stage == "ingest":
            return checked.is_set()
        if stage == "dbt":
            return dbt_started.is_set()
        if stage == "checks":
            return models_built.is_set()
        output = root / "output"
        return output.exists() and any(output.glob(f".tmp-{MONTH}-*"))

    delay = {"ingest": 0.0, "checks": checks_seconds / 3, "dbt": 3.0, "pack": 0.0}[stage]
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + RUN_TIMEOUT
    try:
        while not under_way():
            assert proc.poll() is None, f"the run ended before {stage}:\n{''.join(lines)[-3000:]}"
            assert time.monotonic() < deadline, f"{stage} never started"
            time.sleep(0.01)
        time.sleep(delay)
        assert proc.poll() is None, f"the run ended before the kill during {stage}"
        if stage == "dbt":
            # kill -9 of the CLI alone: dbt (its child, through boardpack-dbt) must die too
            children = psutil.Process(proc.pid).children(recursive=True)
            assert any("dbt" in " ".join(c.cmdline()) for c in children), "no dbt child"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            _, alive = psutil.wait_procs(children, timeout=15)
            assert not alive, f"still running after kill -9 of the run: {alive}"
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        reader.join(timeout=10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    output = "".join(lines)
    if stage == "ingest":
        assert not loaded.is_set(), "the raw tables were loaded before the ingest kill"
    if stage == "checks":  # the kill came after the models, before the checks reported their end
        assert not any(CHECKS_LINE.search(line) for line in lines), "the checks had finished"
        assert output.count("Finished dbt command") == 1
    if stage in ("ingest", "dbt"):
        assert "Finished dbt command" not in output, f"dbt had finished before the {stage} kill"
    return output


def _assert_database_consistent(database: Path) -> None:
    if not database.exists():
        return
    con = duckdb.connect(str(database))  # read-write: replays the write-ahead log if any
    try:
        tables = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
            ).fetchall()
        }
        if "load_log" not in tables:
            return
        latest = con.execute(
            """
            SELECT table_name, arg_max(rows_loaded, finished_at)
            FROM raw.load_log WHERE status = 'loaded' GROUP BY table_name
            """
        ).fetchall()
        for table, rows_loaded in latest:
            assert table in tables, f"load_log says raw.{table} was loaded, but it is missing"
            [(count,)] = con.execute(f'SELECT count(*) FROM raw."{table}"').fetchall()
            assert count == rows_loaded, f"raw.{table}: {count} rows, load_log says {rows_loaded}"
    finally:
        con.close()


def _assert_complete(path: Path, baseline: dict[str, bytes]) -> None:
    """A pack file that a reader could open: whole, not truncated."""
    data = path.read_bytes()
    if path.name == "indicators.csv":
        assert data == baseline["indicators.csv"], "indicators.csv differs from a complete run's"
    elif path.suffix == ".pdf":
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], f"{path} is truncated"
    elif path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            assert book.testzip() is None, f"{path} is corrupt"
    elif path.suffix == ".html":
        assert data.rstrip().lower().endswith(b"</html>"), f"{path} is truncated"


def _assert_no_partial_pack(output: Path, baseline: dict[str, bytes], first: bool) -> None:
    """Nothing under the month's real name is half-written; staging folders are hidden.

    first: no pack had been published before the killed run, so none may exist now."""
    month_dir = output / MONTH
    if month_dir.exists():
        present = [p for p in month_dir.iterdir() if p.name in PACK_FILES]
        if first:
            assert not present, f"the killed run left pack files: {[p.name for p in present]}"
        for path in present:
            _assert_complete(path, baseline)
    if output.exists():
        # A reader lists output/<YYYY-MM>/; leftover staging folders are hidden (.tmp-*) and
        # are not named like a month, so they cannot be taken for one.
        for entry in output.glob(".tmp-*"):
            assert not re.fullmatch(r"\d{4}-\d{2}", entry.name), entry.name
        months = [e.name for e in output.iterdir() if re.fullmatch(r"\d{4}-\d{2}", e.name)]
        assert set(months) <= {MONTH}, months


@pytest.fixture(scope="module")
def baseline(extracts, tmp_path_factory) -> dict:
    """An uninterrupted run's pack files (and how long its checks took)."""
    root = tmp_path_factory.mktemp("recovery_baseline")
    done = _run(root, extracts)
    month_dir = root / "output" / MONTH
    files = {name: (month_dir / name).read_bytes() for name in PACK_FILES}
    files["checks_seconds"] = _checks_seconds(done.stdout + done.stderr)
    files["root"] = root
    return files


@pytest.mark.parametrize("stage", STAGES)
def test_killed_run_recovers(stage, extracts, baseline, tmp_path):
    root = tmp_path / "run"
    _run_and_kill(root, extracts, stage, baseline["checks_seconds"])

    _assert_database_consistent(root / "warehouse.duckdb")
    _assert_no_partial_pack(root / "output", baseline, first=True)

    _run(root, extracts)
    month_dir = root / "output" / MONTH
    assert (month_dir / "indicators.csv").read_bytes() == baseline["indicators.csv"]
    for name in PACK_FILES:
        _assert_complete(month_dir / name, baseline)
    _assert_database_consistent(root / "warehouse.duckdb")


def test_a_build_killed_on_other_extracts_is_not_taken_for_the_earlier_one(
    extracts, baseline, tmp_path
):
    """Reruns skip a stage whose inputs match its last successful build. A dbt build killed
    half-way through on different extracts must not let the next run, back on the earlier
    extracts, take the half-built tables for the earlier build: it rebuilds."""
    root = tmp_path / "run"
    _run(root, extracts)
    changed = tmp_path / "changed_extracts"
    shutil.copytree(extracts, changed)
    visits = changed / "ssd_cp_visits.csv"  # nothing refers to a visit: no check blocks
    lines = visits.read_text(encoding="utf-8").splitlines(keepends=True)
    visits.write_text("".join(lines[:-20]), encoding="utf-8")  # 20 fewer visits (of ~1,400)
    _run_and_kill(root, changed, "dbt")

    rerun = _run(root, extracts)
    output = rerun.stdout + rerun.stderr
    assert "Running dbt command" in output, "the models were not rebuilt after the killed build"
    assert (root / "output" / MONTH / "indicators.csv").read_bytes() == baseline["indicators.csv"]
    # and now, nothing changed: the rebuilt models are vouched for, so nothing runs at all
    # (the command's up-to-date check, pipelines/up_to_date.py, starts no Dagster run)
    again = _run(root, extracts)
    assert "Running dbt command" not in again.stdout + again.stderr
    assert NOTHING_CHANGED_PREFIX in again.stdout


def test_kill_while_replacing_a_pack_keeps_the_previous_one(extracts, baseline):
    """With a complete pack already published, a run killed while writing the next one leaves
    the previous pack whole (it is only ever replaced file by file, atomically). This reuses
    the baseline's folders, so it runs last; --rebuild makes it render the unchanged pack."""
    root = baseline["root"]
    _run_and_kill(root, extracts, "pack", rebuild=True)
    _assert_no_partial_pack(root / "output", baseline, first=False)
    for name in PACK_FILES:  # every file of the month still there, whole
        _assert_complete(root / "output" / MONTH / name, baseline)
