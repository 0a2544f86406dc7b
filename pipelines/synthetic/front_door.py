"""Contacts, referrals (CIN episodes) and assessments.

Every referral is a contact that the MASH converted on the day it arrived, so the monthly
contact and referral counts come straight from the schedule (both are pinned in the seed
months). Each referral then either closes with no further action or is assessed:

* up to March 2014 an *initial* assessment (authorised within 10 working days of the referral
  about four times in five), followed for about 45% by a *core* assessment starting the day the
  initial one was authorised (35 working days is the standard; a few take more than 60);
* from April 2014 a growing share of referrals (a single assessment pilot, all by April 2015)
  get one *single* assessment instead (45 working days from the referral).

A child is re-referred within a year about one time in five (only after the earlier episode
closed), and children who had a child protection plan before come back now and then, which
is what makes second plans (``cp_repeat``) happen.
"""

from __future__ import annotations

import bisect

import numpy as np

from .calendar import NO_DATE, OPEN, to_day
from .people import CONTACT_AGE_WEIGHTS, REFERRAL_AGE_WEIGHTS
from .world import World

SOURCES = (
    ("5A", "Police", 0.28),
    ("3A", "Schools", 0.18),
    ("2B", "Health services - A&E", 0.06),
    ("2A", "Health services - GP", 0.09),
    ("4", "LA services", 0.10),
    ("1A", "Individual - family member/relative/carer", 0.12),
    ("6", "Legal agency", 0.03),
    ("8", "Anonymous", 0.04),
    ("7", "Other", 0.10),
)
NEED_CODES = (
    ("N1", 0.55),
    ("N2", 0.05),
    ("N3", 0.05),
    ("N4", 0.15),
    ("N5", 0.12),
    ("N6", 0.03),
    ("N7", 0.01),
    ("N8", 0.02),
    ("N9", 0.02),
)
CONTACT_OUTCOMES = (
    '{"outcome": "Advice and information"}',
    '{"outcome": "Signposted to early help"}',
    '{"outcome": "No further action"}',
    '{"outcome": "Passed to another local authority"}',
)
REFERRED = '{"outcome": "Referral to children\'s social care"}'

SINGLE_ASSESSMENT_FROM = to_day("2014-04-01")  # pilot starts
SINGLE_ASSESSMENT_ALL = to_day("2015-04-01")  # every referral by then
RE_REFERRAL_SHARE = 0.19
FORMER_PLAN_SHARE = 0.025  # referrals about a child who had a plan before
CORE_SHARE = 0.45


def _choice(rng, table, n):
    p = np.array([row[-1] for row in table], float)
    return rng.choice(len(table), n, p=p / p.sum())


