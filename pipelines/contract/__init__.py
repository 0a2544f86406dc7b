"""The extract contract: the one machine-readable definition of the SSD extract files.

Everything that needs to know what a file must contain (the loader, the documentation, the
synthetic data generator, the data quality checks) reads it from ``ssd_contract.csv`` through
:func:`load_contract`, so a change to the contract is made in one place.

Columns of ``ssd_contract.csv``:

- ``table``, ``column``: SSD names (the file is ``<table>.csv``; header names match ``column``)
- ``ssd_type``: the type in the SSD specification (nvarchar, nchar, datetime, float)
- ``logical_type``: how the loader reads the value: id, text, date, flag or number
- ``primary_key``: yes where the column identifies the record (no blanks, no duplicates)
- ``required``: yes where the column must be present in the file's header
- ``nullable``: yes where a blank value is allowed; a blank in a "no" column quarantines the row
- ``references``: ``<table>.<column>`` the value points at (documentation and data quality checks)
- ``codes``: ``|``-separated allowed values (matched case-insensitively); blank means any value
- ``origin``: ``ssd`` (the national specification) or ``local-extension``

``open_end_dates.csv`` beside it names the end-date columns in which a blank means "still open"
(``table``, ``column``, ``why``). Case-management systems often write a far-off placeholder
there instead of a blank (``9999-12-31``): in these columns, and only in these, the configured
placeholders (BOARDPACK_OPEN_END_DATES) load as blank, and are counted in ``raw.load_log``.

``ssd_tables.csv`` says which FILES must be there: ``required`` yes for the 13 tables the
indicators read, no for the tables only the statutory returns need (``purpose`` says which).
An optional file that is absent is not an error: its raw table is created empty the first time
and otherwise left as it was (see pipelines/ingest/load.py), so existing extracts still load.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

CONTRACT_PATH = Path(__file__).with_name("ssd_contract.csv")
OPEN_END_PATH = Path(__file__).with_name("open_end_dates.csv")
TABLES_PATH = Path(__file__).with_name("ssd_tables.csv")

# How each logical type is stored in the raw layer (docs/architecture.md).
DUCKDB_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "flag": "BOOLEAN",
    "number": "DOUBLE",
}

# Date layouts found in real extracts. A value that starts with a four-digit year is read in
# ISO order by DuckDB's own cast (fast, and strict: 2014-02-30 is not a date): "2014-08-31",
# or with a time as SQL Server exports datetime columns, "2014-08-31 00:00:00.000". A value
# with slashes is read day first (UK order), with or without a time as Excel writes it. The
# time of day is dropped: every contract date is a calendar date.
UK_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
DATE_FORMATS_READABLE = (
    "YYYY-MM-DD",
    "YYYY-MM-DD hh:mm:ss[.fff]",
    "DD/MM/YYYY",
    "DD/MM/YYYY hh:mm[:ss]",
)

# Y/N flags in any case. SQL Server bit columns export as 1/0 or True/False, so those are
# accepted too. A blank flag is unknown (NULL), never "no".
FLAG_TRUE = ("y", "yes", "true", "1")
FLAG_FALSE = ("n", "no", "false", "0")

_YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class ContractColumn:
    table: str
    name: str
    ssd_type: str
    logical_type: str
    description: str
    primary_key: bool
    required: bool
    nullable: bool
    references: str | None
    codes: tuple[str, ...]
    origin: str
    open_end: bool = False  # an end date where blank means "still open" (open_end_dates.csv)

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.logical_type]

    @property
    def is_local_extension(self) -> bool:
        return self.origin == "local-extension"


@dataclass(frozen=True)
class ContractTable:
    name: str
    columns: tuple[ContractColumn, ...]
    required: bool = True  # the file must be in every extract (ssd_tables.csv)
    purpose: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.required)

    @property
    def non_nullable_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.nullable)

    @property
    def open_end_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.open_end)

    def column(self, name: str) -> ContractColumn:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


class Contract(dict[str, ContractTable]):
    """{table name: ContractTable} in the contract's order; ``.tables`` lists the tables."""

    @property
    def tables(self) -> tuple[ContractTable, ...]:
        return tuple(self.values())

    @property
    def required_tables(self) -> tuple[ContractTable, ...]:
        """The files every extract must have (the indicators read them)."""
        return tuple(t for t in self.values() if t.required)


