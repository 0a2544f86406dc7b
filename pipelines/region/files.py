"""The aggregates file an authority publishes, and reading one back; reading a regional file.

    <name>.csv            one row per indicator per month: authority_code, indicator_code,
                          month, unit, numerator, denominator, value (a number or c / k / z)
    <name>.metadata.json  the authority's code and name, the date it was generated, the
                          reporting month of the warehouse and the suppression threshold

Reading checks everything `combine` relies on and turns each problem into one
`RegionInputError` line naming the file, the row (the CSV line, the header being line 1), the
column and what was expected: a file from another authority's system is read by someone who
cannot see its code. It also refuses a file with a count from 1 to threshold - 1 showing: such
a file was not suppressed, and must not be passed on in a regional file.

The regional file `combine` writes (REGIONAL_COLUMNS) is read back by read_regional, for the
board pack (pipelines/pack/regional.py), with the same checks on each authority's figures and
one line for every problem.
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
# The regional file `boardpack region combine` writes (combine.py; docs/region.md "The regional
# file"): one row per authority x indicator x month.
REGIONAL_COLUMNS = (
    "indicator_code",
    "month",
    "unit",
    "polarity",
    "authority_code",
    "authority_name",
    "numerator",
    "denominator",
    "value",
    "rank",
    "authorities_contributing",
    "authorities_in_region",
    "region_lower_quartile",
    "region_median",
    "region_upper_quartile",
    "suppression_threshold",
)
POLARITIES = ("higher", "lower", "neither")
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
    records = _read_records(path, COLUMNS, "an aggregates CSV")
    _check_header(path, tuple(records[0]), COLUMNS)
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


def _read_records(path: Path, columns: tuple[str, ...], what: str) -> list[list[str]]:
    """The CSV's rows (the header first); RegionInputError when it cannot be read or is empty."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise RegionInputError(f"{path}: not UTF-8 text; expected {what}") from None
    except OSError as error:
        readable = what.split(" ", 1)[1]  # "an aggregates CSV" -> "a readable aggregates CSV"
        raise RegionInputError(
            f"{path}: cannot be read ({error.strerror}); expected a readable {readable}"
        ) from None
    if not records:
        raise RegionInputError(
            f"{path}: row 1: empty file; expected the header {','.join(columns)}"
        )
    return records


def _check_header(path: Path, header: tuple[str, ...], columns: tuple[str, ...]) -> None:
    if header == columns:
        return
    for index, column in enumerate(columns):
        found = header[index] if index < len(header) else None
        if found != column:
            raise RegionInputError(
                f"{path}: row 1, column {index + 1}: header {found!r}; expected {column!r} "
                f"(the columns are {','.join(columns)})"
            )
    raise RegionInputError(
        f"{path}: row 1, column {len(columns) + 1}: header {header[len(columns)]!r}; "
        f"expected no more columns than {','.join(columns)}"
    )


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


@dataclass(frozen=True)
class RegionalRow:
    """One authority's figures for one indicator and month in a regional file, with the
    region's statistics (every figure as the file writes it: a number or a symbol)."""

    line: int  # in the CSV file, for messages
    indicator_code: str
    month: str
    unit: str
    polarity: str
    authority_code: str
    authority_name: str
    numerator: str
    denominator: str
    value: str
    rank: str  # 1 is the best; `z` not ranked (polarity neither); the value's `c` or `z`
    authorities_contributing: int
    authorities_in_region: int
    region_lower_quartile: str  # a number, or `z` when no authority's value is published
    region_median: str
    region_upper_quartile: str
    suppression_threshold: int


