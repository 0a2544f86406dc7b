"""Reading an extract into DuckDB and checking every value against the contract, all in SQL.

Files reach millions of rows, so no step loops over rows in Python (the one exception, for
rare files, is explained in lines.py). The steps, each a temporary table on the caller's
connection:

1. ``_ingest_text``: the file exactly as read by ``read_csv``: one VARCHAR column per header
   column (named c1, c2, ... by position), the header line skipped. Structural faults (a row
   with the wrong number of fields, an unterminated quote) stop here as a file-level fault:
   once fields have shifted, no value in the row, or after it, can be trusted.
2. ``_ingest_lines`` (only when needed, see lines.py): the physical line each record starts on.
3. ``_ingest_parsed``: per record its line number, each contract column typed by its logical
   type, and for each checked column a fault (NULL when the value is fine).
4. ``_ingest_faults``: one row per fault with the line, column, value and a readable reason.

The loader (load.py) then copies the clean rows and the faults into the ``raw`` schema in one
transaction; the validator (validate.py) only summarises them.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contract import (
    DATE_FORMATS_READABLE,
    FLAG_FALSE,
    FLAG_TRUE,
    UK_DATE_FORMATS,
    ContractColumn,
    ContractTable,
)
from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.files import ScannedFile, read_header, readable_path
from pipelines.ingest.header import HeaderMatch, match_header
from pipelines.ingest.lines import LINES, map_record_lines

TEXT = "_ingest_text"
PARSED = "_ingest_parsed"
FAULTS = "_ingest_faults"

# Kinds of row-level fault: validation reports group by them; raw.quarantine.reason spells
# each one out with the value and what was expected.
BLANK = "blank value"
BAD_DATE = "unparseable date"
BAD_FLAG = "invalid flag"
BAD_NUMBER = "not a number"
BAD_CODE = "code not in code set"
DUPLICATE = "duplicate key"


@dataclass(frozen=True)
class StagedExtract:
    """An extract read and checked into the temporary tables, ready to be swapped in."""

    table: ContractTable
    file_name: str
    sha256: str
    rows_read: int
    rows_quarantined: int
    extra_columns: dict[str, int]  # column not in the contract -> number of non-blank values
    approximate_lines: bool = False  # line numbers count records, not physical lines

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_quarantined


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_string(v) for v in values) + ")"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stage_extract(
    con: duckdb.DuckDBPyConnection, table: ContractTable, scanned: ScannedFile, temp_dir: Path
) -> StagedExtract:
    """Read and check one scanned file into the temporary tables (see module docstring)."""
    read_path = readable_path(scanned, temp_dir)
    header = match_header(read_header(read_path), table, scanned.file_name)
    drop_staging(con)
    _read_text(con, read_path, header, scanned.file_name)
    [(rows_read,)] = con.execute(f"SELECT count(*) FROM {TEXT}").fetchall()
    # Record n (0-based) sits on line n + 2 unless some record spans lines (a quoted value with
    # a line break) or blank lines were skipped; only then are the lines worked out (lines.py).
    one_line_each = rows_read + 1 == scanned.last_content_line
    mapped = not one_line_each and map_record_lines(con, read_path, rows_read)
    con.execute(_parsed_sql(table, header, mapped))
    checked = _checked_columns(table, header)
    con.execute(_faults_sql(table, checked))
    [(rows_quarantined,)] = con.execute(
        f"SELECT count(DISTINCT line_number) FROM {FAULTS}"
    ).fetchall()
    return StagedExtract(
        table=table,
        file_name=scanned.file_name,
        sha256=scanned.sha256,
        rows_read=rows_read,
        rows_quarantined=rows_quarantined,
        extra_columns=_count_extra_values(con, header),
        approximate_lines=not (one_line_each or mapped),
    )


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for name in (FAULTS, PARSED, LINES, TEXT):
        con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")


@contextmanager
def _file_order_kept(con: duckdb.DuckDBPyConnection):
    """Row ids must follow file order; a caller may have turned that off to save memory."""
    [(kept,)] = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    if not kept:
        con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if not kept:
            con.execute("SET preserve_insertion_order = false")


def _read_text(con, read_path: Path, header: HeaderMatch, file_name: str) -> None:
    columns = ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(header.width))
    sql = f"""
        CREATE TEMP TABLE {TEXT} AS
        SELECT * FROM read_csv(?, header = false, skip = 1, columns = {{{columns}}},
                               delim = ',', quote = '"', escape = '"', auto_detect = false)
    """
    try:
        with _file_order_kept(con):
            con.execute(sql, [str(read_path)])
    except duckdb.Error as e:
        raise ExtractFileError(
            file_name,
            f"could not be read as comma-separated values: {_csv_error_summary(e)} (expected "
            f"every row to have the {header.width} columns of the header, with any value that "
            "contains a comma, a double quote or a line break in double quotes)",
        ) from None


def _csv_error_summary(error: Exception) -> str:
    """The useful lines of DuckDB's CSV error: where, and what is wrong."""
    # The "Original Line" DuckDB quotes is left out: it can hold a child's personal details,
    # and this message goes to logs and alerts.
    lines = str(error).splitlines()
    kept = [lines[0].strip()] if lines else []
    kept += [
        line.strip()
        for line in lines[1:]
        if line.startswith(("Expected Number of Columns", "Value with unterminated quote"))
    ]
    return "; ".join(kept)[:400]


