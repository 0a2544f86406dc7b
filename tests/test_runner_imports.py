"""The run imports the pack's libraries once its first step has started, not before (creating
the run is the start-up `boardpack run` waits through) and not twice (pipelines/runner.py)."""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

import dagster as dg

from pipelines import runner


def _join_import_thread() -> None:
    for thread in threading.enumerate():
        if thread.name == "import-pack":
            thread.join(timeout=10)


def _record(event_type: str | None) -> logging.LogRecord:
    record = logging.LogRecord("dagster", logging.DEBUG, __file__, 1, "message", None, None)
    event = SimpleNamespace(event_type_value=event_type) if event_type else None
    record.dagster_meta = {"dagster_event": event}
    return record


def test_only_the_first_step_start_starts_the_import(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(runner, "_import_pack", lambda: calls.append("import"))
    handler = runner._ImportPackMeanwhile()
    for before in (None, "RUN_START", "ASSET_MATERIALIZATION_PLANNED", "ENGINE_EVENT"):
        handler.emit(_record(before))
    _join_import_thread()
    assert calls == []
    handler.emit(_record("STEP_START"))
    handler.emit(_record("STEP_SUCCESS"))
    handler.emit(_record("STEP_START"))
    _join_import_thread()
    assert calls == ["import"]


def test_in_a_real_run_the_pack_is_imported_once_in_its_own_thread(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(
        runner, "_import_pack", lambda: calls.append(threading.current_thread().name)
    )

    @dg.op
    def first() -> int:
        return 1

    @dg.op
    def second(value: int) -> int:
        return value + 1

    @dg.job(logger_defs={"import_pack": runner._import_pack_logger()})
    def two_steps():
        second(first())

    result = two_steps.execute_in_process(run_config={"loggers": {"import_pack": {}}})

    assert result.success
    _join_import_thread()
    assert calls == ["import-pack"]
