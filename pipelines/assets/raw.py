"""One Dagster asset per SSD extract table (group `raw`), generated from the extract contract.

Each asset validates its CSV file against the contract and swaps it into `raw.<table>` in one
transaction (pipelines/ingest). A file-level fault fails the asset with the file, column and
expectation in the message and leaves the previously loaded table untouched; row-level faults
go to `raw.quarantine` and are reported in the asset's metadata.
"""

import dagster as dg

from pipelines.contract import load_contract
from pipelines.ingest import ExtractFileError, load_table
from pipelines.resources import Warehouse
from pipelines.settings import Settings

RAW_GROUP = "raw"


def raw_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table_name])


def _build_raw_asset(table_name: str, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(table_name),
        group_name=RAW_GROUP,
        kinds={"csv", "duckdb"},
        description=description,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
    )
    def _raw_table(
        context: dg.AssetExecutionContext, warehouse: Warehouse, settings: Settings
    ) -> dg.MaterializeResult:
        extracts_dir = settings.extracts_dir
        try:
            with warehouse.get_connection() as con:
                result = load_table(con, table_name, extracts_dir)
        except ExtractFileError as error:
            # A broken file stays broken however often it is read: fail at once, with the
            # file, column and expectation in the message, and do not retry.
            raise dg.Failure(description=str(error), allow_retries=False) from error
        context.log.info(
            f"{result.file_name}: {result.status}, {result.rows_loaded} rows loaded, "
            f"{result.rows_quarantined} quarantined"
        )
        return dg.MaterializeResult(
            metadata={
                "file": result.file_name,
                "sha256": result.sha256,
                "status": result.status,
                "rows_read": result.rows_read,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "extra_columns": ", ".join(sorted(result.extra_columns)) or "none",
            }
        )

    return _raw_table


def build_raw_assets() -> list[dg.AssetsDefinition]:
    return [
        _build_raw_asset(table.name, f"{table.file_name} loaded and validated against the contract")
        for table in load_contract().tables
    ]
