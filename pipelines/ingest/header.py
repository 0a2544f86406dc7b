"""Matching a file's header line to the contract's columns.

Header names are matched after trimming spaces and ignoring case, because extracts written by
hand-edited SQL or re-saved in Excel often carry "Cont_Contact_Date " style names. A header
that fails here is a file-level fault: without the right columns no row can be read safely.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from pipelines.contract import ContractTable
from pipelines.ingest.errors import ExtractFileError

OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}
# A header name that can be repeated in a message. Anything else is not echoed: the "header"
# of a file that is not an extract at all (a password file, a report) can hold anything.
NAME_SHOWN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


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
    known = set(table.column_names)
    if len(normalised) == 1:
        for char, label in OTHER_DELIMITERS.items():
            if known & {normalise_name(n).strip('"') for n in normalised[0].split(char)}:
                raise ExtractFileError(
                    file_name,
                    f"the header reads as a single column separated by {label}; expected "
                    f"comma-separated columns: {expected}",
                )
    if not known & set(normalised):
        # Not a header of this extract at all: say so without quoting the line.
        shown = ""
        if all(NAME_SHOWN.match(n) for n in normalised):
            shown = "; found: " + ", ".join(normalised)
        raise ExtractFileError(
            file_name,
            f"the first line is not the header of {file_name}: none of its {len(normalised)} "
            f"comma-separated names is a column of the extract (expected a header line with "
            f"columns: {expected}{shown})",
            column=table.required_columns[0] if table.required_columns else None,
        )

    positions: dict[str, int] = {}
    extra: dict[str, int] = {}
    seen: dict[str, int] = {}
    for position, name in enumerate(normalised):
        # a blank name (e.g. a trailing comma on every line) is kept aside as "column_<n>"
        name = name or f"column_{position + 1}"
        if name in seen:
            shown = f"'{name}'" if NAME_SHOWN.match(name) else "(a name not shown)"
            raise ExtractFileError(
                file_name,
                f"duplicate column {shown} in the header (columns {seen[name] + 1} and "
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
        shown_names = [n if NAME_SHOWN.match(n) else "(a name not shown)" for n in normalised if n]
        found = ", ".join(shown_names) or "(none)"
        hints = []
        for column in missing:
            shown_extra = [n for n in extra if NAME_SHOWN.match(n)]
            close = difflib.get_close_matches(column, shown_extra, n=1, cutoff=0.8)
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
