"""A million-row contacts file loads correctly, fault paths included, at full size.

Marked slow: it writes a 120 MB file. How long it takes is measured by `make bench`, not here.
"""

import duckdb
import pytest

from pipelines.ingest import load_table

ROWS = 1_000_000


@pytest.mark.slow
def test_million_row_contacts_file(tmp_path):
    extracts = tmp_path / "extracts"
    extracts.mkdir()
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    # SQL Server style dates, JSON outcomes with quotes, and one duplicate key and one bad date
    # so that the fault paths run at full size too
    con.execute(
        f"""
        COPY (
            SELECT CASE WHEN i = {ROWS - 1} THEN 'C0' ELSE 'C' || i END AS cont_contact_id,
                   'P' || (i % 200000) AS cont_person_id,
                   CASE WHEN i = 10 THEN '2014-02-30'
                        ELSE strftime(DATE '2010-01-01' + CAST(i % 3000 AS INTEGER), '%Y-%m-%d')
                             || ' 00:00:00.000' END AS cont_contact_date,
                   ['1A', '2B', '3C', '5D'][1 + i % 4] AS cont_contact_source_code,
                   'Police / Health visitor' AS cont_contact_source_desc,
                   '{{"outcome": "Referral to CSC", "nfa": "N"}}' AS cont_contact_outcome_json
            FROM range({ROWS}) AS t(i)
        ) TO '{extracts / "ssd_contacts.csv"}' (HEADER, DELIMITER ',')
        """
    )
    result = load_table(con, "ssd_contacts", extracts)

    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (ROWS, ROWS - 2, 2)
    assert con.execute("SELECT line_number FROM raw.quarantine ORDER BY 1").fetchall() == [
        (12,),
        (ROWS + 1,),
    ]
    con.close()
