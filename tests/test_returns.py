"""Statutory returns from a small recent synthetic authority, checked by the REAL DfE rule
engines in their own environment (.venv-validators, `make validators`). One generation, load,
dbt build and validation for the whole module (about two minutes on a shared machine)."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from pipelines.cli import main
from pipelines.returns.cin_census import CensusStructureError, check_structure

pytestmark = pytest.mark.slow

# What the clean demo year may still report, each explained in docs/returns.md, and the rules
# the engines themselves cannot run (their own errors, also there).
EXPLAINED = {
    "SSDA903": {"217", "390", "408", "516", "551"},
    "CIN": {"8630", "8608", "8520", "8670Q", "8675Q"},
}
ENGINE_FAILURES = {"SSDA903": "231", "CIN": "8565, 8897Q"}


@pytest.fixture(scope="module")
def returns_run(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("returns")
    extracts = root / "extracts"
    extracts.mkdir()
    (extracts / "manifest.csv").write_text("")  # the demo marker: a recent demo is generated
    monkeypatch_module.setenv("BOARDPACK_EXTRACTS", str(extracts))
    monkeypatch_module.setenv("BOARDPACK_DB", str(root / "warehouse.duckdb"))
    monkeypatch_module.setenv("BOARDPACK_RESTRICTED", str(root / "restricted"))
    result = CliRunner().invoke(main, ["returns", "--year", "2024-25"])
    assert result.exit_code == 0, result.output
    return root, result.output


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_files_are_written_owner_only(returns_run):
    root, output = returns_run
    folder = root / "restricted" / "returns" / "2024-25"
    files = [p for p in folder.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "CIN_Census_2024-25.xml" in names
    assert {f"SSDA903_2024-25_{t}.csv" for t in ("Header", "Episodes", "Reviews")} <= names
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "using a recent synthetic demo authority" in output


def test_clean_year_reports_only_explained_rules(returns_run):
    root, _ = returns_run
    con = duckdb.connect(str(root / "returns_demo" / "warehouse.duckdb"), read_only=True)
    try:
        seen = con.execute(
            "SELECT return_name, rule_code FROM quality.return_validation "
            "WHERE collection_year = '2024-25'"
        ).fetchall()
        runs = dict(
            con.execute(
                "SELECT return_name, rules_failed_to_run FROM quality.return_validation_runs"
            ).fetchall()
        )
    finally:
        con.close()
    assert runs == ENGINE_FAILURES
    unexplained = {(r, c) for r, c in seen if c not in EXPLAINED[r]}
    assert not unexplained


def test_annex_a_has_the_published_headings(returns_run):
    root, _ = returns_run
    [path] = (root / "restricted" / "returns" / "2024-25").glob("Annex_A_*.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["List 1", "List 3", "List 4", "List 6", "List 7", "List 8"]
    first = [c.value for c in next(book["List 1"].iter_rows(max_row=1))]
    assert first == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Date of Contact",
        "Contact Source",
    ]


def test_cin_structure_check_refuses_a_broken_message():
    message = etree.fromstring(Path(__file__).parent.joinpath("..", "pipelines", "returns",
                               "cin_census.xsd").resolve().read_bytes())  # fmt: skip
    with pytest.raises(CensusStructureError):
        check_structure(message)


READERS_AGREE = """
import sys, xml.etree.ElementTree as ET
import pandas as pd
sys.path.insert(0, sys.argv[1])
from validator_entry import convert_cin
from cin_validator import cin_validator
root = ET.parse(sys.argv[2]).getroot()
children = root.find("Children")
for child in children.findall("Child")[int(sys.argv[3]):]:
    children.remove(child)
fast, engine = convert_cin(root), cin_validator.convert_data(root)
assert list(fast) == list(engine)
for name, frame in engine.items():
    pd.testing.assert_frame_equal(fast[name], frame, check_exact=True)
print(sum(len(f) for f in engine.values()))
"""


def test_fast_cin_reader_gives_the_engines_own_tables(returns_run):
    """validator_entry.convert_cin (the engine's reader without its per-row concat) gives
    exactly the frames of cin_validator.convert_data, on the first 150 children of the year."""
    import subprocess

    from pipelines.returns.validation import ENTRY, validators_python

    root, _ = returns_run
    xml = root / "restricted" / "returns" / "2024-25" / "CIN_Census_2024-25.xml"
    done = subprocess.run(
        [str(validators_python()), "-c", READERS_AGREE, str(ENTRY.parent), str(xml), "150"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 300  # rows across the tables: the comparison saw data


# --- the statutory_returns job's assets, on a year with planted problems ---------------------


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    """A recent authority with the returns' planted problems (returns_problems.csv), loaded
    and staged as the nightly would, then the `returns` group materialised in-process for the
    2024-25 partition: the module's one validator run on a planted year."""
    import dagster as dg
    from pipeline_helpers import pipeline_environment

    from pipelines.assets.returns import build_returns_assets
    from pipelines.resources import resources
    from pipelines.returns.cli import RECENT_DEMO, load_and_build
    from pipelines.settings import Settings
    from pipelines.synthetic import generate_authority

    root = tmp_path_factory.mktemp("planted")
    generate_authority(root / "extracts", **RECENT_DEMO, returns_problems="2024-25")
    settings = Settings.from_environment(pipeline_environment(root))
    load_and_build(root / "extracts", settings.database)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            build_returns_assets(),
            partition_key="2024-25",
            resources=resources(settings),
            instance=instance,
            raise_on_error=False,
        )
        yield root, settings, result, instance


