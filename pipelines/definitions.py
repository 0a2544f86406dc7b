"""The Dagster code location (workspace.yaml, `dagster dev`): the graph with the settings taken
from the environment, each variable a dg.EnvVar that Dagster resolves when a run starts."""

from pipelines.code_location import MONTHLY_JOB_NAME, build_definitions
from pipelines.settings import Settings

__all__ = ["MONTHLY_JOB_NAME", "defs"]

defs = build_definitions(Settings.from_env_vars())
