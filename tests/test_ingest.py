"""Loading extracts into raw.*: file-level faults, quarantine, atomic replacement, reruns."""

import datetime as dt
from pathlib import Path

import pytest

from pipelines.contract import load_contract
from pipelines.ingest import (
    ExtractFileError,
    ExtractRefused,
    LoadResult,
    ReadRules,
    ensure_meta_tables,
    load_extracts,
    load_table,
)
from pipelines.ingest import load as load_module

CONTACTS = "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code"
GOOD_CONTACTS = [CONTACTS, "C1,P1,2014-08-01,1A", "C2,P2,2014-08-02,2B", "C3,P1,2014-08-03,"]


def write(folder: Path, name: str, lines: list[str] | bytes, encoding="utf-8") -> Path:
    path = folder / name
    data = lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode(encoding)
    path.write_bytes(data)
    return path


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def snapshot(con, table="ssd_contacts"):
    """Everything a failed load must leave untouched."""
    return (
        rows(con, f"SELECT * FROM raw.{table} ORDER BY _source_line"),
        rows(con, "SELECT * FROM raw.quarantine WHERE table_name = ? ORDER BY ALL", [table]),
        rows(con, "SELECT * FROM raw.extra_columns WHERE table_name = ? ORDER BY ALL", [table]),
    )


def quarantine(con, table="ssd_contacts"):
    return rows(
        con,
        "SELECT line_number, column_name, value, reason FROM raw.quarantine "
        "WHERE table_name = ? ORDER BY line_number, column_name",
        [table],
    )


# --- a good load -------------------------------------------------------------------------------


def test_good_file_loads_typed_with_every_contract_column(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    result = load_table(con, "ssd_contacts", extracts)

    assert isinstance(result, LoadResult)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        3,
        3,
        0,
    )
    assert len(result.sha256) == 64
    columns = rows(con, "DESCRIBE raw.ssd_contacts")
    assert [(c[0], c[1]) for c in columns] == [
        ("cont_contact_id", "VARCHAR"),
        ("cont_person_id", "VARCHAR"),
        ("cont_contact_date", "DATE"),
        ("cont_contact_source_code", "VARCHAR"),
        ("cont_contact_source_desc", "VARCHAR"),  # optional, absent from the file: NULL
        ("cont_contact_outcome_json", "VARCHAR"),
        ("_source_line", "INTEGER"),
    ]
    assert rows(
        con,
        "SELECT cont_contact_id, cont_contact_date, cont_contact_source_code, _source_line "
        "FROM raw.ssd_contacts ORDER BY _source_line",
    ) == [
        ("C1", dt.date(2014, 8, 1), "1A", 2),
        ("C2", dt.date(2014, 8, 2), "2B", 3),
        ("C3", dt.date(2014, 8, 3), None, 4),
    ]
    log = rows(
        con,
        "SELECT table_name, file_name, file_sha256, rows_read, rows_loaded, rows_quarantined, "
        "status, started_at <= finished_at FROM raw.load_log",
    )
    assert log == [
        ("ssd_contacts", "ssd_contacts.csv", result.sha256, 3, 3, 0, "loaded", True),
    ]


def test_ensure_meta_tables_is_idempotent(con):
    ensure_meta_tables(con)
    ensure_meta_tables(con)
    tables = rows(
        con, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY 1"
    )
    assert tables == [("extra_columns",), ("load_log",), ("quarantine",)]


def test_header_only_file_loads_no_rows_into_a_table_that_never_had_any(con, extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS])
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 0, 0)
    assert rows(con, "SELECT count(*) FROM raw.ssd_contacts") == [(0,)]


