"""The pack's spreadsheet and indicators.csv, built by the real pack build on the hand-made
warehouse (tests/pack_fixture.py) with its own SPC readings for August: figures stored
as numbers (percentages as fractions with a percent format), blanks for missing figures,
numeric targets, the Definitions / Comparators / Data quality sheets, and the CSV's flags."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter
from pack_fixture import build_fixture_db, build_fixture_pack, write_commentary

from pipelines.pack.indicators_csv import INDICATOR_CSV_COLUMNS

AUG, SEP = dt.date(2014, 8, 1), dt.date(2014, 9, 1)

# marts.pack_indicator_spc rows: (code, month, variation, assurance, mean, lower, upper).
# September is after the reporting month: nothing of it may reach August's files.
SPC_ROWS = [
    ("rcpc_timely", AUG, "Special cause concerning", "Hit and miss", 94.5, 84.25, 104.75),
    ("rcpc_timely", SEP, "Special cause improving", "Target consistently met", 1.0, 0.5, 1.5),
    ("contacts", AUG, "Common cause", "No target", 400.0, 300.0, 500.0),
    ("cp_children", AUG, "Common cause", "Target consistently met", 45.0, 40.0, 50.0),
]


def _add_spc_rows(path: Path) -> None:
    """The fixture's own SPC readings for August and September give way to these: the
    workbook and CSV then carry exactly what is set here (and blanks where nothing is)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("delete from marts.pack_indicator_spc where month in (?, ?)", [AUG, SEP])
        for code, month, variation, assurance, mean, lower, upper in SPC_ROWS:
            measure = "rate_per_10k" if code == "cp_children" else "value"
            con.execute(
                """insert into marts.pack_indicator_spc (indicator_code, month, spc_measure,
                   spc_value, spc_on_rolling_figure, phase_start, limits_fixed, process_mean,
                   upper_limit, lower_limit, spc_signals, signal_direction, spc_variation,
                   spc_assurance)
                   values (?, ?, ?, 0, false, date '2011-04-01', true, ?, ?, ?, '', null, ?, ?)""",
                [code, month, measure, mean, upper, lower, variation, assurance],
            )
    finally:
        con.close()


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spreadsheet")
    build_fixture_db(root / "warehouse.duckdb")
    _add_spc_rows(root / "warehouse.duckdb")
    write_commentary(root / "commentary")
    return build_fixture_pack(root).files


@pytest.fixture(scope="module")
def workbook(pack):
    return openpyxl.load_workbook(pack["board_pack_xlsx"])


def _table(sheet, header_row: int = 1) -> tuple[list[str], list[tuple]]:
    header = [c.value for c in sheet[header_row]]
    return header, list(sheet.iter_rows(min_row=header_row + 1))


def _by_heading(header: list[str], cells) -> dict:
    return dict(zip(header, cells, strict=True))


def _scorecard(workbook) -> dict[str, dict]:
    header, rows = _table(workbook["Scorecard"], header_row=5)
    return {row[0].value: _by_heading(header, row) for row in rows}


def test_sheets_have_plain_names_in_order(workbook):
    assert workbook.sheetnames[0] == "Scorecard"
    assert workbook.sheetnames[-3:] == ["Definitions", "Comparators", "Data quality"]


def test_percentage_is_a_fraction_with_a_percent_format(workbook):
    rcpc = _scorecard(workbook)["rcpc_timely"]
    # 13 of 15 review conferences in timescale: 86.67% (2 dp in the mart) is 0.8667
    assert rcpc["Current value"].value == pytest.approx(0.8667, abs=1e-9)
    assert rcpc["Current value"].number_format == "0.0%"
    assert rcpc["Current value"].data_type == "n"
    assert rcpc["Numerator"].value == 13 and rcpc["Denominator"].value == 15
    assert rcpc["Numerator"].number_format == "#,##0"
    assert rcpc["Small numbers"].value == "Yes"  # 15 conferences: under the threshold of 20
    # the series sheet too: August's row is the last, and a percentage target is a fraction
    header, rows = _table(workbook["rcpc_timely"])
    august = _by_heading(header, rows[-1])
    assert august["Month"].value == dt.datetime(2014, 8, 1)
    assert august["Value"].value == pytest.approx(0.8667, abs=1e-9)
    assert august["Value"].number_format == "0.0%"
    assert august["Target"].value == pytest.approx(0.95) and august["Target"].data_type == "n"


