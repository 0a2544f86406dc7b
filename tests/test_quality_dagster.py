"""The suites as Dagster asset checks on generated extracts: warnings let the board pack
through, an error-severity failure (a broken extract) blocks it, and on the demo every
planted problem in the generator's manifest is found by the right check and nothing else."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.assets.raw import build_raw_assets
from pipelines.contract import load_contract
from pipelines.incremental import REBUILD_TAG
from pipelines.quality import build_quality_checks, load_suites
from pipelines.synthetic import generate_authority

SMALL_SCALE = 0.2  # the generator cannot build an authority much smaller than this
ENV = ("BOARDPACK_DB", "BOARDPACK_EXTRACTS", "BOARDPACK_OUTPUT", "BOARDPACK_RESTRICTED")


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small") / "extracts"
    generate_authority(folder, scale=SMALL_SCALE)
    return folder


@pytest.fixture(scope="module")
def demo_extracts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "extracts"
    generate_authority(folder, scale=1.0)
    return folder


def pack_stub():
    """Stands in for dbt and the board pack: downstream of every raw table."""

    @dg.asset(key="board_pack", deps=[dg.AssetKey(["raw", t]) for t in load_contract()])
    def board_pack() -> None:
        return None

    return board_pack


def run_pipeline(
    root: Path, extracts: Path, monkeypatch, instance=None, checks=None, tags=None
) -> tuple[dg.ExecuteInProcessResult, Path]:
    """Load the extracts and run every check in-process, with all paths under root."""
    root.mkdir(parents=True, exist_ok=True)
    values = (root / "w.duckdb", extracts, root / "out", root / "restricted")
    paths = dict(zip(ENV, values, strict=True))
    for name, value in paths.items():
        monkeypatch.setenv(name, str(value))
    # the as-at date comes from the extracts themselves, as it does in the nightly run
    monkeypatch.delenv("BOARDPACK_AS_AT", raising=False)
    defs = dg.Definitions(
        assets=[*build_raw_assets(), pack_stub()],
        asset_checks=build_quality_checks() if checks is None else checks,
        resources={"warehouse": DuckDBResource(database=str(paths["BOARDPACK_DB"]))},
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False, tags=tags
    )
    return result, paths["BOARDPACK_DB"]


def evaluations(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def materialized(result) -> set[str]:
    return {
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }


@pytest.fixture(scope="module")
def warning_run(small_extracts, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("warning_run")
        first, db = run_pipeline(root, small_extracts, mp)
        # the same extracts again: the suites would be reused (see the test below) unless
        # the run asks for them to run again
        second, _ = run_pipeline(root, small_extracts, mp, tags={REBUILD_TAG: "true"})
        third, _ = run_pipeline(root, small_extracts, mp)
    return first, second, db, third


def test_warnings_do_not_block_the_board_pack(warning_run):
    result, _, _, _ = warning_run
    assert result.success
    assert "board_pack" in materialized(result)
    checks = evaluations(result)
    assert set(checks) == {s.name for s in load_suites()}
    failed = [c for c in checks.values() if not c.passed]
    assert failed, "the generated extracts carry planted warnings"
    assert all(c.severity == dg.AssetCheckSeverity.WARN for c in failed)
    assert all(c.blocking for c in checks.values())


def test_check_metadata_for_the_ui(warning_run):
    first, second, _, _ = warning_run
    placement = evaluations(first)["ssd_cla_placement_cross_table"]
    meta = {k: v.value for k, v in placement.metadata.items()}
    assert meta["expectations_failed"] >= 1 and meta["error_expectations_failed"] == 0
    assert meta["failing_records"] > 0
    assert meta["as_at"] == "2014-08-31"  # the generator's extract end
    assert meta["change_since_last_run"] is None  # a first run has nothing to compare with
    assert "unended_placement_later_placement" in meta["results"]
    assert Path(meta["worklist_folder"]).is_dir()
    assert Path(meta["data_docs"]).name == "index.html"
    again = {
        k: v.value for k, v in evaluations(second)["ssd_cla_placement_cross_table"].metadata.items()
    }
    assert again["failing_records_previous_run"] == meta["failing_records"]
    assert again["change_since_last_run"] == 0


def test_history_has_every_expectation_of_both_runs(warning_run):
    _, second, db, _ = warning_run
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_run = con.execute(
            "SELECT run_id, count(*) FROM quality.check_results GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    expected = sum(len(s.expectations) for s in load_suites())
    assert [n for _, n in per_run] == [expected, expected]
    assert second.run_id in {r for r, _ in per_run}


def test_unchanged_inputs_report_the_last_results_again_without_running(warning_run):
    _, second, db, third = warning_run
    assert third.success
    before, again = evaluations(second), evaluations(third)
    assert set(again) == set(before)
    for name, evaluation in again.items():
        meta = {k: v.value for k, v in evaluation.metadata.items()}
        original = {k: v.value for k, v in before[name].metadata.items()}
        assert meta.pop("reused_from_run") == second.run_id
        assert meta.pop("results").startswith(f"Reused from run {second.run_id}")
        original.pop("results")
        # the second run found the same counts as the first: no change, as now
        assert meta == original
        assert (evaluation.passed, evaluation.severity) == (
            before[name].passed,
            before[name].severity,
        )
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT run_id FROM quality.check_results").fetchall()
    finally:
        con.close()
    assert (third.run_id,) not in rows, "nothing new was checked, so nothing new is in the history"


def test_an_error_severity_failure_blocks_the_board_pack(small_extracts, tmp_path, monkeypatch):
    broken = tmp_path / "extracts"
    shutil.copytree(small_extracts, broken)
    placements = broken / "ssd_cla_placement.csv"
    header = placements.read_text(encoding="utf-8").splitlines()[0]
    placements.write_text(header + "\n", encoding="utf-8")  # the extract came through empty

    result, _ = run_pipeline(tmp_path / "run", broken, monkeypatch)
    assert not result.success
    assert "board_pack" not in materialized(result)
    assert "raw/ssd_cla_placement" in materialized(result)  # it loaded: the check stopped it
    checks = evaluations(result)
    blocked = checks["ssd_cla_placement"]
    assert not blocked.passed and blocked.severity == dg.AssetCheckSeverity.ERROR
    assert {k: v.value for k, v in blocked.metadata.items()}["error_expectations_failed"] == 1
    # every other check still ran and reported
    assert set(checks) == {s.name for s in load_suites()}


def test_demo_manifest_every_planted_problem_found_and_nothing_else(
    demo_extracts, tmp_path, monkeypatch
):
    result, db = run_pipeline(tmp_path, demo_extracts, monkeypatch)
    assert result.success, "warnings only: the demo pack must be produced"
    manifest = pd.read_csv(demo_extracts / "manifest.csv", dtype=str)
    kinds = {(s.name, e.name): e.kind for s in load_suites() for e in s.expectations}
    con = duckdb.connect(str(db), read_only=True)
    try:
        flagged = con.execute(
            "SELECT check_name, expectation, table_name, record_id FROM quality.worklist_records"
        ).fetchall()
    finally:
        con.close()
    found = {(table, rid, kinds[(check, exp)]) for check, exp, table, rid in flagged}
    planted = set(zip(manifest["table"], manifest["record_id"], manifest["kind"], strict=True))
    assert planted - found == set(), "planted problems not found by the right check"
    assert found - planted == set(), "clean records (or the wrong kind) flagged"
    # and each kind's check failed in Dagster
    checks = evaluations(result)
    for table in set(manifest["table"]):
        failed = [n for n, c in checks.items() if c.asset_key.path[-1] == table and not c.passed]
        assert failed, table
