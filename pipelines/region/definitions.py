"""The region's Dagster code location (workspace-region.yaml, `make region-ui`): every authority
of BOARDPACK_REGION_DIR, authority x month (pipelines/region/orchestration.py)."""

from pipelines.region.orchestration import build_region_definitions
from pipelines.settings import Settings

defs = build_region_definitions(Settings.from_env_vars())
