"""The board pack end to end on a small hand-made warehouse (tests/pack_fixture.py, the
marts.pack_* models as their dbt contracts define them): PDF read back with poppler (pdftotext /
pdftoppm), HTML, xlsx and indicators.csv."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from pack_fixture import (
    MONTH,
    PERSON_ID,
    PLACEMENT_ID,
    build_fixture_db,
    write_commentary,
)
from PIL import Image

from pipelines.pack import build_board_pack
from pipelines.pack.data import MonthNotAvailableError
from pipelines.settings import Settings

AUTHORITY = "Demo Borough Council (synthetic data)"


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install -y poppler-utils")
    return path


def _settings(root: Path, output: str = "out") -> Settings:
    return Settings(
        db=str(root / "warehouse.duckdb"),
        extracts=str(root / "extracts"),
        output=str(root / output),
        restricted=str(root / "restricted"),
        commentary=str(root / "commentary"),
        authority_name=AUTHORITY,
    )


def _build(root: Path, output: str = "out") -> dict[str, Path]:
    settings = _settings(root, output)
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        return build_board_pack(con, MONTH, settings)
    finally:
        con.close()


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pack")
    build_fixture_db(root / "warehouse.duckdb")
    write_commentary(root / "commentary")
    written = _build(root)
    written["root"] = root
    return written


@pytest.fixture(scope="module")
def pdf_pages(pack) -> list[str]:
    """The PDF's text, one string per page, whitespace collapsed (lines wrap anywhere)."""
    text = subprocess.run(
        [_poppler("pdftotext"), str(pack["board_pack_pdf"]), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def _page_for(pages: list[str], heading: str) -> str:
    found = [
        p
        for p in pages
        if p.startswith(f"Improvement Board Performance Report - August 2014 {heading}")
    ]
    assert len(found) == 1, f"expected one page headed {heading!r}"
    return found[0]


def test_all_files_written_side_by_side(pack):
    folder = pack["root"] / "out" / MONTH
    assert sorted(p.name for p in folder.iterdir()) == [
        "board_pack.html",
        "board_pack.pdf",
        "board_pack.xlsx",
        "indicators.csv",
        "review.html",  # the internal commentary review, beside the pack, not linked from it
    ]
    for name in ("indicators_csv", "board_pack_html", "board_pack_pdf", "board_pack_xlsx"):
        assert pack[name].parent == folder and pack[name].stat().st_size > 0
    assert not list((pack["root"] / "out").glob(".tmp-*")), "staging folder left behind"


def test_pdf_is_a4_with_sane_page_count_and_renders(pack, tmp_path):
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pack["board_pack_pdf"])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    # cover + contents + scorecard + data quality (1-2) + one page per indicator (5)
    assert 9 <= pages <= 14
    assert "(A4)" in info
    subprocess.run(
        [
            _poppler("pdftoppm"),
            "-png",
            "-r",
            "40",
            str(pack["board_pack_pdf"]),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for image in images:
        with Image.open(image) as png:
            extrema = png.convert("L").getextrema()
        assert extrema[0] < 128, f"{image.name} looks blank"


def test_cover_names_month_authority_load_times_and_caveat(pdf_pages):
    cover = pdf_pages[0]
    assert "Improvement Board Performance Report" in cover and "August 2014" in cover
    assert AUTHORITY in cover
    # the latest successful load of each file (marts.pack_extract_loads)
    assert "15 September 2014 between 02:10 and 02:13" in cover
    assert "ssd_cp_reviews.csv 15 September 2014 02:12" in cover
    assert "due to the live nature of the system" in cover
    assert "up to and including 31 August 2014" in cover


def test_running_header_and_page_numbers(pdf_pages):
    for number, page in enumerate(pdf_pages[1:], start=2):
        assert page.startswith("Improvement Board Performance Report - August 2014")
        assert f"Page {number} of {len(pdf_pages)}" in page


def test_contents_and_scorecard(pdf_pages):
    contents = _page_for(pdf_pages, "Contents")
    assert "Review Child Protection Conferences in Timescale (rcpc_timely)" in contents
    scorecard = _page_for(pdf_pages, "Scorecard - August 2014")
    for expected in (
        "567",
        "489",
        "1,060.66",
        "54.85",
        "86.67%",
        "82.86%",
        "\u26a0 15 86.67%",  # small-numbers marker with the denominator
        "450.0-600.0 per 10,000",
    ):
        assert expected in scorecard, expected
    for rag in ("\u25a0 R Red", "\u25cf G Green", "\u25cb N/A"):
        assert rag in scorecard
    # every indicator on the one scorecard page, with the page its details are on
    assert scorecard.count("\u25a0 R Red") + scorecard.count("\u25cf G Green") >= 4
    assert "Aug-13" in scorecard and "Aug-12" in scorecard


def _has_all(page: str, expected: tuple[str, ...]) -> None:
    # Compared case-insensitively: the tile labels are upper-cased by the stylesheet. Tiles
    # side by side are read column by column, so a label and its figure are checked apart.
    lowered = page.lower()
    for item in expected:
        assert item.lower() in lowered, item


def test_indicator_pages_carry_every_field_and_value(pdf_pages):
    referrals = _page_for(pdf_pages, "Referrals Received Per Month")
    _has_all(
        referrals,
        (
            "Code referrals",
            "Responsible officer",
            "Service Manager, Multi-Agency Safeguarding Hub",
            "Full description Total referrals received in month",
            "Measure Referrals dated in the month",
            "Indicator guide Looking to keep the rolling 12-month referral rate",
            "Last update",
            "August 2014",
            "Current value",
            "489",
            "Rate per 10,000 (rolling 12 months)",
            "1,060.66",
            "Overall assessment",
            "\u25a0 R Red",
            "Target",
            "450.0-600.0 per 10,000",
            "Illustrative target",
            "Referrals Received Per Month - Trend",
            "Direction of travel (comparator with last year)",
            "\u2191 Increased",
            "Previous values",
            "Aug-13 385",
            "Aug-12 294",
            "Aug-13 rate per 10,000 561.77",
            "Comparators (illustrative)",
            "England 2012/13 520.70",
            "Statistical neighbours 2012/13 512.40",
            "West Midlands 2012/13 545.10",
            "Measure period",
            "In month",
            "Comments The current figure of 489 is in respect of the month of August 2014",
        ),
    )
    contacts = _page_for(pdf_pages, "Contacts Received Per Month")
    _has_all(contacts, ("567", "Aug-13 441", "Aug-12 257", "\u25cb N/A", "Increased"))
    cla = _page_for(pdf_pages, "Looked After Children Reviews in Timescale")
    _has_all(cla, ("82.86%", "\u25a0 R Red", "95.00%", "Aug-13 97.10%"))


def test_missing_comment_says_so(pdf_pages):
    cp = _page_for(pdf_pages, "Children Subject to a Child Protection Plan")
    assert "Comments No commentary provided" in cp
    _has_all(cp, ("475", "54.85", "\u25cf G Green", "55.40 per 10,000", "Month end (snapshot)"))


def test_automatic_facts_small_numbers_and_three_month_sentence(pdf_pages):
    rcpc = _page_for(pdf_pages, "Review Child Protection Conferences in Timescale")
    assert "Only 15 review child protection conferences were held" in rcpc  # human comment
    assert "Numerator 13; denominator 15." in rcpc
    assert "Small numbers: one record moves this figure by 6.67 points" in rcpc
    assert (
        "During June, July and August 2014, 139 review conferences were held, of which "
        "132 (94.96%) were in timescale." in rcpc
    )
    cla = _page_for(pdf_pages, "Looked After Children Reviews in Timescale")
    assert "Numerator 29; denominator 35." in cla
    assert "Small numbers" not in cla


def test_data_quality_section(pdf_pages):
    text = " ".join(pdf_pages)
    assert "Data quality and cleansing" in text
    assert "The cleansing of the early help register continues" in text  # ## data_quality
    assert (
        "330 early help episodes (CAFs) have been closed as part of the data cleansing action "
        "plan since May 2014: 4 of the 8 localities have completed the data cleansing work, and "
        "the others have completed between 72.50% and 85.71%." in text
    )
    assert "Market Town 40 29 24 72.50% In progress" in text
    assert "Rural 0 0 0 N/A" in text and "No stale backlog" in text
    assert "As at the end of August 2014: 4 placements." in text
    assert "The child has a later placement 2" in text
    assert "has yet to be reflected in the charts" in text
    # failures by reporting month, up to August and never after it
    assert "failures by reporting month" in text
    assert "ssd_cla_placement_cross_table 20 41 72" in text
    assert "ssd_cp_plans_cross_table 5 4 3" in text
    assert "1 further check found no failing records" in text
    # the statutory returns' DfE checks as at the month: the latest run by its end, no later one
    assert "Statutory returns: the DfE's validation rules" in text
    assert "SSDA903 return 2013-14: 14 errors across 5 rules (checked 10 Jun 2014" in text
    assert "30 errors" not in text and "CIN return 2013-14" not in text


def test_caveats_beside_the_indicators_they_touch(pdf_pages):
    cp = _page_for(pdf_pages, "Children Subject to a Child Protection Plan")
    assert (
        "Data quality: 3 CP plan records: CP plan overlaps another CP plan for the same child "
        "(as at 31 August 2014)." in cp
    )
    assert "Data quality: 1 CP plan record: CP plan record has no start date" in cp
    contacts = _page_for(pdf_pages, "Contacts Received Per Month")
    assert "Data quality" not in contacts  # July's caveat is not August's


def test_no_child_level_identifiers_anywhere(pack, pdf_pages):
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    with zipfile.ZipFile(pack["board_pack_xlsx"]) as archive:
        xlsx_xml = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    csv = pack["indicators_csv"].read_text(encoding="utf-8")
    for identifier in (PERSON_ID, PLACEMENT_ID, "P000901", "Testchild"):
        assert identifier not in " ".join(pdf_pages)
        assert identifier not in html
        assert identifier not in xlsx_xml
        assert identifier not in csv


def test_html_is_self_contained(pack):
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    assert not re.search(r"<link\b|<script\b|@import", html, re.I)
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) >= 5
    for tag in images:
        assert 'src="data:image/svg+xml;base64,' in tag
        assert re.search(r'alt="[^"]{20,}"', tag), "every chart needs a text alternative"
    assert "No commentary provided" in html


def test_rerun_gives_identical_outputs(pack):
    again = _build(pack["root"], output="out-again")
    assert again["indicators_csv"].read_bytes() == pack["indicators_csv"].read_bytes()
    assert again["board_pack_html"].read_bytes() == pack["board_pack_html"].read_bytes()
    assert _cells(again["board_pack_xlsx"]) == _cells(pack["board_pack_xlsx"])
    # the same PDF, byte for byte: fixed dates, nothing taken from the time of printing
    assert again["board_pack_pdf"].read_bytes() == pack["board_pack_pdf"].read_bytes()
    first = openpyxl.load_workbook(pack["board_pack_xlsx"]).properties.created
    assert first == openpyxl.load_workbook(again["board_pack_xlsx"]).properties.created


def _cells(path: Path) -> dict:
    workbook = openpyxl.load_workbook(path)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def test_xlsx_scorecard_first_then_one_sheet_per_indicator(pack):
    workbook = openpyxl.load_workbook(pack["board_pack_xlsx"])
    assert workbook.sheetnames == [
        "Scorecard",
        "contacts",
        "referrals",
        "cp_children",
        "rcpc_timely",
        "cla_reviews_timely",
        "Definitions",
        "Comparators",
        "Data quality",
    ]
    scorecard = workbook["Scorecard"]
    header = [c.value for c in scorecard[5]]
    assert header[:3] == ["Code", "Indicator", "Current value"]
    rows = {row[0]: row for row in scorecard.iter_rows(min_row=6, values_only=True)}
    assert rows["rcpc_timely"][2] == pytest.approx(0.8667)  # 13 of 15, as a fraction
    assert rows["rcpc_timely"][8] == "\u25a0 R Red"
    assert rows["referrals"][6] == pytest.approx(1060.66)
    data = workbook["rcpc_timely"]
    assert [c.value for c in data[1]] == [
        "Month",
        "Value",
        "Numerator",
        "Denominator",
        "Rate per 10,000",
        "Target",
        "Target band from",
        "Target band to",
        "RAG",
        "SPC variation",
        "SPC assurance",
        "SPC process mean",
        "SPC lower process limit",
        "SPC upper process limit",
    ]
    months = [row[0] for row in data.iter_rows(min_row=2, values_only=True)]
    assert months[0].strftime("%Y-%m") == "2011-04"
    assert months[-1].strftime("%Y-%m") == MONTH  # never a month after the report's
    last = list(data.iter_rows(min_row=data.max_row, values_only=True))[0]
    assert last[1:4] == (pytest.approx(0.8667), 13, 15)


def test_missing_commentary_file_gives_fallback_everywhere(pack, tmp_path):
    settings = Settings(
        db=str(pack["root"] / "warehouse.duckdb"),
        extracts=str(tmp_path),
        output=str(tmp_path / "out"),
        restricted=str(tmp_path),
        commentary=str(tmp_path / "no-commentary-here"),
        authority_name=AUTHORITY,
    )
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        from pipelines.pack.commentary import load_commentary
        from pipelines.pack.context import build_context
        from pipelines.pack.html import render_html

        ctx = build_context(con, MONTH, settings, load_commentary(settings.commentary_dir, MONTH))
        html = render_html(ctx)
    finally:
        con.close()
    assert html.count("No commentary provided") == len(ctx.indicators) == 5


def test_month_outside_the_data_is_refused_before_writing(pack, tmp_path):
    settings = _settings(pack["root"], output=str(tmp_path / "refused"))
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        with pytest.raises(MonthNotAvailableError, match="2011-04 to 2014-09"):
            build_board_pack(con, "2016-01", settings)
    finally:
        con.close()
    assert not (tmp_path / "refused" / "2016-01").exists()
