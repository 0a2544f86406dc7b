"""N authorities' aggregates files -> the regional file (docs/region.md).

One row per authority x indicator x month, with that authority's published figures, its rank
in the region and the region's lower quartile, median and upper quartile beside it, so a pack
reads its own rows and has the region on the same line.

* Only published values take part: `c` (suppressed) and `z` (not applicable) are left out of
  the quartiles and the ranks, and `authorities_contributing` says how many took part. A `k`
  percentage (rounds to 0.00, numerator not 0) takes part as its numerator over its
  denominator, both published when it is shown.
* Quartiles: linear interpolation between the ordered values (Hyndman and Fan's type 7: R's
  and numpy's default, Excel's QUARTILE.INC): the p-th quantile of n sorted values x(1..n) is
  at position h = (n - 1) p + 1, x(floor h) + (h - floor h)(x(floor h + 1) - x(floor h)).
  Worked in exact decimals, then rounded to 2 dp, halves away from zero.
* Rank: 1 is the best by the catalogue's indicator_guide (seeds/ref_indicator_catalogue.csv):
  `higher` ranks the highest value 1, `lower` the lowest; equal values share the better rank
  and the next is skipped (1, 2, 2, 4). An indicator whose guide is `neither` is not ranked
  (`z`), nor is an authority whose value is not published (its value's symbol).
* Nothing is added up: the file carries no regional totals, which could be subtracted from to
  reach a suppressed authority's figure.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pipelines.plain_settings import DBT_PROJECT_DIR
from pipelines.region.files import (  # the regional file's columns: files.py, with its reader
    POLARITIES,
    REGIONAL_COLUMNS,
    Aggregates,
    RegionInputError,
    metadata_path,
    read_aggregates,
)
from pipelines.region.suppression import NOT_APPLICABLE, ROUNDS_TO_ZERO, SUPPRESSED

CATALOGUE = DBT_PROJECT_DIR / "seeds" / "ref_indicator_catalogue.csv"


@dataclass(frozen=True)
class CatalogueEntry:
    display_order: int
    unit: str
    polarity: str


def read_catalogue(path: Path = CATALOGUE) -> dict[str, CatalogueEntry]:
    """Each indicator's unit and polarity (indicator_guide), from the catalogue seed."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: CatalogueEntry(
                int(row["display_order"]), row["unit"], row["indicator_guide"]
            )
            for row in csv.DictReader(handle)
        }


def combine_files(
    paths: Sequence[Path], catalogue: dict[str, CatalogueEntry] | None = None
) -> list[dict[str, str]]:
    """Read and check every file, then the regional rows; RegionInputError on a problem."""
    if not paths:
        raise RegionInputError("no aggregates files given; expected one per authority")
    files = [read_aggregates(Path(path)) for path in paths]
    return combine(files, catalogue or read_catalogue())


def combine(
    files: Sequence[Aggregates], catalogue: dict[str, CatalogueEntry]
) -> list[dict[str, str]]:
    _check_together(files, catalogue)
    threshold = files[0].metadata.suppression_threshold
    cells: dict[tuple[str, str], list[tuple[Aggregates, object]]] = {}
    for aggregates in files:
        for row in aggregates.rows:
            cells.setdefault((row.indicator_code, row.month), []).append((aggregates, row))
    out = []
    for (code, month), entries in sorted(
        cells.items(), key=lambda item: (catalogue[item[0][0]].display_order, item[0][1])
    ):
        entry = catalogue[code]
        numbers = {agg.metadata.authority_code: _number(row) for agg, row in entries}
        published = sorted(n for n in numbers.values() if n is not None)
        quartiles = [
            _quantile(published, p) for p in (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))
        ]
        for aggregates, row in sorted(entries, key=lambda e: e[0].metadata.authority_code):
            number = numbers[aggregates.metadata.authority_code]
            out.append(
                {
                    "indicator_code": code,
                    "month": month,
                    "unit": row.unit,
                    "polarity": entry.polarity,
                    "authority_code": aggregates.metadata.authority_code,
                    "authority_name": aggregates.metadata.authority_name,
                    "numerator": row.numerator,
                    "denominator": row.denominator,
                    "value": row.value,
                    "rank": _rank(number, published, entry.polarity, row.value),
                    "authorities_contributing": str(len(published)),
                    "authorities_in_region": str(len(files)),
                    "region_lower_quartile": quartiles[0],
                    "region_median": quartiles[1],
                    "region_upper_quartile": quartiles[2],
                    "suppression_threshold": str(threshold),
                }
            )
    return out


