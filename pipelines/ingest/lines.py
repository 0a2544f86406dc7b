"""Physical line numbers for records, so the quarantine can say "line 5214" of the file.

DuckDB's CSV reader returns records in file order but not their line numbers. In almost every
extract each record is one line, so record n (counting from 0) is on line n + 2 (the header is
line 1); the file scan tells us when that holds (lines in the file == records + 1), at no cost.

Only when some record spans lines (a quoted value with a line break) or blank lines were
skipped are the start lines worked out, with Python's csv module, which reads quotes the way
DuckDB does. That is a loop over records, acceptable because such files are rare; a million
records take about two seconds. If the two readers disagree on the number of records the line
numbers fall back to n + 2 and the load message says they are approximate.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

LINES = "_ingest_lines"
MAX_FIELD_SIZE = 64 * 1024 * 1024  # csv's default (128 kB) is too small for long JSON values


def record_start_lines(path: Path) -> list[int]:
    """The physical line each data record starts on (blank lines are skipped, as DuckDB does)."""
    starts = []
    previous_limit = csv.field_size_limit(MAX_FIELD_SIZE)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)  # the header
            lines_read = reader.line_num
            for row in reader:
                if row:  # a blank line comes back as []
                    starts.append(lines_read + 1)
                lines_read = reader.line_num
    finally:
        csv.field_size_limit(previous_limit)
    return starts


def map_record_lines(con: duckdb.DuckDBPyConnection, path: Path, records: int) -> bool:
    """Create the temporary table ``_ingest_lines (record_index, line_number)``; returns False
    (and creates nothing) when the record counts disagree or the file cannot be read this way."""
    try:
        starts = record_start_lines(path)
    except (csv.Error, UnicodeDecodeError):
        return False
    if len(starts) != records:
        return False
    # two unnests in one SELECT advance together: (0, first start), (1, second start), ...
    con.execute(
        f"""
        CREATE TEMP TABLE {LINES} AS
        SELECT unnest(range(len(starts))) AS record_index, unnest(starts) AS line_number
        FROM (SELECT CAST(? AS INTEGER[]) AS starts)
        """,
        [starts],
    )
    return True
