"""Rendering the board pack for one month: indicators.csv, HTML, PDF and xlsx.

One Jinja template gives the HTML file; WeasyPrint lays out that same HTML as the A4 PDF, so
the two cannot drift apart. All files are written into a staging folder and published together
(publish.staged_month_folder), so nobody ever opens half a pack.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb

from pipelines.pack.commentary import DATA_QUALITY_SECTION, load_commentary
from pipelines.pack.context import build_context
from pipelines.pack.html import render_html
from pipelines.pack.indicators_csv import write_indicators_csv
from pipelines.pack.pdf import write_pdf
from pipelines.pack.publish import staged_month_folder
from pipelines.pack.xlsx import write_xlsx
from pipelines.settings import Settings

log = logging.getLogger(__name__)

OUTPUT_FILES = {
    "indicators_csv": "indicators.csv",
    "board_pack_html": "board_pack.html",
    "board_pack_pdf": "board_pack.pdf",
    "board_pack_xlsx": "board_pack.xlsx",
}


def build_board_pack(
    con: duckdb.DuckDBPyConnection, month: str, settings: Settings
) -> dict[str, Path]:
    """Write the month's pack files; returns their final paths by name."""
    started = time.perf_counter()
    commentary = load_commentary(settings.commentary_dir, month)
    # build_context raises MonthNotAvailableError (naming the months there are) before any
    # file is written when the month has no indicators.
    ctx = build_context(con, month, settings, commentary)
    known = {page.code.lower() for page in ctx.indicators} | {DATA_QUALITY_SECTION}
    unknown = commentary.codes() - known
    if unknown:
        log.warning("commentary for %s names unknown indicator codes: %s", month, sorted(unknown))
    month_dir = settings.month_output_dir(month)
    with staged_month_folder(month_dir) as folder:
        write_indicators_csv(ctx.rows, month, folder)
        html = render_html(ctx)
        (folder / OUTPUT_FILES["board_pack_html"]).write_text(html, encoding="utf-8")
        write_pdf(html, folder / OUTPUT_FILES["board_pack_pdf"])
        write_xlsx(ctx, folder / OUTPUT_FILES["board_pack_xlsx"])
    log.info("board pack for %s written in %.1f s", month, time.perf_counter() - started)
    return {name: month_dir / file_name for name, file_name in OUTPUT_FILES.items()}
