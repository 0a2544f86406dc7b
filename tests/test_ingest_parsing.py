"""Reading what real extracts look like: encodings, date layouts, flags, headers, line numbers."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from pipelines.ingest import ExtractFileError, load_table

PERSON = "pers_person_id,pers_forename,pers_dob,pers_is_mother"
CONTACTS = "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_desc"


def write_bytes(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


def write(folder: Path, name: str, lines: list[str], encoding="utf-8", newline="\n") -> None:
    write_bytes(folder, name, (newline.join(lines) + newline).encode(encoding))


def rows(con, sql):
    return con.execute(sql).fetchall()


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(con, extracts, encoding):
    # ’ (0x92) and € (0x80) exist in Windows-1252 but not in Latin-1
    write(
        extracts,
        "ssd_person.csv",
        [PERSON, "P1,José,2001-02-03,", "P2,Zoë O’Neill €,2002-03-04,"],
        encoding=encoding,
    )
    result = load_table(con, "ssd_person", extracts)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert rows(con, "SELECT pers_person_id, pers_forename FROM raw.ssd_person ORDER BY 1") == [
        ("P1", "José"),
        ("P2", "Zoë O’Neill €"),
    ]


def test_bom_does_not_spoil_the_first_column_name(con, extracts):
    write(extracts, "ssd_person.csv", [PERSON, "P1,A,2001-02-03,"], encoding="utf-8-sig")
    load_table(con, "ssd_person", extracts)
    assert rows(con, "SELECT pers_person_id FROM raw.ssd_person") == [("P1",)]


def test_cp1252_file_keeps_its_fingerprint_and_line_numbers(con, extracts):
    data = "\n".join([PERSON, "P1,José,2001-02-03,", "P2,René,31/02/2001,"]).encode("cp1252")
    write_bytes(extracts, "ssd_person.csv", data)
    result = load_table(con, "ssd_person", extracts)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert rows(con, "SELECT line_number, value FROM raw.quarantine") == [(3, "31/02/2001")]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_mixing_utf8_and_cp1252_is_refused(con, extracts, bom):
    data = bom + "\n".join([PERSON, "P1,José,2001-02-03,", ""]).encode()
    data += "P2,René,2001-02-03,\n".encode("cp1252")
    write_bytes(extracts, "ssd_person.csv", data)
    with pytest.raises(ExtractFileError) as caught:
        load_table(con, "ssd_person", extracts)
    message = str(caught.value)
    assert message.startswith("ssd_person.csv: the file mixes encodings: byte 0xE9 on line 3")
    assert "expected one encoding throughout" in message


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2014-08-31",
        "2014-08-31 00:00:00.000",  # SQL Server datetime export
        "2014-08-31 13:45:10",
        "2014-08-31 00:00:00.0000000",  # datetime2
        "31/08/2014",
        "31/08/2014 00:00",  # Excel, UK locale
        "31/08/2014 09:30:00",
        " 2014-08-31 ",
    ],
)
def test_date_layouts(con, extracts, value):
    write(extracts, "ssd_contacts.csv", [CONTACTS, f"C1,P1,{value},x"])
    result = load_table(con, "ssd_contacts", extracts)
    assert result.rows_quarantined == 0
    assert rows(con, "SELECT cont_contact_date FROM raw.ssd_contacts") == [(dt.date(2014, 8, 31),)]


def test_uk_dates_are_day_first(con, extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,01/02/2014,x", "C2,P1,1/2/2014,x"])
    load_table(con, "ssd_contacts", extracts)
    assert rows(con, "SELECT DISTINCT cont_contact_date FROM raw.ssd_contacts") == [
        (dt.date(2014, 2, 1),)
    ]


@pytest.mark.parametrize(
    "value",
    ["2014-02-30", "31-08-2014", "14-08-31", "08/31/2014", "31/08/14x", "yesterday", "20140831"],
)
def test_dates_that_are_not_dates(con, extracts, value):
    write(extracts, "ssd_contacts.csv", [CONTACTS, f"C1,P1,{value},x", "C2,P1,2014-08-31,x"])
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, column, reason)] = rows(
        con, "SELECT line_number, column_name, reason FROM raw.quarantine"
    )
    assert (line, column) == (2, "cont_contact_date")
    assert "is not a date" in reason


def test_blank_optional_date_is_null(con, extracts):
    write(extracts, "ssd_person.csv", [PERSON, "P1,A,,", "P2,B,   ,"])
    result = load_table(con, "ssd_person", extracts)
    assert result.rows_quarantined == 0
    assert rows(con, "SELECT pers_dob FROM raw.ssd_person") == [(None,), (None,)]


# --- flags -------------------------------------------------------------------------------------


def test_flags_in_any_case_and_blank_is_unknown(con, extracts):
    values = ["Y", "y", "Yes", "YES", "n", "N", "No", "no", " N ", "", "1", "0", "TRUE", "False"]
    lines = [PERSON, *(f"P{i},A,2001-01-01,{v}" for i, v in enumerate(values))]
    write(extracts, "ssd_person.csv", lines)
    result = load_table(con, "ssd_person", extracts)
    assert result.rows_quarantined == 0
    loaded = rows(con, "SELECT pers_is_mother FROM raw.ssd_person ORDER BY _source_line")
    expected = [True] * 4 + [False] * 5 + [None] + [True, False, True, False]
    assert [v for (v,) in loaded] == expected


# --- header and layout -------------------------------------------------------------------------


def test_header_names_with_spaces_capitals_and_quotes_in_any_order(con, extracts):
    header = ' Cont_Contact_Date ,"CONT_PERSON_ID", cont_contact_id'
    write(extracts, "ssd_contacts.csv", [header, "2014-08-31,P1,C1"])
    result = load_table(con, "ssd_contacts", extracts)
    assert result.rows_loaded == 1
    assert rows(
        con, "SELECT cont_contact_id, cont_person_id, cont_contact_date FROM raw.ssd_contacts"
    ) == [("C1", "P1", dt.date(2014, 8, 31))]


def test_file_name_in_another_case(con, extracts):
    write(extracts, "SSD_Contacts.csv", [CONTACTS, "C1,P1,2014-08-31,x"])
    result = load_table(con, "ssd_contacts", extracts)
    assert result.rows_loaded == 1


def test_windows_line_endings(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, "C1,P1,2014-08-31,x", "C2,P1,2014-08-31,"],
        newline="\r\n",
    )
    load_table(con, "ssd_contacts", extracts)
    assert rows(
        con, "SELECT cont_contact_id, cont_contact_source_desc FROM raw.ssd_contacts ORDER BY 1"
    ) == [
        ("C1", "x"),
        ("C2", None),
    ]


def test_mixed_line_endings(con, extracts):
    data = (CONTACTS + "\r\nC1,P1,2014-08-31,x\r\nC2,P1,bad,y\nC3,P1,2014-08-31,z\r\n").encode()
    write_bytes(extracts, "ssd_contacts.csv", data)
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_read, result.rows_loaded) == (3, 2)
    assert rows(con, "SELECT cont_contact_source_desc FROM raw.ssd_contacts ORDER BY 1") == [
        ("x",),
        ("z",),
    ]
    assert rows(con, "SELECT line_number FROM raw.quarantine") == [(3,)]


def test_whitespace_only_values_are_blank_and_values_are_trimmed(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, "  C1  , P1 ,2014-08-31,   ", 'C2,P2,2014-08-31,""'],
    )
    load_table(con, "ssd_contacts", extracts)
    assert rows(
        con,
        "SELECT cont_contact_id, cont_person_id, cont_contact_source_desc "
        "FROM raw.ssd_contacts ORDER BY 1",
    ) == [
        ("C1", "P1", None),
        ("C2", "P2", None),
    ]


@pytest.mark.parametrize("ending", ["", "\n", "\n\n", "\r\n\r\n"])
def test_trailing_empty_lines_are_fine(con, extracts, ending):
    data = (CONTACTS + "\nC1,P1,2014-08-31,x\nC2,P1,2014-08-31,y" + ending).encode()
    write_bytes(extracts, "ssd_contacts.csv", data)
    result = load_table(con, "ssd_contacts", extracts)
    assert result.rows_loaded == 2
    assert rows(con, "SELECT _source_line FROM raw.ssd_contacts ORDER BY 1") == [(2,), (3,)]


# --- line numbers ------------------------------------------------------------------------------


def test_line_numbers_are_physical_lines_with_multiline_values_and_blank_lines(con, extracts):
    lines = [
        CONTACTS,  # 1
        'C1,P1,2014-08-31,"a note',  # 2
        "over three",  # 3
        'lines"',  # 4
        "",  # 5 (blank, skipped)
        "C2,P1,bad date,x",  # 6
        'C3,P1,2014-08-31,"quote "" inside, and comma"',  # 7
        "C1,P2,2014-08-31,dup",  # 8
    ]
    write(extracts, "ssd_contacts.csv", lines)
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_read, result.rows_loaded) == (4, 2)
    assert rows(
        con,
        "SELECT cont_contact_id, _source_line, cont_contact_source_desc "
        "FROM raw.ssd_contacts ORDER BY 2",
    ) == [
        ("C1", 2, "a note\nover three\nlines"),
        ("C3", 7, 'quote " inside, and comma'),
    ]
    assert rows(con, "SELECT line_number, column_name, reason FROM raw.quarantine ORDER BY 1") == [
        (6, "cont_contact_date", "'bad date' is not a date (expected YYYY-MM-DD, "
         "YYYY-MM-DD hh:mm:ss[.fff], DD/MM/YYYY, DD/MM/YYYY hh:mm[:ss])"),
        (8, "cont_contact_id", "duplicate cont_contact_id 'C1': the record on line 2 is kept"),
    ]  # fmt: skip


def test_stray_quote_in_an_unquoted_value_does_not_shift_line_numbers(con, extracts):
    lines = [
        CONTACTS,  # 1
        'C1,P1,2014-08-31,a 12" ruler',  # 2: a quote inside an unquoted value is just a character
        'C2,P1,2014-08-31,"two',  # 3
        'lines"',  # 4
        "C3,P1,bad,x",  # 5
    ]
    write(extracts, "ssd_contacts.csv", lines)
    result = load_table(con, "ssd_contacts", extracts)
    assert result.rows_loaded == 2
    assert rows(con, "SELECT line_number FROM raw.quarantine") == [(5,)]
    assert rows(con, "SELECT cont_contact_source_desc FROM raw.ssd_contacts ORDER BY 1") == [
        ('a 12" ruler',),
        ("two\nlines",),
    ]


def test_line_numbers_fall_back_to_record_numbers_but_no_row_is_lost(con, extracts, monkeypatch):
    monkeypatch.setattr("pipelines.ingest.lines.record_start_lines", lambda path: [2])
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,2014-08-31,x", "", "C2,P1,bad,y"])
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert "line numbers are approximate" in result.message
    assert rows(con, "SELECT line_number FROM raw.quarantine") == [(3,)]  # record 2 + header
