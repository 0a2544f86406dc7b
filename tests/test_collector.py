"""The garbage collector's settings for commands that import a lot and then end
(pipelines/collector.py): what is frozen is left out of the interpreter's last full pass at
exit, the collector is running again once a run has loaded its job, the installed `boardpack`
and dbt's process (boardpack-dbt) take both, and a library call (a test's CliRunner) neither."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from pipelines import cli, collector, runner
from pipelines.settings import PROJECT_ROOT

# A cycle with a finaliser: only the collector frees it, and at exit only the interpreter's
# last full pass would. It says so when it is.
_EXIT_SCRIPT = textwrap.dedent(
    """
    import sys
    from pipelines import collector

    class Cycle:
        def __del__(self):
            sys.stdout.write("collected at exit\\n")
            sys.stdout.flush()

    a = Cycle()
    a.self = a
    if sys.argv[1] == "command":
        collector.set_for_a_command()
    """
)


def _exit_output(mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _EXIT_SCRIPT, mode],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_a_command_exits_without_the_interpreters_last_full_collection():
    # the control: without it, the last full pass finds the cycle and runs its finaliser
    assert _exit_output("collect") == "collected at exit\n"
    assert _exit_output("command") == ""


@pytest.fixture
def collector_restored(monkeypatch):
    monkeypatch.setattr(collector.atexit, "register", lambda _function: None)  # not pytest's exit
    yield
    monkeypatch.setattr(collector, "_command", False)
    gc.unfreeze()
    gc.enable()


def test_outside_a_command_the_collector_is_left_alone(collector_restored):
    collector.hold_while_loading()
    assert gc.isenabled()
    collector.freeze_what_is_loaded()
    assert gc.get_freeze_count() == 0


def test_in_a_command_freezing_what_is_loaded_resumes_a_held_collector(collector_restored):
    collector.set_for_a_command()
    collector.hold_while_loading()
    assert not gc.isenabled()
    kept = [[index] for index in range(1000)]
    collector.freeze_what_is_loaded()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_the_installed_boardpack_is_set_for_a_command_and_main_is_not(monkeypatch, tmp_path):
    calls: list[str] = []
    monkeypatch.setattr(collector, "set_for_a_command", lambda: calls.append("command"))
    # an empty folder is not a set of extracts: the command reports it and stops
    result = CliRunner().invoke(cli.main, ["validate", str(tmp_path)])
    assert result.exit_code != 0
    assert calls == []
    monkeypatch.setattr(sys, "argv", ["boardpack", "validate", str(tmp_path)])
    with pytest.raises(SystemExit) as stopped:
        cli.command()
    assert stopped.value.code == result.exit_code
    assert calls == ["command"]


def test_dbts_process_is_set_for_a_command_and_freezes_dbt(monkeypatch):
    from pipelines import dbt_child

    calls: list[str] = []
    monkeypatch.setattr(collector, "freeze_what_is_loaded", lambda: calls.append("freeze"))
    monkeypatch.setattr(collector, "set_for_a_command", lambda: calls.append("command"))
    monkeypatch.setattr(dbt_child, "die_with_parent", lambda: None)
    monkeypatch.setattr(dbt_child, "parse_across_warehouses", lambda: None)  # patches dbt
    monkeypatch.setattr(sys, "argv", ["boardpack-dbt", "--version"])
    with pytest.raises(SystemExit) as stopped:
        dbt_child.main()
    assert stopped.value.code == 0
    assert calls == ["command", "freeze"]


class _Stop(Exception):
    pass


def test_a_pack_only_run_starts_the_browser_first_and_always_closes_it(monkeypatch, tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    calls: list[str] = []
    monkeypatch.setattr(runner, "MANIFEST_PATH", manifest)
    monkeypatch.setattr(runner, "_start_browser", lambda: calls.append("browser started"))

    def job(*_args):
        calls.append("job loaded")
        raise _Stop

    monkeypatch.setattr(runner, "_job", job)
    monkeypatch.setattr(runner, "_after_the_pack", lambda _settings: calls.append("closed"))
    with pytest.raises(_Stop):
        runner.run_month("2014-08", object(), only_pack=True)
    assert calls == ["browser started", "job loaded", "closed"]
    # a full run starts it later, from the run's own events (_GetReadyMeanwhile)
    calls.clear()
    with pytest.raises(_Stop):
        runner.run_month("2014-08", object(), only_pack=False)
    assert calls == ["job loaded", "closed"]
