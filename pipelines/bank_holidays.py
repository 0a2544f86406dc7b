"""England and Wales bank holidays, built into the dbt project as a seed.

The list comes from the `holidays` package (well kept, follows the government's published list,
including one-off days such as the 2022 State Funeral), written once into
`dbt_project/seeds/ref_bank_holidays.csv` so that nothing is fetched at run time. A test keeps the
seed equal to what the installed library says; run `python -m pipelines.bank_holidays` to refresh
it after upgrading the library or extending the years.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import holidays

FIRST_YEAR = 2000
LAST_YEAR = 2035
SEED_PATH = (
    Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "ref_bank_holidays.csv"
)


def england_and_wales_bank_holidays(
    first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR
) -> list[tuple[date, str]]:
    """Every England and Wales bank holiday (with substitute days) in the years given, in order."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted(calendar.items())


def seed_rows() -> list[list[str]]:
    return [[day.isoformat(), name] for day, name in england_and_wales_bank_holidays()]


def write_seed(path: Path = SEED_PATH) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["holiday_date", "holiday_name"])
        writer.writerows(seed_rows())
    return path


if __name__ == "__main__":
    print(f"wrote {write_seed()}")
