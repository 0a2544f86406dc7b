"""`python -m pipelines.spark [--database PATH] [--spark-dir DIR] [--month YYYY-MM]`: export
the warehouse's raw tables to Parquet and build the dbt models on Spark (docs/scaling.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.plain_settings import PlainSettings
from pipelines.spark import DEFAULT_SPARK_DIR, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.spark", description=__doc__)
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="the DuckDB warehouse whose raw tables Spark reads (default: BOARDPACK_DB)",
    )
    parser.add_argument(
        "--spark-dir",
        type=Path,
        default=DEFAULT_SPARK_DIR,
        help="Spark's folder: raw Parquet, warehouse, metastore (default: data/spark)",
    )
    parser.add_argument("--month", help="the reporting month, YYYY-MM (default: the latest)")
    args = parser.parse_args(argv)
    if args.database is None:  # the settings' warehouse (BOARDPACK_DB), read in their one home
        args.database = PlainSettings.from_environment().database
    if not args.database.is_file():
        print(f"No warehouse at {args.database}: run the pipeline first (make run).")
        return 1
    result = build(args.database, args.spark_dir, args.month)
    print(result.output, end="")
    print(
        f"Raw tables exported in {result.export_seconds:.1f} s, declared on Spark in "
        f"{result.register_seconds:.1f} s; "
        f"dbt build on Spark {'succeeded' if result.success else 'FAILED'} "
        f"in {result.build_seconds:.1f} s."
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
