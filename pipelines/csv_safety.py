"""CSV files people open in Excel: no cell may run as a formula (CSV or formula injection).

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
carriage return before one) as a formula: a team name `=HYPERLINK("http://...")` or a record id
`@SUM(...)` in a worklist would run on the desk of whoever opens it. OWASP's rule
(https://owasp.org/www-community/attacks/CSV_Injection): prefix such a cell with a single
quote, which the spreadsheet shows as text; the value stays readable. A cell that is a plain
number (`-1.50`, `+3`) cannot be a formula and is left alone, so negative figures stay
numbers; everything else starting with one of those characters is neutralised, whatever the
column. A carriage return inside a text cell becomes a line feed: CSV writers quote a cell
holding a line feed, but not one holding only a carriage return, which a spreadsheet then
reads as the end of the row.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def looks_like_formula(value: object) -> bool:
    """A text a spreadsheet would take for a formula (a plain number such as -1.50 is not)."""
    return (
        isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value)
    )


def safe_cell(value: object) -> object:
    """The value, prefixed with ' when a spreadsheet would take it for a formula. (An xlsx
    text cell is never run, but Excel runs it once someone edits it: pipelines/pack/xlsx.py
    gives such cells the workbook's own quote prefix instead.)"""
    if looks_like_formula(value):
        return "'" + value
    return value


def _safe_text(value: object) -> object:
    value = safe_cell(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell made safe (numbers and dates are left alone)."""
    safe = frame.copy()
    for column in safe.columns:
        text = pd.api.types.is_object_dtype(safe[column]) or pd.api.types.is_string_dtype(
            safe[column]
        )
        if text:
            safe[column] = safe[column].map(_safe_text, na_action="ignore")
    safe.columns = [_safe_text(str(c)) for c in safe.columns]
    return safe