def read_regional(path: Path) -> list[RegionalRow]:
    """A regional file, checked row by row; RegionInputError (one line naming the file, the row
    and the column) on the first problem. Each authority's figures pass the same checks as its
    published file (a count from 1 to threshold - 1 showing is refused here too)."""
    path = Path(path)
    if not path.is_file():
        raise RegionInputError(f"{path}: no such file; expected a regional CSV")
    records = _read_records(path, REGIONAL_COLUMNS, "a regional CSV")
    _check_header(path, tuple(records[0]), REGIONAL_COLUMNS)
    rows: list[RegionalRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    threshold: tuple[int, int] | None = None  # the file's threshold and the row it was first on
    for line, record in enumerate(records[1:], start=2):
        if len(record) != len(REGIONAL_COLUMNS):
            raise RegionInputError(
                f"{path}: row {line}: {len(record)} cells; expected {len(REGIONAL_COLUMNS)}"
            )
        cells = dict(zip(REGIONAL_COLUMNS, (cell.strip() for cell in record), strict=True))
        row = _check_regional_row(path, line, cells)
        if threshold is None:
            threshold = (row.suppression_threshold, line)
        elif row.suppression_threshold != threshold[0]:
            raise RegionInputError(
                f"{path}: row {line}, column suppression_threshold: "
                f"{cells['suppression_threshold']!r}; expected {threshold[0]}, as on row "
                f"{threshold[1]} (one threshold for the whole region)"
            )
        key = (row.indicator_code, row.month, row.authority_code)
        if key in seen:
            raise RegionInputError(
                f"{path}: row {line}, column authority_code: {row.authority_code} for "
                f"{row.indicator_code} in {row.month} again (first on row {seen[key]}); expected "
                "one row per authority, indicator and month"
            )
        seen[key] = line
        rows.append(row)
    return rows


def _check_regional_row(path: Path, line: int, cells: dict[str, str]) -> RegionalRow:
    def fail(column: str, expected: str) -> RegionInputError:
        return RegionInputError(
            f"{path}: row {line}, column {column}: {cells[column]!r}; expected {expected}"
        )

    if not re.match(r"^[A-Z]\d{8}$", cells["authority_code"]):
        raise fail("authority_code", "an ONS code (a letter and eight digits)")
    raw_threshold = cells["suppression_threshold"]
    if not WHOLE.match(raw_threshold) or int(raw_threshold) < 3:
        raise fail("suppression_threshold", "a whole number of at least 3")
    # the authority's own figures: the checks its published file passed
    metadata = Metadata(
        authority_code=cells["authority_code"],
        authority_name=cells["authority_name"],
        generated="",
        reporting_month="",
        suppression_threshold=int(raw_threshold),
    )
    figures = _check_row(path, line, {k: cells[k] for k in COLUMNS}, metadata)
    if cells["polarity"] not in POLARITIES:
        raise fail("polarity", " or ".join(POLARITIES))
    counts = {}
    for column in ("authorities_contributing", "authorities_in_region"):
        if not WHOLE.match(cells[column]):
            raise fail(column, "a whole number")
        counts[column] = int(cells[column])
    contributing, in_region = counts["authorities_contributing"], counts["authorities_in_region"]
    if in_region < 1:
        raise fail("authorities_in_region", "1 or more")
    if contributing > in_region:
        raise fail("authorities_contributing", f"at most authorities_in_region, {in_region}")
    published = figures.value not in (SUPPRESSED, NOT_APPLICABLE)
    if published and contributing < 1:
        raise fail("authorities_contributing", "1 or more: this authority's value is published")
    quartiles = ("region_lower_quartile", "region_median", "region_upper_quartile")
    for column in quartiles:
        if contributing == 0 and cells[column] != NOT_APPLICABLE:
            raise fail(column, "`z`: no authority's value contributes")
        if contributing > 0 and not NUMBER.match(cells[column]):
            raise fail(column, "a number")
    if contributing > 0:
        low, median, high = (float(cells[column]) for column in quartiles)
        if not low <= median <= high:
            raise fail("region_median", "between the lower and upper quartiles")
    rank = cells["rank"]
    if not published:
        if rank != figures.value:
            raise fail("rank", f"{figures.value!r}, the value's own symbol")
    elif cells["polarity"] == "neither":
        if rank != NOT_APPLICABLE:
            raise fail("rank", "`z`: an indicator with no better direction is not ranked")
    elif not WHOLE.match(rank) or not 1 <= int(rank) <= contributing:
        raise fail("rank", f"a whole number from 1 to authorities_contributing, {contributing}")
    return RegionalRow(
        line=line,
        indicator_code=figures.indicator_code,
        month=figures.month,
        unit=figures.unit,
        polarity=cells["polarity"],
        authority_code=cells["authority_code"],
        authority_name=cells["authority_name"],
        numerator=figures.numerator,
        denominator=figures.denominator,
        value=figures.value,
        rank=rank,
        authorities_contributing=contributing,
        authorities_in_region=in_region,
        region_lower_quartile=cells["region_lower_quartile"],
        region_median=cells["region_median"],
        region_upper_quartile=cells["region_upper_quartile"],
        suppression_threshold=int(raw_threshold),
    )
