"""Charts as SVG data URIs: vector (sharp in print), embedded (the HTML opens offline), and
byte-identical on rerun (fixed svg.hashsalt, no date in the metadata).

Figures are built with matplotlib's object API (Figure + Agg canvas) rather than pyplot, so
nothing global is switched and no GUI backend is ever touched. Every series differs by line
style and marker as well as colour, so the charts read in greyscale print. Every label is
plain text (no mathtext, no TeX), whatever characters it holds.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pipelines.pack.formatting import as_float, fmt_by_kind

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


def _svg_data_uri(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with mpl.rc_context(_RC):
        fig.savefig(buffer, format="svg", metadata=_METADATA, bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _nan(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _axis_formatter(kind: str) -> FuncFormatter:
    def label(value: float, _pos: int) -> str:
        if kind == "percent":
            return f"{value:,.0f}%"
        if kind == "rate" and value != round(value):
            return f"{value:,.1f}"
        return f"{value:,.0f}"

    return FuncFormatter(label)


def trend_chart(series: TrendSeries) -> str:
    """24-month line of the figure, the same months a year earlier, target line or band."""
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.9, 2.4))
        ax = fig.add_subplot()
        x = list(range(len(series.labels)))
        handles = []
        if series.target_low is not None and series.target_high is not None:
            band = ax.axhspan(
                series.target_low,
                series.target_high,
                facecolor=BAND,
                edgecolor="#8c8c8c",
                hatch="///",
                linewidth=0.6,
                alpha=0.6,
                label=series.target_label,
                zorder=0,
            )
            handles.append(band)
        elif series.target_value is not None:
            (line,) = ax.plot(
                x,
                [series.target_value] * len(x),
                color=TARGET,
                linestyle="-.",
                linewidth=1.2,
                label=series.target_label,
            )
            handles.append(line)
        (previous,) = ax.plot(
            x,
            _nan(series.last_year),
            color=LAST_YEAR,
            linestyle="--",
            linewidth=1.1,
            marker="s",
            markersize=3.2,
            markerfacecolor="white",
            label=series.last_year_label,
        )
        (current,) = ax.plot(
            x,
            _nan(series.current),
            color=INK,
            linestyle="-",
            linewidth=1.8,
            marker="o",
            markersize=3.4,
            label=series.current_label,
        )
        handles = [current, previous, *handles]
        latest = series.current[-1] if series.current else None
        if latest is not None:
            # To the right of the last point, in the space kept by the x limit below, so the
            # figure never sits on top of the lines.
            ax.annotate(
                fmt_by_kind(latest, series.kind),
                (x[-1], latest),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7.5,
                fontweight="bold",
                color=INK,
            )
        # Every third month labelled, counting back from the reporting month so it always is.
        ticks = [i for i in x if (len(x) - 1 - i) % 3 == 0]
        ax.set_xticks(ticks, [series.labels[i] for i in ticks])
        ax.set_xlim(-0.5, len(x) + 2.2)
        ax.yaxis.set_major_formatter(_axis_formatter(series.kind))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        _y_limits(ax, series)
        ax.set_ylabel(series.y_label)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncol=len(handles),
            fontsize=7,
            handlelength=2.6,
        )
        return _svg_data_uri(fig)


def _y_limits(ax, series: TrendSeries) -> None:
    """Counts and rates start at 0, so a small change is not drawn as a collapse.
    Percentages sit in a narrow range near a target (90-100% is usual) where a 0-100 axis
    would hide a real drop, so their axis starts at the 10-point step below the lowest
    figure (never below 0) and ends just above 100."""
    values = [
        v
        for v in (
            *series.current,
            *series.last_year,
            series.target_value,
            series.target_low,
            series.target_high,
        )
        if v is not None
    ]
    top = max(values) if values else 1.0
    if series.kind == "percent":
        low = max(0.0, math.floor((min(values) - 5) / 10) * 10) if values else 0.0
        ax.set_ylim(low, 102 if top <= 100 else top * 1.04)
    else:
        ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)


def cleansing_chart(localities: list[str], pcts: list[float | None], done: list[bool]) -> str:
    """Horizontal bars of % complete by locality; complete localities solid, others hatched,
    each bar labelled with its figure (colour is never the only cue)."""
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
                f"{value:,.2f}%" + (" complete" if complete else ""),
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


def check_trend_chart(periods: list[str], series: dict[str, list[float | None]]) -> str:
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
