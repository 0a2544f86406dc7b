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
    AUTHORITY,
    MONTH,
    PERSON_ID,
    PLACEMENT_ID,
    build_fixture_db,
    build_fixture_pack,
    chart_svgs,
    fixture_settings,
    write_commentary,
)
from PIL import Image

from pipelines.pack import build_board_pack, charts
from pipelines.pack.data import MonthNotAvailableError
from pipelines.settings import Settings


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install -y poppler-utils")
    return path


_settings = fixture_settings


def _build(root: Path, output: str = "out") -> dict[str, Path]:
    return build_fixture_pack(root, output).files


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
    # cover + summary + contents + scorecard + data quality (1-2) + one page per indicator (5)
    # + glossary + annex A (definitions) + annex B (technical details, 1-2)
    assert 13 <= pages <= 16
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


def test_cover_names_month_authority_date_of_issue_and_caveat(pdf_pages):
    cover = pdf_pages[0]
    assert "Improvement Board Performance Report" in cover and "August 2014" in cover
    assert AUTHORITY in cover
    # the day of the latest successful load (marts.pack_extract_loads): the pack's data
    assert "Date of issue: 15 September 2014" in cover
    assert (
        "Figures as at 31 August 2014, from the case-management system's records as extracted "
        "on 15 September 2014." in cover
    )
    assert "due to the live nature of the system" in cover
    assert "up to and including 31 August 2014" in cover
    # no file names or load times on the cover: they are in the technical annex
    assert ".csv" not in cover and "02:1" not in cover
    annex = _page_for(pdf_pages, "Annex B: technical data-quality details")
    assert "15 September 2014 between 02:10 and 02:13" in annex
    assert "ssd_cp_reviews.csv 15 September 2014 02:12" in annex


def test_running_header_and_page_numbers(pdf_pages):
    for number, page in enumerate(pdf_pages[1:], start=2):
        assert page.startswith("Improvement Board Performance Report - August 2014")
        assert f"Page {number} of {len(pdf_pages)}" in page


def test_contents_and_scorecard(pdf_pages):
    contents = _page_for(pdf_pages, "Contents")
    assert "Review Child Protection Conferences in Timescale" in contents
    assert "rcpc_timely" not in contents  # codes are for the team: Annex A
    assert "Summary: key messages, what changed, exceptions" in contents
    assert "Glossary and how to read the charts" in contents
    scorecard = _page_for(pdf_pages, "Scorecard - August 2014")
    for expected in (
        "567",
        "489",
        "1,060.7",
        "54.9",
        "86.7%",
        "82.9%",
        "\u26a0 15 86.7%",  # small-numbers marker with the denominator
        "450.0-600.0 per 10,000",
        "Variation",
        "Target assurance",
        "England",
        "Statistical",  # the headings wrap, and poppler reads them column by column
        "neighbours",
        "520.7 512.4",  # referrals' comparators, on the rate the rating is on
        "37.9 41.6",
        "96.2%",  # rcpc_timely's England figure
    ):
        assert expected in scorecard, expected
    for rag in ("\u25a0 R Red", "\u25cf G Green", "\u25cb N/A"):
        assert rag in scorecard
    # SPC: the icon's letter and the words, never the colour alone
    assert "L Concerning ? Hit and miss" in scorecard  # rcpc_timely, cla_reviews_timely
    assert "H Unusual \u2013 No target" in scorecard  # contacts, referrals
    # every indicator on the one scorecard page, with the page its details are on
    assert scorecard.count("\u25a0 R Red") + scorecard.count("\u25cf G Green") >= 4
    assert "Aug-13" in scorecard and "Aug-12" in scorecard
    # previous values on the basis of the rating: referrals' rate a year earlier (561.8 per
    # 10,000, the fixture's), not its count of 385
    assert re.search(r"Referrals Received Per Month .*561\.8", scorecard)
    referrals_row = scorecard.split("Referrals Received Per Month", 1)[1].split("Children", 1)[0]
    assert " 385 " not in f" {referrals_row} "


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
            "1,060.7",
            "Overall assessment",
            "\u25a0 R Red",
            "Target",
            "450.0-600.0 per 10,000",
            "Illustrative target",
            "Amber: outside the band by up to 50.0 per 10,000.",
            "Referrals Received Per Month - Trend",
            "Special cause: neither better nor worse (above the upper limit)",
            "Assurance \u2013 No target",
            "Charted and read on the monthly count",
            "Direction of travel (comparator with last year)",
            "\u2191 Increased",
            "Previous values",
            "Aug-13 385",
            "Aug-12 294",
            "Aug-13 rate per 10,000 561.8",
            "Comparators (illustrative)",
            "England 2012/13 520.7",
            "Statistical neighbours 2012/13 512.4",
            "West Midlands 2012/13 545.1",
            "Measure period",
            "In month",
            "Comments The current figure of 489 is in respect of the month of August 2014",
        ),
    )
    contacts = _page_for(pdf_pages, "Contacts Received Per Month")
    _has_all(contacts, ("567", "Aug-13 441", "Aug-12 257", "\u25cb N/A", "Increased"))
    cla = _page_for(pdf_pages, "Looked After Children Reviews in Timescale")
    _has_all(cla, ("82.9%", "\u25a0 R Red", "95.0%", "Aug-13 97.1%"))
    _has_all(
        cla,
        (
            "Special cause: concerning (below the lower limit)",
            "Hit and miss: the target is within the process limits",
            "Amber: up to 5.0 percentage points below the target.",
        ),
    )
    assert "Code" not in cla.split("Comments")[0]  # no developer code beside the title


