"""Running one suite with Great Expectations on a frame DuckDB built, and reading the result.

GX's SQL datasource gives wrong answers on DuckDB, so GX only ever sees pandas frames: the
record's `_source_line` plus the columns the suite names, read from the dbt views (frames.py).
An expectation GX could not evaluate (a misspelt column, an unknown expectation type, a wrong
argument) comes back as BROKEN: a fault in the check, never counted as failing records.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.validator.v1_validator import Validator

from pipelines.quality.frames import checked_relation, frame_sql
from pipelines.quality.outcomes import BROKEN, FAILED, PASSED, ExpectationOutcome, SuiteOutcome
from pipelines.quality.suites import ExpectationSpec, Suite

# COMPLETE gives the failing rows' _source_line (for the worklists) and nothing else: no
# values, so nothing about a child reaches the results, the history or Data Docs.
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_source_line"],
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SAFE_DATETIME = "datetime64[us]"  # years 1 to 9999
FAST_DATETIME = "datetime64[ns]"  # what GX vectorises; years 1677 to 2262
NS_EARLIEST, NS_LATEST = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")

log = logging.getLogger(__name__)


def _datetime_kwargs(value):
    # GX parses "2014-08-31" into a date, which pandas will not compare with datetime64; a
    # datetime compares, so plain ISO dates in a suite are read as midnight on that day.
    if isinstance(value, str) and ISO_DATE.match(value):
        return value + "T00:00:00"
    if isinstance(value, dict):
        return {k: _datetime_kwargs(v) for k, v in value.items()}
    return value


def _gx_expectation(spec: ExpectationSpec) -> dict:
    kwargs = {k: _datetime_kwargs(v) for k, v in spec.kwargs.items()}
    meta = {"name": spec.name, "severity": spec.severity, "kind": spec.kind}
    return {"type": spec.type, "kwargs": kwargs, "meta": meta}


class GxRunner:
    """One ephemeral GX context for a whole check run (no files, no network).

    Every suite is validated against the same pandas dataframe asset (its frame is the batch
    parameter) by GX's Validator directly: registering an asset, a suite and a validation
    definition per suite in the context's stores cost about a fifth of the suites' time, and
    re-saved the whole datasource each time, for nothing this project reads back (the results
    are read here, and the Data Docs are the project's own pages)."""

    def __init__(self, run_name: str = "manual") -> None:
        self.run_name = run_name  # the Dagster run id, kept in each result's meta
        self.context = gx.get_context(mode="ephemeral")
        # progress bars would fill the Dagster compute logs with one line per metric batch
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = self.context.data_sources.add_pandas("warehouse").add_dataframe_asset("frame")
        self.batch = asset.add_batch_definition_whole_dataframe("whole_table")

    def suite(self, suite: Suite, specs: list[ExpectationSpec]):
        """The GX suite, and {expectation: why} for those GX cannot build (an unknown type, a
        wrong argument): they are left out and reported as broken."""
        meta = {k: v for k, v in suite.document.get("meta", {}).items() if k != "notes"}
        expectations, unbuildable = [], {}
        for spec in specs:
            config = _gx_expectation(spec)
            try:
                ExpectationConfiguration(**config).to_domain_obj()
            except Exception as e:  # GX raises several unrelated types here
                unbuildable[spec.name] = f"GX cannot build {spec.type}: {_first_line(e)}"
                continue
            expectations.append(config)
        gx_suite = gx.ExpectationSuite(name=suite.name, meta=meta, expectations=expectations)
        return gx_suite, unbuildable

    def validate(self, gx_suite, frame: pd.DataFrame, parameters: dict):
        validator = Validator(
            batch_definition=self.batch,
            batch_parameters={"dataframe": frame},
            result_format=RESULT_FORMAT,
        )
        result = validator.validate_expectation_suite(gx_suite, parameters)
        result.meta["run_id"] = RunIdentifier(run_name=self.run_name)
        return result


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]


@dataclass(frozen=True)
class Dates:
    """The dates the rules judge by, fixed once per run (dbt's reference.reporting_month)."""

    as_at: date  # the end of the reporting month: the checks see the records as they stood then
    extract_date: date  # the date the extract was taken: a later date is in the future


def fetch_frame(con: duckdb.DuckDBPyConnection, suite: Suite, columns: list[str] | None = None):
    """(the frame, the named columns its relation does not have); see frame_sql."""
    sql, unknown = frame_sql(con, suite, columns)
    frame = con.execute(sql).df()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = _gx_dates(frame[column])
    return frame, unknown


def _gx_dates(column: pd.Series) -> pd.Series:
    """A date column in the unit GX compares fastest that can hold all its values.

    GX compares a column with its bounds in one vectorised step only when the column is
    datetime64[ns]; any other unit goes through Python one value at a time (31 of the 44 s
    the checks took on the bench's largest authority). But ns only spans 1677-2262, and a
    date the raw layer admits (an "open" 9999-12-31 when no placeholders are configured, a
    1066 date of birth with a wider window) must reach the checks, not stop them with
    OutOfBoundsDatetime: such a column stays in microseconds (years 1 to 9999), slower and
    the same result."""
    column = column.astype(SAFE_DATETIME)
    values = column.dropna()
    if values.empty or (values.min() >= NS_EARLIEST and values.max() <= NS_LATEST):
        return column.astype(FAST_DATETIME)
    return column


