"""Loading checked extracts into the raw layer, atomically, with a load log.

Every file of the load is read and checked into temporary tables first (parse.py). Only then,
in ONE transaction, the raw tables are replaced and their quarantine rows, extra-column notes
and load-log rows are written, so a file that fails, or a crash half way, leaves yesterday's
data in place, and the tables of a load never mix two nights' extracts half way through.

The shrink guard: a table whose accepted rows fall below a share (BOARDPACK_SHRINK_SHARE,
default 90%) of its last successful load is refused, and with it the whole load: no table is
replaced, because a cut-off export usually means tonight's files cannot be trusted together.
A file with only a header is such a case, except for a table that has never held rows. A
deliberate drop is accepted by naming the table (``boardpack run --accept-shrink TABLE`` or
BOARDPACK_ACCEPT_SHRINK).

A file-level fault in one file (a missing column, a broken encoding) refuses that file only:
its table keeps the data of its last good load and the others load.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.contract import ContractTable, get_table, load_contract
from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.files import extract_present, find_extract, scan_file
from pipelines.ingest.parse import (
    FAULTS,
    PARSED,
    StagedExtract,
    drop_staging,
    quoted,
    stage_extract,
)
from pipelines.ingest.rules import ReadRules

log = logging.getLogger(__name__)

# load_log statuses: loaded, failed (a file-level fault), unchanged (same file as last time),
# refused (the shrink guard), held (checked, but not loaded because another table was refused),
# absent (an optional file, ssd_tables.csv, not in the extract)
LOADED, FAILED, UNCHANGED, REFUSED, HELD, ABSENT = (
    "loaded",
    "failed",
    "unchanged",
    "refused",
    "held",
    "absent",
)

META_TABLES_SQL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.load_log (
    table_name VARCHAR,
    file_name VARCHAR,
    file_sha256 VARCHAR,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    status VARCHAR,          -- loaded, failed, unchanged, refused, held or absent
    message VARCHAR,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    open_end_dates BIGINT    -- end dates given as an "open" placeholder, loaded as blank
);
-- added after the first release: warehouses made before it get the column here
ALTER TABLE raw.load_log ADD COLUMN IF NOT EXISTS open_end_dates BIGINT;
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

_LOG_COLUMNS = (
    "table_name, file_name, file_sha256, rows_read, rows_loaded, rows_quarantined, status, "
    "message, started_at, finished_at, open_end_dates"
)


@dataclass(frozen=True)
class LoadResult:
    table_name: str
    file_name: str
    sha256: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str  # loaded, failed, unchanged, refused, held or absent
    extra_columns: dict[str, int] = field(default_factory=dict)  # column -> non-blank values
    message: str = ""
    open_end_dates: int = 0  # end dates that were an "open" placeholder, loaded as blank
    previous_rows: int | None = None  # rows of the last successful load (refused: for the note)


class ExtractRefused(ExtractFileError):
    """The shrink guard refused the file: it is readable, but holds far fewer rows than the
    table's last successful load."""


@dataclass
class _Ready:
    """A file read and checked, its rows and faults kept in temporary tables until the swap."""

    staged: StagedExtract
    rows_table: str
    faults_table: str
    started_at: datetime
    previous_rows: int | None


