"""Matching a file's header line to the contract's columns.

Header names are matched after trimming spaces and ignoring case, because extracts written by
hand-edited SQL or re-saved in Excel often carry "Cont_Contact_Date " style names. A header
that fails here is a file-level fault: without the right columns no row can be read safely.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pipelines.contract import ContractTable
from pipelines.ingest.errors import ExtractFileError

OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}


@dataclass(frozen=True)
class HeaderMatch:
    width: int  # number of columns in the file
    positions: dict[str, int]  # contract column -> position in the file (0-based)
    extra: dict[str, int]  # column not in the contract -> position in the file


def normalise_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


def match_header(names: list[str], table: ContractTable, file_name: str) -> HeaderMatch:
    """Map header names to contract columns; raises ExtractFileError for a blank header, a file
    that is not comma-separated, duplicate names or a missing required column."""
    expected = ", ".join(table.required_columns)
    normalised = [normalise_name(n) for n in names]

    if not any(normalised):
        raise ExtractFileError(
            file_name, f"the first line is blank; expected a header line with columns: {expected}"
        )
    if len(normalised) == 1:
        for char, label in OTHER_DELIMITERS.items():
            if char in normalised[0]:
                raise ExtractFileError(
                    file_name,
                    f"the header reads as a single column separated by {label} "
                    f"({names[0][:60]!r}...); expected comma-separated columns: {expected}",
                )

    positions: dict[str, int] = {}
    extra: dict[str, int] = {}
    seen: dict[str, int] = {}
    for position, name in enumerate(normalised):
        # a blank name (e.g. a trailing comma on every line) is kept aside as "column_<n>"
        name = name or f"column_{position + 1}"
        if name in seen:
            raise ExtractFileError(
                file_name,
                f"duplicate column '{name}' in the header (columns {seen[name] + 1} and "
                f"{position + 1}); expected each column once",
                column=name,
            )
        seen[name] = position
        if name in table.column_names:
            positions[name] = position
        else:
            extra[name] = position

    missing = [c for c in table.required_columns if c not in positions]
    if missing:
        found = ", ".join(n for n in normalised if n) or "(none)"
        hints = []
        for column in missing:
            close = difflib.get_close_matches(column, list(extra), n=1, cutoff=0.8)
            if close:
                hints.append(f"'{close[0]}' looks like '{column}'")
        hint = f"; {'; '.join(hints)}" if hints else ""
        if len(missing) == 1:
            what = f"required column '{missing[0]}' is missing"
        else:
            what = "required columns " + ", ".join(f"'{c}'" for c in missing) + " are missing"
        raise ExtractFileError(
            file_name,
            f"{what} (expected columns: {expected}; found: {found}){hint}",
            column=missing[0],
        )
    return HeaderMatch(width=len(normalised), positions=positions, extra=extra)
