"""The regional comparison in the board pack (BOARDPACK_REGIONAL_FILE, docs/region.md "In the
board pack"): the fixture's pack (tests/pack_fixture.py) given a regional file combined by
pipelines/region from three hand-written aggregates files, the fixture's authority (the demo's
code, BOARDPACK_LA_CODE unset) and two others. The quartiles, medians and ranks asserted are
worked by hand (type 7 quartiles, docs/region.md)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest
from pack_fixture import (
    AUTHORITY,
    MONTH,
    build_fixture_db,
    chart_svgs,
    fixture_settings,
    write_commentary,
)

from pipelines.pack import chart_cache, charts
from pipelines.pack.build import build_pack
from pipelines.pack.commentary import load_commentary
from pipelines.pack.context import build_context
from pipelines.pack.html import render_html
from pipelines.pack.regional import RegionalFileError
from pipelines.region.combine import combine_files, write_regional
from pipelines.region.files import COLUMNS, FORMAT, metadata_path
from pipelines.reuse import StageRecords, fingerprint
from pipelines.settings import Settings
from pipelines.stage_inputs import MODELS_STAGE, VIEWS_STAGE, pack_inputs

OURS = "E09000027"  # the demo's code: the fixture's settings leave BOARDPACK_LA_CODE blank
UNITS = {
    "contacts": "count",
    "referrals": "count",
    "cp_children": "count",
    "rcpc_timely": "percent",
    "cla_reviews_timely": "percent",
}
# (indicator, month) -> authority -> (numerator, denominator, value), as published (T = 5)
FIGURES = {
    ("contacts", "2014-07-01"): {OURS: ("520", "z", "520"), "E06000001": ("310", "z", "310"),
                                 "E06000002": ("790", "z", "790")},
    ("contacts", "2014-08-01"): {OURS: ("567", "z", "567"), "E06000001": ("300", "z", "300"),
                                 "E06000002": ("800", "z", "800")},
    ("referrals", "2014-08-01"): {OURS: ("489", "z", "489"), "E06000001": ("200", "z", "200"),
                                  "E06000002": ("c", "z", "c")},
    ("cp_children", "2014-08-01"): {OURS: ("475", "z", "475"), "E06000001": ("300", "z", "300"),
                                    "E06000002": ("200", "z", "200")},
    # ours: 13 of 15, 2 not in timescale: suppressed (the complement is under 5)
    ("rcpc_timely", "2014-08-01"): {OURS: ("c", "15", "c"), "E06000001": ("45", "50", "90.00"),
                                    "E06000002": ("70", "100", "70.00")},
    ("cla_reviews_timely", "2014-07-01"): {OURS: ("78", "83", "93.98"),
                                           "E06000001": ("45", "50", "90.00"),
                                           "E06000002": ("30", "40", "75.00")},
    ("cla_reviews_timely", "2014-08-01"): {OURS: ("29", "35", "82.86"),
                                           "E06000001": ("40", "50", "80.00"),
                                           "E06000002": ("60", "100", "60.00")},
}  # fmt: skip
NAMES = {OURS: AUTHORITY, "E06000001": "Alpha Council", "E06000002": "Beta Council"}


def write_aggregates(folder: Path, code: str) -> Path:
    """One authority's published aggregates file and its metadata, by hand."""
    path = folder / f"{code}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for (indicator, month), by_code in FIGURES.items():
            writer.writerow((code, indicator, month, UNITS[indicator], *by_code[code]))
    metadata = {
        "authority_code": code,
        "authority_name": NAMES[code],
        "generated": "2014-09-15",
        "reporting_month": "2014-08",
        "suppression_threshold": 5,
        "format": FORMAT,
    }
    metadata_path(path).write_text(json.dumps(metadata), encoding="utf-8")
    return path


