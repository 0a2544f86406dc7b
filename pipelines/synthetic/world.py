"""The shared context of one generation run: period, calendar, schedule, population, randomness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .calendar import WorkCalendar, add_months, month_bounds, to_day
from .calibration import CLEANSING, Schedule, build_schedule
from .people import Population

# One independent random stream per part of the generator, so that changing how one part
# draws its numbers does not reshuffle every other part (and results stay reproducible).
STREAMS = (
    "schedule",
    "population",
    "front_door",
    "child_protection",
    "cp_reviews",
    "cp_visits",
    "looked_after",
    "cla_reviews",
    "stability",
    "early_help",
    "tables",
    "problems",
    "returns",  # the optional tables only the statutory returns read (returns_data.py)
)

TEAMS = (
    "MASH",
    "Assessment Team 1",
    "Assessment Team 2",
    "Safeguarding Team 1",
    "Safeguarding Team 2",
    "Safeguarding Team 3",
)


@dataclass
class World:
    seed: int
    start: dt.date
    end: dt.date
    scale: float
    # the eight early-help localities, in the order of the cleansing backlog (calibration.py);
    # None: the demo's (CLEANSING.localities)
    localities: Sequence[str] | None = None
    start_day: int = field(init=False)
    end_day: int = field(init=False)
    cal: WorkCalendar = field(init=False)
    schedule: Schedule = field(init=False)
    pop: Population = field(init=False)

    def __post_init__(self):
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        self.localities = check_localities(
            CLEANSING.localities if self.localities is None else self.localities
        )
        self.start_day = to_day(self.start)
        self.end_day = to_day(self.end)
        # The calendar reaches back to the oldest possible date of birth and a little beyond the
        # end (review due dates, future-dated planted records).
        first = int(add_months(self.start_day, -20 * 12))
        self.cal = WorkCalendar(first, self.end_day + 3 * 366)
        self.schedule = build_schedule(self.start, self.end, self.scale, self.rng("schedule"))
        self.pop = Population(self.start_day, self.end_day, self.scale, self.rng("population"))
        n_workers = max(12, int(round(60 * self.scale)))
        self.workers = np.array([f"W{k:04d}" for k in range(1, n_workers + 1)], dtype=object)

    def rng(self, stream: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, STREAMS.index(stream)])

    def month_bounds(self, key: str) -> tuple[int, int]:
        """First and last day of the month, clipped to the generated period."""
        lo, hi = month_bounds(key)
        return max(lo, self.start_day), min(hi, self.end_day)

    def scaled(self, n: float) -> int:
        """A scale-1 count of planted or designed records at this scale (at least 1)."""
        return max(1, int(round(n * self.scale)))


def check_localities(names: Sequence[str]) -> tuple[str, ...]:
    """The early-help localities as a tuple: as many distinct, non-blank names as the demo has."""
    names = tuple(str(n).strip() for n in names)
    wanted = len(CLEANSING.localities)
    if len(names) != wanted or len(set(names)) != wanted or not all(names):
        raise ValueError(f"expected {wanted} distinct, non-blank locality names, got {names!r}")
    return names
