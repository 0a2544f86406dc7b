"""Reusing what an earlier run built, when nothing it depends on has changed.

A rerun with the same extracts (a retry, a second run the same day, a backfill of another month)
need not rebuild the dbt models, rerun the quality suites or re-render a pack it already has.
Each of those stages hashes everything its result depends on into a fingerprint and compares it
with the one recorded, in the warehouse itself, when that stage last succeeded:

* the extracts as loaded: the SHA-256 of each raw table's current file (raw.load_log);
* the code and configuration the stage runs: its files (dbt project, expectations, pack
  templates and Python) and the settings it uses;
* the reporting month it is built as at.

The three stages use it the same way (StageReuse):

    reuse = StageReuse(warehouse, "dbt", inputs, forced=rebuild_forced(context, settings))
    earlier = reuse.earlier()          # the record of a run that built it from these inputs
    if earlier is not None and <what it built is still there>:
        report it again, with reused_metadata(earlier)    # the one "reused" marker
    else:
        reuse.starting()               # nothing vouches for half-built output from here
        ... build ...
        reuse.succeeded(run_id, details)

The record is deleted before the stage starts and written only after it succeeds, so a run
killed half-way (or failing) never leaves a fingerprint that vouches for half-built tables: the
next run rebuilds. BOARDPACK_REBUILD=1, or the run tag boardpack/rebuild=true, forces every
stage to rebuild.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from pipelines.resources import Warehouse
    from pipelines.settings import Settings

REBUILD_TAG = "boardpack/rebuild"
# The metadata key every reused result carries (runner.py and the benchmark look for it).
REUSED_FROM_RUN = "reused_from_run"

_TABLE_SQL = """
CREATE SCHEMA IF NOT EXISTS pipeline;
CREATE TABLE IF NOT EXISTS pipeline.stage_inputs (
    stage VARCHAR NOT NULL,      -- dbt, quality_checks, board_pack
    scope VARCHAR NOT NULL,      -- '' or the reporting month
    fingerprint VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,     -- the run that built it
    details JSON,                -- what the stage wants to reuse (e.g. its check results)
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (stage, scope)
);
"""


@dataclass(frozen=True)
class Recorded:
    fingerprint: str
    run_id: str
    details: dict
    recorded_at: datetime


def rebuild_forced(run_tags: Mapping[str, str] | None, settings: Settings) -> bool:
    tag = (run_tags or {}).get(REBUILD_TAG, "")
    return settings.rebuild_every_stage or tag.strip().lower() in {"1", "true", "yes"}


def reused_metadata(earlier: Recorded) -> dict[str, str]:
    return {REUSED_FROM_RUN: earlier.run_id}


def fingerprint(parts: Mapping[str, object]) -> str:
    """A stable hash of named parts (JSON-serialisable values)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files_digest(roots: Iterable[Path], patterns: Iterable[str] = ("*",)) -> str:
    """Hash of every file's relative path and content under the roots (a file root counts as
    itself). Caches and build output are left out: they change without the source changing."""
    digest = hashlib.sha256()
    for root in roots:
        root = Path(root)
        files = [root] if root.is_file() else _source_files(root, tuple(patterns))
        for path in files:
            digest.update(str(path.relative_to(root.parent)).encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_IGNORED_DIRS = {"__pycache__", "target", "logs", "dbt_packages", ".pytest_cache"}


def _source_files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found = set()
    for pattern in patterns:
        for path in root.rglob(pattern):
            if path.is_file() and not _IGNORED_DIRS.intersection(path.relative_to(root).parts):
                found.add(path)
    return sorted(found)


def extract_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{raw table: SHA-256 of the file its current contents were loaded from}."""
    try:
        rows = con.execute(
            """
            SELECT table_name, arg_max(file_sha256, finished_at)
            FROM raw.load_log WHERE status = 'loaded' GROUP BY table_name
            """
        ).fetchall()
    except duckdb.CatalogException:  # nothing loaded yet
        return {}
    return dict(sorted(rows))


class StageRecords:
    """The recorded fingerprints, in the warehouse (pipeline.stage_inputs)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        con.execute(_TABLE_SQL)

    def get(self, stage: str, scope: str = "") -> Recorded | None:
        row = self.con.execute(
            "SELECT fingerprint, run_id, details, recorded_at FROM pipeline.stage_inputs "
            "WHERE stage = ? AND scope = ?",
            [stage, scope],
        ).fetchone()
        if row is None:
            return None
        return Recorded(row[0], row[1], json.loads(row[2]) if row[2] else {}, row[3])

    def matching(self, stage: str, print_: str, scope: str = "") -> Recorded | None:
        """The record for the stage if it was made from exactly these inputs."""
        found = self.get(stage, scope)
        return found if found is not None and found.fingerprint == print_ else None

    def forget(self, stage: str, scope: str = "") -> None:
        self.con.execute(
            "DELETE FROM pipeline.stage_inputs WHERE stage = ? AND scope = ?", [stage, scope]
        )

    def record(
        self, stage: str, print_: str, run_id: str, details: Mapping | None = None, scope: str = ""
    ) -> None:
        self.con.execute(
            "INSERT OR REPLACE INTO pipeline.stage_inputs VALUES (?, ?, ?, ?, ?, ?)",
            [stage, scope, print_, run_id, json.dumps(details or {}, default=str), datetime.now()],
        )


class StageReuse:
    """One stage's decision to reuse an earlier run's work, and the record that makes it.

    Each step opens the warehouse briefly: the dbt stage must close it while dbt, another
    process, writes to the file."""

    def __init__(
        self,
        warehouse: Warehouse,
        stage: str,
        inputs: Mapping[str, object] | None,
        *,
        scope: str = "",
        forced: bool = False,
    ) -> None:
        self.warehouse = warehouse
        self.stage = stage
        self.scope = scope
        self.forced = forced
        # None: the inputs cannot be known, so the result is never reused (nor recorded)
        self.fingerprint = fingerprint(inputs) if inputs is not None else None

    def earlier(self) -> Recorded | None:
        """The record of the run that built the stage from exactly these inputs, if any."""
        if self.forced or self.fingerprint is None:
            return None
        with self.warehouse.get_connection() as con:
            return StageRecords(con).matching(self.stage, self.fingerprint, self.scope)

    def starting(self) -> None:
        """Called before the stage changes anything."""
        with self.warehouse.get_connection() as con:
            StageRecords(con).forget(self.stage, self.scope)

    def succeeded(self, run_id: str, details: Mapping | None = None) -> None:
        """Called once the stage has succeeded."""
        if self.fingerprint is None:
            return
        with self.warehouse.get_connection() as con:
            StageRecords(con).record(self.stage, self.fingerprint, run_id, details, self.scope)


def current_record(warehouse: Warehouse, stage: str, scope: str = "") -> Recorded | None:
    """A stage's current record, whatever it was built from (a later stage follows it: the
    checks follow the models, the pack both)."""
    with warehouse.get_connection() as con:
        return StageRecords(con).get(stage, scope)