def write_region(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = [write_aggregates(folder, code) for code in NAMES]
    return write_regional(combine_files(files), folder / "region.csv")


def _build(settings: Settings):
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        return build_pack(con, MONTH, settings)
    finally:
        con.close()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("regional")
    build_fixture_db(root / "warehouse.duckdb")
    write_commentary(root / "commentary")
    write_region(root / "region")
    return root


@pytest.fixture(scope="module")
def pack(root) -> dict[str, Path]:
    settings = fixture_settings(root, regional_file=str(root / "region" / "region.csv"))
    return _build(settings).files


def _regional_table(html: str) -> dict[str, list[str]]:
    section = re.search(r'<section class="page" id="regional">(.*?)</section>', html, re.S)
    assert section, "no regional comparison page"
    table = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", section.group(1), re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</t[hd]>", row)][:-1]
        table[cells[0]] = cells[1:]
    return table


def test_the_regional_page_shows_the_hand_worked_quartiles_median_and_rank(pack):
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    table = _regional_table(html)
    # this authority, lower quartile, median, upper quartile, rank, contributing, better is
    # 60.00, 80.00, 82.86: LQ 60 + 20/2 = 70, median 80, UQ 80 + 2.86/2 = 81.43; ours the highest
    assert table["Looked After Children Reviews in Timescale"] == [
        "82.9%", "70.0%", "80.0%", "81.4%", "1st of 3", "3 of 3", "Higher is better",
    ]  # fmt: skip
    # ours suppressed (c), so not ranked; the region's figures over the two published
    assert table["Review Child Protection Conferences in Timescale"] == [
        "c", "75.0%", "80.0%", "85.0%", "c", "2 of 3", "Higher is better",
    ]  # fmt: skip
    # 200, 300, 475: lower is better, ours the highest
    assert table["Children Subject to a Child Protection Plan"] == [
        "475", "250", "300", "387.5", "3rd of 3", "3 of 3", "Lower is better",
    ]  # fmt: skip
    # no better direction: not ranked (z); 200 and 489 published: LQ 272.25 (272.3: halves
    # away from zero), median 344.5, UQ 416.75
    assert table["Referrals Received Per Month"][:6] == [
        "489", "272.3", "344.5", "416.8", "z", "2 of 3",
    ]  # fmt: skip
    # the table's markup and the symbols' footnote
    section = html.split('id="regional"')[1].split("</section>")[0]
    assert "<caption>Regional comparison, August 2014" in section
    assert section.count('<th scope="col"') == 8
    assert (
        "<strong>c</strong> confidential" in section
        and "<strong>z</strong> not applicable" in section
    )
    assert "Counts from 1 to 4 are suppressed (threshold 5)" in section
    assert "region.csv" in section
    # listed in the contents
    assert '<a href="#regional">Regional comparison' in html


def test_charts_on_the_published_scale_carry_the_regional_median(pack):
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    svgs = chart_svgs(html)
    with_line = {a for a, svg in svgs.items() if 'id="region-median"' in svg}
    # percentages and counts charted as the count; not cp_children, charted as a rate per 10,000
    assert with_line == {
        "ind-contacts", "ind-referrals", "ind-rcpc_timely", "ind-cla_reviews_timely",
    }  # fmt: skip
    assert all(charts.REGION_LABEL in svgs[a] for a in with_line)
    assert charts.REGION_LABEL not in svgs["ind-cp_children"]
    alt = re.search(r'alt="(Line chart of Looked After Children Reviews in Timescale[^"]*)"', html)
    assert "the regional median (Region (median)) as a dotted line" in alt.group(1)
    assert "latest 80.0%" in alt.group(1)
    cp_alt = re.search(r'alt="([^"]*Children Subject to a Child Protection Plan[^"]*)"', html)
    assert "regional median" not in cp_alt.group(1)


