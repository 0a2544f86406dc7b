"""Checking extracts without loading them (``boardpack validate``).

The same checks as the loader, run in a private in-memory DuckDB, so nothing is written to
the warehouse: the performance team can check tonight's files, or a file the supplier sent,
before anything replaces the data the board pack is built from.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import get_table, load_contract
from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.files import find_extract, scan_file
from pipelines.ingest.parse import FAULTS, drop_staging, stage_extract

EXAMPLES_PER_FAULT = 3


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
    absent: bool = False  # an optional file (ssd_tables.csv) that is not in the extract


def validate_extracts(
    extracts_dir: Path, tables: Iterable[str] | None = None
) -> list[ValidationReport]:
    """Check each extract (all 13 by default) against the contract; loads nothing."""
    names = list(tables) if tables is not None else list(load_contract())
    con = duckdb.connect(":memory:")
    try:
        return [_validate_one(con, name, Path(extracts_dir)) for name in names]
    finally:
        con.close()


def _validate_one(con, table_name: str, extracts_dir: Path) -> ValidationReport:
    table = get_table(table_name)
    try:
        path = find_extract(extracts_dir, table.file_name)
    except ExtractFileError as e:
        if not table.required:
            return ValidationReport(
                table.name, table.file_name, ok=True, file_error=None, absent=True
            )
        return ValidationReport(table.name, table.file_name, ok=False, file_error=str(e))
    try:
        scanned = scan_file(path, table.file_name)
        with tempfile.TemporaryDirectory(prefix="boardpack_validate_") as temp_dir:
            staged = stage_extract(con, table, scanned, Path(temp_dir))
            groups = _fault_groups(con)
    except ExtractFileError as e:
        return ValidationReport(table.name, table.file_name, ok=False, file_error=str(e))
    finally:
        drop_staging(con)
    return ValidationReport(
        table_name=table.name,
        file_name=table.file_name,
        ok=staged.rows_quarantined == 0,
        file_error=None,
        rows_read=staged.rows_read,
        rows_quarantined=staged.rows_quarantined,
        row_faults=groups,
        extra_columns=staged.extra_columns,
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


def format_report(reports: list[ValidationReport]) -> str:
    """The reports as plain text for the command line, one block per file."""
    lines = []
    for report in reports:
        if report.absent:
            lines.append(f"ABSENT  {report.file_name}: optional (statutory returns only)")
        elif report.file_error:
            lines.append(f"FAILED  {report.file_error}")
            lines.append("        nothing in this file would be loaded")
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
        if report.extra_columns:
            extras = ", ".join(f"{k} ({v:,} values)" for k, v in report.extra_columns.items())
            lines.append(f"        columns not in the contract (kept aside): {extras}")
    failed = sum(1 for r in reports if r.file_error)
    faulty = sum(1 for r in reports if not r.file_error and not r.ok)
    lines.append(
        f"{len(reports)} files checked: {len(reports) - failed - faulty} clean, "
        f"{faulty} with row faults, {failed} that would not load"
    )
    return "\n".join(lines)
