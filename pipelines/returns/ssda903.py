"""SSDA903: the CSV files the DfE's loader accepts, one per table, from the returns models.

The DfE's tools recognise each file by its exact set of column names (lac_validator.config),
so each file carries exactly those columns, in the DfE's order, and nothing else.

Produced: Header, Episodes, Reviews, UASC, Missing, PlacedAdoption, PrevPerm, AD1.
Not produced: OC2 (SDQ scores, health checks, immunisations, teeth, substance misuse and
convictions of children looked after for 12 months: the SSD tables ssd_sdq_scores,
ssd_cla_health, ssd_cla_immunisations, ssd_cla_substance_misuse and ssd_cla_convictions are not
in the extract contract yet) and OC3 (care leavers' accommodation and activity: ssd_care_leavers
is not in the contract yet); SWEpisodes (social worker episodes) likewise. The DfE's rules that
need those tables are skipped by the engine and listed as skipped.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.returns.files import csv_bytes, write_private

# (DfE table name, returns model, columns in the DfE's order, file name)
TABLES = (
    ("Header", "ssda903_header", ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")),
    (
        "Episodes",
        "ssda903_episodes",
        (
            "CHILD",
            "DECOM",
            "RNE",
            "LS",
            "CIN",
            "PLACE",
            "PLACE_PROVIDER",
            "DEC",
            "REC",
            "REASON_PLACE_CHANGE",
            "HOME_POST",
            "PL_POST",
            "URN",
        ),
    ),
    ("Reviews", "ssda903_reviews", ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")),
    ("UASC", "ssda903_uasc", ("CHILD", "SEX", "DOB", "DUC")),
    ("Missing", "ssda903_missing", ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")),
    (
        "PlacedAdoption",
        "ssda903_placed_adoption",
        ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    ),
    ("PrevPerm", "ssda903_prev_perm", ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM")),
    (
        "AD1",
        "ssda903_ad1",
        (
            "CHILD",
            "DOB",
            "DATE_INT",
            "DATE_MATCH",
            "FOSTER_CARE",
            "NB_ADOPTR",
            "SEX_ADOPTR",
            "LS_ADOPTR",
        ),
    ),
)
NOT_PRODUCED = {
    "OC2": "no health, SDQ, substance misuse or offending data in the extract contract yet",
    "OC3": "no care leavers table (ssd_care_leavers) in the extract contract yet",
}


def file_name(table: str, year: str) -> str:
    return f"SSDA903_{year}_{table}.csv"


def write_ssda903(con: duckdb.DuckDBPyConnection, year: str, folder: Path) -> dict[str, int]:
    """Write every produced table for the collection year into ``folder`` (owner-only);
    returns {DfE table: rows}. A table with no rows is still written (header only): the
    DfE's loader accepts it, and it shows the table was produced, not forgotten."""
    counts = {}
    for table, model, columns in TABLES:
        select = ", ".join(f'"{c}"' for c in columns)
        rows = con.execute(
            f'SELECT {select} FROM returns.{model} WHERE collection_year = ? ORDER BY "CHILD", 2',
            [year],
        ).fetchall()
        write_private(folder / file_name(table, year), csv_bytes(list(columns), rows))
        counts[table] = len(rows)
    return counts
