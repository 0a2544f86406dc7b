"""The benchmark's report (pipelines/bench/run.py) from hand-made measurements: the ratios and
the verdict on each target. The measuring itself runs in `make bench`, not in the tests."""

import json

from pipelines.bench.run import (
    Measure,
    ScaleResult,
    reused_steps,
    started_no_dagster,
    targets,
    write_results,
)
from pipelines.cli import REUSED_PREFIX


def result(name, rows, floor_s, run_s, rerun_s, peak_mb) -> ScaleResult:
    return ScaleResult(
        name=name,
        scale=1.0,
        start="2011-04-01",
        end="2014-08-31",
        rows=rows,
        extract_mb=1.0,
        generate=Measure(1.0, 1.0, 100.0),
        floor=Measure(floor_s, floor_s, 100.0),
        run=Measure(run_s, run_s, peak_mb),
        run_tree_peak_rss_mb=peak_mb,
        stages={"dbt": Measure(10.0, 8.0, 300.0)},
        rerun=Measure(rerun_s, rerun_s, 200.0),
        rerun_stages={"dbt": 1.5},
        rerun_reused=["dbt_models"],
        run_success=True,
        rerun_success=True,
    )


def test_targets_judge_each_scale_against_its_floor_and_the_largest_for_the_rest():
    small = result("S", 100_000, 10.0, 60.0, 10.0, 500.0)
    small.commentary_rerun = Measure(9.5, 8.0, 300.0)
    small.commentary_reused = ["data_quality_checks", "dbt_models", "raw_extracts"]
    small.first_step_s = 2.9
    small.stages["pack"] = Measure(5.0, 2.0, 400.0)
    large = result("L", 2_000_000, 25.0, 75.0, 7.5, 2048.0)
    found = targets([small, large], help_s=0.4)
    verdicts = {t: (m, ok) for t, m, ok in found}
    assert verdicts["whole run <= 6x the floor at S"] == ("6.0x", True)  # 60 / 10, exactly 6x
    assert verdicts["whole run <= 3x the floor at L"] == ("3.0x", True)  # 75 / 25, exactly 3x
    assert verdicts["peak RSS <= 2 GB at L"] == ("2.00 GB (process tree)", True)
    assert verdicts["rerun, nothing changed, <= 10% of a full run at L"] == ("10% (7.5 s)", True)
    assert verdicts["rerun, nothing changed, < 5 s at S"] == ("10.0 s", False)
    commentary = "commentary edit -> new pack <= 10 s at S (only the pack rebuilt)"
    assert verdicts[commentary] == (
        "9.5 s; reused: data_quality_checks, dbt_models, raw_extracts",
        True,
    )
    assert verdicts["a run reaches its first step in < 3 s at S"] == ("2.9 s", True)
    assert verdicts["`boardpack --help` in < 1 s"] == ("0.40 s", True)
    assert verdicts["pack step (PDF, HTML, xlsx) <= 5 s at S"] == ("5.0 s", True)
    assert not any(t.startswith("pack step") and t.endswith(" L") for t in verdicts)  # unmeasured
    growth = verdicts["wall time grows no faster than rows, S to L"]
    assert growth == ("rows x20.0, wall x1.2", True)

    # just over each line, and a commentary rerun that rebuilt the pack from an earlier run
    slow = result("L", 2_000_000, 25.0, 76.0, 7.7, 2049.0)
    small.commentary_reused.append("board_pack")
    small.first_step_s = 3.0
    small.stages["pack"] = Measure(5.1, 2.0, 400.0)
    met = {t: ok for t, _, ok in targets([small, slow], help_s=1.0)}
    assert [t for t, ok in met.items() if not ok] == [
        "whole run <= 3x the floor at L",
        "peak RSS <= 2 GB at L",
        "rerun, nothing changed, <= 10% of a full run at L",
        "rerun, nothing changed, < 5 s at S",
        "rerun, nothing changed, < 5 s at L",
        "pack step (PDF, HTML, xlsx) <= 5 s at S",
        commentary,
        "a run reaches its first step in < 3 s at S",
        "`boardpack --help` in < 1 s",
    ]


def test_a_rerun_that_started_no_dagster_run_is_told_apart():
    output = "Board pack ...\nNothing changed since run abc of 2014-09-01 07:00: no Dagster run\n"
    assert started_no_dagster(output)
    assert not started_no_dagster("Unchanged since an earlier run, reused: dbt_models\n")
    quick = result("S", 100_000, 10.0, 60.0, 0.6, 500.0)
    quick.rerun_without_dagster = True
    verdicts = {t: (m, ok) for t, m, ok in targets([quick])}
    assert verdicts["rerun, nothing changed, < 5 s at S"] == ("0.6 s, no Dagster run", True)


