"""The dbt project, and the one file in it that is written rather than edited.

`int_indicator_values` unions every indicator model. dbt must know a model's refs when it parses
the project, so the names come from `macros/indicator_models.sql`, written here from the files in
`models/indicators/` before dbt parses (see the comment in int_indicator_values.sql for why no
pattern inside dbt can do it). Adding an indicator is its model, its `.yml` and its catalogue
row; this keeps the list, and a dbt test fails the build if the list is ever stale.

    python -m pipelines.dbt_project [PROJECT_DIR]    # write the list, then `dbt parse`
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

INDICATOR_MODELS_DIR = Path("models") / "indicators"
INDICATOR_LIST = Path("macros") / "indicator_models.sql"
MACRO = """\
{{% macro indicator_models() %}}
    {{{{ return([
{items}    ]) }}}}
{{% endmacro %}}
"""

_HEADER = """\
{#- Written by `python -m pipelines.dbt_project` (run by `make manifest` and by the pipeline before
    each dbt build) from the models in models/indicators/: do not edit. It lists the indicator
    models int_indicator_values unions (see the comment there for why it is written, not kept). -#}
"""


def indicator_model_names(project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """Every model in models/indicators/ (the folder dbt_project.yml tags `indicator`)."""
    folder = Path(project_dir) / INDICATOR_MODELS_DIR
    return sorted(path.stem for path in folder.rglob("*.sql"))


def indicator_list_text(names: list[str]) -> str:
    items = "".join(f"        '{name}',\n" for name in names)
    return _HEADER + MACRO.format(items=items)


def write_indicator_list(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """Write macros/indicator_models.sql if it differs; True when it was rewritten."""
    path = Path(project_dir) / INDICATOR_LIST
    text = indicator_list_text(indicator_model_names(project_dir))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def parse(project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Write the indicator list, then `dbt parse` (target/manifest.json, which Dagster reads),
    through boardpack-dbt as the runs' dbt steps are: the parse they start from is theirs."""
    write_indicator_list(project_dir)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.dbt_child",
            "parse",
            "--quiet",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
        ],
        cwd=project_dir,
        check=True,
    )


if __name__ == "__main__":
    parse(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else DBT_PROJECT_DIR)
