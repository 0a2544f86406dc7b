"""Checking extracts without loading them (``boardpack validate``).

The same checks as the loader, run in a private in-memory DuckDB, so nothing is written to
the warehouse: the performance team can check tonight's files, or a file the supplier sent,
before anything replaces the data the board pack is built from.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import get_table, load_contract
from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.files import extract_present, find_extract, scan_file
from pipelines.ingest.load import shrink_message
from pipelines.ingest.parse import FAULTS, drop_staging, stage_extract
from pipelines.ingest.rules import ReadRules

log = logging.getLogger(__name__)

EXAMPLES_PER_FAULT = 3
# Control characters (a NUL, a terminal escape) are shown as \xNN, never sent to the console.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class RowFaultExample:
    line_number: int
    value: str | None
    reason: str


@dataclass(frozen=True)
class RowFaultGroup:
    """Rows with the same kind of fault in the same column."""

    column_name: str
    fault: str  # blank value, unparseable date, invalid flag, not a number, ...
    count: int
    examples: tuple[RowFaultExample, ...]


@dataclass(frozen=True)
class ValidationReport:
    table_name: str
    file_name: str
    ok: bool  # True when the file would load with nothing quarantined
    file_error: str | None  # the file-level fault; nothing in the file would be loaded
    rows_read: int = 0
    rows_quarantined: int = 0
    row_faults: tuple[RowFaultGroup, ...] = ()
    extra_columns: dict[str, int] = field(default_factory=dict)
    open_end_dates: int = 0  # end dates given as an "open" placeholder, would load as blank
    absent: bool = False  # an optional file (ssd_tables.csv) that is not in the extract
    # the shrink guard's refusal, when compared with the warehouse's last successful load
    shrink: str | None = None

    @property
    def would_refuse(self) -> bool:
        return bool(self.file_error or self.shrink)


def validate_extracts(
    extracts_dir: Path,
    tables: Iterable[str] | None = None,
    rules: ReadRules | None = None,
    database: Path | None = None,
) -> list[ValidationReport]:
    """Check each extract (all 13 by default) against the contract; loads nothing. With a
    warehouse (``database``), also says which tables the shrink guard would refuse."""
    rules = rules or ReadRules.from_settings()
    names = list(tables) if tables is not None else list(load_contract())
    previous = previous_loads(database) if database else {}
    con = duckdb.connect(":memory:")
    try:
        return [
            _validate_one(con, name, Path(extracts_dir), rules, previous.get(name))
            for name in names
        ]
    finally:
        con.close()


def previous_loads(database: Path) -> dict[str, int]:
    """{table: rows of its last successful load} from the warehouse, read-only; {} when there
    is no warehouse yet, or it is in use by a run (DuckDB then refuses a second reader)."""
    if not Path(database).is_file():
        return {}
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute(
            """
            SELECT table_name, arg_max(rows_loaded, finished_at) FROM raw.load_log
            WHERE status = 'loaded' GROUP BY table_name
            """
        ).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {name: int(n) for name, n in rows if n is not None}


def _validate_one(
    con, table_name: str, extracts_dir: Path, rules: ReadRules, previous: int | None
) -> ValidationReport:
    table = get_table(table_name)
    try:
        if not table.required and not extract_present(extracts_dir, table.file_name):
            return ValidationReport(
                table.name, table.file_name, ok=True, file_error=None, absent=True
            )
        path = find_extract(extracts_dir, table.file_name, rules.allow_outside_symlinks)
    except ExtractFileError as e:
        return ValidationReport(table.name, table.file_name, ok=False, file_error=str(e))
    try:
        scanned = scan_file(path, table.file_name)
        with tempfile.TemporaryDirectory(prefix="boardpack_validate_") as temp_dir:
            staged = stage_extract(con, table, scanned, Path(temp_dir), rules)
            groups = _fault_groups(con)
    except ExtractFileError as e:
        return ValidationReport(table.name, table.file_name, ok=False, file_error=str(e))
    except Exception as e:  # a fault in the checking itself: say so, carry on with the others
        log.exception("%s: could not be checked", table.file_name)
        first = (str(e).strip().splitlines() or [""])[0][:200]
        return ValidationReport(
            table.name,
            table.file_name,
            ok=False,
            file_error=f"{table.file_name}: could not be checked: {type(e).__name__}: {first}",
        )
    finally:
        drop_staging(con)
    shrink = None
    accepted = table.name in {n.lower().removesuffix(".csv") for n in rules.accept_shrink}
    if previous and staged.rows_loaded < rules.shrink_share * previous and not accepted:
        shrink = shrink_message(table.name, staged.rows_loaded, previous, rules.shrink_share)
        shrink = shrink.replace("nothing was loaded in this run", "a run would load nothing")
    return ValidationReport(
        table_name=table.name,
        file_name=table.file_name,
        ok=staged.rows_quarantined == 0 and shrink is None,
        file_error=None,
        rows_read=staged.rows_read,
        rows_quarantined=staged.rows_quarantined,
        row_faults=groups,
        extra_columns=staged.extra_columns,
        open_end_dates=staged.open_end_total,
        shrink=shrink,
    )


def _fault_groups(con) -> tuple[RowFaultGroup, ...]:
    rows = con.execute(
        f"""
        SELECT column_name, fault, count(*) AS n,
               list([CAST(line_number AS VARCHAR), value, reason] ORDER BY line_number)
                   [1:{EXAMPLES_PER_FAULT}] AS examples
        FROM {FAULTS}
        GROUP BY column_name, fault, column_order
        ORDER BY column_order, fault
        """
    ).fetchall()
    return tuple(
        RowFaultGroup(
            column_name=column,
            fault=fault,
            count=count,
            examples=tuple(RowFaultExample(int(line), value, reason) for line, value, reason in ex),
        )
        for column, fault, count, ex in rows
    )


def printable(text: str) -> str:
    """Text safe to print: control characters shown as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_report(reports: list[ValidationReport]) -> str:
    """The reports as plain text for the command line, one block per file."""
    lines = []
    for report in reports:
        if report.absent:
            lines.append(f"ABSENT  {report.file_name}: optional (statutory returns only)")
        elif report.file_error:
            lines.append(f"FAILED  {report.file_error}")
            lines.append("        nothing in this file would be loaded")
        elif report.shrink:
            lines.append(f"REFUSED {report.shrink}")
        elif report.ok:
            lines.append(f"OK      {report.file_name}: {report.rows_read:,} rows")
        else:
            lines.append(
                f"FAULTS  {report.file_name}: {report.rows_quarantined:,} of "
                f"{report.rows_read:,} rows would be quarantined"
            )
        for group in report.row_faults:
            rows = "row" if group.count == 1 else "rows"
            lines.append(f"        {group.column_name}: {group.fault}, {group.count:,} {rows}")
            for example in group.examples:
                lines.append(f"          line {example.line_number}: {example.reason}")
        if report.open_end_dates:
            lines.append(
                f"        {report.open_end_dates:,} end dates are an 'open' placeholder and "
                "would load as blank (still open)"
            )
        if report.extra_columns:
            extras = ", ".join(f"{k} ({v:,} values)" for k, v in report.extra_columns.items())
            lines.append(f"        columns not in the contract (kept aside): {extras}")
    failed = sum(1 for r in reports if r.file_error)
    refused = sum(1 for r in reports if not r.file_error and r.shrink)
    faulty = sum(1 for r in reports if not r.would_refuse and not r.ok)
    summary = (
        f"{len(reports)} files checked: {len(reports) - failed - refused - faulty} clean, "
        f"{faulty} with row faults, {failed} that would not load"
    )
    if refused:
        summary += f", {refused} that the shrink guard would refuse"
    lines.append(summary)
    return "\n".join(printable(line) for line in lines)
