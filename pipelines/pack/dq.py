"""The data quality and cleansing content: aggregates from the quality models and checks.

Sources, all optional (the pack says "not available" rather than failing when one is absent,
because the quality part of the project is built separately and may be behind):

- dbt model `quality.eh_cleansing_by_locality` (month, locality, stale_backlog, closed_since,
  closed_by_cleansing, pct_complete, is_complete): early help cleansing status;
- dbt models `quality.unended_placements` and `quality.unended_placements_effect`: only
  aggregates are read (counts by reason; numeric columns of the effect), never a row per child;
- `pipelines.quality.check_trend(con)` and `pipelines.quality.latest_caveats(con)` when that
  module exists; a missing module, function or table means no trend and no caveats.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb

from pipelines.pack.data import fetch_dicts, table_columns
from pipelines.pack.formatting import as_float, short_month

log = logging.getLogger(__name__)

# Columns that could identify a child or a record: never read, even to aggregate them away.
# (Aggregates such as "cla_children" are fine; "_id"/"person" columns are not, numeric or not.)
_ID_MARKERS = ("person", "pers_", "_id", "_ref", "nhs", "upn")


def _is_identifier(column: str) -> bool:
    lowered = column.lower()
    return lowered == "id" or any(marker in lowered for marker in _ID_MARKERS)


# --- pipelines.quality hooks --------------------------------------------------------------


def _quality_function(name: str) -> Callable | None:
    """pipelines.quality.<name>, or None while that module or function does not exist."""
    try:
        module = importlib.import_module("pipelines.quality")
    except ModuleNotFoundError as error:
        if error.name not in ("pipelines.quality", "pipelines"):
            raise  # the module exists but is broken: that must not pass silently
        return None
    return getattr(module, name, None)


def _call_quality(name: str, con: duckdb.DuckDBPyConnection) -> tuple[bool, object]:
    """(available, result). A missing module/function, or a check-history table that does
    not exist yet (CatalogException), gives (False, None): no caveats rather than no pack."""
    function = _quality_function(name)
    if function is None:
        log.info("pipelines.quality.%s not available: section left out of the pack", name)
        return False, None
    try:
        return True, function(con)
    except duckdb.CatalogException as error:
        log.info("pipelines.quality.%s has no table yet (%s): section left out", name, error)
        return False, None


def _records(result: object) -> list[dict]:
    """A DataFrame, a list of dicts or a list of objects, as a list of dicts."""
    if result is None:
        return []
    if hasattr(result, "to_dict"):
        return list(result.to_dict("records"))
    records = []
    for item in result if isinstance(result, Iterable) else []:
        if isinstance(item, dict):
            records.append(item)
        elif hasattr(item, "_asdict"):
            records.append(item._asdict())
        elif hasattr(item, "__dict__"):
            records.append(vars(item))
    return records


def _first(record: dict, names: tuple[str, ...]) -> object:
    for name in names:
        if name in record and record[name] is not None:
            return record[name]
    return None


@dataclass
class Caveats:
    available: bool
    by_indicator: dict[str, list[str]] = field(default_factory=dict)

    def for_indicator(self, code: str) -> list[str]:
        return self.by_indicator.get(code, [])


def latest_caveats(con: duckdb.DuckDBPyConnection) -> Caveats:
    """Warning-severity caveats per indicator code, from pipelines.quality.latest_caveats.

    Accepted shapes: {code: text | [texts]}, or records with an indicator code
    (`indicator_code`/`indicator`/`code`, or a list / comma-separated `indicator_codes`),
    a text (`caveat`/`message`/`text`/`description`) and optionally `severity` (only
    'warning' is kept when present)."""
    available, result = _call_quality("latest_caveats", con)
    caveats = Caveats(available=available)
    if not available:
        return caveats
    if isinstance(result, dict):
        for code, texts in result.items():
            texts = [texts] if isinstance(texts, str) else list(texts or [])
            caveats.by_indicator.setdefault(str(code), []).extend(str(t) for t in texts)
        return caveats
    for record in _records(result):
        severity = record.get("severity")
        if severity is not None and str(severity).lower() != "warning":
            continue
        text = _first(record, ("caveat", "message", "text", "description"))
        codes = _first(record, ("indicator_codes", "indicator_code", "indicator", "code"))
        if text is None or codes is None:
            continue
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(",")]
        for code in codes:
            if code and str(text) not in caveats.by_indicator.get(code, []):
                caveats.by_indicator.setdefault(str(code), []).append(str(text))
    return caveats


@dataclass
class CheckTrend:
    periods: list[str]  # column labels, oldest first
    rows: list[tuple[str, list[int | None]]]  # check name, failures per period
    series_for_chart: dict[str, list[float | None]]


_TREND_NAME = ("check_name", "check", "name", "expectation", "rule")
_TREND_PERIOD = ("month", "period", "run_month", "run_date", "checked_at", "run_at", "date")
_TREND_FAILURES = ("failures", "failed", "failure_count", "n_failures", "unexpected_count")


def check_trend(con: duckdb.DuckDBPyConnection, periods: int = 6) -> CheckTrend | None:
    """Failures per check over the last `periods` periods, from pipelines.quality.check_trend
    (records with a check name, a period and a failure count; column names as above)."""
    available, result = _call_quality("check_trend", con)
    records = _records(result) if available else []
    if not records:
        return None
    keys = set(records[0])
    name_col = next((c for c in _TREND_NAME if c in keys), None)
    period_col = next((c for c in _TREND_PERIOD if c in keys), None)
    fail_col = next((c for c in _TREND_FAILURES if c in keys), None)
    if not (name_col and period_col and fail_col):
        log.warning("check_trend columns not recognised: %s", sorted(keys))
        return None
    table: dict[str, dict[object, float]] = {}
    all_periods: set = set()
    for record in records:
        period = record[period_col]
        period = period.date() if isinstance(period, dt.datetime) else period
        all_periods.add(period)
        failures = as_float(record[fail_col]) or 0.0
        cell = table.setdefault(str(record[name_col]), {})
        cell[period] = cell.get(period, 0.0) + failures
    chosen = sorted(all_periods, key=str)[-periods:]
    labels = [short_month(p) if isinstance(p, dt.date) else str(p) for p in chosen]
    rows = [
        (name, [int(cells[p]) if p in cells else None for p in chosen])
        for name, cells in sorted(table.items())
    ]
    # The chart shows the five checks with the most failures in the latest period, so that it
    # stays legible in greyscale (five distinct line styles and markers).
    latest = chosen[-1]
    top = sorted(table.items(), key=lambda item: (-item[1].get(latest, 0.0), item[0]))[:5]
    series = {name: [cells.get(p) for p in chosen] for name, cells in top}
    return CheckTrend(periods=labels, rows=rows, series_for_chart=series)


# --- dbt quality models --------------------------------------------------------------------


@dataclass
class LocalityStatus:
    locality: str
    stale_backlog: float | None
    closed_since: float | None
    closed_by_cleansing: float | None
    pct_complete: float | None  # 0-100
    is_complete: bool


@dataclass
class Cleansing:
    localities: list[LocalityStatus]

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
            for loc in self.localities
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
        select locality, stale_backlog, closed_since, closed_by_cleansing, pct_complete,
               is_complete
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
            is_complete=bool(row["is_complete"]),
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
    for_month: bool  # False: the model is a snapshot of the latest extract, not per month
    effect_columns: list[str]
    effect_rows: list[dict]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_reason)


_REASON_COLUMNS = ("reason", "unended_reason", "issue", "rule", "check_name")


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
        effect_columns = [c for c in numeric if not _is_identifier(c) and c != "month"]
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
    return Unended(
        by_reason=[(str(r), int(n)) for r, n in by_reason],
        for_month=bool(params),
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