def test_the_median_line_has_the_files_values_month_by_month(root, monkeypatch):
    drawn: dict[str, charts.TrendSeries] = {}

    def capture(series: charts.TrendSeries) -> str:
        drawn[series.y_label + "|" + str(series.current[-1])] = series
        return "data:image/svg+xml;base64,"

    monkeypatch.setattr(charts, "trend_chart", capture)
    settings = fixture_settings(root, regional_file=str(root / "region" / "region.csv"))
    with duckdb.connect(str(settings.database), read_only=True) as con:
        ctx = build_context(con, MONTH, settings, load_commentary(settings.commentary_dir, MONTH))
    by_values = {s.current[-1]: s for s in drawn.values()}
    cla = next(s for s in drawn.values() if s.kind == "percent" and s.region and s.region[-2])
    assert cla.labels[-2:] == ["Jul-14", "Aug-14"]
    assert list(cla.region[-2:]) == [90.0, 80.0]  # 75, 90, 93.98 and 60, 80, 82.86
    assert all(m is None for m in cla.region[:-2])  # months the file does not hold
    contacts = by_values[567.0]
    assert list(contacts.region[-2:]) == [520.0, 567.0]
    rate = [s for s in drawn.values() if s.kind == "rate"]
    assert rate and all(s.region is None for s in rate)
    assert ctx.regional is not None


def test_the_median_line_is_drawn_as_given_and_is_part_of_the_charts_cache_key(tmp_path):
    from dataclasses import replace

    from test_charts import series

    plain = series([40.0 + month for month in range(24)], kind="percent")
    regional = replace(plain, region=[None] * 21 + [55.0, 58.0, 61.5])
    ax = charts.trend_figure(regional).axes[0]
    (line,) = [line for line in ax.lines if line.get_gid() == "region-median"]
    assert line.get_label() == charts.REGION_LABEL and line.get_linestyle() == ":"
    assert [round(float(v), 2) for v in line.get_ydata()[-3:]] == [55.0, 58.0, 61.5]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert charts.REGION_LABEL in legend
    assert not [ln for ln in charts.trend_figure(plain).axes[0].lines if ln.get_gid()]
    # the cache keys a chart by repr(TrendSeries): the new field is in it
    assert (
        "region=[None, None, None, None, None, None, None, None, None, None, None, None, "
        in repr(regional)
    )
    assert "None, 55.0, 58.0, 61.5]" in repr(regional)
    with chart_cache.cached_in(tmp_path):
        with_line, without = charts.trend_chart(regional), charts.trend_chart(plain)
        assert with_line != without
        assert charts.trend_chart(regional) == with_line  # from the cache
    assert len(list(tmp_path.glob("*" + chart_cache.SUFFIX))) == 2