class FrontDoor:
    def __init__(self, world: World):
        self.w = world
        self.rng = world.rng("front_door")
        # contacts
        self.contact_date: list[int] = []
        self.contact_child: list[int] = []
        self.contact_source: list[int] = []
        self.contact_outcome: list[str] = []
        # referrals (one CIN episode each)
        self.ref_date: list[int] = []
        self.ref_child: list[int] = []
        self.ref_source: list[int] = []
        self.ref_need: list[str] = []
        self.ref_nfa: list[bool] = []
        self.ref_close: list[int] = []  # OPEN until known; may be pushed out by S47/plans
        self.ref_close_reason: list[str] = []
        self.ref_team: list[str] = []
        self.ref_worker: list[str] = []
        self.ref_downstream: list[bool] = []  # has an S47, ICPC, plan or period of care
        # assessments
        self.asm_ref: list[int] = []
        self.asm_type: list[str] = []
        self.asm_start: list[int] = []
        self.asm_auth: list[int] = []
        self.asm_seen: list[str] = []
        self.asm_nfa: list[str] = []
        self.asm_team: list[str] = []
        self.ref_last_auth: list[int] = []  # last assessment authorised (NO_DATE if none)
        self.ref_initial_auth: list[int] = []
        self.ref_core_auth: list[int] = []

    # ------------------------------------------------------------------------------------
    def open_caseload(self, plan_referral_dates: np.ndarray) -> np.ndarray:
        """Referrals already open on the first day; returns the indices of those whose child is
        already on a plan (dates given by child protection), in the order given."""
        w, rng = self.w, self.rng
        n = w.scaled(300)  # open CIN cases referred in the last 9 months, closing soon
        cin_dates = rng.integers(w.start_day - 270, w.start_day, n)
        cin_close = rng.integers(w.start_day, w.start_day + 200, n)
        plan_dates = np.asarray(plan_referral_dates, np.int64)
        dates = np.concatenate([cin_dates, plan_dates])
        closes = np.concatenate([cin_close, np.full(len(plan_dates), OPEN)])
        order = np.argsort(dates, kind="stable")
        first = len(self.ref_date)
        self._add_referrals(dates[order], forced_assessed=True, forced_close=closes[order])
        position = np.empty(len(order), np.int64)
        position[order] = np.arange(len(order))
        return first + position[n:]

    def month(self, key: str):
        w, rng = self.w, self.rng
        lo, hi = w.month_bounds(key)
        n_contacts = w.schedule.contacts[key]
        n_referrals = w.schedule.referrals[key]
        # Contacts arrive on working days, with a few at weekends (police, out of hours).
        workdays = w.cal.in_range(lo, hi)
        weekend = rng.random(n_contacts) < 0.05
        dates = np.where(
            weekend,
            rng.integers(lo, hi + 1, n_contacts),
            workdays[rng.integers(0, len(workdays), n_contacts)],
        )
        dates.sort()
        converted = np.zeros(n_contacts, bool)
        converted[rng.choice(n_contacts, n_referrals, replace=False)] = True

        first_ref = len(self.ref_date)
        self._add_referrals(dates[converted])
        children = np.empty(n_contacts, np.int64)
        children[converted] = self.ref_child[first_ref:]
        others = ~converted
        children[others] = w.pop.by_age(dates[others], CONTACT_AGE_WEIGHTS, rng)
        sources = _choice(rng, SOURCES, n_contacts)
        sources[converted] = self.ref_source[first_ref:]
        outcomes = np.array(CONTACT_OUTCOMES, dtype=object)[
            rng.integers(0, len(CONTACT_OUTCOMES), n_contacts)
        ]
        outcomes[converted] = REFERRED
        w.pop.involved[children] = True
        self.contact_date.extend(dates.tolist())
        self.contact_child.extend(children.tolist())
        self.contact_source.extend(sources.tolist())
        self.contact_outcome.extend(outcomes.tolist())

    # ------------------------------------------------------------------------------------
    def _add_referrals(self, dates, forced_assessed=False, forced_close=None):
        """Referrals on ``dates`` (sorted): their path, assessments and children."""
        w, rng, cal = self.w, self.rng, self.w.cal
        n = len(dates)
        if n == 0:
            return
        dates = np.asarray(dates, np.int64)
        progress = np.clip(
            (dates - to_day("2011-04-01")) / (to_day("2014-08-31") - to_day("2011-04-01")), 0, 1
        )
        # MASH: more referrals closed without assessment as thresholds were applied.
        nfa = (rng.random(n) < 0.15 + 0.20 * progress) & (not forced_assessed)
        single_share = np.clip(
            (dates - SINGLE_ASSESSMENT_FROM) / (SINGLE_ASSESSMENT_ALL - SINGLE_ASSESSMENT_FROM),
            0,
            1,
        )
        single_share = np.where(
            dates >= SINGLE_ASSESSMENT_FROM, np.maximum(single_share, 0.25), 0.0
        )
        single = ~nfa & (rng.random(n) < single_share)
        initial = ~nfa & ~single
        core = initial & (rng.random(n) < CORE_SHARE)

        # Initial assessment timeliness dips in the summer (leave, capacity).
        month = (dates.astype("M8[D]").astype("M8[M]").astype(np.int64) % 12) + 1
        p_timely = np.clip(
            0.83 - 0.09 * np.isin(month, (7, 8)) + rng.normal(0, 0.03, n), 0.55, 0.95
        )
        ia_days = np.where(
            rng.random(n) < p_timely, rng.integers(2, 11, n), rng.integers(11, 23, n)
        )
        ia_auth = cal.add(dates, ia_days)
        u = rng.random(n)
        ca_days = np.where(
            u < 0.76,
            rng.integers(15, 36, n),
            np.where(u < 0.95, rng.integers(36, 61, n), rng.integers(61, 86, n)),
        )
        ca_auth = cal.add(ia_auth, ca_days)
        sa_days = np.where(rng.random(n) < 0.8, rng.integers(10, 46, n), rng.integers(46, 66, n))
        sa_auth = cal.add(dates, sa_days)

        end = w.end_day
        ia_auth = np.where(initial, ia_auth, NO_DATE)
        ia_auth = np.where(ia_auth > end, NO_DATE, ia_auth)
        core &= ia_auth != NO_DATE  # a core assessment starts only once the initial one is done
        ca_auth = np.where(core, ca_auth, NO_DATE)
        ca_auth = np.where(ca_auth > end, OPEN, ca_auth)
        sa_auth = np.where(single, sa_auth, NO_DATE)
        sa_auth = np.where(sa_auth > end, OPEN, sa_auth)
        ia_auth_open = np.where(initial & (ia_auth == NO_DATE), OPEN, ia_auth)
        last_auth = np.maximum.reduce([ia_auth_open, ca_auth, sa_auth])  # OPEN if in progress

        close = np.where(
            nfa,
            dates + rng.integers(0, 4, n),
            np.where(last_auth >= OPEN, OPEN, last_auth + rng.integers(5, 151, n)),
        )
        if forced_close is not None:
            close = np.maximum(
                np.asarray(forced_close, np.int64), np.where(last_auth >= OPEN, 0, last_auth) + 5
            )

        children = self._children_for(dates, close)
        first = len(self.ref_date)
        sources = _choice(rng, SOURCES, n)
        needs = np.array([c for c, _ in NEED_CODES], dtype=object)[_choice(rng, NEED_CODES, n)]
        self.ref_date.extend(dates.tolist())
        self.ref_child.extend(children.tolist())
        self.ref_source.extend(sources.tolist())
        self.ref_need.extend(needs.tolist())
        self.ref_nfa.extend(nfa.tolist())
        self.ref_close.extend(close.tolist())
        self.ref_close_reason.extend(["RC8"] * n)
        self.ref_team.extend(["MASH"] * n)
        self.ref_worker.extend(w.workers[rng.integers(0, len(w.workers), n)].tolist())
        self.ref_downstream.extend([False] * n)
        self.ref_last_auth.extend(
            np.where(last_auth >= OPEN, NO_DATE, np.where(nfa, NO_DATE, last_auth)).tolist()
        )
        self.ref_initial_auth.extend(np.where(ia_auth > 0, ia_auth, NO_DATE).tolist())
        self.ref_core_auth.extend(
            np.where((ca_auth > 0) & (ca_auth < OPEN), ca_auth, NO_DATE).tolist()
        )

        seen = np.where(rng.random(n) < 0.95, "Y", "N")
        teams = np.where(rng.random(n) < 0.5, "Assessment Team 1", "Assessment Team 2")
        for i in np.flatnonzero(~nfa):
            ref = first + int(i)
            if initial[i]:
                outcome_nfa = "Y" if (not core[i] and rng.random() < 0.4) else "N"
                self._add_assessment(
                    ref, "initial", dates[i], ia_auth_open[i], seen[i], outcome_nfa, teams[i]
                )
                if core[i]:
                    self._add_assessment(
                        ref, "core", ia_auth[i], ca_auth[i], seen[i], "N", teams[i]
                    )
            else:
                self._add_assessment(ref, "single", dates[i], sa_auth[i], seen[i], "N", teams[i])

    def _add_assessment(self, ref, kind, start, auth, seen, outcome_nfa, team):
        self.asm_ref.append(ref)
        self.asm_type.append(kind)
        self.asm_start.append(int(start))
        self.asm_auth.append(int(auth) if auth < OPEN else NO_DATE)  # in progress: blank
        self.asm_seen.append(str(seen))
        self.asm_nfa.append(outcome_nfa if auth < OPEN else "")
        self.asm_team.append(str(team))

    def _children_for(self, dates, closes) -> np.ndarray:
        """Choose the child of each referral: re-referrals, former plan children, or new."""
        rng, pop = self.rng, self.w.pop
        n = len(dates)
        proposals = pop.by_age(dates, REFERRAL_AGE_WEIGHTS, rng)
        u = rng.random(n)
        children = np.empty(n, np.int64)
        first_index = len(self.ref_date)
        for i in range(n):
            d = int(dates[i])
            k = -1
            if u[i] < RE_REFERRAL_SHARE:
                k = self._re_referral(d)
            elif u[i] < RE_REFERRAL_SHARE + FORMER_PLAN_SHARE:
                k = self._former_plan_child(d)
            if k < 0:
                k = self._free_near(int(proposals[i]), d)
            children[i] = k
            pop.last_referral[k] = d
            pop.last_referral_index[k] = first_index + i
            pop.cin_until[k] = closes[i]
            pop.involved[k] = True
        return children

    def _re_referral(self, d: int) -> int:
        pop, rng = self.w.pop, self.rng
        lo = bisect.bisect_left(self.ref_date, d - 365)
        hi = bisect.bisect_left(self.ref_date, d - 14)
        if hi <= lo:
            return -1
        for _ in range(12):
            k = self.ref_child[int(rng.integers(lo, hi))]
            if pop.free_for_social_care(k, d):
                return k
        return -1

    def _former_plan_child(self, d: int) -> int:
        pop, rng = self.w.pop, self.rng
        log_days = pop.plan_end_log_day
        lo = bisect.bisect_left(log_days, d - 3 * 365)
        hi = bisect.bisect_left(log_days, d - 60)
        if hi <= lo:
            return -1
        for _ in range(12):
            k = pop.plan_end_log_child[int(rng.integers(lo, hi))]
            if pop.free_for_social_care(k, d):
                return k
        return -1

    def _free_near(self, k: int, d: int) -> int:
        """The proposed child, or the nearest in age free for a new referral: not referred in the
        last year either (re-referrals are chosen deliberately, above)."""
        pop = self.w.pop
        for step in range(1, 400):
            offset = (step // 2) * (1 if step % 2 else -1)
            j = k + offset
            if 0 <= j < pop.n and pop.free_for_social_care(j, d) and pop.last_referral[j] < d - 366:
                return j
        raise RuntimeError("no free child found for a referral")

    # ------------------------------------------------------------------------------------
    def referrals_in(self, lo: int, hi: int) -> range:
        """Indices of referrals dated lo..hi (the lists are in date order)."""
        return range(bisect.bisect_left(self.ref_date, lo), bisect.bisect_right(self.ref_date, hi))
