"""Extracts as real authorities send them in their first week (issue 11), through the real loader:
far-off and "open" dates, two-digit years, short files, values that are not values, files that
are not what they claim to be."""

import datetime as dt
import os
from pathlib import Path

import pytest

from pipelines.ingest import (
    ExtractFileError,
    ExtractRefused,
    ReadRules,
    load_extracts,
    load_table,
    validate_extracts,
)
from pipelines.settings import Settings, SettingsError

PERSON = "pers_person_id,pers_forename,pers_dob,pers_is_mother"
CONTACTS = "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_desc"
PLACEMENTS = (
    "clap_cla_placement_id,clap_cla_id,clap_person_id,clap_cla_placement_start_date,"
    "clap_cla_placement_end_date,clap_cla_placement_distance"
)


def write(folder: Path, name: str, lines: list[str], encoding="utf-8") -> Path:
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def quarantine(con, table):
    return rows(
        con,
        "SELECT line_number, column_name, value, reason FROM raw.quarantine "
        "WHERE table_name = ? ORDER BY line_number, column_name",
        [table],
    )


# --- dates: the plausible window, "open" placeholders, two-digit years ------------------------


def test_open_placeholders_in_end_dates_load_as_blank_and_are_counted(con, extracts):
    write(
        extracts,
        "ssd_cla_placement.csv",
        [
            PLACEMENTS,
            "PL1,CLA1,P1,2014-01-01,9999-12-31,",
            "PL2,CLA1,P1,2014-02-01,2999-12-31 00:00:00,",
            "PL3,CLA2,P2,2014-03-01,01/01/1900,",
            "PL4,CLA3,P3,2014-04-01,2014-05-01,",
            "PL5,CLA4,P4,2014-04-01,,",
        ],
    )
    result = load_table(con, "ssd_cla_placement", extracts)

    assert (result.rows_loaded, result.rows_quarantined, result.open_end_dates) == (5, 0, 3)
    ends = rows(
        con,
        "SELECT clap_cla_placement_id, clap_cla_placement_end_date FROM raw.ssd_cla_placement "
        "ORDER BY 1",
    )
    assert ends == [
        ("PL1", None),
        ("PL2", None),
        ("PL3", None),
        ("PL4", dt.date(2014, 5, 1)),
        ("PL5", None),
    ]
    assert rows(con, "SELECT status, open_end_dates FROM raw.load_log") == [("loaded", 3)]
    assert "clap_cla_placement_end_date 3" in result.message


def test_placeholders_in_other_date_columns_are_implausible_dates(con, extracts):
    write(
        extracts,
        "ssd_cla_placement.csv",
        [PLACEMENTS, "PL1,CLA1,P1,9999-12-31,,", "PL2,CLA1,P1,2014-01-01,,"],
    )
    write(
        extracts,
        "ssd_person.csv",
        [PERSON, "P1,A,1066-01-01,", "P2,B,2101-01-01,", "P3,C,1900-01-01,", "P4,D,2100-12-31,"],
    )
    load_table(con, "ssd_cla_placement", extracts)
    load_table(con, "ssd_person", extracts)

    [(line, column, value, reason)] = quarantine(con, "ssd_cla_placement")
    assert (line, column, value) == (2, "clap_cla_placement_start_date", "9999-12-31")
    assert "outside the plausible dates 1900-01-01 to 2100-12-31" in reason
    people = quarantine(con, "ssd_person")
    assert [(line, value) for line, _, value, _ in people] == [(2, "1066-01-01"), (3, "2101-01-01")]
    assert rows(con, "SELECT pers_person_id, pers_dob FROM raw.ssd_person ORDER BY 1") == [
        ("P3", dt.date(1900, 1, 1)),  # the edges of the window are plausible
        ("P4", dt.date(2100, 12, 31)),
    ]


def test_end_dates_outside_the_window_that_are_not_placeholders_are_quarantined(con, extracts):
    write(
        extracts,
        "ssd_cla_placement.csv",
        [PLACEMENTS, "PL1,CLA1,P1,2014-01-01,9999-12-30,", "PL2,CLA1,P1,2014-01-01,2014-13-01,"],
    )
    load_table(con, "ssd_cla_placement", extracts)
    reasons = [reason for *_, reason in quarantine(con, "ssd_cla_placement")]
    assert "'9999-12-30' is outside the plausible dates" in reasons[0]
    assert "1900-01-01, 2999-12-31, 9999-12-31 mean(s) still open" in reasons[0]
    assert "'2014-13-01' is not a date" in reasons[1]


