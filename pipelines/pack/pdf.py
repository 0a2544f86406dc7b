"""The PDF: Debian's Chromium prints the same HTML as the HTML file, so the two cannot drift apart.

Playwright drives the system's browser (/usr/bin/chromium, `executable_path`: never a downloaded
one). The print CSS gives A4 pages (the scorecard's landscape), the running header and the
"Page N of M" footer in the page margins (@page margin boxes, counter(page) and counter(pages));
Chromium writes a tagged PDF (structure and reading order from the document, its language from
<html lang>, each chart's alternative text from its alt) with bookmarks from the headings.

Page numbers in the contents and the scorecard: Chromium has no target-counter(), so the
document is printed more than once. Chromium writes a named destination for every element an
internal link points at. The first print (untagged and with nothing painted, which is quicker:
the layout is the same) gives each one's page, read with pypdf; the numbers go into the links'
data-page attributes, which the print CSS shows (`content: attr(data-page)`); the document is
printed again, tagged, and checked: its destinations must be the pages it shows, or it is
printed again (at most MAX_PRINTS times). So the numbers always come from the PDF itself.

Nothing is fetched. The document is served from memory at an address that cannot resolve
(.invalid); every other request is refused, JavaScript is off, and a refused request or an image
that did not load fails the build with one line naming it (every chart is an inline data: URI,
which involves no request).

Reruns: Chromium stamps the PDF with the time of printing, and numbers its structure elements
from a counter that varies from run to run; both are rewritten (the pack's fixed date, the
month end, and ids in order), so a rerun on the same data gives a byte-identical PDF.

Speed (docs/render-time.md): starting Playwright and the browser takes a second or two, so
ChromiumPrinter starts them in a thread of their own while the pack's figures and charts are
computed (build.py), or, in `boardpack run`, while the step before the pack runs
(start_browser_early); the spreadsheet is written while the browser prints.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import queue
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest keep it from reaching out on its own, and no
# name resolves, should anything get past the route below.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
DOCUMENT_URL = "https://board-pack.invalid/"  # RFC 2606: .invalid never resolves
# The links whose target's page number the print shows (board_pack.css: `content: attr(...)`).
PAGE_NUMBER_LINKS = ".toc a[href^='#'], a.page-ref[href^='#']"
PLACEHOLDER = "00"  # the width of a page number, for the first print's layout
MAX_PRINTS = 3
LAUNCH_TIMEOUT_MS = 60_000
PRINT_TIMEOUT_MS = 120_000


class PdfError(RuntimeError):
    """The PDF could not be printed; the message is one line saying why."""


class ExternalResourceError(PdfError):
    pass


@dataclass
class PrintedPdf:
    pages: int
    prints: int  # how many times the document was printed to settle its page numbers
    seconds: dict[str, float] = field(default_factory=dict)  # each phase's wall time
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # the browser's, each phase


def write_pdf(html: str, path: Path, created: dt.datetime) -> PrintedPdf:
    """Print the pack's HTML to `path`, starting and stopping a browser for it (build.py starts
    the browser earlier, with ChromiumPrinter, to overlap its start with other work)."""
    with ChromiumPrinter() as printer:
        return printer.print_pdf(html, path, created).result()


_early: ChromiumPrinter | None = None  # started by start_browser_early, taken by pack_printer
_early_lock = threading.Lock()


def start_browser_early() -> None:
    """Start the browser for the next pack's print now, in its thread: `boardpack run` calls it
    when the step before the pack starts (pipelines/runner.py), so the pack step does not wait
    the second or two a browser takes to start. pack_printer() takes it; close_early_browser()
    closes one that no pack took (a run that stopped before its pack)."""
    global _early
    with _early_lock:
        if _early is None:
            _early = ChromiumPrinter().__enter__()


@contextmanager
def pack_printer() -> Iterator[ChromiumPrinter]:
    """The browser started early, if one was; otherwise one started now."""
    global _early
    with _early_lock:
        printer, _early = _early, None
    if printer is None:
        printer = ChromiumPrinter().__enter__()
    try:
        yield printer
    finally:
        printer.__exit__(None, None, None)


def close_early_browser() -> None:
    global _early
    with _early_lock:
        printer, _early = _early, None
    if printer is not None:
        printer.__exit__(None, None, None)


class ChromiumPrinter:
    """A browser started in the background on entering, for one print.

    Playwright's sync API belongs to the thread that started it, so the whole browser's life is
    in one thread: it starts the browser at once, waits for the one document to print (or for
    the `with` block to end), prints it, and closes the browser. An error starting the browser
    is raised by the print's result."""

    def __init__(self, executable: Path = CHROMIUM) -> None:
        self.executable = Path(executable)
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="pdf-printer", daemon=True)
        self._clock: _Clock | None = None

    def __enter__(self) -> ChromiumPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._jobs.put(None)
        self._thread.join()

    def print_pdf(self, html: str, path: Path, created: dt.datetime) -> Future[PrintedPdf]:
        job: Future[PrintedPdf] = Future()
        self._jobs.put((html, Path(path), created, job))
        return job

    # ---- in the printer's thread ------------------------------------------------------------

    def _run(self) -> None:
        self._clock = _Clock()
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import sync_playwright

            if not self.executable.exists():
                raise PdfError(
                    f"Chromium not found at {self.executable}: the PDF pack needs Debian's "
                    "chromium package (make system-deps-run, as root)"
                )
            with sync_playwright() as playwright:
                try:
                    browser = playwright.chromium.launch(
                        executable_path=str(self.executable),
                        args=list(LAUNCH_ARGS),
                        headless=True,
                        timeout=LAUNCH_TIMEOUT_MS,
                    )
                except PlaywrightError as error:
                    raise PdfError(
                        f"Chromium ({self.executable}) did not start: {_first_line(error)}"
                    ) from error
                try:
                    session = _Session(browser)
                    self._clock.lap("browser start (overlapped)")
                    self._serve(session.print_pdf)
                finally:
                    browser.close()
        except BaseException as error:  # noqa: BLE001 - handed to whoever waits for the print
            self._serve(None, error)

    def _serve(self, print_pdf, error: BaseException | None = None) -> None:
        job = self._jobs.get()
        if job is None:
            return
        html, path, created, future = job
        if not future.set_running_or_notify_cancel():
            return
        if error is not None:
            future.set_exception(error)
            return
        try:
            self._clock.lap("waiting for the HTML")
            future.set_result(print_pdf(html, path, created, self._clock))
        except BaseException as failure:  # noqa: BLE001 - raised by future.result()
            future.set_exception(failure)


