"""Early help episodes (CAFs) in eight localities, step-downs and the 2014 cleansing exercise.

The localities are named by ``World.localities`` (the demo's compass points by default).

Most episodes start on a request from universal services, schools, health or the family and
close within a year. Step-downs start shortly after social care work ends for the child (an
initial or core assessment authorised, a CIN episode closed, or a contact); their monthly
numbers are pinned where the seed report quotes them.

The CAF registry also drifted: some episodes were never closed. When the inspection in May
2014 found it, a cleansing exercise started on 2014-05-01: every episode open on that day and
started more than 12 months earlier is in the stale *backlog* of its locality. By the end of
August 330 had been closed with end reason ``Data cleansing`` (a few more were closed by their
CAF leads with a proper reason); four localities had cleared their backlog, the other four
were between 70% and 99% done, and what is left open is listed in the manifest as
``stale_early_help``. Ordinary episodes never last 12 months, so nothing else is ever stale.
"""

from __future__ import annotations

import bisect

import numpy as np

from .calendar import NO_DATE, OPEN, add_months1, to_day
from .calibration import (
    CLEANSING,
    EARLY_HELP_ANCHORS,
    STEP_DOWN_CIN,
    STEP_DOWN_CORE,
    STEP_DOWN_IA,
    STEP_DOWN_OTHER,
    STEP_DOWN_REASONS,
)
from .calibration import _round_to_total as round_to_total
from .front_door import FrontDoor
from .people import EARLY_HELP_AGE_WEIGHTS
from .world import World

REQUEST_REASONS = (
    ("Universal services request", 0.55),
    ("Family request", 0.2),
    ("School request", 0.15),
    ("Health visitor request", 0.1),
)
END_REASONS = (
    ("Outcomes achieved", 0.55),
    ("Family declined further support", 0.15),
    ("Moved out of area", 0.1),
    ("Stepped up to social care", 0.12),
    ("Needs met by universal services", 0.08),
)
ORGANISATIONS = (
    "School",
    "Children's centre",
    "Health visiting",
    "Early help team",
    "Voluntary sector",
)
CLEANSING_END_REASON = "Data cleansing"
MAX_DAYS = 330  # ordinary episodes close within 11 months


