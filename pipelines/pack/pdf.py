"""The PDF: WeasyPrint lays out the same HTML as the HTML file, with the print CSS
(@page A4, running header, page numbers, contents page numbers via target-counter).

WeasyPrint needs no browser and fetches nothing here: every resource is inline, and the URL
fetcher allows data: URIs only and stops on any failure, so a stray external reference fails
the build instead of reaching the network at run time (or silently dropping a chart).
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def write_pdf(html: str, path: Path) -> Path:
    # The document's dcterms.created/modified meta tags fix the PDF dates (no "now"), so a
    # rerun on the same data gives the same PDF.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(path.parent))
    document.write_pdf(path, pdf_identifier=b"boardpack", pdf_tags=True)
    return path