def test_results_files_carry_the_table_and_the_rerun(tmp_path):
    results = [result("S", 100_000, 10.0, 50.0, 10.0, 500.0)]
    write_results(results, tmp_path, elapsed=120.0)
    text = (tmp_path / "results.md").read_text()
    assert "| S (x1) | 2011-04-01..2014-08-31 | 100,000 |" in text
    assert "| 5.0x | 10.0 | 20% |" in text
    assert "| rerun: dbt (Dagster steps) | 1.5 |" in text
    assert "The rerun reused (inputs unchanged): dbt_models." in text
    payload = json.loads((tmp_path / "results.json").read_text())
    assert payload["scales"][0]["floor_ratio"] == 5.0
    assert payload["scales"][0]["rerun_share"] == 0.2
    assert payload["scales"][0]["commentary_rerun_s"] is None  # not measured here


def test_results_carry_the_nodes_suites_phases_and_commentary_rerun(tmp_path):
    r = result("S", 100_000, 10.0, 50.0, 10.0, 500.0)
    r.commentary_rerun = Measure(8.25, 7.0, 300.0)
    r.commentary_reused = ["dbt_models"]
    r.dbt_nodes = [{"name": "boardpack.ind_cp_visits_timely", "seconds": 1.53, "detail": "model"}]
    r.dbt_node_counts = {"model": 96, "test": 187}
    r.suites = [{"name": "ssd_person", "seconds": 0.9, "detail": "42,831 rows"}]
    r.phases = [{"name": "Dagster: store events", "seconds": 4.39, "detail": ""}]
    r.profiled_total_s = 20.37
    write_results([r], tmp_path, elapsed=60.0, help_s=0.12)
    text = (tmp_path / "results.md").read_text()
    assert "| 5.0x | 10.0 | 20% | 8.2 | – | 500 |" in text
    assert "(96 models, 187 tests;" in text
    assert "| boardpack.ind_cp_visits_timely | model | 1.53 |" in text
    assert "| ssd_person | 42,831 rows | 0.9 |" in text
    assert "| Dagster: store events | 4.4 |" in text
    assert "After the commentary edit the run reused: dbt_models." in text
    payload = json.loads((tmp_path / "results.json").read_text())
    assert payload["help_s"] == 0.12
    assert payload["scales"][0]["commentary_rerun_s"] == 8.25
    assert payload["scales"][0]["dbt_nodes"][0]["seconds"] == 1.53


def test_the_event_storage_cost_is_told_only_where_the_runs_show_one(tmp_path):
    costly = result("S", 100_000, 10.0, 50.0, 10.0, 500.0)
    costly.rebuild_with_history = Measure(50.0, 40.0, 500.0)
    costly.rebuild_in_memory = Measure(47.75, 38.0, 500.0)
    noise = result("M", 300_000, 12.0, 50.0, 10.0, 500.0)
    noise.rebuild_with_history = Measure(47.82, 34.8, 515.0)
    noise.rebuild_in_memory = Measure(53.66, 39.7, 518.0)  # slower in memory: noise
    write_results([costly, noise], tmp_path, elapsed=60.0)
    text = (tmp_path / "results.md").read_text()
    assert "storing the run's events costs at most about 2.2 s of a run here." in text  # 50-47.75
    assert (
        "the in-memory run was the slower (-5.8 s): storing the run's events costs less than "
        "one run's time varies here."
    ) in text
    assert "about -" not in text


def test_reused_steps_are_read_from_the_run_output():
    output = f"Data quality: 25 checks\n{REUSED_PREFIX}board_pack, dbt_models\nBoard pack for"
    assert reused_steps(output) == ["board_pack", "dbt_models"]
    assert reused_steps("Board pack for 2014-08 written; the run took 80s:") == []


def test_node_suite_and_phase_readers_on_hand_made_inputs(tmp_path):
    import cProfile
    import sys

    from pipelines.bench.profile import (
        Timed,
        dbt_node_counts,
        dbt_top_nodes,
        python_phases,
        suite_times,
    )

    results = tmp_path / "run_results.json"
    nodes = [("model.boardpack.a", 0.5), ("test.boardpack.b", 2.25), ("seed.boardpack.c", 1.0)]
    results.write_text(
        json.dumps({"results": [{"unique_id": u, "execution_time": t} for u, t in nodes]})
    )
    assert dbt_top_nodes(results, top=2) == [Timed("b", 2.25, "test"), Timed("c", 1.0, "seed")]
    assert dbt_node_counts(results) == {"model": 1, "seed": 1, "test": 1}

    log = (
        "INFO pipelines.quality.run: ssd_person: 42831 rows in 0.9s, 1 failed, 0 broken\n"
        "INFO pipelines.quality.run: ssd_contacts_cross_table: 14813 rows in 1.4s, 0 failed\n"
    )
    assert suite_times(log) == [
        Timed("ssd_contacts_cross_table", 1.4, "14,813 rows"),
        Timed("ssd_person", 0.9, "42,831 rows"),
    ]

    profile = tmp_path / "x.prof"
    (tmp_path / "bench_fresh_module.py").write_text("import time\ntime.sleep(0.05)\n")
    sys.path.insert(0, str(tmp_path))
    try:  # a module never imported before, so the import itself is profiled
        cProfile.run("import bench_fresh_module", str(profile))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("bench_fresh_module", None)
    phases = {t.name: t.seconds for t in python_phases(profile)}
    assert phases["imports (all modules)"] >= 0.05  # the module sleeps as it is imported
    assert phases["Dagster: store events (SQLite)"] == 0  # no run in this profile
