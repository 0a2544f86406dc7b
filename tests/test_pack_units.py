"""Board pack building blocks: facts, commentary, the data-quality readers, charts, formats."""

from __future__ import annotations

import base64
import datetime as dt

import duckdb
import pytest
from pack_fixture import MONTH, build_fixture_db, write_commentary

from pipelines.pack import charts, dq
from pipelines.pack.commentary import load_commentary, parse_sections, render_markdown
from pipelines.pack.context import as_at_statement, build_context
from pipelines.pack.facts import small_numbers_text, three_month_sentence
from pipelines.pack.formatting import (
    fmt_count,
    fmt_percent,
    fmt_rate,
    fmt_target_text,
    months_phrase,
    number_convention,
    rag_text,
)
from pipelines.pack.html import css_string, render_html
from pipelines.settings import Settings

# --- facts ------------------------------------------------------------------------------


def _point(month: str, num, den) -> dict:
    return {"month": dt.date.fromisoformat(f"{month}-01"), "numerator": num, "denominator": den}


RCPC = {
    "indicator_code": "rcpc_timely",
    "unit": "percent",
    "counted_singular": "review conference",
    "counted_plural": "review conferences",
    "counted_verb": "held",
    "met_phrase": "were in timescale",
}


def test_three_month_sentence_in_the_seed_words():
    series = [_point("2014-06", 62, 64), _point("2014-07", 57, 60), _point("2014-08", 13, 15)]
    assert three_month_sentence(RCPC, series, dt.date(2014, 8, 1)) == (
        "During June, July and August 2014, 139 review conferences were held, of which "
        "132 (95.0%) were in timescale."
    )


def test_three_month_sentence_across_a_year_end_and_singulars():
    series = [_point("2013-11", 0, 0), _point("2013-12", 1, 1), _point("2014-01", 0, 0)]
    assert three_month_sentence(RCPC, series, dt.date(2014, 1, 1)) == (
        "During November and December 2013 and January 2014, 1 review conference was held, "
        "of which 1 (100.0%) was in timescale."
    )


def test_three_month_sentence_needs_all_three_months_and_a_flow_indicator():
    two = [_point("2014-07", 57, 60), _point("2014-08", 13, 15)]
    assert three_month_sentence(RCPC, two, dt.date(2014, 8, 1)) is None
    # a snapshot has no words for it in the catalogue: no sentence
    snapshot = {"indicator_code": "cp_visits_timely", "unit": "percent", "counted_plural": None}
    three = [_point("2014-06", 1, 2), *two]
    assert three_month_sentence(snapshot, three, dt.date(2014, 8, 1)) is None
    none_held = [_point(m, 0, 0) for m in ("2014-06", "2014-07", "2014-08")]
    assert three_month_sentence(RCPC, none_held, dt.date(2014, 8, 1)) == (
        "During June, July and August 2014, no review conferences were held."
    )


def test_small_numbers_warning():
    assert small_numbers_text({"denominator": 8, "small_numbers": True}) == (
        "Small numbers: one record moves this figure by 12.5 points (denominator 8)."
    )
    assert small_numbers_text({"denominator": 35, "small_numbers": False}) is None
    assert small_numbers_text({"denominator": 0, "small_numbers": True}) is None


# --- commentary --------------------------------------------------------------------------


def test_commentary_sections():
    text = """# August 2014
ignored preamble
## RCPC_timely - Review conferences
Line one.

### a sub-heading stays inside the section
```
## not_a_heading (inside a code block)
```
## contacts
Contacts text.
## contacts
More contacts text.
## cp_children
"""
    sections = parse_sections(text)
    assert set(sections) == {"rcpc_timely", "contacts", "cp_children"}
    assert "sub-heading" in sections["rcpc_timely"] and "not_a_heading" in sections["rcpc_timely"]
    assert "Contacts text." in sections["contacts"] and "More contacts" in sections["contacts"]
    assert sections["cp_children"] == ""


