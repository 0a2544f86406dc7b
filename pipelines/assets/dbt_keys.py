"""Which Dagster asset each dbt node is, read from dbt's manifest without dagster-dbt.

The rule lives here, once: a dbt source is the asset that writes it (`ssd.<table>` is
`raw/<table>`, `quality_checks.check_results` is `quality/check_results`), and every other node
is named by its schema (`staging/stg_contacts`, `marts/pack_indicators`). dagster-dbt's
translator (pipelines/assets/dbt.py) calls it for the dbt assets; the board pack asset calls it
for the models its exposure reads. Importing dagster-dbt costs about 1.5 s (it imports dbt-core),
which a pack-only run (a commentary edit: pipelines/runner.py) does not need to pay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.settings import DBT_PROJECT_DIR

# dbt's target path (dbt_project.yml `target-path`), where `dbt parse` writes the manifest
TARGET_PATH = Path("target")
MANIFEST_PATH = DBT_PROJECT_DIR / TARGET_PATH / "manifest.json"


def dbt_asset_key(dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
    """The asset key of a dbt node (its manifest entry)."""
    if dbt_resource_props["resource_type"] == "source":
        if dbt_resource_props["source_name"] == "quality_checks":
            return dg.AssetKey(["quality", dbt_resource_props["name"]])
        return dg.AssetKey(["raw", dbt_resource_props["name"]])
    return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])


def _manifest() -> dict[str, Any]:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def model_key(name: str) -> dg.AssetKey:
    """The asset key of a dbt model, from the manifest (schema/name)."""
    node = next(
        n
        for n in _manifest()["nodes"].values()
        if n["resource_type"] == "model" and n["name"] == name
    )
    return dbt_asset_key(node)


def exposure_keys(exposure: str) -> list[dg.AssetKey]:
    """The asset keys of the models a dbt exposure depends on (the board pack's inputs)."""
    manifest = _manifest()
    found = next(e for e in manifest["exposures"].values() if e["name"] == exposure)
    nodes = manifest["nodes"]
    return [dbt_asset_key(nodes[uid]) for uid in found["depends_on"]["nodes"]]