def test_header_only_file_does_not_empty_a_loaded_table(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    load_table(con, "ssd_contacts", extracts)
    before = snapshot(con)
    write(extracts, "ssd_contacts.csv", [CONTACTS])
    with pytest.raises(ExtractRefused, match="0 rows would replace the 3 rows"):
        load_table(con, "ssd_contacts", extracts)
    assert snapshot(con) == before
    # deliberately accepted, it loads
    accepted = ReadRules(accept_shrink=("ssd_contacts",))
    result = load_table(con, "ssd_contacts", extracts, rules=accepted)
    assert (result.status, result.rows_loaded) == ("loaded", 0)
    assert rows(con, "SELECT count(*) FROM raw.ssd_contacts") == [(0,)]


# --- file-level faults -------------------------------------------------------------------------

FILE_FAULTS = {
    "missing required column": (
        ["cont_contact_id,cont_person_id,cont_contact_source_code", "C9,P9,1A"],
        [
            "ssd_contacts.csv",
            "required column 'cont_contact_date' is missing",
            "expected columns: cont_contact_id, cont_person_id, cont_contact_date",
        ],
    ),
    "empty file": (b"", ["ssd_contacts.csv", "empty (0 bytes)", "expected at least a header"]),
    "semicolons": (
        [CONTACTS.replace(",", ";"), "C9;P9;2014-08-01;1A"],
        ["ssd_contacts.csv", "single column separated by semicolons", "expected comma-separated"],
    ),
    "tabs": (
        [CONTACTS.replace(",", "\t"), "C9\tP9\t2014-08-01\t1A"],
        ["ssd_contacts.csv", "separated by tabs", "expected comma-separated"],
    ),
    # 0x81 is not valid UTF-8 and is one of the five bytes Windows-1252 leaves undefined
    "undecodable bytes": (
        (CONTACTS + "\nC9,P9,2014-08-01,1A\nC10,P\x81,2014-08-01,1A\n").encode("latin-1"),
        ["ssd_contacts.csv", "byte 0x81 on line 3", "expected a UTF-8"],
    ),
    "duplicate header names": (
        [CONTACTS + ",CONT_PERSON_ID", "C9,P9,2014-08-01,1A,P9"],
        ["ssd_contacts.csv", "duplicate column 'cont_person_id'", "columns 2 and 5"],
    ),
    "row with too many fields": (
        [CONTACTS, "C9,P9,2014-08-01,1A", "C10,P10,2014-08-01,1A,extra"],
        ["ssd_contacts.csv", "could not be read as comma-separated values", "4 columns"],
    ),
    "unterminated quote": (
        [CONTACTS, 'C9,P9,2014-08-01,"1A', "C10,P10,2014-08-01,1A"],
        ["ssd_contacts.csv", "could not be read as comma-separated values"],
    ),
    "blank first line": (
        ["", CONTACTS, "C9,P9,2014-08-01,1A"],
        ["ssd_contacts.csv", "first line is blank", "expected a header line"],
    ),
    "UTF-16": (
        ("\n".join([CONTACTS, "C9,P9,2014-08-01,1A"]) + "\n").encode("utf-16"),
        ["ssd_contacts.csv", "UTF-16", "expected UTF-8"],
    ),
}


@pytest.mark.parametrize("fault", FILE_FAULTS)
def test_file_fault_raises_logs_and_keeps_previous_data(con, extracts, fault):
    bad_file, expected_words = FILE_FAULTS[fault]
    # a good load first, with a quarantined row and an extra column so that all three
    # tables the swap touches have something to lose
    good_rows = [row + ",n" for row in GOOD_CONTACTS[1:]]
    write(extracts, "ssd_contacts.csv", [CONTACTS + ",note", *good_rows, "C1,P7,x,,n"])
    load_table(con, "ssd_contacts", extracts)
    before = snapshot(con)
    assert before[1] and before[2]

    write(extracts, "ssd_contacts.csv", bad_file)
    with pytest.raises(ExtractFileError) as caught:
        load_table(con, "ssd_contacts", extracts)

    message = str(caught.value)
    assert message.startswith("ssd_contacts.csv: ")
    for words in expected_words:
        assert words in message
    assert snapshot(con) == before
    last = rows(con, "SELECT status, message FROM raw.load_log ORDER BY finished_at DESC LIMIT 1")
    assert last == [("failed", message)]
    # nothing left behind in the connection's temporary schema
    assert rows(con, "SELECT count(*) FROM duckdb_tables() WHERE temporary") == [(0,)]


def test_missing_required_column_error_names_the_column(con, extracts):
    write(extracts, "ssd_contacts.csv", ["cont_contact_id,cont_person_id", "C1,P1"])
    with pytest.raises(ExtractFileError) as caught:
        load_table(con, "ssd_contacts", extracts)
    assert caught.value.file_name == "ssd_contacts.csv"
    assert caught.value.column == "cont_contact_date"


def test_misspelt_required_column_gets_a_hint(con, extracts):
    header = CONTACTS.replace("cont_contact_date", "cont_contact_dte")
    write(extracts, "ssd_contacts.csv", [header, "C1,P1,2014-08-01,1A"])
    with pytest.raises(ExtractFileError, match="'cont_contact_dte' looks like 'cont_contact_date'"):
        load_table(con, "ssd_contacts", extracts)


def test_missing_file_fails_with_a_failed_log_row(con, extracts):
    with pytest.raises(ExtractFileError, match=r"^ssd_person\.csv: file not found"):
        load_table(con, "ssd_person", extracts)
    assert rows(con, "SELECT table_name, file_sha256, status FROM raw.load_log") == [
        ("ssd_person", None, "failed")
    ]


def test_failure_during_the_swap_rolls_everything_back(con, extracts, monkeypatch):
    write(extracts, "ssd_contacts.csv", [*GOOD_CONTACTS, "C1,P7,2014-08-09,"])
    load_table(con, "ssd_contacts", extracts)
    before = snapshot(con)

    real_write_log = load_module._write_log

    def fail_on_success(con, table_name, file_name, sha256, counts, status, *args):
        if status == "loaded":
            raise RuntimeError("disk full")
        return real_write_log(con, table_name, file_name, sha256, counts, status, *args)

    monkeypatch.setattr(load_module, "_write_log", fail_on_success)
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C8,P8,2014-09-01,1A"])
    accept = ReadRules(accept_shrink=("ssd_contacts",))  # 1 row after 4: a deliberate shrink
    with pytest.raises(RuntimeError, match="disk full"):
        load_table(con, "ssd_contacts", extracts, rules=accept)

    assert snapshot(con) == before
    last = rows(con, "SELECT status, message FROM raw.load_log ORDER BY finished_at DESC LIMIT 1")
    assert last[0][0] == "failed" and "disk full" in last[0][1]


# --- row-level faults --------------------------------------------------------------------------


def test_unparseable_date_is_quarantined_with_its_line(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, "C1,P1,2014-08-01,1A", "C2,P2,2014-02-30,1A", "C3,P3,yesterday,1A"],
    )
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 1, 2)
    faults = quarantine(con)
    assert [f[:3] for f in faults] == [
        (3, "cont_contact_date", "2014-02-30"),
        (4, "cont_contact_date", "yesterday"),
    ]
    assert "'2014-02-30' is not a date (expected YYYY-MM-DD" in faults[0][3]
    assert rows(con, "SELECT cont_contact_id FROM raw.ssd_contacts") == [("C1",)]


