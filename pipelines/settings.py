"""Every setting the pipeline reads, in one object, from environment variables.

`Settings` is a Dagster resource. The code location builds it from `dg.EnvVar`s
(`Settings.from_env_vars()`), so Dagster resolves each variable when a run starts and shows
where each value comes from; the command line and code outside a run build it from the current
environment (`Settings.from_environment()`), with the command line's options on top. Nothing else
reads the environment: every module is given a `Settings`. The variables are listed, with their
defaults, in the README's table (a test keeps the two in step).

The fields, their defaults and what they resolve to live in pipelines/plain_settings.py
(`PlainSettings`, which imports no Dagster: `boardpack run` reads them to decide that nothing
needs doing before it imports Dagster); `Settings` is that class as a Dagster resource.

Dagster, dbt and the quality checks must all open the SAME DuckDB file: dbt runs with
`dbt_project/` as its working directory, so a relative path would silently create a second
database there. Every path is therefore made absolute here, and the dbt step passes the database
to dbt in its invocation.
"""

from __future__ import annotations

import dagster as dg

from pipelines.plain_settings import (  # re-exported: their home for everything that runs
    DATA_DIR as DATA_DIR,
)
from pipelines.plain_settings import (
    DBT_PARENT_VARIABLE as DBT_PARENT_VARIABLE,
)
from pipelines.plain_settings import (
    DBT_PROJECT_DIR as DBT_PROJECT_DIR,
)
from pipelines.plain_settings import (
    DEFAULT_DECIMAL_PLACES as DEFAULT_DECIMAL_PLACES,
)
from pipelines.plain_settings import (
    DEFAULT_EARLIEST_DATE as DEFAULT_EARLIEST_DATE,
)
from pipelines.plain_settings import (
    DEFAULT_LATEST_DATE as DEFAULT_LATEST_DATE,
)
from pipelines.plain_settings import (
    DEFAULT_MAX_EXTRACT_AGE_HOURS as DEFAULT_MAX_EXTRACT_AGE_HOURS,
)
from pipelines.plain_settings import (
    DEFAULT_OPEN_END_DATES as DEFAULT_OPEN_END_DATES,
)
from pipelines.plain_settings import (
    DEFAULT_SHRINK_SHARE as DEFAULT_SHRINK_SHARE,
)
from pipelines.plain_settings import (
    DEMO_AUTHORITY_NAME as DEMO_AUTHORITY_NAME,
)
from pipelines.plain_settings import (
    DEMO_MONTH as DEMO_MONTH,
)
from pipelines.plain_settings import (
    ENVIRONMENT_VARIABLES as ENVIRONMENT_VARIABLES,
)
from pipelines.plain_settings import (
    EXPECTATIONS_DIR as EXPECTATIONS_DIR,
)
from pipelines.plain_settings import (
    PROJECT_ROOT as PROJECT_ROOT,
)
from pipelines.plain_settings import (
    PlainSettings,
    _environment,
)
from pipelines.plain_settings import (
    SettingsError as SettingsError,
)
from pipelines.plain_settings import (
    child_environment as child_environment,
)
from pipelines.plain_settings import (
    dbt_parent_pid as dbt_parent_pid,
)
from pipelines.plain_settings import (
    dbt_target_path as dbt_target_path,
)
from pipelines.plain_settings import (
    mark_dbt_parent as mark_dbt_parent,
)


class Settings(PlainSettings, dg.ConfigurableResource):
    """Where everything lives and how the pipeline behaves. Blank means the default."""

    @classmethod
    def from_env_vars(cls) -> Settings:
        """For the code location: each variable that is set, as a dg.EnvVar Dagster resolves
        when a run starts (a variable set later needs the code location reloaded)."""
        present = _environment()
        return cls(
            **{
                field: dg.EnvVar(name)
                for field, name in ENVIRONMENT_VARIABLES.items()
                if name in present
            }
        )
