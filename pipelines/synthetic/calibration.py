"""What the synthetic authority must reproduce, and the monthly volumes that get it there.

The August 2014 seed report (reference/seed-figures.csv) is reproduced by construction rather
than by tuning randomness: the months and snapshots the report quotes are *pinned* here, and
the generator builds the cohorts that produce them (see each module). Every other month follows
a smooth, noisy trend drawn through "anchor" values, so the series look like a real
authority's rather than a flat line with spikes.

All counts are for scale 1 and are multiplied by ``scale``; percentages are not scaled.
Pins outside the generated period are simply ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import month_bounds, months_between, shift_month, to_day

# --- Population aged 0-17 (mid-year estimates) -------------------------------------------
# Chosen with the referral counts so that the rates per 10,000 come out at the seed values:
# 2019 / 35,940 x 10,000 = 561.77 (12 months to Aug 2013) and 3829 / 36,100 x 10,000 = 1060.66
# (12 months to Aug 2014); 250 and 198 children on plans / 36,100 = 69.25 and 54.85.
POPULATION = {2011: 35_780, 2012: 35_860, 2013: 35_940, 2014: 36_100}
POPULATION_BASE = 36_000  # other years: a gentle 0.25% a year drift around this

# --- Pinned monthly counts ----------------------------------------------------------------
CONTACTS = {"2012-08": 257, "2013-08": 441, "2014-08": 567}
REFERRALS = {"2014-08": 489}
REFERRALS_ROLLING_12 = {"2013-08": 2019, "2014-08": 3829}
ICPC_HELD = {"2014-08": 8}  # none of them transfer-ins
CP_CHILDREN = {"2014-04": 250, "2014-08": 198}  # children on a plan at month end

# Review conferences held in the month: (held, in timescale). June + July give 119 of 124,
# so June to August give 132 of 139 = 94.96% and August alone 13 of 15 = 86.67%.
CP_REVIEWS = {"2014-06": (64, 61), "2014-07": (60, 58), "2014-08": (15, 13)}
CLA_REVIEWS = {"2014-07": (83, 79), "2014-08": (35, 29)}

# Percentages reproduced by adjusting the cohort at that month end.
CP_VISITS_TIMELY = {"2013-08": 95.33, "2014-08": 91.94}
CLA_STABILITY_LONG = {"2012-03": 90.0, "2013-03": 73.0, "2014-08": 66.0}

# Early help step-downs starting in the month, by reason.
STEP_DOWN_IA = "Step down from initial assessment"
STEP_DOWN_CORE = "Step down from core assessment"
STEP_DOWN_CIN = "Step down from CIN"
STEP_DOWN_OTHER = "Step down from other social care"
STEP_DOWN_REASONS = (STEP_DOWN_IA, STEP_DOWN_CORE, STEP_DOWN_CIN, STEP_DOWN_OTHER)
_2014 = [f"2014-{m:02d}" for m in range(1, 9)]
STEP_DOWNS = {
    # 2014 to date: 22 from initial assessment (none in August), 32 from CIN, 4 other, 0 core.
    STEP_DOWN_IA: {
        "2012-08": 1,
        "2013-08": 3,
        **dict(zip(_2014, [3, 2, 4, 3, 4, 3, 3, 0], strict=True)),
    },
    STEP_DOWN_CORE: {"2012-08": 0, "2013-08": 0, **dict.fromkeys(_2014, 0)},
    STEP_DOWN_CIN: dict(zip(_2014, [3, 4, 4, 5, 4, 5, 4, 3], strict=True)),
    STEP_DOWN_OTHER: dict(zip(_2014, [1, 0, 0, 1, 0, 1, 1, 0], strict=True)),
}
# Typical monthly step-downs elsewhere (Poisson means). Core assessment step-downs stop with
# 2014: the seed report has none.
STEP_DOWN_MEANS = {STEP_DOWN_IA: 1.6, STEP_DOWN_CORE: 0.5, STEP_DOWN_CIN: 2.6, STEP_DOWN_OTHER: 0.5}
CORE_STEP_DOWNS_END = "2014-01"


@dataclass(frozen=True)
class Cleansing:
    """The CAF registry cleansing exercise that followed the May 2014 inspection."""

    start: str = "2014-05-01"
    report_end: str = "2014-08-31"
    stale_months: int = 12
    closed_by_cleansing: int = 330
    localities: tuple[str, ...] = (
        "North",
        "North East",
        "East",
        "South East",
        "South",
        "South West",
        "West",
        "North West",
    )
    # Stale backlog per locality at the start of the exercise, and how many of each are still
    # open at the report date (0 = locality complete). 4 complete, the others 74%-89% done.
    backlog: tuple[int, ...] = (52, 47, 61, 44, 58, 39, 50, 55)
    still_open: tuple[int, ...] = (0, 0, 9, 0, 15, 0, 6, 7)


CLEANSING = Cleansing()

# --- Anchors for the smooth monthly trends (scale 1) --------------------------------------
# Contacts grow slowly to mid-2012, then quickly (MASH thresholds); June and July 2014 dip.
CONTACT_ANCHORS = {
    "2011-04": 228,
    "2012-08": 257,
    "2013-08": 441,
    "2014-05": 585,
    "2014-06": 553,
    "2014-07": 541,
    "2014-08": 567,
}
# Referrals rose after the peer review and again after the May 2014 inspection.
REFERRAL_ANCHORS = {
    "2011-04": 140,
    "2012-08": 152,
    "2013-08": 192,
    "2013-09": 215,
    "2014-04": 318,
    "2014-05": 372,
    "2014-06": 418,
    "2014-07": 452,
    "2014-08": 489,
}
# Strategy discussions initiating S47 (peak in May/June 2014: a major investigation).
S47_ANCHORS = {
    "2011-04": 36,
    "2013-12": 44,
    "2014-04": 47,
    "2014-05": 66,
    "2014-06": 71,
    "2014-07": 52,
    "2014-08": 45,
}
ICPC_ANCHORS = {
    "2011-04": 19,
    "2014-04": 21,
    "2014-05": 17,
    "2014-06": 16,
    "2014-07": 15,
    "2014-08": 8,
}
# Children on plans: slow rise to a peak in April 2014, then the 20% reduction target.
CP_STOCK_ANCHORS = {"2011-03": 205, "2013-08": 222, "2014-04": 250, "2014-08": 198}
CLA_ENTRY_ANCHORS = {"2011-04": 8.0, "2014-08": 8.8}
EARLY_HELP_ANCHORS = {"2011-04": 38, "2014-08": 47}  # new episodes a month besides step-downs
TRANSFER_IN_SHARE = 0.03  # of ICPCs


def population(year: int, scale: float) -> int:
    if year in POPULATION:
        return int(round(POPULATION[year] * scale))
    drift = 1 + 0.0025 * (year - 2013)
    return int(round(POPULATION_BASE * drift * scale / 10) * 10)


def _interpolate(anchors: dict[str, float], months: list[str]) -> np.ndarray:
    """Linear interpolation through anchor months; flat beyond the first and last anchors."""
    keys = sorted(anchors)
    x = np.array([_month_index(k) for k in keys], dtype=float)
    y = np.array([anchors[k] for k in keys], dtype=float)
    return np.interp([_month_index(m) for m in months], x, y)


def _month_index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``values`` that add up to ``total`` (largest remainder)."""
    scaled = values / values.sum() * total
    out = np.floor(scaled).astype(int)
    remainder = total - out.sum()
    order = np.argsort(-(scaled - out), kind="stable")
    out[order[:remainder]] += 1
    return out


