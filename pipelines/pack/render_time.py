"""How long one month's render takes, part by part: `python -m pipelines.pack.render_time`.

Renders the month's pack (indicators.csv, HTML, PDF, xlsx and the review page) from an existing
warehouse (default: the demo's, after `make run`) into a throwaway folder, `--repeat` times in
one process, and prints each part's wall and CPU seconds (the median of the repeats). The parts
are timed by wrapping the functions build.py calls, so this measures the code path a run takes:

    context   build_context without the charts (queries, facts, data quality, commentary)
    charts    matplotlib, every figure (charts._svg_data_uri)
    html      render_html (Jinja)
    xlsx      write_xlsx, indicators.csv and the review page (while the browser prints)
    pdf wait  the rest of the render: waiting for the browser to finish printing

The browser starts in its own thread at the start of the render, so its phases (start, waiting
for the HTML, load, each print: the PrintedPdf's seconds) overlap the parts above and are listed
apart, with the CPU seconds of its processes (Playwright's driver and Chromium's). CPU seconds
move less than wall seconds on a busy machine. Imports are timed once, apart. Not a test:
timings belong in a benchmark, never in an assertion.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
import types
from collections import defaultdict

IMPORT_STARTED = time.perf_counter()
PARTS = ("context", "charts", "html", "xlsx")


class Timer:
    """Cumulative wall and CPU seconds per part of one render (a part inside another is taken
    out of the outer one)."""

    def __init__(self) -> None:
        self._stack: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def wrap(self, part: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            self._stack.append(part)
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                spent_wall, spent_cpu = time.perf_counter() - wall, time.process_time() - cpu
                self.wall[part] += spent_wall
                self.cpu[part] += spent_cpu
                if self._stack:
                    self.wall[self._stack[-1]] -= spent_wall
                    self.cpu[self._stack[-1]] -= spent_cpu

        return timed


def _instrument(timer: Timer, cached: bool) -> None:
    from pipelines.pack import build, chart_cache, charts

    if not cached:  # every chart drawn, as in a run whose figures changed (chart_cache.py)
        build.chart_cache = types.SimpleNamespace(
            cached_in=lambda _folder: chart_cache.cached_in(None)
        )

    build.build_context = timer.wrap("context", build.build_context)
    charts._svg_data_uri = timer.wrap("charts", charts._svg_data_uri)
    build.render_html = timer.wrap("html", build.render_html)
    for name in ("write_xlsx", "write_indicators_csv", "render_review"):
        setattr(build, name, timer.wrap("xlsx", getattr(build, name)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the demo month)")
    parser.add_argument("--db", default=None, help="the warehouse (default: BOARDPACK_DB)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cached",
        action="store_true",
        help="take charts already drawn from the chart cache (default: draw every chart)",
    )
    args = parser.parse_args(argv)

    import duckdb

    from pipelines.defaults import DEMO_MONTH
    from pipelines.pack import build
    from pipelines.settings import Settings

    imported = time.perf_counter() - IMPORT_STARTED
    month = args.month or DEMO_MONTH
    timer = Timer()
    _instrument(timer, args.cached)
    runs = []
    with tempfile.TemporaryDirectory(prefix="render-time-") as tmp:
        overrides = {"output": tmp} | ({"db": args.db} if args.db else {})
        settings = Settings.from_environment(**overrides)
        if not settings.database.exists():
            print(f"No warehouse at {settings.database}: run `make run` first.", file=sys.stderr)
            return 2
        con = duckdb.connect(str(settings.database), read_only=True)
        try:
            for _ in range(args.repeat):
                timer.reset()
                wall, cpu = time.perf_counter(), time.process_time()
                built = build.build_pack(con, month, settings)
                runs.append(
                    {
                        "wall": dict(timer.wall),
                        "cpu": dict(timer.cpu),
                        "total": time.perf_counter() - wall,
                        "total_cpu": time.process_time() - cpu,
                        "browser": dict(built.pdf.seconds),
                        "browser_phase_cpu": dict(built.pdf.cpu_seconds),
                        "pages": built.pdf.pages,
                    }
                )
        finally:
            con.close()

    def median(values) -> float:
        return statistics.median(list(values))

    print(
        f"Render time for {month}: {runs[0]['pages']} PDF pages; median of {len(runs)} renders "
        f"(imports, once: {imported:.2f} s; charts "
        f"{'from the chart cache' if args.cached else 'all drawn'})"
    )
    print(f"{'part':<30}{'wall s':>8}{'cpu s':>8}")
    for part in PARTS:
        wall = median(r["wall"].get(part, 0.0) for r in runs)
        cpu = median(r["cpu"].get(part, 0.0) for r in runs)
        print(f"{part:<30}{wall:>8.2f}{cpu:>8.2f}")
    waits = [r["total"] - sum(r["wall"].values()) for r in runs]
    print(f"{'pdf wait':<30}{median(waits):>8.2f}")
    print(f"{'total':<30}{median(r['total'] for r in runs):>8.2f}", end="")
    print(f"{median(r['total_cpu'] for r in runs):>8.2f}  (this process)")
    print("browser (its own thread and processes, overlapping the parts above):")
    for phase in runs[0]["browser"]:
        seconds = median(r["browser"].get(phase, 0.0) for r in runs)
        cpu = median(r["browser_phase_cpu"].get(phase, 0.0) for r in runs)
        print(f"  {phase:<28}{seconds:>8.2f}{cpu:>8.2f}")
    print("each render:", ", ".join(f"{r['total']:.2f}" for r in runs), "s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
