"""`boardpack commentary draft` and "Commentary due from <officer>", on a small hand-made mart."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.pack.commentary import load_commentary, parse_sections
from pipelines.pack.commentary_draft import (
    DraftExistsError,
    MonthNotInWarehouseError,
    commentary_due,
    write_draft,
)

FIELDWORK = "Head of Service, Fieldwork"
SAFEGUARDING = "Head of Service, Safeguarding and Review"


def make_mart(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.pack_indicators (
                indicator_code varchar, display_order integer, name varchar,
                responsible_officer varchar, month date, value double, numerator double,
                denominator double, unit varchar, rate_per_10k double, rate_basis varchar,
                target_measure varchar, target_text varchar, rag varchar, direction varchar,
                previous_1y double, previous_1y_rate double, england_value double,
                statistical_neighbours_value double, region_name varchar, region_value double
            )
            """
        )
        con.execute(
            """
            insert into marts.pack_indicators values
            ('cp_repeat', 13, 'Child Protection Plans for a Second or Subsequent Time', ?,
             date '2014-08-01', 14.01, 29, 207, 'percent', null, 'none', 'value', '15.00%',
             'Green', 'Worsened', 11.16, null, 14.9, 15.3, 'West Midlands', 15.8),
            ('cp_children', 12, 'Children Subject to a Child Protection Plan', ?,
             date '2014-08-01', 198, 198, null, 'count', 54.85, 'month', 'rate', '55.40',
             'Green', 'Improved', 219, 60.93, 37.9, null, null, null),
            ('ca_over_61', 10, 'Core Assessments Completed After 61 or More Working Days', ?,
             date '2014-08-01', 5, 5, null, 'count', null, 'none', 'value', 'N/A', 'N/A',
             'Worsened', 3, null, null, null, null, null),
            ('ca_over_61', 10, 'Core Assessments Completed After 61 or More Working Days', ?,
             date '2014-07-01', 5, 5, null, 'count', null, 'none', 'value', 'N/A', 'N/A',
             'Worsened', 3, null, null, null, null, null)
            """,
            [SAFEGUARDING, SAFEGUARDING, FIELDWORK, FIELDWORK],
        )
        con.execute(
            """
            create table marts.pack_indicator_spc as
            select * from (values
                ('cp_repeat', date '2014-08-01', 'Special cause concerning', 'Hit and miss'),
                ('cp_repeat', date '2014-07-01', 'Common cause', 'Hit and miss')
            ) as t(indicator_code, month, spc_variation, spc_assurance)
            """
        )


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    make_mart(path)
    return path


def test_draft_has_a_section_per_indicator_in_the_packs_order_with_its_key_figures(
    warehouse, tmp_path
):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        path = write_draft(con, "2014-08", tmp_path / "commentary")
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "commentary" / "2014-08.md"
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## data_quality - Data quality and cleansing",
        "## ca_over_61 - Core Assessments Completed After 61 or More Working Days"
        f" | {FIELDWORK} | 5; no target; Worsened on Aug-13 (3)",
        "## cp_children - Children Subject to a Child Protection Plan"
        f" | {SAFEGUARDING} | 198, rate per 10,000 54.9; Green against 55.4;"
        " Improved on Aug-13 (60.9); England 37.9",
        "## cp_repeat - Child Protection Plans for a Second or Subsequent Time"
        f" | {SAFEGUARDING} | 14.0% (29 of 207); Green against 15.0%;"
        " Worsened on Aug-13 (11.2%); England 14.9%, statistical neighbours 15.3%,"
        " West Midlands 15.8%; SPC: Special cause concerning; Hit and miss",
    ]
    # The heading lines are never printed: every section is still empty, so the pack shows
    # "No commentary provided" and every officer is reported as owing a comment.
    sections = parse_sections(text)
    assert set(sections) == {"data_quality", "ca_over_61", "cp_children", "cp_repeat"}
    assert all(body == "" for body in sections.values())


def test_draft_never_overwrites_without_force(warehouse, tmp_path):
    folder = tmp_path / "commentary"
    folder.mkdir()
    existing = folder / "2014-08.md"
    existing.write_text("## cp_repeat\nThe officers' work.\n", encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        with pytest.raises(DraftExistsError, match="--force"):
            write_draft(con, "2014-08", folder)
        assert existing.read_text(encoding="utf-8") == "## cp_repeat\nThe officers' work.\n"
        write_draft(con, "2014-08", folder, force=True)
    assert "## cp_children - " in existing.read_text(encoding="utf-8")
    assert [p.name for p in folder.iterdir()] == ["2014-08.md"]  # no temporary file left


def test_draft_for_a_month_the_warehouse_lacks_says_which_months_it_has(warehouse, tmp_path):
    with (
        duckdb.connect(str(warehouse), read_only=True) as con,
        pytest.raises(MonthNotInWarehouseError, match="covers July 2014 to August 2014"),
    ):
        write_draft(con, "2014-09", tmp_path)
    assert not (tmp_path / "2014-09.md").exists()


def test_commentary_due_names_each_officer_with_the_indicators_missing_a_comment():
    rows = [
        {"indicator_code": "ca_over_61", "responsible_officer": FIELDWORK},
        {"indicator_code": "cp_children", "responsible_officer": SAFEGUARDING},
        {"indicator_code": "cp_repeat", "responsible_officer": SAFEGUARDING},
        {"indicator_code": "ia_timely", "responsible_officer": FIELDWORK},
        {"indicator_code": "contacts", "responsible_officer": None},
    ]
    sections = parse_sections("## CP_REPEAT\nA comment.\n\n## ia_timely\n\n")  # ia_timely: empty
    assert [due.line for due in commentary_due(sections, rows)] == [
        f"Commentary due from {FIELDWORK}: ca_over_61, ia_timely",
        f"Commentary due from {SAFEGUARDING}: cp_children",
        "Commentary due from the responsible officer (none is named in the catalogue): contacts",
    ]
    everyone = {row["indicator_code"]: "Written." for row in rows}
    assert commentary_due(everyone, rows) == []


def test_cli_writes_the_draft_and_refuses_to_overwrite(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", str(warehouse))
    monkeypatch.setenv("BOARDPACK_COMMENTARY", str(tmp_path / "commentary"))
    runner = CliRunner()
    first = runner.invoke(main, ["commentary", "draft", "--month", "2014-08"])
    assert first.exit_code == 0, first.output
    assert "written to" in first.output
    assert load_commentary(tmp_path / "commentary", "2014-08").codes() >= {"cp_repeat"}
    again = runner.invoke(main, ["commentary", "draft", "--month", "2014-08"])
    assert again.exit_code == 1
    assert "already exists" in again.output and "Traceback" not in again.output
    forced = runner.invoke(main, ["commentary", "draft", "--month", "2014-08", "--force"])
    assert forced.exit_code == 0, forced.output
    bad = runner.invoke(main, ["commentary", "draft", "--month", "2014-13"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_cli_without_a_warehouse_says_to_run_the_pipeline_first(tmp_path, monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "missing.duckdb"))
    result = CliRunner().invoke(main, ["commentary", "draft", "--month", "2014-08"])
    assert result.exit_code == 1
    assert "boardpack run" in result.output
    assert not (tmp_path / "missing.duckdb").exists()
