"""A small hand-made warehouse for the board pack tests (no dbt run needed).

It holds exactly what the pack reads, the marts.pack_* models, each created from its dbt
contract (dbt_project/models/marts/pack/_pack.yml), so a column renamed in dbt is renamed here
too and the pack's query for the old name fails: pack_indicators (42 months, 2011-04 to 2014-09,
five indicators: counts with and without a rate, a band target, two percentages with small
numbers), the extract loads, the cleansing status, the unended placements, the data-quality
trend and caveats; and, to prove the pack never reads them, person-level tables carrying the
identifiers P000123 / PL000456. The August 2014 figures are the seed report's.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from pipelines.settings import DBT_PROJECT_DIR, Settings

PACK_CONTRACTS = DBT_PROJECT_DIR / "models" / "marts" / "pack" / "_pack.yml"

MONTH = "2014-08"
FIRST = dt.date(2011, 4, 1)
LAST = dt.date(2014, 9, 1)  # one month after the reporting month: must never be shown
PERSON_ID = "P000123"
PLACEMENT_ID = "PL000456"
POPULATION = 86_600.0

COMMENTARY_2014_08 = """# Commentary for August 2014 (fixture)

Notes before the first indicator heading are not printed.

## contacts
With the exception of June and July 2014, there has been a month on month increase in the
number of contacts being received.

## referrals - Referrals received
The current figure of 489 is in respect of the month of August 2014. The comparator is based
on the **rate per 10,000** over the year.

- first point
- second point

## rcpc_timely
Only 15 review child protection conferences were held during August 2014, of which 2 were out
of timescale.

## cla_reviews_timely
In July 2014, 79 out of 83 LAC reviews were held in timescale.

