"""Everything the template shows for one month, as ready-formatted strings.

The template only lays out; every number is formatted here (formatting.py), so the PDF and the
HTML, which come from the same rendered HTML, cannot disagree, and the xlsx uses the same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
from markupsafe import Markup

from pipelines.pack import charts, dq, flags
from pipelines.pack.commentary import Commentary
from pipelines.pack.data import (
    ExtractLoad,
    extract_loads,
    indicator_series,
    month_indicators,
    window,
)
from pipelines.pack.facts import Fact, indicator_facts
from pipelines.pack.formatting import (
    MISSING,
    RagStyle,
    add_months,
    as_float,
    fmt_by_kind,
    fmt_count,
    long_date,
    month_end,
    month_label,
    movement_arrow,
    parse_month,
    rag_style,
    short_month,
    target_kind,
    value_kind,
)
from pipelines.settings import Settings

REPORT_TITLE = "Improvement Board Performance Report"
CHART_MONTHS = 24

RATE_LABELS = {
    "month": "Rate per 10,000",
    "rolling_12": "Rate per 10,000 (rolling 12 months)",
    "ytd": "Rate per 10,000 (YTD)",
}


@dataclass
class IndicatorPage:
    code: str
    anchor: str
    name: str
    officer: str
    description: str
    measure: str
    guide: str
    measure_period: str
    last_update: str
    current_value: str
    small_numbers: bool
    denominator: str
    rate_label: str
    rate: str
    rag: RagStyle
    target: str
    target_illustrative: bool
    direction: str
    arrow: str
    previous: list[tuple[str, str]]
    comparators: list[tuple[str, str, str]]  # name, year, value
    comparators_illustrative: bool
    chart_title: str
    chart_uri: str
    chart_alt: str
    comment: Markup | None
    facts: list[Fact] = field(default_factory=list)


@dataclass
class PackContext:
    title: str
    month: str
    month_label: str
    authority_name: str
    previous_labels: tuple[str, str]
    loads: list[ExtractLoad]
    as_at_statement: str
    caveat: str
    indicators: list[IndicatorPage]
    data_quality: dict
    checks_ran: bool  # the data-quality checks ran as at this month (caveats and trend exist)
    created: dt.datetime  # fixed per month: PDF metadata, so reruns give identical files
    # The mart rows behind the pages, for the spreadsheet (not used by the template).
    rows: list[dict] = field(default_factory=list, repr=False)
    series: dict[str, list[dict]] = field(default_factory=dict, repr=False)


def build_context(
    con: duckdb.DuckDBPyConnection, month: str, settings: Settings, commentary: Commentary
) -> PackContext:
    start = parse_month(month)
    end = month_end(start)
    rows = month_indicators(con, start)
    series = indicator_series(con, start)
    trend = dq.check_trend(con, start)
    caveats = dq.caveats(con, start, checked=trend is not None)
    loads = extract_loads(con)
    pages = [
        _indicator_page(row, series.get(row["indicator_code"], []), start, commentary, caveats)
        for row in rows
    ]
    return PackContext(
        title=f"{REPORT_TITLE} - {month_label(start)}",
        month=month,
        month_label=month_label(start),
        authority_name=settings.authority,
        previous_labels=(short_month(add_months(start, -12)), short_month(add_months(start, -24))),
        loads=loads,
        as_at_statement=as_at_statement(end, loads),
        caveat=live_system_caveat(end),
        indicators=pages,
        data_quality=dq.data_quality_section(con, start, commentary, trend),
        checks_ran=caveats.checked,
        created=dt.datetime(end.year, end.month, end.day, 23, 59, 59),
        rows=rows,
        series=series,
    )


def live_system_caveat(end: dt.date) -> str:
    """The seed's caveat, with the case-management system named generically."""
    return (
        "Figures are accurate at the time of reporting from the case-management system; "
        "however, due to the live nature of the system, they can change subsequently. Reports "
        f"were all run as at {long_date(end)} and include all data within the system up to "
        f"and including {long_date(end)}."
    )


def as_at_statement(end: dt.date, loads: list[ExtractLoad]) -> str:
    if not loads:
        return f"Figures as at {long_date(end)}. No extract has been loaded successfully."
    first = min(load.loaded_at for load in loads)
    last = max(load.loaded_at for load in loads)
    if first.date() == last.date():
        when = f"on {long_date(first.date())} between {first:%H:%M} and {last:%H:%M}"
        if f"{first:%H:%M}" == f"{last:%H:%M}":
            when = f"on {long_date(first.date())} at {first:%H:%M}"
    else:
        when = (
            f"between {long_date(first.date())} {first:%H:%M} "
            f"and {long_date(last.date())} {last:%H:%M}"
        )
    files = "extract" if len(loads) == 1 else "extracts"
    return (
        f"Figures as at {long_date(end)}, calculated from {len(loads)} case-management system "
        f"{files} loaded {when} (the latest successful load of each file, listed below)."
    )


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text or MISSING


