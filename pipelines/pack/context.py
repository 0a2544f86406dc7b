"""Everything the template shows for one month, as ready-formatted strings.

The template only lays out; every number is formatted here (formatting.py), so the PDF and the
HTML, which come from the same rendered HTML, cannot disagree, and the xlsx uses the same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
from markupsafe import Markup

from pipelines.pack import charts, dq, flags, regional, summary
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
    SpcIcon,
    add_months,
    as_float,
    assurance_icon,
    decimal_places,
    fmt_by_kind,
    fmt_count,
    fmt_target_text,
    long_date,
    month_end,
    month_label,
    movement_arrow,
    parse_month,
    rag_style,
    short_month,
    target_kind,
    value_kind,
    variation_icon,
)
from pipelines.pack.spc import spc_lines, spc_rows
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
    # Statistical process control (marts.pack_indicator_spc as at the month)
    variation: SpcIcon = field(default_factory=lambda: variation_icon(None))
    assurance: SpcIcon = field(default_factory=lambda: assurance_icon(None))
    spc_signals: str | None = None  # the special-cause rules that fired this month, in words
    spc_note: str | None = None  # what the SPC reads, when it is not the figure rated
    # The scorecard's figures, on the basis the rating is on (the rate where the target is)
    rated_label: str = ""  # "Rate per 10,000 (rolling 12 months)" or "Percentage" or "Number"
    rated_figure: str = MISSING
    previous_rated: tuple[str, str] = (MISSING, MISSING)  # a year and two years earlier
    england: str = MISSING
    neighbours: str = MISSING
    amber_rule: str = ""  # "Amber: up to 5.0 points below the target."
    caveat_mark: str = ""  # the looked-after caveat's note, on the scorecard and the page


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
    cover_statement: str
    indicators: list[IndicatorPage]
    data_quality: dict
    checks_ran: bool  # the data-quality checks ran as at this month (caveats and trend exist)
    created: dt.datetime  # fixed per month: PDF metadata, so reruns give identical files
    issued: str = ""  # date of issue on the cover ("15 September 2014")
    summary: dict = field(default_factory=dict)  # the summary page (pipelines/pack/summary.py)
    decimal_places: int = 1
    looked_after_caveat: str | None = None
    # The mart rows behind the pages, for the spreadsheet (not used by the template).
    rows: list[dict] = field(default_factory=list, repr=False)
    series: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    spc: dict[str, dict] = field(default_factory=dict, repr=False)  # code -> month -> SPC row
    # The regional comparison page (pipelines/pack/regional.py): None without a regional file.
    regional: dict | None = None
    regional_file: regional.RegionalFile | None = field(default=None, repr=False)


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
    spc = spc_rows(con, start)
    data_quality = dq.data_quality_section(con, start, commentary, trend)
    looked_after = looked_after_caveat(data_quality["unended"], start)
    region_file = _regional_file(settings, start)
    pages = []
    for row in rows:
        code = row["indicator_code"]
        page = _indicator_page(
            row, series.get(code, []), start, commentary, caveats, spc.get(code, {}), region_file
        )
        if looked_after and code == dq.LOOKED_AFTER_INDICATOR:
            page.caveat_mark = looked_after
            page.facts.append(Fact("caveat", f"Data quality: {looked_after}"))
        pages.append(page)
    statuses = [
        _status(page, row, series.get(page.code, []), spc.get(page.code, {}), start)
        for page, row in zip(pages, rows, strict=True)
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
        cover_statement=cover_statement(end, loads),
        indicators=pages,
        data_quality=data_quality,
        checks_ran=caveats.checked,
        created=dt.datetime(end.year, end.month, end.day, 23, 59, 59),
        issued=long_date(issue_date(end, loads)),
        summary=summary_section(statuses, start),
        decimal_places=decimal_places(),
        looked_after_caveat=looked_after,
        rows=rows,
        series=series,
        spc=spc,
        regional=regional.comparison_section(region_file, pages, start) if region_file else None,
        regional_file=region_file,
    )


def issue_date(end: dt.date, loads: list[ExtractLoad]) -> dt.date:
    """The date of issue: the day of the latest extract load the figures come from (nightly,
    the day the pack was made). Taken from the data rather than the clock, so a rerun gives
    the same pack; the month end when nothing has been loaded."""
    return max((load.loaded_at.date() for load in loads), default=end)


def looked_after_caveat(unended: dq.Unended, start: dt.date) -> str | None:
    """The caveat the count of children looked after carries while unended placements inflate
    it (marts.pack_unended_placements_effect as at the month)."""
    this_month = [r for r in unended.effect_rows if r["month"] == start]
    if not this_month:
        return None
    suspects = this_month[0]["looked_after_only_suspect_placements"] or 0
    if suspects <= 0:
        return None
    children = "child" if suspects == 1 else "children"
    return (
        f"the count of children looked after includes {fmt_count(suspects)} {children} whose "
        "every open placement may have ended (unended placements: see the data quality section)."
    )


def summary_section(statuses: list[summary.Status], start: dt.date) -> dict:
    """The summary page's content (pipelines/pack/summary.py does the working)."""
    return {
        "rag_counts": summary.rag_counts(statuses),
        "variation_counts": summary.variation_counts(statuses),
        "changes": summary.changes(statuses),
        "exceptions": summary.exceptions(statuses),
        "key_messages": summary.key_messages(statuses),
        "previous_month": month_label(add_months(start, -1)),
    }