@pytest.mark.parametrize("value", ["01/08/14", "1/8/14", "01/08/14 10:30", "31-08-14", "14-08-31"])
def test_two_digit_years_are_quarantined_never_guessed(con, extracts, value):
    write(extracts, "ssd_contacts.csv", [CONTACTS, f"C1,P1,{value},x", "C2,P1,01/08/2014,x"])
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, column, shown, reason)] = quarantine(con, "ssd_contacts")
    assert (line, column, shown) == (2, "cont_contact_date", value)
    assert "year has two digits" in reason
    assert rows(con, "SELECT cont_contact_date FROM raw.ssd_contacts") == [(dt.date(2014, 8, 1),)]


def test_the_window_and_the_placeholders_are_settings(con, extracts, monkeypatch):
    monkeypatch.setenv("BOARDPACK_EARLIEST_DATE", "1000-01-01")
    monkeypatch.setenv("BOARDPACK_LATEST_DATE", "9999-12-31")
    monkeypatch.setenv("BOARDPACK_OPEN_END_DATES", "")  # no placeholders: 9999-12-31 is a date
    write(extracts, "ssd_cla_placement.csv", [PLACEMENTS, "PL1,CLA1,P1,1066-10-14,9999-12-31,"])
    rules = ReadRules.from_settings()
    result = load_table(con, "ssd_cla_placement", extracts, rules=rules)
    assert (result.rows_loaded, result.open_end_dates) == (1, 0)
    assert rows(
        con,
        "SELECT clap_cla_placement_start_date, clap_cla_placement_end_date "
        "FROM raw.ssd_cla_placement",
    ) == [(dt.date(1066, 10, 14), dt.date(9999, 12, 31))]

    monkeypatch.setenv("BOARDPACK_LATEST_DATE", "31/12/2100")
    with pytest.raises(SettingsError, match="BOARDPACK_LATEST_DATE='31/12/2100': expected"):
        Settings.from_environment()


# --- the shrink guard ----------------------------------------------------------------------------


def contacts(n: int, start: int = 0) -> list[str]:
    return [CONTACTS] + [f"C{i},P{i},2014-08-01,x" for i in range(start, start + n)]


def people(n: int) -> list[str]:
    return [PERSON] + [f"P{i},A,2001-01-01," for i in range(n)]


def test_a_shrunk_table_refuses_the_whole_load(con, extracts):
    write(extracts, "ssd_contacts.csv", contacts(100))
    write(extracts, "ssd_person.csv", people(50))
    load_extracts(con, extracts, ["ssd_contacts", "ssd_person"])
    before = rows(
        con, "SELECT count(*) FROM raw.ssd_contacts UNION ALL SELECT count(*) FROM raw.ssd_person"
    )
    assert before == [(100,), (50,)]

    # tonight: contacts cut to 10% of its rows, persons grown (a good file on its own)
    write(extracts, "ssd_contacts.csv", contacts(10))
    write(extracts, "ssd_person.csv", people(60))
    results = {
        r.table_name: r for r in load_extracts(con, extracts, ["ssd_contacts", "ssd_person"])
    }

    assert results["ssd_contacts"].status == "refused"
    assert results["ssd_contacts"].message == (
        "ssd_contacts.csv: refused: 10 rows would replace the 100 rows of its last successful "
        "load (fewer than 90%), so nothing was loaded in this run; if the smaller extract is "
        "right, run again with `boardpack run --accept-shrink ssd_contacts` "
        "(or BOARDPACK_ACCEPT_SHRINK=ssd_contacts)"
    )
    assert results["ssd_person"].status == "held"
    # previous data kept in EVERY table, not just the one that shrank
    assert rows(
        con, "SELECT count(*) FROM raw.ssd_contacts UNION ALL SELECT count(*) FROM raw.ssd_person"
    ) == [(100,), (50,)]
    statuses = rows(
        con,
        "SELECT table_name, status, rows_loaded FROM raw.load_log "
        "WHERE status IN ('refused', 'held') ORDER BY 1",
    )
    assert statuses == [("ssd_contacts", "refused", 10), ("ssd_person", "held", 60)]

    # accepted deliberately (the setting behind --accept-shrink): both load
    accept = ReadRules(accept_shrink=("ssd_contacts",))
    again = load_extracts(con, extracts, ["ssd_contacts", "ssd_person"], rules=accept)
    assert [r.status for r in again] == ["loaded", "loaded"]
    assert rows(
        con, "SELECT count(*) FROM raw.ssd_contacts UNION ALL SELECT count(*) FROM raw.ssd_person"
    ) == [(10,), (60,)]


def test_small_drops_load_and_the_share_is_a_setting(con, extracts, monkeypatch):
    write(extracts, "ssd_contacts.csv", contacts(100))
    load_table(con, "ssd_contacts", extracts)
    write(extracts, "ssd_contacts.csv", contacts(90))  # exactly 90%: not below the share
    assert load_table(con, "ssd_contacts", extracts).status == "loaded"
    write(extracts, "ssd_contacts.csv", contacts(50))
    with pytest.raises(ExtractRefused, match="50 rows would replace the 90 rows"):
        load_table(con, "ssd_contacts", extracts)
    monkeypatch.setenv("BOARDPACK_SHRINK_SHARE", "50%")
    assert load_table(con, "ssd_contacts", extracts, rules=ReadRules.from_settings()).status == (
        "loaded"
    )


