"""Charts drawn once for the figures they show: a month's pack rendered again with the same
figures (after a commentary edit, or a rebuild that changed nothing the charts show) takes its
charts from here instead of drawing them again (matplotlib: about 1.7 CPU seconds a month, the
largest part of a render).

A chart's key is everything its SVG is made from: what is drawn (the chart's inputs, e.g. a
TrendSeries with its values, labels, target and process limits), the number convention its
tick labels follow, the code that draws it (charts.py and formatting.py, byte for byte) and the
matplotlib version. So a cached chart is the chart that would be drawn: a changed figure,
label, setting or drawing rule is a different key. Charts are aggregates, as in the pack
itself; the folder holds nothing else.

The folder is BOARDPACK's warehouse folder's `chart_cache/` (Settings.chart_cache_dir), used
only inside `cached_in(folder)` (build.py); elsewhere (tests drawing one chart, the render-time
benchmark) charts are always drawn. Files are written whole (a temporary file, renamed), a file
that cannot be read is drawn again, and the folder keeps the most recently used MAX_FILES.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.metadata import version
from pathlib import Path

from pipelines.pack.formatting import decimal_places

log = logging.getLogger(__name__)

MAX_FILES = 2000  # about 80 months of 25 charts
SUFFIX = ".svg-uri"
_FOLDER: ContextVar[Path | None] = ContextVar("boardpack_chart_cache", default=None)
_DRAWING_CODE = ("charts.py", "formatting.py")


@contextmanager
def cached_in(folder: Path | None) -> Iterator[None]:
    """Charts drawn within the block are taken from, and kept in, `folder` (None: not cached)."""
    token = _FOLDER.set(folder)
    try:
        yield
    finally:
        _FOLDER.reset(token)
        if folder is not None:
            _prune(folder)


@cache
def _code_version() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256(version("matplotlib").encode())  # not importing it (charts.py)
    for name in _DRAWING_CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def chart(kind: str, inputs: object, draw: Callable[[], str]) -> str:
    """The chart `draw()` gives for these inputs (their repr is the key: dataclasses, lists and
    numbers, whose repr is exact), from the cache when it holds it."""
    folder = _FOLDER.get()
    if folder is None:
        return draw()
    path = _path(folder, kind, inputs)
    try:
        found = path.read_text(encoding="ascii")
        if found.startswith("data:image/svg+xml;base64,"):
            os.utime(path)  # recently used: kept by _prune
            return found
    except (OSError, ValueError):
        pass  # not there (or unreadable): drawn below
    drawn = draw()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(drawn, encoding="ascii")
        partial.replace(path)
    except OSError as error:  # a cache that cannot be written only costs time
        log.warning("chart cache %s not written: %s", folder, error)
    return drawn


def cached(kind: str, inputs: object) -> bool:
    """Whether chart(kind, inputs, ...) would take the chart from the cache (False outside
    cached_in, or where the file is not there)."""
    folder = _FOLDER.get()
    return folder is not None and _path(folder, kind, inputs).is_file()


def _path(folder: Path, kind: str, inputs: object) -> Path:
    text = repr((kind, inputs, decimal_places(), _code_version()))
    return folder / (hashlib.sha256(text.encode()).hexdigest() + SUFFIX)


def _prune(folder: Path) -> None:
    try:
        files = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for path in files[: max(len(files) - MAX_FILES, 0)]:
            path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("chart cache %s not pruned: %s", folder, error)
