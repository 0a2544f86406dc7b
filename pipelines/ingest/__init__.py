"""Reading, validating and atomically loading the SSD extracts into the raw layer.

Public API (used by the Dagster assets and the command line)::

    load_table(con, table_name, extracts_dir, force=False) -> LoadResult
    load_extracts(con, extracts_dir, tables=None, force=False) -> list[LoadResult]
    validate_extracts(extracts_dir, tables=None) -> list[ValidationReport]
    format_report(reports) -> str
    ensure_meta_tables(con)

See docs/extracts.md for the contract and the parsing rules.
"""

from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.load import (
    ABSENT,
    FAILED,
    LOADED,
    UNCHANGED,
    LoadResult,
    ensure_meta_tables,
    load_extracts,
    load_table,
)
from pipelines.ingest.validate import (
    RowFaultExample,
    RowFaultGroup,
    ValidationReport,
    format_report,
    validate_extracts,
)

__all__ = [
    "ABSENT",
    "FAILED",
    "LOADED",
    "UNCHANGED",
    "ExtractFileError",
    "LoadResult",
    "RowFaultExample",
    "RowFaultGroup",
    "ValidationReport",
    "ensure_meta_tables",
    "format_report",
    "load_extracts",
    "load_table",
    "validate_extracts",
]