def _row_for(series: list[dict], month: dt.date) -> dict | None:
    return next((r for r in series if r["month"] == month), None)


def _status(
    page: IndicatorPage, row: dict, series: list[dict], spc: dict, start: dt.date
) -> summary.Status:
    last_month = add_months(start, -1)
    before = _row_for(series, last_month)
    spc_now, spc_before = spc.get(start) or {}, spc.get(last_month) or {}
    return summary.Status(
        code=page.code,
        name=page.name,
        anchor=page.anchor,
        figure=page.rated_figure
        + (" per 10,000" if _rated_kind(row) == "rate" and page.rated_figure != MISSING else ""),
        target=page.target,
        rag=page.rag.word,
        previous_rag=rag_style(before["rag"]).word if before else None,
        variation=str(spc_now.get("spc_variation") or "Not enough data"),
        previous_variation=str(spc_before.get("spc_variation")) if spc_before else None,
        assurance=str(spc_now.get("spc_assurance") or "Not enough data"),
        signals=spc_now.get("spc_signals"),
        spc_figure=_spc_figure(row, spc_now),
    )


def _spc_figure(row: dict, spc_now: dict) -> str | None:
    """The figure the SPC reads, as its page's chart and tiles show it, where it is not the
    rated figure (the monthly count of an indicator rated on a rolling or year-to-date rate)."""
    if spc_now.get("spc_measure") != "value" or _rated_kind(row) != "rate":
        return None
    return fmt_by_kind(row["value"], value_kind(row["unit"])) + " in the month"


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


def cover_statement(end: dt.date, loads: list[ExtractLoad]) -> str:
    """The cover's one sentence on where the figures come from; the files and load times are
    in the technical annex (as_at_statement)."""
    if not loads:
        return f"Figures as at {long_date(end)}. No extract has been loaded successfully."
    latest = max(load.loaded_at for load in loads).date()
    return (
        f"Figures as at {long_date(end)}, from the case-management system's records as "
        f"extracted on {long_date(latest)}."
    )


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text or MISSING


def target_text(row: dict) -> str:
    """The mart's wording of the target in the pack's number convention, with "per 10,000"
    after a rate target (the mart prints it as a bare number, "55.40")."""
    given = fmt_target_text(row["target_text"])
    if target_kind(row) == "rate" and given != MISSING:
        return given + " per 10,000"
    return given


def amber_rule(row: dict) -> str:
    """The amber tolerance in words: how far short of the target is amber rather than red."""
    tolerance = as_float(row.get("amber_tolerance"))
    kind = target_kind(row)
    if target_text(row) == MISSING:
        return ""
    if not tolerance:
        return "No amber: a figure that misses the target is red."
    size = fmt_by_kind(tolerance, kind).removesuffix("%")
    unit = {"percent": "percentage points", "rate": "per 10,000", "count": ""}[kind]
    amount = f"{size} {unit}".strip()
    if row["target_low"] is not None and row["target_high"] is not None:
        return f"Amber: outside the band by up to {amount}."
    side = {"higher": "below", "lower": "above"}.get(str(row["indicator_guide"]), "beyond")
    return f"Amber: up to {amount} {side} the target."


