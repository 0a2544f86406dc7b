"""Dates, months and working days for the synthetic authority.

Dates are held as integer day numbers (days since 1970-01-01) in numpy arrays, because the
generator moves hundreds of thousands of records around; they become ISO strings only when
the files are written. A blank (unknown) date is ``NO_DATE``; an open-ended "until further
notice" date used while simulating is ``OPEN``.

Working days follow indicators.md: Monday to Friday, excluding England and Wales bank
holidays, and ``working_days(a, b)`` counts the working days d with a < d <= b.
"""

from __future__ import annotations

import bisect
import calendar as _calendar
import datetime as dt

import holidays
import numpy as np

EPOCH = dt.date(1970, 1, 1)
NO_DATE = -999_999  # blank date in the extract
OPEN = 9_999_999  # "not ended" while simulating (never written out)


def to_day(d: dt.date | str) -> int:
    """Day number of a date (or an ISO string)."""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return (d - EPOCH).days


def from_day(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def add_months(days, months):
    """Calendar-month arithmetic with end-of-month clipping (2014-01-31 + 1 month = 2014-02-28).

    Vectorised: ``days`` and ``months`` may be scalars or arrays of day numbers / month counts.
    """
    d = np.asarray(days, dtype=np.int64).astype("M8[D]")
    month = d.astype("M8[M]")
    day_of_month = (d - month.astype("M8[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    target_first = target.astype("M8[D]")
    target_len = ((target + 1).astype("M8[D]") - target_first).astype(np.int64)
    out = target_first + np.minimum(day_of_month, target_len - 1)
    return out.astype(np.int64)


def add_months1(day: int, months: int) -> int:
    """Scalar ``add_months`` (fast enough for the per-record loops)."""
    d = from_day(day)
    y, m0 = divmod(d.month - 1 + months, 12)
    y += d.year
    last = _calendar.monthrange(y, m0 + 1)[1]
    return to_day(dt.date(y, m0 + 1, min(d.day, last)))


def age_reached(dob, years: int):
    """The date on which someone born on ``dob`` reaches ``years`` (vectorised)."""
    return add_months(dob, 12 * years)


def month_key(day: int) -> str:
    """'YYYY-MM' of a day number."""
    d = from_day(day)
    return f"{d.year:04d}-{d.month:02d}"


def month_bounds(key: str) -> tuple[int, int]:
    """First and last day numbers of the month 'YYYY-MM'."""
    y, m = int(key[:4]), int(key[5:7])
    first = dt.date(y, m, 1)
    last = dt.date(y, m, _calendar.monthrange(y, m)[1])
    return to_day(first), to_day(last)


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """Month keys from the month of ``start`` to the month of ``end`` inclusive."""
    keys = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys


def shift_month(key: str, k: int) -> str:
    y, m = int(key[:4]), int(key[5:7])
    y, m0 = divmod(y * 12 + m - 1 + k, 12)
    return f"{y:04d}-{m0 + 1:02d}"


def iso(days: np.ndarray) -> np.ndarray:
    """ISO strings for an array of day numbers; blank where the date is unknown."""
    days = np.asarray(days, dtype=np.int64)
    blank = days == NO_DATE
    if blank.all():
        return np.full(len(days), "", dtype=object)
    known = days[~blank]
    lo, hi = int(known.min()), int(known.max())
    # Format each distinct day once (a few thousand), then look them up.
    table = np.datetime_as_string(np.arange(lo, hi + 1).astype("M8[D]"), unit="D").astype(object)
    out = np.full(len(days), "", dtype=object)
    out[~blank] = table[known - lo]
    return out


class WorkCalendar:
    """Working days (Mon-Fri less England and Wales bank holidays) between two dates."""

    def __init__(self, first: int, last: int):
        years = range(from_day(first).year, from_day(last).year + 1)
        bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=years)
        holiday_days = np.array(sorted(to_day(h) for h in bank_holidays), dtype=np.int64)
        days = np.arange(first, last + 1, dtype=np.int64)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        is_working = (weekday < 5) & ~np.isin(days, holiday_days)
        self.workdays = days[is_working]
        self._list = self.workdays.tolist()  # for the fast scalar versions below
        self.first, self.last = first, last

    def rank(self, d):
        """Number of working days on or before ``d`` (since the start of the calendar)."""
        return np.searchsorted(self.workdays, d, side="right")

    def between(self, a, b):
        """working_days(a, b): working days d with a < d <= b."""
        return self.rank(b) - self.rank(a)

    def add(self, a, k):
        """The k-th working day after ``a`` (k >= 1), so that between(a, result) == k."""
        return self.workdays[self.rank(a) + np.asarray(k) - 1]

    def on_or_after(self, d):
        return self.workdays[np.searchsorted(self.workdays, d, side="left")]

    def on_or_before(self, d):
        return self.workdays[np.searchsorted(self.workdays, d, side="right") - 1]

    def in_range(self, lo: int, hi: int) -> np.ndarray:
        """Working days from ``lo`` to ``hi`` inclusive."""
        i = np.searchsorted(self.workdays, lo, side="left")
        j = np.searchsorted(self.workdays, hi, side="right")
        return self.workdays[i:j]

    # Scalar versions (plain ints), much faster inside per-record loops.
    def add1(self, a: int, k: int) -> int:
        return self._list[bisect.bisect_right(self._list, a) + k - 1]

    def between1(self, a: int, b: int) -> int:
        return bisect.bisect_right(self._list, b) - bisect.bisect_right(self._list, a)

    def on_or_after1(self, d: int) -> int:
        return self._list[bisect.bisect_left(self._list, d)]

    def on_or_before1(self, d: int) -> int:
        return self._list[bisect.bisect_right(self._list, d) - 1]

    def count1(self, lo: int, hi: int) -> int:
        """How many working days from ``lo`` to ``hi`` inclusive."""
        return max(0, bisect.bisect_right(self._list, hi) - bisect.bisect_left(self._list, lo))

    def pick1(self, lo: int, hi: int, u: float) -> int:
        """A working day from ``lo`` to ``hi`` inclusive, chosen by ``u`` in [0, 1)."""
        i = bisect.bisect_left(self._list, lo)
        j = bisect.bisect_right(self._list, hi)
        return self._list[i + int(u * (j - i))]
