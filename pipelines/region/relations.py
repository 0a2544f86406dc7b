"""Which published figures count part of what another published figure counts.

Suppression must stop a hidden count being worked out by subtraction. Within one indicator
that is the denominator and its two parts, the numerator and the complement (denominator minus
numerator). Between indicators, for the same month, these are the figures of
marts.fct_indicator_month that count a subset of the same records or children (read from the
indicator models in dbt_project/models/indicators/); "whole minus part" is then itself a count
of children that nothing else publishes, and must not be a small one. Flows summed over
months (rolling 12 months) are not parts of anything published: the file carries no
multi-month totals, so the difference of two windows is a difference of two unknown months,
never one month's count (docs/region.md).

A figure is (indicator_code, "numerator" | "denominator" | "complement"). Counts have only a
numerator (their value is the same number).
"""

from __future__ import annotations

from collections.abc import Iterable

Figure = tuple[str, str]

# (whole, part): the part's records are among the whole's, in the same month.
PROJECT_NESTING: tuple[tuple[Figure, Figure], ...] = (
    # the same referrals dated in the month
    (("referrals", "numerator"), ("referrals_to_ia", "denominator")),
    (("referrals", "numerator"), ("rereferrals_12m", "denominator")),
    # timeliness leaves out assessments that cannot be timed: a subset of those authorised
    (("ia_completed", "numerator"), ("ia_timely", "denominator")),
    (("ca_completed", "numerator"), ("ca_timely", "denominator")),
    # over 60 working days is among the timed ones over 35 (ca_timely's complement)
    (("ca_timely", "complement"), ("ca_over_61", "numerator")),
    # children looked after at the month end, and the subsets two stability measures count
    (("cla_children", "numerator"), ("cla_stability_short", "denominator")),
    (("cla_children", "numerator"), ("cla_stability_long", "denominator")),
    # children on a plan at the month end; the visits measure counts those on one long enough
    (("cp_children", "numerator"), ("cp_visits_timely", "denominator")),
)


def within_indicator(codes: Iterable[str]) -> list[tuple[Figure, Figure]]:
    """A percentage's denominator holds its numerator and its complement."""
    pairs = []
    for code in codes:
        pairs.append(((code, "denominator"), (code, "numerator")))
        pairs.append(((code, "denominator"), (code, "complement")))
    return pairs


def closure(pairs: Iterable[tuple[Figure, Figure]]) -> set[tuple[Figure, Figure]]:
    """Every (whole, part) the pairs imply: a part of a part is a part of the whole too, and
    subtraction works across any number of steps (ca_completed minus ca_over_61)."""
    nested = set(pairs)
    while True:
        implied = {(a, d) for a, b in nested for c, d in nested if b == c and a != d}
        if implied <= nested:
            return nested
        nested |= implied