def test_missing_comment_says_so(pdf_pages):
    cp = _page_for(pdf_pages, "Children Subject to a Child Protection Plan")
    assert "Comments No commentary provided" in cp
    _has_all(cp, ("475", "54.9", "\u25cf G Green", "55.4 per 10,000", "Month end (snapshot)"))


def test_key_figures_small_numbers_and_three_month_sentence(pdf_pages):
    rcpc = _page_for(pdf_pages, "Review Child Protection Conferences in Timescale")
    assert "Only 15 review child protection conferences were held" in rcpc  # human comment
    # heading upper-cased; Chromium draws the list's bullets, they are not in the text
    assert "KEY FIGURES Numerator 13; denominator 15." in rcpc
    assert "automatic facts" not in rcpc.lower()
    assert "Small numbers: one record moves this figure by 6.7 points" in rcpc
    assert (
        "During June, July and August 2014, 139 review conferences were held, of which "
        "132 (95.0%) were in timescale." in rcpc
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
        "the others have completed between 72.5% and 85.7%." in text
    )
    assert "Market Town 40 29 24 72.5% In progress" in text
    # in words for the board; the check names and file names are in the technical annex
    section = text.split("Data quality and cleansing", 2)[2].split("Contacts Received")[0]
    assert (
        "2 data quality checks found 75 failing records as at the end of Aug-14 (45 at the end "
        "of Jul-14)." in section
    )
    assert "ssd_" not in section and ".csv" not in section
    assert "Rural 0 0 0 N/A" in text and "No stale backlog" in text
    assert "As at the end of August 2014: 4 placements." in text
    assert "The child has a later placement 2" in text
    assert "has yet to be reflected in the charts" in text
    # failures by reporting month, up to August and never after it (the technical annex)
    annex = _page_for(pdf_pages, "Annex B: technical data-quality details")
    assert "failures by reporting month" in annex and "ssd_cp_plans.csv 2,000 1 0" in annex
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


# --- the summary page, SPC on the charts, page images ---------------------------------------


