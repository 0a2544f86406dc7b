"""Loading checked extracts into the raw layer, atomically, with a load log.

Each file is read and checked into temporary tables first (parse.py). Only then, in one
transaction, the raw table is replaced and its quarantine rows, extra-column notes and load-log
row are written, so a file that fails, or a crash half way, leaves yesterday's data in place.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.contract import ContractTable, get_table, load_contract
from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.files import find_extract, scan_file
from pipelines.ingest.parse import (
    FAULTS,
    PARSED,
    StagedExtract,
    drop_staging,
    quoted,
    stage_extract,
)

log = logging.getLogger(__name__)

LOADED, FAILED, UNCHANGED, ABSENT = "loaded", "failed", "unchanged", "absent"

META_TABLES_SQL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.load_log (
    table_name VARCHAR,
    file_name VARCHAR,
    file_sha256 VARCHAR,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    status VARCHAR,          -- loaded, failed, unchanged or absent (optional file not there)
    message VARCHAR,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS raw.quarantine (
    table_name VARCHAR,
    file_name VARCHAR,
    line_number BIGINT,      -- physical line in the file; the header is line 1
    column_name VARCHAR,
    value VARCHAR,           -- the value as in the file, without surrounding spaces
    reason VARCHAR,
    file_sha256 VARCHAR,
    quarantined_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS raw.extra_columns (
    table_name VARCHAR,
    file_name VARCHAR,
    column_name VARCHAR,     -- a header name that is not in the contract (lower case)
    non_blank_values BIGINT
);
"""


@dataclass(frozen=True)
class LoadResult:
    table_name: str
    file_name: str
    sha256: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str  # loaded, failed, unchanged or absent (an optional file not in the extract)
    extra_columns: dict[str, int] = field(default_factory=dict)  # column -> non-blank values
    message: str = ""


