"""The 13 SSD extract tables as Dagster assets (group `raw`), generated from the extract contract.

They are materialised together by ONE step, `raw_extracts`, because their load is one
transaction (pipelines/ingest/load.py): every file is validated against the contract first,
then all the tables are swapped in at once. So the shrink guard can refuse the whole load
(a table whose accepted rows fall below a share of its last load) with no table replaced, and
the warehouse never holds one night's contacts beside the previous night's people.

A file-level fault fails the step with the file, column and expectation in the message and
leaves that table untouched (the others load); row-level faults go to `raw.quarantine` and are
reported in each asset's metadata. The UI can still materialise one table alone (a subset).
"""

import dagster as dg

from pipelines.contract import load_contract
from pipelines.ingest import FAILED, HELD, LOADED, REFUSED, ReadRules, load_extracts
from pipelines.resources import Warehouse
from pipelines.settings import Settings

RAW_GROUP = "raw"
RAW_STEP = "raw_extracts"


def raw_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table_name])


def _spec(table) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_asset_key(table.name),
        group_name=RAW_GROUP,
        kinds={"csv", "duckdb"},
        description=f"{table.file_name} loaded and validated against the contract",
        skippable=True,
    )


def build_raw_assets() -> list[dg.AssetsDefinition]:
    tables = {raw_asset_key(t.name): t.name for t in load_contract().tables}

    @dg.multi_asset(
        name=RAW_STEP,
        specs=[_spec(t) for t in load_contract().tables],
        can_subset=True,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
        description="Validates the selected extract files against the contract and loads them "
        "into raw.* in one transaction (nothing is replaced if a table shrank).",
    )
    def raw_extracts(context: dg.AssetExecutionContext, warehouse: Warehouse, settings: Settings):
        selected = [name for key, name in tables.items() if key in context.selected_asset_keys]
        with warehouse.get_connection() as con:
            results = load_extracts(
                con,
                settings.extracts_dir,
                selected,
                rules=ReadRules.from_settings(settings),
                progress=context.log.info,
            )
        loaded = [r for r in results if r.status == LOADED]
        if loaded:
            rows = sum(r.rows_loaded for r in loaded)
            context.log.info(
                f"loaded {len(loaded)} of {len(results)} tables in one transaction "
                f"({rows:,} rows); {len(results) - len(loaded)} unchanged or not loaded"
            )
        problems = [r for r in results if r.status in (FAILED, REFUSED)]
        if any(r.status == REFUSED for r in results):
            # nothing was loaded: report no table as materialised
            raise dg.Failure(
                description="\n".join(r.message for r in problems), allow_retries=False
            )
        for result in results:
            if result.status in (FAILED, HELD):
                continue
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(result.table_name),
                metadata={
                    "file": result.file_name,
                    "sha256": result.sha256,
                    "status": result.status,
                    "rows_read": result.rows_read,
                    "rows_loaded": result.rows_loaded,
                    "rows_quarantined": result.rows_quarantined,
                    "open_end_dates": result.open_end_dates,
                    "extra_columns": ", ".join(sorted(result.extra_columns)) or "none",
                },
            )
        if problems:
            # A broken file stays broken however often it is read: fail at once, with the
            # file, column and expectation in the message, and do not retry.
            raise dg.Failure(
                description="\n".join(r.message for r in problems), allow_retries=False
            )

    return [raw_extracts]