def test_markdown_cannot_fetch_link_or_inject():
    html = str(
        render_markdown(
            "**bold** <script>x</script> <img src='https://x/y.png'> "
            "[a](https://example.org) ![b](http://example.org/c.png)"
        )
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "<img" not in html and "<a " not in html


def test_empty_section_and_missing_file_are_no_commentary(tmp_path):
    (tmp_path / f"{MONTH}.md").write_text("## contacts\n\n## referrals\nSome text\n")
    commentary = load_commentary(tmp_path, MONTH)
    assert commentary.html_for("contacts") is None
    assert "Some text" in commentary.html_for("REFERRALS")
    assert load_commentary(tmp_path / "absent", MONTH).html_for("contacts") is None


# --- data quality readers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("units")
    path = build_fixture_db(root / "warehouse.duckdb")
    write_commentary(root / "commentary")
    con = duckdb.connect(str(path), read_only=True)
    yield con, root
    con.close()


def _settings(root) -> Settings:
    return Settings(
        db=str(root / "warehouse.duckdb"),
        extracts=str(root),
        output=str(root / "out"),
        restricted=str(root),
        commentary=str(root / "commentary"),
        authority_name="Test Council",
    )


def test_caveats_of_the_month_reach_the_indicator_page_largest_first(fixture_db):
    con, root = fixture_db
    ctx = build_context(con, MONTH, _settings(root), load_commentary(root / "commentary", MONTH))
    pages = {page.code: page for page in ctx.indicators}
    caveats = [f.text for f in pages["cp_children"].facts if f.kind == "caveat"]
    assert caveats == [
        "Data quality: 3 CP plan records: CP plan overlaps another CP plan for the same child "
        "(as at 31 August 2014).",
        "Data quality: 1 CP plan record: CP plan record has no start date (as at 31 August 2014).",
    ]
    assert not [f for f in pages["contacts"].facts if f.kind == "caveat"]  # July's, not August's
    assert ctx.checks_ran


def test_check_trend_is_by_reporting_month_up_to_the_pack_month(fixture_db):
    con, _ = fixture_db
    trend = dq.check_trend(con, dt.date(2014, 8, 1))
    assert trend.periods == ["Jun-14", "Jul-14", "Aug-14"]
    assert dict(trend.rows) == {
        "ssd_cla_placement_cross_table": [20, 41, 72],
        "ssd_cp_plans_cross_table": [5, 4, 3],
    }
    assert trend.checks_without_failures == 1
    # July's pack rebuilt later shows the months to July only
    assert dq.check_trend(con, dt.date(2014, 7, 1)).periods == ["Jun-14", "Jul-14"]


def test_a_month_the_checks_never_ran_for_says_so(fixture_db, tmp_path):
    con, root = fixture_db
    assert dq.check_trend(con, dt.date(2014, 4, 1)) is None
    html = render_html(
        build_context(con, "2014-04", _settings(root), load_commentary(tmp_path, "2014-04"))
    )
    assert "have not been run as at the end of April 2014" in html


def test_unended_placements_as_at_the_month_end(fixture_db):
    con, _ = fixture_db
    unended = dq.unended_placements(con, dt.date(2014, 8, 1))
    assert unended.total == 4  # not September's
    assert unended.by_reason[0] == ("The child has a later placement", 2)
    assert [r["month"] for r in unended.effect_rows] == [dt.date(2014, m, 1) for m in range(3, 9)]


def test_cleansing_status_and_sentence(fixture_db):
    con, _ = fixture_db
    cleansing = dq.cleansing_status(con, dt.date(2014, 8, 1))
    assert (cleansing.start, cleansing.complete, len(cleansing.with_backlog)) == (
        dt.date(2014, 5, 1),
        4,
        8,
    )
    assert dq.cleansing_status(con, dt.date(2014, 4, 1)) is None  # before the exercise


def test_no_load_yet_is_said(tmp_path):
    assert "No extract has been loaded" in as_at_statement(dt.date(2014, 8, 31), [])


# --- charts and formats ------------------------------------------------------------------


def _trend() -> charts.TrendSeries:
    labels = [f"M{i}" for i in range(24)]
    return charts.TrendSeries(
        labels=labels,
        current=[90.0 + (i % 5) for i in range(23)] + [None],
        last_year=[92.0] * 24,
        kind="percent",
        y_label="Percentage",
        current_label="this",
        last_year_label="last",
        target_value=95.0,
        target_low=None,
        target_high=None,
        target_label="Target",
    )


def test_charts_are_deterministic_svg():
    first, second = charts.trend_chart(_trend()), charts.trend_chart(_trend())
    assert first == second
    svg = base64.b64decode(first.split(",", 1)[1]).decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<dc:date>" not in svg  # no timestamp: reruns give the same bytes


def test_formats():
    assert fmt_count(1234.0) == "1,234"
    assert fmt_percent(94.9640) == "95.0%"
    assert fmt_rate(1060.664) == "1,060.7"
    # halves away from zero, as the models round (Python's round() would give 0.1 and 2.6)
    assert fmt_percent(0.15) == "0.2%" and fmt_rate(2.65) == "2.7" and fmt_rate(-2.65) == "-2.7"
    assert fmt_percent(-0.04) == "0.0%"  # never "-0.0%"
    with number_convention(2):
        assert fmt_percent(94.9640) == "94.96%" and fmt_rate(1060.664) == "1,060.66"
        assert fmt_target_text("450.0-600.0") == "450.00-600.00"
    with number_convention(0):
        assert fmt_percent(94.5) == "95%" and fmt_rate(12345.4) == "12,345"
    assert fmt_percent(94.9640) == "95.0%"  # the convention ends with its block
    assert fmt_target_text("95.00%") == "95.0%" and fmt_target_text("12") == "12"
    assert fmt_target_text(None) == "N/A"
    assert fmt_count(None) == fmt_percent(float("nan")) == "N/A"
    assert months_phrase([dt.date(2014, 6, 1), dt.date(2014, 7, 1), dt.date(2014, 8, 1)]) == (
        "June, July and August 2014"
    )
    assert rag_text("Amber") == "\u25b2 A Amber" and rag_text(None) == "\u25cb N/A"


def test_css_string_cannot_break_out_of_the_style_element():
    assert str(css_string('King\'s "Lynn" </style><script>')) == (
        '"King\'s \\"Lynn\\" \\3c /style>\\3c script>"'
    )


def test_the_demo_commentary_names_only_catalogue_codes():
    """commentary/2014-08.md is what the demo prints: a typo in a code would silently leave an
    indicator with "No commentary provided"."""
    import csv

    from pipelines.settings import PROJECT_ROOT

    with open(PROJECT_ROOT / "dbt_project" / "seeds" / "ref_indicator_catalogue.csv") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    sections = load_commentary(PROJECT_ROOT / "commentary", "2014-08").sections
    assert sections, "commentary/2014-08.md is missing"
    assert set(sections) - {"data_quality"} <= codes
    assert all(text.strip() for text in sections.values())


def test_many_caveats_are_capped_with_a_count_of_the_rest():
    from pipelines.pack.facts import MAX_CAVEATS, caveat_facts

    facts = caveat_facts([f"{n} records: problem {n}." for n in range(6)])
    assert len(facts) == MAX_CAVEATS + 1
    assert facts[0].text == "Data quality: 5 records: problem 5."  # largest first
    assert facts[-1].text.startswith(f"Data quality: {6 - MAX_CAVEATS} further warnings")
    assert len(caveat_facts(["one."])) == 1


def test_decimal_places_setting():
    from pipelines.settings import SettingsError

    assert Settings().decimal_places == 1  # the government convention
    assert Settings(decimals="2").decimal_places == 2
    assert Settings(decimals=" 0 ").decimal_places == 0
    for wrong in ("one", "1.5", "4", "-1"):
        with pytest.raises(SettingsError, match="BOARDPACK_DECIMAL_PLACES"):
            Settings(decimals=wrong).check()


def test_looked_after_caveat_amber_rule_and_date_of_issue():
    from pipelines.pack.context import amber_rule, issue_date, looked_after_caveat
    from pipelines.pack.data import ExtractLoad

    aug = dt.date(2014, 8, 1)
    effect = [
        {"month": dt.date(2014, 7, 1), "looked_after_only_suspect_placements": 9},
        {"month": aug, "looked_after_only_suspect_placements": 3},
    ]
    assert looked_after_caveat(dq.Unended([], effect), aug) == (
        "the count of children looked after includes 3 children whose every open placement "
        "may have ended (unended placements: see the data quality section)."
    )
    none_now = [{"month": aug, "looked_after_only_suspect_placements": 0}]
    assert looked_after_caveat(dq.Unended([], none_now), aug) is None
    assert looked_after_caveat(dq.Unended([], []), aug) is None

    base = {"target_measure": "value", "rate_basis": "none", "unit": "percent",
            "target_text": "95.00%", "target_low": None, "target_high": None}  # fmt: skip
    higher = {**base, "indicator_guide": "higher", "amber_tolerance": 5.0}
    assert amber_rule(higher) == "Amber: up to 5.0 percentage points below the target."
    assert amber_rule({**higher, "indicator_guide": "lower", "amber_tolerance": 2.0}) == (
        "Amber: up to 2.0 percentage points above the target."
    )
    assert amber_rule({**higher, "amber_tolerance": None}) == (
        "No amber: a figure that misses the target is red."
    )
    band = {**base, "unit": "count", "target_measure": "rate", "rate_basis": "rolling_12",
            "target_text": "450.0-600.0", "target_low": 450.0, "target_high": 600.0,
            "indicator_guide": "neither", "amber_tolerance": 50.0}  # fmt: skip
    assert amber_rule(band) == "Amber: outside the band by up to 50.0 per 10,000."
    assert amber_rule({**base, "target_text": "N/A", "amber_tolerance": 5.0}) == ""

    loads = [ExtractLoad("a.csv", dt.datetime(2014, 9, 15, 2, 10)),
             ExtractLoad("b.csv", dt.datetime(2014, 9, 16, 0, 5))]  # fmt: skip
    assert issue_date(dt.date(2014, 8, 31), loads) == dt.date(2014, 9, 16)
    assert issue_date(dt.date(2014, 8, 31), []) == dt.date(2014, 8, 31)


def test_spc_icons_have_letters_and_words():
    from pipelines.pack.formatting import assurance_icon, variation_icon

    concerning = variation_icon("Special cause concerning", "lower")
    assert (concerning.letter, concerning.short, concerning.css) == (
        "L",
        "Concerning",
        "spc-concerning",
    )
    assert variation_icon("Special cause improving", "higher").letter == "H"
    assert variation_icon("Common cause").short == "Common cause"
    assert variation_icon(None).short == "Not enough data"
    assert assurance_icon("Target consistently missed").letter == "F"
    assert assurance_icon("Hit and miss").letter == "?"
    assert assurance_icon("No target").short == "No target"
