"""Whatever dates the raw layer admits, the checks and worklists handle (issue 11).

With the plausible window widened to everything Python can hold (1 AD to 9999) and no "open"
placeholders, 9999-12-31 end dates and a 1066 date of birth load as dates. pandas'
datetime64[ns] stops at 2262 and starts at 1677: the suites must still run, flag those records
as the rules say, and write the worklists."""

import csv
import shutil
from datetime import date

import duckdb
import pytest
from broken_extracts import open_end_placeholders

from pipelines.ingest import ReadRules, load_extracts
from pipelines.quality import load_suites, run_quality
from pipelines.quality.outcomes import BROKEN
from pipelines.settings import load_settings


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory):
    from pipelines.synthetic import generate_authority

    folder = tmp_path_factory.mktemp("far_dates") / "extracts"
    generate_authority(folder, seed=11, scale=0.03)
    return folder


def test_suites_run_on_dates_pandas_nanoseconds_cannot_hold(small_extracts, tmp_path, monkeypatch):
    extracts = tmp_path / "extracts"
    shutil.copytree(small_extracts, extracts)
    planted = open_end_placeholders(extracts)  # 9999-12-31: a real date in this warehouse
    person = extracts / "ssd_person.csv"
    with open(person, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    dob = rows[0].index("pers_dob")
    rows[1][dob] = "1066-10-14"
    with open(person, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)

    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("BOARDPACK_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("BOARDPACK_RESTRICTED", str(tmp_path / "restricted"))
    monkeypatch.setenv("BOARDPACK_AS_AT", "2014-08-31")
    settings = load_settings()
    rules = ReadRules(
        earliest_date=date(1, 1, 1),
        latest_date=date(9999, 12, 31),
        open_end_dates=(),
    )
    con = duckdb.connect(str(settings.database))
    try:
        results = load_extracts(con, extracts, rules=rules)
        assert {r.status for r in results} == {"loaded"}
        (far,) = con.execute(
            "SELECT count(*) FROM raw.ssd_cla_placement WHERE year(clap_cla_placement_end_date) "
            "= 9999"
        ).fetchone()
        assert far > 0 and planted >= far

        run = run_quality(con, load_suites(), "far-dates-run", settings)
    finally:
        con.close()

    broken = [
        (c.suite.name, o.spec.name, o.message)
        for c in run.checks
        for o in c.outcome.outcomes
        if o.status == BROKEN
    ]
    assert broken == []
    by_name = {
        o.spec.name: o
        for c in run.checks
        for o in c.outcome.outcomes
        if c.suite.name == "ssd_person"
    }
    # the 1066 date of birth is caught by the rule for implausibly old dates, not by a crash
    old = [o for name, o in by_name.items() if "pers_dob" in name and o.failing_records]
    assert old, "no pers_dob rule flagged the 1066 date of birth"
    assert run.worklist_folder is not None and any(run.worklist_folder.glob("*.csv"))