def test_the_workbook_has_a_regional_sheet_of_numbers(pack):
    book = openpyxl.load_workbook(pack["board_pack_xlsx"])
    assert "Regional comparison" in book.sheetnames
    sheet = book["Regional comparison"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    cla = rows["cla_reviews_timely"]
    assert cla["This authority"] == pytest.approx(0.8286)  # a fraction, percent-formatted
    assert cla["Region median"] == pytest.approx(0.80)
    assert cla["Region upper quartile"] == pytest.approx(0.8143)
    assert cla["Rank (1 = best)"] == 1 and cla["Rank symbol"] is None
    rcpc = rows["rcpc_timely"]
    assert rcpc["This authority"] is None and rcpc["This authority's symbol"] == "c"
    assert rcpc["Rank (1 = best)"] is None and rcpc["Rank symbol"] == "c"
    assert rows["referrals"]["Region lower quartile"] == pytest.approx(272.25)
    assert rows["cp_children"]["Rank (1 = best)"] == 3
    # indicators.csv is unchanged by the regional file
    assert "region" not in pack["indicators_csv"].read_text(encoding="utf-8").lower().split("\n")[0]


def test_without_the_setting_there_is_no_regional_page_or_line(root):
    settings = fixture_settings(root)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        ctx = build_context(con, MONTH, settings, load_commentary(settings.commentary_dir, MONTH))
    html = render_html(ctx)
    assert ctx.regional is None
    assert 'id="regional"' not in html and "Regional comparison" not in html
    assert not any('id="region-median"' in svg for svg in chart_svgs(html).values())


def _malformed(root: Path, name: str, edit) -> Path:
    lines = (root / "region" / "region.csv").read_text(encoding="utf-8").splitlines()
    edit(lines)
    path = root / "bad" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fails_writing_nothing(root: Path, output: str, **extra) -> str:
    settings = fixture_settings(root, output=output, **extra)
    with pytest.raises(RegionalFileError) as raised:
        _build(settings)
    assert not (root / output).exists(), "a pack (or part of one) was written"
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_malformed_regional_file_is_one_line_and_nothing_is_written(root):
    def shown_small_count(lines: list[str]) -> None:
        index = next(i for i, line in enumerate(lines) if f",{OURS}," in line)
        row = lines[index].split(",")
        row[6], row[8] = "3", "3"  # numerator and value: a count of 3 showing
        lines[index] = ",".join(row)

    bad = _malformed(root, "small.csv", shown_small_count)
    message = _fails_writing_nothing(root, "out-small", regional_file=str(bad))
    assert message.startswith(f"regional file (BOARDPACK_REGIONAL_FILE): {bad}: row ")
    assert "column numerator: '3'; expected 0, 5 or more, or `c`" in message

    def renamed_column(lines: list[str]) -> None:
        lines[0] = lines[0].replace("region_median", "median")

    bad = _malformed(root, "header.csv", renamed_column)
    message = _fails_writing_nothing(root, "out-header", regional_file=str(bad))
    assert f"{bad}: row 1, column 14: header 'median'; expected 'region_median'" in message

    missing = root / "bad" / "nowhere.csv"
    message = _fails_writing_nothing(root, "out-missing", regional_file=str(missing))
    assert f"{missing}: no such file; expected a regional CSV" in message


def test_a_regional_file_without_this_authority_is_one_line(root):
    region = root / "region" / "region.csv"
    message = _fails_writing_nothing(root, "out-other", regional_file=str(region),
                                     la_code="E08000025")  # fmt: skip
    assert message == (
        f"regional file (BOARDPACK_REGIONAL_FILE): {region}: no rows for authority E08000025 "
        "(BOARDPACK_LA_CODE); it holds E06000001, E06000002, E09000027; expected a regional "
        "file combined with this authority's published aggregates"
    )


def test_the_pack_fingerprint_follows_the_regional_file(root, tmp_path):
    con = duckdb.connect(":memory:")
    records = StageRecords(con)
    records.record(MODELS_STAGE, "models", "run-1")
    records.record(VIEWS_STAGE, "views", "run-1")
    region = tmp_path / "region.csv"
    region.write_bytes((root / "region" / "region.csv").read_bytes())

    def print_(**extra) -> str:
        return fingerprint(pack_inputs(con, MONTH, fixture_settings(root, **extra)))

    without = print_()
    assert "regional_file" not in pack_inputs(con, MONTH, fixture_settings(root))
    supplied = print_(regional_file=str(region))
    assert supplied != without
    region.write_text(region.read_text(encoding="utf-8").replace("82.86", "82.87"), "utf-8")
    changed = print_(regional_file=str(region))
    assert changed not in (supplied, without)
    assert print_(regional_file=str(region), la_code="E06000001") != changed


def test_a_blank_la_code_is_the_demo_authoritys():
    from pipelines.synthetic.returns_data import LA_CODE

    assert Settings().authority_code == LA_CODE == OURS
    assert Settings(la_code=" E06000001 ").authority_code == "E06000001"
    assert Settings().regional_file_path is None
    assert Settings(regional_file="region.csv").regional_file_path.is_absolute()


@pytest.mark.ui
def test_the_regional_page_passes_axe_core(pack):
    from axe import chromium, offline_page

    with chromium() as browser, offline_page(browser, pack["board_pack_html"]) as page:
        assert page.blocked == []
        assert "Regional comparison" in page.text()
        violations = page.axe()
    assert violations == [], "\n".join(map(str, violations))
