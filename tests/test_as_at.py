"""A month rebuilt later is the month as it was built at the time.

July 2014 is built twice, from the demo authority: once from the extracts that run to the end of
August (the session's demo run loaded them; its warehouse is copied and rebuilt for July), and
once from the extracts as they would have been taken on 31 July 2014, made here by filtering the
demo's CSV files: records dated after 31 July dropped, later end dates (and other later dates)
blank. The indicators.csv files are byte-identical and the data-quality sections the same.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from pipeline_helpers import run_pipeline

pytestmark = pytest.mark.slow

MONTH = "2014-07"
TAKEN_ON = "2014-07-31"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Per extract: the date that dates a record (a later record had not happened yet on 31 July) and
# the dates recorded later in its life (not recorded yet on 31 July). Dates that may lie in the
# future by nature (expected births, targets, due dates) and dates of birth are kept.
AS_TAKEN = {
    "ssd_person": (None, ["pers_death_date"]),
    "ssd_contacts": ("cont_contact_date", []),
    "ssd_early_help_episodes": ("earl_episode_start_date", ["earl_episode_end_date"]),
    "ssd_cin_episodes": ("cine_referral_date", ["cine_close_date"]),
    "ssd_cin_assessments": ("cina_assessment_start_date", ["cina_assessment_auth_date"]),
    "ssd_s47_enquiry": ("s47e_s47_start_date", ["s47e_s47_end_date"]),
    "ssd_initial_cp_conference": ("icpc_icpc_date", []),
    "ssd_cp_plans": ("cppl_cp_plan_start_date", ["cppl_cp_plan_end_date"]),
    "ssd_cp_visits": ("cppv_cp_visit_date", []),
    "ssd_cp_reviews": ("cppr_cp_review_date", []),
    "ssd_cla_episodes": (
        "clae_cla_episode_start_date",
        ["clae_cla_episode_ceased_date", "clae_cla_last_iro_contact_date"],
    ),
    "ssd_cla_placement": ("clap_cla_placement_start_date", ["clap_cla_placement_end_date"]),
    "ssd_cla_reviews": ("clar_cla_review_date", []),
}


def _later(value: str) -> bool:
    return bool(ISO.match(value)) and value > TAKEN_ON


def take_on_31_july(source: Path, target: Path) -> None:
    """The extracts as they would have been taken on 31 July 2014."""
    target.mkdir(parents=True)
    for table, (dated_by, later_dates) in AS_TAKEN.items():
        with (source / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns, rows = reader.fieldnames, list(reader)
        kept = []
        for row in rows:
            if dated_by and _later(row[dated_by]):
                continue
            for column in later_dates:
                if _later(row[column]):
                    row[column] = ""
            kept.append(row)
        with (target / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)


EXTRACTS_AS_LOADED = re.compile(
    r'<div class="keep">\s*<h3>The extracts as loaded</h3>.*?</div>', re.S
)


def data_quality_section(month_dir: Path) -> str:
    """The section, less its account of the extract files as loaded: that describes the files
    themselves (an extract taken in August holds more rows than one taken on 31 July), not the
    records as at the month end."""
    html = (month_dir / "board_pack.html").read_text(encoding="utf-8")
    start = html.index('<section class="page" id="data-quality">')
    section = html[start : html.index("</section>", start)]
    assert "<h3>The extracts as loaded</h3>" in section
    return EXTRACTS_AS_LOADED.sub("", section)


def caveats(month_dir: Path) -> list[str]:
    html = (month_dir / "board_pack.html").read_text(encoding="utf-8")
    return re.findall(r'<li class="fact-caveat">(.*?)</li>', html)


@pytest.fixture(scope="module")
def built_later(demo_run, tmp_path_factory):
    """July rebuilt in the warehouse that already holds the extracts to August (and August)."""
    root = tmp_path_factory.mktemp("july_built_later")
    shutil.copy(demo_run.settings.database, root / "warehouse.duckdb")
    (root / "extracts").symlink_to(demo_run.settings.extracts_dir)
    with pytest.MonkeyPatch.context() as monkeypatch:
        run = run_pipeline(root, MONTH, monkeypatch)
    assert run.success, run.failures
    return run


@pytest.fixture(scope="module")
def as_taken(demo_extracts, tmp_path_factory):
    """July built from the extracts as they would have been taken on 31 July."""
    root = tmp_path_factory.mktemp("july_as_taken")
    take_on_31_july(demo_extracts, root / "extracts")
    with pytest.MonkeyPatch.context() as monkeypatch:
        run = run_pipeline(root, MONTH, monkeypatch)
    assert run.success, run.failures
    return run


def test_the_filter_really_removes_august(demo_extracts, as_taken):
    with (as_taken.settings.extracts_dir / "ssd_contacts.csv").open(encoding="utf-8") as handle:
        dates = [row["cont_contact_date"] for row in csv.DictReader(handle)]
    assert dates and max(dates) <= TAKEN_ON
    with (demo_extracts / "ssd_contacts.csv").open(encoding="utf-8") as handle:
        assert any(row["cont_contact_date"] > TAKEN_ON for row in csv.DictReader(handle))


def test_indicators_csv_is_byte_identical(built_later, as_taken):
    later = (built_later.month_dir / "indicators.csv").read_bytes()
    assert later == (as_taken.month_dir / "indicators.csv").read_bytes()
    assert b",2014-07," in later


def test_the_data_quality_section_is_the_same(built_later, as_taken):
    later = data_quality_section(built_later.month_dir)
    assert later == data_quality_section(as_taken.month_dir)
    # the findings are July's, in a column headed by the reporting month (not the run's)
    assert "Jul-14" in later and "Aug-14" not in later
    assert "As at the end of July 2014" in later


def test_the_caveats_beside_the_indicators_are_the_same(built_later, as_taken):
    assert caveats(built_later.month_dir) == caveats(as_taken.month_dir)
    assert any("(as at 31 July 2014)" in text for text in caveats(built_later.month_dir))
