"""One settings object: read from the environment in one place, documented in one table."""

from __future__ import annotations

import re

import dagster as dg

from pipelines import dbt_child
from pipelines.settings import DBT_PARENT_VARIABLE, ENVIRONMENT_VARIABLES, PROJECT_ROOT, Settings

# `boardpack-dbt` runs in place of dbt before dbt starts: it reads the variables the run set for
# it (its parent, its standby), and must not import Dagster (pipelines.settings does) to do so;
# the standby hands dbt the environment boardpack-dbt was given.
ENVIRONMENT_READERS = {"plain_settings.py", "dbt_child.py", "dbt_standby.py"}


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for path in sorted((PROJECT_ROOT / "pipelines").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if (
            re.search(r"os\.environ|os\.getenv|getenv\(", text)
            and path.name not in ENVIRONMENT_READERS
        ):
            readers.append(str(path.relative_to(PROJECT_ROOT)))
    assert readers == [], "read the environment through pipelines.settings.Settings"
    assert dbt_child.PARENT_ENV == DBT_PARENT_VARIABLE


def test_every_variable_is_in_the_one_table_of_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.MULTILINE))
    assert documented == set(ENVIRONMENT_VARIABLES.values())
    # one table: the variables are not documented a second time elsewhere in the README
    assert readme.count("| `BOARDPACK_DB` |") == 1


def test_the_code_location_gives_dagster_env_vars_to_resolve(monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", "/tmp/elsewhere.duckdb")
    monkeypatch.delenv("BOARDPACK_OUTPUT", raising=False)
    settings = Settings.from_env_vars()
    assert isinstance(settings.db, dg.EnvVar) and settings.db.env_var_name == "BOARDPACK_DB"
    assert settings.output == ""  # unset: the default, resolved when it is used


def test_the_command_line_overrides_the_environment(tmp_path):
    environ = {"BOARDPACK_DB": str(tmp_path / "env.duckdb"), "BOARDPACK_AUTHORITY_NAME": " "}
    settings = Settings.from_environment(environ, db=tmp_path / "cli.duckdb", output=None)
    assert settings.database == tmp_path / "cli.duckdb"
    assert settings.output_dir == PROJECT_ROOT / "data" / "output"  # the default, absolute
    assert settings.authority.startswith("Demo Borough Council")  # blank is the default
    relative = Settings.from_environment({"BOARDPACK_DB": "relative.duckdb"})
    assert relative.database.is_absolute()


def test_validators_python_keeps_the_virtualenv_link(tmp_path):
    # A virtualenv's python is a symlink to the base interpreter; resolving it would run the
    # DfE validators without the packages of .venv-validators (ModuleNotFoundError).
    base = tmp_path / "base" / "python3.11"
    base.parent.mkdir()
    base.write_text("")
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(base)
    settings = Settings.from_environment({"BOARDPACK_VALIDATORS_PYTHON": str(venv_python)})
    assert settings.validators_python_path == venv_python
    default = Settings.from_environment({}).validators_python_path
    assert default == PROJECT_ROOT / ".venv-validators" / "bin" / "python"
