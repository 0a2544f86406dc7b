"""The workbook's tables as plain data: which cells each sheet holds and what kind of figure
each is (pipelines/pack/xlsx.py lays them out). Everything comes from the marts.pack_* rows the
pack already reads: the scorecard and indicator sheets from pack_indicators and
pack_indicator_spc, Definitions and Comparators from the catalogue fields of pack_indicators,
Data quality from the aggregates the pack's data-quality section shows (no child-level data).

Cell kinds: "text"; "count" (whole numbers); "percent" (a percentage as the marts hold it,
0-100: the workbook stores it as a fraction with a percent format); "rate" (per 10,000);
"decimal" (a mean or limit on a count's scale); "month" (a date shown as a month); "rag". A
figure that is missing is None and becomes an empty cell, never "N/A" text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb

from pipelines.pack import dq, flags
from pipelines.pack.data import fetch_dicts
from pipelines.pack.formatting import add_months, as_float, target_kind, value_kind

RATE_BASIS_WORDS = {
    "month": "Rate per 10,000 children aged 0-17 at the month end",
    "rolling_12": "Rate per 10,000 children aged 0-17 over the rolling 12 months",
    "ytd": "Rate per 10,000 children aged 0-17 over the financial year to date",
}
POLARITY_WORDS = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neither": "Neither: monitored, no better direction",
}
KIND_WORDS = {"percent": "Percentage", "rate": "Rate per 10,000", "count": "Number"}


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str = "text"


@dataclass
class Table:
    sheet: str
    columns: list[tuple[str, int]]  # heading, column width (characters)
    rows: list[list[Cell]]
    frozen_columns: int = 2  # the columns that name the row stay in view
    print_title: str = ""
    notes: list[str] = field(default_factory=list)  # lines above the table (the scorecard's)


def _text(value: object) -> Cell:
    return Cell("" if value is None else str(value).strip())


def _yes_no(value: bool | None) -> Cell:
    return Cell("" if value is None else ("Yes" if value else "No"))


def _figure(value: object, kind: str) -> Cell:
    return Cell(as_float(value), kind)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def target_cells(row: Mapping) -> list[Cell]:
    """Target, band from, band to, what the target is set on, whether it is illustrative:
    numbers on the target's own scale (a percentage target as a percentage)."""
    if not flags.has_target(row):
        return [Cell(None, "count"), Cell(None, "count"), Cell(None, "count"), _text(""), _text("")]
    kind = target_kind(row)
    band = as_float(row["target_low"]) is not None and as_float(row["target_high"]) is not None
    return [
        _figure(None if band else row["target_value"], kind),
        _figure(row["target_low"] if band else None, kind),
        _figure(row["target_high"] if band else None, kind),
        Cell(KIND_WORDS[kind]),
        _yes_no(bool(row["is_illustrative_target"])),
    ]


TARGET_COLUMNS = [
    ("Target", 11),
    ("Target band from", 11),
    ("Target band to", 11),
    ("Target is set on", 15),
    ("Target is illustrative", 12),
]
SPC_COLUMNS = [("SPC variation", 26), ("SPC assurance", 26)]


def _spc_cells(spc: Mapping | None) -> list[Cell]:
    spc = spc or {}
    return [_text(spc.get("spc_variation")), _text(spc.get("spc_assurance"))]


# --- the scorecard and the indicators' sheets ---------------------------------------------------


