"""The HTML pack and the Data Docs, opened as a reader would: in Chromium with the network
refused, checked with axe-core against WCAG 2.2 A and AA (tests/axe.py).

Uses the session's demo run (tests/conftest.py), so no pipeline runs here.
"""

from __future__ import annotations

import re

import pytest
from axe import chromium, offline_page

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def data_docs(demo_run):
    return demo_run.settings.output_dir / "data_docs"


def test_the_html_pack_shows_its_content_offline_with_no_wcag_violation(demo_run, browser):
    with offline_page(browser, demo_run.month_dir / "board_pack.html") as page:
        assert page.blocked == []
        text = page.text()
        assert "Improvement Board Performance Report" in text
        assert "Children Subject to a Child Protection Plan" in text
        charts = page.page.locator("img[src^='data:image/']")
        assert charts.count() >= 23  # one trend chart per indicator, embedded
        alts = charts.evaluate_all("images => images.map(i => i.alt)")
        assert all(alt.strip() for alt in alts)
        violations = page.axe()
    assert violations == [], "\n".join(map(str, violations))


def test_the_data_docs_index_lists_every_suite_offline(data_docs, browser):
    suites = sorted(p.stem for p in (data_docs / "suites").glob("*.html"))
    assert len(suites) >= 20
    with offline_page(browser, data_docs / "index.html") as page:
        assert page.blocked == []
        rows = page.page.locator("tbody tr")
        assert rows.count() == len(suites)
        names = rows.locator("th").all_inner_texts()
        assert sorted(names) == suites
        summary = page.page.locator(".summary").inner_text()
        assert re.search(r"\d+ checks", summary) and "passed" in summary


@pytest.mark.parametrize("which", ["index", "a suite with failures", "a suite that passed"])
def test_data_docs_pages_have_no_wcag_violation(data_docs, browser, which):
    pages = sorted((data_docs / "suites").glob("*.html"))
    failed = [p for p in pages if "\u2717 Failed" in p.read_text(encoding="utf-8")]
    passed = [p for p in pages if p not in failed]
    path = {
        "index": data_docs / "index.html",
        "a suite with failures": failed[0] if failed else None,
        "a suite that passed": passed[0] if passed else None,
    }[which]
    assert path is not None, f"the demo run has no {which}"
    with offline_page(browser, path) as page:
        assert page.blocked == []
        if path.name != "index.html":
            # the page links back to the index, and shows its checks
            href = page.page.locator("nav a").get_attribute("href")
            assert (path.parent / href).resolve() == (data_docs / "index.html").resolve()
            assert page.page.locator("tbody tr").count() >= 1
        violations = page.axe()
    assert violations == [], "\n".join(map(str, violations))


def test_no_data_docs_page_refers_to_the_internet(data_docs):
    for path in data_docs.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert "<script" not in text, path
    assert not (data_docs / "static").exists()  # no leftover of GX's site


def test_the_commentary_review_page_shows_offline_with_no_wcag_violation(demo_run, browser):
    with offline_page(browser, demo_run.month_dir / "review.html") as page:
        assert page.blocked == []
        assert "Commentary review: August 2014" in page.text()
        violations = page.axe()
    assert violations == [], "\n".join(map(str, violations))
