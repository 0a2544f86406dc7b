"""Charts as SVG data URIs: vector (sharp in print), embedded (the HTML opens offline), and
byte-identical on rerun (fixed svg.hashsalt, no date in the metadata).

Figures are built with matplotlib's object API (Figure + Agg canvas) rather than pyplot, so
nothing global is switched and no GUI backend is ever touched. Every series differs by line
style and marker as well as colour, so the charts read in greyscale print. Text is plain text:
matplotlib's maths mode is off (text.parse_math), so a "$" in a name prints as a "$".

Honest axes, one rule for all trend charts (y_range):
- counts and rates start at zero, always: a bar or line's height is then proportional to the
  figure, and a small change is not drawn as a collapse;
- percentages start at zero too, unless every figure drawn (the series, the target, the
  comparators, the process limits that fall within 0-100) is at or above 50%, when a 0-100
  axis would squash a real change into a flat line: the axis then starts at the 10-point step
  at or below 5 points under the lowest figure, and a break mark (a zig-zag across the foot of
  the axis) says that it does not start at zero;
- counts have whole-number ticks only (a count of 2.3 does not exist), and small counts a
  tick at every whole number that fits.
Monthly counts can be drawn as bars (bars=True): a count in a month is a quantity, and bars
make a zero month visible. Target bands and target lines are labelled on the chart;
comparators (England, statistical neighbours, region) are dotted reference lines labelled at
the right; a regional file's median (TrendSeries.region) is a dotted line with open triangles,
month by month, in the legend as "Region (median)"; statistical process control (SpcLines)
adds the mean and the process limits and marks the months where a special-cause rule fired.

Charts are SVG rather than PNG: measured on the demo pack (docs/render-time.md), PNG at a
print-worthy 150-200 dpi cost more to rasterise and re-encode than they saved the PDF's layout
(measured with WeasyPrint, before Chromium printed the PDF), and the HTML file grows two- to
three-fold.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.pack import chart_cache
from pipelines.pack.formatting import as_float, fmt_by_kind, fmt_percent

# matplotlib is imported where a chart is drawn, not with this module: a pack whose charts are
# all in the chart cache (a commentary edit's, a rerun's) never needs it (about 0.6 s).
if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

_RC = {
    # Labels are plain text: locality, check and indicator names come from the data and the
    # team's files, and mathtext would read "$...$" in them as maths (and fail on "$\foo$").
    "text.parse_math": False,
    "text.usetex": False,
    "svg.hashsalt": "boardpack",  # stable element ids -> identical SVG on every run
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": "#505050",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#303030",
    "ytick.color": "#303030",
    "legend.frameon": False,
    "path.simplify": False,
}
_METADATA = {"Date": None, "Creator": None}

INK = "#1d3557"  # current series: dark blue, reads as near-black in greyscale
LAST_YEAR = "#7a7a7a"  # comparison: mid grey, dashed, open squares
TARGET = "#9b1c1c"  # target line: dark red, dash-dot
BAND = "#d9d9d9"
COMPARATOR = "#4d4d4d"  # reference lines: dark grey, dotted
# The regional median from a regional file (pipelines/pack/regional.py): a month-by-month line,
# dotted with open triangles, so it reads apart from the flat comparator lines in greyscale.
REGION = "#2b7a3d"
REGION_LABEL = "Region (median)"
SPC_LINE = "#6b6b6b"  # mean solid, process limits dashed
# Special-cause points: colour and shape, so the mark reads without colour (NHS England's
# Making Data Count colours: blue improving, orange concerning, purple neither).
SIGNAL_STYLES = {
    "improving": ("#1f5fa8", "D", "Special cause: improving"),
    "concerning": ("#c25700", "X", "Special cause: concerning"),
    "neither": ("#6a3d9a", "s", "Special cause"),
}
TREND = "trend"  # the trend charts' kind in the chart cache
# Percentages: the axis may start above zero only when every figure is at least this.
PERCENT_BREAK_FLOOR = 50.0


@dataclass(frozen=True)
class SpcLines:
    """Statistical process control for the charted months (marts.indicator_spc), one entry per
    label: the mean and process limits as at each month (None where there are none yet), and
    where a special-cause rule fired, which way it reads ("improving", "concerning",
    "neither"; None for common cause)."""

    mean: Sequence[float | None]
    upper: Sequence[float | None]
    lower: Sequence[float | None]
    signals: Sequence[str | None] = ()


@dataclass(frozen=True)
class TrendSeries:
    labels: list[str]  # x labels, oldest first ("Sep-12")
    current: list[float | None]
    last_year: list[float | None]
    kind: str  # "count", "percent" or "rate": how to format the axis
    y_label: str
    current_label: str
    last_year_label: str
    target_value: float | None
    target_low: float | None
    target_high: float | None
    target_label: str
    # Optional, for the honest-chart features (the pack's context may pass them):
    bars: bool = False  # the current series as monthly bars (counts) rather than a line
    comparators: Sequence[tuple[str, float | None]] = field(default_factory=tuple)
    spc: SpcLines | None = None
    # The regional median of each charted month (a regional file's, where the chart shows the
    # published value's own scale); None: no regional line, nothing in the legend.
    region: Sequence[float | None] | None = None


def _svg_data_uri(fig: Figure) -> str:
    """The figure as an SVG data URI, cropped to what is drawn (labels right of the axes and
    the legend below them included) with matplotlib's usual 0.1 in margin.

    The crop is matplotlib's tight bounding box, measured with Agg's renderer at the SVG's 72
    dpi: savefig(bbox_inches="tight") measures it with a whole extra drawing pass, about 0.8 s
    a month (docs/render-time.md); this gives the same box to within a point or two."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with mpl.rc_context(_RC):
        fig.set_dpi(72)  # the SVG backend's, so text is measured as the SVG will set it
        tight = fig.get_tightbbox(canvas.get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])
        fig.savefig(buffer, format="svg", metadata=_METADATA, bbox_inches=tight)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _axis_formatter(kind: str) -> FuncFormatter:
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _pos: int) -> str:
        if kind == "percent":
            return f"{value:,.0f}%"
        if kind == "rate" and value != round(value):
            return f"{value:,.1f}"
        return f"{value:,.0f}"

    return FuncFormatter(label)


