"""Charts drawn ahead of the pack (pipelines/pack/predraw.py): a child process draws the month's
trend charts into the chart cache while the checks run; the pack then draws none of them, and
its charts are byte for byte the ones it would have drawn. A child that fails costs only time."""

from __future__ import annotations

import logging
import sys

import duckdb
import pytest
from pack_fixture import CATALOGUE, MONTH, build_fixture_db, fixture_settings, write_commentary

from pipelines.pack import chart_cache, charts, predraw
from pipelines.pack.build import build_pack
from pipelines.pack.context import month_trend_series
from pipelines.pack.formatting import number_convention


@pytest.fixture
def settings(tmp_path):
    build_fixture_db(tmp_path / "warehouse.duckdb")
    write_commentary(tmp_path / "commentary")
    return fixture_settings(tmp_path)


def _connect(settings):
    return lambda: duckdb.connect(str(settings.database), read_only=True)


def _pack(settings):
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        return build_pack(con, MONTH, settings)
    finally:
        con.close()


def _trends(settings) -> list[charts.TrendSeries]:
    with (
        duckdb.connect(str(settings.database), read_only=True) as con,
        number_convention(settings.decimal_places),
    ):
        return month_trend_series(con, MONTH, settings)


@pytest.fixture
def drawn_in_process(monkeypatch) -> list[str]:
    """The y labels of the trend charts matplotlib drew in this process."""
    calls: list[str] = []
    figure = charts.trend_figure

    def counted(series):
        calls.append(series.y_label)
        return figure(series)

    monkeypatch.setattr(charts, "trend_figure", counted)
    return calls


def test_the_charts_drawn_ahead_are_the_packs_own_and_the_pack_draws_none(
    settings, drawn_in_process
):
    trends = _trends(settings)
    assert len(trends) == len(CATALOGUE)  # the fixture's indicator pages, a trend chart each

    predraw.begin(MONTH, settings, _connect(settings))
    predraw.wait(settings.chart_cache_dir)

    cache = settings.chart_cache_dir
    files = sorted(cache.glob(f"*{chart_cache.SUFFIX}"))
    assert len(files) == len(trends)
    assert drawn_in_process == []  # drawn by the child, not here
    # each is the chart this process draws for the same figures, byte for byte
    with number_convention(settings.decimal_places), chart_cache.cached_in(cache):
        for trend in trends:
            assert charts.is_cached(trend)
    expected = {charts._svg_data_uri(charts.trend_figure(t)) for t in trends}
    assert expected == {path.read_text(encoding="ascii") for path in files}
    drawn_in_process.clear()

    built = _pack(settings)

    assert drawn_in_process == []  # every trend chart of the pack came from the cache
    html = built.files["board_pack_html"].read_text(encoding="utf-8")
    for path in files:
        assert path.read_text(encoding="ascii") in html


def test_charts_already_in_the_cache_start_no_child(settings, monkeypatch):
    _pack(settings)  # draws and keeps every chart
    started = []
    monkeypatch.setattr(predraw, "_draw_in_child", lambda *args: started.append(args))

    predraw.begin(MONTH, settings, _connect(settings))
    predraw.wait(settings.chart_cache_dir)

    assert started == []


def test_a_child_that_fails_costs_only_time(settings, monkeypatch, caplog, drawn_in_process):
    failing = "import sys; sys.stderr.write('drawing broke\\n'); sys.exit(3)"
    monkeypatch.setattr(predraw, "CHILD", [sys.executable, "-c", failing])

    predraw.begin(MONTH, settings, _connect(settings))
    with caplog.at_level(logging.WARNING, logger=predraw.__name__):
        built = _pack(settings)

    assert "charts drawn ahead failed (exit 3): the pack draws them; drawing broke" in caplog.text
    assert len(drawn_in_process) == len(CATALOGUE)  # the pack drew every trend chart itself
    assert built.files["board_pack_pdf"].stat().st_size > 0


def test_a_month_that_cannot_be_read_is_left_to_the_pack(settings, caplog):
    with caplog.at_level(logging.INFO, logger=predraw.__name__):
        predraw.begin("2031-01", settings, _connect(settings))
        predraw.wait(settings.chart_cache_dir)

    assert "charts not drawn ahead of the pack (it draws them): No indicators for 2031-01" in (
        caplog.text
    )
    assert list(settings.chart_cache_dir.glob(f"*{chart_cache.SUFFIX}")) == []
