"""Reference data built into the project stays true to its sources."""

from __future__ import annotations

import csv
import re
from datetime import date

from pipelines.bank_holidays import SEED_PATH, england_and_wales_bank_holidays, seed_rows
from pipelines.settings import DBT_PROJECT_DIR


def test_bank_holiday_seed_matches_the_library():
    with SEED_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["holiday_date", "holiday_name"]
    assert rows[1:] == seed_rows()


def test_bank_holidays_include_the_days_indicators_md_relies_on():
    days = {day for day, _name in england_and_wales_bank_holidays()}
    assert date(2014, 8, 25) in days  # the late summer holiday in the S47 -> ICPC example
    assert date(2022, 9, 19) in days  # one-off: the State Funeral
    assert date(2020, 5, 8) in days  # the VE Day move of the May holiday
    assert date(2020, 5, 4) not in days


def test_every_indicator_model_has_a_catalogue_row_and_is_in_the_union():
    """One indicator = its model, its yml and its catalogue row: the union's list is written
    from the models (pipelines/dbt_project.py), never by hand."""
    from pipelines.dbt_project import INDICATOR_LIST, indicator_list_text, indicator_model_names

    models = indicator_model_names()
    with (DBT_PROJECT_DIR / "seeds" / "ref_indicator_catalogue.csv").open() as handle:
        catalogue = {row["code"] for row in csv.DictReader(handle)}
    assert len(models) == 23
    assert {name.removeprefix("ind_") for name in models} == catalogue
    written = (DBT_PROJECT_DIR / INDICATOR_LIST).read_text(encoding="utf-8")
    assert written == indicator_list_text(models), "run `make manifest` (the list is stale)"
    union_sql = (DBT_PROJECT_DIR / "models" / "marts" / "int_indicator_values.sql").read_text()
    assert not re.search(r"'ind_[a-z0-9_]+'", union_sql), "no list in the union model"
