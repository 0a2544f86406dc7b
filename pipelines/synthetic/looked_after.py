"""Children looked after: periods of care, episodes, placements and reviews.

A *period of care* (``clae_cla_id``) runs from the day a child starts to be looked after to
the day they leave (home, adoption, special guardianship, or at 18). Within it:

* *placements* follow one another, each ending the day the next starts; moves are frequent in
  the first year and rare afterwards, and some children move far more than others;
* *episodes* change with legal status: about a third of periods have a second episode (e.g.
  an interim care order) that starts with a change of placement, so every episode holds the
  placement that started with it and an episode never ends while its placement carries on.

The children looked after on the first day are the survivors of 17 years of simulated
admissions before it (records kept only for them). Children coming into care during the
period are mostly children whose plan has just ended or who were recently referred.

Two designed cohorts make the seed figures come out:

* *care leavers*: young people whose 18th birthday falls in July/August 2014, so that when
  some of their placements are left unended (planted problems) they inflate the count of
  children looked after in those months, as the seed report describes;
* *long-term stability*: at each month end the report quotes (years ending March 2012 and
  2013, August 2014) the share of long-term looked after children under 16 in the same
  placement for two years is set by changing placement histories inside a window that cannot
  affect the earlier checkpoints, and by adding a few children designed to count at one
  checkpoint only (they are 16 by the next one).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from .calendar import NO_DATE, OPEN, add_months1, month_bounds, to_day
from .calibration import CLA_ENTRY_ANCHORS, CLA_REVIEWS, CLA_STABILITY_LONG
from .child_protection import ChildProtection
from .front_door import FrontDoor
from .reviews import ReviewRules, pinned_windows, schedule_reviews
from .world import World

ENTRY_AGE_WEIGHTS = np.array([12, 5, 5, 4, 4, 4, 3, 3, 3, 3, 4, 4, 5, 6, 7, 7, 4, 1], float)
PLACEMENT_TYPES_YOUNG = (
    ("U4", 0.3),
    ("U5", 0.25),
    ("U6", 0.1),
    ("U1", 0.1),
    ("U3", 0.08),
    ("P1", 0.07),
    ("A5", 0.05),
    ("K2", 0.05),
)
PLACEMENT_TYPES_TEEN = (
    ("U4", 0.25),
    ("U5", 0.2),
    ("U6", 0.1),
    ("U1", 0.08),
    ("K2", 0.17),
    ("H5", 0.12),
    ("P1", 0.05),
    ("R1", 0.03),
)
MOVE_REASONS = ("CARPL", "CREQB", "PLACE", "STAND", "CHILD", "OTHER", "ALLEG")
SHORT_STAY_REASONS = ("E13", "E4A", "E4A", "E41")
MEDIUM_STAY_REASONS = ("E41", "E45", "E4A", "E13", "E12")
AGE_18_REASONS = ("E17", "E5", "E6")
CARE_LEAVER_MONTHS = ("2014-07-01", "2014-08-25")  # 18th birthdays of the designed leavers
CARE_LEAVERS = 18  # x scale


@dataclass(slots=True)
class Period:
    child: int
    start: int
    end: int  # OPEN while still looked after at the extract end
    end_reason: str
    moves: list[int] = field(default_factory=list)  # placement changes (sorted)
    status_change: int = NO_DATE  # second episode (legal status) starts with one of the moves
    referral: int = -1
    need: str = "N1"
    designed: str = ""

    def placement_on(self, day: int) -> int:
        """Start date of the placement the child is in on ``day``."""
        i = bisect.bisect_right(self.moves, day)
        return self.moves[i - 1] if i else self.start

    def open_on(self, day: int) -> bool:
        return self.start <= day and (self.end >= OPEN or self.end > day)


class LookedAfter:
    def __init__(self, world: World, front: FrontDoor, cp: ChildProtection):
        self.w = world
        self.front = front
        self.cp = cp
        self.rng = world.rng("looked_after")
        self.periods: list[Period] = []
        self.stability_children: set[int] = set()
        self.notes: list[str] = []

    # --- admissions ---------------------------------------------------------------------
    def open_caseload(self):
        """Simulate 17 years of admissions before the start; keep those still in care."""
        w, rng, pop = self.w, self.rng, self.w.pop
        rate = min(CLA_ENTRY_ANCHORS.values()) * w.scale  # admissions a month before the period
        first = add_months1(w.start_day, -17 * 12)
        n_months = 17 * 12
        counts = rng.poisson(rate, n_months)
        kept = []
        for m in range(n_months):
            lo = add_months1(first, m)
            hi = add_months1(first, m + 1) - 1
            days = np.sort(rng.integers(lo, hi + 1, counts[m]))
            children = pop.by_age(days, ENTRY_AGE_WEIGHTS, rng)
            for day, k in zip(days.tolist(), children.tolist(), strict=True):
                if not (pop.dob[k] <= day < pop.eighteenth[k]) or pop.care_until[k] >= day:
                    continue
                period = self._new_period(k, day)
                pop.care_until[k] = period.end
                if period.end >= w.start_day:
                    kept.append(period)
                    pop.involved[k] = True
        self.periods.extend(kept)

    def month(self, key: str):
        w, rng = self.w, self.rng
        lo, hi = w.month_bounds(key)
        n = w.schedule.cla_entries[key]
        for day in np.sort(rng.integers(lo, hi + 1, n)).tolist():
            k, ref = self._entrant(day)
            if k >= 0:
                self.periods.append(self._new_period(k, day, referral=ref))
                self.w.pop.care_until[k] = self.periods[-1].end
                self.w.pop.involved[k] = True

    def _entrant(self, day: int) -> tuple[int, int]:
        """A child coming into care: just off a plan, recently referred, or (rarely) new."""
        rng, pop, front = self.rng, self.w.pop, self.front

        def can_enter(k):
            return (
                pop.dob[k] <= day
                and day < int(pop.sixteenth[k]) + 365
                and pop.plan_until[k] < day
                and pop.care_until[k] < day
            )

        u = rng.random()
        if u < 0.30:
            lo = bisect.bisect_left(pop.plan_end_log_day, day - 60)
            hi = bisect.bisect_left(pop.plan_end_log_day, day)
            for _ in range(10):
                if hi <= lo:
                    break
                k = pop.plan_end_log_child[int(rng.integers(lo, hi))]
                if can_enter(k):
                    return k, self._latest_referral(k, day)
        if u < 0.88:
            r = front.referrals_in(day - 120, day - 1)
            for _ in range(10):
                if not len(r):
                    break
                j = r[int(rng.integers(0, len(r)))]
                k = front.ref_child[j]
                if can_enter(k) and not front.ref_nfa[j]:
                    return k, j
        for _ in range(50):
            k = int(pop.by_age(np.array([day]), ENTRY_AGE_WEIGHTS, rng)[0])
            if can_enter(k) and pop.cin_until[k] < day:
                return k, -1
        return -1, -1

    def _latest_referral(self, k: int, day: int) -> int:
        """The child's latest referral if it was in the last year."""
        j = int(self.w.pop.last_referral_index[k])
        return j if j >= 0 and day - 365 <= self.front.ref_date[j] <= day else -1

    def _new_period(
        self, k: int, start: int, referral: int = -1, end: int | None = None, reason: str = ""
    ) -> Period:
        """A period of care: how long, how it ends, its placement moves and episodes."""
        w, rng, pop = self.w, self.rng, self.w.pop
        age = (start - pop.dob[k]) / 365.25
        if end is None:
            u = rng.random()
            short = int(rng.lognormal(np.log(90), 0.7))
            medium = int(rng.lognormal(np.log(430), 0.45))
            if age < 1:
                end, reason = (
                    (start + short, "E13")
                    if u < 0.35
                    else (start + int(rng.integers(420, 900)), "E11")
                )
            elif age < 10:
                if u < 0.38:
                    end, reason = start + short, _one_of(rng, SHORT_STAY_REASONS)
                elif u < 0.66:
                    end, reason = start + medium, _one_of(rng, MEDIUM_STAY_REASONS)
                elif u < 0.84:
                    end, reason = start + int(rng.integers(500, 1300)), "E11"
                else:
                    end = OPEN
            elif age < 16:
                if u < 0.42:
                    end, reason = start + short, _one_of(rng, SHORT_STAY_REASONS)
                elif u < 0.70:
                    end, reason = start + medium, _one_of(rng, MEDIUM_STAY_REASONS)
                else:
                    end = OPEN
            else:
                end, reason = (start + short, "E13") if u < 0.45 else (OPEN, "")
            eighteen = int(pop.eighteenth[k])
            if end >= eighteen:
                end, reason = eighteen, _one_of(rng, AGE_18_REASONS)
        if end > w.end_day:
            end, reason = OPEN, ""
        period = Period(child=k, start=start, end=end, end_reason=reason, referral=referral)
        period.need = _one_of(rng, ("N1", "N1", "N1", "N2", "N4", "N5", "N8"))
        stop = min(end, w.end_day) if end < OPEN else w.end_day
        period.moves = self._moves(start, stop)
        if rng.random() < 0.35:
            day = start + int(rng.integers(14, 181))
            if day < stop:
                period.status_change = day
                period.moves = sorted(set(period.moves) | {day})
        return period

    def _moves(self, start: int, stop: int) -> list[int]:
        """Placement changes: often in the first year, rarely after; some children move a lot."""
        rng = self.rng
        frailty = rng.gamma(0.8, 1 / 0.8)
        first_year_end = min(start + 365, stop)
        n1 = rng.poisson(1.3 * frailty * max(first_year_end - start, 0) / 365)
        n2 = rng.poisson(0.2 * frailty * max(stop - start - 365, 0) / 365)
        days = list(rng.integers(start + 7, max(first_year_end, start + 8), n1)) + list(
            rng.integers(start + 365, max(stop, start + 366), n2)
        )
        moves = []
        for d in sorted(int(x) for x in days):
            if d < stop and (not moves or d - moves[-1] >= 7):
                moves.append(d)
        return moves

    # --- designed cohorts -----------------------------------------------------------------
    def add_care_leavers(self):
        """Young people in care who turn 18 in July/August 2014 (see module docstring)."""
        w, rng, pop = self.w, self.rng, self.w.pop
        lo, hi = to_day(CARE_LEAVER_MONTHS[0]), to_day(CARE_LEAVER_MONTHS[1])
        if not (w.start_day <= lo and hi <= w.end_day):
            return
        for _ in range(w.scaled(CARE_LEAVERS)):
            birthday = int(rng.integers(lo, hi + 1))
            k = self._child_turning_18_on_or_near(birthday)
            eighteen = int(pop.eighteenth[k])
            earliest = max(w.start_day, to_day("2011-10-01"), add_months1(eighteen, -12 * 4))
            start = int(rng.integers(earliest, min(to_day("2014-03-31"), eighteen - 120)))
            period = self._new_period(
                k, start, end=eighteen, reason=str(rng.choice(AGE_18_REASONS))
            )
            period.designed = "care_leaver"
            self.periods.append(period)
            pop.care_until[k] = period.end
            pop.involved[k] = True

    def _child_turning_18_on_or_near(self, birthday: int) -> int:
        pop = self.w.pop
        dob = add_months1(birthday, -216)
        return pop.with_dob_between(dob - 3, dob + 3, self.rng)

    def calibrate_stability(self):
        """Set the long-term placement stability at the seed report's month ends."""
        w = self.w
        rng = w.rng("stability")
        prev_c = None
        keys = [k for k in sorted(CLA_STABILITY_LONG) if k in w.schedule.full_months]
        for n_key, key in enumerate(keys):
            c = month_bounds(key)[1]
            last = n_key == len(keys) - 1
            self._calibrate_one(c, CLA_STABILITY_LONG[key], prev_c, last, rng)
            prev_c = c
        for key in keys:
            c = month_bounds(key)[1]
            self.stability_children.update(p.child for p in self._long_term(c))

    def _long_term(self, c: int) -> list[Period]:
        pop = self.w.pop
        c30 = add_months1(c, -30)
        return [
            p
            for p in self.periods
            if p.open_on(c) and p.start <= c30 and pop.sixteenth[p.child] > c
        ]

    def _calibrate_one(self, c: int, pct: float, prev_c: int | None, last: bool, rng):
        c24 = add_months1(c, -24)
        members = self._long_term(c)
        stable = [p for p in members if p.placement_on(c) <= c24]
        unstable = [p for p in members if p.placement_on(c) > c24]
        # Unstable children whose recent moves all fall after the previous checkpoint can have
        # them undone without changing what the earlier checkpoint saw.
        floor = c24 if prev_c is None else max(c24, prev_c)
        fixable = [p for p in unstable if all(m > floor for m in p.moves if c24 < m <= c)]
        d, n = len(members), len(stable)
        # Denominator: the fewest designed additions giving an (almost) exact figure; designed
        # children can be made stable, the rest of any shortfall comes from undoing moves.
        options = []
        for extra in range(16):
            size = d + extra
            if size == 0:
                continue
            target = int(round(pct / 100 * size))
            error = abs(target / size * 100 - pct)
            need_stable = target - n
            if need_stable - extra <= len(fixable) and need_stable >= -n:
                options.append((error >= 0.05, error if error >= 0.05 else extra, extra, target))
        if not options:
            raise RuntimeError(f"cannot calibrate placement stability at day {c}")
        best = min(options)
        _, _, extra, target = best
        need = target - n
        add_stable = min(extra, max(need, 0))
        need -= add_stable
        for j in range(extra):
            self._designed_long_term(c, prev_c, last, stable=j < add_stable, rng=rng)
        if need > 0:
            for p in [fixable[i] for i in rng.choice(len(fixable), need, replace=False)]:
                removed = {m for m in p.moves if c24 < m <= c}
                p.moves = [m for m in p.moves if m not in removed]
                if p.status_change in removed:
                    p.status_change = NO_DATE
        elif need < 0:
            for p in [stable[i] for i in rng.choice(len(stable), -need, replace=False)]:
                lo = max(floor, p.placement_on(c), p.start) + 1
                day = int(rng.integers(lo, c + 1))
                p.moves = sorted(set(p.moves) | {day})

    def _designed_long_term(self, c: int, prev_c: int | None, last: bool, stable: bool, rng):
        """A child who counts at checkpoint ``c`` only (16 by the next, new since the last)."""
        w, pop = self.w, self.w.pop
        if last:
            age_days = int(rng.integers(8 * 365, int(15.5 * 365)))
        else:
            age_days = int(rng.integers(15 * 365 + 10, 16 * 365 - 20))
        k = pop.with_dob_between(c - age_days - 20, c - age_days + 20, rng)
        hi = add_months1(c, -30)
        lo = add_months1(prev_c, -30) + 1 if prev_c is not None else add_months1(c, -72)
        lo = max(lo, int(pop.dob[k]) + 60)
        start = int(rng.integers(lo, hi + 1))
        eighteen = int(pop.eighteenth[k])
        period = Period(
            child=k, start=start, end=eighteen if eighteen <= w.end_day else OPEN, end_reason=""
        )
        if period.end < OPEN:
            period.end_reason = str(rng.choice(AGE_18_REASONS))
        c24 = add_months1(c, -24)
        if stable:
            early = [start + int(rng.integers(20, 300))] if rng.random() < 0.5 else []
            period.moves = [m for m in early if m <= c24]
        else:
            floor = c24 if prev_c is None else max(c24, prev_c)
            period.moves = [int(rng.integers(max(floor, start) + 1, c + 1))]
        period.designed = "stability"
        period.need = "N1"
        self.periods.append(period)
        pop.care_until[k] = period.end
        pop.involved[k] = True

    # --- reviews and tables ---------------------------------------------------------------
    def finish(self):
        w, cal = self.w, self.w.cal
        self.periods.sort(key=lambda p: (p.start, p.child))
        starts = np.array([p.start for p in self.periods], np.int64)
        stops = np.array([p.end if p.end < OPEN else w.end_day + 1 for p in self.periods], np.int64)
        rng = w.rng("cla_reviews")

        def due(ordinal, start, prev):
            if ordinal == 0:
                return cal.add1(start, 20)
            return add_months1(prev, 3 if ordinal == 1 else 6)

        def natural(ordinal, start, prev, due_day, rng):
            if ordinal == 0:
                k = int(rng.integers(7, 21)) if rng.random() < 0.93 else int(rng.integers(21, 36))
                return cal.add1(start, k)
            if rng.random() < 0.94:
                day = cal.on_or_before1(due_day - int(rng.integers(0, 22)))
                return day if day > prev else cal.on_or_before1(due_day)
            return cal.on_or_after1(due_day + int(rng.integers(1, 29)))

        rules = ReviewRules(due=due, natural=natural, early_days=80)
        item, dues, held, _, notes = schedule_reviews(
            cal, starts, stops, rules, rng, w.end_day, pinned_windows(w, CLA_REVIEWS)
        )
        self.notes += [f"CLA reviews {n}" for n in notes]
        order = np.lexsort((np.array(item), np.array(held)))
        self.review_period = np.array(item, np.int64)[order]
        self.review_due = np.array(dues, np.int64)[order]
        self.review_date = np.array(held, np.int64)[order]


def _one_of(rng, options) -> str:
    return options[int(rng.integers(0, len(options)))]
