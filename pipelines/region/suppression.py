"""Suppressing an authority's monthly figures before they leave it (docs/region.md).

The DfE's conventions for published statistics, applied to each month of
marts.fct_indicator_month on its own:

* primary: a count from 1 to threshold - 1 is shown as `c`. The counts are each indicator's
  numerator and denominator and, for a percentage, the complement (denominator minus
  numerator: "not within timescale"), which the two published figures would give by
  subtraction. Zero is published: it names no child (the DfE shows true zeros);
* a percentage goes with its numerator: once the numerator is hidden the percentage is too,
  since with the published denominator it gives the numerator back; a hidden denominator hides
  the whole row;
* secondary: where one published figure counts part of another (relations.py), the
  difference is a count too; when it is from 1 to threshold - 1 the part is hidden. Repeated
  until nothing changes, since hiding one figure can make another difference the last way in.

`c` confidential, `k` a percentage that rounds to 0.00 though its numerator is not 0 (only a
percentage of a denominator over 20,000 times its numerator could), `z` not applicable (a
count's denominator, the percentage of an empty denominator).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from pipelines.region.relations import PROJECT_NESTING, Figure, closure, within_indicator

SUPPRESSED = "c"
ROUNDS_TO_ZERO = "k"
NOT_APPLICABLE = "z"
SYMBOLS = (SUPPRESSED, ROUNDS_TO_ZERO, NOT_APPLICABLE)
UNITS = ("count", "percent")


@dataclass(frozen=True)
class Figures:
    """One indicator's figures for one month, as the warehouse holds them."""

    unit: str
    numerator: int | None
    denominator: int | None
    value: Decimal | float | None


@dataclass(frozen=True)
class Published:
    """The same figures as text for the file: a number or a symbol."""

    numerator: str
    denominator: str
    value: str


def suppress_month(
    rows: Mapping[str, Figures],
    threshold: int,
    nesting: Iterable[tuple[Figure, Figure]] = PROJECT_NESTING,
) -> dict[str, Published]:
    """Every indicator's figures for one month, suppressed together (the relations between
    indicators hold within a month)."""
    for code, figures in rows.items():
        if figures.unit not in UNITS:
            raise ValueError(f"{code}: unit {figures.unit!r}, expected one of {', '.join(UNITS)}")
    hidden: dict[str, set[str]] = {code: set() for code in rows}

    def true_count(figure: Figure) -> int | None:
        code, name = figure
        row = rows[code]
        if name == "complement":
            if row.numerator is None or row.denominator is None:
                return None
            return row.denominator - row.numerator
        return getattr(row, name)

    def published_count(figure: Figure) -> int | None:
        code, name = figure
        needs = ("numerator", "denominator") if name == "complement" else (name,)
        if hidden[code] & set(needs):
            return None
        return true_count(figure)

    def hide(figure: Figure) -> None:
        code, name = figure
        # a hidden denominator leaves nothing to publish; a hidden numerator (or complement,
        # which is the denominator minus it) takes the percentage with it
        if name == "denominator":
            hidden[code] |= {"numerator", "denominator", "value"}
        else:
            hidden[code] |= {"numerator", "value"}

    def small(count: int | None) -> bool:
        return count is not None and 0 < count < threshold

    # primary: every count the file would state or let a reader subtract within one indicator
    for code, row in rows.items():
        names = (
            ("numerator",) if row.unit == "count" else ("numerator", "denominator", "complement")
        )
        for name in names:
            if small(true_count((code, name))):
                hide((code, name))

    # secondary: differences between nested published figures, across indicators
    percentages = [code for code, row in rows.items() if row.unit == "percent"]
    pairs = closure([*within_indicator(percentages), *(p for p in nesting if _present(p, rows))])
    changed = True
    while changed:
        changed = False
        for whole, part in sorted(pairs):
            whole_count, part_count = published_count(whole), published_count(part)
            if whole_count is None or part_count is None:
                continue
            if small(whole_count - part_count):
                hide(part)
                changed = True
    return {code: _published(row, hidden[code]) for code, row in rows.items()}


def _present(pair: tuple[Figure, Figure], rows: Mapping[str, Figures]) -> bool:
    """Both figures exist this month (a relation names figures a warehouse may not have:
    an indicator added later, or a complement of what is a count here)."""
    for code, name in pair:
        if code not in rows:
            return False
        if name != "numerator" and rows[code].unit != "percent":
            return False
    return True


def _published(row: Figures, hidden: set[str]) -> Published:
    def count(name: str) -> str:
        if name in hidden:
            return SUPPRESSED
        number = getattr(row, name)
        return NOT_APPLICABLE if number is None else str(int(number))

    if row.unit == "count":
        # a count's value is its numerator: one number, shown once as each
        numerator = count("numerator")
        return Published(numerator, NOT_APPLICABLE, numerator)
    if "value" in hidden:
        value = SUPPRESSED
    elif row.value is None:
        value = NOT_APPLICABLE  # a percentage of nothing (denominator 0)
    elif Decimal(str(row.value)) == 0 and (row.numerator or 0) > 0:
        value = ROUNDS_TO_ZERO
    else:
        value = f"{Decimal(str(row.value)):.2f}"
    return Published(count("numerator"), count("denominator"), value)