def test_duplicate_key_keeps_the_first_and_names_its_line(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, "C1,P1,2014-08-01,1A", "C2,P2,2014-08-02,1A", "C1,P3,2014-08-03,1A",
         " C1 ,P4,2014-08-04,1A"],
    )  # fmt: skip
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    assert quarantine(con) == [
        (
            4,
            "cont_contact_id",
            "C1",
            "duplicate cont_contact_id 'C1': the record on line 2 is kept",
        ),
        (
            5,
            "cont_contact_id",
            "C1",
            "duplicate cont_contact_id 'C1': the record on line 2 is kept",
        ),
    ]
    assert rows(
        con, "SELECT cont_person_id FROM raw.ssd_contacts WHERE cont_contact_id = 'C1'"
    ) == [("P1",)]


def test_blank_value_in_a_column_that_must_have_one(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [CONTACTS, "C1,,2014-08-01,1A", "C2,P2,   ,1A", ",P3,2014-08-03,1A", "C4,P4,2014-08-04,"],
    )
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 3)
    assert quarantine(con) == [
        (2, "cont_person_id", None, "blank, but cont_person_id must have a value"),
        (3, "cont_contact_date", None, "blank, but cont_contact_date must have a value"),
        (4, "cont_contact_id", None, "blank, but cont_contact_id must have a value"),
    ]


