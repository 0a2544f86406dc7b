"""A region of three authorities end to end (issue 14), through the real command line:
`boardpack generate --authorities 3`, the whole pipeline for each authority in its own
warehouse, `boardpack region publish` from each, `boardpack region combine`, and one
authority's pack given the regional file (which reruns only its pack).

The regional statistics are checked against medians and quartiles worked out here from the
three published files (statistics.quantiles, 'inclusive': QUARTILE.INC, the method
docs/region.md states), not by the combining code; and no suppressed cell can be recovered: in
every published file, every count shown is 0 or at least the threshold, and so is every
difference between a published whole and a published part (the subtractions a reader could
make). One module fixture: three pipeline runs at a small scale."""

from __future__ import annotations

import csv
import statistics
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from pipeline_helpers import run_pipeline

from pipelines.cli import main
from pipelines.region.relations import PROJECT_NESTING, closure, within_indicator

MONTH = "2014-08"
THRESHOLD = 5
SYMBOLS = {"c", "k", "z"}


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("region")
    generated = CliRunner().invoke(
        main,
        ["generate", "--authorities", "3", "--out", str(root / "extracts"), "--scale", "0.1"],
    )
    assert generated.exit_code == 0, generated.output
    with open(root / "extracts" / "authorities.csv", newline="", encoding="utf-8") as f:
        authorities = list(csv.DictReader(f))
    assert len(authorities) == 3
    published = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        for authority in authorities:
            home = root / authority["code"]
            home.mkdir()
            (home / "extracts").symlink_to(root / "extracts" / authority["code"])
            monkeypatch.setenv("BOARDPACK_LA_CODE", authority["code"])
            monkeypatch.setenv("BOARDPACK_AUTHORITY_NAME", authority["name"])
            run = run_pipeline(home, MONTH, monkeypatch)
            assert run.success, run.failures
            out = root / "published" / f"{authority['code']}.csv"
            result = CliRunner().invoke(
                main, ["region", "publish", "--out", str(out), "--db", str(run.settings.database)]
            )
            assert result.exit_code == 0, result.output
            published.append(out)
        regional = root / "regional.csv"
        result = CliRunner().invoke(
            main, ["region", "combine", *map(str, published), "--out", str(regional)]
        )
        assert result.exit_code == 0, result.output
    return SimpleNamespace(
        root=root, authorities=authorities, published=published, regional=regional
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _two_dp(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_the_regional_median_and_quartiles_are_those_of_the_published_values(region):
    values: dict[tuple[str, str], list[Decimal]] = {}
    for path in region.published:
        for row in _rows(path):
            if row["value"] not in SYMBOLS:
                values.setdefault((row["indicator_code"], row["month"]), []).append(
                    Decimal(row["value"])
                )
    checked = 0
    for row in _rows(region.regional):
        found = values.get((row["indicator_code"], row["month"]), [])
        assert int(row["authorities_contributing"]) == len(found)
        assert row["authorities_in_region"] == "3"
        if not found:
            assert row["region_median"] == "z"
            continue
        assert row["region_median"] == _two_dp(statistics.median(found)), row
        if len(found) > 1:
            low, _, high = statistics.quantiles(found, n=4, method="inclusive")
            assert (row["region_lower_quartile"], row["region_upper_quartile"]) == (
                _two_dp(Decimal(low)),
                _two_dp(Decimal(high)),
            ), row
        checked += 1
    assert checked > 100  # most indicator-months have published values


def test_no_suppressed_cell_can_be_recovered_from_a_published_file(region):
    suppressed = 0
    for path in region.published:
        by_month: dict[str, dict[str, dict[str, str]]] = {}
        for row in _rows(path):
            by_month.setdefault(row["month"], {})[row["indicator_code"]] = row
            for name in ("numerator", "denominator"):
                cell = row[name]
                if cell in SYMBOLS:
                    suppressed += cell == "c"
                    continue
                assert int(cell) == 0 or int(cell) >= THRESHOLD, (path.name, row)
        for rows in by_month.values():
            percentages = [code for code, r in rows.items() if r["unit"] == "percent"]
            pairs = closure([*within_indicator(percentages), *PROJECT_NESTING])
            for (whole_code, whole_name), (part_code, part_name) in pairs:
                whole = _count(rows.get(whole_code), whole_name)
                part = _count(rows.get(part_code), part_name)
                if whole is None or part is None:
                    continue
                assert not 0 < whole - part < THRESHOLD, (path.name, whole_code, part_code)
    assert suppressed > 0  # small authorities at a small scale: there is something to hide


def _count(row: dict[str, str] | None, name: str) -> int | None:
    if row is None:
        return None
    if name == "complement":
        cells = (row["numerator"], row["denominator"])
        if any(cell in SYMBOLS for cell in cells):
            return None
        return int(cells[1]) - int(cells[0])
    return None if row[name] in SYMBOLS else int(row[name])


def test_an_authority_pack_given_the_regional_file_shows_the_region(region, monkeypatch):
    first = region.authorities[0]
    home = region.root / first["code"]
    monkeypatch.setenv("BOARDPACK_LA_CODE", first["code"])
    monkeypatch.setenv("BOARDPACK_AUTHORITY_NAME", first["name"])
    monkeypatch.setenv("BOARDPACK_REGIONAL_FILE", str(region.regional))
    monkeypatch.setenv("BOARDPACK_LOGS", str(home / "logs"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    for name, value in {
        "BOARDPACK_DB": home / "warehouse.duckdb",
        "BOARDPACK_EXTRACTS": home / "extracts",
        "BOARDPACK_OUTPUT": home / "output",
        "BOARDPACK_RESTRICTED": home / "restricted",
    }.items():
        monkeypatch.setenv(name, str(value))

    result = CliRunner().invoke(main, ["run", "--month", MONTH])

    assert result.exit_code == 0, result.output
    # only the pack's inputs changed (the regional file): the pack's own job
    reused = "Unchanged since an earlier run, reused: "
    assert f"{reused}data_quality_checks, dbt_check_result_views, dbt_models" in result.output
    html = (home / "output" / MONTH / "board_pack.html").read_text(encoding="utf-8")
    assert "Regional comparison" in html
    assert "Region (median)" in html or "region-median" in html
    assert first["name"] in html