def _typed_expr(column: ContractColumn, value: str) -> str:
    if column.logical_type == "date":
        uk_formats = "[" + ", ".join(sql_string(f) for f in UK_DATE_FORMATS) + "]"
        # try_strptime with a list of formats is slow (about 4 s per million values), so each
        # value goes to the one reader its shape calls for; the four-digit-year test stops
        # DuckDB's cast from reading "14-08-31" as the year 14.
        return (
            f"CAST(CASE WHEN {value} LIKE '%/%' THEN try_strptime({value}, {uk_formats}) "
            f"WHEN {value} LIKE '____-%' THEN TRY_CAST({value} AS TIMESTAMP) END AS DATE)"
        )
    if column.logical_type == "flag":
        return (
            f"CASE WHEN lower({value}) IN {sql_list(FLAG_TRUE)} THEN true "
            f"WHEN lower({value}) IN {sql_list(FLAG_FALSE)} THEN false END"
        )
    if column.logical_type == "number":
        return f"TRY_CAST({value} AS DOUBLE)"
    return value


def _fault_rules(table: ContractTable, column: ContractColumn) -> list[tuple[str, str]]:
    """(fault kind, SQL condition) pairs for this column, in order: the first that holds is the
    column's fault. Columns with no rules (optional text and ids) are not checked."""
    value, typed = quoted(f"v_{column.name}"), quoted(column.name)
    rules = []
    if not column.nullable:
        rules.append((BLANK, f"{value} IS NULL"))
    if column.logical_type in ("date", "flag", "number"):
        kind = {"date": BAD_DATE, "flag": BAD_FLAG, "number": BAD_NUMBER}[column.logical_type]
        rules.append((kind, f"{value} IS NOT NULL AND {typed} IS NULL"))
    if column.codes:
        codes = sql_list(tuple(c.lower() for c in column.codes))
        rules.append((BAD_CODE, f"lower({value}) NOT IN {codes}"))
    if table.primary_key and column.name == table.primary_key[0]:
        rules.append((DUPLICATE, "_key_first_line < _source_line"))
    return rules


def _checked_columns(table: ContractTable, header: HeaderMatch) -> list[ContractColumn]:
    return [c for c in table.columns if c.name in header.positions and _fault_rules(table, c)]


