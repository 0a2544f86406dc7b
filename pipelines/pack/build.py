"""Rendering the board pack for one month: indicators.csv, HTML, PDF and xlsx.

One Jinja template gives the HTML file; Chromium prints that same HTML as the A4 PDF (pdf.py), so
the two cannot drift apart. The browser starts in the background while the figures and charts
are computed, and prints while the spreadsheet is written. All files are written into a staging
folder and published together (publish.staged_month_folder), so nobody ever opens half a pack.

The commentary is checked against the same figures first (review.py): the internal review page,
review.html, is written beside the pack in the same staging folder, so it always describes the
pack it sits beside; it is not one of the published files. With BOARDPACK_COMMENTARY_BLOCKS on,
a contradiction stops the build before anything is written.
"""

from __future__ import annotations

import logging
import time
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.pack import chart_cache, predraw
from pipelines.pack.commentary import DATA_QUALITY_SECTION, load_commentary
from pipelines.pack.context import build_context
from pipelines.pack.formatting import number_convention, parse_month
from pipelines.pack.html import render_html
from pipelines.pack.indicators_csv import write_indicators_csv
from pipelines.pack.pdf import ChromiumPrinter, PrintedPdf, pack_printer
from pipelines.pack.publish import staged_month_folder
from pipelines.pack.review import (
    REVIEW_FILE,
    CommentaryContradictsFiguresError,
    CommentaryReview,
    render_review,
    review_commentary,
)
from pipelines.pack.xlsx import write_xlsx
from pipelines.settings import Settings

log = logging.getLogger(__name__)

OUTPUT_FILES = {
    "indicators_csv": "indicators.csv",
    "board_pack_html": "board_pack.html",
    "board_pack_pdf": "board_pack.pdf",
    "board_pack_xlsx": "board_pack.xlsx",
}


@dataclass(frozen=True)
class BuiltPack:
    files: dict[str, Path]  # the published pack files, by name (OUTPUT_FILES)
    review_page: Path  # the internal commentary review, beside them, not published
    review: CommentaryReview
    pdf: PrintedPdf  # pages, prints and the browser's time by phase


def build_board_pack(
    con: duckdb.DuckDBPyConnection, month: str, settings: Settings
) -> dict[str, Path]:
    """Write the month's pack files (and its review page); returns the pack's final paths by
    name."""
    return build_pack(con, month, settings).files


def build_pack(con: duckdb.DuckDBPyConnection, month: str, settings: Settings) -> BuiltPack:
    """Write the month's pack files and review page. Raises CommentaryContradictsFiguresError,
    before anything is written, when a comment contradicts its figures and
    BOARDPACK_COMMENTARY_BLOCKS is on. Every figure follows the settings' number convention."""
    # The browser starts now (unless `boardpack run` started it early), in its own thread, while
    # the figures and charts are computed.
    with (
        number_convention(settings.decimal_places),
        chart_cache.cached_in(settings.chart_cache_dir),
        pack_printer() as printer,
    ):
        return _build_pack(con, month, settings, printer)


def _build_pack(
    con: duckdb.DuckDBPyConnection, month: str, settings: Settings, printer: ChromiumPrinter
) -> BuiltPack:
    started = time.perf_counter()
    # charts being drawn ahead of the pack (predraw.py) are in the chart cache once drawn
    predraw.wait(settings.chart_cache_dir)
    commentary = load_commentary(settings.commentary_dir, month)
    # build_context raises MonthNotAvailableError (naming the months there are) before any
    # file is written when the month has no indicators.
    ctx = build_context(con, month, settings, commentary)
    known = {page.code.lower() for page in ctx.indicators} | {DATA_QUALITY_SECTION}
    unknown = commentary.codes() - known
    if unknown:
        log.warning("commentary for %s names unknown indicator codes: %s", month, sorted(unknown))
    review = review_commentary(commentary, ctx.rows, ctx.series)
    if review.contradictions and settings.commentary_blocks_publication:
        raise CommentaryContradictsFiguresError(review.contradictions)
    month_dir = settings.month_output_dir(month)
    with staged_month_folder(month_dir) as folder:
        start = parse_month(month)
        # the reporting month's SPC row of each indicator, from the rows the pages were drawn from
        spc = {code: rows[start] for code, rows in ctx.spc.items() if start in rows}
        html = render_html(ctx)
        (folder / OUTPUT_FILES["board_pack_html"]).write_text(html, encoding="utf-8")
        pdf = printer.print_pdf(html, folder / OUTPUT_FILES["board_pack_pdf"], ctx.created)
        try:  # these while the browser prints
            write_indicators_csv(ctx.rows, month, folder, spc)
            write_xlsx(ctx, folder / OUTPUT_FILES["board_pack_xlsx"], con)
            (folder / REVIEW_FILE).write_text(render_review(review, ctx), encoding="utf-8")
        finally:
            futures.wait([pdf])  # the staging folder is not removed under the browser's feet
        printed = pdf.result()  # raises PdfError (one line): then nothing is published
    log.info(
        "board pack for %s written in %.1f s (PDF: %d pages, printed %d times)",
        month,
        time.perf_counter() - started,
        printed.pages,
        printed.prints,
    )
    log.info(  # the run's log file (not its console): where a slow pack's time went
        "the browser's phases (wall s): %s",
        ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in printed.seconds.items()),
    )
    return BuiltPack(
        files={name: month_dir / file_name for name, file_name in OUTPUT_FILES.items()},
        review_page=month_dir / REVIEW_FILE,
        review=review,
        pdf=printed,
    )