def test_quarantined_rows_count_against_the_previous_load(con, extracts):
    """The guard compares ACCEPTED rows: a file of the same length whose dates all went bad
    (e.g. a two-digit-year export) is refused."""
    write(extracts, "ssd_contacts.csv", contacts(20))
    load_table(con, "ssd_contacts", extracts)
    write(extracts, "ssd_contacts.csv", [CONTACTS] + [f"C{i},P{i},01/08/14,x" for i in range(20)])
    with pytest.raises(ExtractRefused, match="0 rows would replace the 20 rows"):
        load_table(con, "ssd_contacts", extracts)
    assert rows(con, "SELECT count(*) FROM raw.ssd_contacts") == [(20,)]


# --- values that are not values ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "1e999", "-1e999"])
def test_non_finite_numbers_are_quarantined(con, extracts, value):
    write(
        extracts,
        "ssd_cla_placement.csv",
        [PLACEMENTS, f"PL1,CLA1,P1,2014-01-01,,{value}", "PL2,CLA1,P1,2014-01-01,,12.5"],
    )
    result = load_table(con, "ssd_cla_placement", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, column, shown, reason)] = quarantine(con, "ssd_cla_placement")
    assert (line, column, shown) == (2, "clap_cla_placement_distance", value)
    assert "is not a finite number" in reason
    assert rows(con, "SELECT clap_cla_placement_distance FROM raw.ssd_cla_placement") == [(12.5,)]


def test_nul_bytes_are_quarantined_in_any_column(con, extracts):
    data = (CONTACTS + "\nC1,P1,2014-08-01,Poli\x00ce\nC2,P2,2014-08-01,School\n").encode()
    (extracts / "ssd_contacts.csv").write_bytes(data)
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, column, shown, reason)] = quarantine(con, "ssd_contacts")
    assert (line, column, shown) == (2, "cont_contact_source_desc", "Poli\\0ce")
    assert "NUL byte" in reason
    assert rows(con, "SELECT cont_contact_id FROM raw.ssd_contacts") == [("C2",)]


@pytest.mark.parametrize("key", ["\t", "\t\t", " \t ", "\u00a0", "\u200b"])
def test_keys_made_only_of_whitespace_are_blank(con, extracts, key):
    write(extracts, "ssd_contacts.csv", [CONTACTS, f"{key},P1,2014-08-01,x", "C2,P2,2014-08-01,x"])
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, column, _, reason)] = quarantine(con, "ssd_contacts")
    assert (line, column) == (2, "cont_contact_id")
    assert reason == "blank, but cont_contact_id must have a value"


def test_tabs_around_values_are_trimmed(con, extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "\tC1\t,P1,\t2014-08-01 ,x"])
    load_table(con, "ssd_contacts", extracts)
    assert rows(con, "SELECT cont_contact_id, cont_contact_date FROM raw.ssd_contacts") == [
        ("C1", dt.date(2014, 8, 1))
    ]


def test_windows_1252_then_utf8_is_refused_as_mixed(con, extracts):
    data = (PERSON + "\nP1,José,2001-02-03,\n").encode("cp1252")
    data += "".join(f"P{i},Ann,2001-02-03,\n" for i in range(2, 40)).encode()
    data += "P40,Zoë,2001-02-03,\n".encode()
    (extracts / "ssd_person.csv").write_bytes(data)
    with pytest.raises(ExtractFileError) as caught:
        load_table(con, "ssd_person", extracts)
    message = str(caught.value)
    assert message.startswith("ssd_person.csv: the file mixes encodings: byte 0xE9 on line 2")
    assert "line 41 is UTF-8" in message


def test_plain_windows_1252_still_loads(con, extracts):
    data = (PERSON + "\nP1,José,2001-02-03,\nP2,Zoë £5 – “quoted”,2001-02-03,\n").encode("cp1252")
    (extracts / "ssd_person.csv").write_bytes(data)
    result = load_table(con, "ssd_person", extracts)
    assert result.rows_loaded == 2
    assert rows(con, "SELECT pers_forename FROM raw.ssd_person ORDER BY 1") == [
        ("José",),
        ("Zoë £5 – “quoted”",),
    ]


# --- files that are not what they claim to be ----------------------------------------------------


def failure(con, extracts, table="ssd_person") -> str:
    with pytest.raises(ExtractFileError) as caught:
        load_table(con, table, extracts)
    return str(caught.value)


