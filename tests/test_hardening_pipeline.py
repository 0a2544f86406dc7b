"""The whole pipeline on the demo authority as a real system might export it (issue 11): every
open end date written 9999-12-31, rows that must be quarantined, hostile team and locality
names, the commentary saved as Windows-1252. The run succeeds, the indicators are exactly
those of the clean extract, and every output stays safe to open."""

from __future__ import annotations

import base64
import csv
import re

import pytest
from broken_extracts import INJECTED_LOCALITIES, PLACEHOLDER

from pipelines.contract import load_contract

pytestmark = pytest.mark.slow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_the_run_succeeds_with_the_indicators_of_the_clean_extract(hardening_run, demo_run):
    run, placeholders = hardening_run
    assert run.success, run.failures
    assert placeholders > 100  # the demo has hundreds of open episodes, plans and placements
    ours = (run.month_dir / "indicators.csv").read_bytes()
    assert ours == (demo_run.month_dir / "indicators.csv").read_bytes()


def _placeholder_lines(path, column: str) -> set[int]:
    """The file's physical lines whose `column` is the placeholder."""
    lines = set()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        position = next(reader).index(column)
        start = reader.line_num + 1
        for row in reader:
            if row[position] == PLACEHOLDER:
                lines.add(start)
            start = reader.line_num + 1
    return lines


def test_open_end_placeholders_are_counted_in_the_load_log_and_the_pack(hardening_run):
    run, placeholders = hardening_run
    expected = 0
    with run.connect() as con:
        for table in load_contract().tables:
            for column in table.open_end_columns:
                lines = _placeholder_lines(run.settings.extracts_dir / table.file_name, column)
                found = con.execute(f"SELECT _source_line FROM raw.{table.name}").fetchall()
                loaded = {line for (line,) in found}
                expected += len(lines & loaded)  # a quarantined row is not counted
                (stored,) = con.execute(
                    f"SELECT count(*) FROM raw.{table.name} WHERE {column} > DATE '2100-12-31'"
                ).fetchone()
                assert stored == 0
        (counted,) = con.execute(
            "SELECT sum(open_end_dates) FROM raw.load_log WHERE status = 'loaded'"
        ).fetchone()
    assert counted == expected and placeholders - 10 < counted <= placeholders
    html = (run.month_dir / "board_pack.html").read_text(encoding="utf-8")
    section = html[html.index("The extracts as loaded") :]
    assert f"read as open: {counted:,}." in section


def test_the_planted_rows_are_quarantined_with_their_reasons(hardening_run):
    run, _ = hardening_run
    with run.connect() as con:
        rows = con.execute(
            "SELECT table_name, column_name, value, reason FROM raw.quarantine "
            "WHERE table_name IN ('ssd_contacts', 'ssd_person', 'ssd_cla_placement')"
        ).fetchall()
    reasons = {(t, c, v): r for t, c, v, r in rows}
    assert "two digits" in reasons[("ssd_contacts", "cont_contact_date", "01/08/14")]
    assert "must have a value" in reasons[("ssd_contacts", "cont_contact_id", None)]
    assert "NUL byte" in reasons[("ssd_contacts", "cont_contact_source_desc", "Poli\\0ce")]
    assert "outside the plausible" in reasons[("ssd_contacts", "cont_contact_date", "9999-12-31")]
    assert "outside the plausible" in reasons[("ssd_person", "pers_dob", "1066-10-14")]
    for value in ("NaN", "inf", "1e999"):
        key = ("ssd_cla_placement", "clap_cla_placement_distance", value)
        assert "not a finite number" in reasons[key]


def test_worklists_are_safe_to_open_and_one_per_team(hardening_run):
    run, _ = hardening_run
    [folder] = sorted((run.settings.restricted_dir / "worklists").iterdir())
    teams: dict[str, str] = {}
    for path in folder.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_START):
                    float(cell)  # only a plain number may start like a formula
        [team] = {row[0] for row in rows[1:]}
        teams[team] = path.name
    # South East and South-East: two teams, two files
    assert teams["South East"] != teams["South-East"]
    assert "'" + INJECTED_LOCALITIES["North"] in teams  # neutralised, still readable
    assert len(set(teams.values())) == len(teams)


def test_chart_labels_and_commentary_are_plain_text(hardening_run):
    run, _ = hardening_run
    html = (run.month_dir / "board_pack.html").read_text(encoding="utf-8")
    assert "Cleansing cost £5 – “quoted” in the café." in html
    charts = [
        base64.b64decode(uri).decode("utf-8")
        for uri in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    ]
    assert any(r"$\foo$ North West" in svg for svg in charts)


def test_only_the_last_few_dbt_target_folders_remain():
    from pipelines.assets.dbt import KEEP_DBT_TARGETS, RUN_TARGET, dbt_target_dir

    runs = [p for p in dbt_target_dir().iterdir() if p.is_dir() and RUN_TARGET.match(p.name)]
    assert 1 <= len(runs) <= KEEP_DBT_TARGETS
