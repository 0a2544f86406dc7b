"""Dagster's SQLite event log, with its connections kept open.

Dagster stores every event of a run (step starts, materializations, check results: about 1,040
in a night's run) in SQLite, one file per run plus a cross-run index. The stock storage
(`SqliteEventLogStorage`) opens a new engine and connection for each event and closes it after
one insert. Closing the last connection to a WAL database checkpoints the log into the file and
deletes it, so every event paid for a checkpoint, a new WAL file and a new engine: 16.8 s to
store one night's 1,038 events here (measured by replaying them), a fifth of the run.

This subclass keeps one open connection per database (the index and the few newest runs' files)
and otherwise is Dagster's storage: the same files, schema, migrations and queries, so the UI
and daemon read the history as before and an instance can switch back by removing the block
from dagster.yaml. The same 1,038 events take 3.6 s.

Two things the stock storage got as a side effect of closing are kept explicitly:

* The UI follows a live run by watching its file for changes (watchdog); with the connection
  kept open, new events stay in the WAL file, so the run's file is touched after each stored
  event (a change of its time stamp, which the watcher reports as a modification).
* Processes that live long (the webserver, the daemon) read many runs: only the newest
  `OPEN_RUN_FILES` run files keep a connection; older ones are closed, which checkpoints them.

And two costs of the stock storage are cut: the events a run plans before its first step come
as one batch, stored in one transaction per database (`store_event_batch`), and whether the
index has a table is asked once, not on a new connection for each check's event (`has_table`).

Selected by pipelines/operations/dagster.yaml and pipelines/region/dagster.yaml
(`event_log_storage`), with `base_dir` where Dagster keeps it, <DAGSTER_HOME>/history/runs.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

import dagster as dg
import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.pool import StaticPool

from pipelines.plain_settings import PlainSettings, batch_dagster_events

# Run files with an open connection in one process (a run writes to its own and the index).
OPEN_RUN_FILES = 4


# The templates' base_dir, "{dagster_home}/history/runs": where Dagster's own SQLite storage
# keeps the event log. prepare_dagster_home writes the home in when it installs a template, so
# an instance opened by its folder (DagsterInstance.from_config) needs no DAGSTER_HOME.
HOME_FIELD = "{dagster_home}"
DEFAULT_BASE_DIR = f"{HOME_FIELD}/history/runs"


def resolve_base_dir(base_dir: str | None) -> str:
    """base_dir as configured, the home filled in from DAGSTER_HOME if it was left as a field."""
    base_dir = base_dir or DEFAULT_BASE_DIR
    if HOME_FIELD not in base_dir:
        return base_dir
    home = PlainSettings.from_environment().dagster_home_dir
    if home is None:
        raise dg.DagsterInvariantViolationError(
            f"PooledSqliteEventLogStorage: base_dir {base_dir} needs DAGSTER_HOME set"
        )
    return base_dir.replace(HOME_FIELD, str(home))


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log, each database's connection kept open."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        # set before the parent's __init__, which may already connect (to build the index)
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        # within store_event_batch: each database's connection, its transaction begun
        self._batch: dict[str, sa.Connection] | None = None
        self._tables: set[str] = set()  # tables the index is known to have
        self._connected = False  # a _connect outside a batch is open (never two at once)
        super().__init__(resolve_base_dir(base_dir), inst_data)
        # re-entrant: store_event_batch holds it for the batch, the parent's inserts take it again
        self._db_lock = threading.RLock()
        batch_dagster_events()  # worth it with this storage: see store_event_batch

    @classmethod
    def config_type(cls) -> dg.UserConfigSchema:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value):
        return cls(inst_data=inst_data, **(config_value or {}))

    def _engine(self, shard: str) -> sa.Engine:
        """The shard's engine: one connection (StaticPool), opened once. The lock around every
        use (the parent's _db_lock) keeps one thread at a time on it."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=StaticPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        self._engines[shard] = engine
        runs = [
            name
            for name in self._engines
            if name != INDEX_SHARD_NAME and name not in (self._batch or ())  # a batch's are open
        ]
        for old in runs[: max(0, len(runs) - OPEN_RUN_FILES)]:
            self._engines.pop(old).dispose()  # closing checkpoints its WAL into the file
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        # The parent's _connect, with the engine kept instead of created and disposed each time.
        with self._db_lock:
            if self._batch is not None:  # store_event_batch's transaction, committed by it
                yield self._batch_connection(shard)
                return
            # One connection per database (StaticPool): a second _connect within the first would
            # share it, and its commit would commit the first's work early. The parent never
            # nests them (its lock was not re-entrant); should it start to, fail loudly.
            if self._connected:
                raise RuntimeError("PooledSqliteEventLogStorage: a connection within another")
            self._connected = True
            try:
                with self._ready_engine(shard).connect() as conn, conn.begin():
                    yield conn
            finally:
                self._connected = False

    def has_table(self, table_name: str) -> bool:
        """Whether the index has the table (older instances lack some), remembered once it has.

        The parent asks before storing each check's evaluation and each asset event's tags, and
        opens a new engine on the index each time to answer: a fifth of the time a run's planned
        events took to store in one batch (py-spy). Tables come with migrations and never go
        (wiping empties them)."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _ready_engine(self, shard: str) -> sa.Engine:
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    def _batch_connection(self, shard: str) -> sa.Connection:
        conn = self._batch.get(shard)
        if conn is None:
            conn = self._ready_engine(shard).connect()
            conn.begin()
            self._batch[shard] = conn
        return conn

    def store_event_batch(self, events: Sequence[dg.EventLogEntry]) -> None:
        """The events stored as store_event stores each, in one transaction per database.

        Dagster batches the events a run plans before its first step (a materialization planned
        for each asset, an evaluation for each check: 318 a night), when DAGSTER_EVENT_BATCH_SIZE
        is set (this storage sets it, pipelines/plain_settings.py). The parent stores a batch one
        event at a time, each its own commit in the run's file and another in the index: 2.0-2.2 s
        (one night's replayed) before the first step could start, against 0.5-0.7 s in one
        transaction each. An event that fails to store leaves nothing of the batch (Dagster
        then stores the events again one at a time). The run's file is committed before the
        index, as one by one: only a failure between the two commits would leave the run's
        events without their copy in the index, and then stored twice in the run's file."""
        with self._db_lock:
            self._batch = {}
            try:
                for event in events:
                    super().store_event(event)
                for shard in sorted(self._batch, key=lambda name: name == INDEX_SHARD_NAME):
                    self._batch[shard].commit()  # the runs' files, then the index
            except BaseException:
                for conn in self._batch.values():
                    conn.rollback()
                raise
            finally:
                for conn in self._batch.values():
                    conn.close()
                self._batch = None
        for run_id in {event.run_id for event in events if event.run_id}:
            self._touch(run_id)

    def store_event(self, event) -> None:
        super().store_event(event)
        if event.run_id:
            self._touch(event.run_id)

    def _touch(self, run_id: str) -> None:
        # the UI's live view of the run watches its file (see the module's docstring)
        with suppress(OSError):  # the event is stored: a watcher missing one touch is no loss
            os.utime(self.path_for_shard(run_id))

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_all()  # the parent deletes the run files: none may be open
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()