class _Session:
    """One page in a fresh browser context: the document served from memory, nothing else."""

    def __init__(self, browser) -> None:
        self._document = b""
        self.refused: list[str] = []
        context = browser.new_context(java_script_enabled=False)
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.set_default_timeout(PRINT_TIMEOUT_MS)

    def _route(self, route) -> None:
        url = route.request.url
        if url == DOCUMENT_URL:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._document)
        else:
            self.refused.append(url)
            route.abort("blockedbyclient")

    def print_pdf(self, html: str, path: Path, created: dt.datetime, clock: _Clock) -> PrintedPdf:
        self._document = html.encode("utf-8")
        self.refused.clear()
        self.page.goto(DOCUMENT_URL, wait_until="load")
        self._check_self_contained()
        clock.lap("load")

        links = self.page.evaluate(
            "(selector) => document.querySelectorAll(selector).length", PAGE_NUMBER_LINKS
        )
        # None: page numbers not known yet (a quicker, untagged print to find them)
        numbers: dict[str, int] | None = None if links else {}
        for attempt in range(1, MAX_PRINTS + 1):
            self._show_page_numbers(numbers)
            final = numbers is not None
            # While the numbers are unknown nothing is painted (visibility: hidden lays out
            # exactly as visible does, and the destinations are the same): half the time.
            self._hide(not final)
            data = self.page.pdf(
                tagged=final,
                outline=final,
                prefer_css_page_size=True,
                print_background=True,
            )
            pages, found = _destination_pages(data)
            clock.lap(f"print {attempt}" + (" (tagged)" if final else " (page numbers)"))
            if final and found == numbers:
                break
            numbers = found
        else:
            raise PdfError(
                f"PDF not printed: the contents' page numbers did not settle after {MAX_PRINTS} "
                "prints (the layout changes with the numbers it shows)"
            )
        self._check_self_contained()  # print styles may ask for more (refused all the same)
        path.write_bytes(_reproducible(data, created))
        return PrintedPdf(
            pages=pages,
            prints=attempt,
            seconds=clock.seconds,
            cpu_seconds=clock.cpu_seconds,
        )

    def _hide(self, hidden: bool) -> None:
        self.page.evaluate(
            "(hidden) => { document.documentElement.style.visibility = hidden ? 'hidden' : ''; }",
            hidden,
        )

    def _check_self_contained(self) -> None:
        if self.refused:
            others = f" (and {len(self.refused) - 1} more)" if len(self.refused) > 1 else ""
            raise ExternalResourceError(
                f"PDF not printed: the pack refers to {_short(self.refused[0])}{others}, "
                "outside the document; it is printed with the network shut off, so every "
                "image, font and style must be inline (a data: URI)"
            )
        broken = self.page.evaluate(
            """() => Array.from(document.images)
                .filter((img) => !(img.complete && img.naturalWidth > 0))
                .map((img) => img.getAttribute('alt') || img.getAttribute('src') || '')"""
        )
        if broken:
            raise PdfError(
                f"PDF not printed: an image in the pack did not load: {_short(broken[0])}"
            )

    def _show_page_numbers(self, numbers: dict[str, int] | None) -> None:
        """Write each link's target page into its data-page attribute (a placeholder of the
        same width while the pages are not known)."""
        missing = self.page.evaluate(
            """([selector, numbers, placeholder]) => {
                const missing = [];
                for (const link of document.querySelectorAll(selector)) {
                    const target = decodeURIComponent(link.getAttribute('href').slice(1));
                    if (numbers === null) link.dataset.page = placeholder;
                    else if (target in numbers) link.dataset.page = String(numbers[target]);
                    else missing.push(target);
                }
                return missing;
            }""",
            [PAGE_NUMBER_LINKS, numbers, PLACEHOLDER],
        )
        if missing:
            raise PdfError(
                f"PDF not printed: the contents link to '#{missing[0]}', which is not in the "
                "printed document"
            )


