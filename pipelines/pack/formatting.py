"""Number, month, RAG and direction formats: one place, so the PDF, HTML and xlsx agree.

The number convention (the government's for published statistics, and the board reads them
side by side with last month's pack): percentages and rates per 10,000 to 1 decimal place by
default (BOARDPACK_DECIMAL_PLACES), halves rounded away from zero as the models round; counts as
whole numbers; all with thousands separators. A missing figure is "N/A", never blank and never 0.

The decimal places are held in a context variable, set once per pack by `number_convention`
(pipelines/pack/build.py, from the settings), so every formatter, chart label and sentence of
one pack follows the same convention without the setting being passed to each of them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipelines.settings import DEFAULT_DECIMAL_PLACES

MISSING = "N/A"

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

_DECIMALS: ContextVar[int] = ContextVar("boardpack_decimal_places", default=DEFAULT_DECIMAL_PLACES)


@contextmanager
def number_convention(places: int) -> Iterator[None]:
    """Format percentages, rates and points to `places` decimal places within the block."""
    token = _DECIMALS.set(places)
    try:
        yield
    finally:
        _DECIMALS.reset(token)


def decimal_places() -> int:
    return _DECIMALS.get()


def fmt_decimal(value: float, places: int | None = None) -> str:
    """A number to the convention's decimal places with thousands separators, halves away from
    zero (Python's own rounding would give 0.125 -> 0.12 and 2.675 -> 2.67)."""
    places = decimal_places() if places is None else places
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if exact == 0:
        exact = abs(exact)  # never "-0.0"
    return f"{exact:,.{places}f}"


def as_float(value: object) -> float | None:
    """A database number as float; None for NULL/NaN (DuckDB may hand back Decimal or NaN)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    return None


def fmt_count(value: object) -> str:
    number = as_float(value)
    return MISSING if number is None else f"{round(number):,}"


def fmt_rate(value: object) -> str:
    number = as_float(value)
    return MISSING if number is None else fmt_decimal(number)


def fmt_percent(value: object) -> str:
    """Values are stored as 0-100 (value = 100 * numerator / denominator)."""
    number = as_float(value)
    return MISSING if number is None else f"{fmt_decimal(number)}%"


def fmt_points(value: float) -> str:
    return fmt_decimal(value)


def fmt_by_kind(value: object, kind: str) -> str:
    """kind: 'percent', 'rate' or 'count'."""
    if kind == "percent":
        return fmt_percent(value)
    if kind == "rate":
        return fmt_rate(value)
    return fmt_count(value)


def value_kind(unit: str | None) -> str:
    return "percent" if unit == "percent" else "count"


def target_kind(row: dict) -> str:
    """Targets and comparators are on the rate scale when the target measure is the rate."""
    if row["target_measure"] == "rate":
        return "rate"
    return value_kind(row["unit"])


# --- months -------------------------------------------------------------------------------


def parse_month(month: str) -> dt.date:
    """'2014-08' -> date(2014, 8, 1); anything else is a caller error worth stopping on."""
    match = _MONTH_RE.match(month or "")
    if not match:
        raise ValueError(f"reporting month must look like YYYY-MM, got {month!r}")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def month_label(day: dt.date) -> str:
    """'August 2014' (the report's title style)."""
    return f"{calendar.month_name[day.month]} {day.year}"


def short_month(day: dt.date) -> str:
    """'Aug-13' (the seed's style for previous values and chart axes)."""
    return f"{calendar.month_abbr[day.month]}-{day.year % 100:02d}"


def long_date(day: dt.date) -> str:
    """'31 August 2014'."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def months_phrase(months: list[dt.date]) -> str:
    """'June, July and August 2014'; across a year end
    'November and December 2013 and January 2014'."""
    groups: list[tuple[int, list[str]]] = []
    for day in months:
        name = calendar.month_name[day.month]
        if groups and groups[-1][0] == day.year:
            groups[-1][1].append(name)
        else:
            groups.append((day.year, [name]))
    parts = [f"{_join_words(names)} {year}" for year, names in groups]
    return _join_words(parts)


def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- RAG and direction: symbol + letter + word, never colour alone -----------------------


@dataclass(frozen=True)
class RagStyle:
    word: str
    letter: str
    symbol: str
    css: str  # class name; the colour lives in the stylesheet
    fill: str  # hex colour for the spreadsheet cell


RAG_STYLES = {
    "Green": RagStyle("Green", "G", "\u25cf", "rag-green", "#C6EFCE"),  # ● circle
    "Amber": RagStyle("Amber", "A", "\u25b2", "rag-amber", "#FFE699"),  # ▲ triangle
    "Red": RagStyle("Red", "R", "\u25a0", "rag-red", "#F4B6B6"),  # ■ square
}
RAG_NONE = RagStyle("N/A", "", "\u25cb", "rag-none", "#EDEDED")  # ○ open circle: no target


def rag_style(rag: object) -> RagStyle:
    return RAG_STYLES.get(str(rag).strip().title() if rag else "", RAG_NONE)


def rag_text(rag: object) -> str:
    """'● G Green' for the spreadsheet and plain-text uses."""
    style = rag_style(rag)
    return " ".join(part for part in (style.symbol, style.letter, style.word) if part)


def movement_arrow(current: object, previous: object) -> str:
    """Which way the figure moved against last year; the judgement word comes from the mart.
    The arrow shows the movement, the word whether that is good (down can be an improvement)."""
    now, before = as_float(current), as_float(previous)
    if now is None or before is None:
        return ""
    if math.isclose(now, before, abs_tol=1e-9):
        return "\u2192"  # →
    return "\u2191" if now > before else "\u2193"  # ↑ ↓


_DECIMAL_IN_TEXT = re.compile(r"\d[\d,]*\.\d+")


def fmt_target_text(text: object) -> str:
    """The mart's wording of a target ("95.00%", "450.0-600.0", "55.40") with its decimals in
    the pack's convention ("95.0%", "450.0-600.0", "55.4"); whole numbers are left as they are."""
    given = "" if text is None else str(text).strip()
    if not given:
        return MISSING
    return _DECIMAL_IN_TEXT.sub(lambda m: fmt_decimal(float(m.group().replace(",", ""))), given)


# --- statistical process control: icon letter + words, never colour alone -----------------


@dataclass(frozen=True)
class SpcIcon:
    """How the pack shows one SPC reading (NHS England's Making Data Count icons): a letter
    in a coloured circle (the colour lives in the stylesheet), always beside words."""

    reading: str  # the model's words ("Special cause concerning")
    letter: str  # in the circle: H/L higher/lower, P pass, F fail, ? hit and miss
    short: str  # the scorecard's words (its column heading says which reading)
    text: str  # the indicator page's words
    css: str


def variation_icon(variation: object, direction: object = None) -> SpcIcon:
    """marts.indicator_spc's spc_variation (and signal_direction: which way the special cause
    points, shown as H or L as in Making Data Count's icons)."""
    reading = str(variation or "Not enough data")
    letter = {"higher": "H", "lower": "L"}.get(str(direction or ""), "!")
    icons = {
        "Common cause": ("\u223c", "Common cause", "Common cause variation only", "spc-common"),
        "Special cause improving": (
            letter, "Improving", "Special cause: improving", "spc-improving",
        ),
        "Special cause concerning": (
            letter, "Concerning", "Special cause: concerning", "spc-concerning",
        ),
        "Special cause neither": (
            letter, "Unusual", "Special cause: neither better nor worse", "spc-neither",
        ),
    }  # fmt: skip
    found = icons.get(reading)
    if found is None:  # "Not enough data", "No figure"
        return SpcIcon(reading, "\u2013", reading, f"{reading} for process limits yet", "spc-none")
    return SpcIcon(reading, *found)


def assurance_icon(assurance: object) -> SpcIcon:
    """marts.indicator_spc's spc_assurance: can the process be relied on to meet the target?"""
    reading = str(assurance or "Not enough data")
    icons = {
        "Target consistently met": ("P", "Met", "Target consistently met", "spc-pass"),
        "Target consistently missed": ("F", "Missed", "Target consistently missed", "spc-fail"),
        "Hit and miss": (
            "?", "Hit and miss", "Hit and miss: the target is within the process limits",
            "spc-hitmiss",
        ),
        "No target": ("\u2013", "No target", "No target", "spc-none"),
    }  # fmt: skip
    found = icons.get(reading)
    if found is None:
        return SpcIcon(reading, "\u2013", reading, f"{reading} for process limits yet", "spc-none")
    return SpcIcon(reading, *found)
