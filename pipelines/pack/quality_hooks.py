"""Hooks into pipelines.quality (the data quality checks): caveats per indicator and the
trend of each check's failures.

Both are optional for the pack: a missing module or function, or a check-history table not
created yet (duckdb.CatalogException), gives no caveats and no trend, and the pack says so in
its data quality section rather than failing. Any other error is a real fault and propagates.

Real shapes (pipelines/quality/history.py): latest_caveats(con) -> {indicator code: [caveat
sentences]} from each check's latest warning-severity failures; check_trend(con) -> DataFrame
with one row per check per run (run_id, checked_at, check_name, failing_records, ...).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb

from pipelines.pack.formatting import as_float, short_month

log = logging.getLogger(__name__)


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
    periods: list[str]  # column labels, oldest first ("Aug-14")
    rows: list[tuple[str, list[int | None]]]  # check name, failing records per period
    series_for_chart: dict[str, list[float | None]]
    checks_without_failures: int  # left out of the table to keep it to what needs attention


# pipelines.quality.check_trend gives one row per check per run (run_id, checked_at,
# check_name, failing_records, ...); other names are accepted in case that changes.
_TREND_NAME = ("check_name", "check", "name", "expectation", "rule")
_TREND_PERIOD = ("checked_at", "run_at", "month", "period", "run_date", "date")
_TREND_FAILURES = ("failing_records", "failures", "failed", "failure_count", "unexpected_count")


def check_trend(con: duckdb.DuckDBPyConnection, periods: int = 6) -> CheckTrend | None:
    """Records failing each check at its latest run in each of the last `periods` months that
    have runs. Nightly runs make dozens a month; the board reads the trend month by month, and
    the latest run in a month is that month's position (summing runs would count the same
    records many times)."""
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
    latest: dict[tuple[str, dt.date], tuple[object, float]] = {}
    for record in records:
        when = record[period_col]
        if when is None:
            continue
        month = _month_of(when)
        key = (str(record[name_col]), month)
        failures = as_float(record[fail_col]) or 0.0
        if key not in latest or str(when) >= str(latest[key][0]):
            latest[key] = (when, failures)
    months = sorted({month for _, month in latest})[-periods:]
    names = sorted({name for name, _ in latest})
    table = {name: [_int_or_none(latest.get((name, m))) for m in months] for name in names}
    failing = {name: values for name, values in table.items() if any(values)}
    # The chart shows the five checks with the most failures in the latest month, so that it
    # stays legible in greyscale (five distinct line styles and markers).
    top = sorted(failing.items(), key=lambda item: (-(item[1][-1] or 0), item[0]))[:5]
    return CheckTrend(
        periods=[short_month(m) for m in months],
        rows=list(failing.items()),
        series_for_chart={
            name: [float(v) if v is not None else None for v in vals] for name, vals in top
        },
        checks_without_failures=len(table) - len(failing),
    )


def _month_of(value: object) -> dt.date:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        stamp = value.to_pydatetime()
        return dt.date(stamp.year, stamp.month, 1)
    return dt.date.fromisoformat(str(value)[:7] + "-01")


def _int_or_none(entry: tuple[object, float] | None) -> int | None:
    return None if entry is None else int(entry[1])
