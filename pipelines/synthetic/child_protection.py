"""Section 47 enquiries, initial conferences, child protection plans, reviews and visits.

Each month: the scheduled number of strategy discussions start S47 enquiries on that month's
referrals; the scheduled number of initial conferences (ICPCs) are held on recent S47s (most
within 15 working days), plus a few conferences for children transferring in from another
authority (no S47 here); nine in ten conferences start a plan that day.

Plans end so that the number of children on plans at each month end follows the schedule's
path, which passes exactly through the seed report's snapshots (250 in April 2014, 198 in
August 2014). Which plans end is drawn by plan age: few in the first three months, most
between six and eighteen, a few run past two years.

Review conferences: the first within 3 months of the plan start, then every 6 months (quota
in June-August 2014, see ``reviews``). Visits: every 5-10 working days, with the occasional
longer gap, child seen at nearly all of them; at the two month ends the report quotes the
share of children seen in the last 10 working days is set exactly.
"""

from __future__ import annotations

import bisect

import numpy as np

from .calendar import NO_DATE, OPEN, add_months1, from_day, month_bounds
from .calibration import CP_REVIEWS, CP_VISITS_TIMELY, ICPC_HELD
from .front_door import FrontDoor
from .reviews import ReviewRules, pinned_windows, schedule_reviews
from .world import World

CATEGORIES = (
    ("Neglect", 0.46),
    ("Emotional abuse", 0.34),
    ("Physical abuse", 0.10),
    ("Sexual abuse", 0.05),
    ("Multiple", 0.05),
)
_CATEGORY_CUMULATIVE = np.cumsum([x for _, x in CATEGORIES])[:-1].tolist()
ICPC_TIMELY_SHARE = 0.84
PLAN_FROM_ICPC = 0.9
REPEAT_SHARE = 0.17


def _plan_end_weight(age_days: np.ndarray) -> np.ndarray:
    """How likely a plan of this age is to end this month (relative)."""
    return np.select(
        [age_days < 90, age_days < 180, age_days < 540, age_days < 730],
        [0.12, 0.6, 1.0, 0.8],
        0.45,
    )


