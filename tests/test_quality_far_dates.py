"""Whatever dates the raw layer admits, dbt, the checks and the worklists handle (issue 11).

With the plausible window widened to everything Python can hold (1 AD to 9999) and no "open"
placeholders, 9999-12-31 end dates and a 1066 date of birth load as dates. pandas'
datetime64[ns] stops at 2262 and starts at 1677: the models must build, the suites must still
run on dbt's views, flag those records as the rules say, and write the worklists."""

import csv
import shutil

import pytest
from broken_extracts import open_end_placeholders
from pipeline_helpers import run_pipeline

MONTH = "2014-08"


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

    monkeypatch.setenv("BOARDPACK_EARLIEST_DATE", "0001-01-01")
    monkeypatch.setenv("BOARDPACK_LATEST_DATE", "9999-12-31")
    monkeypatch.setenv("BOARDPACK_OPEN_END_DATES", "")
    run = run_pipeline(tmp_path, MONTH, monkeypatch)

    # a failing check may stop the pack; nothing may stop the checks themselves
    assert not [f for f in run.failures if not f.startswith(("data_quality_checks", "board_pack"))]
    with run.connect() as con:
        (far,) = con.execute(
            "SELECT count(*) FROM raw.ssd_cla_placement "
            "WHERE year(clap_cla_placement_end_date) = 9999"
        ).fetchone()
        assert far > 0 and planted >= far
        results = con.execute(
            "SELECT expectation, status, failing_records, message FROM quality.check_results "
            "WHERE reporting_month = DATE '2014-08-01'"
        ).fetchall()
    assert results, "the checks did not run"
    assert [r for r in results if r[1] == "broken"] == []
    # the 1066 date of birth is caught by the rule for implausibly old dates, not by a crash
    dob_rule = [r for r in results if r[0] == "pers_dob_plausible"]
    assert dob_rule and dob_rule[0][1] == "failed" and dob_rule[0][2] >= 1
    worklists = run.settings.restricted_dir / "worklists"
    assert any(worklists.rglob("*.csv"))