def test_statutory_returns_job_writes_and_records_a_year(planted_run):
    from pipelines.assets.returns import STATUTORY_RETURNS_KEY

    root, settings, result, _ = planted_run
    assert result.success
    folder = settings.restricted_dir / "returns" / "2024-25"
    names = {p.name for p in folder.rglob("*") if p.is_file()}
    assert {"CIN_Census_2024-25.xml", "SSDA903_2024-25_Episodes.csv"} <= names
    assert {"SSDA903_2024-25_validation_by_child.csv", "CIN_2024-25_validation_by_child.csv"} <= (
        names
    )
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.rglob("*") if p.is_file())
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(checks) == {"ssda903_dfe_rules", "cin_census_dfe_rules"}
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        runs = dict(
            con.execute(
                "SELECT return_name, errors FROM quality.return_validation_runs WHERE run_id = ?",
                [result.run_id],
            ).fetchall()
        )
        rules = con.execute(
            "SELECT count(*) FROM quality.return_validation WHERE run_id = ? AND severity = "
            "'error' AND return_name = 'CIN'",
            [result.run_id],
        ).fetchone()[0]
    finally:
        con.close()
    # the planted problems fail both checks; each check's line is the recorded aggregate
    for name, check in (("SSDA903", "ssda903_dfe_rules"), ("CIN", "cin_census_dfe_rules")):
        evaluation = checks[check]
        assert not evaluation.passed
        assert evaluation.metadata["errors"].value == runs[name] > 0
    summary = checks["cin_census_dfe_rules"].metadata["dfe_summary"].value
    assert summary.startswith(f"CIN return 2024-25: {runs['CIN']} errors across {rules} rules")
    keys = {e.asset_key for e in result.get_asset_materialization_events()}
    assert STATUTORY_RETURNS_KEY in keys
    assert len(keys) > 20  # and every returns model, one per return table


def test_each_planted_problem_is_reported_under_its_rule(planted_run):
    import csv

    root, settings, _, _ = planted_run
    folder = settings.restricted_dir / "returns" / "2024-25"
    with open(root / "extracts" / "returns_problems.csv", newline="") as handle:
        planted = list(csv.DictReader(handle))
    assert {p["rule_code"] for p in planted} == {"168", "302", "392c", "574", "8841"}
    reported = set()
    for name in ("SSDA903", "CIN"):
        with open(folder / f"{name}_2024-25_validation_by_child.csv", newline="") as handle:
            reported |= {(name, r["child"], r["rule_code"]) for r in csv.DictReader(handle)}
    missed = [
        p for p in planted if (p["return_name"], p["person_id"], p["rule_code"]) not in reported
    ]
    assert not missed


def test_returns_have_their_own_job_by_collection_year():
    import datetime as dt

    from pipelines.code_location import MONTHLY_JOB_NAME, build_definitions
    from pipelines.partitions import collection_year_keys, collection_year_of
    from pipelines.settings import Settings

    assert collection_year_of(dt.date(2025, 3, 31)) == "2024-25"
    assert collection_year_of(dt.date(2025, 4, 1)) == "2025-26"
    assert collection_year_keys(dt.date(2026, 3, 1)) == [
        "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"
    ]  # fmt: skip
    defs = build_definitions(Settings.from_environment())
    returns_job = defs.resolve_job_def("statutory_returns")
    monthly = defs.resolve_job_def(MONTHLY_JOB_NAME)
    in_returns = {k.to_user_string() for k in returns_job.asset_layer.selected_asset_keys}
    in_monthly = {k.to_user_string() for k in monthly.asset_layer.selected_asset_keys}
    assert "returns/statutory_returns" in in_returns and "returns/ssda903_episodes" in in_returns
    assert not {k for k in in_monthly if k.startswith("returns/")}
    assert "2024-25" in returns_job.partitions_def.get_partition_keys()


def test_digest_has_one_aggregate_line_per_return(planted_run):
    """The alert sensors' report of the run: each return's line, no child."""
    from pipelines.alerts import compose
    from pipelines.alerts.sensors import report_for_run

    root, settings, result, instance = planted_run
    report = report_for_run(instance, instance.get_run_by_id(result.run_id), failed=False)
    title, body = compose(report)
    assert title.startswith("Statutory returns run") and "DfE" in title
    con = duckdb.connect(str(settings.database), read_only=True)
    try:
        expected = con.execute(
            """SELECT return_name, errors, rules_failed FROM quality.return_validation_runs
               WHERE run_id = ? ORDER BY return_name DESC""",
            [result.run_id],
        ).fetchall()
    finally:
        con.close()
    for name, errors, rules in expected:
        assert f"- {name} return 2024-25: {errors} errors across {rules} rules" in body
    with open(root / "extracts" / "returns_problems.csv") as handle:
        children = {line.split(",")[3] for line in handle.readlines()[1:]}
    assert not [child for child in children if child in body]
