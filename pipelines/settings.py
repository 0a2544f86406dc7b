"""Where everything lives, from environment variables, resolved once to absolute paths.

Dagster, dbt and the quality checks must all open the SAME DuckDB file: dbt runs with
`dbt_project/` as its working directory, so a relative path would silently create a second
database there. Every path is therefore made absolute here, and the dbt resource passes
BOARDPACK_DB on to dbt explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DEMO_MONTH = "2014-08"
DEMO_AUTHORITY_NAME = "Demo Borough Council (synthetic data)"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default.resolve()


@dataclass(frozen=True)
class Settings:
    database: Path
    extracts_dir: Path
    output_dir: Path
    restricted_dir: Path
    commentary_dir: Path
    authority_name: str

    def month_output_dir(self, month: str) -> Path:
        return self.output_dir / month


def load_settings() -> Settings:
    """Read the settings from the environment (call again after changing the environment)."""
    data = PROJECT_ROOT / "data"
    return Settings(
        database=_path_from_env("BOARDPACK_DB", data / "warehouse.duckdb"),
        extracts_dir=_path_from_env("BOARDPACK_EXTRACTS", data / "extracts"),
        output_dir=_path_from_env("BOARDPACK_OUTPUT", data / "output"),
        restricted_dir=_path_from_env("BOARDPACK_RESTRICTED", data / "restricted"),
        commentary_dir=_path_from_env("BOARDPACK_COMMENTARY", PROJECT_ROOT / "commentary"),
        authority_name=os.environ.get("BOARDPACK_AUTHORITY_NAME", "").strip()
        or DEMO_AUTHORITY_NAME,
    )
