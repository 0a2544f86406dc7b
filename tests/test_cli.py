"""The command line: generate and validate as the performance team types them."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from pipelines.cli import main


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path, monkeypatch):
    """validate compares each file with the warehouse's last load (the shrink guard): a
    throwaway one, never the developer's data/warehouse.duckdb after a `make run`."""
    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "warehouse.duckdb"))


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "extracts"
    result = CliRunner().invoke(
        main, ["generate", "--out", str(out), "--seed", "3", "--scale", "0.02"]
    )
    assert result.exit_code == 0, result.output
    assert "ssd_contacts" in result.output
    return out


def test_validate_reports_a_clean_folder(small_extracts):
    result = CliRunner().invoke(main, ["validate", str(small_extracts)])
    assert result.exit_code == 0, result.output
    assert "ssd_person.csv" in result.output


def test_validate_names_the_file_and_column_of_a_broken_extract(small_extracts, tmp_path):
    broken = tmp_path / "extracts"
    shutil.copytree(small_extracts, broken)
    plans = broken / "ssd_cp_plans.csv"
    text = plans.read_text(encoding="utf-8")
    plans.write_text(text.replace("cppl_cp_plan_start_date", "plan_began", 1), encoding="utf-8")

    result = CliRunner().invoke(main, ["validate", str(broken)])

    assert result.exit_code == 1
    assert "ssd_cp_plans.csv" in result.output
    assert "cppl_cp_plan_start_date" in result.output


def test_run_rejects_a_malformed_month():
    result = CliRunner().invoke(main, ["run", "--month", "August"])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


def test_help_imports_neither_dagster_nor_dbt():
    """`boardpack --help` (and each command's) answers without importing the heavy libraries:
    the commands import them when they run (its time is in `make bench`, not here)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from pipelines.cli import main\n"
        "for args in (['--help'], ['run', '--help'], ['returns', '--help'], ['region', '--help'],\n"
        "             ['region', 'publish', '--help'], ['region', 'combine', '--help']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "heavy = [m for m in ('dagster', 'dbt', 'pandas', 'duckdb', 'great_expectations')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "none"