def _check_together(files: Sequence[Aggregates], catalogue: dict[str, CatalogueEntry]) -> None:
    """What no single file can show wrong: one file per authority, one threshold, the
    catalogue's indicators in the catalogue's units."""
    first_by_code: dict[str, Path] = {}
    reference = files[0]
    for aggregates in files:
        meta = aggregates.metadata
        if meta.authority_code in first_by_code:
            raise RegionInputError(
                f"{metadata_path(aggregates.path)}: key authority_code is {meta.authority_code!r}, "
                f"the same as {first_by_code[meta.authority_code]}; expected one file per authority"
            )
        first_by_code[meta.authority_code] = aggregates.path
        if meta.suppression_threshold != reference.metadata.suppression_threshold:
            raise RegionInputError(
                f"{metadata_path(aggregates.path)}: key suppression_threshold is "
                f"{meta.suppression_threshold}; expected "
                f"{reference.metadata.suppression_threshold}, as in {reference.path} "
                "(publish every authority with the same "
                "BOARDPACK_SUPPRESSION_THRESHOLD)"
            )
        for row in aggregates.rows:
            entry = catalogue.get(row.indicator_code)
            if entry is None:
                raise RegionInputError(
                    f"{aggregates.path}: row {row.line}, column indicator_code: "
                    f"{row.indicator_code!r}; expected an indicator of the catalogue "
                    f"({CATALOGUE.name})"
                )
            if entry.unit != row.unit:
                raise RegionInputError(
                    f"{aggregates.path}: row {row.line}, column unit: {row.unit!r}; expected "
                    f"{entry.unit!r}, the catalogue's unit for {row.indicator_code}"
                )
            if entry.polarity not in POLARITIES:
                raise RegionInputError(
                    f"{CATALOGUE}: indicator_guide of {row.indicator_code} is "
                    f"{entry.polarity!r}; expected one of {', '.join(POLARITIES)}"
                )


def _number(row) -> Decimal | None:
    """The value as a number, or None where it is not published."""
    if row.value in (SUPPRESSED, NOT_APPLICABLE):
        return None
    if row.value == ROUNDS_TO_ZERO:
        # both published whenever the value is k (suppression.py)
        return Decimal(100) * Decimal(row.numerator) / Decimal(row.denominator)
    return Decimal(row.value)


def _quantile(values: list[Decimal], p: Decimal) -> str:
    """Type 7 (linear interpolation), 2 dp; `z` when no authority's value is published."""
    if not values:
        return NOT_APPLICABLE
    h = (len(values) - 1) * p
    low = int(h)
    fraction = h - low
    upper = values[min(low + 1, len(values) - 1)]
    result = values[low] + fraction * (upper - values[low])
    return str(result.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _rank(number: Decimal | None, published: list[Decimal], polarity: str, value: str) -> str:
    if number is None:
        return value  # c or z: not ranked, for the same reason its value is not shown
    if polarity == "neither":
        return NOT_APPLICABLE
    better = [n for n in published if (n > number if polarity == "higher" else n < number)]
    return str(len(better) + 1)


def write_regional(rows: list[dict[str, str]], out: Path) -> Path:
    from pipelines.csv_safety import safe_cell

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGIONAL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: safe_cell(value) for key, value in row.items()})
    partial.replace(out)
    return out