def test_invalid_flag_is_quarantined(con, extracts):
    header = "cppv_cp_visit_id,cppv_person_id,cppv_cp_plan_id,cppv_cp_visit_date,cppv_cp_visit_seen"
    write(
        extracts,
        "ssd_cp_visits.csv",
        [header, "V1,P1,CP1,2014-08-01,Y", "V2,P1,CP1,2014-08-02,maybe", "V3,P1,,2014-08-03,"],
    )
    result = load_table(con, "ssd_cp_visits", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    [(line, column, value, reason)] = quarantine(con, "ssd_cp_visits")
    assert (line, column, value) == (3, "cppv_cp_visit_seen", "maybe")
    assert "'maybe' is not a Y/N flag" in reason
    assert rows(con, "SELECT cppv_cp_visit_seen FROM raw.ssd_cp_visits ORDER BY 1") == [
        (True,),
        (None,),
    ]


def test_code_outside_its_code_set_is_quarantined(con, extracts):
    header = (
        "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,"
        "cina_assessment_auth_date,cina_assessment_type"
    )
    write(
        extracts,
        "ssd_cin_assessments.csv",
        [
            header,
            "A1,P1,R1,2014-08-01,2014-08-05,Initial",
            "A2,P1,R1,2014-08-01,,CORE",
            "A3,P1,R1,2014-08-01,,",
            "A4,P1,R1,2014-08-01,,child and family",
        ],
    )
    result = load_table(con, "ssd_cin_assessments", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    [(line, column, value, reason)] = quarantine(con, "ssd_cin_assessments")
    assert (line, column, value) == (5, "cina_assessment_type", "child and family")
    assert "expected one of initial, core, single" in reason
    # the value is kept as written; staging decides how to present it
    assert rows(con, "SELECT cina_assessment_type FROM raw.ssd_cin_assessments ORDER BY 1") == [
        ("CORE",),
        ("Initial",),
        (None,),
    ]


def test_number_that_is_not_a_number_is_quarantined(con, extracts):
    header = (
        "clap_cla_placement_id,clap_cla_placement_start_date,clap_cla_placement_distance,"
        "clap_cla_id,clap_cla_placement_end_date,clap_person_id"
    )
    write(
        extracts,
        "ssd_cla_placement.csv",
        [header, "PL1,2014-08-01,12.5,CLA1,,P1", "PL2,2014-08-01,far,CLA1,,P1"],
    )
    result = load_table(con, "ssd_cla_placement", extracts)
    assert result.rows_quarantined == 1
    assert quarantine(con, "ssd_cla_placement")[0][:3] == (3, "clap_cla_placement_distance", "far")
    assert rows(con, "SELECT clap_cla_placement_distance FROM raw.ssd_cla_placement") == [(12.5,)]


def test_a_row_with_several_faults_is_counted_once(con, extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,,not a date,1A", "C2,P2,2014-08-01,1A"])
    result = load_table(con, "ssd_contacts", extracts)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert [q[:2] for q in quarantine(con)] == [(2, "cont_contact_date"), (2, "cont_person_id")]


def test_quarantine_is_replaced_not_accumulated(con, extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,bad,1A"])
    load_table(con, "ssd_contacts", extracts)
    assert len(quarantine(con)) == 1
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    load_table(con, "ssd_contacts", extracts)
    assert quarantine(con) == []


def test_quarantine_rows_carry_file_and_fingerprint(con, extracts):
    write(extracts, "ssd_contacts.csv", [CONTACTS, "C1,P1,bad,1A"])
    result = load_table(con, "ssd_contacts", extracts)
    [(file_name, sha256, at)] = rows(
        con, "SELECT file_name, file_sha256, quarantined_at FROM raw.quarantine"
    )
    assert (file_name, sha256) == ("ssd_contacts.csv", result.sha256)
    assert isinstance(at, dt.datetime)


# --- extra columns -----------------------------------------------------------------------------


def test_extra_columns_are_reported_and_kept_aside(con, extracts):
    write(
        extracts,
        "ssd_contacts.csv",
        [
            CONTACTS + ",Worker Name,legacy_flag",
            "C1,P1,2014-08-01,1A,Ann,",
            "C2,P2,2014-08-02,,  ,",
        ],
    )
    result = load_table(con, "ssd_contacts", extracts)
    assert result.status == "loaded"
    assert result.extra_columns == {"worker name": 1, "legacy_flag": 0}
    assert "worker name, legacy_flag" in result.message
    assert rows(
        con, "SELECT table_name, file_name, column_name, non_blank_values FROM raw.extra_columns"
    ) == [
        ("ssd_contacts", "ssd_contacts.csv", "worker name", 1),
        ("ssd_contacts", "ssd_contacts.csv", "legacy_flag", 0),
    ]
    names = [c[0] for c in rows(con, "DESCRIBE raw.ssd_contacts")]
    assert "worker name" not in names and "legacy_flag" not in names


# --- reruns ------------------------------------------------------------------------------------


def test_unchanged_file_is_skipped_and_force_reloads(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    first = load_table(con, "ssd_contacts", extracts)

    again = load_table(con, "ssd_contacts", extracts)
    assert again.status == "unchanged"
    assert (again.sha256, again.rows_read, again.rows_loaded) == (first.sha256, 3, 3)
    assert "unchanged since the load of" in again.message

    forced = load_table(con, "ssd_contacts", extracts, force=True)
    assert forced.status == "loaded"

    write(extracts, "ssd_contacts.csv", [*GOOD_CONTACTS, "C4,P4,2014-08-04,1A"])
    changed = load_table(con, "ssd_contacts", extracts)
    assert (changed.status, changed.rows_loaded) == ("loaded", 4)
    statuses = rows(con, "SELECT status FROM raw.load_log ORDER BY finished_at")
    assert statuses == [("loaded",), ("unchanged",), ("loaded",), ("loaded",)]


def test_unchanged_file_is_reloaded_when_the_table_is_gone(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    load_table(con, "ssd_contacts", extracts)
    con.execute("DROP TABLE raw.ssd_contacts")
    assert load_table(con, "ssd_contacts", extracts).status == "loaded"


def test_unchanged_compares_with_the_last_successful_load(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    load_table(con, "ssd_contacts", extracts)
    write(extracts, "ssd_contacts.csv", b"")
    with pytest.raises(ExtractFileError):
        load_table(con, "ssd_contacts", extracts)
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    assert load_table(con, "ssd_contacts", extracts).status == "unchanged"


# --- several tables ----------------------------------------------------------------------------


def test_load_extracts_collects_file_failures(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    write(extracts, "ssd_person.csv", ["pers_person_id;pers_dob", "P1;2001-01-01"])
    results = load_extracts(con, extracts)
    # every table of the contract: 13 required files, 10 optional (statutory returns only)
    assert len(results) == 23
    by_table = {r.table_name: r for r in results}
    assert by_table["ssd_contacts"].status == "loaded"
    assert by_table["ssd_person"].status == "failed"
    assert "semicolons" in by_table["ssd_person"].message
    assert len(by_table["ssd_person"].sha256) == 64
    assert by_table["ssd_cla_reviews"].status == "failed"
    assert "file not found" in by_table["ssd_cla_reviews"].message
    # a missing optional file is not a failure: it is noted, and its raw table made empty
    assert by_table["ssd_permanence"].status == "absent"
    assert by_table["ssd_permanence"].sha256 is None
    assert "optional file not in the extract" in by_table["ssd_permanence"].message
    assert rows(con, "SELECT count(*) FROM raw.ssd_permanence") == [(0,)]
    # failed: ssd_person and the 11 other required files that are not there
    assert rows(con, "SELECT status, count(*) FROM raw.load_log GROUP BY 1 ORDER BY 1") == [
        ("absent", 10),
        ("failed", 12),
        ("loaded", 1),
    ]
    absent = {r.table_name for r in results if r.status == "absent"}
    assert absent == {t.name for t in load_contract().tables if not t.required}


def test_load_extracts_selected_tables_and_unknown_names(con, extracts):
    write(extracts, "ssd_contacts.csv", GOOD_CONTACTS)
    [result] = load_extracts(con, extracts, tables=["ssd_contacts"])
    assert result.status == "loaded"
    assert [r.status for r in load_extracts(con, extracts, tables=["ssd_contacts"])] == [
        "unchanged"
    ]
    assert [r.status for r in load_extracts(con, extracts, ["ssd_contacts"], force=True)] == [
        "loaded"
    ]
    with pytest.raises(KeyError, match="ssd_contact"):
        load_extracts(con, extracts, tables=["ssd_contact"])


def test_caller_setting_preserve_insertion_order_is_respected(con, extracts):
    con.execute("SET preserve_insertion_order = false")
    write(
        extracts, "ssd_contacts.csv", [CONTACTS, *(f"C{i},P{i},2014-08-01,1A" for i in range(500))]
    )
    load_table(con, "ssd_contacts", extracts)
    lines = rows(con, "SELECT cont_contact_id, _source_line FROM raw.ssd_contacts")
    assert all(line == int(cid[1:]) + 2 for cid, line in lines)
    assert rows(con, "SELECT current_setting('preserve_insertion_order')") == [(False,)]