@dataclass(frozen=True)
class YRange:
    bottom: float
    top: float
    broken: bool  # the axis does not start at zero: a break mark is drawn


def y_range(kind: str, values: Sequence[float | None]) -> YRange:
    """Where the y axis starts and ends (the one rule in the module docstring).

    values: every figure drawn (series, targets, comparators, SPC mean and limits)."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    if kind == "percent":
        # limits beyond what a percentage can be are not allowed to stretch the axis
        present = [min(max(v, 0.0), 100.0) for v in present]
    if not present:
        return YRange(0.0, 1.0, False)
    low, high = min(present), max(present)
    if kind == "percent":
        top = 102.0 if high <= 100 else high * 1.04
        if low >= PERCENT_BREAK_FLOOR:
            bottom = max(0.0, math.floor((low - 5) / 10) * 10)
            return YRange(bottom, top, bottom > 0)
        return YRange(0.0, top, False)
    if high <= 0:
        return YRange(0.0, 1.0, False)
    top = high * 1.15
    if kind == "count":
        top = max(1.0, float(math.ceil(top)))
    return YRange(0.0, top, False)


def _break_mark(ax) -> None:
    """A zig-zag across the foot of the y axis: this axis does not start at zero."""
    xs = [-0.012, -0.004, 0.004, 0.012]
    for offset in (0.0, 0.022):
        ys = [offset + d for d in (0.0, 0.012, -0.004, 0.008)]
        ax.plot(
            xs, ys, transform=ax.transAxes, color="#303030", linewidth=0.8, clip_on=False,
            zorder=5, gid="axis-break",
        )  # fmt: skip
    ax.plot(
        [-0.016, 0.016], [0.011, 0.011], transform=ax.transAxes, color="white", linewidth=2.2,
        clip_on=False, zorder=4, gid="axis-break-gap",
    )  # fmt: skip


def _right_labels(ax, labels: list[tuple[float, str, str]], y: YRange, x: float) -> None:
    """Labels at the right end of horizontal lines, nudged apart so none overlaps another."""
    line = (y.top - y.bottom) * 0.075  # one line of label text, in data units
    previous_top = -math.inf
    for value, text, colour in sorted(labels, key=lambda item: item[0]):
        half = line * (text.count("\n") + 1) / 2
        position = max(value, y.bottom + half, previous_top + half)
        previous_top = position + half
        ax.text(x, position, text, fontsize=6.3, color=colour, va="center", ha="left",
                clip_on=False)  # fmt: skip


def trend_figure(series: TrendSeries) -> Figure:
    """The trend chart as a matplotlib Figure (trend_chart renders it): 24 months of the figure
    (a line, or monthly bars), the same months a year earlier, the target line or band,
    comparators as reference lines and the SPC mean, limits and signals where given."""
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.9, 2.15))
        ax = fig.add_subplot()
        x = list(range(len(series.labels)))
        spc = series.spc
        comparators = [(name, v) for name, v in series.comparators if v is not None]
        drawn = [*series.current, *series.last_year, series.target_value, series.target_low,
                 series.target_high, *(v for _, v in comparators)]  # fmt: skip
        if spc is not None:
            drawn += [*spc.mean, *spc.upper, *spc.lower]
        if series.region is not None:
            drawn += list(series.region)
        y = y_range(series.kind, drawn)
        handles = []
        right_labels: list[tuple[float, str, str]] = []
        if series.target_low is not None and series.target_high is not None:
            band = ax.axhspan(
                series.target_low, series.target_high, facecolor=BAND, edgecolor="#8c8c8c",
                hatch="///", linewidth=0.6, alpha=0.6, label=series.target_label, zorder=0,
            )  # fmt: skip
            handles.append(band)
            right_labels.append(
                (
                    (series.target_low + series.target_high) / 2,
                    f"{series.target_label}\n{fmt_by_kind(series.target_low, series.kind)}"
                    f" to {fmt_by_kind(series.target_high, series.kind)}",
                    "#3a3a3a",
                )
            )
        elif series.target_value is not None:
            (line,) = ax.plot(
                x, [series.target_value] * len(x), color=TARGET, linestyle="-.", linewidth=1.2,
                label=series.target_label,
            )  # fmt: skip
            handles.append(line)
            right_labels.append(
                (series.target_value,
                 f"{series.target_label} {fmt_by_kind(series.target_value, series.kind)}", TARGET)
            )  # fmt: skip
        for name, value in comparators:
            ax.axhline(value, color=COMPARATOR, linestyle=":", linewidth=0.9, zorder=1)
            right_labels.append((value, f"{name} {fmt_by_kind(value, series.kind)}", COMPARATOR))
        if spc is not None:
            handles += _draw_spc(ax, x, spc, y)
        if series.region is not None:
            (region,) = ax.plot(
                x, _nan(series.region), color=REGION, linestyle=":", linewidth=1.4, marker="^",
                markersize=3.2, markerfacecolor="white", label=REGION_LABEL, zorder=3,
                gid="region-median",
            )  # fmt: skip
            handles.append(region)
        (previous,) = ax.plot(
            x, _nan(series.last_year), color=LAST_YEAR, linestyle="--", linewidth=1.1,
            marker="s", markersize=3.2, markerfacecolor="white", label=series.last_year_label,
            zorder=3,
        )  # fmt: skip
        if series.bars:
            current = ax.bar(
                x, [0 if v is None else v for v in series.current], width=0.7, color=INK,
                alpha=0.85, label=series.current_label, zorder=2,
            )  # fmt: skip
        else:
            (current,) = ax.plot(
                x, _nan(series.current), color=INK, linestyle="-", linewidth=1.8, marker="o",
                markersize=3.4, label=series.current_label, zorder=4,
            )  # fmt: skip
        handles = [current, previous, *handles]
        if spc is not None:
            handles += _draw_signals(ax, x, series.current, spc)
        latest = series.current[-1] if series.current else None
        if latest is not None:
            # To the right of the last point, in the space kept by the x limit below, so the
            # figure never sits on top of the lines.
            ax.annotate(
                fmt_by_kind(latest, series.kind), (x[-1], latest), xytext=(6, 0),
                textcoords="offset points", ha="left", va="center", fontsize=7.5,
                fontweight="bold", color=INK, zorder=6,
            )  # fmt: skip
        # Every third month labelled, counting back from the reporting month so it always is.
        ticks = [i for i in x if (len(x) - 1 - i) % 3 == 0]
        ax.set_xticks(ticks, [series.labels[i] for i in ticks])
        ax.set_xlim(-0.6, len(x) + 2.2)
        ax.set_ylim(y.bottom, y.top)
        ax.yaxis.set_major_formatter(_axis_formatter(series.kind))
        ax.yaxis.set_major_locator(
            MaxNLocator(nbins=5, integer=True, min_n_ticks=2)
            if series.kind == "count"
            else MaxNLocator(nbins=5)
        )
        if y.broken:
            _break_mark(ax)
        _right_labels(ax, right_labels, y, len(x) + 2.3)
        ax.set_ylabel(series.y_label)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13),
            ncol=min(len(handles), 4), fontsize=7, handlelength=2.6,
        )  # fmt: skip
        return fig


def _draw_spc(ax, x: list[int], spc: SpcLines, y: YRange) -> list:
    def clipped(values: Sequence[float | None]) -> list[float]:
        return [math.nan if v is None else min(max(v, y.bottom), y.top) for v in values]

    # The gids name the lines in the SVG (tests read them back from the pack's charts).
    (mean,) = ax.plot(
        x, _nan(spc.mean), color=SPC_LINE, linewidth=0.9, label="Mean", zorder=1, gid="spc-mean"
    )
    (limits,) = ax.plot(
        x, clipped(spc.upper), color=SPC_LINE, linestyle=(0, (4, 2)), linewidth=0.8,
        label="Process limits", zorder=1, gid="spc-upper-limit",
    )  # fmt: skip
    ax.plot(
        x, clipped(spc.lower), color=SPC_LINE, linestyle=(0, (4, 2)), linewidth=0.8, zorder=1,
        gid="spc-lower-limit",
    )  # fmt: skip
    return [mean, limits]


def _draw_signals(ax, x: list[int], values: Sequence[float | None], spc: SpcLines) -> list:
    handles = []
    for kind, (colour, marker, label) in SIGNAL_STYLES.items():
        points = [
            (i, v)
            for i, v, s in zip(x, values, spc.signals, strict=False)
            if s == kind and v is not None
        ]
        if points:
            handle = ax.scatter(
                [i for i, _ in points], [v for _, v in points], s=30, marker=marker,
                color=colour, edgecolors="white", linewidths=0.5, zorder=5, label=label,
                gid=f"spc-signal-{kind}",
            )  # fmt: skip
            handles.append(handle)
    return handles


def trend_chart(series: TrendSeries) -> str:
    """The trend chart as an SVG data URI (see trend_figure); drawn once for its figures
    (chart_cache.py)."""
    return chart_cache.chart(TREND, series, lambda: _svg_data_uri(trend_figure(series)))


def is_cached(series: TrendSeries) -> bool:
    """trend_chart(series) would come from the chart cache (predraw.py draws the others)."""
    return chart_cache.cached(TREND, series)


def cleansing_chart(localities: list[str], pcts: list[float | None], done: list[bool]) -> str:
    inputs = (localities, pcts, done)
    return chart_cache.chart("cleansing", inputs, lambda: _cleansing_chart(*inputs))


def check_trend_chart(periods: list[str], series: dict[str, list[float | None]]) -> str:
    inputs = (periods, series)
    return chart_cache.chart("check_trend", inputs, lambda: _check_trend_chart(*inputs))


def _cleansing_chart(localities: list[str], pcts: list[float | None], done: list[bool]) -> str:
    """Horizontal bars of % complete by locality; complete localities solid, others hatched,
    each bar labelled with its figure (colour is never the only cue)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    with mpl.rc_context(_RC):
        height = 0.9 + 0.3 * max(len(localities), 1)
        fig = Figure(figsize=(6.9, height))
        ax = fig.add_subplot()
        y = list(range(len(localities)))[::-1]
        values = [as_float(p) or 0.0 for p in pcts]
        for yi, value, complete in zip(y, values, done, strict=True):
            ax.barh(
                yi,
                value,
                height=0.62,
                color=INK if complete else "white",
                edgecolor=INK,
                hatch=None if complete else "////",
                linewidth=0.8,
            )
            ax.text(
                min(value, 100) + 1.5,
                yi,
                fmt_percent(value) + (" complete" if complete else ""),
                va="center",
                fontsize=7,
            )
        ax.axvline(100, color=TARGET, linestyle="-.", linewidth=1)
        ax.set_yticks(y, localities)
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel("Share of the stale backlog closed since the start of cleansing")
        return _svg_data_uri(fig)


_STYLES = [("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ((0, (5, 1, 1, 1)), "v")]
_GREYS = [INK, "#555555", TARGET, "#2b7a3d", "#8a5a00"]


def _check_trend_chart(periods: list[str], series: dict[str, list[float | None]]) -> str:
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.9, 2.6))
        ax = fig.add_subplot()
        x = list(range(len(periods)))
        for index, (name, values) in enumerate(series.items()):
            style, marker = _STYLES[index % len(_STYLES)]
            ax.plot(
                x,
                _nan(values),
                linestyle=style,
                marker=marker,
                markersize=3.5,
                color=_GREYS[index % len(_GREYS)],
                linewidth=1.3,
                label=name,
            )
        ax.set_xticks(x, periods)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_formatter(_axis_formatter("count"))
        ax.set_ylabel("Records failing")
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.5)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6.5)
        return _svg_data_uri(fig)