def ensure_meta_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw and the load_log, quarantine and extra_columns tables if missing."""
    con.execute(META_TABLES_SQL)


def load_table(
    con: duckdb.DuckDBPyConnection, table_name: str, extracts_dir: Path, force: bool = False
) -> LoadResult:
    """Check one extract against the contract and swap it into ``raw.<table_name>``.

    Skips the file (status ``unchanged``) when its SHA-256 equals the last successful load of
    the table and the table exists, unless ``force``. Raises ExtractFileError on a file-level
    fault, after writing a ``failed`` load-log row; the raw table is then left as it was.
    Call it outside a transaction: the swap opens its own.
    """
    table = get_table(table_name)
    ensure_meta_tables(con)
    started_at = datetime.now()
    sha256 = None
    try:
        if not table.required and _absent(Path(extracts_dir), table.file_name):
            return _note_absent(con, table, started_at)
        path = find_extract(Path(extracts_dir), table.file_name)
        scanned = scan_file(path, table.file_name)
        sha256 = scanned.sha256
        if not force:
            unchanged = _skip_if_unchanged(con, table, sha256, started_at)
            if unchanged:
                return unchanged
        with tempfile.TemporaryDirectory(prefix="boardpack_ingest_") as temp_dir:
            staged = stage_extract(con, table, scanned, Path(temp_dir))
            result = _swap_in(con, staged, started_at)
    except ExtractFileError as e:
        e.sha256 = sha256
        log.error("%s", e)
        _log_failure(con, table, sha256, str(e), started_at)
        raise
    except Exception as e:
        message = f"{table.file_name}: load stopped by an unexpected error: {e}"
        _log_failure(con, table, sha256, message, started_at)
        raise
    finally:
        drop_staging(con)
    log.info("%s", result.message)
    return result


def load_extracts(
    con: duckdb.DuckDBPyConnection,
    extracts_dir: Path,
    tables: Iterable[str] | None = None,
    force: bool = False,
) -> list[LoadResult]:
    """Load each table (all 13 by default, in contract order). A file-level fault in one file
    does not stop the others: it comes back as a result with status ``failed``."""
    names = list(tables) if tables is not None else list(load_contract())
    for name in names:
        get_table(name)  # fail fast on a misspelt table name, before loading anything
    results = []
    for name in names:
        try:
            results.append(load_table(con, name, extracts_dir, force=force))
        except ExtractFileError as e:
            results.append(
                LoadResult(
                    table_name=name,
                    file_name=get_table(name).file_name,
                    sha256=e.sha256,
                    rows_read=0,
                    rows_loaded=0,
                    rows_quarantined=0,
                    status=FAILED,
                    message=str(e),
                )
            )
    return results


def _absent(extracts_dir: Path, file_name: str) -> bool:
    try:
        find_extract(extracts_dir, file_name)
    except ExtractFileError:
        return True
    return False


def _note_absent(con, table: ContractTable, started_at: datetime) -> LoadResult:
    """An optional file (ssd_tables.csv) that is not in the extract: its raw table is created
    empty the first time, so the models over it still build, and otherwise left as it was
    (an extract that stops carrying a file never erases what an earlier one loaded)."""
    existed = _raw_table_exists(con, table.name)
    if not existed:
        columns = ", ".join(f"{quoted(c.name)} {c.duckdb_type}" for c in table.columns)
        con.execute(f"CREATE TABLE raw.{quoted(table.name)} ({columns}, _source_line BIGINT)")
    kept = "earlier load kept" if existed else "empty table created"
    message = f"{table.file_name}: optional file not in the extract; {kept}"
    _write_log(con, table.name, table.file_name, None, (0, 0, 0), ABSENT, message, started_at)
    log.info("%s", message)
    return LoadResult(table.name, table.file_name, None, 0, 0, 0, ABSENT, {}, message)


def _skip_if_unchanged(
    con, table: ContractTable, sha256: str, started_at: datetime
) -> LoadResult | None:
    found = con.execute(
        """
        SELECT file_sha256, rows_read, rows_loaded, rows_quarantined, finished_at
        FROM raw.load_log WHERE table_name = ? AND status = 'loaded'
        ORDER BY finished_at DESC LIMIT 1
        """,
        [table.name],
    ).fetchall()
    last = found[0] if found else None
    if last is None or last[0] != sha256 or not _raw_table_exists(con, table.name):
        return None
    _, rows_read, rows_loaded, rows_quarantined, loaded_at = last
    message = (
        f"{table.file_name}: unchanged since the load of {loaded_at:%Y-%m-%d %H:%M:%S}; "
        "not reloaded (force reloads it)"
    )
    extra = dict(
        con.execute(
            "SELECT column_name, non_blank_values FROM raw.extra_columns WHERE table_name = ?",
            [table.name],
        ).fetchall()
    )
    _write_log(con, table.name, table.file_name, sha256, last[1:4], UNCHANGED, message, started_at)
    log.info("%s", message)
    return LoadResult(
        table.name,
        table.file_name,
        sha256,
        rows_read,
        rows_loaded,
        rows_quarantined,
        UNCHANGED,
        extra,
        message,
    )


def _raw_table_exists(con, table_name: str) -> bool:
    [(count,)] = con.execute(
        """
        SELECT count(*) FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name = 'raw' AND table_name = ?
        """,
        [table_name],
    ).fetchall()
    return count > 0


def _swap_in(con, staged: StagedExtract, started_at: datetime) -> LoadResult:
    table = staged.table
    columns = ", ".join(quoted(c) for c in table.column_names)
    message = _loaded_message(staged)
    counts = (staged.rows_read, staged.rows_loaded, staged.rows_quarantined)
    con.begin()
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TABLE raw.{quoted(table.name)} AS
            SELECT {columns}, _source_line FROM {PARSED} WHERE _clean ORDER BY _source_line
            """
        )
        con.execute("DELETE FROM raw.quarantine WHERE table_name = ?", [table.name])
        con.execute(
            f"""
            INSERT INTO raw.quarantine (table_name, file_name, line_number, column_name, value,
                                        reason, file_sha256, quarantined_at)
            SELECT ?, ?, line_number, column_name, value, reason, ?, ?
            FROM {FAULTS} ORDER BY line_number, column_order
            """,
            [table.name, staged.file_name, staged.sha256, datetime.now()],
        )
        con.execute("DELETE FROM raw.extra_columns WHERE table_name = ?", [table.name])
        if staged.extra_columns:
            con.executemany(
                "INSERT INTO raw.extra_columns VALUES (?, ?, ?, ?)",
                [[table.name, staged.file_name, n, v] for n, v in staged.extra_columns.items()],
            )
        _write_log(
            con, table.name, staged.file_name, staged.sha256, counts, LOADED, message, started_at
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return LoadResult(
        table.name,
        staged.file_name,
        staged.sha256,
        *counts,
        LOADED,
        staged.extra_columns,
        message,
    )


def _loaded_message(staged: StagedExtract) -> str:
    message = f"{staged.file_name}: loaded {staged.rows_loaded:,} of {staged.rows_read:,} rows"
    if staged.rows_quarantined:
        message += f"; {staged.rows_quarantined:,} quarantined (see raw.quarantine)"
    if staged.extra_columns:
        names = ", ".join(staged.extra_columns)
        message += f"; columns not in the contract kept aside (raw.extra_columns): {names}"
    if staged.approximate_lines:
        message += "; line numbers are approximate (they count records, not lines)"
    return message


def _log_failure(con, table: ContractTable, sha256, message: str, started_at: datetime) -> None:
    """Record a failed load; never let a broken connection hide the error that caused it."""
    try:
        _write_log(con, table.name, table.file_name, sha256, None, FAILED, message, started_at)
    except duckdb.Error:
        log.exception("%s: could not write the failed load to raw.load_log", table.file_name)


def _write_log(
    con,
    table_name: str,
    file_name: str,
    sha256: str | None,
    counts: tuple[int, int, int] | None,
    status: str,
    message: str,
    started_at: datetime,
) -> None:
    rows_read, rows_loaded, rows_quarantined = counts or (None, None, None)
    con.execute(
        "INSERT INTO raw.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            table_name,
            file_name,
            sha256,
            rows_read,
            rows_loaded,
            rows_quarantined,
            status,
            message,
            started_at,
            datetime.now(),
        ],
    )