def target_text(row: dict) -> str:
    """The mart's wording of the target, with "per 10,000" after a rate target (the mart
    prints it as a bare number, "55.40")."""
    given = row["target_text"]
    if target_kind(row) == "rate" and given != MISSING:
        return given + " per 10,000"
    return given


def _charted_field(row: dict) -> tuple[str, str, str]:
    """(column, kind, y label): the chart shows the measure the target is set on."""
    basis = row["rate_basis"]
    if row["target_measure"] == "rate" and basis != "none":
        return "rate_per_10k", "rate", RATE_LABELS.get(basis, "Rate per 10,000")
    if row["unit"] == "percent":
        return "value", "percent", "Percentage"
    return "value", "count", "Number"


def _chart(row: dict, series: list[dict], start: dt.date) -> tuple[str, str]:
    column, kind, y_label = _charted_field(row)
    recent = window(series, start, CHART_MONTHS)
    earlier = window(series, add_months(start, -12), CHART_MONTHS)
    first = add_months(start, -(CHART_MONTHS - 1))
    labels = [short_month(add_months(first, i)) for i in range(CHART_MONTHS)]
    current = [as_float(r[column]) if r else None for r in recent]
    last_year = [as_float(r[column]) if r else None for r in earlier]
    illustrative = " (illustrative)" if row["is_illustrative_target"] else ""
    low, high = as_float(row["target_low"]), as_float(row["target_high"])
    band = low is not None and high is not None
    trend = charts.TrendSeries(
        labels=labels,
        current=current,
        last_year=last_year,
        kind=kind,
        y_label=y_label,
        current_label=f"{labels[0]} to {labels[-1]}",
        last_year_label="Same months a year earlier",
        target_value=None if band else as_float(row["target_value"]),
        target_low=low if band else None,
        target_high=high if band else None,
        target_label=("Target band" if band else "Target") + illustrative,
    )
    latest = fmt_by_kind(current[-1], kind)
    target = ""
    if band or trend.target_value is not None:
        target = f" and the {trend.target_label.lower()} ({target_text(row)})"
    alt = (
        f"Line chart of {row['name']} ({y_label.lower()}) for the {CHART_MONTHS} months to "
        f"{month_label(start)}, latest {latest}, with the same months a year earlier as a "
        f"dashed line{target}."
    )
    return charts.trend_chart(trend), alt


def _indicator_page(
    row: dict,
    series: list[dict],
    start: dt.date,
    commentary: Commentary,
    caveats: dq.Caveats,
) -> IndicatorPage:
    code = row["indicator_code"]
    kind = value_kind(row["unit"])
    tkind = target_kind(row)
    basis = row["rate_basis"]
    chart_uri, chart_alt = _chart(row, series, start)
    prev_1y, prev_2y = add_months(start, -12), add_months(start, -24)
    previous = [
        (short_month(prev_1y), fmt_by_kind(row["previous_1y"], kind)),
        (short_month(prev_2y), fmt_by_kind(row["previous_2y"], kind)),
    ]
    if basis != "none" and row["previous_1y_rate"] is not None:
        previous.append(
            (
                f"{short_month(prev_1y)} rate per 10,000",
                fmt_by_kind(row["previous_1y_rate"], "rate"),
            )
        )
    if row["target_measure"] == "rate" and basis != "none":
        arrow = movement_arrow(row["rate_per_10k"], row["previous_1y_rate"])
    else:
        arrow = movement_arrow(row["value"], row["previous_1y"])
    region = _text(row["region_name"]) if row["region_name"] else "Region"
    comparators = [
        ("England", _text(row["england_year"]), fmt_by_kind(row["england_value"], tkind)),
        (
            "Statistical neighbours",
            _text(row["statistical_neighbours_year"]),
            fmt_by_kind(row["statistical_neighbours_value"], tkind),
        ),
        (region, _text(row["region_year"]), fmt_by_kind(row["region_value"], tkind)),
    ]
    denominator = as_float(row["denominator"])
    return IndicatorPage(
        code=code,
        anchor=f"ind-{code}",
        name=_text(row["name"]),
        officer=_text(row["responsible_officer"]),
        description=_text(row["description"]),
        measure=_text(row["measure"]),
        guide=_text(row["guide_text"]),
        measure_period=_text(row["measure_period"]),
        last_update=month_label(start),
        current_value=fmt_by_kind(row["value"], kind),
        small_numbers=flags.small_numbers(row),
        denominator=fmt_count(denominator),
        rate_label=RATE_LABELS.get(basis, "Rate per 10,000"),
        rate=fmt_by_kind(row["rate_per_10k"], "rate") if basis != "none" else MISSING,
        rag=rag_style(row["rag"]),
        target=target_text(row),
        target_illustrative=bool(row["is_illustrative_target"]),
        direction=_text(row["direction"]),
        arrow=arrow,
        previous=previous,
        comparators=comparators,
        comparators_illustrative=bool(row["comparators_illustrative"]),
        chart_title=f"{_text(row['name'])} - Trend",
        chart_uri=chart_uri,
        chart_alt=chart_alt,
        comment=commentary.html_for(code),
        facts=indicator_facts(row, series, start, caveats.for_indicator(code)),
    )