def test_a_folder_named_like_the_file(con, extracts):
    (extracts / "ssd_person.csv").mkdir()
    message = failure(con, extracts)
    assert message.startswith("ssd_person.csv: ssd_person.csv in ")
    assert "is a folder, not a file" in message


def test_utf16_without_a_byte_order_mark(con, extracts):
    for codec, order in (("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")):
        write(extracts, "ssd_person.csv", [PERSON, "P1,A,2001-01-01,"], encoding=codec)
        message = failure(con, extracts)
        assert f"looks UTF-16 encoded ({order}, without a byte order mark" in message
        assert "required column" not in message and "\x00" not in message


def test_a_symlink_outside_the_extracts_folder_is_refused_unless_allowed(con, extracts, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write(outside, "persons.csv", [PERSON, "P1,A,2001-01-01,"])
    (extracts / "ssd_person.csv").symlink_to(outside / "persons.csv")
    message = failure(con, extracts)
    assert "is a symbolic link to" in message and "outside the extracts folder; refused" in message
    assert "BOARDPACK_ALLOW_OUTSIDE_SYMLINKS=1" in message

    allowed = ReadRules(allow_outside_symlinks=True)
    assert load_table(con, "ssd_person", extracts, rules=allowed).rows_loaded == 1


def test_a_symlink_inside_the_extracts_folder_is_followed(con, extracts):
    write(extracts, "persons_2014-08-31.csv", [PERSON, "P1,A,2001-01-01,"])
    (extracts / "ssd_person.csv").symlink_to("persons_2014-08-31.csv")
    assert load_table(con, "ssd_person", extracts).rows_loaded == 1


def test_the_content_of_a_file_that_is_not_an_extract_is_never_echoed(con, extracts, tmp_path):
    secret = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    (extracts / "ssd_person.csv").write_text(secret)
    message = failure(con, extracts)
    assert "the first line is not the header of ssd_person.csv" in message
    for word in ("root", "/bin/bash", "daemon", "nologin"):
        assert word not in message
    # the same through a symlink the settings allow
    (extracts / "ssd_person.csv").unlink()
    outside = tmp_path / "passwd"
    outside.write_text(secret)
    (extracts / "ssd_person.csv").symlink_to(outside)
    with pytest.raises(ExtractFileError) as caught:
        load_table(con, "ssd_person", extracts, rules=ReadRules(allow_outside_symlinks=True))
    assert "root" not in str(caught.value).replace(str(outside), "")


def test_a_header_from_another_table_is_named(con, extracts):
    write(extracts, "ssd_person.csv", [CONTACTS, "C1,P1,2014-08-01,x"])
    message = failure(con, extracts)
    assert "none of its 4 comma-separated names is a column of the extract" in message
    assert "found: cont_contact_id, cont_person_id" in message


def test_a_workbook_saved_as_csv(con, extracts):
    (extracts / "ssd_person.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(200))
    message = failure(con, extracts)
    assert "is an Excel workbook (.xlsx) or a zip archive, not a CSV text file" in message


def test_a_3_mb_line_reports_the_line_length_limit(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, "C1,P1,2014-08-01,x", "C2,P2,2014-08-01," + "y" * 3_000_000, "C3,P3,,x"],
    )
    message = failure(con, extracts, "ssd_contacts")
    assert message.startswith("ssd_contacts.csv: line 3 is 3,000,017 bytes long, over the limit")
    assert "2,000,000 bytes per line" in message
    assert "columns" not in message and "yyyy" not in message


def test_validate_reports_what_the_loader_would_refuse(con, extracts, tmp_path):
    write(extracts, "ssd_contacts.csv", contacts(100))
    load_table(con, "ssd_contacts", extracts)
    con.close()
    write(extracts, "ssd_contacts.csv", [CONTACTS])
    [report] = validate_extracts(extracts, ["ssd_contacts"], database=tmp_path / "warehouse.duckdb")
    assert report.would_refuse and not report.ok
    assert report.shrink.startswith("ssd_contacts.csv: refused: 0 rows would replace the 100")
    # without a warehouse there is nothing to compare with
    [alone] = validate_extracts(extracts, ["ssd_contacts"])
    assert alone.ok and alone.shrink is None


def test_a_tab_key_or_nul_byte_deep_in_a_large_file_is_still_caught(con, extracts):
    """The costly checks run only in files whose bytes need them: the scan must find those
    bytes anywhere, not only in the first chunk it reads."""
    filler = [f"C{i},P{i},2014-08-01,{'x' * 60}" for i in range(80_000)]  # about 6 MB
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, *filler, "\t,P1,2014-08-01,x", "CN,P1,2014-08-01,a\x00b"],
    )
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (80_000, 2)
    faults = [(line, column) for line, column, _, _ in quarantine(con, "ssd_contacts")]
    assert faults == [(80_002, "cont_contact_id"), (80_003, "cont_contact_source_desc")]
