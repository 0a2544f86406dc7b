"""The benchmark's report (pipelines/bench/run.py) from hand-made measurements: the ratios and
the verdict on each target. The measuring itself runs in `make bench`, not in the tests."""

import json

from pipelines.bench.run import Measure, ScaleResult, reused_steps, targets, write_results
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


def test_targets_judge_the_largest_scale_against_the_smallest():
    small = result("S", 100_000, 10.0, 50.0, 10.0, 500.0)
    large = result("L", 2_000_000, 25.0, 75.0, 15.0, 4096.0)
    verdicts = {t.split(" at ")[0].split(",")[0]: (m, ok) for t, m, ok in targets([small, large])}
    assert verdicts["whole run <= 3x the floor"] == ("3.0x", True)  # 75 / 25, exactly 3x
    assert verdicts["peak RSS <= 4 GB"] == ("4.00 GB (process tree)", True)
    assert verdicts["rerun <= 20% of a full run"] == ("20%", True)  # 15 / 75
    assert verdicts["wall time grows no faster than rows"] == ("rows x20.0, wall x1.5", True)

    slow = result("L", 2_000_000, 25.0, 76.0, 16.0, 4097.0)
    assert [ok for _, _, ok in targets([small, slow])] == [False, False, False, True]


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


def test_reused_steps_are_read_from_the_run_output():
    output = f"Data quality: 25 checks\n{REUSED_PREFIX}board_pack, dbt_models\nBoard pack for"
    assert reused_steps(output) == ["board_pack", "dbt_models"]
    assert reused_steps("Board pack for 2014-08 written; the run took 80s:") == []
