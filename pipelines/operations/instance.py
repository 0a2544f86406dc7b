"""The Dagster instance settings: a committed template copied into DAGSTER_HOME.

`$DAGSTER_HOME/dagster.yaml` lives next to the run history under data/, which git ignores, so
the settings are kept in pipelines/operations/dagster.yaml and copied in by `make ui` (and by
the tests, into their temporary homes). The copy is always overwritten: change the template.

    python -m pipelines.operations [DAGSTER_HOME]      # default: $DAGSTER_HOME
    python -m pipelines.operations --region HOME      # a region's (pipelines/region/dagster.yaml)
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.operations.event_log import HOME_FIELD
from pipelines.settings import Settings

DAGSTER_YAML_TEMPLATE = Path(__file__).with_name("dagster.yaml")
REGION_DAGSTER_YAML_TEMPLATE = Path(__file__).parent.parent / "region" / "dagster.yaml"


def prepare_dagster_home(
    home: Path | str | None = None, template: Path = DAGSTER_YAML_TEMPLATE
) -> Path:
    """Create the Dagster home (default: $DAGSTER_HOME) and install the settings; returns it."""
    if home is None:
        home = Settings.from_environment().dagster_home_dir
        if home is None:
            raise ValueError("no Dagster home given and DAGSTER_HOME is not set")
    # Dagster refuses a relative DAGSTER_HOME, so resolve it once here.
    path = Path(home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    # The event log's folder is written in (pipelines/operations/event_log.py), escaped for the
    # template's double-quoted YAML string, so the instance opens by its folder alone, whatever
    # DAGSTER_HOME says.
    home = json.dumps(str(path))[1:-1]
    text = template.read_text(encoding="utf-8").replace(HOME_FIELD, home)
    (path / "dagster.yaml").write_text(text, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    template = DAGSTER_YAML_TEMPLATE
    if argv[:1] == ["--region"]:
        template, argv = REGION_DAGSTER_YAML_TEMPLATE, argv[1:]
    home = prepare_dagster_home(argv[0] if argv else None, template)
    print(f"Dagster home: {home} (settings copied from {template})")
    return 0
