"""Data Docs for the run, written to <output>/data_docs/ (index.html and one page per suite).

Self-contained pages of our own rather than Great Expectations' Data Docs site: GX's pages load
jQuery, Bootstrap, Vega and a logo from the internet at every view, so on a council network
closed to those hosts the index shows an empty list, and they fail WCAG 2.2 AA (ARIA tab errors,
no page language, small targets). These pages need nothing but the files themselves: plain HTML
with the styles inline and no script, a page language, real tables with captions and headers,
and every status in words as well as colour (checked by tests/test_accessibility.py with
axe-core in Chromium, offline).

Counts and percentages only: each check's own description (the suite's `problem`), how many
records it looked at and how many failed, never a value, a row or an identifier, so the site
can sit in the ordinary output folder beside the pack. The child-level detail is in the
restricted worklists.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import shutil
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from pipelines.quality.outcomes import BROKEN, FAILED, PASSED, ExpectationOutcome, SuiteOutcome

# a suite page (in suites/) links back to the index beside that folder
INDEX_FROM_SUITE_PAGES = posixpath.relpath("index.html", "suites")

log = logging.getLogger(__name__)

SITE_FOLDER = "data_docs"
# What GX's site builder used to write here: removed, so no stale page needs the internet.
_OLD_GX_FOLDERS = ("static", "expectations", "validations")

STATUS_WORDS = {
    PASSED: ("\u2713", "Passed"),  # ✓
    FAILED: ("\u2717", "Failed"),  # ✗
    BROKEN: ("!", "Could not be checked"),
}

_STYLE = """
html { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 15px; color: #1a1a1a;
       background: #f4f5f7; line-height: 1.45; }
body { max-width: 75rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
main { background: #fff; padding: 1rem 1.25rem 1.5rem; box-shadow: 0 1px 3px #0002; }
h1 { color: #1d3557; font-size: 1.6rem; margin: 0.5rem 0; }
h2 { color: #1d3557; font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
p { margin: 0 0 0.75rem; max-width: 60rem; }
a { color: #0b4f9c; }
a:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem;
         border-bottom: 1px solid #d0d5dc; }
.code { word-break: break-all; min-width: 9rem; }
thead th { background: #e8ecf1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td a, nav a, .skip { display: inline-block; min-height: 24px; line-height: 24px; }
.status-passed { color: #1e5e2e; }
.status-failed { color: #8a1c1c; font-weight: bold; }
.status-broken { color: #7a4b00; font-weight: bold; }
.summary { display: flex; flex-wrap: wrap; gap: 0.75rem; padding: 0; list-style: none; }
.summary li { border: 1px solid #c5ccd6; padding: 0.4rem 0.8rem; background: #fafbfc; }
.skip { position: absolute; left: -999px; }
.skip:focus { position: static; }
.note { color: #3a3a3a; font-size: 0.9rem; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ style }}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the results</a>
<header>
{% if back %}<nav aria-label="Data Docs">
<a href="{{ back }}">All data quality checks</a>
</nav>{% endif %}
<h1>{{ title }}</h1>
<p class="note">{{ run_text }} Counts only: no record, value or identifier is shown here; the
records behind each failed check are in the restricted worklists.</p>
</header>
<main id="main">
{{ body }}
</main>
</body>
</html>
"""

_INDEX_BODY = """<h2>Summary</h2>
<ul class="summary">
  <li>{{ suites | length }} suites</li>
  <li>{{ totals.expectations }} checks</li>
  <li><span class="status-passed">\u2713 {{ totals.passed }} passed</span></li>
  <li><span class="status-failed">\u2717 {{ totals.failed_errors }} failed with errors</span></li>
  <li><span class="status-failed">\u2717 {{ totals.failed_warnings }} failed with warnings
  </span></li>
  <li><span class="status-broken">! {{ totals.broken }} could not be checked</span></li>
</ul>
<table>
<caption>Every suite of checks, with what it found</caption>
<thead><tr>
  <th scope="col">Suite</th><th scope="col">Extract table</th><th scope="col">Scope</th>
  <th scope="col" class="num">Rows</th><th scope="col" class="num">Checks</th>
  <th scope="col" class="num">Passed</th><th scope="col" class="num">Failed</th>
  <th scope="col" class="num">Could not be checked</th>
  <th scope="col" class="num">Failing records</th><th scope="col">Result</th>
</tr></thead>
<tbody>
{% for s in suites %}<tr>
  <th scope="row"><a href="{{ s.href }}">{{ s.name }}</a></th><td>{{ s.table }}</td>
  <td>{{ s.scope }}</td><td class="num">{{ s.rows }}</td><td class="num">{{ s.checks }}</td>
  <td class="num">{{ s.passed }}</td><td class="num">{{ s.failed }}</td>
  <td class="num">{{ s.broken }}</td><td class="num">{{ s.failing_records }}</td>
  <td class="status-{{ s.status }}">{{ s.symbol }} {{ s.status_text }}</td>
</tr>
{% endfor %}</tbody>
</table>
"""

_SUITE_BODY = """<p>Extract table <strong>{{ suite.table }}</strong> ({{ suite.scope }} checks):
{{ rows }} rows checked. Result: <span class="status-{{ status }}">{{ symbol }}
{{ status_text }}</span>.</p>
<table>
<caption>Each check in {{ suite.name }}</caption>
<thead><tr>
  <th scope="col">Check</th><th scope="col">What it looks for</th>
  <th scope="col">Severity</th><th scope="col">Columns</th><th scope="col">Result</th>
  <th scope="col" class="num">Failing records</th><th scope="col" class="num">Records checked</th>
  <th scope="col" class="num">Failing</th><th scope="col">Indicators affected</th>
</tr></thead>
<tbody>
{% for e in checks %}<tr>
  <th scope="row" class="code">{{ e.name }}</th><td>{{ e.problem }}</td>
  <td>{{ e.severity }}</td><td class="code">{{ e.columns }}</td>
  <td class="status-{{ e.status }}">{{ e.symbol }} {{ e.status_text }}{% if e.note %}
    <br><span class="note">{{ e.note }}</span>{% endif %}</td>
  <td class="num">{{ e.failing }}</td><td class="num">{{ e.checked }}</td>
  <td class="num">{{ e.percent }}</td><td class="code">{{ e.indicators }}</td>
</tr>
{% endfor %}</tbody>
</table>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)


def _file_name(suite_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", suite_name) + ".html"


def _count(value: int | None) -> str:
    return "N/A" if value is None else f"{value:,}"


def _suite_status(outcome: SuiteOutcome) -> str:
    statuses = {o.status for o in outcome.outcomes}
    if BROKEN in statuses:
        return BROKEN
    return FAILED if FAILED in statuses else PASSED


def _check_row(o: ExpectationOutcome) -> dict:
    symbol, words = STATUS_WORDS[o.status]
    failing = o.failing_records if o.status == FAILED else 0
    percent = ""
    if o.checked_records:
        percent = f"{100 * failing / o.checked_records:.1f}%"
    note = o.message if o.status == BROKEN else (f"Observed: {o.observed}" if o.observed else "")
    return {
        "name": o.spec.name,
        "problem": o.spec.problem,
        "severity": "Error (stops the pack)" if o.spec.severity == "error" else "Warning",
        "columns": ", ".join(o.spec.columns) or "(the whole table)",
        "status": o.status,
        "symbol": symbol,
        "status_text": words,
        "note": note,
        "failing": _count(failing if o.status != BROKEN else None),
        "checked": _count(o.checked_records),
        "percent": percent,
        # None: every indicator computed from the table (dbt's lineage decides which)
        "indicators": (
            "those computed from this table"
            if o.spec.indicators is None
            else ", ".join(o.spec.indicators) or "none"
        ),
    }


def _page(title: str, body: str, run_text: str, back: str | None) -> str:
    return _ENV.from_string(_PAGE).render(
        # the body is rendered (and escaped) by its own template; the style is ours
        title=title,
        style=Markup(_STYLE),
        body=Markup(body),
        run_text=run_text,
        back=back,
    )


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def build_data_docs(
    outcomes: list[SuiteOutcome], output_dir: Path, run_label: str | None = None
) -> Path:
    """Write the run's Data Docs; returns the site's index.html. The site shows the latest run
    only (quality.check_results keeps the history)."""
    site = Path(output_dir) / SITE_FOLDER
    site.mkdir(parents=True, exist_ok=True)
    for name in _OLD_GX_FOLDERS:
        shutil.rmtree(site / name, ignore_errors=True)
    suites_dir = site / "suites"
    shutil.rmtree(suites_dir, ignore_errors=True)
    suites_dir.mkdir()
    run_text = f"Latest run: {run_label}." if run_label else "Latest run."
    rows = []
    totals = dict.fromkeys(
        ("expectations", "passed", "failed_errors", "failed_warnings", "broken"), 0
    )
    for outcome in sorted(outcomes, key=lambda o: o.suite.name):
        checks = [_check_row(o) for o in outcome.outcomes]
        status = _suite_status(outcome)
        symbol, words = STATUS_WORDS[status]
        body = _ENV.from_string(_SUITE_BODY).render(
            suite=outcome.suite, rows=_count(outcome.rows), checks=checks, status=status,
            symbol=symbol, status_text=words,
        )  # fmt: skip
        file_name = _file_name(outcome.suite.name)
        title = f"Data quality checks: {outcome.suite.name}"
        _write(suites_dir / file_name, _page(title, body, run_text, INDEX_FROM_SUITE_PAGES))
        failed = [o for o in outcome.outcomes if o.status == FAILED]
        totals["expectations"] += len(outcome.outcomes)
        totals["passed"] += sum(o.status == PASSED for o in outcome.outcomes)
        totals["failed_errors"] += sum(o.spec.severity == "error" for o in failed)
        totals["failed_warnings"] += sum(o.spec.severity != "error" for o in failed)
        totals["broken"] += sum(o.status == BROKEN for o in outcome.outcomes)
        rows.append(
            {
                "name": outcome.suite.name,
                "href": f"suites/{file_name}",
                "table": outcome.suite.table,
                "scope": outcome.suite.scope,
                "rows": _count(outcome.rows),
                "checks": len(outcome.outcomes),
                "passed": sum(o.status == PASSED for o in outcome.outcomes),
                "failed": len(failed),
                "broken": sum(o.status == BROKEN for o in outcome.outcomes),
                "failing_records": _count(sum(o.failing_records for o in failed)),
                "status": status,
                "symbol": symbol,
                "status_text": words,
            }
        )
    body = _ENV.from_string(_INDEX_BODY).render(suites=rows, totals=totals)
    index = site / "index.html"
    _write(index, _page("Data quality checks", body, run_text, None))
    log.info("Data Docs: %d suites written to %s", len(rows), site)
    return index
