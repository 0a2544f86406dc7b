"""Skipping work whose inputs have not changed since it last succeeded.

A rerun with the same extracts (a retry, a second run the same day, a backfill of another month)
need not rebuild the dbt models, rerun the quality suites or re-render a pack it already has.
Each of those stages hashes everything its result depends on into a fingerprint and compares it
with the one recorded, in the warehouse itself, when that stage last succeeded:

* the extracts as loaded: the SHA-256 of each raw table's current file (raw.load_log);
* the code and configuration the stage runs: its files (dbt project, expectations, pack
  templates and Python), the relevant settings and environment variables;
* today's date, for anything that reads the clock (dbt's reporting-month spine ignores records
  dated after today, the quality checks' "as at" date is capped at today).

The record is deleted before the stage starts and written only after it succeeds, so a run
killed half-way (or failing) never leaves a fingerprint that vouches for half-built tables: the
next run rebuilds. `BOARDPACK_REBUILD=1`, or the run tag `boardpack/rebuild=true`, forces every
stage to rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

REBUILD_ENV = "BOARDPACK_REBUILD"
REBUILD_TAG = "boardpack/rebuild"

_TABLE_SQL = """
CREATE SCHEMA IF NOT EXISTS pipeline;
CREATE TABLE IF NOT EXISTS pipeline.stage_inputs (
    stage VARCHAR NOT NULL,      -- dbt, quality_checks, board_pack
    scope VARCHAR NOT NULL,      -- '' or the reporting month for the pack
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


def rebuild_forced(run_tags: Mapping[str, str] | None = None) -> bool:
    tag = (run_tags or {}).get(REBUILD_TAG, "")
    env = os.environ.get(REBUILD_ENV, "")
    return any(v.strip().lower() in {"1", "true", "yes"} for v in (tag, env))


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


def today() -> str:
    return date.today().isoformat()


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
        """Called before the stage starts changing anything."""
        self.con.execute(
            "DELETE FROM pipeline.stage_inputs WHERE stage = ? AND scope = ?", [stage, scope]
        )

    def record(
        self,
        stage: str,
        print_: str,
        run_id: str,
        details: Mapping | None = None,
        scope: str = "",
    ) -> None:
        """Called once the stage has succeeded."""
        self.con.execute(
            "INSERT OR REPLACE INTO pipeline.stage_inputs VALUES (?, ?, ?, ?, ?, ?)",
            [
                stage,
                scope,
                print_,
                run_id,
                json.dumps(details or {}, default=str),
                datetime.now(),
            ],
        )