class ChildProtection:
    def __init__(self, world: World, front: FrontDoor):
        self.w = world
        self.front = front
        self.rng = world.rng("child_protection")
        # S47 enquiries
        self.s47_ref: list[int] = []
        self.s47_child: list[int] = []
        self.s47_start: list[int] = []
        self.s47_end: list[int] = []
        self.s47_icpc: list[int] = []
        self.s47_worker: list[str] = []
        # initial conferences
        self.icpc_s47: list[int] = []
        self.icpc_ref: list[int] = []
        self.icpc_child: list[int] = []
        self.icpc_date: list[int] = []
        self.icpc_target: list[int] = []
        self.icpc_transfer: list[bool] = []
        self.icpc_plan: list[int] = []
        self.icpc_worker: list[str] = []
        # plans
        self.plan_icpc: list[int] = []
        self.plan_ref: list[int] = []
        self.plan_child: list[int] = []
        self.plan_start: list[int] = []
        self.plan_end: list[int] = []
        self.plan_category: list[str] = []
        self.plan_latest: list[str] = []
        self.open_plans: list[int] = []
        self._pending_s47: list[int] = []
        self.notes: list[str] = []

    # ------------------------------------------------------------------------------------
    def opening_plans(self) -> np.ndarray:
        """Referral dates for the plans already running on the first day (caseload)."""
        w, rng, cal = self.w, self.rng, self.w.cal
        n = w.schedule.cp_stock_opening
        age = np.clip(rng.gamma(1.3, 230, n), 20, 1100).astype(np.int64)
        plan_start = cal.on_or_before(w.start_day - age)
        s47_start = cal.workdays[cal.rank(plan_start) - rng.integers(4, 19, n)]
        ref_date = s47_start - rng.integers(0, 4, n)
        order = np.argsort(ref_date, kind="stable")
        self._opening = (ref_date[order], s47_start[order], plan_start[order])
        return ref_date[order]

    def open_caseload(self, refs: np.ndarray):
        """Create the S47s, conferences and plans behind the opening caseload's referrals."""
        _, s47_start, plan_start = self._opening
        for ref, s47_day, start in zip(refs, s47_start, plan_start, strict=True):
            ref = int(ref)
            s = self._add_s47(ref, int(s47_day))
            self._add_icpc(s, ref, int(start), transfer_in=False, plan=True)
        self.front_close_open(refs)

    def front_close_open(self, refs):
        for ref in refs:
            self.front.ref_close[int(ref)] = OPEN
            self.w.pop.cin_until[self.front.ref_child[int(ref)]] = OPEN

    # ------------------------------------------------------------------------------------
    def month(self, key: str):
        w, rng, cal, pop, front = self.w, self.rng, self.w.cal, self.w.pop, self.front
        lo, hi = w.month_bounds(key)

        # 1. S47 enquiries on this month's assessed referrals (children free of plans/care).
        refs = [
            r
            for r in front.referrals_in(lo, hi)
            if not front.ref_nfa[r] and not front.ref_downstream[r]
        ]
        refs = [
            r
            for r in refs
            if not pop.on_plan(front.ref_child[r], front.ref_date[r])
            and not pop.in_care(front.ref_child[r], front.ref_date[r])
        ]
        n_s47 = min(w.schedule.s47[key], len(refs))
        if n_s47:
            # Children who had a plan before: weighted so that about REPEAT_SHARE of enquiries are
            # about them, however many of them there are (keeps second plans near 15-20%).
            former = np.array([pop.last_plan_end[front.ref_child[r]] != NO_DATE for r in refs])
            boost = REPEAT_SHARE * (~former).sum() / ((1 - REPEAT_SHARE) * max(former.sum(), 1))
            weight = np.where(former, np.clip(boost, 0.5, 8.0), 1.0)
            chosen = rng.choice(len(refs), n_s47, replace=False, p=weight / weight.sum())
            for j in sorted(chosen):
                r = refs[j]
                k = int(rng.integers(0, 3))
                start = front.ref_date[r] if k == 0 else cal.add1(front.ref_date[r], k)
                start = min(start, w.end_day)
                s = self._add_s47(r, start)
                self._pending_s47.append(s)

        # 2. Initial conferences on recent S47s, plus transfer-ins.
        n_icpc = w.schedule.icpc[key]
        n_transfer = min(w.schedule.icpc_transfer_in[key], n_icpc)
        pinned_icpc = key in ICPC_HELD and key in w.schedule.full_months
        self._hold_icpcs(n_icpc - n_transfer, lo, hi, report_shortfall=pinned_icpc)
        self._transfer_ins(n_transfer, lo, hi)
        self._pending_s47 = [
            s for s in self._pending_s47 if self.s47_icpc[s] < 0 and self.s47_start[s] >= lo - 45
        ]

        # 3. End plans so the month-end stock follows the schedule.
        target = w.schedule.cp_stock[key]
        to_end = len(self.open_plans) - target
        eligible = [p for p in self.open_plans if self.plan_start[p] < lo]
        pinned = key in w.schedule.pinned_cp_stock
        if to_end < 0 or to_end > len(eligible):
            # A pinned stock is reached at the calibrated defaults (a test proves it); a tiny
            # or re-periodised authority may not have the caseload for it, so it says so in
            # the summary's notes rather than failing the whole generation.
            if pinned:
                self.notes.append(f"CP plans open at the end of {key}: wanted {target}")
            to_end = min(max(to_end, 0), len(eligible))
        if to_end:
            age = (lo + hi) // 2 - np.array([self.plan_start[p] for p in eligible])
            weight = _plan_end_weight(age)
            chosen = rng.choice(len(eligible), to_end, replace=False, p=weight / weight.sum())
            workdays = cal.in_range(lo, hi)
            ends = np.sort(workdays[rng.integers(0, len(workdays), to_end)])
            for p, end in zip((eligible[j] for j in chosen), ends, strict=True):
                self._end_plan(p, int(end))
            ended = set(eligible[j] for j in chosen)
            self.open_plans = [p for p in self.open_plans if p not in ended]

    def _hold_icpcs(self, n: int, lo: int, hi: int, report_shortfall: bool):
        """Hold ``n`` conferences this month on recent S47s, most within 15 working days."""
        rng, cal, pop = self.rng, self.w.cal, self.w.pop
        timely, late = [], []  # (s47, first possible day, last possible day)
        for s in self._pending_s47:
            if self.s47_icpc[s] >= 0:
                continue
            start = self.s47_start[s]
            first = max(lo, cal.add1(start, 2))
            last = min(hi, cal.add1(start, 30))
            if not cal.count1(first, last):
                continue
            child = self.s47_child[s]
            if pop.on_plan(child, first) or pop.in_care(child, first):
                continue
            timely_last = min(last, cal.add1(start, 15))
            if cal.count1(first, timely_last):
                timely.append((s, first, timely_last))
            late_first = max(first, cal.add1(start, 16))
            if cal.count1(late_first, last):
                late.append((s, late_first, last))
        n_timely = min(int(rng.binomial(n, ICPC_TIMELY_SHARE)), len(timely))
        chosen = (
            [timely[j] for j in rng.choice(len(timely), n_timely, replace=False)]
            if n_timely
            else []
        )
        taken = {c[0] for c in chosen}
        late = [c for c in late if c[0] not in taken]
        n_late = min(n - n_timely, len(late))
        chosen += [late[j] for j in rng.choice(len(late), n_late, replace=False)] if n_late else []
        if len(chosen) < n:  # not enough late ones: more timely ones instead
            spare = [c for c in timely if c[0] not in {x[0] for x in chosen}]
            extra = min(n - len(chosen), len(spare))
            chosen += (
                [spare[j] for j in rng.choice(len(spare), extra, replace=False)] if extra else []
            )
        for s, first, last in sorted(chosen):
            day = cal.pick1(first, last, rng.random())
            self._add_icpc(
                s, self.s47_ref[s], day, transfer_in=False, plan=rng.random() < PLAN_FROM_ICPC
            )
        if len(chosen) < n and report_shortfall:
            self.notes.append(f"ICPCs held {from_day(lo):%Y-%m}: {len(chosen)}/{n}")

    def _transfer_ins(self, n: int, lo: int, hi: int):
        rng, cal, pop, front = self.rng, self.w.cal, self.w.pop, self.front
        refs = [
            r
            for r in front.referrals_in(lo, hi)
            if not front.ref_nfa[r] and not front.ref_downstream[r]
        ]
        refs = [
            r
            for r in refs
            if pop.plan_until[front.ref_child[r]] < front.ref_date[r]
            and pop.care_until[front.ref_child[r]] < front.ref_date[r]
        ]
        if not refs or n == 0:
            return
        for j in sorted(rng.choice(len(refs), min(n, len(refs)), replace=False)):
            r = refs[j]
            day = cal.add1(front.ref_date[r], int(rng.integers(3, 11)))
            day = min(day, cal.on_or_before1(hi))
            day = max(day, front.ref_date[r])
            self._add_icpc(-1, r, day, transfer_in=True, plan=True)

    # ------------------------------------------------------------------------------------
    def _add_s47(self, ref: int, start: int) -> int:
        w, rng, cal, front = self.w, self.rng, self.w.cal, self.front
        s = len(self.s47_ref)
        end = cal.add1(start, int(rng.integers(3, 16)))
        self.s47_ref.append(ref)
        self.s47_child.append(front.ref_child[ref])
        self.s47_start.append(start)
        self.s47_end.append(end)
        self.s47_icpc.append(-1)
        self.s47_worker.append(w.workers[int(rng.integers(0, len(w.workers)))])
        front.ref_downstream[ref] = True
        # The CIN episode stays open at least until a conference could have been held.
        close = cal.add1(start, 40) + int(rng.integers(5, 61))
        if front.ref_close[ref] < close:
            front.ref_close[ref] = close
        w.pop.cin_until[front.ref_child[ref]] = max(
            w.pop.cin_until[front.ref_child[ref]], front.ref_close[ref]
        )
        return s

    def _add_icpc(self, s47: int, ref: int, day: int, transfer_in: bool, plan: bool):
        w, rng, cal, front, pop = self.w, self.rng, self.w.cal, self.front, self.w.pop
        child = front.ref_child[ref]
        c = len(self.icpc_ref)
        self.icpc_s47.append(s47)
        self.icpc_ref.append(ref)
        self.icpc_child.append(child)
        self.icpc_date.append(day)
        self.icpc_target.append(cal.add1(self.s47_start[s47], 15) if s47 >= 0 else NO_DATE)
        self.icpc_transfer.append(transfer_in)
        self.icpc_worker.append(w.workers[int(rng.integers(0, len(w.workers)))])
        front.ref_downstream[ref] = True
        if s47 >= 0:
            self.s47_icpc[s47] = c
            self.s47_end[s47] = min(self.s47_end[s47], day)
        if plan:
            p = len(self.plan_child)
            self.icpc_plan.append(p)
            cat = CATEGORIES[bisect.bisect_right(_CATEGORY_CUMULATIVE, rng.random())][0]
            self.plan_icpc.append(c)
            self.plan_ref.append(ref)
            self.plan_child.append(child)
            self.plan_start.append(day)
            self.plan_end.append(OPEN)
            self.plan_category.append(cat)
            self.plan_latest.append(
                cat if rng.random() < 0.85 else CATEGORIES[int(rng.integers(0, 4))][0]
            )
            self.open_plans.append(p)
            pop.plan_until[child] = OPEN
            pop.cin_until[child] = OPEN
            front.ref_close[ref] = OPEN
        else:
            self.icpc_plan.append(-1)
            close = day + int(rng.integers(10, 91))
            front.ref_close[ref] = max(front.ref_close[ref], close)
            pop.cin_until[child] = max(pop.cin_until[child], front.ref_close[ref])

    def _end_plan(self, p: int, day: int):
        rng, pop, front = self.rng, self.w.pop, self.front
        child = self.plan_child[p]
        self.plan_end[p] = day
        pop.plan_until[child] = day
        pop.last_plan_end[child] = day
        pop.log_plan_end(day, child)
        close = day + int(rng.integers(10, 121))
        front.ref_close[self.plan_ref[p]] = close
        pop.cin_until[child] = close

    # ------------------------------------------------------------------------------------
    def finish(self):
        """Reviews and visits, once every plan's dates are known."""
        w = self.w
        starts = np.array(self.plan_start, np.int64)
        ends = np.array(self.plan_end, np.int64)
        stops = np.where(ends >= OPEN, w.end_day + 1, ends)
        self._reviews(starts, stops)
        self._visits(starts, stops)

    def _reviews(self, starts, stops):
        w, cal = self.w, self.w.cal
        rng = w.rng("cp_reviews")

        def due(ordinal, start, prev):
            return add_months1(start, 3) if ordinal == 0 else add_months1(prev, 6)

        def natural(ordinal, start, prev, due_day, rng):
            if rng.random() < 0.94:
                day = cal.on_or_before1(due_day - int(rng.integers(0, 22)))
                return day if day > prev else cal.on_or_before1(due_day)
            return cal.on_or_after1(due_day + int(rng.integers(1, 29)))

        windows = pinned_windows(w, CP_REVIEWS)
        rules = ReviewRules(due=due, natural=natural, early_days=45, final_share=0.8)
        item, due_days, held, final, notes = schedule_reviews(
            cal, starts, stops, rules, rng, w.end_day, windows
        )
        self.notes += [f"CP reviews {n}" for n in notes]
        order = np.lexsort((np.array(item), np.array(held)))
        self.review_plan = np.array(item, np.int64)[order]
        self.review_due = np.array(due_days, np.int64)[order]
        self.review_date = np.array(held, np.int64)[order]
        self.review_ends_plan = np.array(final, bool)[order]

    def _visits(self, starts, stops):
        """Visits every 5-10 working days from the plan start while the plan is open."""
        w, cal = self.w, self.w.cal
        rng = w.rng("cp_visits")
        last_day = np.minimum(stops - 1, w.end_day)
        start_idx = cal.rank(starts) - 1  # plans start on working days: their list position
        last_idx = cal.rank(last_day) - 1
        span = np.maximum(last_idx - start_idx, 0)
        n_draws = span // 5 + 2  # enough gaps to cover the plan at the shortest interval
        first = np.cumsum(n_draws) - n_draws  # where each plan's gaps begin
        gaps = np.where(
            rng.random(int(n_draws.sum())) < 0.92,
            rng.integers(5, 11, int(n_draws.sum())),
            rng.integers(11, 19, int(n_draws.sum())),
        )
        gaps[first] = rng.integers(1, 6, len(starts))  # first visit within a week of the plan
        running = np.cumsum(gaps)
        before_plan = np.repeat(running[first] - gaps[first], n_draws)
        plan_of = np.repeat(np.arange(len(starts)), n_draws)
        pos = start_idx[plan_of] + running - before_plan
        keep = pos <= last_idx[plan_of]
        plan_of, pos = plan_of[keep], pos[keep]
        self.visit_plan = plan_of
        self.visit_date = cal.workdays[pos]
        self.visit_seen = np.where(rng.random(len(pos)) < 0.955, "Y", "N").astype(object)
        for key, pct in CP_VISITS_TIMELY.items():
            if key in w.schedule.full_months:
                self._set_visit_rate(key, pct, starts, stops, rng)
        order = np.lexsort((self.visit_plan, self.visit_date))
        self.visit_plan = self.visit_plan[order]
        self.visit_date = self.visit_date[order]
        self.visit_seen = self.visit_seen[order]

    def _set_visit_rate(self, key: str, pct: float, starts, stops, rng):
        """Make exactly round(pct% x eligible) children seen in the 10 working days to month end."""
        cal = self.w.cal
        _, month_end = month_bounds(key)
        on_plan = (starts <= month_end) & (stops > month_end)
        eligible = np.flatnonzero(on_plan & (cal.between(starts, month_end) >= 10))
        # working_days(visit, month_end) <= 10: the 10 working days before, and the day itself
        window = cal.workdays[cal.rank(month_end) - 11 : cal.rank(month_end)]
        in_window = (self.visit_date >= window[0]) & (self.visit_date <= month_end)
        seen_now = in_window & (self.visit_seen == "Y")
        compliant = np.zeros(len(starts), bool)
        compliant[self.visit_plan[seen_now]] = True
        target = int(round(pct / 100 * len(eligible)))
        have = np.flatnonzero(compliant[eligible])
        lacking = np.flatnonzero(~compliant[eligible])
        if len(have) > target:  # some children were not seen after all (visit recorded unseen)
            drop = eligible[rng.choice(have, len(have) - target, replace=False)]
            mask = in_window & np.isin(self.visit_plan, drop)
            self.visit_seen[mask] = "N"
        elif len(have) < target:  # a visit was made and the child seen
            add = eligible[rng.choice(lacking, target - len(have), replace=False)]
            new_dates = window[rng.integers(0, len(window), len(add))]
            new_dates = np.maximum(new_dates, starts[add] + 1)
            self.visit_plan = np.concatenate([self.visit_plan, add])
            self.visit_date = np.concatenate([self.visit_date, cal.on_or_after(new_dates)])
            self.visit_seen = np.concatenate(
                [self.visit_seen, np.array(["Y"] * len(add), dtype=object)]
            )
