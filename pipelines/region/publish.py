"""One authority's suppressed aggregates, from its warehouse (docs/region.md).

    publish(database, out, authority_code=..., authority_name=..., threshold=5) -> (csv, json)

Reads only marts.fct_indicator_month's indicator figures (code, month, unit, numerator,
denominator, value): monthly totals, never a child's record. The catalogue's wording,
targets and comparators are not copied: they are the same in every authority running this
project, and the regional file is read beside the authority's own pack.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.csv_safety import safe_frame
from pipelines.region.files import COLUMNS, Metadata, metadata_path, write_metadata
from pipelines.region.relations import PROJECT_NESTING, Figure
from pipelines.region.suppression import Figures, suppress_month

FIGURES_QUERY = """
    select indicator_code, cast(month as varchar) as month, unit, numerator, denominator, value
    from marts.fct_indicator_month
    order by month, display_order, indicator_code
"""


class PublishError(RuntimeError):
    """Why nothing was published, in one line."""


def read_figures(database: Path) -> tuple[pd.DataFrame, str]:
    """The warehouse's monthly figures and its reporting month (YYYY-MM)."""
    if not database.is_file():
        raise PublishError(f"no warehouse at {database}: run `boardpack run` first")
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as error:
        raise PublishError(
            f"the warehouse {database} cannot be opened ({str(error).splitlines()[0]}); "
            "if a run is using it, publish after the run"
        ) from None
    try:
        frame = con.execute(FIGURES_QUERY).df()
        (month,) = con.execute(
            "select strftime(month, '%Y-%m') from reference.reporting_month"
        ).fetchone()
    except duckdb.CatalogException:
        raise PublishError(
            f"the warehouse {database} has no marts.fct_indicator_month: run `boardpack run` first"
        ) from None
    finally:
        con.close()
    return frame, month


def suppress_frame(
    frame: pd.DataFrame,
    threshold: int,
    nesting: Iterable[tuple[Figure, Figure]] = PROJECT_NESTING,
) -> pd.DataFrame:
    """The figures (indicator_code, month, unit, numerator, denominator, value) with every
    number as text and the suppressed ones as symbols, month by month."""
    nesting = tuple(nesting)
    out = []
    for month, group in frame.groupby("month", sort=True):
        rows = {
            row.indicator_code: Figures(
                unit=row.unit,
                numerator=_whole(row.numerator),
                denominator=_whole(row.denominator),
                value=None if pd.isna(row.value) else row.value,
            )
            for row in group.itertuples(index=False)
        }
        published = suppress_month(rows, threshold, nesting)
        for code, row in rows.items():
            cells = published[code]
            out.append(
                (code, str(month), row.unit, cells.numerator, cells.denominator, cells.value)
            )
    columns = ["indicator_code", "month", "unit", "numerator", "denominator", "value"]
    return pd.DataFrame(out, columns=columns, dtype=object)


def _whole(number) -> int | None:
    return None if pd.isna(number) else int(number)


def publish(
    database: Path,
    out: Path,
    *,
    authority_code: str,
    authority_name: str,
    threshold: int,
    today: date | None = None,
) -> tuple[Path, Path]:
    """Write `out` (the suppressed figures) and its metadata beside it; return both paths."""
    if out.suffix.lower() != ".csv":
        raise PublishError(f"{out}: expected a file name ending .csv")
    figures, reporting_month = read_figures(database)
    published = suppress_frame(figures, threshold)
    published.insert(0, "authority_code", authority_code)
    published = published[list(COLUMNS)]
    metadata = Metadata(
        authority_code=authority_code,
        authority_name=authority_name,
        generated=(today or date.today()).isoformat(),
        reporting_month=reporting_month,
        suppression_threshold=threshold,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    # written beside the target and renamed: a reader never sees half a file
    partial = out.with_name(f".{out.name}.partial")
    safe_frame(published).to_csv(partial, index=False, lineterminator="\n")
    meta = metadata_path(out)
    partial_meta = meta.with_name(f".{meta.name}.partial")
    write_metadata(partial_meta, metadata)
    os.replace(partial, out)
    os.replace(partial_meta, meta)
    return out, meta


def valid_authority_code(code: str) -> None:
    """An ONS code (E06000001): a letter and eight digits. Anything else is a misconfiguration
    that would mislabel the figures in every regional file they reach."""
    if not (len(code) == 9 and code[0].isalpha() and code[1:].isdigit()):
        raise PublishError(
            f"BOARDPACK_LA_CODE={code!r}: expected the authority's ONS code, a letter and eight "
            "digits (e.g. E09000027)"
        )