def scorecard_table(
    rows: list[dict], previous_labels: tuple[str, str], spc: Mapping[str, Mapping]
) -> Table:
    """One row per indicator for the reporting month. spc: code -> its SPC row that month."""
    prev_1y, prev_2y = previous_labels
    columns = [
        ("Code", 20),
        ("Indicator", 46),
        ("Current value", 13),
        ("Unit", 11),
        ("Numerator", 11),
        ("Denominator", 12),
        ("Rate per 10,000", 13),
        ("Rate basis", 30),
        ("Assessment (RAG)", 15),
        ("Direction of travel", 16),
        *TARGET_COLUMNS,
        (f"{prev_1y} value", 12),
        (f"{prev_2y} value", 12),
        (f"{prev_1y} rate per 10,000", 14),
        ("Small numbers", 9),
        *SPC_COLUMNS,
    ]
    out = []
    for row in rows:
        kind = value_kind(row["unit"])
        out.append(
            [
                _text(row["indicator_code"]),
                _text(row["name"]),
                _figure(row["value"], kind),
                Cell(KIND_WORDS[kind]),
                _figure(row["numerator"], "count"),
                _figure(row["denominator"], "count"),
                _figure(row["rate_per_10k"], "rate"),
                _text(RATE_BASIS_WORDS.get(row["rate_basis"], "")),
                Cell(row["rag"], "rag"),
                _text(row["direction"]),
                *target_cells(row),
                _figure(row["previous_1y"], kind),
                _figure(row["previous_2y"], kind),
                _figure(row["previous_1y_rate"], "rate"),
                _yes_no(flags.small_numbers(row)),
                *_spc_cells(spc.get(row["indicator_code"])),
            ]
        )
    return Table("Scorecard", columns, out)


def _spc_kind(spc: Mapping | None, unit: str) -> str:
    if spc and spc.get("spc_measure") == "rate_per_10k":
        return "rate"
    return "percent" if unit == "percent" else "decimal"


def indicator_table(
    sheet: str, row: dict, series: list[dict], spc: Mapping[dt.date, Mapping]
) -> Table:
    """The indicator's monthly series to the reporting month, with its SPC readings
    (spc: month -> the SPC row as at that month)."""
    kind = value_kind(row["unit"])
    columns = [
        ("Month", 10),
        ("Value", 12),
        ("Numerator", 12),
        ("Denominator", 12),
        ("Rate per 10,000", 14),
        *TARGET_COLUMNS[:3],
        ("RAG", 13),
        *SPC_COLUMNS,
        ("SPC process mean", 12),
        ("SPC lower process limit", 13),
        ("SPC upper process limit", 13),
    ]
    out = []
    for point in series:
        month = _date(point["month"])
        at = spc.get(month) if month else None
        spc_kind = _spc_kind(at, row["unit"])
        out.append(
            [
                Cell(month, "month"),
                _figure(point["value"], kind),
                _figure(point["numerator"], "count"),
                _figure(point["denominator"], "count"),
                _figure(point["rate_per_10k"], "rate"),
                *target_cells(point)[:3],
                Cell(point["rag"], "rag"),
                *_spc_cells(at),
                _figure((at or {}).get("process_mean"), spc_kind),
                _figure((at or {}).get("lower_limit"), spc_kind),
                _figure((at or {}).get("upper_limit"), spc_kind),
            ]
        )
    return Table(sheet, columns, out, frozen_columns=1, print_title=str(row["name"]))


# --- definitions and comparators --------------------------------------------------------------

_PERCENT_OF = ", as a percentage of "


def numerator_denominator(row: Mapping) -> tuple[str, str]:
    """The catalogue's measure split into what is counted and what it is counted out of
    ("X, as a percentage of Y"); for a count, the denominator of its rate, if it has one."""
    measure = str(row["measure"] or "").strip()
    if row["unit"] == "percent":
        counted, found, out_of = measure.partition(_PERCENT_OF)
        return (_sentence(counted), _sentence(out_of)) if found else (_sentence(measure), "")
    counted, _, _rate = measure.partition("; rate per 10,000")
    basis = RATE_BASIS_WORDS.get(row["rate_basis"])
    rate_denominator = (
        "Children aged 0-17 in the population (for the rate per 10,000)" if basis else ""
    )
    return _sentence(counted), rate_denominator


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def definitions_table(rows: list[dict]) -> Table:
    columns = [
        ("Code", 20),
        ("Indicator", 40),
        ("Definition", 60),
        ("Numerator", 50),
        ("Denominator", 50),
        ("Period measured", 16),
        ("Unit", 11),
        ("Rate basis", 30),
        ("Polarity", 20),
        *TARGET_COLUMNS,
        ("Comparators are illustrative", 13),
        ("Responsible officer", 30),
    ]
    out = []
    for row in rows:
        numerator, denominator = numerator_denominator(row)
        out.append(
            [
                _text(row["indicator_code"]),
                _text(row["name"]),
                _text(row["description"]),
                Cell(numerator),
                Cell(denominator),
                _text(row["measure_period"]),
                Cell(KIND_WORDS[value_kind(row["unit"])]),
                _text(RATE_BASIS_WORDS.get(row["rate_basis"], "")),
                _text(POLARITY_WORDS.get(str(row["indicator_guide"]), row["indicator_guide"])),
                *target_cells(row),
                _yes_no(bool(row["comparators_illustrative"])),
                _text(row["responsible_officer"]),
            ]
        )
    return Table("Definitions", columns, out)


