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

import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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
from pipelines.ingest.rules import MAX_LINE_BYTES, ReadRules

TEXT = "_ingest_text"
PARSED = "_ingest_parsed"
FAULTS = "_ingest_faults"

# Kinds of row-level fault: validation reports group by them; raw.quarantine.reason spells
# each one out with the value and what was expected.
BLANK = "blank value"
NUL_BYTE = "NUL byte"
TWO_DIGIT_YEAR = "two-digit year"
BAD_DATE = "unparseable date"
DATE_OUT_OF_RANGE = "implausible date"
BAD_FLAG = "invalid flag"
BAD_NUMBER = "not a number"
NOT_FINITE = "not a finite number"
BAD_CODE = "code not in code set"
DUPLICATE = "duplicate key"

# What counts as blank around and instead of a value: spaces, tabs, line breaks and the
# invisible Unicode spaces Excel and web forms leave behind (no-break, zero-width, BOM), so a
# key made only of tabs is blank, not a key.
WHITESPACE = (
    " \t\n\r\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# A date written with a two-digit year (01/08/14, 31-08-14): the century cannot be known.
TWO_DIGIT_YEAR_PATTERN = r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}(\s|$)"
UK_DATE_PATTERN = r"^\d{1,2}/\d{1,2}/\d{4}(\s|$)"


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
    # open end-date column -> values in loaded rows that were an "open" placeholder (9999-12-31)
    open_end_dates: dict[str, int] = field(default_factory=dict)

    @property
    def open_end_total(self) -> int:
        return sum(self.open_end_dates.values())

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
    con: duckdb.DuckDBPyConnection,
    table: ContractTable,
    scanned: ScannedFile,
    temp_dir: Path,
    rules: ReadRules | None = None,
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
    # What the scan of the bytes found decides which costly checks this file needs: values
    # are checked for NUL bytes, and trimmed of more than spaces (a tab, a no-break space, a
    # line break inside a quoted value), only where such bytes exist.
    rules = replace(
        rules or ReadRules(),
        check_nul_bytes=scanned.has_nul,
        trim_all_whitespace=scanned.has_odd_space or not one_line_each,
    )
    con.execute(_parsed_sql(table, header, mapped, rules))
    checked = _checked_columns(table, header, rules)
    con.execute(_faults_sql(table, checked, rules))
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
        open_end_dates=_count_open_ends(con, table, header, rules),
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
                               delim = ',', quote = '"', escape = '"', auto_detect = false,
                               max_line_size = {MAX_LINE_BYTES})
    """
    try:
        with _file_order_kept(con):
            con.execute(sql, [str(read_path)])
    except duckdb.Error as e:
        too_long = _line_too_long(e)
        if too_long:
            raise ExtractFileError(file_name, too_long) from None
        raise ExtractFileError(
            file_name,
            f"could not be read as comma-separated values: {_csv_error_summary(e)} (expected "
            f"every row to have the {header.width} columns of the header, with any value that "
            "contains a comma, a double quote or a line break in double quotes)",
        ) from None


def _line_too_long(error: Exception) -> str | None:
    """DuckDB's "Maximum line size ... exceeded" as one sentence naming the line and limit."""
    text = str(error)
    size = re.search(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)", text)
    if not size:
        return None
    line = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"line {line.group(1)}" if line else "a line"
    return (
        f"{where} is {int(size.group(2)):,} bytes long, over the limit of "
        f"{int(size.group(1)):,} bytes per line (expected lines under "
        f"{MAX_LINE_BYTES / 1e6:g} MB; a line this long is usually a corrupt export or a value "
        "whose closing double quote is missing)"
    )


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


def _edge_is_space(char_expr: str) -> str:
    codes = ", ".join(str(ord(c)) for c in WHITESPACE if ord(c) > 32)
    return f"(unicode({char_expr}) <= 32 OR unicode({char_expr}) IN ({codes}))"


