"""The regional comparison in the board pack (docs/region.md, "In the board pack").

When BOARDPACK_REGIONAL_FILE names a regional file (`boardpack region combine`'s CSV), the pack
reads it here, with the format's own checks (pipelines/region/files.py, read_regional: the one
home of the format), and takes this authority's rows (BOARDPACK_LA_CODE) and the region's
statistics beside them: the regional median on each trend chart where the chart shows the
published value's own scale (context._chart), a "Regional comparison" page and sheet for the
reporting month.

A file that cannot be read, is malformed, does not hold this authority, or holds none of its
figures for the reporting month **stops the pack** with one RegionalFileError line naming the
file (and the row and column) and what was expected, before anything is written: the comparison
was asked for by setting the variable, and a pack that silently left it out would be taken for
one that had it. Without the setting nothing here runs and the pack is as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipelines.pack.formatting import MISSING, fmt_by_kind, fmt_count, fmt_decimal, month_label
from pipelines.region.files import RegionalRow, RegionInputError, read_regional
from pipelines.region.suppression import NOT_APPLICABLE, ROUNDS_TO_ZERO, SUPPRESSED

# The DfE's symbols as the regional file writes them, and what the pack's footnote says of each.
SYMBOL_WORDS = {
    SUPPRESSED: "confidential: suppressed to protect small numbers",
    ROUNDS_TO_ZERO: "a percentage that rounds to 0 but is not 0",
    NOT_APPLICABLE: "not applicable (no figure to show, or an indicator with no better "
    "direction, which is not ranked)",
}


class RegionalFileError(ValueError):
    """One line: the regional file, where in it, and what was expected."""


@dataclass(frozen=True)
class RegionalFile:
    """This authority's rows of a regional file, by (indicator code, month)."""

    path: Path
    authority_code: str
    authority_name: str
    suppression_threshold: int
    authorities_in_region: int  # how many authorities' files were combined
    rows: dict[tuple[str, dt.date], RegionalRow]

    def row(self, code: str, month: dt.date) -> RegionalRow | None:
        return self.rows.get((code, month))

    def medians(self, code: str, months: list[dt.date]) -> list[float | None]:
        """The regional median of each month (None where there is none: no row, or no
        authority's value published)."""
        found = [self.row(code, month) for month in months]
        return [number(r.region_median) if r else None for r in found]


def read_regional_file(path: Path, authority_code: str, month: dt.date) -> RegionalFile:
    """This authority's rows of the regional file at `path`; RegionalFileError when the file is
    unreadable or malformed, or holds nothing for this authority in the reporting month."""
    try:
        rows = read_regional(path)
    except RegionInputError as error:
        raise RegionalFileError(f"regional file (BOARDPACK_REGIONAL_FILE): {error}") from None
    ours = [r for r in rows if r.authority_code == authority_code]
    if not ours:
        codes = sorted({r.authority_code for r in rows})
        held = f"it holds {', '.join(codes)}" if codes else "it has no rows"
        raise RegionalFileError(
            f"regional file (BOARDPACK_REGIONAL_FILE): {path}: no rows for authority "
            f"{authority_code} (BOARDPACK_LA_CODE); {held}; expected a regional file "
            "combined with this authority's published aggregates"
        )
    by_key = {(r.indicator_code, dt.date.fromisoformat(r.month)): r for r in ours}
    if not any(key_month == month for _, key_month in by_key):
        months = sorted({m for _, m in by_key})
        raise RegionalFileError(
            f"regional file (BOARDPACK_REGIONAL_FILE): {path}: no rows for {authority_code} in "
            f"{month:%Y-%m} (its rows are for {months[0]:%Y-%m} to {months[-1]:%Y-%m}); "
            "expected a regional file combined from aggregates published for the reporting month"
        )
    first = ours[0]
    return RegionalFile(
        path=Path(path),
        authority_code=authority_code,
        authority_name=first.authority_name,
        suppression_threshold=first.suppression_threshold,
        authorities_in_region=max(r.authorities_in_region for r in rows),
        rows=by_key,
    )


def number(cell: str) -> float | None:
    """A figure of the file (checked by read_regional: a number or a symbol) as a number; None
    for a symbol."""
    return None if cell in (SUPPRESSED, ROUNDS_TO_ZERO, NOT_APPLICABLE) else float(cell)


def value_number(row: RegionalRow) -> float | None:
    """The authority's published value as a number (a `k` percentage: its numerator over its
    denominator, as the regional statistics took it); None where it is not published."""
    if row.value == ROUNDS_TO_ZERO:
        return 100 * float(row.numerator) / float(row.denominator)
    return number(row.value)


def kind_of(unit: str) -> str:
    return "percent" if unit == "percent" else "count"


def _figure(cell: str, unit: str) -> str:
    """A figure in the pack's number convention, or its DfE symbol as published."""
    figure = number(cell)
    if figure is None:
        return cell
    if unit == "count" and figure != round(figure):
        # a median of counts can fall between two: the convention's decimal places (halves
        # away from zero), not a rounded count
        return fmt_decimal(figure)
    return fmt_by_kind(figure, kind_of(unit))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(row: RegionalRow) -> str:
    """ "3rd of 10" (of the authorities contributing), or the rank's DfE symbol."""
    if row.rank.isdigit():
        return f"{ordinal(int(row.rank))} of {row.authorities_contributing}"
    return row.rank


@dataclass(frozen=True)
class ComparisonLine:
    """One indicator's line of the "Regional comparison" page, ready-formatted."""

    code: str
    name: str
    anchor: str
    value: str
    lower_quartile: str
    median: str
    upper_quartile: str
    rank: str
    contributing: str  # "9 of 10"
    polarity: str


POLARITY_WORDS = {"higher": "Higher is better", "lower": "Lower is better", "neither": "Neither"}


def comparison_section(regional: RegionalFile, pages: list, month: dt.date) -> dict[str, object]:
    """The "Regional comparison" page: one line per indicator for the reporting month (an
    indicator the file does not hold says so), and the words around the table."""
    lines = []
    symbols: set[str] = set()
    for page in pages:
        row = regional.row(page.code, month)
        if row is None:
            lines.append(
                ComparisonLine(page.code, page.name, page.anchor, MISSING, MISSING, MISSING,
                               MISSING, MISSING, "not in the regional file", "")
            )  # fmt: skip
            continue
        cells = (row.value, row.region_lower_quartile, row.region_median,
                 row.region_upper_quartile, row.rank)  # fmt: skip
        symbols |= {c for c in cells if c in SYMBOL_WORDS}
        lines.append(
            ComparisonLine(
                code=page.code,
                name=page.name,
                anchor=page.anchor,
                value=_figure(row.value, row.unit),
                lower_quartile=_figure(row.region_lower_quartile, row.unit),
                median=_figure(row.region_median, row.unit),
                upper_quartile=_figure(row.region_upper_quartile, row.unit),
                rank=rank_text(row),
                contributing=f"{row.authorities_contributing} of {row.authorities_in_region}",
                polarity=POLARITY_WORDS.get(row.polarity, row.polarity),
            )
        )
    return {
        "month_label": month_label(month),
        "file_name": regional.path.name,
        "authority_code": regional.authority_code,
        "authority_name": regional.authority_name,
        "authorities": fmt_count(regional.authorities_in_region),
        "threshold": regional.suppression_threshold,
        "lines": lines,
        "symbols": list(SYMBOL_WORDS.items()),
        "symbols_shown": sorted(symbols),
    }
