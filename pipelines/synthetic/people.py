"""The children of the synthetic authority.

``ssd_person`` holds the authority's whole child population: births are spread evenly over
the 18 years before the period and the period itself, so that on any day of the period about
36,000 (x scale) of them are aged 0-17. Most never meet children's services; the journey
modules pick children from here by age.

Nobody is real: there are no names (blank), no NHS numbers, no addresses; identifiers are
opaque tokens (``P000123``) handed out in a random order so they say nothing about age.

The population also carries the state the journeys share while the months are simulated:
until when each child has an open CIN episode, a child protection plan, a period of care or an
early help episode, so that no child is, for example, given a second plan while on one.
"""

from __future__ import annotations

import numpy as np

from .calendar import NO_DATE, OPEN, add_months

BIRTHS_PER_YEAR = 2000  # x scale: 18 x 2,000 = 36,000 aged 0-17 on any day

# Relative likelihood of each age (0..17) for children referred to social care: babies and
# teenagers more often than the middle years.
REFERRAL_AGE_WEIGHTS = np.array([10, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 7, 7, 6, 4], float)
EARLY_HELP_AGE_WEIGHTS = np.array([9, 9, 9, 8, 8, 8, 7, 7, 6, 6, 6, 5, 5, 5, 4, 3, 2, 1], float)
CONTACT_AGE_WEIGHTS = REFERRAL_AGE_WEIGHTS

ETHNICITY = (
    ("WBRI", 0.82),
    ("WOTH", 0.06),
    ("WIRT", 0.01),
    ("MWBC", 0.02),
    ("MOTH", 0.02),
    ("AIND", 0.01),
    ("APKN", 0.01),
    ("BAFR", 0.01),
    ("OOTH", 0.01),
    ("NOBT", 0.03),
)


class Population:
    """Children sorted by date of birth, with opaque ids and shared journey state."""

    def __init__(self, start_day: int, end_day: int, scale: float, rng: np.random.Generator):
        first_birth = int(add_months(start_day, -18 * 12)) + 1
        years = (end_day - first_birth + 1) / 365.25
        n = int(round(BIRTHS_PER_YEAR * scale * years))
        self.dob = np.sort(rng.integers(first_birth, end_day + 1, n)).astype(np.int64)
        self.n = n
        width = max(6, len(str(n + 10_000)))
        numbers = rng.permutation(n) + 1
        self.id_width = width
        self.ids = np.array([f"P{k:0{width}d}" for k in numbers], dtype=object)
        self.sex = np.where(rng.random(n) < 0.51, "M", "F").astype(object)
        codes = [c for c, _ in ETHNICITY]
        weights = np.array([w for _, w in ETHNICITY])
        self.ethnicity = np.array(codes, dtype=object)[
            rng.choice(len(codes), n, p=weights / weights.sum())
        ]
        self.send = np.where(rng.random(n) < 0.12, "Y", "N").astype(object)
        self.eighteenth = add_months(self.dob, 216)
        self.sixteenth = add_months(self.dob, 192)

        # Journey state (day numbers): NO_DATE = never, OPEN = still open.
        self.cin_until = np.full(n, NO_DATE, np.int64)  # CIN episode (referral) open until
        self.plan_until = np.full(n, NO_DATE, np.int64)  # child protection plan until
        self.care_until = np.full(n, NO_DATE, np.int64)  # period of care until
        self.early_help_until = np.full(n, NO_DATE, np.int64)
        self.last_plan_end = np.full(n, NO_DATE, np.int64)
        self.last_referral = np.full(n, NO_DATE, np.int64)
        self.last_referral_index = np.full(n, -1, np.int64)
        self.involved = np.zeros(n, bool)  # has any social care record at all
        self.plan_end_log_day: list[int] = []  # plan ends in date order, for repeat referrals
        self.plan_end_log_child: list[int] = []

    def log_plan_end(self, day: int, child: int):
        self.plan_end_log_day.append(day)
        self.plan_end_log_child.append(child)

    # --- picking children -----------------------------------------------------------------
    def by_age(
        self, dates: np.ndarray, age_weights: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """One child per date, of an age drawn from ``age_weights`` (years 0..17) on that date."""
        dates = np.asarray(dates, dtype=np.int64)
        p = age_weights / age_weights.sum()
        years = rng.choice(len(p), len(dates), p=p)
        age_days = (years * 365.25 + rng.random(len(dates)) * 365).astype(np.int64)
        target = dates - age_days
        idx = np.searchsorted(self.dob, target)
        idx = np.clip(idx, 0, self.n - 1)
        # never someone not yet born, nor someone already 18
        too_young = self.dob[idx] > dates
        idx[too_young] = np.clip(
            np.searchsorted(self.dob, dates[too_young], side="right") - 1, 0, self.n - 1
        )
        return idx

    def with_dob_between(self, lo: int, hi: int, rng: np.random.Generator) -> int:
        """A child never involved with social care, born between ``lo`` and ``hi`` (the window
        is widened a little at a time if nobody suitable was born in it: small scales)."""
        for widen in range(0, 400, 5):
            i = int(np.searchsorted(self.dob, lo - widen, side="left"))
            j = int(np.searchsorted(self.dob, hi + widen, side="right"))
            for _ in range(min(50, max(j - i, 0))):
                k = int(rng.integers(i, j))
                if not self.involved[k]:
                    return k
        raise ValueError("no uninvolved child born near the requested dates")

    def is_child(self, k: int, day: int) -> bool:
        return self.dob[k] <= day < self.eighteenth[k]

    def free_for_social_care(self, k: int, day: int) -> bool:
        """No open CIN episode, plan or period of care on ``day``, and aged 0-17."""
        return (
            self.dob[k] <= day < self.eighteenth[k]
            and self.cin_until[k] < day
            and self.plan_until[k] < day
            and self.care_until[k] < day
        )

    def on_plan(self, k: int, day: int) -> bool:
        return self.plan_until[k] >= day and self.plan_until[k] != NO_DATE

    def in_care(self, k: int, day: int) -> bool:
        return self.care_until[k] >= day and self.care_until[k] != NO_DATE


__all__ = ["Population", "OPEN", "NO_DATE"]
