"""The PDF as Debian's Chromium prints it (pipelines/pack/pdf.py), read back with poppler
(pdftotext, pdfinfo) and pypdf: page numbers in the contents and the scorecard that match where
the sections are, "Page N of M", A4 pages, tags with the document's language, every chart's
alternative text, bookmarks, and nothing fetched from outside the document.

The pack is built once from the small hand-made warehouse (tests/pack_fixture.py)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from pack_fixture import (
    MONTH,
    build_fixture_db,
    build_fixture_pack,
    fixture_settings,
    write_commentary,
)
from pypdf import PdfReader

from pipelines.pack import build, build_pack
from pipelines.pack.pdf import ExternalResourceError, PdfError, write_pdf

MONTH_LABEL = "August 2014"
HEADER = f"Improvement Board Performance Report - {MONTH_LABEL}"
CREATED = dt.datetime(2014, 8, 31, 23, 59, 59)
# the fixture's indicators, in the pack's order (name, code)
INDICATORS = [
    ("Contacts Received Per Month", "contacts"),
    ("Referrals Received Per Month", "referrals"),
    ("Children Subject to a Child Protection Plan", "cp_children"),
    ("Review Child Protection Conferences in Timescale", "rcpc_timely"),
    ("Looked After Children Reviews in Timescale", "cla_reviews_timely"),
]


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install -y poppler-utils")
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


_settings = fixture_settings


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pack-pdf")
    build_fixture_db(root / "warehouse.duckdb")
    write_commentary(root / "commentary")
    return root


@pytest.fixture(scope="module")
def pack(root) -> dict[str, Path]:
    return build_fixture_pack(root).files


@pytest.fixture(scope="module")
def pdf(pack) -> Path:
    return pack["board_pack_pdf"]


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """Each page's text, whitespace collapsed."""
    text = _run(_poppler("pdftotext"), str(pdf), "-")
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


@pytest.fixture(scope="module")
def layout_pages(pdf) -> list[str]:
    """Each page's text with its layout kept (a table row or a contents entry on one line)."""
    text = _run(_poppler("pdftotext"), "-layout", str(pdf), "-")
    return [page for page in text.split("\f") if page.strip()]


def _page_headed(pages: list[str], heading: str) -> int:
    """The number (from 1) of the one page that starts with the running header and heading."""
    found = [n for n, text in enumerate(pages, 1) if text.startswith(f"{HEADER} {heading}")]
    assert len(found) == 1, f"expected one page headed {heading!r}, found pages {found}"
    return found[0]


def _number_after(text: str, entry: str) -> int:
    """The page number at the end of the line that starts with `entry`."""
    match = re.search(rf"^\s*{re.escape(entry)}\s+(\d+)\s*$", text, re.M)
    assert match, f"no page number after {entry!r}"
    return int(match.group(1))


def test_contents_page_numbers_are_the_pages_the_sections_are_on(pages, layout_pages):
    contents = layout_pages[_page_headed(pages, "Contents") - 1]
    entries = [
        ("Scorecard: all indicators at a glance", f"Scorecard - {MONTH_LABEL}"),
        ("Data quality and cleansing", "Data quality and cleansing"),
        *[(name, name) for name, _code in INDICATORS],  # board pages name no codes
    ]
    numbers = []
    for entry, heading in entries:
        number = _number_after(contents, entry)
        assert number == _page_headed(pages, heading), entry
        numbers.append(number)
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    # the data-quality section runs over more than one page: the numbers come from the layout
    assert numbers[2] - numbers[1] > 1


def test_scorecard_gives_each_indicators_page(pages, layout_pages):
    scorecard = layout_pages[_page_headed(pages, f"Scorecard - {MONTH_LABEL}") - 1]
    for name, _code in INDICATORS:
        assert _number_after_row(scorecard, name) == _page_headed(pages, name), name


def _number_after_row(text: str, name: str) -> int:
    """The page number ending the scorecard row of `name`; a long name wraps, so the row's
    first line holds the longest part of the name that fits."""
    words = name.split()
    for length in range(len(words), 1, -1):
        first_line = re.escape(" ".join(words[:length]))
        match = re.search(rf"^\s*{first_line}\s{{2}}.*?\s(\d+)\s*$", text, re.M)
        if match:
            return int(match.group(1))
    raise AssertionError(f"no scorecard row for {name!r}")


def test_every_page_has_page_n_of_m_and_is_a4(pdf, pages):
    info = _run(_poppler("pdfinfo"), "-f", "1", "-l", "999", str(pdf))
    total = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert total == len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
    sizes = re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info, re.M)
    assert len(sizes) == total, "every page is A4"
    landscape = [int(n) for n, width, height in sizes if float(width) > float(height)]
    assert landscape == [_page_headed(pages, f"Scorecard - {MONTH_LABEL}")]


def test_tagged_with_language_dates_and_bookmarks(pdf, pages):
    info = _run(_poppler("pdfinfo"), str(pdf))
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(r"^Title:\s+Improvement Board Performance Report - August 2014$", info, re.M)
    # the month end, not the time of printing
    assert re.search(r"^CreationDate:\s+Sun Aug 31 23:59:59 2014 UTC$", info, re.M)
    assert re.search(r"^ModDate:\s+Sun Aug 31 23:59:59 2014 UTC$", info, re.M)
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    bookmarks = {title: page for title, page in _outline(reader, reader.outline)}
    for heading in ("Contents", f"Scorecard - {MONTH_LABEL}", "Data quality and cleansing"):
        assert bookmarks[heading] == _page_headed(pages, heading)
    for name, _code in INDICATORS:
        assert bookmarks[name] == _page_headed(pages, name)


