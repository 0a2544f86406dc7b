"""dbt's unit tests (the `unit_tests:` beside each model: hand-computed indicator cases) run here,
in CI, rather than in every nightly build (pipelines/assets/dbt.py leaves them out there)."""

import json
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"


def test_every_dbt_unit_test_passes(demo_run, tmp_path):
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    expected = {test["name"] for test in manifest["unit_tests"].values()}
    assert len(expected) >= 23, "at least one unit test per indicator"
    indicators = {n["name"] for n in manifest["nodes"].values() if "indicator" in n.get("tags", [])}
    tested = {test["model"] for test in manifest["unit_tests"].values()}
    assert indicators <= tested, f"indicators without a unit test: {sorted(indicators - tested)}"

    # dbt needs the models' parents in the database to read their columns: the demo run's,
    # named in the invocation as the pipeline names it.
    variables = json.dumps(
        {"warehouse": str(demo_run.settings.database), "reporting_month": "2014-08"}
    )
    done = subprocess.run(
        [
            str(DBT),
            "test",
            "--select",
            "test_type:unit",
            "--target-path",
            str(tmp_path),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--vars",
            variables,
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    results = json.loads((tmp_path / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    failed = {name: status for name, status in statuses.items() if status != "pass"}
    assert done.returncode == 0 and not failed, f"{failed}\n{done.stdout[-4000:]}"
    assert set(statuses) == expected