COMPARATORS = [
    ("England", "england_value", "england_year"),
    ("Statistical neighbours", "statistical_neighbours_value", "statistical_neighbours_year"),
    (None, "region_value", "region_year"),  # named by region_name
]


def comparators_table(rows: list[dict]) -> Table:
    """One row per indicator and comparator that has a figure, on the scale the target is set
    on, beside this authority's figure on that scale for the reporting month."""
    columns = [
        ("Code", 20),
        ("Indicator", 40),
        ("Comparator", 22),
        ("Year", 9),
        ("Comparator value", 13),
        ("This authority", 13),
        ("Measured as", 16),
        ("Comparator is illustrative", 13),
    ]
    out = []
    for row in rows:
        kind = target_kind(row)
        ours = row["rate_per_10k"] if kind == "rate" else row["value"]
        for name, value_column, year_column in COMPARATORS:
            if as_float(row[value_column]) is None:
                continue
            out.append(
                [
                    _text(row["indicator_code"]),
                    _text(row["name"]),
                    _text(name or row["region_name"] or "Region"),
                    _text(row[year_column]),
                    _figure(row[value_column], kind),
                    _figure(ours, kind),
                    Cell(KIND_WORDS[kind]),
                    _yes_no(bool(row["comparators_illustrative"])),
                ]
            )
    return Table("Comparators", columns, out)


# --- the regional comparison ----------------------------------------------------------------------

REGIONAL_COLUMNS = [
    ("Code", 20),
    ("Indicator", 46),
    ("Month", 10),
    ("Unit", 11),
    ("This authority", 13),
    ("This authority's symbol", 13),
    ("Region lower quartile", 13),
    ("Region median", 13),
    ("Region upper quartile", 13),
    ("Rank (1 = best)", 10),
    ("Rank symbol", 10),
    ("Authorities contributing", 13),
    ("Authorities in region", 13),
    ("Better is", 12),
    ("Suppression threshold", 12),
]


def regional_table(regional, rows: list[dict], month_start: dt.date) -> Table:
    """This authority's line of the regional file (pipelines/pack/regional.py) for each
    indicator in the reporting month: figures as numbers (a percentage as a percentage, a
    median of counts as a decimal), a DfE symbol (c, k, z) in its own column beside the blank
    figure it stands for, never as text in a number column."""
    from pipelines.pack.regional import number, value_number

    out = []
    for mart in rows:
        code = mart["indicator_code"]
        row = regional.row(code, month_start)
        if row is None:
            continue
        kind = "percent" if row.unit == "percent" else "count"
        stat_kind = "percent" if kind == "percent" else "decimal"
        shown = value_number(row)
        out.append(
            [
                _text(code),
                _text(mart["name"]),
                Cell(month_start, "month"),
                Cell(KIND_WORDS[kind]),
                _figure(shown, kind),
                _text(row.value if shown is None or row.value == "k" else ""),
                _figure(number(row.region_lower_quartile), stat_kind),
                _figure(number(row.region_median), stat_kind),
                _figure(number(row.region_upper_quartile), stat_kind),
                _figure(number(row.rank), "count"),
                _text("" if row.rank.isdigit() else row.rank),
                Cell(row.authorities_contributing, "count"),
                Cell(row.authorities_in_region, "count"),
                _text(POLARITY_WORDS.get(row.polarity, row.polarity)),
                Cell(row.suppression_threshold, "count"),
            ]
        )
    return Table("Regional comparison", REGIONAL_COLUMNS, out)


