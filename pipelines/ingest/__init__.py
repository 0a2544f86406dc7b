"""Reading, validating and atomically loading the SSD extracts into the raw layer.

Public API (used by the Dagster assets and the command line)::

    load_table(con, table_name, extracts_dir, force=False, rules=None) -> LoadResult
    load_extracts(con, extracts_dir, tables=None, force=False, rules=None) -> list[LoadResult]
    validate_extracts(extracts_dir, tables=None, rules=None, database=None)
        -> list[ValidationReport]
    format_report(reports) -> str
    ensure_meta_tables(con)

See docs/extracts.md for the contract and the parsing rules.
"""

from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.load import (
    ABSENT,
    FAILED,
    HELD,
    LOADED,
    REFUSED,
    UNCHANGED,
    ExtractRefused,
    LoadResult,
    ensure_meta_tables,
    load_extracts,
    load_table,
)
from pipelines.ingest.rules import ReadRules
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
    "HELD",
    "LOADED",
    "REFUSED",
    "UNCHANGED",
    "ExtractFileError",
    "ExtractRefused",
    "LoadResult",
    "ReadRules",
    "RowFaultExample",
    "RowFaultGroup",
    "ValidationReport",
    "ensure_meta_tables",
    "format_report",
    "load_extracts",
    "load_table",
    "validate_extracts",
]
