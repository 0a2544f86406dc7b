"""The run's dbt standby (pipelines/dbt_standby.py): dbt imported once, each step forked from it.

Real processes throughout: the standby is the module run as `boardpack run` runs it, and
boardpack-dbt is `python -m pipelines.dbt_child`, as dagster-dbt starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from pipelines import dbt_standby
from pipelines.dbt_child import PARENT_ENV
from pipelines.dbt_standby import (
    STANDBY_VARIABLE,
    DbtStandby,
    hand_over,
    sweep_abandoned_folders,
)

BOARDPACK_DBT = [sys.executable, "-m", "pipelines.dbt_child"]


def _forked(standby: DbtStandby, timeout: float = 60.0) -> psutil.Process:
    """The standby's child running a request (the standby imports dbt first: seconds). Not
    multiprocessing's resource tracker, which dbt's imports start beside it."""
    process = psutil.Process(standby._process.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in process.children():
            if "resource_tracker" not in _command_line(child):
                return child
        time.sleep(0.05)
    raise AssertionError("the standby forked no child for the request")


def _command_line(process: psutil.Process) -> str:
    """Its command line; '' for one that has ended meanwhile (a zombie has none to read)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _blocked_project(folder: Path) -> list[str]:
    """boardpack-dbt's command for a dbt project whose dbt_project.yml is a named pipe nobody
    writes: dbt waits on it, in the standby's child, until that child is stopped."""
    os.mkfifo(folder / "dbt_project.yml")
    profile = "blocked:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: ':memory:'}\n"
    (folder / "profiles.yml").write_text(profile)
    return [*BOARDPACK_DBT, "parse", "--project-dir", str(folder), "--profiles-dir", str(folder)]