@dataclass
class Schedule:
    """Monthly volumes for the generated period (already scaled)."""

    months: list[str]
    contacts: dict[str, int]
    referrals: dict[str, int]
    s47: dict[str, int]
    icpc: dict[str, int]
    icpc_transfer_in: dict[str, int]
    cp_stock: dict[str, int]  # children on plans at each month end
    cp_stock_opening: int  # on plans on the day before the period starts
    cla_entries: dict[str, int]
    early_help_new: dict[str, int]
    step_downs: dict[str, dict[str, int]]  # reason -> month -> count
    pinned_cp_stock: frozenset[str]
    full_months: frozenset[str]  # months wholly inside the period: only these can be pinned


def build_schedule(start, end, scale: float, rng: np.random.Generator) -> Schedule:
    months = months_between(start, end)
    n = len(months)
    # A month the period covers only in part gets that part of the month's volumes.
    share = np.ones(n)
    for i, m in enumerate(months):
        lo, hi = month_bounds(m)
        covered = min(hi, to_day(end)) - max(lo, to_day(start)) + 1
        share[i] = covered / (hi - lo + 1)
    full = frozenset(m for m, s in zip(months, share, strict=True) if s == 1)

    def scaled(pins: dict[str, int]) -> dict[str, int]:
        return {m: int(round(v * scale)) for m, v in pins.items() if m in full}

    def trend(anchors, noise: float) -> np.ndarray:
        base = _interpolate(anchors, months) * scale * share
        return base * rng.lognormal(0.0, noise, n)

    def pinned(values: np.ndarray, pins: dict[str, int]) -> dict[str, int]:
        out = {m: max(int(round(v)), 0) for m, v in zip(months, values, strict=True)}
        out.update(scaled(pins))
        return out

    contacts = pinned(trend(CONTACT_ANCHORS, 0.03), CONTACTS)
    referrals = pinned(trend(REFERRAL_ANCHORS, 0.05), REFERRALS)
    # Rolling-12 totals: spread the remainder of the total over the window's unpinned months.
    for last, total in REFERRALS_ROLLING_12.items():
        window = [shift_month(last, -k) for k in range(11, -1, -1)]
        if not all(m in full for m in window):
            continue
        fixed = [m for m in window if m in REFERRALS]
        free = [m for m in window if m not in REFERRALS]
        remaining = int(round(total * scale)) - sum(referrals[m] for m in fixed)
        parts = _round_to_total(np.array([referrals[m] for m in free], dtype=float), remaining)
        referrals.update(zip(free, (int(p) for p in parts), strict=True))
    for m in months:  # a referral is a converted contact, so never more referrals than contacts
        if referrals[m] > 0.92 * contacts[m]:
            if m in CONTACTS:
                raise ValueError(f"referrals exceed pinned contacts in {m}")
            contacts[m] = int(np.ceil(referrals[m] / 0.92))

    s47 = pinned(trend(S47_ANCHORS, 0.08), {})
    icpc = pinned(trend(ICPC_ANCHORS, 0.12), ICPC_HELD)
    transfer_in = {
        m: 0 if m in ICPC_HELD else int(rng.binomial(icpc[m], TRANSFER_IN_SHARE)) for m in months
    }

    # Children on plans at each month end: the anchor path with a little noise, pins exact.
    path = _interpolate(CP_STOCK_ANCHORS, months) * scale + rng.normal(0, 3 * np.sqrt(scale), n)
    cp_stock = pinned(path, CP_CHILDREN)
    opening = int(round(_interpolate(CP_STOCK_ANCHORS, [shift_month(months[0], -1)])[0] * scale))

    cla_entries = {
        m: int(v)
        for m, v in zip(
            months,
            rng.poisson(_interpolate(CLA_ENTRY_ANCHORS, months) * scale * share),
            strict=True,
        )
    }
    early_help = {
        m: int(v)
        for m, v in zip(
            months,
            rng.poisson(_interpolate(EARLY_HELP_ANCHORS, months) * scale * share),
            strict=True,
        )
    }

    step_downs: dict[str, dict[str, int]] = {}
    for reason in STEP_DOWN_REASONS:
        mean = STEP_DOWN_MEANS[reason] * scale
        counts = {}
        for m, part in zip(months, share, strict=True):
            if reason == STEP_DOWN_CORE and m >= CORE_STEP_DOWNS_END:
                counts[m] = 0
            else:
                counts[m] = int(rng.poisson(mean * part))
        counts.update(scaled(STEP_DOWNS[reason]))
        step_downs[reason] = counts

    return Schedule(
        months=months,
        contacts=contacts,
        referrals=referrals,
        s47=s47,
        icpc=icpc,
        icpc_transfer_in=transfer_in,
        cp_stock=cp_stock,
        cp_stock_opening=opening,
        cla_entries=cla_entries,
        early_help_new=early_help,
        step_downs=step_downs,
        pinned_cp_stock=frozenset(m for m in CP_CHILDREN if m in full),
        full_months=full,
    )