def _clean_expr(spaces_trimmed: str, all_whitespace: bool = True) -> str:
    """The value without surrounding whitespace; blank (or whitespace only) is NULL.

    `spaces_trimmed` is the value with spaces trimmed (plain trim(), fast). Trimming the other
    whitespace characters as well costs ten times more per value, so it is done only in a file
    that has such characters (`all_whitespace`), and there only where the first or last
    character is one of them (a tab, a no-break space)."""
    if not all_whitespace:
        return f"NULLIF({spaces_trimmed}, '')"
    other_space = (
        f"{_edge_is_space(spaces_trimmed)} OR {_edge_is_space(f'right({spaces_trimmed}, 1)')}"
    )
    return (
        f"NULLIF(CASE WHEN {other_space} THEN trim({spaces_trimmed}, {sql_string(WHITESPACE)}) "
        f"ELSE {spaces_trimmed} END, '')"
    )


def _parsed_name(column: ContractColumn) -> str:
    """Date columns are parsed into p_<name> first: the stored value may still become NULL (an
    "open" placeholder) or the row be quarantined (a date outside the plausible window)."""
    return quoted(f"p_{column.name}")


def _date_list(dates) -> str:
    return "(" + ", ".join(f"DATE '{d.isoformat()}'" for d in sorted(dates)) + ")"