class _Clock:
    """Wall seconds of each phase of a print, and the CPU seconds of the browser's processes
    (this process's descendants: Playwright's driver and Chromium's processes), for the log and
    `python -m pipelines.pack.render_time`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), self._browser_cpu()

    @staticmethod
    def _browser_cpu() -> float:
        import psutil

        total = 0.0
        for process in psutil.Process().children(recursive=True):
            try:
                times = process.cpu_times()
            except psutil.Error:  # ended meanwhile
                continue
            total += times.user + times.system
        return total

    def lap(self, phase: str) -> None:
        wall, cpu = time.perf_counter(), self._browser_cpu()
        self.seconds[phase] = wall - self._wall
        self.cpu_seconds[phase] = cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def _destination_pages(data: bytes) -> tuple[int, dict[str, int]]:
    """The PDF's page count, and the page (from 1) of each named destination, by element id."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found = {}
    for name, destination in reader.named_destinations.items():
        page = reader.get_destination_page_number(destination)
        if page is not None and page >= 0:
            found[name.removeprefix("/")] = page + 1
    return len(reader.pages), found


# Chromium's (Skia's) document information dates, always this form and length.
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+-]\d\d'\d\d'\)")
# The ids of structure elements (table headers, for the cells' /Headers): Chromium numbers them
# from a counter of DOM nodes that other work in the browser also draws on.
_STRUCTURE_ID = re.compile(rb"\(node(\d{8})\)")


def _reproducible(data: bytes, created: dt.datetime) -> bytes:
    """The PDF as it prints every time from the same HTML: its creation and modification dates
    set to `created` (UTC), and the structure elements' ids renumbered 1, 2, 3... in their
    order (so the sorted tree of ids stays sorted). Both are replaced in place by text of the
    same length, so every offset in the file stays right. Should a future Chromium write its
    dates differently, the PDF is kept as printed and a warning says so."""
    stamp = created.strftime("D:%Y%m%d%H%M%S+00'00'").encode("ascii")
    fixed, count = _PDF_DATE.subn(lambda m: b"/" + m.group(1) + b" (" + stamp + b")", data)
    if count != 2:
        log.warning(
            "the PDF's dates were not in the expected form (%d found): left as printed, so a "
            "rerun will not give an identical file",
            count,
        )
        return data
    rank = {n: i for i, n in enumerate(sorted(set(_STRUCTURE_ID.findall(fixed))), start=1)}
    return _STRUCTURE_ID.sub(lambda m: b"(node%08d)" % rank[m.group(1)], fixed)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