## data_quality
The cleansing of the early help register continues in every locality.
"""


def _months() -> list[dt.date]:
    months, day = [], FIRST
    while day <= LAST:
        months.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


CATALOGUE = {
    "contacts": dict(
        display_order=3,
        name="Contacts Received Per Month",
        unit="count",
        rate_basis="none",
        target_measure="value",
        indicator_guide="neither",
        responsible_officer="Service Manager, Multi-Agency Safeguarding Hub",
        description="Total contacts received by the Multi-Agency Safeguarding Hub in month.",
        measure="Contacts dated in the month",
        guide_text="Monitoring the number of contacts received.",
        measure_period="In month",
    ),
    "referrals": dict(
        display_order=4,
        name="Referrals Received Per Month",
        unit="count",
        rate_basis="rolling_12",
        target_measure="rate",
        target_low=450.0,
        target_high=600.0,
        target_text="450.0-600.0",
        amber_tolerance=50.0,
        is_illustrative_target=True,
        indicator_guide="neither",
        responsible_officer="Service Manager, Multi-Agency Safeguarding Hub",
        description="Total referrals received in month, with the rolling 12-month rate.",
        measure="Referrals dated in the month; rate per 10,000 over the rolling 12 months",
        guide_text="Looking to keep the rolling 12-month referral rate within the target band.",
        measure_period="In month",
        england_value=520.7,
        england_year="2012/13",
        statistical_neighbours_value=512.4,
        statistical_neighbours_year="2012/13",
        region_name="West Midlands",
        region_value=545.1,
        region_year="2012/13",
        comparators_illustrative=True,
    ),
    "cp_children": dict(
        display_order=12,
        name="Children Subject to a Child Protection Plan",
        unit="count",
        rate_basis="month",
        target_measure="rate",
        target_value=55.4,
        target_text="55.40",
        amber_tolerance=5.0,
        is_illustrative_target=True,
        indicator_guide="lower",
        responsible_officer="Head of Service, Safeguarding and Review",
        description="Total children subject to a Child Protection Plan at month end.",
        measure="Distinct children with a plan open on the last day of the month",
        guide_text="Looking to decrease the rate of children subject to a plan.",
        measure_period="Month end (snapshot)",
        england_value=37.9,
        england_year="2012/13",
        statistical_neighbours_value=41.6,
        statistical_neighbours_year="2012/13",
        region_name="West Midlands",
        region_value=43.2,
        region_year="2012/13",
        comparators_illustrative=True,
    ),
    "rcpc_timely": dict(
        display_order=15,
        name="Review Child Protection Conferences in Timescale",
        unit="percent",
        rate_basis="none",
        target_measure="value",
        target_value=95.0,
        target_text="95.00%",
        amber_tolerance=5.0,
        is_illustrative_target=False,
        indicator_guide="higher",
        responsible_officer="Head of Service, Safeguarding and Review",
        description="Percentage of review child protection conferences held in timescale.",
        measure="Review conferences held in the month in timescale",
        guide_text="Looking to increase the percentage held in timescale.",
        measure_period="In month",
        counted_singular="review conference",
        counted_plural="review conferences",
        counted_verb="held",
        met_phrase="were in timescale",
        england_value=96.2,
        england_year="2012/13",
        comparators_illustrative=False,
    ),
    "cla_reviews_timely": dict(
        display_order=19,
        name="Looked After Children Reviews in Timescale",
        unit="percent",
        rate_basis="none",
        target_measure="value",
        target_value=95.0,
        target_text="95.00%",
        amber_tolerance=5.0,
        is_illustrative_target=False,
        indicator_guide="higher",
        responsible_officer="Head of Service, Safeguarding and Review",
        description="Percentage of looked after children reviews held in timescale.",
        measure="Reviews held in the month in timescale",
        guide_text="Looking to increase the percentage held in timescale.",
        measure_period="In month",
        counted_singular="LAC review",
        counted_plural="LAC reviews",
        counted_verb="held",
        met_phrase="were in timescale",
    ),
}

# Hand-picked figures (the seed's) for the months the tests read; others are generated.
FIXED = {
    ("contacts", "2014-08"): (567, None),
    ("contacts", "2013-08"): (441, None),
    ("contacts", "2012-08"): (257, None),
    ("referrals", "2014-08"): (489, None),
    ("cp_children", "2014-08"): (475, None),
    ("rcpc_timely", "2014-06"): (62, 64),
    ("rcpc_timely", "2014-07"): (57, 60),
    ("rcpc_timely", "2014-08"): (13, 15),
    ("cla_reviews_timely", "2014-07"): (79, 83),
    ("cla_reviews_timely", "2014-08"): (29, 35),
}
FIXED_RATES = {("referrals", "2014-08"): 1060.66, ("referrals", "2013-08"): 561.77}


def _raw_figure(code: str, index: int, key: str) -> tuple[float, float | None]:
    if (code, key) in FIXED:
        return FIXED[(code, key)]
    wave = (index * 7) % 11
    if code == "contacts":
        return 250 + 8 * index + wave, None
    if code == "referrals":
        return 180 + 7 * index + wave, None
    if code == "cp_children":
        return 380 + 3 * index - wave, None
    if code == "rcpc_timely":
        den = 40 + wave
        return den - 1 - (index % 3), den
    den = 60 + wave
    return den - 2 - (index % 4), den


def _rag(cat: dict, value: float | None, rate: float | None) -> str:
    measured = rate if cat["target_measure"] == "rate" else value
    if measured is None:
        return "N/A"
    if cat.get("target_low") is not None:
        return "Green" if cat["target_low"] <= measured <= cat["target_high"] else "Red"
    target = cat.get("target_value")
    if target is None:
        return "N/A"
    better_high = cat["indicator_guide"] == "higher"
    met = measured >= target if better_high else measured <= target
    near = abs(measured - target) <= 5
    return "Green" if met else ("Amber" if near else "Red")


def _direction(cat: dict, now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "Not comparable"
    if now == before:
        return "No change"
    if cat["indicator_guide"] == "neither":
        return "Increased" if now > before else "Decreased"
    better = now > before if cat["indicator_guide"] == "higher" else now < before
    return "Improved" if better else "Worsened"


def contracts() -> dict[str, list[tuple[str, str]]]:
    """model -> [(column, data type)], as the dbt contracts fix them."""
    models = yaml.safe_load(PACK_CONTRACTS.read_text(encoding="utf-8"))["models"]
    return {m["name"]: [(c["name"], c["data_type"]) for c in m["columns"]] for m in models}


def mart_rows(columns: list[str]) -> list[dict]:
    months = _months()
    rows = []
    for code, cat in CATALOGUE.items():
        series: dict[dt.date, dict] = {}
        for index, month in enumerate(months):
            key = f"{month:%Y-%m}"
            num, den = _raw_figure(code, index, key)
            value = round(100.0 * num / den, 2) if den else (None if den == 0 else float(num))
            rate = None
            if cat["rate_basis"] != "none":
                rate = FIXED_RATES.get((code, key), round(num / POPULATION * 10000 * 12, 2))
                if cat["rate_basis"] == "month":
                    rate = round(num / POPULATION * 10000, 2)
            series[month] = dict(value=value, num=num, den=den, rate=rate)
        for month in months:
            point = series[month]
            prev1 = series.get(dt.date(month.year - 1, month.month, 1))
            prev2 = series.get(dt.date(month.year - 2, month.month, 1))
            measured_now = point["rate"] if cat["target_measure"] == "rate" else point["value"]
            measured_before = None
            if prev1:
                measured_before = (
                    prev1["rate"] if cat["target_measure"] == "rate" else prev1["value"]
                )
            row = {column: None for column in columns}
            row.update({"target_text": "N/A", **cat})
            row.update(
                indicator_code=code,
                month=month,
                month_end=_month_end(month),
                value=point["value"],
                numerator=point["num"],
                denominator=point["den"],
                rate_per_10k=point["rate"],
                rag=_rag(cat, point["value"], point["rate"]),
                previous_1y=prev1["value"] if prev1 else None,
                previous_2y=prev2["value"] if prev2 else None,
                previous_1y_rate=prev1["rate"] if prev1 else None,
                direction=_direction(cat, measured_now, measured_before),
                small_numbers=bool(point["den"] is not None and point["den"] < 20),
            )
            row["is_illustrative_target"] = bool(row["is_illustrative_target"])
            row["comparators_illustrative"] = bool(row["comparators_illustrative"])
            rows.append(row)
    return rows


SPC_BASELINE = 20  # points the fixture's limits rest on (from the first month)


def spc_fixture_rows(indicators: list[dict]) -> list[dict]:
    """marts.pack_indicator_spc for the fixture, hand-made the simple way: fixed limits from
    the first 20 months (mean +/- 2.66 x mean moving range), and only the "outside the limits"
    rule, read through the indicator guide; enough for the pack to draw and summarise."""
    out = []
    for code, cat in CATALOGUE.items():
        measure = (
            "rate_per_10k"
            if cat["target_measure"] == "rate" and cat["rate_basis"] == "month"
            else "value"
        )
        rows = sorted(
            (r for r in indicators if r["indicator_code"] == code), key=lambda r: r["month"]
        )
        values = [float(r[measure]) for r in rows]
        base = values[:SPC_BASELINE]
        mean = sum(base) / len(base)
        mmr = sum(abs(b - a) for a, b in zip(base, base[1:], strict=False)) / (len(base) - 1)
        upper, lower = mean + 2.66 * mmr, mean - 2.66 * mmr
        guide = cat["indicator_guide"]
        for index, (row, value) in enumerate(zip(rows, values, strict=True)):
            enough = index >= 11
            direction = "higher" if value > upper else "lower" if value < lower else None
            if not enough:
                variation = "Not enough data"
            elif direction is None:
                variation = "Common cause"
            elif guide not in ("higher", "lower"):
                variation = "Special cause neither"
            else:
                variation = (
                    "Special cause improving" if direction == guide else "Special cause concerning"
                )
            target = cat.get("target_value")
            if not enough:
                assurance = "Not enough data"
            elif target is None or measure != (
                "rate_per_10k" if cat["target_measure"] == "rate" else "value"
            ):
                assurance = "No target"
            elif (guide == "higher" and target < lower) or (guide == "lower" and target > upper):
                assurance = "Target consistently met"
            elif (guide == "higher" and target > upper) or (guide == "lower" and target < lower):
                assurance = "Target consistently missed"
            else:
                assurance = "Hit and miss"
            out.append(
                dict(
                    indicator_code=code, month=row["month"], spc_measure=measure, spc_value=value,
                    spc_on_rolling_figure=False, phase_start=FIRST,
                    limits_fixed=index >= SPC_BASELINE - 1,
                    process_mean=round(mean, 4) if enough else None,
                    upper_limit=round(upper, 4) if enough else None,
                    lower_limit=round(lower, 4) if enough else None,
                    spc_signals=(
                        f"{'above the upper' if direction == 'higher' else 'below the lower'} limit"
                        if enough and direction else None
                    ),
                    signal_direction=direction if enough else None,
                    spc_variation=variation, spc_assurance=assurance,
                )
            )  # fmt: skip
    return out


def _insert(con: duckdb.DuckDBPyConnection, model: str, rows: list[dict]) -> None:
    columns = [name for name, _ in contracts()[model]]
    # One insert from a DataFrame: executemany row by row takes seconds in DuckDB.
    frame = pd.DataFrame([[row.get(c) for c in columns] for row in rows], columns=columns)
    con.register("fixture_rows", frame.astype(object))
    casts = ", ".join(f"cast({c} as {t})" for c, t in contracts()[model])
    con.execute(f"insert into marts.{model} select {casts} from fixture_rows")
    con.unregister("fixture_rows")


LOCALITIES = [
    ("North", 50, 50, 48),
    ("South", 40, 40, 40),
    ("East", 60, 60, 55),
    ("West", 45, 45, 44),
    ("Central", 80, 60, 58),
    ("Riverside", 50, 37, 35),
    ("Hillside", 35, 30, 26),
    ("Market Town", 40, 29, 24),
]
# failing records per check at the latest run as at each reporting month
CHECK_TREND = {
    "ssd_cp_plans_cross_table": {6: 5, 7: 4, 8: 3},
    "ssd_cla_placement_cross_table": {6: 20, 7: 41, 8: 72},
    "ssd_contacts": {6: 0, 7: 0, 8: 0},
}


def build_fixture_db(path: Path) -> Path:
    con = duckdb.connect(str(path))
    for schema in ("raw", "marts"):
        con.execute(f"create schema if not exists {schema}")
    for model, columns in contracts().items():
        typed = ", ".join(f"{name} {kind}" for name, kind in columns)
        con.execute(f"create table marts.{model} ({typed})")
    indicators = mart_rows([c for c, _ in contracts()["pack_indicators"]])
    _insert(con, "pack_indicators", indicators)
    _insert(con, "pack_indicator_spc", spc_fixture_rows(indicators))

    # the latest successful load of each file (pack_extract_loads)
    files = ["ssd_contacts.csv", "ssd_cp_plans.csv", "ssd_cp_reviews.csv", "ssd_person.csv"]
    _insert(
        con,
        "pack_extract_loads",
        [
            {
                "file_name": name,
                "loaded_at": dt.datetime(2014, 9, 15, 2, 10 + i, 40),
                "rows_loaded": 1000 * (i + 1),
                "rows_quarantined": i,
                "open_end_dates": 0,
            }
            for i, name in enumerate(files)
        ],
    )

    # Child-level tables: the pack must never read these identifiers.
    con.execute("create table raw.ssd_person (pers_person_id varchar, pers_forename varchar)")
    con.execute("insert into raw.ssd_person values (?, 'Testchild')", [PERSON_ID])
    con.execute("create table raw.ssd_cla_placement (clap_cla_placement_id varchar)")
    con.execute("insert into raw.ssd_cla_placement values (?)", [PLACEMENT_ID])

    cleansing = []
    for month in (dt.date(2014, 7, 1), dt.date(2014, 8, 1)):
        for name, backlog, closed, by_cleansing in LOCALITIES:
            if month.month == 7:
                closed, by_cleansing = closed - 5, by_cleansing - 5
            pct = round(100.0 * closed / backlog, 2)
            cleansing.append(
                dict(
                    month=month,
                    locality=name,
                    stale_backlog=backlog,
                    closed_since=closed,
                    closed_by_cleansing=by_cleansing,
                    pct_complete=pct,
                    is_complete=pct >= 100,
                    cleansing_start=dt.date(2014, 5, 1),
                )
            )
        # A locality with no stale backlog: neither complete nor in progress (NULLs, as the
        # model gives them), and not one of "the 8 localities".
        cleansing.append(
            dict(month=month, locality="Rural", stale_backlog=0, closed_since=0,
                 closed_by_cleansing=0, cleansing_start=dt.date(2014, 5, 1))
        )  # fmt: skip
    _insert(con, "pack_cleansing_by_locality", cleansing)

    august = dt.date(2014, 8, 1)
    _insert(
        con,
        "pack_unended_placements",
        [
            dict(month=august, reason="The child has a later placement", placements=2),
            dict(
                month=august, reason="The looked after episode holding it has ended", placements=1
            ),
            dict(month=august, reason="The young person is 18 or over", placements=1),
            # September is after the reporting month: never shown
            dict(month=dt.date(2014, 9, 1), reason="The child has a later placement", placements=9),
        ],
    )
    _insert(
        con,
        "pack_unended_placements_effect",
        [
            dict(
                month=dt.date(2014, m, 1),
                children_looked_after=250 + m,
                looked_after_only_suspect_placements=2 + (m % 3),
                looked_after_excluding_suspects=248 + m - (m % 3),
                suspect_placements=3 + m,
            )
            for m in range(1, 10)
        ],
    )
    trend = [
        dict(
            reporting_month=dt.date(2014, month, 1),
            check_name=check,
            table_name=check.removesuffix("_cross_table"),
            checked_at=dt.datetime(2014, month + 1, 2, 2, 30),
            failing_records=failing,
            expectations_failed=1 if failing else 0,
            expectations_broken=0,
            error_failed=False,
        )
        for check, by_month in CHECK_TREND.items()
        for month, failing in by_month.items()
    ]
    _insert(con, "pack_check_trend", trend)
    caveat = dict(
        reporting_month=august,
        table_name="ssd_cp_plans",
        record_label="CP plan records",
        as_at=dt.date(2014, 8, 31),
    )
    _insert(
        con,
        "pack_caveats",
        [
            dict(caveat, indicator_code="cp_children", failing_records=3,
                 problem="CP plan overlaps another CP plan for the same child"),
            dict(caveat, indicator_code="cp_children", failing_records=1,
                 problem="CP plan record has no start date"),
            # another month's caveat: never shown in August's pack
            dict(caveat, reporting_month=dt.date(2014, 7, 1), indicator_code="contacts",
                 failing_records=9, problem="not shown in August"),
        ],
    )  # fmt: skip
    # the statutory returns' DfE checks: per return and year the latest on or before the end of
    # August 2014 is shown (the SSDA903's June run); the CIN's September run is after it
    _insert(
        con,
        "pack_return_validation",
        [
            {"return_name": "SSDA903", "collection_year": "2013-14", "ruleset": "lac2022_23",
             "validated_at": dt.datetime(2014, 5, 1, 2), "errors": 30, "error_rules": 9,
             "queries": 0},
            {"return_name": "SSDA903", "collection_year": "2013-14", "ruleset": "lac2022_23",
             "validated_at": dt.datetime(2014, 6, 10, 2), "errors": 14, "error_rules": 5,
             "queries": 0},
            {"return_name": "CIN", "collection_year": "2013-14", "ruleset": "cin2022_23",
             "validated_at": dt.datetime(2014, 9, 20, 2), "errors": 3, "error_rules": 2,
             "queries": 4},
        ],
    )  # fmt: skip
    con.close()
    return path


def write_commentary(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{MONTH}.md"
    path.write_text(COMMENTARY_2014_08, encoding="utf-8")
    return path


AUTHORITY = "Demo Borough Council (synthetic data)"


def fixture_settings(root: Path, output: str = "out", **extra) -> Settings:
    """The settings a pack test builds the fixture's pack with: everything under `root`, with
    `extra` settings on top (e.g. regional_file)."""
    return Settings(
        db=str(root / "warehouse.duckdb"),
        extracts=str(root / "extracts"),
        output=str(root / output),
        restricted=str(root / "restricted"),
        commentary=str(root / "commentary"),
        authority_name=AUTHORITY,
        **extra,
    )


def build_fixture_pack(root: Path, output: str = "out"):
    """The real pack build on the fixture's warehouse under `root` (pipelines.pack.build)."""
    from pipelines.pack.build import build_pack

    settings = fixture_settings(root, output)
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        return build_pack(con, MONTH, settings)
    finally:
        con.close()


def chart_svgs(html: str) -> dict[str, str]:
    """The decoded SVG of each indicator page's trend chart in a rendered pack, by anchor."""
    found = {}
    for anchor, body in re.findall(
        r'<section class="page indicator" id="([^"]+)">(.*?)</section>', html, re.S
    ):
        uri = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', body).group(1)
        found[anchor] = base64.b64decode(uri).decode("utf-8")
    return found
