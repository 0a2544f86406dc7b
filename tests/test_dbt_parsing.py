"""dbt parses again only what changed, whatever the run's warehouse and month
(boardpack-dbt, pipelines/dbt_child.py): a new warehouse used to cost a full parse."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

from pipelines.assets.dbt import dbt_target_dir, dbt_vars
from pipelines.dbt_child import VARS_AS_ENVIRONMENT, vars_to_environment
from pipelines.settings import DBT_PROJECT_DIR, Settings

GUARD = [sys.executable, "-m", "pipelines.dbt_child"]


def test_the_runs_vars_reach_dbt_as_environment_variables(tmp_path):
    settings = Settings.from_environment({"BOARDPACK_DB": str(tmp_path / "warehouse.duckdb")})
    environ: dict[str, str] = {}
    args = vars_to_environment(["build", "--select", "x", *dbt_vars(settings, "2014-08")], environ)
    assert args == ["build", "--select", "x"]
    assert environ == {
        "BOARDPACK_DB": str(tmp_path / "warehouse.duckdb"),
        "BOARDPACK_DBT_REPORTING_MONTH": "2014-08",
    }
    # no partition: blank, so a month left in the environment cannot be taken for the run's
    environ = {"BOARDPACK_DBT_REPORTING_MONTH": "2011-01"}
    vars_to_environment(dbt_vars(settings, ""), environ)
    assert environ["BOARDPACK_DBT_REPORTING_MONTH"] == ""
    # other vars stay vars; arguments without the run's vars are dbt's as given
    environ = {}
    kept = vars_to_environment(["run", "--vars", '{"spark_dir": "/s", "warehouse": "/w"}'], environ)
    assert kept == ["run", "--vars", '{"spark_dir": "/s"}'] and environ == {"BOARDPACK_DB": "/w"}
    for args in (["parse"], ["run", "--vars", "warehouse: /w"], ["run", "--vars"]):
        assert vars_to_environment(args, environ := {}) == args and environ == {}


def test_no_model_or_macro_reads_the_warehouse_path():
    """The parse check leaves the path out of the profile's hash: nothing dbt parses may use it
    (the database's name, which relations do carry, stays in the hash)."""
    readers = []
    for path in sorted(DBT_PROJECT_DIR.rglob("*")):
        if path.suffix not in {".sql", ".yml", ".yaml"} or "target" in path.parts:
            continue
        if path.name == "profiles.yml":
            continue  # where the path is set
        text = path.read_text(encoding="utf-8")
        if re.search(r"target\s*(\.\s*path|\[\s*['\"]path)|var\(\s*['\"]warehouse", text):
            readers.append(path.name)
    assert readers == []
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    assert f"env_var('{VARS_AS_ENVIRONMENT['warehouse']}'" in profile
    month = (DBT_PROJECT_DIR / "models/reference/reporting_month.sql").read_text(encoding="utf-8")
    assert f"env_var('{VARS_AS_ENVIRONMENT['reporting_month']}'" in month


def _parse(target, warehouse, month) -> dict:
    variables = json.dumps({"warehouse": str(warehouse), "reporting_month": month})
    done = subprocess.run(
        [*GUARD, "parse", "--target-path", str(target), "--vars", variables]
        + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    info = json.loads((target / "perf_info.json").read_text())
    return {"files": info["parsed_path_count"], "of": info["path_count"], "log": done.stdout}


def test_a_new_warehouse_and_month_parse_only_what_changed(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    kept = dbt_target_dir() / "partial_parse.msgpack"
    if kept.is_file():  # as dagster-dbt seeds each invocation's folder (else parsed in full)
        shutil.copy(kept, target)
    _parse(target, tmp_path / "one" / "warehouse.duckdb", "2014-08")
    # another folder, another month: the month's one model again, nothing else
    second = _parse(target, tmp_path / "two" / "warehouse.duckdb", "2013-05")
    assert "Unable to do partial parsing" not in second["log"]
    assert second["files"] == 1 < second["of"]
    # a warehouse of another name is another database for every relation: parsed in full
    third = _parse(target, tmp_path / "two" / "other.duckdb", "2013-05")
    assert "profile has changed" in third["log"]
    assert third["files"] == third["of"]
