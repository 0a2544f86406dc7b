"""The digest the performance team gets after a run: which checks failed, by how much, what
changed since the previous run, and where the worklists are.

It is composed from counts and the suites' own wording only - check names, expectation
names, problem descriptions, record counts, paths - never from a record, so no child-level
data can reach an inbox or a chat channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, BROKEN = "error", "warning", "broken"


@dataclass
class ExpectationLine:
    expectation: str
    severity: str
    status: str  # failed or broken
    failing_records: int
    change: int | None
    problem: str


@dataclass
class FailedCheck:
    asset: str  # e.g. raw/ssd_contacts
    check_name: str
    severity: str  # error (blocks the pack) or warning
    failing_records: int | None
    change: int | None  # since the previous run; None on a first run or unknown
    expectations: list[ExpectationLine] = field(default_factory=list)
    description: str | None = None  # for checks that are not quality suites (freshness)
    # a statutory return's DfE rules (pipelines/assets/returns.py): its one aggregate line,
    # "SSDA903 return 2024-25: 26 errors across 7 rules"
    return_summary: str | None = None

    @property
    def broken_only(self) -> bool:
        return bool(self.expectations) and all(e.status == BROKEN for e in self.expectations)


@dataclass
class RunReport:
    run_id: str
    job_name: str
    run_failed: bool
    failed_checks: list[FailedCheck] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)  # "step (ErrorClass)"
    worklist_folder: str | None = None
    data_docs: str | None = None
    as_at: str | None = None
    run_url: str | None = None

    @property
    def has_news(self) -> bool:
        """Nothing failed and the run succeeded: no message at all."""
        return self.run_failed or bool(self.failed_checks)


def _change(change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return " (no change since the previous run)"
    return f" ({change:+,} since the previous run)"


def _records(n: int | None) -> str:
    if n is None:
        return ""
    return f"{n:,} failing record{'s' if n != 1 else ''}"


def _check_lines(check: FailedCheck) -> list[str]:
    head = f"- {check.asset} / {check.check_name}"
    if check.failing_records is not None:
        head += f": {_records(check.failing_records)}{_change(check.change)}"
    elif check.description:
        head += f": {check.description}"
    lines = [head]
    for e in check.expectations:
        if e.status == BROKEN:
            lines.append(f"    * {e.expectation}: could not be evaluated (broken check)")
        else:
            lines.append(
                f"    * {e.expectation} [{e.severity}]: {e.failing_records:,} - {e.problem}"
                f"{_change(e.change)}"
            )
    return lines


def compose(report: RunReport) -> tuple[str, str] | None:
    """(title, body) for the run, or None when there is nothing to say."""
    if not report.has_news:
        return None
    returns = [c for c in report.failed_checks if c.return_summary]
    checks = [c for c in report.failed_checks if not c.return_summary]
    blocking = [c for c in checks if c.severity == ERROR]
    broken = [c for c in checks if c.severity != ERROR and c.broken_only]
    warnings = [c for c in checks if c.severity != ERROR and not c.broken_only]
    short_id = report.run_id[:8]
    what = "Statutory returns run" if returns and not checks else "Board pack run"
    if report.run_failed:
        title = f"{what} {short_id} FAILED"
    elif not checks:
        title = f"{what} {short_id}: the DfE's rules report errors"
    else:
        title = f"{what} {short_id}: data-quality warnings"
    if report.failed_checks:
        n = len(report.failed_checks)
        title += f" - {n} check{'s' if n != 1 else ''} failed"

    body = [
        f"Run {report.run_id} ({report.job_name}) "
        + (
            "FAILED."
            if report.run_failed
            else "succeeded with data-quality warnings."
            if checks
            else "succeeded; the DfE's rules report errors in the returns."
        )
    ]
    if report.as_at:
        body.append(f"Records checked as at {report.as_at} (the end of the reporting month).")
    if report.run_url:
        body.append(f"Run in Dagster: {report.run_url}")
    if blocking:
        body += ["", "Blocking failures (error severity): the board pack is held back."]
        body += [line for c in blocking for line in _check_lines(c)]
    if warnings:
        body += ["", "Warnings: the board pack is produced with data-quality caveats."]
        body += [line for c in warnings for line in _check_lines(c)]
    if returns:
        body += ["", "Statutory returns checked by the DfE's own rules:"]
        body += [f"- {c.return_summary}" for c in returns]
    if broken:
        body += ["", "Broken checks (the check could not run; not a data problem):"]
        body += [line for c in broken for line in _check_lines(c)]
    if report.failed_steps:
        body += ["", "Failed steps:"] + [f"- {s}" for s in report.failed_steps]
    if report.worklist_folder and returns and not checks:
        body += ["", f"The children each rule names are in the restricted folder: "
                 f"{report.worklist_folder}"]  # fmt: skip
    elif report.worklist_folder:
        body += [
            "",
            "Worklists of the records to fix, one per locality or team, are in the restricted "
            f"folder: {report.worklist_folder}",
        ]
    if report.data_docs:
        body.append(f"Data Docs: {report.data_docs}")
    return title, "\n".join(body) + "\n"
