"""Checking extracts without loading them: reports, the text for the CLI, and no side effects."""

import os
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import get_table
from pipelines.ingest import ValidationReport, format_report, load_table, validate_extracts

CONTACTS = "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code"


@pytest.fixture
def extracts(tmp_path) -> Path:
    folder = tmp_path / "extracts"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_reports_clean_faulty_and_failed_files(extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,2014-08-01,1A", "C2,P2,2014-08-02,"])
    faulty = [f"C{i},P{i},31/02/2014,1A" for i in range(5)]
    write(
        extracts,
        "ssd_cin_episodes.csv",
        [
            "cine_referral_id,cine_person_id,cine_referral_date,cine_referral_nfa,extra_notes",
            "R1,P1,2014-08-01,N,hello",
            *(f"R{i},P1,{bad.split(',')[2]},N," for i, bad in enumerate(faulty, start=2)),
            "R1,P1,2014-08-09,maybe,",
        ],
    )
    write(extracts, "ssd_person.csv", ["pers_person_id\tpers_dob", "P1\t2001-01-01"])

    reports = validate_extracts(extracts, tables=["ssd_contacts", "ssd_cin_episodes", "ssd_person"])
    contacts, referrals, person = reports
    assert all(isinstance(r, ValidationReport) for r in reports)

    assert (contacts.ok, contacts.file_error, contacts.rows_read) == (True, None, 2)
    assert contacts.row_faults == ()

    assert not referrals.ok and referrals.file_error is None
    assert (referrals.rows_read, referrals.rows_quarantined) == (7, 6)
    assert referrals.extra_columns == {"extra_notes": 1}
    groups = {(g.column_name, g.fault): g for g in referrals.row_faults}
    assert set(groups) == {
        ("cine_referral_id", "duplicate key"),
        ("cine_referral_date", "unparseable date"),
        ("cine_referral_nfa", "invalid flag"),
    }
    dates = groups[("cine_referral_date", "unparseable date")]
    assert dates.count == 5
    assert [e.line_number for e in dates.examples] == [3, 4, 5]  # the first few only
    assert dates.examples[0].value == "31/02/2014"
    duplicate = groups[("cine_referral_id", "duplicate key")]
    assert duplicate.examples[0].line_number == 8
    assert "the record on line 2 is kept" in duplicate.examples[0].reason

    assert not person.ok
    assert person.file_error.startswith("ssd_person.csv: the header reads as a single column")
    assert "tabs" in person.file_error


def test_every_contract_file_by_default(extracts):
    # the 13 required files fail when missing; the 10 optional ones (statutory returns only)
    # are reported absent, which is not a fault
    reports = validate_extracts(extracts)
    assert len(reports) == 23
    required = [r for r in reports if get_table(r.table_name).required]
    optional = [r for r in reports if not get_table(r.table_name).required]
    assert len(required) == 13 and len(optional) == 10
    assert all(r.file_error and "file not found" in r.file_error for r in required)
    assert all(not r.ok and not r.absent for r in required)
    assert all(r.ok and r.absent and r.file_error is None for r in optional)
    text = format_report(reports)
    assert "ABSENT  ssd_mother.csv: optional (statutory returns only)" in text
    assert text.count("ABSENT  ") == 10 and text.count("FAILED  ") == 13


def test_format_report(extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,2014-08-01,1A", "C1,P2,bad,"])
    text = format_report(validate_extracts(extracts, tables=["ssd_contacts", "ssd_person"]))
    assert "FAULTS  ssd_contacts.csv: 1 of 2 rows would be quarantined" in text
    assert "cont_contact_date: unparseable date, 1 row" in text
    assert "line 3: 'bad' is not a date" in text
    assert "line 3: duplicate cont_contact_id 'C1': the record on line 2 is kept" in text
    assert "FAILED  ssd_person.csv: file not found" in text
    assert text.splitlines()[-1] == (
        "2 files checked: 0 clean, 1 with row faults, 1 that would not load"
    )


def test_validate_writes_nothing(tmp_path, extracts, monkeypatch):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,2014-08-01,1A", "C2,P1,bad,"])
    # a Windows-1252 file needs a transcoded copy: it must not be left anywhere we can see
    (extracts / "ssd_person.csv").write_bytes("pers_person_id,pers_dob\nP1,é\n".encode("cp1252"))
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    load_table(con, "ssd_contacts", extracts)
    con.close()
    before_db = warehouse.read_bytes()
    monkeypatch.chdir(tmp_path)
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C9,P9,2014-08-01,1A"])
    before_dir = sorted(os.listdir(tmp_path)), sorted(os.listdir(extracts))

    reports = validate_extracts(extracts)

    assert reports[0].rows_read == 1 and reports[1].rows_read == 1
    assert warehouse.read_bytes() == before_db
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(extracts))) == before_dir
    con = duckdb.connect(str(warehouse))
    assert con.execute("SELECT cont_contact_id FROM raw.ssd_contacts ORDER BY 1").fetchall() == [
        ("C1",)
    ]
    assert con.execute("SELECT count(*) FROM raw.load_log").fetchall() == [(1,)]
    con.close()
