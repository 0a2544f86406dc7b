"""Worklists: the records each locality or team should fix, in the restricted folder only.

quality.worklist_records keeps every record a check flags now, with the date it was first
flagged ("since when"), carried over from run to run by (check, expectation, record id). The
files, one CSV and one xlsx per team, go to <restricted>/worklists/<date>_<run>/ with
owner-only permissions (folders 0700, files 0600). They hold record and person ids, so they
are never attached to an alert or put in the pack: the digest only says where they are.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from pipelines.contract import get_table
from pipelines.csv_safety import safe_frame
from pipelines.quality.frames import q
from pipelines.quality.outcomes import FAILED, SuiteOutcome
from pipelines.quality.specs import PERSON_COLUMN, TEAM_COLUMN

UNALLOCATED = "Unallocated"
# Run folders kept: enough for a fortnight of nightly runs. Older copies of child-level lists
# are deleted (keep no more personal data than the work needs).
KEEP_RUNS = 14
RUN_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}_")
FILE_COLUMNS = [
    "team",
    "table",
    "record_id",
    "person_id",
    "problem",
    "severity",
    "since",
    "check",
    "source_line",
]

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.worklist_records (
    check_name VARCHAR, expectation VARCHAR, table_name VARCHAR, record_id VARCHAR,
    person_id VARCHAR, team VARCHAR, problem VARCHAR, severity VARCHAR,
    source_line BIGINT, first_flagged TIMESTAMP, last_flagged TIMESTAMP, run_id VARCHAR
);
"""


def ensure_worklist_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL)


def _team_sql(table: str, person: str | None) -> str:
    # The table's own team or locality where it has one, else the team of the child's latest
    # referral, so that every flagged record lands on someone's list.
    own = f"t.{q(TEAM_COLUMN[table])}" if table in TEAM_COLUMN else "NULL"
    if person is None:
        return f"coalesce({own}, '{UNALLOCATED}')"
    latest = f"""(SELECT arg_max(c.cine_referral_team, c.cine_referral_date)
                  FROM raw.ssd_cin_episodes c WHERE c.cine_person_id = t.{q(person)})"""
    return f"coalesce({own}, {latest}, '{UNALLOCATED}')"


