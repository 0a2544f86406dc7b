"""Dagster's event log with its connections kept open (pipelines/operations/event_log.py): the
instance settings select it, it writes the files Dagster's own storage reads, the UI's live
view of a run still sees each event as it is stored, and a long-lived process keeps only a few
files open."""

from __future__ import annotations

import threading
import time

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.operations import prepare_dagster_home
from pipelines.operations.event_log import OPEN_RUN_FILES, PooledSqliteEventLogStorage


@dg.asset
def numbers() -> int:
    return 3


@dg.asset_check(asset=numbers)
def numbers_are_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, metadata={"rows": 3})


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return prepare_dagster_home(tmp_path / "home")


def _run(instance: dg.DagsterInstance) -> str:
    result = dg.materialize([numbers, numbers_are_positive], instance=instance)
    assert result.success
    return result.run_id


def _types(storage, run_id: str) -> list[str]:
    return [
        entry.dagster_event.event_type_value
        for entry in (r.event_log_entry for r in storage.get_records_for_run(run_id).records)
        if entry.dagster_event is not None
    ]


def test_the_instance_settings_select_it_where_dagster_keeps_the_event_log(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        assert storage._base_dir == str(home / "history" / "runs")
        run_id = _run(instance)
    assert (home / "history" / "runs" / f"{run_id}.db").is_file()


def test_an_installed_home_opens_by_its_folder_whatever_dagster_home_says(tmp_path, monkeypatch):
    home = prepare_dagster_home(tmp_path / 'a home with "quotes" and spaces')
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.event_log_storage._base_dir == str(home / "history" / "runs")
    monkeypatch.delenv("DAGSTER_HOME")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = _run(instance)
    assert (home / "history" / "runs" / f"{run_id}.db").is_file()
    assert not (tmp_path / "elsewhere").exists()


def test_dagsters_own_storage_reads_what_it_wrote(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = _run(instance)
        written = _types(instance.event_log_storage, run_id)
        materialized = instance.get_latest_materialization_event(dg.AssetKey("numbers"))
        check = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("numbers"), "numbers_are_positive"), limit=5
        )

    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert _types(stock, run_id) == written
    for expected in ("PIPELINE_SUCCESS", "ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"):
        assert expected in written
    assert materialized is not None and materialized.run_id == run_id
    assert [c.run_id for c in check] == [run_id]
    # the cross-run index, which the UI's asset pages read
    stocked = stock.get_latest_materialization_events([dg.AssetKey("numbers")])
    assert stocked[dg.AssetKey("numbers")].run_id == run_id
    stock.dispose()


def test_a_watcher_in_another_process_sees_each_event_while_the_run_writes(home, tmp_path):
    """The UI follows a run by watching its file: the writer keeps its connection open, so new
    events stay in the WAL unless the file is touched."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        entries = [
            r.event_log_entry
            for r in instance.event_log_storage.get_records_for_run(_run(instance)).records
        ]
    writer = PooledSqliteEventLogStorage(str(tmp_path / "other"))
    watcher = SqliteEventLogStorage(str(tmp_path / "other"))  # the webserver's, stock or not
    run_id = entries[0].run_id
    seen: list[str] = []
    arrived = threading.Event()

    def callback(entry, _cursor):
        seen.append(entry.message or entry.dagster_event_type)
        arrived.set()

    writer.store_event(entries[0])  # the run's file exists before the UI watches it
    watcher.watch(run_id, None, callback)
    try:
        for entry in entries[1:4]:
            arrived.clear()
            writer.store_event(entry)
            assert arrived.wait(10), f"the watcher did not see {entry.dagster_event_type}"
        deadline = time.monotonic() + 5
        while len(seen) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert writer._engines, "the writer's connection is still open"
        assert len(seen) >= 3
    finally:
        watcher.end_watch(run_id, callback)
        watcher.dispose()
        writer.dispose()


def test_a_long_lived_process_keeps_only_the_newest_run_files_open(home, tmp_path):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = [_run(instance) for _ in range(OPEN_RUN_FILES + 2)]
        counts = {run_id: len(_types(instance.event_log_storage, run_id)) for run_id in runs}

    reader = PooledSqliteEventLogStorage(str(home / "history" / "runs"))
    try:
        for run_id in runs:
            assert len(_types(reader, run_id)) == counts[run_id] > 0
        open_files = [name for name in reader._engines if name != "index"]
        assert open_files == runs[-OPEN_RUN_FILES:]
        # closed files are checkpointed: nothing of theirs is left in a WAL file
        for run_id in runs[:-OPEN_RUN_FILES]:
            wal = home / "history" / "runs" / f"{run_id}.db-wal"
            assert not wal.exists() or wal.stat().st_size == 0
    finally:
        reader.dispose()
    assert reader._engines == {}


def test_wiping_closes_the_files_it_deletes(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        first = _run(instance)
        instance.event_log_storage.wipe()
        assert not (home / "history" / "runs" / f"{first}.db").exists()
        assert _types(instance.event_log_storage, first) == []
        second = _run(instance)  # a run after the wipe is stored in a new file
        assert "PIPELINE_SUCCESS" in _types(instance.event_log_storage, second)
    assert (home / "history" / "runs" / f"{second}.db").is_file()
