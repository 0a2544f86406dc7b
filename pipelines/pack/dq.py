"""The data quality and cleansing section: aggregates from the dbt quality models.

- `quality.eh_cleansing_by_locality` (month, locality, stale_backlog, closed_since,
  closed_by_cleansing, pct_complete, is_complete): early help cleansing status;
- `quality.unended_placements` (one row per suspect placement, with person and placement ids)
  and `quality.unended_placements_effect` (per month): only grouped counts and non-identifying
  numeric columns are read, never a row per child.

Each is optional: a model not built yet gives None and the section says "not available".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import duckdb

from pipelines.pack import charts
from pipelines.pack.commentary import DATA_QUALITY_SECTION, Commentary
from pipelines.pack.data import fetch_dicts, table_columns
from pipelines.pack.formatting import as_float, fmt_count, fmt_percent, month_label
from pipelines.pack.quality_hooks import Caveats, check_trend

log = logging.getLogger(__name__)

# Columns that could identify a child or a record: never read, even to aggregate them away.
# (Aggregates such as "cla_children" are fine; "_id"/"person" columns are not, numeric or not.)
_ID_MARKERS = ("person", "pers_", "_id", "_ref", "nhs", "upn")


def _is_identifier(column: str) -> bool:
    lowered = column.lower()
    return lowered == "id" or any(marker in lowered for marker in _ID_MARKERS)


@dataclass
class LocalityStatus:
    locality: str
    stale_backlog: float | None
    closed_since: float | None
    closed_by_cleansing: float | None
    pct_complete: float | None  # 0-100
    is_complete: bool | None  # None: no stale backlog, so neither complete nor in progress


@dataclass
class Cleansing:
    localities: list[LocalityStatus]

    @property
    def with_backlog(self) -> list[LocalityStatus]:
        """Localities that had a stale backlog to cleanse (the others have nothing to do)."""
        return [loc for loc in self.localities if loc.is_complete is not None]

    @property
    def complete(self) -> int:
        return sum(1 for loc in self.localities if loc.is_complete)

    @property
    def closed_by_cleansing(self) -> float:
        return sum(loc.closed_by_cleansing or 0.0 for loc in self.localities)

    @property
    def incomplete_range(self) -> tuple[float, float] | None:
        pcts = [
            loc.pct_complete
            for loc in self.with_backlog
            if not loc.is_complete and loc.pct_complete is not None
        ]
        return (min(pcts), max(pcts)) if pcts else None


def cleansing_status(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> Cleansing | None:
    columns = table_columns(con, "quality", "eh_cleansing_by_locality")
    if not columns:
        return None
    rows = fetch_dicts(
        con,
        """
        select locality, stale_backlog, closed_since,
               closed_by_cleansing_all as closed_by_cleansing, pct_complete, is_complete
        from quality.eh_cleansing_by_locality
        where date_trunc('month', cast(month as date)) = ?
        order by locality
        """,
        [month_start],
    )
    localities = [
        LocalityStatus(
            locality=str(row["locality"]) if row["locality"] is not None else "Not recorded",
            stale_backlog=as_float(row["stale_backlog"]),
            closed_since=as_float(row["closed_since"]),
            closed_by_cleansing=as_float(row["closed_by_cleansing"]),
            pct_complete=_as_percent(row),
            is_complete=None if row["is_complete"] is None else bool(row["is_complete"]),
        )
        for row in rows
    ]
    return Cleansing(localities)


def _as_percent(row: dict) -> float | None:
    """pct_complete as 0-100. The model may store a fraction (0-1); the backlog and closures
    tell which: whichever scale matches closed_since / stale_backlog is the one used."""
    pct = as_float(row["pct_complete"])
    backlog, closed = as_float(row["stale_backlog"]), as_float(row["closed_since"])
    if pct is None or not backlog or closed is None:
        return pct
    share = closed / backlog
    return pct * 100.0 if abs(pct - share) < abs(pct - 100.0 * share) else pct


@dataclass
class Unended:
    by_reason: list[tuple[str, int]]
    for_month: bool  # False: the model is a snapshot as at one date, not per month
    as_at: dt.date | None  # that date, where the model gives it
    effect_columns: list[str]
    effect_rows: list[dict]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_reason)


_REASON_COLUMNS = ("reason", "unended_reason", "issue", "rule", "check_name")
# quality.unended_placements lists a placement's reasons as codes joined with ", ".
REASON_WORDS = {
    "later_placement": "the child has a later placement",
    "episode_ended": "the looked after episode holding it has ended",
    "aged_18_or_over": "the young person is 18 or over",
}


def reason_text(codes: str) -> str:
    """'later_placement, episode_ended' -> 'The child has a later placement and the looked
    after episode holding it has ended'; unknown text is shown as it is."""
    parts = [REASON_WORDS.get(part.strip(), part.strip()) for part in codes.split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return "Not recorded"
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[:1].upper() + text[1:]


def unended_placements(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> Unended | None:
    """Counts by reason, and the effect on the looked-after count for the last 6 months to
    the reporting month. Only grouped counts and non-identifying numeric columns are read."""
    columns = table_columns(con, "quality", "unended_placements")
    if not columns:
        return None
    month_filter, params = _month_filter(columns, month_start)
    reason_col = next((c for c in _REASON_COLUMNS if c in columns), None)
    reason = f"cast({reason_col} as varchar)" if reason_col else "'Unended placement'"
    by_reason = con.execute(
        f"""
        select coalesce({reason}, 'Not recorded') as reason, count(*) as placements
        from quality.unended_placements
        {month_filter}
        group by 1
        order by 2 desc, 1
        """,
        params,
    ).fetchall()
    effect_columns: list[str] = []
    effect_rows: list[dict] = []
    effect_all = table_columns(con, "quality", "unended_placements_effect")
    if effect_all:
        numeric = _numeric_columns(con, "unended_placements_effect")
        effect_columns = [
            c for c in numeric if not _is_identifier(c) and c not in ("month", "month_end")
        ]
        if "month" in effect_all and effect_columns:
            select = ", ".join(["month"] + effect_columns)
            effect_rows = fetch_dicts(
                con,
                f"""
                select {select} from quality.unended_placements_effect
                where cast(month as date) <= ?
                order by month desc limit 6
                """,
                [month_start],
            )[::-1]
    as_at = None
    if not params and "as_at_date" in columns:
        (as_at,) = con.execute("select max(as_at_date) from quality.unended_placements").fetchone()
    return Unended(
        by_reason=[(reason_text(str(r)), int(n)) for r, n in by_reason],
        for_month=bool(params),
        as_at=as_at,
        effect_columns=effect_columns,
        effect_rows=effect_rows,
    )


def _month_filter(columns: list[str], month_start: dt.date) -> tuple[str, list]:
    if "month" in columns:
        return "where date_trunc('month', cast(month as date)) = ?", [month_start]
    return "", []


def _numeric_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        """
        select column_name, data_type
        from information_schema.columns
        where table_schema = 'quality' and table_name = ?
        order by ordinal_position
        """,
        [table],
    ).fetchall()
    numeric = ("INT", "DOUBLE", "DECIMAL", "FLOAT", "REAL", "NUMERIC", "HUGEINT", "BIGINT")
    return [name for name, kind in rows if any(k in kind.upper() for k in numeric)]


def humanise(column: str) -> str:
    """'cla_children_excluding_unended' -> 'CLA children excluding unended'."""
    words = column.replace("_", " ").split()
    acronyms = {"cla": "CLA", "lac": "LAC", "cp": "CP", "eh": "EH", "pct": "%"}
    text = " ".join(acronyms.get(w.lower(), w) for w in words)
    return text[:1].upper() + text[1:]


def cleansing_start(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The start of the early help cleansing exercise (reference.ref_settings), if set."""
    if not table_columns(con, "reference", "ref_settings"):
        return None
    row = con.execute(
        "select value from reference.ref_settings where setting = 'cleansing_start_date'"
    ).fetchone()
    try:
        return dt.date.fromisoformat(str(row[0]).strip()[:10]) if row and row[0] else None
    except ValueError:
        return None


@dataclass
class ExtractAsLoaded:
    """One extract's latest successful load, as raw.load_log records it (counts only)."""

    file_name: str
    rows_loaded: int
    rows_quarantined: int
    open_end_dates: int  # end dates given as an "open" placeholder (9999-12-31), read as open


def extracts_as_loaded(con: duckdb.DuckDBPyConnection) -> list[ExtractAsLoaded]:
    """Per extract, what its latest successful load kept, held back and read as open."""
    columns = table_columns(con, "raw", "load_log")
    if not {"file_name", "rows_loaded", "rows_quarantined", "status"} <= set(columns):
        return []
    open_ends = "open_end_dates" if "open_end_dates" in columns else "0"
    rows = con.execute(
        f"""
        select file_name, arg_max(rows_loaded, finished_at), arg_max(rows_quarantined,
               finished_at), arg_max(coalesce({open_ends}, 0), finished_at)
        from raw.load_log where status = 'loaded'
        group by file_name order by file_name
        """
    ).fetchall()
    return [ExtractAsLoaded(f, int(r or 0), int(q or 0), int(o or 0)) for f, r, q, o in rows]


# --- the section as the template shows it ---------------------------------------------------


def data_quality_section(
    con: duckdb.DuckDBPyConnection, start: dt.date, commentary: Commentary, caveats: Caveats
) -> dict:
    """Everything the data quality and cleansing section shows."""
    cleansing = cleansing_status(con, start)
    cleansing_summary = cleansing_chart = None
    if cleansing and cleansing.with_backlog:
        cleansing_summary = _cleansing_sentence(cleansing, cleansing_start(con))
        cleansing_chart = charts.cleansing_chart(
            [loc.locality for loc in cleansing.with_backlog],
            [loc.pct_complete for loc in cleansing.with_backlog],
            [bool(loc.is_complete) for loc in cleansing.with_backlog],
        )
    trend = check_trend(con)
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
        "check_trend": trend,
        "check_trend_chart": trend_chart,
        "caveats_available": caveats.available,
    }


def _cleansing_sentence(cleansing: Cleansing, since: dt.date | None) -> str:
    """In the seed's words: '330 CAFs have been closed as part of the data cleansing action
    plan since May 2014: 4 of the 8 localities have completed the data cleansing work, and
    the others have completed between 71.00% and 88.00%.'"""
    since_text = f" since {month_label(since)}" if since else ""
    total = len(cleansing.with_backlog)
    text = (
        f"{fmt_count(cleansing.closed_by_cleansing)} early help episodes (CAFs) have been closed "
        f"as part of the data cleansing action plan{since_text}: {cleansing.complete} of the "
        f"{total} localities have completed the data cleansing work"
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
