"""Review chains: CP review conferences and CLA reviews.

Both are chains: each review is due a fixed time after the previous one (or after the start of
the plan / period of care), and is usually held a little before it is due, sometimes late.

In the months the seed report quotes (``windows``) the number of reviews held and the number
held in timescale are pinned. Those months are filled by quota instead of by chance: the
chains are simulated up to the first pinned month; then, month by month, the required number
of late reviews is taken from the plans whose review is overdue (earliest due first) and the
required number of timely ones from those falling due soonest (held up to ``early_days``
early - "brought forward before the summer holidays"); plans not picked simply have no review
that month. After the last pinned month the chains carry on as normal.

A child protection plan usually ends at a review conference (outcome: plan to end), so a
chain may close with a review held on the item's end date (``final_share`` of endings); in a
pinned month such an ending plan can only be reviewed on its end date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .calendar import WorkCalendar, from_day, month_bounds


@dataclass
class ReviewRules:
    """When a review is due and when, left to itself, it gets held."""

    due: Callable[[int, int, int], int]  # (ordinal, start, previous review) -> due day
    natural: Callable[[int, int, int, int, np.random.Generator], int]  # (..., due, rng) -> day
    early_days: int  # how early a review may be brought forward to meet a quota
    late_days: int = 45  # how overdue a review may be when held late in a quota month
    final_share: float = 0.0  # share of endings that happen at a review held on the end date


@dataclass
class Window:
    lo: int  # first day of the month
    hi: int  # last day of the month
    held: int
    in_timescale: int


def schedule_reviews(
    cal: WorkCalendar,
    starts: np.ndarray,
    stops: np.ndarray,
    rules: ReviewRules,
    rng: np.random.Generator,
    horizon: int,
    windows: list[Window],
) -> tuple[list[int], list[int], list[int], list[bool], list[str]]:
    """Reviews for every item (plan or period of care).

    ``stops`` is the first day the item is no longer open (its end date; horizon + 1 if still
    open): reviews are held on working days strictly before it and on or before ``horizon``.
    Returns parallel lists: item index, due day, review day, whether the review ended the item,
    and a note for each pinned month whose quota could not be met.
    """
    item, due_days, held_days, final = [], [], [], []
    w0 = windows[0].lo if windows else horizon + 1
    w1 = windows[-1].hi if windows else horizon
    n = len(starts)
    prev = np.array(starts, dtype=np.int64)
    ordinal = np.zeros(n, np.int64)
    alive = np.ones(n, bool)  # chain still running (not stopped by the end of the item)

    def run_natural(i: int, not_before: int, until: int):
        """Append natural reviews for item i with dates in [not_before, until]."""
        stop = int(stops[i])
        limit = min(stop - 1, horizon)
        while True:
            due = rules.due(int(ordinal[i]), int(starts[i]), int(prev[i]))
            day = rules.natural(int(ordinal[i]), int(starts[i]), int(prev[i]), due, rng)
            day = max(day, cal.on_or_after1(not_before)) if day < not_before else day
            if day > limit:
                if (
                    not_before <= stop <= min(until, horizon)
                ):  # the item ended before its next review
                    alive[i] = False
                    if stop > prev[i] and rng.random() < rules.final_share:
                        _hold(
                            item,
                            due_days,
                            held_days,
                            final,
                            prev,
                            ordinal,
                            None,
                            i,
                            due,
                            stop,
                            True,
                        )
                return
            if day > until:
                return
            _hold(item, due_days, held_days, final, prev, ordinal, None, i, due, day, False)

    for i in range(n):
        run_natural(i, int(starts[i]) + 1, w0 - 1)

    notes = []
    if windows:
        assigned = np.zeros(n, bool)
        picked = {}
        # Late reviews first, for every pinned month, so that filling one month's timely quota
        # does not use up the reviews another month needs to hold late.
        for late in (True, False):
            for win in windows:
                needed = win.held - win.in_timescale if late else win.in_timescale
                live = np.flatnonzero(alive & ~assigned & (starts <= win.hi) & (stops > win.lo))
                dues = np.array(
                    [rules.due(int(ordinal[i]), int(starts[i]), int(prev[i])) for i in live],
                    dtype=np.int64,
                )
                order = np.argsort(dues, kind="stable")
                live, dues = live[order], dues[order]
                floor = np.maximum(np.maximum(prev[live], starts[live]) + 1, win.lo)
                top = np.minimum(stops[live] - 1, win.hi)
                # An item ending this month can only be reviewed at the conference that ends it.
                ends_here = (stops[live] <= min(win.hi, horizon)) & (rules.final_share > 0)
                floor = np.where(ends_here, np.maximum(floor, stops[live]), floor)
                top = np.where(ends_here, stops[live], top)
                count = 0
                for j, i in enumerate(live):
                    if count == needed:
                        break
                    if late:  # held after it was due (not more than late_days)
                        days = cal.in_range(
                            max(int(floor[j]), int(dues[j]) + 1),
                            min(int(top[j]), int(dues[j]) + rules.late_days),
                        )
                        day = (
                            int(days[min(len(days) - 1, int(rng.integers(0, 4)))])
                            if len(days)
                            else 0
                        )
                    else:  # usually held in the last fortnight before it is due
                        days = cal.in_range(
                            max(int(floor[j]), int(dues[j]) - rules.early_days),
                            min(int(top[j]), int(dues[j])),
                        )
                        tail = days[-10:]
                        day = int(tail[int(rng.integers(0, len(tail)))]) if len(days) else 0
                    if day:
                        _hold(
                            item,
                            due_days,
                            held_days,
                            final,
                            prev,
                            ordinal,
                            assigned,
                            i,
                            int(dues[j]),
                            day,
                            bool(ends_here[j]),
                        )
                        count += 1
                picked[(win.lo, late)] = (count, needed)
        for win in windows:
            (late_got, late_needed), (timely_got, timely_needed) = (
                picked[(win.lo, True)],
                picked[(win.lo, False)],
            )
            if late_got < late_needed or timely_got < timely_needed:
                notes.append(
                    f"{from_day(win.lo):%Y-%m}: {late_got}/{late_needed} late,"
                    f" {timely_got}/{timely_needed} in timescale"
                )
        for i in range(n):
            if alive[i]:
                run_natural(i, w1 + 1, horizon)
    return item, due_days, held_days, final, notes


def _hold(item, due_days, held_days, final, prev, ordinal, assigned, i, due, day, ends_item):
    item.append(int(i))
    due_days.append(due)
    held_days.append(day)
    final.append(ends_item)
    prev[i] = day
    ordinal[i] += 1
    if assigned is not None:
        assigned[i] = True


def pinned_windows(world, pins: dict[str, tuple[int, int]]) -> list[Window]:
    """The pinned months as quota windows: all of them if the period covers them, else none
    (a partial set would leave a chain half-pinned)."""
    keys = sorted(pins)
    if not all(k in world.schedule.full_months for k in keys):
        return []
    out = []
    for k in keys:
        lo, hi = month_bounds(k)
        held, timely = pins[k]
        out.append(Window(lo, hi, int(round(held * world.scale)), int(round(timely * world.scale))))
    return out