def _parse_row(row: dict[str, str]) -> ContractColumn:
    def yes_no(field: str) -> bool:
        value = row[field].strip().lower()
        if value not in _YES_NO:
            raise ValueError(f"contract: {row['column']}.{field} must be yes or no, not {value!r}")
        return _YES_NO[value]

    logical_type = row["logical_type"].strip()
    if logical_type not in DUCKDB_TYPES:
        raise ValueError(f"contract: {row['column']} has unknown logical_type {logical_type!r}")
    codes = tuple(c.strip() for c in row["codes"].split("|") if c.strip())
    return ContractColumn(
        table=row["table"].strip(),
        name=row["column"].strip().lower(),
        ssd_type=row["ssd_type"].strip(),
        logical_type=logical_type,
        description=row["description"].strip(),
        primary_key=yes_no("primary_key"),
        required=yes_no("required"),
        nullable=yes_no("nullable"),
        references=row["references"].strip() or None,
        codes=codes,
        origin=row["origin"].strip(),
    )


def _open_end_columns(path: Path, columns: list[ContractColumn]) -> set[tuple[str, str]]:
    """The (table, column) pairs of open_end_dates.csv; each must be a nullable date column."""
    if not path.exists():
        return set()
    by_name = {(c.table, c.name): c for c in columns}
    with open(path, newline="", encoding="utf-8") as f:
        pairs = {(r["table"].strip(), r["column"].strip().lower()) for r in csv.DictReader(f)}
    for pair in sorted(pairs):
        column = by_name.get(pair)
        if column is None or column.logical_type != "date" or not column.nullable:
            raise ValueError(
                f"{path.name}: {'.'.join(pair)} must be a date column of the contract in which "
                "a blank is allowed"
            )
    return pairs


@cache
def load_contract(path: Path = CONTRACT_PATH, open_end_path: Path = OPEN_END_PATH) -> Contract:
    """The contract as {table name: ContractTable}, in the order of the CSV (cached; treat it
    as read-only)."""
    with open(path, newline="", encoding="utf-8") as f:
        columns = [_parse_row(row) for row in csv.DictReader(f)]
    open_end = _open_end_columns(open_end_path, columns)
    columns = [replace(c, open_end=True) if (c.table, c.name) in open_end else c for c in columns]
    by_table: dict[str, list[ContractColumn]] = {}
    for column in columns:
        by_table.setdefault(column.table, []).append(column)
    files = _table_rows(path.with_name(TABLES_PATH.name))
    unknown = set(files) - set(by_table)
    if unknown:
        raise ValueError(f"contract: {TABLES_PATH.name} lists tables with no columns: {unknown}")
    return Contract(
        (
            name,
            ContractTable(
                name,
                tuple(cols),
                required=files.get(name, ("yes", ""))[0] == "yes",
                purpose=files.get(name, ("", ""))[1],
            ),
        )
        for name, cols in by_table.items()
    )


def _table_rows(path: Path) -> dict[str, tuple[str, str]]:
    """{table: (required yes/no, purpose)} from ssd_tables.csv; a table not listed is required."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for row in rows:
        required = row["required"].strip().lower()
        if required not in _YES_NO:
            raise ValueError(f"contract: {row['table']}.required must be yes or no")
        out[row["table"].strip()] = (required, row.get("purpose", "").strip())
    return out


def get_table(table_name: str) -> ContractTable:
    """One table of the contract; a clear error for a name that is not an SSD extract."""
    contract = load_contract()
    if table_name not in contract:
        known = ", ".join(contract)
        raise KeyError(f"{table_name!r} is not a table of the extract contract (known: {known})")
    return contract[table_name]
