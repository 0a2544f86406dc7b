"""The board pack for one reporting month: the final asset of the graph."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.pack import build_board_pack
from pipelines.partitions import reporting_months
from pipelines.settings import load_settings

BOARD_PACK_KEY = dg.AssetKey(["board_pack"])


@dg.asset(
    key=BOARD_PACK_KEY,
    group_name="board_pack",
    partitions_def=reporting_months,
    kinds={"html", "pdf", "xlsx"},
    deps=[
        dg.AssetKey(["marts", "fct_indicator_month"]),
        dg.AssetKey(["quality", "eh_cleansing_by_locality"]),
        dg.AssetKey(["quality", "unended_placements"]),
        dg.AssetKey(["quality", "unended_placements_effect"]),
    ],
    description=(
        "The Improvement Board performance pack for the reporting month, with indicators.csv, "
        "written to <output>/<YYYY-MM>/ only once every file is complete."
    ),
)
def board_pack(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    month = context.partition_key
    settings = load_settings()
    with warehouse.get_connection() as con:
        written = build_board_pack(con, month, settings)
    for path in written.values():
        context.log.info(f"wrote {path}")
    return dg.MaterializeResult(
        metadata={name: dg.MetadataValue.path(str(path)) for name, path in written.items()}
    )