def test_missing_figures_are_empty_cells_never_text(workbook):
    contacts = _scorecard(workbook)["contacts"]
    # a count: no denominator, no rate, no target
    for heading in ("Denominator", "Rate per 10,000", "Target", "Target band from"):
        assert contacts[heading].value is None, heading
    assert contacts["Target is illustrative"].value is None
    assert contacts["Assessment (RAG)"].value == "\u25cb No target"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = str(cell.value or "")
                assert "N/A" not in text and text != "NA", f"{sheet.title}!{cell.coordinate}"


def test_targets_are_numbers_on_their_own_scale(workbook):
    rows = _scorecard(workbook)
    cp = rows["cp_children"]  # a rate target: 55.40 per 10,000, illustrative
    assert cp["Target"].value == pytest.approx(55.4) and cp["Target"].data_type == "n"
    assert cp["Target"].number_format == "#,##0.0"
    assert (cp["Target is set on"].value, cp["Target is illustrative"].value) == (
        "Rate per 10,000",
        "Yes",
    )
    referrals = rows["referrals"]  # a band of 450-600 per 10,000 (rolling 12 months)
    assert referrals["Target"].value is None
    assert referrals["Target band from"].value == 450 and referrals["Target band to"].value == 600
    assert rows["rcpc_timely"]["Target"].value == pytest.approx(0.95)
    assert rows["rcpc_timely"]["Target"].number_format == "0.0%"
    assert rows["rcpc_timely"]["Target is illustrative"].value == "No"


def test_scorecard_carries_the_reporting_months_spc_readings(workbook):
    rows = _scorecard(workbook)
    assert rows["rcpc_timely"]["SPC variation"].value == "Special cause concerning"
    assert rows["rcpc_timely"]["SPC assurance"].value == "Hit and miss"
    assert rows["cla_reviews_timely"]["SPC variation"].value is None  # no SPC row: blank
    header, series = _table(workbook["cp_children"])
    august = _by_heading(header, series[-1])
    assert august["SPC process mean"].value == pytest.approx(45.0)  # on the rate's scale
    assert august["SPC process mean"].number_format == "#,##0.0"
    header, series = _table(workbook["rcpc_timely"])
    august = _by_heading(header, series[-1])
    assert august["SPC lower process limit"].value == pytest.approx(0.8425)
    assert august["SPC upper process limit"].value == pytest.approx(1.0475)


def test_definitions_sheet(workbook):
    sheet = workbook["Definitions"]
    header, rows = _table(sheet)
    assert header == [
        "Code",
        "Indicator",
        "Definition",
        "Numerator",
        "Denominator",
        "Period measured",
        "Unit",
        "Rate basis",
        "Polarity",
        "Target",
        "Target band from",
        "Target band to",
        "Target is set on",
        "Target is illustrative",
        "Comparators are illustrative",
        "Responsible officer",
    ]
    assert len(rows) == 5
    values = {row[0].value: [c.value for c in row] for row in rows}
    assert values["cp_children"] == [
        "cp_children",
        "Children Subject to a Child Protection Plan",
        "Total children subject to a Child Protection Plan at month end.",
        "Distinct children with a plan open on the last day of the month",
        "Children aged 0-17 in the population (for the rate per 10,000)",
        "Month end (snapshot)",
        "Number",
        "Rate per 10,000 children aged 0-17 at the month end",
        "Lower is better",
        pytest.approx(55.4),
        None,
        None,
        "Rate per 10,000",
        "Yes",
        "Yes",
        "Head of Service, Safeguarding and Review",
    ]
    assert sheet.freeze_panes == "C2"  # the header row and the indicator stay in view
    assert sheet.column_dimensions["C"].width > 50


def test_definitions_split_a_percentage_into_numerator_and_denominator():
    from pipelines.pack.xlsx_tables import numerator_denominator

    row = {
        "unit": "percent",
        "rate_basis": "none",
        "measure": "Plans ended in the rolling 12 months that had lasted 2 years or more, as a "
        "percentage of all plans ended in the rolling 12 months",
    }
    assert numerator_denominator(row) == (
        "Plans ended in the rolling 12 months that had lasted 2 years or more",
        "All plans ended in the rolling 12 months",
    )


