"""Ofsted's Annex A: the lists the warehouse can fill, as one workbook for an inspection.

Sheets are named ``List 1``, ``List 3``... with Ofsted's published column headings (ILACS
Annex A), one row per record in the window (default: the 12 months to the run date). A list
whose records span time (children in need, on a plan, looked after) holds everything open at
any time in the window. Columns the extract contract cannot fill yet stay blank (see
docs/returns.md). Not produced: List 2 (early help assessments: no assessment dates in the
extract), List 5 (section 47 and ICPCs), List 9 (care leavers), List 10 and 11 (adoption,
adopters) - the tables they need are not in the contract yet or not complete enough.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import duckdb
import xlsxwriter

from pipelines.csv_safety import safe_cell
from pipelines.returns.files import write_private

LISTS = (
    ("List 1", "annex_a_list_1", "Contacts"),
    ("List 3", "annex_a_list_3", "Referrals"),
    ("List 4", "annex_a_list_4", "Assessments"),
    ("List 6", "annex_a_list_6", "Children in need"),
    ("List 7", "annex_a_list_7", "Child protection"),
    ("List 8", "annex_a_list_8", "Children in care"),
)
HELPERS = ("age_from_date_of_birth", "window_from", "window_to")
AGE_HEADING = "Age of Child (Years)"


def default_window(today: date) -> tuple[date, date]:
    """The 12 months to the run date."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start, today


def file_name(window: tuple[date, date]) -> str:
    return f"Annex_A_{window[0]:%Y-%m-%d}_to_{window[1]:%Y-%m-%d}.xlsx"


def _age(dob: date | None, on: date) -> int | None:
    if dob is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def list_rows(con, model: str, window: tuple[date, date]) -> tuple[list[str], list[list]]:
    cursor = con.execute(
        f"""
        SELECT * FROM returns.{model}
        WHERE window_from <= ? AND coalesce(window_to, window_from, DATE '9999-12-31') >= ?
        ORDER BY window_from, "Child Unique ID"
        """,
        [window[1], window[0]],
    )
    names = [d[0] for d in cursor.description]
    headings = [n for n in names if n not in HELPERS]
    # Ofsted's order: the age follows the date of birth
    headings.insert(headings.index("Date of Birth") + 1, AGE_HEADING)
    dob_at = names.index("age_from_date_of_birth")
    rows = []
    for row in cursor.fetchall():
        values = dict(zip(names, row, strict=True))
        values[AGE_HEADING] = _age(row[dob_at], window[1])
        rows.append([safe_cell(values[h]) for h in headings])
    return headings, rows


def write_annex_a(
    con: duckdb.DuckDBPyConnection, window: tuple[date, date], folder: Path
) -> tuple[Path, dict[str, int]]:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    counts = {}
    for sheet_name, model, _title in LISTS:
        headings, rows = list_rows(con, model, window)
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, headings, bold)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(headings) - 1, 18)
        counts[sheet_name] = len(rows)
    workbook.close()
    return write_private(folder / file_name(window), buffer.getvalue()), counts
