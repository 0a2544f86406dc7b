"""The regional comparison (docs/region.md): suppression before anything leaves an authority,
the regional statistics worked out by hand, the command's one-line errors, and the demo
warehouse's published file."""

from __future__ import annotations

import csv
import itertools
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.region.combine import REGIONAL_COLUMNS, combine_files
from pipelines.region.files import (
    COLUMNS,
    FORMAT,
    RegionInputError,
    metadata_path,
    read_aggregates,
)
from pipelines.region.relations import PROJECT_NESTING
from pipelines.region.suppression import Figures, Published, suppress_month

T = 5  # the default threshold


def count(n: int | None) -> Figures:
    return Figures("count", n, None, None if n is None else Decimal(n))


def percent(numerator: int, denominator: int) -> Figures:
    if denominator == 0:
        return Figures("percent", numerator, denominator, None)
    value = (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Figures("percent", numerator, denominator, value)


# --- primary suppression ---------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_a_count_is_suppressed_at_threshold_minus_one_and_not_at_threshold(threshold):
    below = suppress_month({"contacts": count(threshold - 1)}, threshold)["contacts"]
    at = suppress_month({"contacts": count(threshold)}, threshold)["contacts"]
    assert below == Published("c", "z", "c")
    assert at == Published(str(threshold), "z", str(threshold))
    # zero names no child: published, as the DfE shows true zeros
    assert suppress_month({"contacts": count(0)}, threshold)["contacts"] == Published("0", "z", "0")


def test_a_percentage_is_suppressed_by_its_numerator_denominator_or_complement():
    cases = {
        # numerator at threshold - 1: it and the percentage (which, with the published
        # denominator, would give it back) are hidden; the denominator is safe to show
        (4, 50): Published("c", "50", "c"),
        (5, 50): Published("5", "50", "10.00"),
        # the complement (denominator minus numerator) is a count too: 46 of 50 reveals 4
        (46, 50): Published("c", "50", "c"),
        (45, 50): Published("45", "50", "90.00"),
        # a denominator at threshold - 1 hides the whole row
        (4, 4): Published("c", "c", "c"),
        (5, 5): Published("5", "5", "100.00"),
        (0, 5): Published("0", "5", "0.00"),
        (0, 0): Published("0", "0", "z"),  # no denominator: the percentage does not apply
    }
    for (numerator, denominator), expected in cases.items():
        got = suppress_month({"ia_timely": percent(numerator, denominator)}, T)["ia_timely"]
        assert got == expected, (numerator, denominator)


def test_k_marks_a_percentage_that_rounds_to_zero_but_is_not_zero():
    row = Figures("percent", 5, 200_000, Decimal("0.00"))
    assert suppress_month({"ia_timely": row}, T)["ia_timely"] == Published("5", "200000", "k")


# --- secondary suppression -------------------------------------------------------------------


def test_a_part_within_threshold_of_its_whole_is_suppressed():
    month = {
        "referrals": count(40),
        # the same referrals: 38 of the 40, so 40 - 38 = 2 referrals would be revealed
        "referrals_to_ia": percent(30, 38),
        "rereferrals_12m": percent(10, 40),  # equal to its whole: a difference of 0 is safe
    }
    published = suppress_month(month, T)
    assert published["referrals"] == Published("40", "z", "40")
    assert published["referrals_to_ia"] == Published("c", "c", "c")
    assert published["rereferrals_12m"] == Published("10", "40", "25.00")


def test_secondary_suppression_follows_parts_of_parts():
    month = {
        "ca_completed": count(30),
        "ca_timely": percent(10, 30),  # 20 over 35 working days
        "ca_over_61": count(18),  # 18 of those 20: the 2 between 36 and 60 days would show
    }
    published = suppress_month(month, T)
    assert published["ca_timely"] == Published("10", "30", "33.33")
    assert published["ca_over_61"] == Published("c", "z", "c")
    # and from the assessments authorised, when the timeliness measure is itself hidden
    month = {"ca_completed": count(30), "ca_timely": percent(2, 27), "ca_over_61": count(26)}
    published = suppress_month(month, T)
    assert published["ca_timely"] == Published("c", "c", "c")  # 30 - 27 = 3
    assert published["ca_over_61"] == Published("c", "z", "c")  # 30 - 26 = 4, via closure


# Months an attacker gets: each one with primary and secondary suppression in it.
ATTACKED_MONTHS = [
    {
        "referrals": count(20),
        "referrals_to_ia": percent(15, 18),
        "rereferrals_12m": percent(3, 20),
        "ca_completed": count(14),
        "ca_timely": percent(6, 14),
        "ca_over_61": count(6),
        "ia_completed": count(3),
        "ia_timely": percent(2, 3),
        "contacts": count(25),
    },
    {
        "referrals": count(20),
        "referrals_to_ia": percent(17, 20),
        "rereferrals_12m": percent(6, 20),
        "ca_completed": count(12),
        "ca_timely": percent(1, 9),
        "ca_over_61": count(8),
        "cla_children": count(22),
        "cla_stability_short": percent(5, 22),
        "cla_stability_long": percent(8, 19),
        "contacts": count(4),
    },
]


def _attack(month: dict[str, Figures], threshold: int) -> dict[tuple[str, str], set[int]]:
    """Every value each suppressed cell could have, to an attacker who knows the published
    month, the suppression rule and every relation between the figures (parts are no larger
    than their wholes, numerators no larger than denominators): all the true months that
    publish exactly what was published. Indicators unrelated to each other are attacked
    separately (holding the others at their true figures only narrows the search, so two
    candidates found this way are two candidates)."""
    published = suppress_month(month, threshold)
    cap = (
        max(int(c) for p in published.values() for c in (p.numerator, p.denominator) if c.isdigit())
        + threshold
    )
    unknowns = [
        (code, name)
        for code, cells in published.items()
        for name in ("numerator", "denominator")
        if getattr(cells, name) == "c"
    ]
    groups = _related_groups(month)
    candidates: dict[tuple[str, str], set[int]] = {cell: set() for cell in unknowns}
    for group in groups:
        cells = [cell for cell in unknowns if cell[0] in group]
        for guess in itertools.product(range(cap + 1), repeat=len(cells)):
            trial = dict(month)
            values = {
                code: {"numerator": f.numerator, "denominator": f.denominator}
                for code, f in month.items()
            }
            for (code, name), number in zip(cells, guess, strict=True):
                values[code][name] = number
            if not _plausible(values, month):
                continue
            for code in group:
                figures = values[code]
                trial[code] = (
                    count(figures["numerator"])
                    if month[code].unit == "count"
                    else percent(figures["numerator"], figures["denominator"])
                )
            if suppress_month(trial, threshold) == published:
                for cell, number in zip(cells, guess, strict=True):
                    candidates[cell].add(number)
    return candidates


def _related_groups(month) -> list[set[str]]:
    groups = [{code} for code in month]
    for (whole, _), (part, _) in PROJECT_NESTING:
        if whole in month and part in month:
            a = next(g for g in groups if whole in g)
            b = next(g for g in groups if part in g)
            if a is not b:
                groups.remove(b)
                a |= b
    return groups


def _plausible(values, month) -> bool:
    def figure(code, name):
        row = values[code]
        if name == "complement":
            return row["denominator"] - row["numerator"]
        return row[name]

    for code, row in values.items():
        if month[code].unit == "percent" and row["numerator"] > row["denominator"]:
            return False
    for (whole, whole_name), (part, part_name) in PROJECT_NESTING:
        if whole in month and part in month and figure(part, part_name) > figure(whole, whole_name):
            return False
    return True


@pytest.mark.parametrize("month", ATTACKED_MONTHS, ids=["month1", "month2"])
def test_no_suppressed_cell_can_be_recovered_from_the_published_ones(month):
    published = suppress_month(month, T)
    hidden = {code for code, cells in published.items() if "c" in (cells.numerator, cells.value)}
    assert len(hidden) >= 4  # the months do exercise the rules
    candidates = _attack(month, T)
    for cell, values in candidates.items():
        code, name = cell
        assert getattr(month[code], name) in values  # the attack is a fair one
        assert len(values) >= 2, f"{cell} recovered: it can only be {values}"


def test_the_attack_does_recover_a_cell_the_rule_had_left_showing():
    """The attack is strong enough to find a leak: without secondary suppression a
    referrals_to_ia denominator of 18 beside 20 referrals would leave 2 showing."""
    month = ATTACKED_MONTHS[0]
    only_primary = suppress_month(month, T, nesting=())
    assert only_primary["referrals_to_ia"].denominator == "18"  # 20 - 18 = 2 by subtraction
    assert suppress_month(month, T)["referrals_to_ia"].denominator == "c"


# --- the regional file: three authorities worked out by hand ---------------------------------

AUTHORITIES = {
    "E06000001": "Axshire",
    "E06000002": "Beeborough",
    "E06000003": "Ceeford",
}
# (indicator, month) -> authority -> (numerator, denominator, value), as each file holds them
FIXTURE = {
    # ia_timely: higher is better
    ("ia_timely", "2014-08-01"): {
        "E06000001": ("138", "192", "71.88"),
        "E06000002": ("40", "50", "80.00"),
        "E06000003": ("13", "20", "65.00"),
    },
    ("ia_timely", "2014-07-01"): {
        "E06000001": ("30", "40", "75.00"),
        "E06000002": ("c", "50", "c"),
        "E06000003": ("15", "20", "75.00"),
    },
    # cp_repeat: lower is better
    ("cp_repeat", "2014-08-01"): {
        "E06000001": ("29", "207", "14.01"),
        "E06000002": ("10", "100", "10.00"),
        "E06000003": ("41", "200", "20.50"),
    },
    ("cp_repeat", "2014-07-01"): {
        "E06000001": ("10", "100", "10.00"),
        "E06000002": ("20", "200", "10.00"),
        "E06000003": ("5", "100", "5.00"),
    },
    # contacts: neither, a count
    ("contacts", "2014-08-01"): {
        "E06000001": ("567", "z", "567"),
        "E06000002": ("300", "z", "300"),
        "E06000003": ("1000", "z", "1000"),
    },
    ("contacts", "2014-07-01"): {
        "E06000001": ("c", "z", "c"),
        "E06000002": ("c", "z", "c"),
        "E06000003": ("c", "z", "c"),
    },
}
UNITS = {"ia_timely": "percent", "cp_repeat": "percent", "contacts": "count"}

# Worked by hand. Type 7 quantiles of three sorted values a <= b <= c: Q1 = a + (b - a) / 2,
# median b, Q3 = b + (c - b) / 2; rounded to 2 dp, halves away from zero.
EXPECTED = {
    # 65.00, 71.88, 80.00: Q1 = 65 + 6.88/2 = 68.44; Q3 = 71.88 + 8.12/2 = 75.94
    ("ia_timely", "2014-08-01"): (
        ("68.44", "71.88", "75.94"),
        3,
        {"E06000001": "2", "E06000002": "1", "E06000003": "3"},
    ),
    # B suppressed: 75, 75 -> all 75; A and C share rank 1
    ("ia_timely", "2014-07-01"): (
        ("75.00", "75.00", "75.00"),
        2,
        {"E06000001": "1", "E06000002": "c", "E06000003": "1"},
    ),
    # 10.00, 14.01, 20.50: Q1 = 10 + 4.01/2 = 12.005 -> 12.01; Q3 = 14.01 + 6.49/2 = 17.255
    # -> 17.26. Lower is better: B 1, A 2, C 3
    ("cp_repeat", "2014-08-01"): (
        ("12.01", "14.01", "17.26"),
        3,
        {"E06000001": "2", "E06000002": "1", "E06000003": "3"},
    ),
    # 5, 10, 10: Q1 = 7.50, median 10, Q3 = 10; C 1, A and B share 2
    ("cp_repeat", "2014-07-01"): (
        ("7.50", "10.00", "10.00"),
        3,
        {"E06000001": "2", "E06000002": "2", "E06000003": "1"},
    ),
    # 300, 567, 1000: Q1 = 300 + 267/2 = 433.50; Q3 = 567 + 433/2 = 783.50; not ranked
    ("contacts", "2014-08-01"): (
        ("433.50", "567.00", "783.50"),
        3,
        {"E06000001": "z", "E06000002": "z", "E06000003": "z"},
    ),
    # every authority suppressed: nothing to summarise
    ("contacts", "2014-07-01"): (
        ("z", "z", "z"),
        0,
        {"E06000001": "c", "E06000002": "c", "E06000003": "c"},
    ),
}


def write_file(folder: Path, code: str, rows=None, threshold: int = T, **metadata) -> Path:
    """An authority's aggregates file written by hand (no pipeline run)."""
    path = folder / f"{code}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        if rows is None:
            rows = [
                (code, indicator, month, UNITS[indicator], *figures[code])
                for (indicator, month), figures in FIXTURE.items()
            ]
        writer.writerows(rows)
    meta = {
        "authority_code": code,
        "authority_name": AUTHORITIES.get(code, code),
        "generated": "2014-09-15",
        "reporting_month": "2014-08",
        "suppression_threshold": threshold,
        "format": FORMAT,
        **metadata,
    }
    metadata_path(path).write_text(json.dumps(meta), encoding="utf-8")
    return path


@pytest.fixture
def region_files(tmp_path) -> list[Path]:
    return [write_file(tmp_path, code) for code in AUTHORITIES]


def test_regional_quartiles_counts_and_ranks_are_as_worked_by_hand(region_files):
    rows = combine_files(region_files)
    assert len(rows) == len(FIXTURE) * 3
    for row in rows:
        (q1, median, q3), contributing, ranks = EXPECTED[(row["indicator_code"], row["month"])]
        assert (
            row["region_lower_quartile"],
            row["region_median"],
            row["region_upper_quartile"],
        ) == (q1, median, q3), row
        assert row["authorities_contributing"] == str(contributing)
        assert row["authorities_in_region"] == "3"
        assert row["rank"] == ranks[row["authority_code"]], row
        assert row["authority_name"] == AUTHORITIES[row["authority_code"]]
        assert row["suppression_threshold"] == "5"
    polarity = {(r["indicator_code"]): r["polarity"] for r in rows}
    assert polarity == {"ia_timely": "higher", "cp_repeat": "lower", "contacts": "neither"}


def test_the_regional_csv_is_one_row_per_authority_indicator_and_month(region_files, tmp_path):
    out = tmp_path / "region.csv"
    result = CliRunner().invoke(
        main, ["region", "combine", *map(str, region_files), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == REGIONAL_COLUMNS
        rows = list(reader)
    keys = [(r["authority_code"], r["indicator_code"], r["month"]) for r in rows]
    assert len(keys) == len(set(keys)) == 18
    # in the catalogue's display order: contacts 3, ia_timely 7, cp_repeat 13
    assert [r["indicator_code"] for r in rows[::6]] == ["contacts", "ia_timely", "cp_repeat"]


# --- one clear line for bad input ------------------------------------------------------------


def _combine(tmp_path, *files: Path, monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "warehouse.duckdb"))  # logs beside it
    out = tmp_path / "region.csv"
    result = CliRunner().invoke(main, ["region", "combine", *map(str, files), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert not out.exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_combine_names_a_missing_file(region_files, tmp_path, monkeypatch):
    missing = tmp_path / "E06000009.csv"
    line = _combine(tmp_path, *region_files, missing, monkeypatch=monkeypatch)
    assert line == (
        f"boardpack region combine: not combined: {missing}: no such file; "
        "expected an aggregates CSV"
    )


def test_combine_names_the_file_row_and_column_of_a_wrong_column(tmp_path, monkeypatch):
    good = write_file(tmp_path, "E06000001")
    bad = tmp_path / "E06000002.csv"
    write_file(tmp_path, "E06000002")
    text = bad.read_text(encoding="utf-8").replace(",value\n", ",rate\n", 1)
    bad.write_text(text, encoding="utf-8")
    line = _combine(tmp_path, good, bad, monkeypatch=monkeypatch)
    assert line.endswith(
        f"{bad}: row 1, column 7: header 'rate'; expected 'value' "
        f"(the columns are {','.join(COLUMNS)})"
    )


def test_combine_names_the_row_of_an_unsuppressed_count(tmp_path, monkeypatch):
    rows = [("E06000002", "contacts", "2014-08-01", "count", "3", "z", "3")]
    good = write_file(tmp_path, "E06000001")
    bad = write_file(tmp_path, "E06000002", rows=rows)
    line = _combine(tmp_path, good, bad, monkeypatch=monkeypatch)
    assert line.endswith(
        f"{bad}: row 2, column numerator: '3'; expected 0, 5 or more, or `c` "
        "(the file's threshold is 5)"
    )


def test_combine_names_a_cell_that_is_not_a_count(tmp_path, monkeypatch):
    rows = [("E06000002", "ia_timely", "2014-08-01", "percent", "12", "forty", "30.00")]
    bad = write_file(tmp_path, "E06000002", rows=rows)
    line = _combine(tmp_path, bad, monkeypatch=monkeypatch)
    assert line.endswith(
        f"{bad}: row 2, column denominator: 'forty'; expected a count or `c` or `z`"
    )


def test_combine_refuses_two_files_for_one_authority(tmp_path, monkeypatch):
    first = write_file(tmp_path, "E06000001")
    (tmp_path / "again").mkdir()
    second = write_file(tmp_path / "again", "E06000001")
    line = _combine(tmp_path, first, second, monkeypatch=monkeypatch)
    assert line.endswith(
        f"{metadata_path(second)}: key authority_code is 'E06000001', the same as {first}; "
        "expected one file per authority"
    )


def test_combine_refuses_mismatched_thresholds(tmp_path, monkeypatch):
    five = write_file(tmp_path, "E06000001")
    ten = write_file(tmp_path, "E06000002", threshold=10)
    line = _combine(tmp_path, five, ten, monkeypatch=monkeypatch)
    assert line.endswith(
        f"{metadata_path(ten)}: key suppression_threshold is 10; expected 5, as in {five} "
        "(publish every authority with the same BOARDPACK_SUPPRESSION_THRESHOLD)"
    )


def test_combine_refuses_an_indicator_the_catalogue_does_not_have(tmp_path, monkeypatch):
    rows = [("E06000001", "made_up", "2014-08-01", "count", "12", "z", "12")]
    bad = write_file(tmp_path, "E06000001", rows=rows)
    line = _combine(tmp_path, bad, monkeypatch=monkeypatch)
    assert line.endswith(
        f"{bad}: row 2, column indicator_code: 'made_up'; expected an indicator of the "
        "catalogue (ref_indicator_catalogue.csv)"
    )


def test_publish_without_a_warehouse_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "none.duckdb"))
    result = CliRunner().invoke(main, ["region", "publish", "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"boardpack region publish: not published: no warehouse at {tmp_path / 'none.duckdb'}: "
        "run `boardpack run` first"
    )


def test_publish_refuses_a_threshold_below_three(tmp_path, monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "none.duckdb"))
    result = CliRunner().invoke(
        main, ["region", "publish", "--out", str(tmp_path / "a.csv"), "--threshold", "2"]
    )
    assert result.exit_code == 2
    assert "BOARDPACK_SUPPRESSION_THRESHOLD='2': expected a whole number of at least 3" in (
        result.stderr
    )


# --- the demo authority's warehouse ----------------------------------------------------------


def test_the_demo_warehouse_publishes_no_small_count_and_no_child_level_column(
    demo_run, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOARDPACK_DB", str(demo_run.settings.database))
    monkeypatch.setenv("BOARDPACK_LOGS", str(tmp_path / "logs"))
    out = tmp_path / "demo.csv"
    result = CliRunner().invoke(main, ["region", "publish", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == COLUMNS  # aggregates only: no person, no record id
        rows = list(reader)
    with demo_run.connect() as con:
        (expected,) = con.execute("select count(*) from marts.fct_indicator_month").fetchone()
    assert len(rows) == expected
    suppressed = 0
    for row in rows:
        for column in ("numerator", "denominator"):
            cell = row[column]
            assert cell in ("c", "z") or cell == "0" or int(cell) >= T, row
        if row["numerator"].isdigit() and row["denominator"].isdigit():
            complement = int(row["denominator"]) - int(row["numerator"])
            assert complement == 0 or complement >= T, row
        suppressed += row["value"] == "c"
    assert suppressed > 0  # the demo has small numbers: the rule did something
    meta = json.loads(metadata_path(out).read_text(encoding="utf-8"))
    assert meta["suppression_threshold"] == T and meta["reporting_month"] == "2014-08"
    assert set(meta) == {
        "authority_code",
        "authority_name",
        "generated",
        "reporting_month",
        "suppression_threshold",
        "format",
    }
    read_aggregates(out)  # and combine would accept it


def test_reading_refuses_a_percentage_that_gives_its_hidden_numerator_back(tmp_path):
    rows = [("E06000001", "ia_timely", "2014-08-01", "percent", "c", "50", "8.00")]
    bad = write_file(tmp_path, "E06000001", rows=rows)
    with pytest.raises(RegionInputError, match="with the denominator it would give the hidden"):
        read_aggregates(bad)