def test_dbt_runs_in_the_standby_with_the_callers_output_environment_and_status(
    capfd, monkeypatch, tmp_path
):
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))  # dbt reads it in the standby's child
    monkeypatch.chdir(tmp_path)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with DbtStandby():
        found = hand_over(["debug", "--config-dir"])
        unknown = hand_over(["no-such-command"])
    out, err = capfd.readouterr()
    # an int, not None: the standby ran it; None would mean boardpack-dbt runs dbt itself
    assert found == 0
    assert str(tmp_path) in out  # printed to this process's own standard output
    assert unknown == 2  # click's status for a usage error, passed back as dbt's
    assert "No such command 'no-such-command'" in err
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_without_a_standby_boardpack_dbt_runs_dbt_itself(monkeypatch, tmp_path):
    monkeypatch.delenv(STANDBY_VARIABLE, raising=False)
    assert hand_over(["--version"]) is None
    monkeypatch.setenv(STANDBY_VARIABLE, str(tmp_path / "gone.sock"))  # a standby that stopped
    assert hand_over(["--version"]) is None
    # and the command itself, through the fallback, is dbt's
    done = subprocess.run([*BOARDPACK_DBT, "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "installed:" in done.stdout


def test_the_standby_is_stopped_and_its_socket_removed():
    with DbtStandby() as standby:
        path = Path(os.environ[STANDBY_VARIABLE])
        process = psutil.Process(standby._process.pid)
        assert "pipelines.dbt_standby" in " ".join(process.cmdline())
        assert (path.parent.stat().st_mode & 0o777) == 0o700  # this user's alone
    assert STANDBY_VARIABLE not in os.environ
    assert not path.parent.exists()
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE


def test_a_run_sweeps_up_the_folders_of_runs_killed_outright(tmp_path, monkeypatch):
    """A run killed with kill -9 cannot remove its standby's folder; the next run does."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(ended.stdout)
    assert not psutil.pid_exists(dead)
    abandoned = tmp_path / f"boardpack-dbt-{dead}-k2_x9"
    abandoned.mkdir()
    (abandoned / "dbt.sock").touch()
    kept = [
        tmp_path / f"boardpack-dbt-{os.getpid()}-live1",  # a run still going
        tmp_path / "boardpack-dbt-tzb8aq1m",  # not named by a run
        tmp_path / f"boardpack-dbt-{dead}-notafolder",
    ]
    kept[0].mkdir()
    kept[1].mkdir()
    kept[2].touch()
    assert sweep_abandoned_folders(str(tmp_path)) == [str(abandoned)]
    assert not abandoned.exists()
    assert all(path.exists() for path in kept)
    # a run's standby sweeps the temporary folder it makes its own in
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    abandoned.mkdir()
    with DbtStandby() as standby:
        assert not abandoned.exists()
        assert Path(standby._folder).parent == tmp_path
        assert Path(standby._folder).name.startswith(f"boardpack-dbt-{os.getpid()}-")
    assert all(path.exists() for path in kept)


def test_a_killed_boardpack_dbt_leaves_no_dbt_running(tmp_path):
    command = _blocked_project(tmp_path)
    with DbtStandby() as standby:
        client = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        child = _forked(standby)
        time.sleep(0.5)  # dbt is waiting on its project file
        assert child.is_running()
        client.kill()  # kill -9: it cannot pass anything on
        client.wait()
        gone, alive = psutil.wait_procs([child], timeout=15)
        assert alive == [], "dbt went on after boardpack-dbt was killed"


def test_an_interrupt_reaches_dbt_and_its_status_comes_back(tmp_path):
    command = _blocked_project(tmp_path)
    with DbtStandby() as standby:
        client = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        child = _forked(standby)
        time.sleep(0.5)
        client.send_signal(signal.SIGINT)  # what dagster-dbt does when a run is interrupted
        output, _ = client.communicate(timeout=30)
        # dbt's own status for an interrupted command, and its report of it, through
        # boardpack-dbt (which, not passing the signal on, would end with 1 itself)
        assert client.returncode == 2
        assert b"KeyboardInterrupt" in output
        gone, alive = psutil.wait_procs([child], timeout=15)
        assert alive == []
    assert b"boardpack-dbt: dbt's process ended without an exit status" not in output


def test_a_killed_run_takes_the_standby_and_its_dbt_with_it(tmp_path):
    """kill -9 of the process that started the standby (the run): the standby dies, and so does
    the dbt it forked (each tied to its parent by PR_SET_PDEATHSIG)."""
    command = _blocked_project(tmp_path)
    script = (
        "import subprocess, sys, time\n"
        "from pipelines.dbt_standby import DbtStandby\n"
        "with DbtStandby():\n"
        f"    subprocess.Popen({command!r})\n"
        "    time.sleep(600)\n"
    )
    # as a run starts them: boardpack-dbt's parent is the process that starts it (a variable
    # left by an earlier in-process run would name this test's process instead)
    environment = {k: v for k, v in os.environ.items() if k != PARENT_ENV}
    run = subprocess.Popen([sys.executable, "-c", script], env=environment)
    try:
        deadline = time.monotonic() + 60
        forked = []
        while time.monotonic() < deadline and not forked:
            everything = psutil.Process(run.pid).children(recursive=True)
            standbys = [p for p in everything if "pipelines.dbt_standby" in _command_line(p)]
            forked = [
                c
                for s in standbys
                for c in s.children()
                if "resource_tracker" not in _command_line(c)
            ]
            time.sleep(0.05)
        assert forked, "the standby forked no child"
        processes = psutil.Process(run.pid).children(recursive=True)
        run.kill()
        run.wait()
        gone, alive = psutil.wait_procs(processes, timeout=15)
        assert alive == [], f"left running: {[_command_line(p) for p in alive]}"
    finally:
        if run.poll() is None:
            run.kill()
        run.wait()


@pytest.mark.parametrize("only_pack", [False, True])
def test_a_run_has_a_standby_while_its_job_loads_and_runs(monkeypatch, tmp_path, only_pack):
    from pipelines import runner

    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    monkeypatch.setattr(runner, "MANIFEST_PATH", manifest)
    monkeypatch.setattr(runner, "_start_browser", lambda: None)
    seen: list[object] = []

    class _Stop(Exception):
        pass

    def job(_month, _settings, _progress, _only_pack, standby=None):
        seen.append(os.environ.get(STANDBY_VARIABLE))
        seen.append(standby)
        raise _Stop

    monkeypatch.setattr(runner, "_job", job)
    monkeypatch.setattr(runner, "_after_the_pack", lambda _settings: None)
    with pytest.raises(_Stop):
        runner.run_month("2014-08", object(), only_pack=only_pack)
    if only_pack:  # the pack's own job runs no dbt
        assert seen == [None, None]
    else:
        assert seen[0] and seen[0].endswith("dbt.sock")
        assert isinstance(seen[1], dbt_standby.DbtStandby)
        assert seen[1]._process is None  # stopped on the way out, the job having failed
    assert STANDBY_VARIABLE not in os.environ


def test_the_standby_is_stopped_once_the_last_dbt_step_has_ended():
    from types import SimpleNamespace

    from pipelines import runner

    stopped: list[str] = []
    standby = SimpleNamespace(stop=lambda: stopped.append("stopped"))
    handler = runner._GetReadyMeanwhile("2014-08", object(), standby)

    def emit(kind: str, step: str) -> None:
        event = SimpleNamespace(event_type_value=kind, step_key=step)
        record = SimpleNamespace(dagster_meta={"dagster_event": event})
        handler.emit(record)

    handler.imported = True  # the pack's import is another test's
    emit("STEP_SUCCESS", "raw_extracts")
    emit("STEP_START", "data_quality_checks")
    assert stopped == []
    emit("STEP_FAILURE", runner.VIEWS_STEP)
    assert stopped == ["stopped"]
