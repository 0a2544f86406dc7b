"""The suites in expectations/: they load, and they cover the contract and indicators.md."""

import csv
import json

import pytest

from pipelines.contract import load_contract
from pipelines.quality import load_suites
from pipelines.quality.frames import checked_relation
from pipelines.quality.specs import MAY_BE_FUTURE
from pipelines.quality.suites import SuiteError
from pipelines.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR

SUITES = load_suites()
BY_TABLE: dict[str, list] = {}
for _suite in SUITES:
    BY_TABLE.setdefault(_suite.table, []).append(_suite)


def expectations_of(table: str):
    return [e for s in BY_TABLE.get(table, []) for e in s.expectations]


def has(table: str, type_: str, column: str) -> bool:
    return any(e.type == type_ and column in e.columns for e in expectations_of(table))


def test_one_suite_per_table_as_at_the_month_end_and_one_per_file_as_loaded():
    # the optional tables only the returns read are checked by the DfE rules instead
    required = {t.name for t in load_contract().required_tables}
    assert {s.name for s in SUITES if s.scope == "table"} == required
    assert {s.name for s in SUITES if s.scope == "as_loaded"} == {
        f"{t}_as_loaded" for t in required
    }
    assert all(s.name == f"{s.table}_cross_table" for s in SUITES if s.scope == "cross_table")
    # no suite keeps a table-to-indicator map: caveats follow dbt's lineage
    for suite in SUITES:
        assert "indicators" not in suite.document["meta"], suite.name


def test_every_expectation_has_a_severity_name_and_problem():
    for suite in SUITES:
        for e in suite.expectations:
            assert e.severity in ("error", "warning"), (suite.name, e.name)
            assert e.problem and e.problem != e.name, (suite.name, e.name)


@pytest.mark.parametrize("table", sorted(t.name for t in load_contract().required_tables))
def test_contract_rules_are_covered(table):
    t = load_contract()[table]
    key = t.primary_key[0]
    assert has(table, "expect_column_values_to_not_be_null", key)
    assert has(table, "expect_column_values_to_be_unique", key)
    assert any(e.type == "expect_table_row_count_to_be_between" for e in expectations_of(table))
    for c in t.columns:
        if not c.nullable:
            assert has(table, "expect_column_values_to_not_be_null", c.name), c.name
        if c.codes:
            assert has(table, "expect_column_values_to_be_in_set", f"{c.name}__lower"), c.name
        if c.references and c.references.split(".")[0] in load_contract():
            assert has(table, "expect_column_values_to_be_in_set", f"flag__{c.name}__unresolved"), (
                c.name
            )
        if c.logical_type == "date" and c.name not in MAY_BE_FUTURE:
            future = next(
                e for e in expectations_of(table) if e.kind == "future_date" and c.name in e.columns
            )
            # dates after the extract was taken are judged on the file as loaded: as at a month
            # end they are not there yet
            assert future.kwargs["max_value"] == {"$PARAMETER": "extract_date"}
            assert any(s.as_loaded and future in s.expectations for s in BY_TABLE[table])


def test_error_severity_is_kept_for_what_makes_the_pack_wrong():
    for suite in SUITES:
        for e in suite.expectations:
            if e.severity == "error":
                assert e.kind in {
                    "empty_table",
                    "missing_key",
                    "duplicate_key_after_load",
                    "missing_value",
                    "code_not_in_code_set",
                }, (suite.name, e.name)


def test_every_problem_in_indicators_md_has_a_check():
    kinds = {(s.table, e.kind) for s in SUITES for e in s.expectations}
    for table, kind in [
        ("ssd_cla_placement", "unended_placement_later_placement"),
        ("ssd_cla_placement", "unended_placement_episode_ended"),
        ("ssd_cla_placement", "unended_placement_aged_18"),
        ("ssd_early_help_episodes", "stale_early_help"),
        ("ssd_contacts", "future_date"),
        ("ssd_contacts", "event_before_birth"),
        ("ssd_cin_episodes", "end_before_start"),
        ("ssd_person", "duplicate_id"),
        ("ssd_contacts", "missing_person"),
        ("ssd_cp_plans", "overlapping_cp_plan"),
        ("ssd_cla_episodes", "overlapping_cla_episode"),
        ("ssd_cp_visits", "visit_outside_plan"),
        # indicators.md "Untimed records": each timeliness measure's untimed records
        ("ssd_cin_assessments", "untimed_record"),
        ("ssd_initial_cp_conference", "untimed_record"),
        ("ssd_cp_reviews", "untimed_record"),
        ("ssd_cla_reviews", "untimed_record"),
    ]:
        assert (table, kind) in kinds, (table, kind)


def test_unended_placements_put_caveats_on_the_cla_indicators():
    suite = next(s for s in SUITES if s.name == "ssd_cla_placement_cross_table")
    for name in (
        "unended_placement_later_placement",
        "unended_placement_episode_ended",
        "unended_placement_aged_18",
    ):
        assert set(suite.expectation(name).indicators) == {
            "cla_children",
            "cla_stability_long",
            "cla_stability_short",
        }


def test_indicator_codes_exist_in_the_catalogue():
    with open(DBT_PROJECT_DIR / "seeds" / "ref_indicator_catalogue.csv", newline="") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    for suite in SUITES:
        for e in suite.expectations:
            indicators = set(e.indicators or [])
            assert indicators <= codes, (suite.name, e.name, indicators - codes)


def test_every_named_column_is_in_the_view_the_suite_reads(demo_run):
    """The dbt views (quality.dq_<table>) and the raw tables have every column a suite names."""
    with demo_run.connect() as con:
        for suite in SUITES:
            schema, table = checked_relation(suite)
            columns = {
                name
                for (name,) in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            assert set(suite.columns) <= columns, (suite.name, set(suite.columns) - columns)


def test_a_bad_suite_file_is_reported_with_its_name(tmp_path):
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "name": "bad",
                "meta": {"table": "ssd_contacts"},
                "expectations": [{"type": "expect_column_to_exist", "kwargs": {}, "meta": {}}],
            }
        )
    )
    with pytest.raises(SuiteError, match="bad.json"):
        load_suites(tmp_path)


def test_readme_explains_editing():
    text = (EXPECTATIONS_DIR / "README.md").read_text()
    for phrase in ("severity", "error", "warning", "extract_date", "as_loaded", "worklists"):
        assert phrase in text
