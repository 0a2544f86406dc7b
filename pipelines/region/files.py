"""The aggregates file an authority publishes, and reading one back.

    <name>.csv            one row per indicator per month: authority_code, indicator_code,
                          month, unit, numerator, denominator, value (a number or c / k / z)
    <name>.metadata.json  the authority's code and name, the date it was generated, the
                          reporting month of the warehouse and the suppression threshold

Reading checks everything `combine` relies on and turns each problem into one
`RegionInputError` line naming the file, the row (the CSV line, the header being line 1), the
column and what was expected: a file from another authority's system is read by someone who
cannot see its code. It also refuses a file with a count from 1 to threshold - 1 showing: such
a file was not suppressed, and must not be passed on in a regional file.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from pipelines.region.suppression import NOT_APPLICABLE, ROUNDS_TO_ZERO, SUPPRESSED, UNITS

COLUMNS = (
    "authority_code",
    "indicator_code",
    "month",
    "unit",
    "numerator",
    "denominator",
    "value",
)
METADATA_KEYS = (
    "authority_code",
    "authority_name",
    "generated",
    "reporting_month",
    "suppression_threshold",
)
FORMAT = "boardpack regional aggregates 1"
WHOLE = re.compile(r"^\d+$")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
MONTH = re.compile(r"^\d{4}-\d{2}-01$")


class RegionInputError(ValueError):
    """One line: the file, where in it, and what was expected."""


@dataclass(frozen=True)
class Metadata:
    authority_code: str
    authority_name: str
    generated: str  # ISO date
    reporting_month: str  # YYYY-MM: the warehouse's as-at month
    suppression_threshold: int
    format: str = FORMAT


@dataclass(frozen=True)
class AggregateRow:
    line: int  # in the CSV file, for messages
    indicator_code: str
    month: str
    unit: str
    numerator: str
    denominator: str
    value: str


@dataclass(frozen=True)
class Aggregates:
    path: Path
    metadata: Metadata
    rows: list[AggregateRow]


def metadata_path(csv_path: Path) -> Path:
    return csv_path.with_suffix(".metadata.json")


def read_aggregates(path: Path) -> Aggregates:
    """The file and its metadata, checked; RegionInputError on the first problem."""
    metadata = _read_metadata(path)
    rows = _read_rows(path, metadata)
    return Aggregates(path, metadata, rows)


def write_metadata(path: Path, metadata: Metadata) -> None:
    path.write_text(json.dumps(asdict(metadata), indent=2) + "\n", encoding="utf-8")


def _read_metadata(path: Path) -> Metadata:
    meta = metadata_path(path)
    if not path.is_file():
        raise RegionInputError(f"{path}: no such file; expected an aggregates CSV")
    if not meta.is_file():
        raise RegionInputError(
            f"{meta}: no such file; expected the metadata published beside {path.name}"
        )
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except OSError as error:
        raise RegionInputError(
            f"{meta}: cannot be read ({error.strerror}); expected readable metadata"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RegionInputError(
            f"{meta}: not JSON ({error}); expected {FORMAT!r} metadata"
        ) from None
    if not isinstance(data, dict):
        raise RegionInputError(f"{meta}: expected a JSON object with {', '.join(METADATA_KEYS)}")
    if data.get("format", FORMAT) != FORMAT:
        raise RegionInputError(f"{meta}: key format is {data.get('format')!r}; expected {FORMAT!r}")
    for key in METADATA_KEYS:
        if not isinstance(data.get(key), str | int) or str(data.get(key)).strip() == "":
            raise RegionInputError(f"{meta}: key {key} is missing or blank; expected a value")
    threshold = data["suppression_threshold"]
    if isinstance(threshold, bool) or not str(threshold).isdigit() or int(threshold) < 3:
        raise RegionInputError(
            f"{meta}: key suppression_threshold is {threshold!r}; expected a whole number of "
            "at least 3"
        )
    try:
        date.fromisoformat(str(data["generated"]))
    except ValueError:
        raise RegionInputError(
            f"{meta}: key generated is {data['generated']!r}; expected a date as YYYY-MM-DD"
        ) from None
    return Metadata(
        authority_code=str(data["authority_code"]).strip(),
        authority_name=str(data["authority_name"]).strip(),
        generated=str(data["generated"]),
        reporting_month=str(data["reporting_month"]),
        suppression_threshold=int(threshold),
    )


def _read_rows(path: Path, metadata: Metadata) -> list[AggregateRow]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise RegionInputError(f"{path}: not UTF-8 text; expected an aggregates CSV") from None
    except OSError as error:
        raise RegionInputError(
            f"{path}: cannot be read ({error.strerror}); expected a readable aggregates CSV"
        ) from None
    if not records:
        raise RegionInputError(
            f"{path}: row 1: empty file; expected the header {','.join(COLUMNS)}"
        )
    header = tuple(records[0])
    if header != COLUMNS:
        for index, column in enumerate(COLUMNS):
            found = header[index] if index < len(header) else None
            if found != column:
                raise RegionInputError(
                    f"{path}: row 1, column {index + 1}: header {found!r}; expected {column!r} "
                    f"(the columns are {','.join(COLUMNS)})"
                )
        raise RegionInputError(
            f"{path}: row 1, column {len(COLUMNS) + 1}: header {header[len(COLUMNS)]!r}; "
            f"expected no more columns than {','.join(COLUMNS)}"
        )
    rows, seen = [], {}
    for line, record in enumerate(records[1:], start=2):
        if len(record) != len(COLUMNS):
            raise RegionInputError(
                f"{path}: row {line}: {len(record)} cells; expected {len(COLUMNS)}"
            )
        cells = dict(zip(COLUMNS, (cell.strip() for cell in record), strict=True))
        row = _check_row(path, line, cells, metadata)
        key = (row.indicator_code, row.month)
        if key in seen:
            raise RegionInputError(
                f"{path}: row {line}, column indicator_code: {row.indicator_code} for "
                f"{row.month} again (first on row {seen[key]}); expected one row per indicator "
                "per month"
            )
        seen[key] = line
        rows.append(row)
    return rows


def _check_row(path: Path, line: int, cells: dict[str, str], metadata: Metadata) -> AggregateRow:
    def fail(column: str, expected: str) -> RegionInputError:
        return RegionInputError(
            f"{path}: row {line}, column {column}: {cells[column]!r}; expected {expected}"
        )

    if cells["authority_code"] != metadata.authority_code:
        raise fail("authority_code", f"{metadata.authority_code!r}, as in the metadata")
    if not cells["indicator_code"]:
        raise fail("indicator_code", "an indicator code")
    if not MONTH.match(cells["month"]):
        raise fail("month", "the first day of a month, YYYY-MM-01")
    try:
        date.fromisoformat(cells["month"])
    except ValueError:
        raise fail("month", "the first day of a month, YYYY-MM-01") from None
    if cells["unit"] not in UNITS:
        raise fail("unit", " or ".join(UNITS))
    threshold = metadata.suppression_threshold
    counts = {"numerator": (SUPPRESSED, NOT_APPLICABLE)}
    counts["denominator"] = (
        (NOT_APPLICABLE,) if cells["unit"] == "count" else (SUPPRESSED, NOT_APPLICABLE)
    )
    for column, symbols in counts.items():
        cell = cells[column]
        if cell in symbols:
            continue
        if not WHOLE.match(cell) or (cells["unit"] == "count" and column == "denominator"):
            allowed = " or ".join(f"`{s}`" for s in symbols)
            kind = "" if column == "denominator" and cells["unit"] == "count" else "a count or "
            raise fail(column, f"{kind}{allowed}")
        if 0 < int(cell) < threshold:
            raise fail(
                column, f"0, {threshold} or more, or `c` (the file's threshold is {threshold})"
            )
    value_symbols = (SUPPRESSED, ROUNDS_TO_ZERO, NOT_APPLICABLE)
    if cells["value"] not in value_symbols and not NUMBER.match(cells["value"]):
        raise fail("value", "a number or `c`, `k` or `z`")
    numerator, denominator = cells["numerator"], cells["denominator"]
    if cells["value"] == ROUNDS_TO_ZERO and not (
        cells["unit"] == "percent" and WHOLE.match(numerator) and WHOLE.match(denominator)
    ):
        raise fail("value", "`k` only for a percentage whose numerator and denominator are shown")
    if WHOLE.match(numerator) and WHOLE.match(denominator):
        complement = int(denominator) - int(numerator)
        if complement < 0:
            raise fail("numerator", f"at most the denominator, {denominator}")
        if 0 < complement < threshold:
            raise fail(
                "numerator",
                f"`c`: the denominator minus it is {complement}, under the threshold {threshold}",
            )
    if (
        cells["unit"] == "percent"
        and numerator == SUPPRESSED
        and WHOLE.match(denominator)
        and cells["value"] != SUPPRESSED
    ):
        raise fail("value", "`c`: with the denominator it would give the hidden numerator")
    if (
        cells["unit"] == "count"
        and cells["value"] != numerator
        and not (
            NUMBER.match(cells["value"])
            and WHOLE.match(numerator)
            and float(cells["value"]) == int(numerator)
        )
    ):
        raise fail("value", f"a count's value is its numerator, {numerator}")
    return AggregateRow(
        line=line,
        indicator_code=cells["indicator_code"],
        month=cells["month"],
        unit=cells["unit"],
        numerator=numerator,
        denominator=denominator,
        value=cells["value"],
    )