class SharedFrames:
    """Each relation read once for all the suites of a run that check it.

    A table's own suite and its cross-table suite both check quality.dq_<table>, a dbt view
    computed when it is read: reading it once, with the columns of both, halves that cost
    (5.5 s -> 3.0 s for the 38 suites at the benchmark's largest authority). A frame is kept
    only until the last suite that checks its relation has had it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, suites: list[Suite]) -> None:
        self.con = con
        self._columns: dict[tuple[str, str], dict[str, None]] = {}
        self._waiting: Counter[tuple[str, str]] = Counter()
        for suite in suites:
            relation = checked_relation(suite)
            self._columns.setdefault(relation, {}).update(dict.fromkeys(suite.columns))
            self._waiting[relation] += 1
        self._frames: dict[tuple[str, str], tuple[pd.DataFrame, set[str]]] = {}

    def frame(self, suite: Suite) -> tuple[pd.DataFrame, set[str]]:
        """The suite's columns (with _source_line) and those of them its relation lacks."""
        relation = checked_relation(suite)
        try:
            if relation not in self._frames:
                columns = list(self._columns.get(relation, {})) or suite.columns
                self._frames[relation] = fetch_frame(self.con, suite, columns)
            frame, unknown = self._frames[relation]
        finally:
            self._waiting[relation] -= 1
            if self._waiting[relation] <= 0:
                self._frames.pop(relation, None)
        named = [c for c in dict.fromkeys(suite.columns) if c in frame.columns]
        kept = ["_source_line", *(c for c in named if c != "_source_line")]
        return frame[kept], unknown & set(suite.columns)


def _exception(result) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message") or "raised an exception"
    for value in info.values():  # keyed by metric when a metric failed
        if isinstance(value, dict) and value.get("raised_exception"):
            return value.get("exception_message") or "raised an exception"
    return None


def _lines(result: dict) -> list[int]:
    lines: list[int] = []
    for entry in result.get("unexpected_index_list") or []:
        value = entry.get("_source_line") if isinstance(entry, dict) else None
        if isinstance(value, list):
            lines.extend(int(v) for v in value)
        elif value is not None:
            lines.append(int(value))
    return lines


def _outcome(spec: ExpectationSpec, result) -> ExpectationOutcome:
    broken = _exception(result)
    if broken:
        return ExpectationOutcome(spec, BROKEN, message=broken.splitlines()[0][:300])
    r = result.result or {}
    lines = _lines(r)
    count = r.get("unexpected_count")
    observed = r.get("observed_value")
    if count is None:  # an aggregate (row count): one failing "record" when it fails
        count = 0 if result.success else 1
    return ExpectationOutcome(
        spec,
        PASSED if result.success else FAILED,
        failing_records=int(count),
        checked_records=r.get("element_count"),
        failing_lines=lines,
        observed=None if observed is None else str(observed),
    )


def _sanitise(result) -> None:
    """Drop what could identify a record before the result is kept or rendered."""
    for r in result.results:
        for key in ("unexpected_index_list", "partial_unexpected_index_list", "unexpected_list"):
            (r.result or {}).pop(key, None)
        message = _exception(r)
        if message:
            first = message.splitlines()[0][:300]
            r.exception_info = {
                "raised_exception": True,
                "exception_message": first,
                "exception_traceback": first,
            }


def run_suite(
    runner: GxRunner,
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    dates: Dates,
    frames: SharedFrames | None = None,
) -> SuiteOutcome:
    started = time.perf_counter()
    try:
        frame, unknown = (frames or SharedFrames(con, [suite])).frame(suite)
    except duckdb.Error as e:  # a table the suite reads is not loaded (yet)
        message = f"cannot read the tables: {_first_line(e)}"
        broken = [ExpectationOutcome(s, BROKEN, message=message) for s in suite.expectations]
        return SuiteOutcome(suite, broken, 0, time.perf_counter() - started)
    # An expectation naming a column that is neither raw nor derived cannot run: broken.
    runnable = [s for s in suite.expectations if not set(s.columns) & unknown]
    outcomes: dict[str, ExpectationOutcome] = {
        s.name: ExpectationOutcome(
            s, BROKEN, message=f"unknown column {', '.join(sorted(set(s.columns) & unknown))}"
        )
        for s in suite.expectations
        if set(s.columns) & unknown
    }
    gx_result = None
    try:
        gx_suite, unbuildable = runner.suite(suite, runnable)
        for s in runnable:
            if s.name in unbuildable:
                outcomes[s.name] = ExpectationOutcome(s, BROKEN, message=unbuildable[s.name])
        gx_result = runner.validate(
            gx_suite,
            frame,
            {"as_at": pd.Timestamp(dates.as_at), "extract_date": pd.Timestamp(dates.extract_date)},
        )
        for result in gx_result.results:
            spec = suite.expectation(result.expectation_config.meta["name"])
            outcomes[spec.name] = _outcome(spec, result)
        _sanitise(gx_result)
    except Exception as e:  # GX itself failed: every expectation of the suite is broken
        log.exception("suite %s could not run", suite.name)
        for s in runnable:
            outcomes.setdefault(s.name, ExpectationOutcome(s, BROKEN, message=_first_line(e)))
    ordered = [outcomes[s.name] for s in suite.expectations if s.name in outcomes]
    return SuiteOutcome(suite, ordered, len(frame), time.perf_counter() - started, gx_result)