def _pdf_page_text(pack, number: int) -> str:
    text = subprocess.run(
        [_poppler("pdftotext"), "-f", str(number), "-l", str(number), str(pack["board_pack_pdf"]),
         "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return " ".join(text.split())


def test_the_summary_is_page_two_with_counts_changes_and_exceptions(pack):
    summary = _pdf_page_text(pack, 2)
    assert summary.startswith("Improvement Board Performance Report - August 2014 Summary")
    # the fixture's August: referrals, rcpc_timely, cla_reviews_timely red; cp_children green;
    # contacts no target. SPC: 3 concerning, 2 unusual (neither better nor worse)
    assert "Ratings and statistical signals, August 2014 (5 indicators)" in summary
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    counts = html.split('<table class="summary-counts">', 1)[1].split("</table>", 1)[0]
    headings = [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in
                re.findall(r"<th[^>]*>(.*?)</th>", counts)]  # fmt: skip
    assert headings == [
        "\u25a0 R Red", "\u25b2 A Amber", "\u25cf G Green", "\u25cb N/A no target",
        "H Concerning", "H Improving", "H Unusual", "\u223c Common cause",
    ]  # fmt: skip
    assert re.findall(r'<td class="count">(\d+)</td>', counts) == [
        "3", "0", "1", "1", "3", "0", "2", "0",
    ]  # fmt: skip
    # what changed since July, from July's own ratings and SPC readings in the marts
    assert "What changed since July 2014" in summary
    assert (
        "New reds: Review Child Protection Conferences in Timescale (86.7%); Looked After "
        "Children Reviews in Timescale (82.9%)." in summary
    )
    assert (
        "Ratings that moved: Children Subject to a Child Protection Plan from Amber to Green; "
        "Review Child Protection Conferences in Timescale from Green to Red; Looked After "
        "Children Reviews in Timescale from Green to Red." in summary
    )
    assert (
        "Statistical signals that appeared: Review Child Protection Conferences in Timescale "
        "(special cause concerning: below the lower limit); Looked After Children Reviews in "
        "Timescale (special cause concerning: below the lower limit)." in summary
    )
    exceptions = summary.split("Exceptions", 1)[1]
    order = [
        exceptions.index(name)
        for name in ("Review Child Protection", "Looked After Children", "Referrals Received",
                     "Children Subject to a")
    ]  # fmt: skip
    assert order == sorted(order)  # reds first, those with most reasons first
    assert "rated red (1,060.7 per 10,000 against a target of 450.0-600.0 per 10,000)" in summary
    assert "Contacts Received" not in exceptions.split("Exceptions:")[0]  # nothing to flag


def test_key_messages_state_figures_found_on_the_pages_they_name(pack, pdf_pages):
    from pipelines.pack.commentary import load_commentary
    from pipelines.pack.context import build_context

    settings = _settings(pack["root"])
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        ctx = build_context(con, MONTH, settings, load_commentary(settings.commentary_dir, MONTH))
    finally:
        con.close()
    messages = ctx.summary["key_messages"]
    assert 3 <= len(messages) <= 5
    summary = _pdf_page_text(pack, 2)
    for message in messages:
        assert " ".join(message.text.split()) in summary
        if message.sources:  # and, in print, the pages the figures are on
            pages = [pdf_pages.index(_page_for(pdf_pages, s.name)) + 1 for s in message.sources]
            assert f"{' '.join(message.text.split())} (p. {', '.join(map(str, pages))})" in summary
        for source in message.sources:
            page = _page_for(pdf_pages, source.name)
            stated = re.search(re.escape(source.name) + r" \(([^)]+)\)", message.text)
            if stated is None:  # the count sentence: its sources are the reds it counts
                assert message.text.startswith("3 of the 4") and source.rag == "Red"
                continue
            # the figure it states for the indicator is its rated or SPC figure, and that
            # figure is on the indicator's own page
            assert stated.group(1) in (source.figure, source.spc_shown), message.text
            figure = stated.group(1).removesuffix(" per 10,000").removesuffix(" in the month")
            assert figure in page, (source.code, figure)
    first = messages[0]
    assert first.text == (
        "3 of the 4 indicators with a target are rated red, 0 amber and 1 green; 1 has no target."
    )
    assert [s.code for s in first.sources] == ["referrals", "rcpc_timely", "cla_reviews_timely"]


def test_spc_limits_and_signals_are_drawn_on_the_charts(pack):
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    svgs = chart_svgs(html)
    assert len(svgs) == 5
    for anchor, svg in svgs.items():
        # every indicator of the fixture has limits in the charted months
        for gid in ("spc-mean", "spc-upper-limit", "spc-lower-limit"):
            assert f'id="{gid}"' in svg, (anchor, gid)
    # the August point of cla_reviews_timely is below its lower limit: marked as concerning
    assert 'id="spc-signal-concerning"' in svgs["ind-cla_reviews_timely"]
    assert 'id="spc-signal-improving"' not in svgs["ind-cla_reviews_timely"]
    # the alternative text says so
    assert re.search(
        r'alt="Line chart of Looked After Children Reviews in Timescale[^"]*the process mean '
        r"and limits, with 1 month of special cause variation marked",
        html,
    )
    # monthly counts are bars (referrals: in month, its target on the rolling rate)
    assert re.search(r'alt="Bar chart of Referrals Received Per Month \(number in the month\)',
                     html)  # fmt: skip


def _page_colours(pdf: Path, page: int, out: Path) -> set[tuple[int, int, int]]:
    """The colours on one page of the PDF as pdftoppm draws it at 50 dpi; asserts it is not
    blank."""
    subprocess.run(
        [_poppler("pdftoppm"), "-png", "-r", "50", "-f", str(page), "-l", str(page),
         str(pdf), str(out)],
        check=True,
    )  # fmt: skip
    (image,) = out.parent.glob(f"{out.name}*.png")
    with Image.open(image) as png:
        rgb = png.convert("RGB")
        assert rgb.convert("L").getextrema()[0] < 128, f"page {page} is blank"
        return {colour for _, colour in rgb.getcolors(maxcolors=1 << 20)}


def _near(colours, hex_colour: str, tolerance: int = 30) -> bool:
    want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return any(
        all(abs(c - w) < tolerance for c, w in zip(colour, want, strict=True)) for colour in colours
    )


def test_page_images_show_the_summary_and_an_indicator_page(pack, pdf_pages, tmp_path):
    """pdftoppm makes the images a person would look at: the summary page (page 2) carries the
    SPC icons' colours, and an indicator page its chart, drawn with the SPC mean and limits
    (the colour is never the only cue: the letters and words are checked in the text tests)."""
    pdf = pack["board_pack_pdf"]
    summary = _page_colours(pdf, 2, tmp_path / "summary")
    # the concerning icon's orange (#a34700) is on the summary page, near enough at 50 dpi
    assert _near(summary, "#a34700")

    pages = [
        number
        for number, text in enumerate(pdf_pages, start=1)
        if text.startswith("Improvement Board Performance Report - August 2014 Referrals")
    ]
    assert len(pages) == 1
    referrals = _page_colours(pdf, pages[0], tmp_path / "referrals")
    assert _near(referrals, charts.INK, 20)  # the month's series, drawn
    # the chart's legend (SVG text, kept as text in the PDF) names the SPC lines it draws
    assert "Mean" in pdf_pages[pages[0] - 1] and "Process limits" in pdf_pages[pages[0] - 1]


@pytest.mark.ui
def test_the_summary_icons_and_annexes_pass_axe_core(pack):
    """The new pages (summary, SPC icons, glossary, annexes) on the fixture's pack, in Chromium
    offline with axe-core's WCAG 2.2 A/AA rules (test_accessibility.py does the demo's)."""
    from axe import chromium, offline_page

    with chromium() as browser, offline_page(browser, pack["board_pack_html"]) as page:
        assert page.blocked == []
        assert "Key messages" in page.text() and "Annex B" in page.text()
        violations = page.axe()
    assert violations == [], "\n".join(map(str, violations))


def test_the_glossary_explains_ratings_signals_and_the_chart_rules(pdf_pages):
    """Every term the board pages use without explaining it is in the glossary: the amber
    tolerance, SPC and its icons, and where a chart's axis starts."""
    glossary = _page_for(pdf_pages, "Glossary and how to read the charts")
    _has_all(
        glossary,
        (
            "Amber tolerance",
            "for most percentages 5 percentage points",
            "Rate per 10,000",
            "Small numbers",
            "Statistical process control (SPC)",
            "worked out from the first 20 months",
            "Common cause variation",
            "7 months in a row above (or below) the mean",
            "consistently met",
            "hit and miss",
            "Counts and rates start at zero",
            "zig-zag break mark",
        ),
    )