def _parsed_sql(table: ContractTable, header: HeaderMatch, lines_mapped: bool) -> str:
    present = [c for c in table.columns if c.name in header.positions]
    checked = _checked_columns(table, header)
    if lines_mapped:
        source = f"{TEXT} AS t LEFT JOIN {LINES} AS l ON l.record_index = t.rowid"
        line = "coalesce(l.line_number, t.rowid + 2)"
    else:
        source, line = f"{TEXT} AS t", "t.rowid + 2"

    cleaned = ",\n".join(
        f"NULLIF(trim(t.c{header.positions[c.name] + 1}), '') AS {quoted('v_' + c.name)}"
        for c in present
    )
    typed = [
        f"{_typed_expr(c, quoted('v_' + c.name))} AS {quoted(c.name)}"
        if c.name in header.positions
        else f"CAST(NULL AS {c.duckdb_type}) AS {quoted(c.name)}"
        for c in table.columns
    ]
    if table.primary_key:
        # Duplicate keys: a small table of the repeated keys and the line each first appears
        # on, joined back (much cheaper than a window over every row).
        key = [quoted("v_" + k) for k in table.primary_key]
        dup_key = [quoted("dup_" + k) for k in table.primary_key]
        duplicates = f"""
            SELECT {", ".join(f"{k} AS {d}" for k, d in zip(key, dup_key, strict=True))},
                   min(_source_line) AS _key_first_line
            FROM cleaned
            WHERE {" AND ".join(f"{k} IS NOT NULL" for k in key)}
            GROUP BY ALL HAVING count(*) > 1
        """
        join = " AND ".join(f"d.{d} = c.{k}" for k, d in zip(key, dup_key, strict=True))
        from_typed = f"cleaned AS c LEFT JOIN duplicates AS d ON {join}"
    else:
        duplicates = "SELECT CAST(NULL AS INTEGER) AS _key_first_line"
        from_typed = "cleaned AS c LEFT JOIN duplicates AS d ON false"
    faults = [
        "CASE "
        + " ".join(f"WHEN {condition} THEN '{kind}'" for kind, condition in _fault_rules(table, c))
        + f" END AS {quoted('f_' + c.name)}"
        for c in checked
    ]
    clean = " AND ".join(f"{quoted('f_' + c.name)} IS NULL" for c in checked) or "true"
    keep = ", ".join(
        [quoted(c.name) for c in table.columns]
        + [quoted("v_" + c.name) for c in checked]
        + [quoted("f_" + c.name) for c in checked]
    )
    return f"""
        CREATE TEMP TABLE {PARSED} AS
        WITH cleaned AS (
            SELECT CAST({line} AS INTEGER) AS _source_line,
            {cleaned}
            FROM {source}
        ),
        duplicates AS ({duplicates}),
        typed AS (
            SELECT c.*, d._key_first_line, {", ".join(typed)} FROM {from_typed}
        ),
        checked AS (
            SELECT *{"".join(", " + f for f in faults)} FROM typed
        )
        SELECT _source_line, {keep}, _key_first_line, ({clean}) AS _clean FROM checked
    """


def _reason_sql(table: ContractTable, column: ContractColumn) -> str:
    """A readable reason for each fault kind of this column, built in SQL."""
    value = quoted("v_" + column.name)
    shown = f"'''' || {value} || ''''"
    codes = ", ".join(column.codes)
    reasons = {
        BLANK: sql_string(f"blank, but {column.name} must have a value"),
        BAD_DATE: f"{shown} || "
        + sql_string(f" is not a date (expected {', '.join(DATE_FORMATS_READABLE)})"),
        BAD_FLAG: f"{shown} || "
        + sql_string(" is not a Y/N flag (expected Y, Yes, N or No in any case, or blank)"),
        BAD_NUMBER: f"{shown} || " + sql_string(" is not a number"),
        BAD_CODE: f"{shown} || " + sql_string(f" is not an allowed code (expected one of {codes})"),
        DUPLICATE: sql_string(f"duplicate {' + '.join(table.primary_key)} ")
        + f" || {shown} || "
        + sql_string(": the record on line ")
        + " || _key_first_line || "
        + sql_string(" is kept"),
    }
    kinds = [kind for kind, _ in _fault_rules(table, column)]
    branches = " ".join(f"WHEN '{kind}' THEN {reasons[kind]}" for kind in kinds)
    return f"CASE {quoted('f_' + column.name)} {branches} END"


def _faults_sql(table: ContractTable, checked: list[ContractColumn]) -> str:
    selects = [
        f"""
        SELECT _source_line AS line_number, {sql_string(c.name)} AS column_name,
               {quoted("v_" + c.name)} AS value, {quoted("f_" + c.name)} AS fault,
               {_reason_sql(table, c)} AS reason, {table.column_names.index(c.name)} AS column_order
        FROM {PARSED} WHERE {quoted("f_" + c.name)} IS NOT NULL
        """
        for c in checked
    ]
    if not selects:  # nothing to check: an empty fault table of the same shape
        selects = [
            "SELECT CAST(NULL AS INTEGER) AS line_number, '' AS column_name, '' AS value, "
            "'' AS fault, '' AS reason, 0 AS column_order WHERE false"
        ]
    return f"CREATE TEMP TABLE {FAULTS} AS " + " UNION ALL ".join(selects)


def _count_extra_values(con, header: HeaderMatch) -> dict[str, int]:
    if not header.extra:
        return {}
    counts = ", ".join(f"count(NULLIF(trim(c{pos + 1}), ''))" for pos in header.extra.values())
    [values] = con.execute(f"SELECT {counts} FROM {TEXT}").fetchall()
    return dict(zip(header.extra, values, strict=True))
