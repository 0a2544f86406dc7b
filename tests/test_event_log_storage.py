"""Dagster's event log with its connections kept open (pipelines/operations/event_log.py): the
instance settings select it, it writes the files Dagster's own storage reads, the UI's live
view of a run still sees each event as it is stored, a long-lived process keeps only a few
files open, and a batch of events (a run's planned ones) is stored in one transaction as its
events one by one would be."""

from __future__ import annotations

import sqlite3
import threading
import time

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.operations import prepare_dagster_home
from pipelines.operations.event_log import OPEN_RUN_FILES, PooledSqliteEventLogStorage
from pipelines.plain_settings import DAGSTER_EVENT_BATCH_VARIABLE


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


def _tables(folder) -> dict[str, list[tuple]]:
    """Every row of every table of the run files and the index in `folder`, ordered, without
    the columns the database stamps with the time it wrote the row."""
    rows = {}
    for path in sorted(folder.glob("*.db")):
        with sqlite3.connect(path) as db:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for table in tables:
                columns = [
                    c[1]
                    for c in db.execute(f"PRAGMA table_info({table})")
                    if c[1] not in ("create_timestamp", "update_timestamp", "migration_completed")
                ]
                listed = ", ".join(f'"{c}"' for c in columns)
                rows[f"{path.stem}.{table}"] = sorted(
                    db.execute(f"SELECT {listed} FROM {table}").fetchall(), key=repr
                )
    return rows


def _a_runs_entries(home) -> list:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = _run(instance)
        records = instance.event_log_storage.get_records_for_run(run_id).records
    return [record.event_log_entry for record in records]


def test_a_batch_is_stored_as_its_events_one_by_one_would_be(home, tmp_path):
    """A run's planned materializations and checks come as one batch (the storage asks Dagster
    to batch them): stored in one transaction per database, the run's file and the index hold
    exactly what storing them one at a time leaves there."""
    entries = _a_runs_entries(home)
    planned = [e for e in entries if "PLANNED" in (e.dagster_event_type or "")]
    assert {e.dagster_event_type for e in planned} == {
        dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
    }
    one_by_one = PooledSqliteEventLogStorage(str(tmp_path / "one_by_one"))
    batched = PooledSqliteEventLogStorage(str(tmp_path / "batched"))
    try:
        for entry in entries:
            one_by_one.store_event(entry)
        batched.store_event_batch(entries[:5])
        for entry in entries[5:]:  # after the batch: its connections left as they were
            batched.store_event(entry)
        assert batched._batch is None
        assert _types(batched, entries[0].run_id) == _types(one_by_one, entries[0].run_id)
        check = dg.AssetCheckKey(dg.AssetKey("numbers"), "numbers_are_positive")
        history = batched.get_asset_check_execution_history(check, limit=5)
        assert [h.status.value for h in history] == ["SUCCEEDED"]
    finally:
        one_by_one.dispose()
        batched.dispose()
    assert _tables(tmp_path / "batched") == _tables(tmp_path / "one_by_one")
    assert _tables(tmp_path / "batched")["index.event_logs"], "the index mirrors asset events"


def test_a_run_stores_its_planned_events_as_one_batch(home, monkeypatch, capfd):
    """Dagster batches only when DAGSTER_EVENT_BATCH_SIZE is set, which the storage sets, and
    falls back to one event at a time, quietly but for a line on stderr, if a batch fails."""
    monkeypatch.delenv(DAGSTER_EVENT_BATCH_VARIABLE, raising=False)
    batches = []
    original = PooledSqliteEventLogStorage.store_event_batch

    def recording(self, events):
        batches.append([event.dagster_event_type for event in events])
        original(self, events)

    monkeypatch.setattr(PooledSqliteEventLogStorage, "store_event_batch", recording)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = _run(instance)
        written = _types(instance.event_log_storage, run_id)
    assert batches == [
        [
            dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
            dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
        ]
    ]
    assert "Exception while storing event batch" not in capfd.readouterr().err
    assert written.count("ASSET_MATERIALIZATION_PLANNED") == 1
    assert written.count("ASSET_CHECK_EVALUATION_PLANNED") == 1


def test_a_batch_that_fails_part_way_leaves_nothing_of_itself(home, tmp_path, monkeypatch):
    """Dagster stores a failed batch again one event at a time: a partly stored batch would be
    stored twice."""
    entries = _a_runs_entries(home)
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    storage.store_event(entries[0])
    before = _tables(tmp_path / "runs")
    stored = []
    original = SqliteEventLogStorage.store_event

    def fails_on_the_third(self, event):
        if len(stored) == 2:
            raise OSError("disk full")
        original(self, event)
        stored.append(event)

    monkeypatch.setattr(SqliteEventLogStorage, "store_event", fails_on_the_third)
    try:
        with pytest.raises(OSError, match="disk full"):
            storage.store_event_batch(entries[1:6])
        assert len(stored) == 2  # two were written before the failure, in its transaction
        assert _tables(tmp_path / "runs") == before
        monkeypatch.setattr(SqliteEventLogStorage, "store_event", original)
        storage.store_event(entries[1])  # the lock and the connections are free again
        assert len(_types(storage, entries[0].run_id)) == 2
    finally:
        storage.dispose()


def test_a_connection_within_another_fails_rather_than_commit_the_first_early(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    try:
        with (
            storage.index_connection(),
            pytest.raises(RuntimeError, match="a connection within another"),
            storage.index_connection(),
        ):
            pass
        with storage.index_connection() as conn:  # and the first, closed, frees the way
            assert conn.in_transaction()
    finally:
        storage.dispose()