# --- data quality ---------------------------------------------------------------------------------

# (column, measure, kind) of each model's figures, as the data-quality section words them
CLEANSING_MEASURES = [
    ("stale_backlog", "Stale early help episodes when the cleansing started", "count"),
    ("closed_since", "Of those, closed since (for any reason)", "count"),
    ("closed_by_cleansing", "Of those, closed by the cleansing", "count"),
    ("pct_complete", "Cleansing complete", "percent"),
]
LOAD_MEASURES = [
    ("rows_loaded", "Rows loaded", "count"),
    ("rows_quarantined", "Rows set aside (quarantined)", "count"),
    ("open_end_dates", "End dates given as an open placeholder, read as open", "count"),
]


def data_quality_table(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> Table:
    """The figures of the pack's data-quality section as one long table (topic, item, measure,
    month, value), as at the reporting month: aggregates only (the marts.pack_* models the
    section reads; none holds a child or a record)."""
    columns = [("Topic", 30), ("Item", 44), ("Measure", 50), ("Month", 10), ("Value", 11)]
    out: list[list[Cell]] = []

    def add(topic: str, item: object, measure: str, month: object, value: object, kind: str):
        out.append(
            [Cell(topic), _text(item), Cell(measure), Cell(month, "month"), _figure(value, kind)]
        )

    # records failing each check, over the last TREND_MONTHS reporting months with results
    trend = fetch_dicts(
        con,
        "pack_check_trend",
        "reporting_month <= ?",
        [month_start],
        "check_name, reporting_month",
    )
    shown = set(sorted({r["reporting_month"] for r in trend})[-dq.TREND_MONTHS :])
    for r in trend:
        if r["reporting_month"] in shown:
            add("Data-quality checks", r["check_name"], "Records failing the check",
                r["reporting_month"], r["failing_records"], "count")  # fmt: skip
    caveats = fetch_dicts(
        con,
        "pack_caveats",
        "reporting_month = ?",
        [month_start],
        "indicator_code, failing_records desc, table_name, problem",
    )
    for r in caveats:
        problem = f"{r['record_label']}: {r['problem']}"
        add("Caveats beside the indicators", r["indicator_code"], problem, month_start,
            r["failing_records"], "count")  # fmt: skip
    for r in fetch_dicts(con, "pack_cleansing_by_locality", "month = ?", [month_start], "locality"):
        for column, measure, kind in CLEANSING_MEASURES:
            add("Early help data cleansing", r["locality"], measure, month_start, r[column], kind)
    for r in fetch_dicts(
        con, "pack_unended_placements", "month = ?", [month_start], "placements desc, reason"
    ):
        add("Placements with no end date", r["reason"], "Placements open at the month end",
            month_start, r["placements"], "count")  # fmt: skip
    effect = fetch_dicts(
        con,
        "pack_unended_placements_effect",
        "month between ? and ?",
        [add_months(month_start, -(dq.EFFECT_MONTHS - 1)), month_start],
        "month",
    )
    for column, heading in dq.EFFECT_COLUMNS:
        for r in effect:
            add("Effect of placements with no end date", heading, "Number at the month end",
                r["month"], r[column], "count")  # fmt: skip
    for r in fetch_dicts(con, "pack_extract_loads", order_by="file_name"):
        for column, measure, kind in LOAD_MEASURES:
            add("Extract files (latest successful load)", r["file_name"], measure, None,
                r[column], kind)  # fmt: skip
    return Table("Data quality", columns, out)