def ensure_meta_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw and the load_log, quarantine and extra_columns tables if missing."""
    con.execute(META_TABLES_SQL)


def load_table(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    extracts_dir: Path,
    force: bool = False,
    rules: ReadRules | None = None,
) -> LoadResult:
    """Check one extract against the contract and swap it into ``raw.<table_name>``.

    Skips the file (status ``unchanged``) when its SHA-256 equals the last successful load of
    the table and the table exists, unless ``force``. Raises ExtractFileError on a file-level
    fault, and ExtractRefused when the shrink guard refuses it, after writing a ``failed`` or
    ``refused`` load-log row; the raw table is then left as it was. Call it outside a
    transaction: the swap opens its own.
    """
    errors: dict[str, ExtractFileError] = {}
    [result] = _load(con, [table_name], Path(extracts_dir), force, rules, errors, None)
    if table_name in errors:
        raise errors[table_name]
    return result


def load_extracts(
    con: duckdb.DuckDBPyConnection,
    extracts_dir: Path,
    tables: Iterable[str] | None = None,
    force: bool = False,
    rules: ReadRules | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[LoadResult]:
    """Load each table (all 13 by default, in contract order) in one transaction. A file-level
    fault in one file does not stop the others: it comes back as a result with status
    ``failed``. When the shrink guard refuses a table, no table is replaced: that one comes
    back ``refused`` and the others ``held``. ``progress`` is told of each file as it is
    checked, before anything is loaded."""
    names = list(tables) if tables is not None else list(load_contract())
    for name in names:
        get_table(name)  # fail fast on a misspelt table name, before loading anything
    return _load(con, names, Path(extracts_dir), force, rules, {}, progress)


def _load(
    con,
    names: list[str],
    extracts_dir: Path,
    force: bool,
    rules: ReadRules | None,
    errors: dict[str, ExtractFileError],
    progress: Callable[[str], None] | None,
) -> list[LoadResult]:
    rules = rules or ReadRules.from_settings()
    tell = progress or (lambda _message: None)
    ensure_meta_tables(con)
    results: dict[str, LoadResult] = {}
    ready: dict[str, _Ready] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="boardpack_ingest_") as temp_dir:
            for index, name in enumerate(names):
                table = get_table(name)
                try:
                    outcome = _prepare(con, table, extracts_dir, force, rules, temp_dir, index)
                except ExtractFileError as e:
                    errors[name] = e
                    results[name] = _failed_result(table, e)
                    tell(f"{table.file_name}: not loaded: {str(e).split(': ', 1)[1]}")
                    continue
                if isinstance(outcome, LoadResult):
                    results[name] = outcome
                    tell(outcome.message)
                else:
                    ready[name] = outcome
                    tell(_checked_message(outcome.staged))
        refused = _shrunk(ready, rules)
        if refused:
            results.update(_refuse(con, ready, refused, rules, errors))
        elif ready:
            results.update(_swap_in(con, ready))
    finally:
        for index in range(len(names)):
            con.execute(f"DROP TABLE IF EXISTS temp.main._ready_rows_{index}")
            con.execute(f"DROP TABLE IF EXISTS temp.main._ready_faults_{index}")
    for result in results.values():
        (log.error if result.status in (FAILED, REFUSED) else log.info)("%s", result.message)
    return [results[name] for name in names]


def _prepare(
    con,
    table: ContractTable,
    extracts_dir: Path,
    force: bool,
    rules: ReadRules,
    temp_dir: str,
    index: int,
) -> LoadResult | _Ready:
    """The file found, scanned and checked into temporary tables; or its ``unchanged`` result.
    Raises ExtractFileError (after logging a ``failed`` row) for a file-level fault."""
    started_at = datetime.now()
    sha256 = None
    if not table.required and not extract_present(extracts_dir, table.file_name):
        return _note_absent(con, table, started_at)
    try:
        path = find_extract(extracts_dir, table.file_name, rules.allow_outside_symlinks)
        scanned = scan_file(path, table.file_name)
        sha256 = scanned.sha256
        if not force:
            unchanged = _skip_if_unchanged(con, table, sha256, started_at)
            if unchanged:
                return unchanged
        staged = stage_extract(con, table, scanned, Path(temp_dir), rules)
        # kept, under names of their own, until every file is checked (renamed, not copied)
        rows_table, faults_table = f"_ready_rows_{index}", f"_ready_faults_{index}"
        con.execute(f"ALTER TABLE {PARSED} RENAME TO {rows_table}")
        con.execute(f"ALTER TABLE {FAULTS} RENAME TO {faults_table}")
        return _Ready(staged, rows_table, faults_table, started_at, _previous_rows(con, table))
    except ExtractFileError as e:
        e.sha256 = sha256
        _log_failure(con, table, sha256, str(e), started_at)
        raise
    except Exception as e:
        message = f"{table.file_name}: load stopped by an unexpected error: {e}"
        _log_failure(con, table, sha256, message, started_at)
        raise
    finally:
        drop_staging(con)


def files_to_load(
    con: duckdb.DuckDBPyConnection,
    extracts_dir: Path,
    rules: ReadRules | None = None,
    tables: Iterable[str] | None = None,
) -> list[str]:
    """The extract files a load would not skip as unchanged, each with the reason, by the
    loader's own rules (find_extract, scan_file, _unchanged_since) and writing nothing: a file
    that is new or changed (it would be checked, and loaded, refused or held), one that cannot
    be read (it would fail), and an optional file that is absent although an earlier extract
    carried it. [] when a load would change nothing (`boardpack run`'s check, up_to_date.py)."""
    rules = rules or ReadRules.from_settings()
    names = list(tables) if tables is not None else list(load_contract())
    try:
        ensure_meta_tables(con)
    except duckdb.Error:  # a read-only connection to a warehouse that never loaded
        return [get_table(name).file_name + ": nothing loaded yet" for name in names]
    found = []
    for name in names:
        table = get_table(name)
        if not table.required and not extract_present(extracts_dir, table.file_name):
            if _previous_rows(con, table) is not None or not _raw_table_exists(con, table.name):
                found.append(f"{table.file_name}: absent, and loaded before")
            continue
        try:
            path = find_extract(extracts_dir, table.file_name, rules.allow_outside_symlinks)
            sha256 = scan_file(path, table.file_name).sha256
        except ExtractFileError as error:
            found.append(str(error))
            continue
        if _unchanged_since(con, table, sha256) is None:
            found.append(f"{table.file_name}: new or changed since its last load")
    return found


def _checked_message(staged: StagedExtract) -> str:
    message = (
        f"{staged.file_name}: checked, {staged.rows_loaded:,} of {staged.rows_read:,} rows to load"
    )
    if staged.rows_quarantined:
        message += f"; {staged.rows_quarantined:,} to quarantine"
    if staged.open_end_total:
        message += f"; {staged.open_end_total:,} open end dates given as a placeholder"
    return message


def _failed_result(table: ContractTable, error: ExtractFileError) -> LoadResult:
    return LoadResult(
        table_name=table.name,
        file_name=table.file_name,
        sha256=error.sha256,
        rows_read=0,
        rows_loaded=0,
        rows_quarantined=0,
        status=REFUSED if isinstance(error, ExtractRefused) else FAILED,
        message=str(error),
    )


def _previous_rows(con, table: ContractTable) -> int | None:
    """Rows loaded by the table's last successful load; None if it never loaded."""
    found = con.execute(
        """
        SELECT rows_loaded FROM raw.load_log WHERE table_name = ? AND status = 'loaded'
        ORDER BY finished_at DESC LIMIT 1
        """,
        [table.name],
    ).fetchone()
    return None if found is None or found[0] is None else int(found[0])


def _shrunk(ready: dict[str, _Ready], rules: ReadRules) -> list[str]:
    """The tables whose accepted rows fall below the share of their last successful load."""
    accepted = {name.lower().removesuffix(".csv") for name in rules.accept_shrink}
    return [
        name
        for name, item in ready.items()
        if item.previous_rows
        and item.staged.rows_loaded < rules.shrink_share * item.previous_rows
        and name not in accepted
    ]


def shrink_message(table_name: str, rows: int, previous: int, share: float) -> str:
    """The one line that says a table was refused and how to accept it."""
    return (
        f"{table_name}.csv: refused: {rows:,} rows would replace the {previous:,} rows of its "
        f"last successful load (fewer than {share:.0%}), so nothing was loaded in this run; if "
        f"the smaller extract is right, run again with `boardpack run --accept-shrink "
        f"{table_name}` (or BOARDPACK_ACCEPT_SHRINK={table_name})"
    )


def _refuse(
    con,
    ready: dict[str, _Ready],
    refused: list[str],
    rules: ReadRules,
    errors: dict[str, ExtractFileError],
) -> dict[str, LoadResult]:
    """Write the refusal to the load log; no raw table is touched."""
    results = {}
    names = ", ".join(f"{name}.csv" for name in refused)
    for name, item in ready.items():
        staged = item.staged
        counts = (staged.rows_read, staged.rows_loaded, staged.rows_quarantined)
        if name in refused:
            status = REFUSED
            previous = item.previous_rows or 0
            message = shrink_message(name, staged.rows_loaded, previous, rules.shrink_share)
            error = ExtractRefused(staged.file_name, message.split(": ", 1)[1])
            error.sha256 = staged.sha256
            errors[name] = error
        else:
            status = HELD
            message = (
                f"{staged.file_name}: checked ({staged.rows_loaded:,} of {staged.rows_read:,} "
                f"rows acceptable) but not loaded: the load was refused because {names} shrank"
            )
        _write_log(
            con, name, staged.file_name, staged.sha256, counts, status, message, item.started_at
        )
        results[name] = LoadResult(
            name,
            staged.file_name,
            staged.sha256,
            *counts,
            status,
            staged.extra_columns,
            message,
            staged.open_end_total,
            item.previous_rows,
        )
    return results


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


def _unchanged_since(con, table: ContractTable, sha256: str) -> tuple | None:
    """The table's last successful load when it loaded this very file (the same SHA-256) and
    the table is still there: the rule by which a file is not loaded again. Writes nothing."""
    found = con.execute(
        """
        SELECT file_sha256, rows_read, rows_loaded, rows_quarantined, finished_at,
               open_end_dates
        FROM raw.load_log WHERE table_name = ? AND status = 'loaded'
        ORDER BY finished_at DESC LIMIT 1
        """,
        [table.name],
    ).fetchall()
    last = found[0] if found else None
    if last is None or last[0] != sha256 or not _raw_table_exists(con, table.name):
        return None
    return last


def _skip_if_unchanged(
    con, table: ContractTable, sha256: str, started_at: datetime
) -> LoadResult | None:
    last = _unchanged_since(con, table, sha256)
    if last is None:
        return None
    _, rows_read, rows_loaded, rows_quarantined, loaded_at, open_ends = last
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
    _write_log(
        con,
        table.name,
        table.file_name,
        sha256,
        last[1:4],
        UNCHANGED,
        message,
        started_at,
        open_ends,
    )
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
        open_ends or 0,
        rows_loaded,
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


def _swap_in(con, ready: dict[str, _Ready]) -> dict[str, LoadResult]:
    """Replace every ready table, its quarantine, extra columns and load-log row, in one
    transaction: all of them or none."""
    results = {}
    con.begin()
    try:
        now = datetime.now()
        for name, item in ready.items():
            staged = item.staged
            counts = (staged.rows_read, staged.rows_loaded, staged.rows_quarantined)
            columns = ", ".join(quoted(c) for c in get_table(name).column_names)
            con.execute(
                f"CREATE OR REPLACE TABLE raw.{quoted(name)} AS SELECT {columns}, _source_line "
                f"FROM {item.rows_table} WHERE _clean ORDER BY _source_line"
            )
            con.execute("DELETE FROM raw.quarantine WHERE table_name = ?", [name])
            con.execute(
                f"""
                INSERT INTO raw.quarantine (table_name, file_name, line_number, column_name,
                                            value, reason, file_sha256, quarantined_at)
                SELECT ?, ?, line_number, column_name, value, reason, ?, ?
                FROM {item.faults_table} ORDER BY line_number, column_order
                """,
                [name, staged.file_name, staged.sha256, now],
            )
            con.execute("DELETE FROM raw.extra_columns WHERE table_name = ?", [name])
            if staged.extra_columns:
                con.executemany(
                    "INSERT INTO raw.extra_columns VALUES (?, ?, ?, ?)",
                    [[name, staged.file_name, n, v] for n, v in staged.extra_columns.items()],
                )
            message = _loaded_message(staged)
            _write_log(
                con,
                name,
                staged.file_name,
                staged.sha256,
                counts,
                LOADED,
                message,
                item.started_at,
                staged.open_end_total,
            )
            results[name] = LoadResult(
                name,
                staged.file_name,
                staged.sha256,
                *counts,
                LOADED,
                staged.extra_columns,
                message,
                staged.open_end_total,
                item.previous_rows,
            )
        con.commit()
    except BaseException as e:
        con.rollback()
        for name, item in ready.items():
            message = f"{item.staged.file_name}: load stopped by an unexpected error: {e}"
            _log_failure(con, get_table(name), item.staged.sha256, message, item.started_at)
        raise
    return results


def _loaded_message(staged: StagedExtract) -> str:
    message = f"{staged.file_name}: loaded {staged.rows_loaded:,} of {staged.rows_read:,} rows"
    if staged.rows_quarantined:
        message += f"; {staged.rows_quarantined:,} quarantined (see raw.quarantine)"
    if staged.open_end_dates:
        counts = ", ".join(f"{c} {n:,}" for c, n in staged.open_end_dates.items())
        message += f"; open end dates given as a placeholder, loaded as blank: {counts}"
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
    open_end_dates: int | None = None,
) -> None:
    rows_read, rows_loaded, rows_quarantined = counts or (None, None, None)
    con.execute(
        f"INSERT INTO raw.load_log ({_LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            open_end_dates,
        ],
    )
