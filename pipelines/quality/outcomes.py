"""What a quality run found, as plain data, kept apart from gx_run so that reading results
(the board pack's caveats and trend, the asset checks' metadata) never imports GX."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipelines.quality.suites import ExpectationSpec, Suite

PASSED, FAILED, BROKEN = "passed", "failed", "broken"


@dataclass
class ExpectationOutcome:
    spec: ExpectationSpec
    status: str  # passed, failed or broken
    failing_records: int = 0
    checked_records: int | None = None
    failing_lines: list[int] = field(default_factory=list)  # restricted: for worklists only
    observed: str | None = None  # an aggregate's observed value (a row count)
    message: str | None = None  # why a broken expectation could not be evaluated


@dataclass
class SuiteOutcome:
    suite: Suite
    outcomes: list[ExpectationOutcome]
    rows: int
    seconds: float
    gx_result: object | None = None  # the sanitised GX result, for Data Docs


@dataclass
class CheckSummary:
    """What one suite found, in counts only (safe for the UI, the history and alerts)."""

    outcome: SuiteOutcome
    previous: dict[str, int] | None  # expectation -> failing records last run

    @property
    def suite(self) -> Suite:
        return self.outcome.suite

    def failed(self, severity: str | None = None):
        return [
            o
            for o in self.outcome.outcomes
            if o.status == FAILED and (severity is None or o.spec.severity == severity)
        ]

    @property
    def broken(self):
        return [o for o in self.outcome.outcomes if o.status == BROKEN]

    @property
    def failing_records(self) -> int:
        return sum(o.failing_records for o in self.failed())

    @property
    def previous_failing_records(self) -> int | None:
        return None if self.previous is None else sum(self.previous.values())

    def change(self, expectation: str, now: int) -> int | None:
        return None if self.previous is None else now - self.previous.get(expectation, 0)


@dataclass
class QualityRun:
    run_id: str
    reporting_month: date  # first day of the month the records were checked as at
    as_at: date  # its last day
    extract_date: date  # the date the extract was taken (the as-loaded checks' "future")
    checked_at: datetime
    checks: list[CheckSummary] = field(default_factory=list)
    worklist_folder: Path | None = None
    worklist_rows: dict[str, int] = field(default_factory=dict)
    data_docs: Path | None = None