def _outline(reader: PdfReader, items) -> list[tuple[str, int]]:
    found = []
    for item in items:
        if isinstance(item, list):
            found += _outline(reader, item)
        else:
            found.append((item.title, reader.get_destination_page_number(item) + 1))
    return found


def _structure(node, found: list) -> list:
    """The structure tree's elements in document order, as (type, alt text)."""
    node = node.get_object()
    if "/S" in node:
        found.append((str(node["/S"]), node.get("/Alt")))
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and kid.get("/Type", "/StructElem") == "/StructElem":
            _structure(kid, found)
    return found


def test_every_chart_has_its_alternative_text_in_reading_order(pdf, pack):
    html = pack["board_pack_html"].read_text(encoding="utf-8")
    alts = [
        alt.replace("&#39;", "'").replace("&amp;", "&")
        for alt in re.findall(r'<img\b[^>]*\balt="([^"]*)"', html)
    ]
    assert len(alts) == len(re.findall(r"<img\b", html)) >= 6
    elements = _structure(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"], [])
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    # one Figure per chart, in the document's order, each with the chart's text alternative
    assert figures == alts
    kinds = [kind for kind, _ in elements]
    assert kinds.count("/H2") == html.count("<h2")
    assert "/Table" in kinds and "/L" in kinds  # tables and the contents list are tagged


def _serve_counting() -> tuple[ThreadingHTTPServer, list[str]]:
    """A local web server that records every request it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, requests


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="{url}/logo.png" alt="Council logo">',
        '<img src="chart.svg" alt="A chart from a file beside the pack">',
        '<style>@font-face {{ font-family: X; src: url("{url}/x.woff2"); }} '
        "p {{ font-family: X; }}</style>",
        '<link rel="stylesheet" href="{url}/pack.css">',
        '<style>@media print {{ h1 {{ background: url("{url}/band.png"); }} }}</style>',
    ],
    ids=["image", "relative image", "web font", "stylesheet", "print-only background"],
)
def test_an_external_reference_fails_with_one_line_and_fetches_nothing(tmp_path, reference):
    server, requests = _serve_counting()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>T</title>'
        f"</head><body><h1>Pack</h1><p>Text</p>{reference.format(url=url)}</body></html>"
    )
    path = tmp_path / "board_pack.pdf"
    try:
        with pytest.raises(ExternalResourceError) as raised:
            write_pdf(html, path, CREATED)
    finally:
        server.shutdown()
        server.server_close()
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("PDF not printed: the pack refers to ")
    named = r"/(logo|chart|x|pack|band)\.(png|svg|woff2|css), outside the document"
    assert re.search(named, message), message
    assert requests == [], "the browser reached the network"
    assert not path.exists()


def test_an_external_reference_stops_the_build_and_publishes_nothing(root, monkeypatch):
    render_html = build.render_html

    def with_a_remote_logo(ctx):
        return render_html(ctx).replace(
            "<body>", '<body><img src="https://www.example.org/logo.png" alt="Council logo">', 1
        )

    monkeypatch.setattr(build, "render_html", with_a_remote_logo)
    settings = _settings(root, output="out-external")
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        with pytest.raises(PdfError, match=r"https://www\.example\.org/logo\.png"):
            build_pack(con, MONTH, settings)
    finally:
        con.close()
    output = root / "out-external"
    assert not (output / MONTH).exists(), "a pack was published without its PDF"
    assert not list(output.glob(".tmp-*")), "staging folder left behind"


def test_no_browser_is_one_line_naming_the_package(tmp_path):
    from pipelines.pack.pdf import ChromiumPrinter

    with ChromiumPrinter(executable=tmp_path / "no-chromium") as printer:
        job = printer.print_pdf("<html lang='en'><p>x</p></html>", tmp_path / "x.pdf", CREATED)
        with pytest.raises(PdfError, match=r"^Chromium not found at .*no-chromium: .*chromium"):
            job.result()
    assert not (tmp_path / "x.pdf").exists()


def test_a_browser_started_early_prints_the_next_pack_and_only_that(root, monkeypatch):
    from pipelines.pack import pdf

    started: list[pdf.ChromiumPrinter] = []
    enter = pdf.ChromiumPrinter.__enter__

    def recorded(self):
        started.append(self)
        return enter(self)

    monkeypatch.setattr(pdf.ChromiumPrinter, "__enter__", recorded)
    pdf.start_browser_early()
    pdf.start_browser_early()  # one early browser at a time
    assert len(started) == 1
    early = started[0]

    built = build_fixture_pack(root, output="out-early")

    assert len(started) == 1  # the pack printed with the browser started early
    assert built.pdf.pages > 0 and built.files["board_pack_pdf"].stat().st_size > 0
    assert not early._thread.is_alive()  # closed with the pack
    assert pdf._early is None
    build_fixture_pack(root, output="out-after-early")
    assert len(started) == 2  # the next pack starts its own


def test_a_browser_started_early_that_no_pack_takes_is_closed(monkeypatch):
    from pipelines.pack import pdf

    pdf.start_browser_early()
    early = pdf._early
    assert early is not None and early._thread.is_alive()

    pdf.close_early_browser()

    assert pdf._early is None
    assert not early._thread.is_alive()