class EarlyHelp:
    def __init__(self, world: World, front: FrontDoor):
        self.w = world
        self.front = front
        self.rng = world.rng("early_help")
        c = CLEANSING
        self.cleansing_start = to_day(c.start)
        self.cleansing_end = min(to_day(c.report_end), world.end_day)
        self.cleansing = world.start_day <= self.cleansing_start <= world.end_day

    def generate(self):
        w, rng = self.w, self.rng
        starts, reasons = [], []
        # Open on the first day: ordinary episodes from the 11 months before (kept if still open).
        monthly = min(EARLY_HELP_ANCHORS.values()) * w.scale
        for m in range(-11, 0):
            lo = add_months1(w.start_day, m)
            n = int(rng.poisson(monthly))
            starts.append(w.cal.on_or_after(rng.integers(lo, add_months1(lo, 1), n)))
            reasons.append(_picks(rng, REQUEST_REASONS, n))
        # The period itself: requests, and step-downs in the scheduled numbers.
        for key in w.schedule.months:
            lo, hi = w.month_bounds(key)
            workdays = w.cal.in_range(lo, hi)
            n = w.schedule.early_help_new[key]
            starts.append(workdays[rng.integers(0, len(workdays), n)])
            reasons.append(_picks(rng, REQUEST_REASONS, n))
            for reason in STEP_DOWN_REASONS:
                k = w.schedule.step_downs[reason][key]
                starts.append(workdays[rng.integers(0, len(workdays), k)])
                reasons.append(np.full(k, reason, dtype=object))
        start = np.concatenate(starts).astype(np.int64)
        reason = np.concatenate(reasons)
        n = len(start)
        days = np.clip(rng.lognormal(np.log(150), 0.5, n), 30, MAX_DAYS).astype(np.int64)
        end = start + days
        end_reason = _picks(rng, END_REASONS, n)
        still_open = end > w.end_day
        end = np.where(still_open, NO_DATE, end)
        end_reason[still_open] = ""
        loc_weights = np.array(CLEANSING.backlog, float)
        locality = rng.choice(8, n, p=loc_weights / loc_weights.sum())
        keep = (end == NO_DATE) | (end >= w.start_day)  # closed before the period: no record
        ordinary = (
            start[keep],
            np.full(int(keep.sum()), "ordinary", dtype=object),
            reason[keep],
            locality[keep],
            end[keep],
            end_reason[keep],
        )
        drift = self._drifted()
        columns = [np.concatenate([a, b]) for a, b in zip(ordinary, drift, strict=True)]
        order = np.lexsort((columns[3], columns[2].astype(str), columns[0]))
        self._assign_children([c[order] for c in columns])

    def _drifted(self):
        """Episodes nobody closed, and what the cleansing exercise did with them."""
        w, rng, c = self.w, self.rng, CLEANSING
        stale_before = add_months1(self.cleansing_start, -c.stale_months)  # backlog: start < this
        if not self.cleansing:
            # No exercise in the period: a few forgotten episodes, stale at the extract end.
            last = add_months1(w.end_day, -c.stale_months) - 1
            n = w.scaled(24)
            start = w.cal.on_or_after(rng.integers(last - 2 * 365, last, n))
            return (
                start,
                np.full(n, "drift", dtype=object),
                _picks(rng, REQUEST_REASONS, n),
                rng.integers(0, 8, n),
                np.full(n, NO_DATE, np.int64),
                np.full(n, "", dtype=object),
            )
        backlog = [int(round(b * w.scale)) for b in c.backlog]
        still_open = [int(round(s * w.scale)) for s in c.still_open]
        closed = np.array([b - s for b, s in zip(backlog, still_open, strict=True)], float)
        by_cleansing = int(round(c.closed_by_cleansing * w.scale))
        others = int(closed.sum()) - by_cleansing
        if others < 0:
            raise RuntimeError("cleansing backlog smaller than the closures it must produce")
        other_closures = round_to_total(closed, others) if others else np.zeros(8, int)
        first = min(w.start_day - 3 * 365, stale_before - 400)
        # Closing dates: most in the first two months of the exercise.
        workdays = w.cal.in_range(self.cleansing_start, self.cleansing_end)
        month_weight = np.select(
            [
                workdays < to_day("2014-06-01"),
                workdays < to_day("2014-07-01"),
                workdays < to_day("2014-08-01"),
            ],
            [0.3, 0.3, 0.25],
            0.15,
        )
        month_weight = month_weight / month_weight.sum()
        parts = []
        for loc in range(8):
            n = backlog[loc]
            start = np.minimum(
                w.cal.on_or_after(np.sort(rng.integers(first, stale_before, n))), stale_before - 1
            )
            fate = np.array(
                ["open"] * still_open[loc]
                + ["other"] * int(other_closures[loc])
                + ["cleansing"] * (n - still_open[loc] - int(other_closures[loc])),
                dtype=object,
            )
            fate = fate[rng.permutation(n)]
            end = np.where(fate == "open", NO_DATE, rng.choice(workdays, n, p=month_weight))
            end_reason = np.where(
                fate == "cleansing", CLEANSING_END_REASON, _picks(rng, END_REASONS[:3], n)
            ).astype(object)
            end_reason[fate == "open"] = ""
            parts.append(
                (
                    start,
                    np.full(n, "drift", dtype=object),
                    _picks(rng, REQUEST_REASONS, n),
                    np.full(n, loc),
                    end,
                    end_reason,
                )
            )
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(6))

    def _assign_children(self, columns):
        w, rng, pop = self.w, self.rng, self.w.pop
        start, kind, reason, locality, end, end_reason = columns
        sources = self._step_down_sources()
        n = len(start)
        proposals = pop.by_age(start, EARLY_HELP_AGE_WEIGHTS, rng)
        self.child = np.empty(n, np.int64)
        for i in range(n):
            day = int(start[i])
            k = -1
            if reason[i] in sources:  # a step-down: the child whose social care work just ended
                days, children = sources[reason[i]]
                lo = bisect.bisect_left(days, day - 30)
                hi = bisect.bisect_right(days, day)
                for _ in range(10):
                    if hi <= lo:
                        break
                    j = children[int(rng.integers(lo, hi))]
                    if self._free(j, day):
                        k = j
                        break
            if k < 0:
                for step in range(0, 2000):
                    j = int(proposals[i]) + (step // 2) * (1 if step % 2 else -1)
                    if 0 <= j < pop.n and self._free(j, day):
                        k = j
                        break
                else:
                    raise RuntimeError("no child free for an early help episode")
            self.child[i] = k
            pop.early_help_until[k] = OPEN if end[i] == NO_DATE else int(end[i])
            pop.involved[k] = True
        self.start = start
        self.kind = kind
        self.reason = reason
        self.locality = np.array(w.localities, dtype=object)[locality.astype(np.int64)]
        self.end = end.astype(np.int64)
        self.end_reason = end_reason
        self.organisation = np.array(ORGANISATIONS, dtype=object)[
            rng.integers(0, len(ORGANISATIONS), n)
        ]
        self.worker = w.workers[rng.integers(0, len(w.workers), n)]

    def _free(self, k: int, day: int) -> bool:
        pop = self.w.pop
        return (
            pop.dob[k] <= day < pop.eighteenth[k]
            and pop.early_help_until[k] < day
            and pop.care_until[k] < day
            and pop.plan_until[k] < day
        )

    def _step_down_sources(self):
        """For each step-down reason: (days, children) of the social care work it follows."""
        front = self.front
        ref_child = np.array(front.ref_child, np.int64)

        def pairs(days, children):
            days = np.asarray(days, np.int64)
            ok = (days != NO_DATE) & (days < OPEN) & (days <= self.w.end_day)
            order = np.argsort(days[ok], kind="stable")
            return days[ok][order].tolist(), np.asarray(children)[ok][order].tolist()

        closes = np.array(front.ref_close, np.int64)
        return {
            STEP_DOWN_IA: pairs(front.ref_initial_auth, ref_child),
            STEP_DOWN_CORE: pairs(front.ref_core_auth, ref_child),
            STEP_DOWN_CIN: pairs(
                np.where(np.array(front.ref_downstream), NO_DATE, closes), ref_child
            ),
            STEP_DOWN_OTHER: pairs(front.contact_date, front.contact_child),
        }


def _picks(rng, table, n: int) -> np.ndarray:
    """``n`` labels drawn from a (label, weight) table."""
    p = np.array([x for _, x in table])
    labels = np.array([label for label, _ in table], dtype=object)
    return labels[rng.choice(len(table), n, p=p / p.sum())]
