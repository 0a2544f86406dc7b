"""Honest charts: whole-number ticks for counts, one rule for where the y axis starts (with a
break mark when it is not zero), labelled targets and comparators, SPC lines, plain text.
Tick values and limits are read back from the matplotlib Axes the chart is drawn on."""

from __future__ import annotations

import pytest

from pipelines.pack import charts

LABELS = [f"M{i:02d}" for i in range(24)]
# caf_stepdown_ia's kind of series: a handful a month, often none
SMALL_COUNTS = [0, 1, 3, 2, 6, 1, 0, 2, 4, 3, 1, 0, 2, 1, 5, 3, 2, 0, 1, 4, 2, 3, 1, 0]


def series(current, kind="count", last_year=None, **options) -> charts.TrendSeries:
    defaults = {"target_value": None, "target_low": None, "target_high": None}
    defaults |= {k: options.pop(k) for k in list(options) if k in defaults}
    return charts.TrendSeries(
        labels=LABELS,
        current=current,
        last_year=last_year if last_year is not None else [None] * 24,
        kind=kind,
        y_label="Number",
        current_label="Sep-12 to Aug-14",
        last_year_label="Same months a year earlier",
        target_label=options.pop("target_label", "Target"),
        **defaults,
        **options,
    )


def axes_of(trend: charts.TrendSeries):
    figure = charts.trend_figure(trend)
    figure.canvas.draw()  # tick labels are only set when drawn
    return figure.axes[0]


def visible_ticks(ax) -> list[float]:
    bottom, top = ax.get_ylim()
    return [t for t in ax.get_yticks() if bottom - 1e-9 <= t <= top + 1e-9]


@pytest.mark.parametrize("bars", [False, True])
def test_small_counts_have_whole_number_ticks_labelled_as_they_are(bars):
    # The bug: gridlines at 0/1.5/3/4.5/6 labelled 0/2/3/4/6, so 3 read as 3.7.
    ax = axes_of(series(SMALL_COUNTS, last_year=SMALL_COUNTS[::-1], bars=bars))
    assert ax.get_ylim() == (0.0, 7.0)  # 6 x 1.15 = 6.9, up to the next whole number
    assert visible_ticks(ax) == [0.0, 2.0, 4.0, 6.0]
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels[: len(visible_ticks(ax))] == ["0", "2", "4", "6"]


def test_counts_of_at_most_two_tick_every_whole_number():
    ax = axes_of(series([0, 1, 2, 1] * 6))
    assert ax.get_ylim() == (0.0, 3.0)
    assert visible_ticks(ax) == [0.0, 1.0, 2.0, 3.0]


def test_counts_and_rates_start_at_zero_however_high_the_figures():
    assert axes_of(series([480.0 + i for i in range(24)])).get_ylim()[0] == 0.0
    ax = axes_of(series([1040.0 + i for i in range(24)], kind="rate", target_low=450.0,
                        target_high=600.0))  # fmt: skip
    assert ax.get_ylim()[0] == 0.0
    assert not [line for line in ax.lines if line.get_gid() == "axis-break"]


def test_percentages_in_a_narrow_high_range_start_above_zero_with_a_break_mark():
    # lowest 90 - 5 = 85 -> the 10-point step at or below: 80; top 100 + 2
    ax = axes_of(series([90.0 + (i % 5) for i in range(24)], kind="percent", target_value=95.0))
    assert ax.get_ylim() == (80.0, 102.0)
    assert len([line for line in ax.lines if line.get_gid() == "axis-break"]) == 2


def test_percentages_with_a_figure_under_50_start_at_zero_without_a_break():
    values = [60.0] * 23 + [45.0]
    ax = axes_of(series(values, kind="percent", target_value=85.0))
    assert ax.get_ylim() == (0.0, 102.0)
    assert not [line for line in ax.lines if line.get_gid() == "axis-break"]


def test_y_range_rule():
    assert charts.y_range("count", []) == charts.YRange(0.0, 1.0, False)
    assert charts.y_range("count", [0, 0]) == charts.YRange(0.0, 1.0, False)
    assert charts.y_range("count", [2]) == charts.YRange(0.0, 3.0, False)  # 2.3 -> 3
    assert charts.y_range("rate", [100.0]) == charts.YRange(0.0, pytest.approx(115.0), False)
    # a target or comparator below 50% keeps a percentage axis at zero
    assert charts.y_range("percent", [92.0, 95.0, 48.0]).bottom == 0.0
    assert charts.y_range("percent", [50.0, 95.0]) == charts.YRange(40.0, 102.0, True)
    # SPC limits beyond 0-100% do not stretch a percentage axis
    assert charts.y_range("percent", [86.0, 95.0, 114.9, 57.9]) == charts.YRange(50.0, 102.0, True)


def test_spc_mean_limits_and_signals_are_drawn():
    spc = charts.SpcLines(
        mean=[None] * 12 + [1.8] * 12,
        upper=[None] * 12 + [5.4] * 12,
        lower=[None] * 12 + [-1.8] * 12,  # below zero: drawn at the axis, not stretching it
        signals=[None] * 14 + ["concerning"] + [None] * 9,
    )
    ax = axes_of(series(SMALL_COUNTS, bars=True, spc=spc))
    assert ax.get_ylim() == (0.0, 7.0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "Sep-12 to Aug-14",
        "Same months a year earlier",
        "Mean",
        "Process limits",
        "Special cause: concerning",
    ]
    (signal,) = ax.collections  # the one marked point: month 14, whose figure is 5
    assert signal.get_offsets().tolist() == [[14.0, 5.0]]


def test_targets_and_comparators_are_labelled_on_the_chart():
    trend = series(
        [92.0] * 24, kind="percent", target_value=95.0, target_label="Target (illustrative)",
        comparators=[("England", 93.1), ("Statistical neighbours", None)],
    )  # fmt: skip
    ax = axes_of(trend)
    texts = {t.get_text() for t in ax.texts}
    assert "Target (illustrative) 95.0%" in texts
    assert "England 93.1%" in texts
    assert not any("Statistical neighbours" in t for t in texts)  # no figure, no line
    band = axes_of(series([150.0] * 24, kind="rate", target_low=138.0, target_high=168.6,
                          target_label="Target band"))  # fmt: skip
    assert "Target band\n138.0 to 168.6" in {t.get_text() for t in band.texts}


def test_chart_text_is_plain_text_never_maths():
    # "$5 and $" would be set as maths (italic, the dollars dropped) if mathtext were on
    trend = series([1.0] * 24, target_value=2.0, target_label="Target $5 and $10")
    trend = charts.TrendSeries(**{**trend.__dict__, "y_label": "Between $5 and $10"})
    figure = charts.trend_figure(trend)
    texts = figure.findobj(lambda artist: hasattr(artist, "get_parse_math"))
    assert any(t.get_text() == "Between $5 and $10" for t in texts)
    assert any(t.get_text() == "Target $5 and $10 2" for t in texts)
    assert not [t.get_text() for t in texts if t.get_text() and t.get_parse_math()]


def test_todays_callers_need_no_new_arguments():
    # the pack's context builds TrendSeries with the first eleven fields only
    trend = charts.TrendSeries(
        LABELS, [1.0] * 24, [2.0] * 24, "count", "Number", "a", "b", None, None, None, "Target"
    )
    assert charts.trend_chart(trend).startswith("data:image/svg+xml;base64,")