def update_records(
    con: duckdb.DuckDBPyConnection, outcome: SuiteOutcome, run_id: str, now: datetime
) -> int:
    """Replace the suite's rows in quality.worklist_records with what it flags now; returns
    the number of rows."""
    suite = outcome.suite
    flagged = pd.DataFrame(
        [
            (o.spec.name, o.spec.problem, o.spec.severity, line)
            for o in outcome.outcomes
            if o.status == FAILED
            for line in o.failing_lines
        ],
        columns=["expectation", "problem", "severity", "source_line"],
    )
    key = get_table(suite.table).primary_key[0]
    person = PERSON_COLUMN.get(suite.table)
    person_sql = f"t.{q(person)}" if person else "NULL"
    con.register("_flagged_lines", flagged)
    try:
        con.begin()
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _worklist_new AS
            SELECT ? AS check_name, f.expectation, ? AS table_name,
                   coalesce(CAST(t.{q(key)} AS VARCHAR), 'line ' || f.source_line) AS record_id,
                   CAST({person_sql} AS VARCHAR) AS person_id,
                   {_team_sql(suite.table, person)} AS team,
                   f.problem, f.severity, CAST(f.source_line AS BIGINT) AS source_line
            FROM _flagged_lines f JOIN raw.{q(suite.table)} t ON t._source_line = f.source_line
            """,
            [suite.name, suite.table],
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _worklist_merged AS
            SELECT n.*, coalesce(o.first_flagged, CAST(? AS TIMESTAMP)) AS first_flagged,
                   CAST(? AS TIMESTAMP) AS last_flagged, ? AS run_id
            FROM _worklist_new n LEFT JOIN (
                SELECT expectation, record_id, min(first_flagged) AS first_flagged
                FROM quality.worklist_records WHERE check_name = ? GROUP BY ALL
            ) o USING (expectation, record_id)
            """,
            [now, now, run_id, suite.name],
        )
        con.execute("DELETE FROM quality.worklist_records WHERE check_name = ?", [suite.name])
        con.execute(
            """INSERT INTO quality.worklist_records
               SELECT check_name, expectation, table_name, record_id, person_id, team, problem,
                      severity, source_line, first_flagged, last_flagged, run_id
               FROM _worklist_merged"""
        )
        (count,) = con.execute("SELECT count(*) FROM _worklist_merged").fetchone()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("_flagged_lines")
        con.execute("DROP TABLE IF EXISTS _worklist_new")
        con.execute("DROP TABLE IF EXISTS _worklist_merged")
    return count


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start (not chmod-ed afterwards), so no other user can ever open it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def _slug(team: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", team).strip("_").lower()[:60] or "team"


def file_stems(teams: list[str]) -> dict[str, str]:
    """A file name (without extension) per team, never the same for two teams: the readable
    slug ("South East" -> south_east), and where two teams share a slug ("South East",
    "South-East") each gets a short fingerprint of its exact name as well."""
    by_slug: dict[str, list[str]] = {}
    for team in teams:
        by_slug.setdefault(_slug(team), []).append(team)
    stems = {}
    for slug, named in by_slug.items():
        for team in named:
            if len(named) == 1:
                stems[team] = slug
            else:
                digest = hashlib.sha256(team.encode("utf-8")).hexdigest()[:10]
                stems[team] = f"{slug}_{digest}"
    # a fingerprinted name equal to another team's plain slug: fingerprint that one too
    taken: dict[str, str] = {}
    for team in teams:
        stem = stems[team]
        if stem in taken:
            stem = f"{stem}_{hashlib.sha256(team.encode('utf-8')).hexdigest()[:16]}"
        taken[stem] = team
        stems[team] = stem
    return stems


def _xlsx(frame: pd.DataFrame, team: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    # Excel's rules for sheet names: no []:*?/\, at most 31 characters, no apostrophe at
    # either end, not "History"
    name = re.sub(r"[\[\]:*?/\\]", " ", team)[:31].strip("'")
    sheet = book.add_worksheet(name if name and name.lower() != "history" else "worklist")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, bold)
    for row, values in enumerate(frame.itertuples(index=False), start=1):
        for col, value in enumerate(values):
            # strings stay strings: ids such as 00123 must not become numbers in Excel
            sheet.write_string(row, col, "" if pd.isna(value) else str(value))
    sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def write_worklists(
    con: duckdb.DuckDBPyConnection, restricted_dir: Path, run_label: str
) -> tuple[Path, dict[str, int]]:
    """Write every team's worklist for the run; returns the folder and rows per team."""
    folder = _private_dir(_private_dir(_private_dir(restricted_dir) / "worklists") / run_label)
    for old in folder.iterdir():  # a re-run of the same run rewrites its folder
        if old.is_file():
            old.unlink()
    frame = con.execute(
        """SELECT team, table_name AS "table", record_id, person_id, problem, severity,
                  CAST(first_flagged AS DATE) AS since, check_name AS "check", source_line
           FROM quality.worklist_records
           ORDER BY team, "table", problem, record_id"""
    ).df()
    counts: dict[str, int] = {}
    stems = file_stems(sorted(str(t) for t in frame["team"].unique()))
    for team, rows in frame.groupby("team", sort=True):
        rows = rows[FILE_COLUMNS]
        stem = stems[str(team)]
        # the CSV neutralises cells a spreadsheet would run as formulas; the xlsx writes
        # every cell as a string, which Excel never runs
        csv_text = safe_frame(rows).to_csv(index=False)
        _write_private(folder / f"{stem}.csv", csv_text.encode("utf-8"))
        _write_private(folder / f"{stem}.xlsx", _xlsx(rows, str(team)))
        counts[str(team)] = len(rows)
    _prune(folder.parent)
    return folder, counts


def _prune(worklists_dir: Path) -> None:
    runs = sorted(
        (p for p in worklists_dir.iterdir() if p.is_dir() and RUN_FOLDER.match(p.name)),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    for old in runs[:-KEEP_RUNS]:
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
