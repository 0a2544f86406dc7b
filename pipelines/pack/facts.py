"""Key figures printed under the team's comment on each indicator page ("Key figures").

They say what a reader needs to judge the figure and that the seed pack's authors had to type
by hand: the numerator and denominator, a small-numbers warning, the three-month figure for
percentage indicators, and any data-quality caveat from the checks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipelines.pack.formatting import (
    add_months,
    as_float,
    fmt_count,
    fmt_percent,
    fmt_points,
    months_phrase,
)

# A check's warnings can touch an indicator many times over (one per failing expectation);
# the page shows the largest few so the facts stay readable, and says how many more there are.
MAX_CAVEATS = 2


@dataclass(frozen=True)
class Wording:
    """How to say "N <things> were <done>, of which M (x%) <met the standard>"; from the
    indicator's catalogue row (counted_singular, counted_plural, counted_verb, met_phrase)."""

    singular: str
    plural: str
    done: str  # "held", "completed", "received"
    met: str  # plural verb phrase: "were in timescale", "progressed to an initial assessment"

    @classmethod
    def of(cls, row: dict) -> Wording | None:
        """None for indicators with no three-month sentence: only percentages counted in
        month carry its words (summing a snapshot over three months would count the same
        children again; the catalogue's test holds the rule)."""
        if not row["counted_plural"]:
            return None
        return cls(
            row["counted_singular"], row["counted_plural"], row["counted_verb"], row["met_phrase"]
        )


@dataclass(frozen=True)
class Fact:
    kind: str  # "counts", "small_numbers", "three_month", "caveat"
    text: str


def indicator_facts(
    row: dict, series: list[dict], month_start: dt.date, caveats: list[str]
) -> list[Fact]:
    facts: list[Fact] = []
    percent = row["unit"] == "percent"
    numerator, denominator = as_float(row["numerator"]), as_float(row["denominator"])
    if percent:
        facts.append(
            Fact(
                "counts",
                f"Numerator {fmt_count(numerator)}; denominator {fmt_count(denominator)}.",
            )
        )
        small = small_numbers_text(row)
        if small:
            facts.append(Fact("small_numbers", small))
        sentence = three_month_sentence(row, series, month_start)
        if sentence:
            facts.append(Fact("three_month", sentence))
    facts.extend(caveat_facts(caveats))
    return facts


# A field name in brackets after its label, "CIN Closure Date (cine_close_date)": for the team,
# not the board (the checks' own pages, Data Docs, keep them).
_FIELD_NAME = re.compile(r"\s*\((?:[a-z0-9]+_)+[a-z0-9]+\)")


def caveat_facts(caveats: list[str]) -> list[Fact]:
    """The MAX_CAVEATS caveats touching the most records, then a count of the rest.
    pipelines.quality starts each sentence with its record count ("24 CLA placement records:
    ...") and orders them by table; the board needs the largest first. Field names in
    brackets are left out: the label before them says it in words."""
    ordered = sorted(caveats, key=lambda text: -_leading_count(text))  # stable for ties
    shown = [
        Fact("caveat", f"Data quality: {_FIELD_NAME.sub('', text)}")
        for text in ordered[:MAX_CAVEATS]
    ]
    rest = len(caveats) - MAX_CAVEATS
    if rest > 0:
        more = "warning" if rest == 1 else "warnings"
        shown.append(
            Fact(
                "caveat",
                f"Data quality: {rest} further {more} on these records "
                "(see the data quality and cleansing section).",
            )
        )
    return shown


def _leading_count(text: str) -> int:
    match = re.match(r"\s*([\d,]+)\s", text)
    return int(match.group(1).replace(",", "")) if match else 0


def small_numbers_text(row: dict) -> str | None:
    """'Small numbers: one record moves this figure by 12.50 points.' where the denominator
    is under the team's threshold (the mart's small_numbers flag)."""
    denominator = as_float(row["denominator"])
    if not row["small_numbers"] or not denominator:
        return None
    return (
        f"Small numbers: one record moves this figure by {fmt_points(100.0 / denominator)} "
        f"points (denominator {fmt_count(denominator)})."
    )


def three_month_sentence(row: dict, series: list[dict], month_start: dt.date) -> str | None:
    """'During June, July and August 2014, 139 review conferences were held, of which
    132 (94.96%) were in timescale.' Sums the numerators and denominators of the 3 months
    ending with the reporting month; None when a month is missing (a partial sum would
    mislead) or the indicator has no such sentence (see Wording.of)."""
    wording = Wording.of(row)
    if wording is None:
        return None
    months = [add_months(month_start, offset) for offset in (-2, -1, 0)]
    by_month = {r["month"]: r for r in series}
    numerators, denominators = [], []
    for month in months:
        found = by_month.get(month)
        if found is None:
            return None
        num, den = as_float(found["numerator"]), as_float(found["denominator"])
        if num is None or den is None:
            return None
        numerators.append(num)
        denominators.append(den)
    total, met = sum(denominators), sum(numerators)
    period = months_phrase(months)
    if total == 0:
        return f"During {period}, no {wording.plural} were {wording.done}."
    noun, verb = (wording.singular, "was") if total == 1 else (wording.plural, "were")
    met_phrase = wording.met
    if met == 1 and met_phrase.startswith("were "):
        met_phrase = "was " + met_phrase.removeprefix("were ")
    return (
        f"During {period}, {fmt_count(total)} {noun} {verb} {wording.done}, of which "
        f"{fmt_count(met)} ({fmt_percent(100.0 * met / total)}) {met_phrase}."
    )