def _rated_kind(row: dict) -> str:
    """The scale the rating is on: the rate where the target is on the rate."""
    if row["target_measure"] == "rate" and row["rate_basis"] != "none":
        return "rate"
    return value_kind(row["unit"])


def _rated_value(row: dict | None) -> object:
    if row is None:
        return None
    return row["rate_per_10k"] if _rated_kind(row) == "rate" else row["value"]


def _charted_field(row: dict) -> tuple[str, str, str]:
    """(column, kind, y label): the chart shows the figure the statistical process control
    reads (marts.indicator_spc's spc_measure): the measure the target is set on, except a
    rolling 12-month or year-to-date rate, a running sum whose ups and downs are artefacts
    (a year-to-date rate drops every April), which is charted as its monthly count."""
    basis = row["rate_basis"]
    if row["target_measure"] == "rate" and basis == "month":
        return "rate_per_10k", "rate", RATE_LABELS["month"]
    if row["unit"] == "percent":
        return "value", "percent", "Percentage"
    return "value", "count", "Number in the month" if _in_month(row) else "Number"


def _in_month(row: dict) -> bool:
    """A count of events in the month (bars), rather than a month-end snapshot (a line)."""
    return str(row["measure_period"] or "").strip().lower().startswith("in month")


def _on_target_scale(row: dict, kind: str) -> bool:
    """The chart is on the scale of the target and comparators (not a monthly count charted
    for a rolling or year-to-date rate target)."""
    return kind == target_kind(row)


def month_trend_series(
    con: duckdb.DuckDBPyConnection, month: str, settings: Settings
) -> list[charts.TrendSeries]:
    """The trend chart of every indicator page of the month, as build_context draws them (the
    same function makes them), for drawing the charts ahead of the pack (predraw.py)."""
    start = parse_month(month)
    series = indicator_series(con, start)
    spc = spc_rows(con, start)
    region_file = _regional_file(settings, start)
    return [
        _trend_series(
            row,
            series.get(row["indicator_code"], []),
            start,
            spc.get(row["indicator_code"], {}),
            region_file,
        )  # fmt: skip
        for row in month_indicators(con, start)
    ]


def _regional_file(settings: Settings, start: dt.date) -> regional.RegionalFile | None:
    if settings.regional_file_path is None:
        return None
    # raises RegionalFileError: nothing written
    return regional.read_regional_file(settings.regional_file_path, settings.authority_code, start)


def _chart(
    row: dict,
    series: list[dict],
    start: dt.date,
    spc: dict | None = None,
    region_file: regional.RegionalFile | None = None,
) -> tuple[str, str]:
    """The page's trend chart (an SVG data URI) and its alternative text."""
    trend = _trend_series(row, series, start, spc, region_file)
    return charts.trend_chart(trend), _chart_alt(row, trend, start)


def _trend_series(
    row: dict,
    series: list[dict],
    start: dt.date,
    spc: dict | None = None,
    region_file: regional.RegionalFile | None = None,
) -> charts.TrendSeries:
    column, kind, y_label = _charted_field(row)
    recent = window(series, start, CHART_MONTHS)
    earlier = window(series, add_months(start, -12), CHART_MONTHS)
    first = add_months(start, -(CHART_MONTHS - 1))
    labels = [short_month(add_months(first, i)) for i in range(CHART_MONTHS)]
    current = [as_float(r[column]) if r else None for r in recent]
    last_year = [as_float(r[column]) if r else None for r in earlier]
    illustrative = " (illustrative)" if row["is_illustrative_target"] else ""
    on_scale = _on_target_scale(row, kind)
    low, high = as_float(row["target_low"]), as_float(row["target_high"])
    band = on_scale and low is not None and high is not None
    months = [add_months(first, i) for i in range(CHART_MONTHS)]
    spc_measure = next((r.get("spc_measure") for r in (spc or {}).values()), None)
    overlay = spc_lines(spc or {}, months) if spc_measure == column else None
    comparators = []
    if on_scale:
        comparators = [
            ("England", as_float(row["england_value"])),
            ("Statistical neighbours", as_float(row["statistical_neighbours_value"])),
        ]
    # The regional median, only where the chart shows the published value itself (a percentage,
    # or a count charted as the count): never a median of another measure beside the chart's.
    medians = None
    if region_file is not None and column == "value":
        medians = region_file.medians(row["indicator_code"], months)
        if all(m is None for m in medians):
            medians = None
    return charts.TrendSeries(
        labels=labels,
        current=current,
        last_year=last_year,
        kind=kind,
        y_label=y_label,
        current_label=f"{labels[0]} to {labels[-1]}",
        last_year_label="Same months a year earlier",
        target_value=None if band or not on_scale else as_float(row["target_value"]),
        target_low=low if band else None,
        target_high=high if band else None,
        target_label=("Target band" if band else "Target") + illustrative,
        bars=kind == "count" and _in_month(row),
        comparators=comparators,
        spc=overlay,
        region=medians,
    )


