"""The month's trend charts drawn ahead of the pack, in a process of their own, while the
run's checks run.

Drawing the 23 trend charts is most of a render's Python work (matplotlib: about 3 CPU seconds
a month, docs/render-time.md), and it needs only the marts the models' dbt step builds: not
the checks, which take 10-20 s after it and leave the second core mostly idle. So once the
models are built, `boardpack run` (pipelines/runner.py) calls `begin`: the month's chart inputs
are read here, in this process (the same function the pack's pages use,
context.month_trend_series, so the inputs are the pack's own), and a child process
(`python -m pipelines.pack.predraw`, at a lower priority than the checks) draws the charts
not in the chart cache yet into it. The pack step calls `wait` before it draws anything, and
then takes them from the cache.

Nothing here decides what the pack shows. A chart is found in the cache only under the key of
everything it is drawn from (chart_cache.py), so a chart drawn ahead for inputs that changed
since is simply not found, and the pack draws it itself; a child that fails, or is slow, costs
only the time it would have saved (the pack waits at most WAIT_SECONDS, then draws what is
missing).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO

import duckdb

from pipelines.plain_settings import child_environment

log = logging.getLogger(__name__)

WAIT_SECONDS = 60.0
CHILD = [sys.executable, "-m", __name__]  # the drawing process: main() below
NICENESS = 5  # below the checks, which run meanwhile: they are on the run's critical path
_drawing: dict[Path, _Drawing] = {}
_lock = threading.Lock()


def begin(month: str, settings, connect: Callable[[], AbstractContextManager]) -> None:
    """Start drawing the month's trend charts that are not in the chart cache yet, in the
    background: a thread reads their inputs (`connect()` gives a connection to the warehouse)
    and hands them to a child process. Returns at once; `wait` waits for both."""
    folder = settings.chart_cache_dir
    if folder is None:
        return
    drawing = _Drawing(month, settings, connect)
    with _lock:
        _drawing[Path(folder)] = drawing
    drawing.thread.start()


def wait(folder: Path | None, timeout: float = WAIT_SECONDS) -> None:
    """Wait for the charts being drawn into `folder` ahead of the pack, if any are. A child
    that failed or ran past `timeout` is logged (and stopped): the pack draws its charts."""
    if folder is None:
        return
    with _lock:
        drawing = _drawing.pop(Path(folder), None)
    if drawing is not None:
        drawing.finish(timeout)


class _Drawing:
    def __init__(self, month: str, settings, connect) -> None:
        self.month, self.settings, self.connect = month, settings, connect
        self.child: tuple[subprocess.Popen, IO[bytes]] | None = None
        self.thread = threading.Thread(target=self._start, name="predraw-charts", daemon=True)

    def _start(self) -> None:
        try:
            with self.connect() as con:
                missing = _missing_charts(con, self.month, self.settings)
            if missing:
                self.child = _draw_in_child(missing, self.settings)
            log.debug("drawing %d charts for %s ahead of the pack", len(missing), self.month)
        except Exception as error:  # noqa: BLE001 - the pack draws them, and reports real errors
            log.info("charts not drawn ahead of the pack (it draws them): %s", error)

    def finish(self, timeout: float) -> None:
        try:
            self._finish(timeout)
        except Exception as error:  # noqa: BLE001 - never the pack's failure: it draws them
            log.warning("charts drawn ahead not waited for (the pack draws them): %s", error)

    def _finish(self, timeout: float) -> None:
        started = time.monotonic()
        self.thread.join(timeout)
        if self.child is None:
            return
        child, errors = self.child
        try:
            child.wait(timeout=max(timeout - (time.monotonic() - started), 0))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            log.warning("charts drawn ahead took over %.0f s: the pack draws the rest", timeout)
            return
        finally:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            errors.close()
        if child.returncode != 0:
            log.warning(
                "charts drawn ahead failed (exit %s): the pack draws them; %s",
                child.returncode,
                lines[-1] if lines else "",
            )


def _missing_charts(con: duckdb.DuckDBPyConnection, month: str, settings) -> list:
    """The month's trend charts (their inputs) that are not in the chart cache. Raises what
    reading them raises (a month with no indicators, a bad regional file)."""
    from pipelines.pack import chart_cache, charts
    from pipelines.pack.context import month_trend_series
    from pipelines.pack.formatting import number_convention

    with (
        number_convention(settings.decimal_places),
        chart_cache.cached_in(settings.chart_cache_dir),
    ):
        return [s for s in month_trend_series(con, month, settings) if not charts.is_cached(s)]


def _draw_in_child(series: list, settings) -> tuple[subprocess.Popen, IO[bytes]]:
    """The child drawing `series`, and the file its stderr goes to (a pipe nobody reads
    meanwhile could fill and stop it)."""
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _Drawing._finish
    places = settings.decimal_places
    child = subprocess.Popen(
        [*CHILD, "--cache", str(settings.chart_cache_dir), "--decimal-places", str(places)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        env=child_environment(),
    )
    try:
        child.stdin.write(pickle.dumps(series))
        child.stdin.close()
    except OSError as error:  # the child died at once: finish() reports its exit
        log.debug("chart predraw child not given its charts: %s", error)
    return child, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw trend charts into the chart cache.")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--decimal-places", type=int, required=True)
    args = parser.parse_args(argv)
    os.nice(NICENESS)
    series = pickle.loads(sys.stdin.buffer.read())  # from start(), in the parent process

    from pipelines.pack import chart_cache, charts
    from pipelines.pack.formatting import number_convention

    with number_convention(args.decimal_places), chart_cache.cached_in(args.cache):
        for trend in series:
            charts.trend_chart(trend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
