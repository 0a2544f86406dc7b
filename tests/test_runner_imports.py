"""The run gets the checks and the pack ready while earlier steps run (pipelines/runner.py): it
imports the pack's libraries once its first step has started, not before (creating the run is
the start-up `boardpack run` waits through) and not twice; the checks' once the models' dbt step
has started; and it starts drawing the month's charts once the models' dbt step has succeeded,
once."""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from types import SimpleNamespace

import dagster as dg

from pipelines import runner


def _join_import_thread() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("import-"):
            thread.join(timeout=10)


SETTINGS = object()  # handed through, not read


def _record(event_type: str | None, step_key: str | None = None) -> logging.LogRecord:
    record = logging.LogRecord("dagster", logging.DEBUG, __file__, 1, "message", None, None)
    event = SimpleNamespace(event_type_value=event_type, step_key=step_key) if event_type else None
    record.dagster_meta = {"dagster_event": event}
    return record


def test_only_the_first_step_start_starts_the_import(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(runner, "_import_meanwhile", calls.append)
    monkeypatch.setattr(runner, "_predraw_charts", lambda *args: calls.append("predraw"))
    handler = runner._GetReadyMeanwhile("2014-08", SETTINGS)
    for before in (None, "RUN_START", "ASSET_MATERIALIZATION_PLANNED", "ENGINE_EVENT"):
        handler.emit(_record(before))
    _join_import_thread()
    assert calls == []
    handler.emit(_record("STEP_START"))
    handler.emit(_record("STEP_SUCCESS"))
    handler.emit(_record("STEP_START"))
    _join_import_thread()
    assert calls == [runner.PACK_MODULE]


def test_in_a_real_run_the_pack_is_imported_once_in_its_own_thread(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(
        runner, "_import", lambda module: calls.append((threading.current_thread().name, module))
    )

    @dg.op
    def first() -> int:
        return 1

    @dg.op
    def second(value: int) -> int:
        return value + 1

    @dg.job(logger_defs={"meanwhile": runner._meanwhile_logger("2014-08", SETTINGS)})
    def two_steps():
        second(first())

    result = two_steps.execute_in_process(run_config={"loggers": {"meanwhile": {}}})

    assert result.success
    _join_import_thread()
    assert calls == [(f"import-{runner.PACK_MODULE}", runner.PACK_MODULE)]


def test_the_checks_charts_and_browser_are_started_by_their_steps_and_only_then(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(runner, "_import_meanwhile", lambda module: calls.append((module,)))
    monkeypatch.setattr(runner, "_predraw_charts", lambda *args: calls.append(("charts", *args)))
    monkeypatch.setattr(runner, "_start_browser", lambda: calls.append(("browser",)))
    handler = runner._GetReadyMeanwhile("2014-08", SETTINGS)
    handler.emit(_record("STEP_START", "raw_extracts"))
    assert calls == [(runner.PACK_MODULE,)]
    handler.emit(_record("STEP_SUCCESS", "raw_extracts"))
    handler.emit(_record("STEP_START", "dbt_models"))
    assert calls[1:] == [(runner.CHECKS_MODULE,)]
    del calls[:]
    handler.emit(_record("STEP_FAILURE", "dbt_models"))
    assert calls == []
    handler.emit(_record("STEP_SUCCESS", "dbt_models"))
    handler.emit(_record("STEP_START", "data_quality_checks"))
    handler.emit(_record("STEP_SUCCESS", "data_quality_checks"))
    assert calls == [("charts", "2014-08", SETTINGS)]
    handler.emit(_record("STEP_START", "dbt_check_result_views"))
    handler.emit(_record("STEP_SUCCESS", "dbt_check_result_views"))
    assert calls == [("charts", "2014-08", SETTINGS), ("browser",)]


def test_what_is_imported_ahead_is_what_the_steps_import():
    from pipelines.quality import checks

    assert f"from {runner.CHECKS_MODULE} import run_quality" in Path(checks.__file__).read_text()
    pack, build = (
        importlib.import_module("pipelines.pack"),
        importlib.import_module(runner.PACK_MODULE),
    )
    assert pack.build_pack is build.build_pack  # what the pack step imports


def test_what_no_pack_took_is_closed_after_the_run(tmp_path):
    from pipelines.pack import pdf

    pdf.start_browser_early()
    early = pdf._early
    settings = SimpleNamespace(chart_cache_dir=tmp_path / "chart_cache")

    runner._after_the_pack(settings)

    assert pdf._early is None
    assert not early._thread.is_alive()