def test_comparators_sheet(workbook):
    header, rows = _table(workbook["Comparators"])
    assert header == [
        "Code",
        "Indicator",
        "Comparator",
        "Year",
        "Comparator value",
        "This authority",
        "Measured as",
        "Comparator is illustrative",
    ]
    # referrals and cp_children have all three; rcpc_timely England only; the others none
    assert [(r[0].value, r[2].value) for r in rows] == [
        ("referrals", "England"),
        ("referrals", "Statistical neighbours"),
        ("referrals", "West Midlands"),
        ("cp_children", "England"),
        ("cp_children", "Statistical neighbours"),
        ("cp_children", "West Midlands"),
        ("rcpc_timely", "England"),
    ]
    rcpc = _by_heading(header, rows[-1])
    assert rcpc["Year"].value == "2012/13"
    assert rcpc["Comparator value"].value == pytest.approx(0.962)  # England 96.2%
    assert rcpc["This authority"].value == pytest.approx(0.8667)
    assert rcpc["Comparator value"].number_format == "0.0%"
    assert rcpc["Comparator is illustrative"].value == "No"
    referrals = _by_heading(header, rows[0])
    assert referrals["Comparator value"].value == pytest.approx(520.7)
    assert referrals["This authority"].value == pytest.approx(1060.66)  # the rolling rate


def test_data_quality_sheet_holds_the_sections_aggregates(workbook):
    header, rows = _table(workbook["Data quality"])
    assert header == ["Topic", "Item", "Measure", "Month", "Value"]
    values = [tuple(c.value for c in row) for row in rows]
    aug = dt.datetime(2014, 8, 1)
    assert (
        "Data-quality checks",
        "ssd_cla_placement_cross_table",
        "Records failing the check",
        aug,
        72,
    ) in values
    assert (
        "Placements with no end date",
        "The child has a later placement",
        "Placements open at the month end",
        aug,
        2,  # September's 9 is after the reporting month
    ) in values
    assert (
        "Caveats beside the indicators",
        "cp_children",
        "CP plan records: CP plan overlaps another CP plan for the same child",
        aug,
        3,
    ) in values
    complete = {v[1]: v[4] for v in values if v[2] == "Cleansing complete"}
    assert complete["Central"] == pytest.approx(0.75)  # 60 of a backlog of 80
    assert not [v for v in values if v[3] and v[3] > aug], "a month after the report's"
    assert not [v for v in values if v[0] == "Caveats beside the indicators" and v[1] == "contacts"]


def test_text_that_looks_like_a_formula_keeps_the_quote_prefix(tmp_path):
    from pipelines.pack.xlsx import _Formats, _write_table
    from pipelines.pack.xlsx_tables import Cell, Table

    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    table = Table(
        "Sheet",
        [("A", 10), ("B", 10)],
        [[Cell('=HYPERLINK("http://x")'), Cell("-1.5")], [Cell("@SUM(A1)"), Cell("plain")]],
    )
    _write_table(book, _Formats(book), table)
    book.close()
    sheet = openpyxl.load_workbook(path)["Sheet"]
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix and sheet["A3"].quotePrefix
    assert not sheet["B3"].quotePrefix and not sheet["B2"].quotePrefix  # -1.5 is a number


def _csv(pack) -> tuple[list[str], dict[str, dict]]:
    with pack["indicators_csv"].open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, {row["code"]: row for row in reader}


def test_indicators_csv_appends_the_flags_and_spc(pack):
    columns, rows = _csv(pack)
    assert columns == INDICATOR_CSV_COLUMNS
    assert columns[:13] == [
        "code",
        "name",
        "month",
        "value",
        "numerator",
        "denominator",
        "rate_per_10k",
        "target",
        "rag",
        "direction",
        "previous_1y",
        "previous_2y",
        "unit",
    ]  # the existing columns, in their order
    assert columns[13:] == [
        "target_is_illustrative",
        "small_numbers",
        "spc_variation",
        "spc_assurance",
    ]
    flags = {
        code: (
            r["target_is_illustrative"],
            r["small_numbers"],
            r["spc_variation"],
            r["spc_assurance"],
        )
        for code, r in rows.items()
    }
    assert flags == {
        # no target: neither illustrative nor not
        "contacts": ("", "false", "Common cause", "No target"),
        "referrals": ("true", "false", "", ""),
        "cp_children": ("true", "false", "Common cause", "Target consistently met"),
        # 13 of 15: the denominator is under 20; August's readings, never September's
        "rcpc_timely": ("false", "true", "Special cause concerning", "Hit and miss"),
        "cla_reviews_timely": ("false", "false", "", ""),  # 29 of 35
    }
    assert (rows["rcpc_timely"]["value"], rows["rcpc_timely"]["target"]) == ("86.67", "95.00%")