def _typed_expr(column: ContractColumn, value: str) -> str:
    if column.logical_type == "date":
        uk_formats = "[" + ", ".join(sql_string(f) for f in UK_DATE_FORMATS) + "]"
        # try_strptime with a list of formats is slow (about 4 s per million values), so each
        # value goes to the one reader its shape calls for. Both readers insist on a
        # four-digit year: DuckDB would read "01/08/14" or "14-08-31" as the year 14.
        return (
            f"CAST(CASE WHEN {value} LIKE '%/%' THEN CASE WHEN regexp_matches({value}, "
            f"{sql_string(UK_DATE_PATTERN)}) THEN try_strptime({value}, {uk_formats}) END "
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


def _is_open_placeholder(column: ContractColumn, rules: ReadRules) -> str | None:
    """SQL: the parsed date is one of the "open" placeholders, in a column where that means
    open; None where placeholders mean nothing (they are then ordinary dates)."""
    if not (column.open_end and rules.open_end_dates):
        return None
    return f"{_parsed_name(column)} IN {_date_list(rules.open_end_dates)}"


def _fault_rules(
    table: ContractTable, column: ContractColumn, rules: ReadRules
) -> list[tuple[str, str]]:
    """(fault kind, SQL condition) pairs for this column, in order: the first that holds is the
    column's fault. In a file with a NUL byte, every column present is checked for one."""
    value, typed = quoted(f"v_{column.name}"), quoted(column.name)
    checks = []
    if not column.nullable:
        checks.append((BLANK, f"{value} IS NULL"))
    if rules.check_nul_bytes:
        checks.append((NUL_BYTE, f"contains({value}, chr(0))"))
    if column.logical_type == "date":
        parsed = _parsed_name(column)
        checks.append(
            (
                TWO_DIGIT_YEAR,
                f"{value} IS NOT NULL AND {parsed} IS NULL AND "
                f"regexp_matches({value}, {sql_string(TWO_DIGIT_YEAR_PATTERN)})",
            )
        )
        checks.append((BAD_DATE, f"{value} IS NOT NULL AND {parsed} IS NULL"))
        window = (
            f"({parsed} < DATE '{rules.earliest_date.isoformat()}' "
            f"OR {parsed} > DATE '{rules.latest_date.isoformat()}')"
        )
        placeholder = _is_open_placeholder(column, rules)
        if placeholder:
            window = f"{window} AND NOT ({placeholder})"
        checks.append((DATE_OUT_OF_RANGE, window))
    elif column.logical_type in ("flag", "number"):
        kind = {"flag": BAD_FLAG, "number": BAD_NUMBER}[column.logical_type]
        checks.append((kind, f"{value} IS NOT NULL AND {typed} IS NULL"))
        if column.logical_type == "number":
            # DuckDB reads 'NaN', 'inf' and '1e999' (too big: infinity) as numbers
            checks.append((NOT_FINITE, f"{typed} IS NOT NULL AND NOT isfinite({typed})"))
    if column.codes:
        codes = sql_list(tuple(c.lower() for c in column.codes))
        checks.append((BAD_CODE, f"lower({value}) NOT IN {codes}"))
    if table.primary_key and column.name == table.primary_key[0]:
        checks.append((DUPLICATE, "_key_first_line < _source_line"))
    return checks


def _checked_columns(
    table: ContractTable, header: HeaderMatch, rules: ReadRules
) -> list[ContractColumn]:
    return [
        c for c in table.columns if c.name in header.positions and _fault_rules(table, c, rules)
    ]


def _stored_expr(column: ContractColumn, rules: ReadRules) -> str:
    """The value stored in the raw table, from the typed columns."""
    if column.logical_type != "date":
        return quoted(column.name)
    placeholder = _is_open_placeholder(column, rules)
    parsed = _parsed_name(column)
    return f"CASE WHEN {placeholder} THEN NULL ELSE {parsed} END" if placeholder else parsed


def _parsed_sql(
    table: ContractTable, header: HeaderMatch, lines_mapped: bool, rules: ReadRules
) -> str:
    present = [c for c in table.columns if c.name in header.positions]
    checked = _checked_columns(table, header, rules)
    if lines_mapped:
        source = f"{TEXT} AS t LEFT JOIN {LINES} AS l ON l.record_index = t.rowid"
        line = "coalesce(l.line_number, t.rowid + 2)"
    else:
        source, line = f"{TEXT} AS t", "t.rowid + 2"

    spaced = ",\n".join(
        f"trim(t.c{header.positions[c.name] + 1}) AS {quoted('s_' + c.name)}" for c in present
    )
    cleaned = ",\n".join(
        f"{_clean_expr(quoted('s_' + c.name), rules.trim_all_whitespace)} AS "
        f"{quoted('v_' + c.name)}"
        for c in present
    )

    def typed_name(c: ContractColumn) -> str:
        return _parsed_name(c) if c.logical_type == "date" else quoted(c.name)

    typed = [
        f"{_typed_expr(c, quoted('v_' + c.name))} AS {typed_name(c)}"
        if c.name in header.positions
        else f"CAST(NULL AS {c.duckdb_type}) AS {typed_name(c)}"
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
        + " ".join(
            f"WHEN {condition} THEN '{kind}'" for kind, condition in _fault_rules(table, c, rules)
        )
        + f" END AS {quoted('f_' + c.name)}"
        for c in checked
    ]
    stored = [
        f"{_stored_expr(c, rules)} AS {quoted(c.name)}"
        for c in table.columns
        if c.logical_type == "date"
    ]
    clean = " AND ".join(f"{quoted('f_' + c.name)} IS NULL" for c in checked) or "true"
    keep = ", ".join(
        [quoted(c.name) for c in table.columns]
        + [quoted("v_" + c.name) for c in checked]
        + [quoted("f_" + c.name) for c in checked]
        + [_parsed_name(c) for c in table.columns if c.logical_type == "date"]
    )
    return f"""
        CREATE TEMP TABLE {PARSED} AS
        WITH spaced AS (
            SELECT CAST({line} AS INTEGER) AS _source_line,
            {spaced}
            FROM {source}
        ),
        cleaned AS (
            SELECT _source_line,
            {cleaned}
            FROM spaced
        ),
        duplicates AS ({duplicates}),
        typed AS (
            SELECT c.*, d._key_first_line, {", ".join(typed)} FROM {from_typed}
        ),
        checked AS (
            SELECT *{"".join(", " + f for f in faults)}{"".join(", " + d for d in stored)}
            FROM typed
        )
        SELECT _source_line, {keep}, _key_first_line, ({clean}) AS _clean FROM checked
    """


def _reason_sql(table: ContractTable, column: ContractColumn, rules: ReadRules) -> str:
    """A readable reason for each fault kind of this column, built in SQL."""
    value = quoted("v_" + column.name)
    shown = f"'''' || {value} || ''''"
    codes = ", ".join(column.codes)
    window = f"{rules.earliest_date.isoformat()} to {rules.latest_date.isoformat()}"
    open_note = (
        f"; in this column {rules.open_end_text} mean(s) still open and load as blank"
        if column.open_end and rules.open_end_dates
        else ""
    )
    reasons = {
        BLANK: sql_string(f"blank, but {column.name} must have a value"),
        NUL_BYTE: sql_string(
            "the value contains a NUL byte (character 0), which is not text: the export is "
            "probably corrupt (expected text without control characters)"
        ),
        TWO_DIGIT_YEAR: f"{shown} || "
        + sql_string(
            " is not a date that can be trusted: its year has two digits, so the century "
            f"cannot be known (expected a four-digit year: {', '.join(DATE_FORMATS_READABLE)})"
        ),
        BAD_DATE: f"{shown} || "
        + sql_string(f" is not a date (expected {', '.join(DATE_FORMATS_READABLE)})"),
        DATE_OUT_OF_RANGE: f"{shown} || "
        + sql_string(
            f" is outside the plausible dates {window} (expected a date in that window"
            f"{open_note}; the window is set by BOARDPACK_EARLIEST_DATE and "
            "BOARDPACK_LATEST_DATE)"
        ),
        BAD_FLAG: f"{shown} || "
        + sql_string(" is not a Y/N flag (expected Y, Yes, N or No in any case, or blank)"),
        BAD_NUMBER: f"{shown} || " + sql_string(" is not a number"),
        NOT_FINITE: f"{shown} || "
        + sql_string(" is not a finite number (expected a decimal number, e.g. 12.5)"),
        BAD_CODE: f"{shown} || " + sql_string(f" is not an allowed code (expected one of {codes})"),
        DUPLICATE: sql_string(f"duplicate {' + '.join(table.primary_key)} ")
        + f" || {shown} || "
        + sql_string(": the record on line ")
        + " || _key_first_line || "
        + sql_string(" is kept"),
    }
    kinds = [kind for kind, _ in _fault_rules(table, column, rules)]
    branches = " ".join(f"WHEN '{kind}' THEN {reasons[kind]}" for kind in kinds)
    return f"CASE {quoted('f_' + column.name)} {branches} END"


def _faults_sql(table: ContractTable, checked: list[ContractColumn], rules: ReadRules) -> str:
    # A NUL byte is kept in the quarantine as the two characters \0: it is not text, and would
    # cut the value short in most tools.
    selects = [
        f"""
        SELECT _source_line AS line_number, {sql_string(c.name)} AS column_name,
               replace({quoted("v_" + c.name)}, chr(0), '\\0') AS value,
               {quoted("f_" + c.name)} AS fault, {_reason_sql(table, c, rules)} AS reason,
               {table.column_names.index(c.name)} AS column_order
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
    counts = ", ".join(
        f"count({_clean_expr(f'trim(c{pos + 1})')})" for pos in header.extra.values()
    )
    [values] = con.execute(f"SELECT {counts} FROM {TEXT}").fetchall()
    return dict(zip(header.extra, values, strict=True))


def _count_open_ends(
    con, table: ContractTable, header: HeaderMatch, rules: ReadRules
) -> dict[str, int]:
    """Per open end-date column, the loaded rows whose date was an "open" placeholder."""
    columns = [
        c
        for c in table.columns
        if c.name in header.positions and _is_open_placeholder(c, rules) is not None
    ]
    if not columns:
        return {}
    counts = ", ".join(f"count(*) FILTER (WHERE {_is_open_placeholder(c, rules)})" for c in columns)
    [values] = con.execute(f"SELECT {counts} FROM {PARSED} WHERE _clean").fetchall()
    return {c.name: n for c, n in zip(columns, values, strict=True) if n}
