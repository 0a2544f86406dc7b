"""The data quality and cleansing section, and the caveats beside each indicator, for one
reporting month: everything as the dbt models give it as at that month's end
(marts.pack_cleansing_by_locality, pack_unended_placements, pack_unended_placements_effect,
pack_check_trend, pack_caveats), so a month's pack rebuilt later shows what it showed then.
Aggregates only: none of these models holds a child or a record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from pipelines.pack import charts
from pipelines.pack.commentary import DATA_QUALITY_SECTION, Commentary
from pipelines.pack.data import fetch_dicts
from pipelines.pack.formatting import add_months, fmt_count, fmt_percent, month_label, short_month

# The checks shown in the trend: the reporting months up to this one that have results.
TREND_MONTHS = 6
# The effect table's columns and headings (marts.pack_unended_placements_effect).
EFFECT_COLUMNS = [
    ("children_looked_after", "Children looked after"),
    ("looked_after_only_suspect_placements", "Of whom every open placement is a suspect"),
    ("looked_after_excluding_suspects", "Looked after, leaving those out (a lower bound)"),
    ("suspect_placements", "Suspect placements"),
]
EFFECT_MONTHS = 6
# The indicator whose count the unended placements inflate (the effect model's
# children_looked_after is its figure): its scorecard row and page carry the caveat.
LOOKED_AFTER_INDICATOR = "cla_children"


@dataclass
class LocalityStatus:
    locality: str
    stale_backlog: int
    closed_since: int
    closed_by_cleansing: int
    pct_complete: float | None  # 0-100; None: no stale backlog
    is_complete: bool | None  # None: no stale backlog, so neither complete nor in progress


@dataclass
class Cleansing:
    start: dt.date
    localities: list[LocalityStatus]

    @property
    def with_backlog(self) -> list[LocalityStatus]:
        """Localities that had a stale backlog to cleanse (the others have nothing to do)."""
        return [loc for loc in self.localities if loc.is_complete is not None]

    @property
    def complete(self) -> int:
        return sum(1 for loc in self.localities if loc.is_complete)

    @property
    def closed_by_cleansing(self) -> int:
        return sum(loc.closed_by_cleansing for loc in self.localities)

    @property
    def incomplete_range(self) -> tuple[float, float] | None:
        pcts = [
            loc.pct_complete
            for loc in self.with_backlog
            if not loc.is_complete and loc.pct_complete is not None
        ]
        return (min(pcts), max(pcts)) if pcts else None


def cleansing_status(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> Cleansing | None:
    """The cleansing status as at the month end; None before the exercise started."""
    rows = fetch_dicts(con, "pack_cleansing_by_locality", "month = ?", [month_start], "locality")
    if not rows:
        return None
    localities = [
        LocalityStatus(
            locality=row["locality"],
            stale_backlog=row["stale_backlog"],
            closed_since=row["closed_since"],
            closed_by_cleansing=row["closed_by_cleansing"],
            pct_complete=None if row["pct_complete"] is None else float(row["pct_complete"]),
            is_complete=row["is_complete"],
        )
        for row in rows
    ]
    return Cleansing(start=rows[0]["cleansing_start"], localities=localities)


@dataclass
class Unended:
    by_reason: list[tuple[str, int]]  # the pack's words for the reasons, placements
    effect_rows: list[dict]  # the last EFFECT_MONTHS months to the reporting month

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_reason)


def unended_placements(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> Unended:
    """Unended placements open at the month end by reason, and their effect on the count of
    children looked after over the months to it."""
    by_reason = fetch_dicts(
        con, "pack_unended_placements", "month = ?", [month_start], "placements desc, reason"
    )
    effect = fetch_dicts(
        con,
        "pack_unended_placements_effect",
        "month between ? and ?",
        [add_months(month_start, -(EFFECT_MONTHS - 1)), month_start],
        "month",
    )
    return Unended([(r["reason"], r["placements"]) for r in by_reason], effect)


@dataclass
class CheckTrend:
    periods: list[str]  # reporting months, oldest first ("Aug-14")
    rows: list[tuple[str, list[int | None]]]  # check name, failing records per reporting month
    series_for_chart: dict[str, list[float | None]]
    checks_without_failures: int  # left out of the table to keep it to what needs attention


def check_trend(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> CheckTrend | None:
    """Records failing each check at its latest run as at each of the last TREND_MONTHS
    reporting months to this one that the checks ran for; None when they have not run as at
    this month."""
    rows = fetch_dicts(
        con,
        "pack_check_trend",
        "reporting_month <= ?",
        [month_start],
        "reporting_month, check_name",
    )
    if not any(r["reporting_month"] == month_start for r in rows):
        return None
    months = sorted({r["reporting_month"] for r in rows})[-TREND_MONTHS:]
    failing = {(r["check_name"], r["reporting_month"]): r["failing_records"] for r in rows}
    names = sorted({name for name, month in failing if month in months})
    table = {name: [failing.get((name, m)) for m in months] for name in names}
    shown = {name: values for name, values in table.items() if any(values)}
    # The chart shows the five checks with the most failures in this month, so that it stays
    # legible in greyscale (five distinct line styles and markers).
    top = sorted(shown.items(), key=lambda item: (-(item[1][-1] or 0), item[0]))[:5]
    return CheckTrend(
        periods=[short_month(m) for m in months],
        rows=list(shown.items()),
        series_for_chart={
            name: [None if v is None else float(v) for v in values] for name, values in top
        },
        checks_without_failures=len(table) - len(shown),
    )


@dataclass
class Caveats:
    checked: bool  # the checks ran as at this month
    by_indicator: dict[str, list[str]] = field(default_factory=dict)

    def for_indicator(self, code: str) -> list[str]:
        return self.by_indicator.get(code, [])


def caveats(con: duckdb.DuckDBPyConnection, month_start: dt.date, checked: bool) -> Caveats:
    """indicator code -> caveat sentences ("12 CLA placement records: placement has no end date
    but the child has a later placement (as at 31 August 2014)."), largest first."""
    rows = fetch_dicts(
        con,
        "pack_caveats",
        "reporting_month = ?",
        [month_start],
        "indicator_code, failing_records desc, table_name, problem",
    )
    found = Caveats(checked=checked)
    for row in rows:
        label = row["record_label"]
        noun = label if row["failing_records"] != 1 else label.removesuffix("s")
        sentence = (
            f"{row['failing_records']:,} {noun}: {row['problem']} "
            f"(as at {row['as_at'].day} {row['as_at']:%B %Y})."
        )
        found.by_indicator.setdefault(row["indicator_code"], []).append(sentence)
    return found


@dataclass
class ExtractAsLoaded:
    """One extract's latest successful load, as raw.load_log records it (counts only)."""

    file_name: str
    rows_loaded: int
    rows_quarantined: int
    open_end_dates: int  # end dates given as an "open" placeholder (9999-12-31), read as open


def extracts_as_loaded(con: duckdb.DuckDBPyConnection) -> list[ExtractAsLoaded]:
    """Per extract, what its latest successful load kept, held back and read as open."""
    rows = fetch_dicts(con, "pack_extract_loads", order_by="file_name")
    return [
        ExtractAsLoaded(
            r["file_name"], r["rows_loaded"], r["rows_quarantined"], r["open_end_dates"]
        )
        for r in rows
    ]


# --- the section as the template shows it ---------------------------------------------------


def data_quality_section(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    commentary: Commentary,
    trend: CheckTrend | None,
) -> dict:
    """Everything the data quality and cleansing section shows."""
    cleansing = cleansing_status(con, start)
    cleansing_summary = cleansing_chart = None
    if cleansing and cleansing.with_backlog:
        cleansing_summary = _cleansing_sentence(cleansing)
        cleansing_chart = charts.cleansing_chart(
            [loc.locality for loc in cleansing.with_backlog],
            [loc.pct_complete for loc in cleansing.with_backlog],
            [bool(loc.is_complete) for loc in cleansing.with_backlog],
        )
    trend_chart = (
        charts.check_trend_chart(trend.periods, trend.series_for_chart)
        if trend and trend.series_for_chart and len(trend.periods) >= 2
        else None
    )
    loads = extracts_as_loaded(con)
    return {
        "comment": commentary.html_for(DATA_QUALITY_SECTION),
        "extracts": loads,
        "open_end_total": sum(load.open_end_dates for load in loads),
        "quarantined_total": sum(load.rows_quarantined for load in loads),
        "cleansing": cleansing,
        "cleansing_summary": cleansing_summary,
        "cleansing_chart": cleansing_chart,
        "unended": unended_placements(con, start),
        "effect_columns": EFFECT_COLUMNS,
        "check_trend": trend,
        "check_trend_chart": trend_chart,
        "statutory_returns": statutory_returns(con, start),
        "check_summary": check_summary(trend),
    }


def check_summary(trend: CheckTrend | None) -> str | None:
    """The checks in words for the board: how many found failing records this month, how many
    records in all, and against last month (the check names are in the technical annex)."""
    if trend is None or not trend.rows:
        return None
    now = [values[-1] or 0 for _, values in trend.rows]
    failing = sum(1 for n in now if n)
    total = sum(now)
    checks = "check" if failing == 1 else "checks"
    records = "record" if total == 1 else "records"
    text = (
        f"{failing} data quality {checks} found {fmt_count(total)} failing {records} as at the "
        f"end of {trend.periods[-1]}"
    )
    if len(trend.periods) >= 2:
        before = sum(values[-2] or 0 for _, values in trend.rows)
        if before == total:
            text += f", the same as at the end of {trend.periods[-2]}"
        else:
            text += f" ({fmt_count(before)} at the end of {trend.periods[-2]})"
    return text + "."


def _cleansing_sentence(cleansing: Cleansing) -> str:
    """In the seed's words: '330 CAFs have been closed as part of the data cleansing action
    plan since May 2014: 4 of the 8 localities have completed the data cleansing work, and
    the others have completed between 71.00% and 88.00%.'"""
    total = len(cleansing.with_backlog)
    text = (
        f"{fmt_count(cleansing.closed_by_cleansing)} early help episodes (CAFs) have been closed "
        f"as part of the data cleansing action plan since {month_label(cleansing.start)}: "
        f"{cleansing.complete} of the {total} localities have completed the data cleansing work"
    )
    spread = cleansing.incomplete_range
    if spread and cleansing.complete < total:
        low, high = spread
        others = "the other locality has" if total - cleansing.complete == 1 else "the others have"
        if round(low, 2) == round(high, 2):
            text += f", and {others} completed {fmt_percent(low)}"
        else:
            text += f", and {others} completed between {fmt_percent(low)} and {fmt_percent(high)}"
    return text + "."


@dataclass
class ReturnCheck:
    line: str  # "SSDA903 return 2024-25: 26 errors across 7 rules"
    validated_on: dt.date
    ruleset: str


def statutory_returns(con: duckdb.DuckDBPyConnection, start: dt.date) -> list[ReturnCheck]:
    """Each statutory return's latest check by the DfE's rules on or before the end of the
    reporting month (marts.pack_return_validation), newest collection year first: the same
    line as the command and the alert digest. Empty when no return was checked by then."""
    from pipelines.returns.validation import summary_line

    rows = fetch_dicts(
        con,
        "pack_return_validation",
        "validated_at < ?",
        [add_months(start, 1)],
        "collection_year desc, return_name desc, validated_at desc",
    )
    latest: dict[tuple[str, str], dict] = {}
    for row in rows:
        latest.setdefault((row["collection_year"], row["return_name"]), row)
    return [
        ReturnCheck(
            summary_line(
                r["return_name"], r["collection_year"], r["errors"], r["error_rules"], r["queries"]
            ),  # fmt: skip
            r["validated_at"].date(),
            r["ruleset"],
        )
        for r in latest.values()
    ]