def _chart_alt(row: dict, trend: charts.TrendSeries, start: dt.date) -> str:
    kind, y_label, overlay, medians = trend.kind, trend.y_label, trend.spc, trend.region
    comparators = trend.comparators
    band = trend.target_low is not None and trend.target_high is not None
    latest = fmt_by_kind(trend.current[-1], kind)
    extras = []
    if band or trend.target_value is not None:
        extras.append(f"the {trend.target_label.lower()} ({target_text(row)})")
    extras += [f"{name} ({fmt_by_kind(v, kind)})" for name, v in comparators if v is not None]
    if overlay is not None:
        signals = sum(1 for s in overlay.signals if s)
        extras.append(
            "the process mean and limits"
            + (
                f", with {signals} month{'s' if signals != 1 else ''} of special cause variation "
                "marked"
                if signals
                else ""
            )  # fmt: skip
        )
    if medians is not None:
        last = next((m for m in reversed(medians) if m is not None), None)
        extras.append(
            f"the regional median ({charts.REGION_LABEL}) as a dotted line with triangles, "
            f"latest {fmt_by_kind(last, kind)}"
        )
    shape = "Bar chart" if trend.bars else "Line chart"
    return (
        f"{shape} of {row['name']} ({y_label.lower()}) for the {CHART_MONTHS} months to "
        f"{month_label(start)}, latest {latest}, with the same months a year earlier as a "
        "dashed line" + (f"; also shown: {'; '.join(extras)}" if extras else "") + "."
    )


def _indicator_page(
    row: dict,
    series: list[dict],
    start: dt.date,
    commentary: Commentary,
    caveats: dq.Caveats,
    spc: dict | None = None,
    region_file: regional.RegionalFile | None = None,
) -> IndicatorPage:
    code = row["indicator_code"]
    kind = value_kind(row["unit"])
    tkind = target_kind(row)
    basis = row["rate_basis"]
    spc = spc or {}
    chart_uri, chart_alt = _chart(row, series, start, spc, region_file)
    spc_now = spc.get(start) or {}
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
        variation=variation_icon(spc_now.get("spc_variation"), spc_now.get("signal_direction")),
        assurance=assurance_icon(spc_now.get("spc_assurance")),
        spc_signals=spc_now.get("spc_signals"),
        spc_note=_spc_note(row, spc_now),
        rated_label=_rated_label(row),
        rated_figure=fmt_by_kind(_rated_value(row), _rated_kind(row)),
        previous_rated=(
            fmt_by_kind(_rated_value(_row_for(series, prev_1y)), _rated_kind(row)),
            fmt_by_kind(_rated_value(_row_for(series, prev_2y)), _rated_kind(row)),
        ),
        england=comparators[0][2],
        neighbours=comparators[1][2],
        amber_rule=amber_rule(row),
    )


def _rated_label(row: dict) -> str:
    if _rated_kind(row) == "rate":
        return RATE_LABELS.get(row["rate_basis"], "Rate per 10,000")
    return "Percentage" if row["unit"] == "percent" else "Number"


def _spc_note(row: dict, spc_now: dict) -> str | None:
    """Says what the SPC reads when a reader could take it for something else."""
    notes = []
    if spc_now.get("spc_measure") == "value" and _rated_kind(row) == "rate":
        notes.append(
            "Charted and read on the monthly count: the rolling or year-to-date rate the target "
            "is set on is a running total, whose ups and downs are arithmetic."
        )
    if spc_now.get("spc_on_rolling_figure"):
        notes.append(
            "A rolling 12-month figure: runs and trends appear more readily than on monthly "
            "figures."
        )
    return " ".join(notes) or None
