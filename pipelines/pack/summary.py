"""The summary page: what the board should read first, worked out from the month's figures.

Small pure functions over one `Status` per indicator (this month's rating and SPC reading, and
last month's), so each can be tested on hand-made inputs (tests/test_pack_summary.py):

- `rag_counts`, `variation_counts`: how many indicators are red, amber, green; how many show a
  statistical signal, and which way;
- `changes`: what changed since last month: new reds, ratings that moved, signals that appeared;
- `exceptions`: the indicators the board should look at (red, or special cause concerning, or
  a target the process will consistently miss), with why;
- `key_messages`: 3 to 5 sentences, each naming the indicators and the figures it rests on, so
  a reader can trace every statement to its page (KeyMessage.sources).

Last month's rating is the mart's own rating of last month (marts.pack_indicators as at that
month, the row the pack's series already holds), never recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

RAG_ORDER = ("Red", "Amber", "Green", "N/A")
SPECIAL_CAUSE = ("Special cause concerning", "Special cause improving", "Special cause neither")
MAX_MESSAGES = 5
MIN_MESSAGES = 3
MAX_NAMED = 3  # indicators named in one sentence; the rest are counted


@dataclass(frozen=True)
class Status:
    code: str
    name: str
    anchor: str  # the indicator page's id, for links
    figure: str  # the rated figure as printed on its page ("82.9%", "54.9 per 10,000")
    target: str  # as printed ("95.0%"), or "N/A"
    rag: str  # "Red" | "Amber" | "Green" | "N/A"
    previous_rag: str | None  # last month's; None when there was no row last month
    variation: str  # marts.indicator_spc spc_variation
    previous_variation: str | None
    assurance: str  # spc_assurance
    signals: str | None = None  # the rules that fired, in words ("below the lower limit")
    # The figure the SPC reads, where it is not the rated one (a rolling or year-to-date rate
    # target is read on the monthly count): what the SPC sentences state.
    spc_figure: str | None = None

    @property
    def spc_shown(self) -> str:
        return self.spc_figure or self.figure


@dataclass(frozen=True)
class Move:
    status: Status
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    new_reds: list[Status] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)  # every rating change, new reds included
    new_signals: list[Status] = field(default_factory=list)  # special cause now, not last month
    compared: bool = True  # False when no indicator had a row last month


@dataclass(frozen=True)
class Exception_:
    status: Status
    reasons: list[str]


@dataclass(frozen=True)
class KeyMessage:
    text: str
    sources: list[Status]  # the indicators whose figures the sentence states


def rag_counts(statuses: Sequence[Status]) -> dict[str, int]:
    """{"Red": n, "Amber": n, "Green": n, "N/A": n} (N/A: no target)."""
    counts = dict.fromkeys(RAG_ORDER, 0)
    for status in statuses:
        counts[status.rag if status.rag in counts else "N/A"] += 1
    return counts


def variation_counts(statuses: Sequence[Status]) -> dict[str, int]:
    """Special cause concerning / improving / neither, common cause, and the rest ("Not enough
    data" and "No figure" together as "Not enough data")."""
    keys = (*SPECIAL_CAUSE, "Common cause", "Not enough data")
    counts = dict.fromkeys(keys, 0)
    for status in statuses:
        counts[status.variation if status.variation in counts else "Not enough data"] += 1
    return counts


def changes(statuses: Sequence[Status]) -> Changes:
    compared = [s for s in statuses if s.previous_rag is not None]
    if not compared:
        return Changes(compared=False)
    moved = [Move(s, s.previous_rag, s.rag) for s in compared if s.previous_rag != s.rag]
    return Changes(
        new_reds=[m.status for m in moved if m.after == "Red"],
        moved=moved,
        new_signals=[
            s
            for s in statuses
            if s.variation in SPECIAL_CAUSE and s.previous_variation not in SPECIAL_CAUSE
        ],
    )


def exceptions(statuses: Sequence[Status]) -> list[Exception_]:
    """Indicators needing the board's attention, reds first, each with its reasons."""
    found = []
    for status in statuses:
        reasons = []
        if status.rag == "Red":
            reasons.append(f"rated red ({status.figure} against a target of {status.target})")
        if status.variation == "Special cause concerning":
            reasons.append(
                "special cause concerning" + (f": {status.signals}" if status.signals else "")
            )
        if status.assurance == "Target consistently missed":
            reasons.append("target consistently missed at the current level of performance")
        if reasons:
            found.append(Exception_(status, reasons))
    return sorted(found, key=lambda e: (e.status.rag != "Red", -len(e.reasons)))


def _named(statuses: Sequence[Status], spc: bool = False) -> str:
    """'A (82.9%), B (54.9) and 2 more' for a sentence: each with its rated figure, or with
    the figure the SPC reads (spc=True)."""
    parts = [f"{s.name} ({s.spc_shown if spc else s.figure})" for s in statuses[:MAX_NAMED]]
    rest = len(statuses) - MAX_NAMED
    if rest > 0:
        parts.append(f"{rest} more")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def key_messages(statuses: Sequence[Status]) -> list[KeyMessage]:
    """MIN_MESSAGES to MAX_MESSAGES sentences, most important first, every one built from the
    figures it states and naming the indicators it rests on."""
    counts = rag_counts(statuses)
    change = changes(statuses)
    reds = [s for s in statuses if s.rag == "Red"]
    rated = len(statuses) - counts["N/A"]
    messages = [
        KeyMessage(
            f"{counts['Red']} of the {rated} indicators with a target are rated red, "
            f"{counts['Amber']} amber and {counts['Green']} green"
            + (f"; {_plural(counts['N/A'], 'has', 'have')} no target." if counts["N/A"] else "."),
            reds,
        )
    ]
    if change.new_reds:
        messages.append(
            KeyMessage(
                "New red this month: "
                + _named(change.new_reds)
                + (
                    f", against a target of {change.new_reds[0].target}."
                    if len(change.new_reds) == 1
                    else "."
                ),
                list(change.new_reds),
            )
        )
    concerning = [s for s in statuses if s.variation == "Special cause concerning"]
    if concerning:
        messages.append(
            KeyMessage(
                f"{_plural(len(concerning), 'indicator shows', 'indicators show')} special cause "
                f"concerning variation, a change beyond the usual month-to-month variation: "
                f"{_named(concerning, spc=True)}.",
                concerning,
            )
        )
    improved = [m for m in change.moved if _better(m.before, m.after)]
    if improved:
        moves = [m.status for m in improved]
        messages.append(
            KeyMessage(
                "Rating improved since last month: "
                + _named(moves)
                + (f", now {improved[0].after.lower()}." if len(improved) == 1 else "."),
                moves,
            )
        )
    improving = [s for s in statuses if s.variation == "Special cause improving"]
    if improving:
        messages.append(
            KeyMessage(
                f"{_plural(len(improving), 'indicator shows', 'indicators show')} special cause "
                f"improving variation: {_named(improving, spc=True)}.",
                improving,
            )
        )
    missed = [s for s in statuses if s.assurance == "Target consistently missed"]
    if missed:
        messages.append(
            KeyMessage(
                f"At the current level of performance, "
                f"{_plural(len(missed), 'target', 'targets')} will not be met without change: "
                f"{_named(missed)}.",
                missed,
            )
        )
    if len(messages) < MIN_MESSAGES and change.compared and not change.moved:
        messages.append(KeyMessage("No indicator's rating changed since last month.", []))
    if len(messages) < MIN_MESSAGES and not concerning:
        messages.append(
            KeyMessage("No indicator shows special cause concerning variation this month.", [])
        )
    return messages[:MAX_MESSAGES]


def _better(before: str, after: str) -> bool:
    rank = {"Red": 0, "Amber": 1, "Green": 2}
    return before in rank and after in rank and rank[after] > rank[before]
