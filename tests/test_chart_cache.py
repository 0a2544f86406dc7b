"""The chart cache (pipelines/pack/chart_cache.py): a chart is drawn once for what it shows and
taken from the cache after, byte for byte; anything that changes the drawing is a new chart."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_charts import SMALL_COUNTS, series

from pipelines.pack import chart_cache, charts
from pipelines.pack.formatting import number_convention


@pytest.fixture
def drawn(monkeypatch) -> list[int]:
    """How many trend charts matplotlib actually drew."""
    calls = []
    draw = charts._svg_data_uri

    def counted(figure):
        calls.append(1)
        return draw(figure)

    monkeypatch.setattr(charts, "_svg_data_uri", counted)
    return calls


def test_the_same_figures_are_drawn_once_and_given_back_identical(tmp_path, drawn):
    trend = series(SMALL_COUNTS)
    with chart_cache.cached_in(tmp_path):
        first = charts.trend_chart(trend)
        again = charts.trend_chart(series(list(SMALL_COUNTS)))  # equal, not the same object
    assert len(drawn) == 1
    assert again == first
    assert first.startswith("data:image/svg+xml;base64,")
    # and it is the chart drawn without the cache
    assert charts.trend_chart(trend) == first
    assert len(drawn) == 2


def test_a_changed_figure_label_or_number_convention_is_drawn_again(tmp_path, drawn):
    changed = [*SMALL_COUNTS[:-1], SMALL_COUNTS[-1] + 1]
    with chart_cache.cached_in(tmp_path):
        base = charts.trend_chart(series(SMALL_COUNTS, target_value=3))
        other_value = charts.trend_chart(series(changed, target_value=3))
        label = "Target (illustrative)"
        other_label = charts.trend_chart(series(SMALL_COUNTS, target_value=3, target_label=label))
        with number_convention(2):
            two_places = charts.trend_chart(series(SMALL_COUNTS, target_value=3))
        assert len(drawn) == 4
        assert len({base, other_value, other_label}) == 3
        assert len(list(tmp_path.glob(f"*{chart_cache.SUFFIX}"))) == 4
        charts.trend_chart(series(changed, target_value=3))
    assert len(drawn) == 4  # the changed series again: from the cache
    assert two_places.startswith("data:image/svg+xml;base64,")


def test_outside_a_cache_every_chart_is_drawn(drawn):
    charts.trend_chart(series(SMALL_COUNTS))
    charts.trend_chart(series(SMALL_COUNTS))
    assert len(drawn) == 2


def test_a_damaged_cache_file_is_drawn_again_and_replaced(tmp_path, drawn):
    with chart_cache.cached_in(tmp_path):
        good = charts.trend_chart(series(SMALL_COUNTS))
    (cached,) = tmp_path.glob(f"*{chart_cache.SUFFIX}")
    cached.write_text("<html>not a chart", encoding="ascii")
    with chart_cache.cached_in(tmp_path):
        assert charts.trend_chart(series(SMALL_COUNTS)) == good
    assert len(drawn) == 2
    assert cached.read_text(encoding="ascii") == good


def test_the_folder_keeps_the_most_recently_used_charts(tmp_path, monkeypatch, drawn):
    monkeypatch.setattr(chart_cache, "MAX_FILES", 2)
    values = [[*SMALL_COUNTS[:-1], n] for n in (10, 11, 12)]
    with chart_cache.cached_in(tmp_path):
        for n, current in enumerate(values):
            charts.trend_chart(series(current))
            # each chart a distinct, increasing time of use (the file system's may tie)
            latest = max(tmp_path.glob(f"*{chart_cache.SUFFIX}"), key=os.path.getmtime)
            os.utime(latest, (1_000_000 + n, 1_000_000 + n))
    assert len(list(tmp_path.glob(f"*{chart_cache.SUFFIX}"))) == 2
    with chart_cache.cached_in(tmp_path):
        charts.trend_chart(series(values[0]))  # the oldest was pruned: drawn again
        charts.trend_chart(series(values[2]))  # kept
    assert len(drawn) == 4


def test_a_folder_that_cannot_be_written_only_costs_the_drawing(tmp_path, drawn):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="ascii")
    with chart_cache.cached_in(blocked / "charts"):
        assert charts.trend_chart(series(SMALL_COUNTS)).startswith("data:image/svg+xml")
    assert len(drawn) == 1


def test_a_pack_whose_charts_are_all_cached_does_not_import_matplotlib(tmp_path):
    """The chart cache's point in a commentary edit: matplotlib is imported where a chart is
    drawn (charts.py), so a pack that finds every chart in the cache skips it. Its own process:
    this one has matplotlib loaded by other tests."""
    script = f"""
import sys
from pathlib import Path
from pipelines.pack import build, chart_cache, charts
from test_charts import SMALL_COUNTS, series
assert "matplotlib" not in sys.modules, "imported with the pack"
with chart_cache.cached_in(Path({str(tmp_path)!r})):
    first = charts.trend_chart(series(SMALL_COUNTS))
assert "matplotlib" in sys.modules  # drawn: imported
for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
    del sys.modules[name]
with chart_cache.cached_in(Path({str(tmp_path)!r})):
    assert charts.trend_chart(series(SMALL_COUNTS)) == first
assert "matplotlib" not in sys.modules, "imported for a cached chart"
"""
    tests = os.path.dirname(__file__)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1500:]
