"""A region of synthetic authorities (issue 14): ``generate_region`` and
``boardpack generate --authorities N``.

Small and short (scale 0.05, September 2013 to August 2014): a region of three takes about a
second. The demo's own figures are tests/test_generator.py's and tests/test_calibration.py's;
here only that its bytes did not change.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.contract import load_contract
from pipelines.synthetic import generate_authority, generate_region
from pipelines.synthetic.calibration import CLEANSING
from pipelines.synthetic.region import MAX_AUTHORITIES, SIZE_RANGE, plan_region
from pipelines.synthetic.world import check_localities

START, END, SCALE, SEED = dt.date(2013, 9, 1), dt.date(2014, 8, 31), 0.05, 7
REQUIRED = [t.name for t in load_contract().tables if t.required]

# sha256 over the default demo's files (name, then bytes, in name order), as generated before
# the localities became a parameter. Change it only when the demo is meant to change (and
# test_generator.py and test_calibration.py still pass).
DEMO_SHA256 = "b1dcaa3d352a8c5e83752c0a8d34a72c1c1e19f09791ed13dc35db5c2dab0f9c"


def folder_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(n) for n in names], shallow=False)
    return not mismatch and not errors


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("region") / "region"
    generate_region(out, authorities=3, seed=SEED, scale=SCALE, start=START, end=END)
    return out


@pytest.fixture(scope="module")
def listed(region) -> list[dict[str, str]]:
    return read_csv(region / "authorities.csv")


def test_one_folder_per_authority_with_the_files_of_one_authority(region, listed, tmp_path):
    codes = [row["code"] for row in listed]
    assert len(codes) == 3
    assert sorted(p.name for p in region.iterdir()) == sorted([*codes, "authorities.csv"])
    one = tmp_path / "one"
    generate_authority(one, seed=1, start=START, end=END, scale=SCALE)
    expected = sorted(p.name for p in one.iterdir())
    for code in codes:
        names = sorted(p.name for p in (region / code).iterdir())
        assert names == expected
        assert set(REQUIRED) <= {n.removesuffix(".csv") for n in names}
        assert {"manifest.csv", "population.csv"} <= set(names)
    assert len(REQUIRED) == 13


def test_each_folder_is_what_generate_authority_writes_for_that_authority(region, listed, tmp_path):
    row = listed[1]
    alone = tmp_path / row["code"]
    generate_authority(
        alone,
        seed=int(row["seed"]),
        start=START,
        end=END,
        scale=float(row["scale"]),
        localities=row["localities"].split("; "),
    )
    assert same_files(alone, region / row["code"])


def test_authorities_are_distinct_and_plausible(listed):
    assert list(listed[0]) == [
        "code",
        "name",
        "seed",
        "size",
        "scale",
        "population_0_17",
        "localities",
    ]
    for column in ("code", "name", "seed", "size", "scale", "population_0_17"):
        values = [row[column] for row in listed]
        assert len(set(values)) == len(values), column
    for row in listed:
        # ONS-style (a letter and eight digits) but fictional: E90 is no local authority code
        assert re.fullmatch(r"E90\d{6}", row["code"])
        assert row["name"].endswith(" Council (synthetic data)")
        assert SIZE_RANGE[0] <= float(row["size"]) <= SIZE_RANGE[1]
        assert float(row["scale"]) == pytest.approx(SCALE * float(row["size"]))


def test_locality_names_are_distinct_between_authorities_and_used(region, listed):
    seen: set[str] = set()
    for row in listed:
        names = row["localities"].split("; ")
        assert len(names) == len(set(names)) == 8
        assert not seen & set(names)
        assert not set(CLEANSING.localities) & set(names)
        seen |= set(names)
        episodes = read_csv(region / row["code"] / "ssd_early_help_episodes.csv")
        assert {e["earl_episode_locality"] for e in episodes} <= set(names)
        stale = [
            r
            for r in read_csv(region / row["code"] / "manifest.csv")
            if r["kind"] == "stale_early_help"
        ]
        assert stale  # the backlog and the planted problems follow the new names


def test_population_is_the_authoritys_own(region, listed):
    for row in listed:
        years = read_csv(region / row["code"] / "population.csv")
        assert years[-1]["year"] == str(END.year)
        assert years[-1]["population_0_17"] == row["population_0_17"]


def test_same_arguments_same_bytes(region, tmp_path):
    again = tmp_path / "again"
    generate_region(again, authorities=3, seed=SEED, scale=SCALE, start=START, end=END)
    assert same_files(region, again)


def test_another_seed_another_region():
    assert plan_region(3, seed=SEED) != plan_region(3, seed=SEED + 1)


def test_a_larger_region_begins_with_the_smaller():
    assert plan_region(5, seed=SEED, scale=SCALE)[:3] == plan_region(3, seed=SEED, scale=SCALE)


def test_the_largest_region_is_still_distinct():
    region = plan_region(MAX_AUTHORITIES)
    names = [a.name for a in region] + [n for a in region for n in a.localities]
    assert len(set(names)) == len(names) == MAX_AUTHORITIES * 9
    assert len({a.seed for a in region}) == len({a.size for a in region}) == MAX_AUTHORITIES


@pytest.mark.parametrize("bad", [0, -1, 1.5, "3", True, MAX_AUTHORITIES + 1])
def test_plan_region_refuses_a_bad_number(bad):
    with pytest.raises(ValueError, match="number of authorities"):
        plan_region(bad)


def test_the_demo_is_unchanged(demo_extracts):
    """The default demo, byte for byte as before (the localities default to the demo's)."""
    assert folder_sha256(demo_extracts) == DEMO_SHA256


def test_the_default_localities_are_the_demos(tmp_path):
    default, explicit = tmp_path / "default", tmp_path / "explicit"
    generate_authority(default, seed=5, start=START, end=END, scale=SCALE)
    generate_authority(
        explicit, seed=5, start=START, end=END, scale=SCALE, localities=CLEANSING.localities
    )
    assert same_files(default, explicit)
    episodes = read_csv(default / "ssd_early_help_episodes.csv")
    assert {e["earl_episode_locality"] for e in episodes} <= set(CLEANSING.localities)


@pytest.mark.parametrize(
    "names", [("A", "B"), ("North",) * 8, ("a", "b", "c", "d", "e", "f", "g", " ")]
)
def test_localities_must_be_eight_distinct_names(names):
    with pytest.raises(ValueError, match="8 distinct"):
        check_localities(names)


# --- the command line -------------------------------------------------------------------------

PERIOD = ["--start", START.isoformat(), "--end", END.isoformat()]


def test_cli_writes_a_region(tmp_path, region):
    out = tmp_path / "cli"
    args = ["generate", "--authorities", "3", "--out", str(out), "--seed", str(SEED)]
    result = CliRunner().invoke(main, [*args, "--scale", str(SCALE), *PERIOD])
    assert result.exit_code == 0, result.output
    assert "3 synthetic authorities" in result.output
    assert "authorities.csv" in result.output
    assert same_files(out, region)


@pytest.mark.parametrize("bad", ["0", "-2", "2.5", "three", "", str(MAX_AUTHORITIES + 1)])
def test_cli_refuses_a_bad_number_in_one_line(tmp_path, bad):
    out = tmp_path / "bad"
    result = CliRunner().invoke(
        main, ["generate", "--out", str(out), f"--authorities={bad}", "--scale", "0.05"]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "--authorities" in lines[0] and "whole number" in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_refuses_a_bad_scale_for_a_region_in_one_line(tmp_path):
    result = CliRunner().invoke(
        main, ["generate", "--out", str(tmp_path / "r"), "--authorities", "2", "--scale", "0"]
    )
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_cli_without_authorities_writes_one_authority_as_before(tmp_path):
    out, alone = tmp_path / "cli", tmp_path / "alone"
    args = ["generate", "--out", str(out), "--seed", "3", "--scale", str(SCALE), *PERIOD]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert not (out / "authorities.csv").exists()
    generate_authority(alone, seed=3, start=START, end=END, scale=SCALE)
    assert same_files(out, alone)
