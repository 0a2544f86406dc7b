"""The suites as Dagster asset checks on generated extracts, after dbt built the views they read:
warnings let the board pack through, an error-severity failure (a broken extract) blocks it,
and on the demo every planted problem in the generator's manifest is found by the right check
and nothing else."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.assets.dbt import build_dbt_assets, ensure_dbt_manifest
from pipelines.assets.raw import build_raw_assets
from pipelines.partitions import reporting_months
from pipelines.quality import CHECK_RESULTS_KEY, build_quality_checks, load_suites
from pipelines.resources import resources
from pipelines.reuse import REBUILD_TAG, REUSED_FROM_RUN
from pipelines.settings import Settings
from pipelines.synthetic import generate_authority

SMALL_SCALE = 0.2  # the generator cannot build an authority much smaller than this
MONTH = "2014-08"


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small") / "extracts"
    generate_authority(folder, scale=SMALL_SCALE)
    return folder


def pack_stub():
    """Stands in for the board pack: downstream of the check results."""

    @dg.asset(key="board_pack", deps=[CHECK_RESULTS_KEY], partitions_def=reporting_months)
    def board_pack() -> None:
        return None

    return board_pack


def run_pipeline(
    root: Path, extracts: Path, instance=None, tags=None, suites: Path | None = None
) -> tuple[dg.ExecuteInProcessResult, Path]:
    """Load the extracts, build the models and run every check for August 2014 in-process,
    with all paths under root."""
    if instance is None:  # a throwaway instance, closed when the run ends
        with dg.DagsterInstance.ephemeral() as own:
            return run_pipeline(root, extracts, own, tags, suites)
    ensure_dbt_manifest()
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        db=str(root / "w.duckdb"),
        extracts=str(extracts),
        output=str(root / "out"),
        restricted=str(root / "restricted"),
    )
    defs = dg.Definitions(
        assets=[
            *build_raw_assets(),
            *build_dbt_assets(),
            build_quality_checks(suites) if suites else build_quality_checks(),
            pack_stub(),
        ],
        resources=resources(settings),
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        partition_key=MONTH,
        instance=instance,
        raise_on_error=False,
        tags=tags,
    )
    return result, settings.database


def evaluations(result) -> dict[str, dg.AssetCheckEvaluation]:
    """The suites' evaluations (the dbt data tests are asset checks on the models too)."""
    return {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.asset_key == CHECK_RESULTS_KEY
    }


def materialized(result) -> set[str]:
    return {
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }


@pytest.fixture(scope="module")
def warning_run(small_extracts, tmp_path_factory):
    root = tmp_path_factory.mktemp("warning_run")
    first, db = run_pipeline(root, small_extracts)
    # the same extracts again: the suites would be reused (see the test below) unless the run
    # asks for them to run again
    second, _ = run_pipeline(root, small_extracts, tags={REBUILD_TAG: "true"})
    third, _ = run_pipeline(root, small_extracts)
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
    assert all(c.asset_key == CHECK_RESULTS_KEY for c in checks.values())


def test_check_metadata_for_the_ui(warning_run):
    first, second, _, _ = warning_run
    placement = evaluations(first)["ssd_cla_placement_cross_table"]
    meta = {k: v.value for k, v in placement.metadata.items()}
    assert meta["expectations_failed"] >= 1 and meta["error_expectations_failed"] == 0
    assert meta["failing_records"] > 0
    assert meta["as_at"] == "2014-08-31"  # the end of the run's reporting month
    assert meta["reporting_month"] == MONTH and meta["checked_at"]
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
        assert meta.pop(REUSED_FROM_RUN) == second.run_id
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


def test_an_error_severity_failure_blocks_the_board_pack(small_extracts, tmp_path):
    broken = tmp_path / "extracts"
    shutil.copytree(small_extracts, broken)
    placements = broken / "ssd_cla_placement.csv"
    header = placements.read_text(encoding="utf-8").splitlines()[0]
    placements.write_text(header + "\n", encoding="utf-8")  # the extract came through empty

    result, _ = run_pipeline(tmp_path / "run", broken)
    assert not result.success
    assert "board_pack" not in materialized(result)
    assert "raw/ssd_cla_placement" in materialized(result)  # it loaded: the check stopped it
    checks = evaluations(result)
    blocked = checks["ssd_cla_placement_as_loaded"]
    assert not blocked.passed and blocked.severity == dg.AssetCheckSeverity.ERROR
    assert {k: v.value for k, v in blocked.metadata.items()}["error_expectations_failed"] == 1
    # every other check still ran and reported
    assert set(checks) == {s.name for s in load_suites()}


def test_demo_manifest_every_planted_problem_found_and_nothing_else(demo_run, demo_extracts):
    """The session's demo run (the whole pipeline for August 2014): warnings only, so the pack
    was produced; every planted problem is on a worklist under its kind, and nothing else."""
    manifest = pd.read_csv(demo_extracts / "manifest.csv", dtype=str)
    kinds = {(s.name, e.name): e.kind for s in load_suites() for e in s.expectations}
    with demo_run.connect() as con:
        flagged = con.execute(
            "SELECT check_name, expectation, table_name, record_id FROM quality.worklist_records"
        ).fetchall()
        failed_tables = {
            table
            for (table,) in con.execute(
                "SELECT DISTINCT table_name FROM quality.check_results WHERE status = 'failed'"
            ).fetchall()
        }
    found = {(table, rid, kinds[(check, exp)]) for check, exp, table, rid in flagged}
    planted = set(zip(manifest["table"], manifest["record_id"], manifest["kind"], strict=True))
    assert planted - found == set(), "planted problems not found by the right check"
    assert found - planted == set(), "clean records (or the wrong kind) flagged"
    # and a check of each table with planted problems failed
    assert set(manifest["table"]) <= failed_tables
