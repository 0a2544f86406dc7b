"""The extract contract: derived faithfully from the SSD reference, with the decisions the
indicators rely on, and documented by a generated docs/extracts.md."""

import csv
from pathlib import Path

import pytest

from pipelines.contract import DUCKDB_TYPES, get_table, load_contract
from pipelines.contract.docs import DOCS_PATH, main, render_extracts_md

# The SSD specification's tables and columns, as the contract started from (see its README):
# the 13 tables the indicators read, with types, keys and descriptions.
SSD_REFERENCE = Path(__file__).resolve().parent / "reference" / "ssd-tables.csv"
# Every SSD table and field, by name only (no types), with the returns that use it: what the
# optional tables the statutory returns read were taken from.
SSD_ALL_FIELDS = Path(__file__).resolve().parent / "reference" / "ssd-all-fields.csv"
OPTIONAL_TABLES = {
    "ssd_legal_status",
    "ssd_cin_plans",
    "ssd_disability",
    "ssd_mother",
    "ssd_missing",
    "ssd_immigration_status",
    "ssd_address",
    "ssd_assessment_factors",
    "ssd_cla_previous_permanence",
    "ssd_permanence",
}

FLAGS = {
    "cine_referral_nfa",
    "cina_assessment_child_seen",
    "cina_assessment_outcome_nfa",
    "s47e_s47_nfa",
    "icpc_icpc_transfer_in",
    "icpc_icpc_outcome_cp_flag",
    "cppl_cp_plan_ola",
    "cppv_cp_visit_seen",
    "cppv_cp_visit_seen_alone",
    "cppv_cp_visit_bedroom",
    "cppr_cp_review_outcome_continue_cp",
    "cppr_cp_review_quorate",
    "clar_cla_review_cancelled",
    "pers_is_mother",
    # SSD nchar(1) Y/N; the SSDA903 AD1 field it feeds (FOSTER_CARE) is a yes/no too
    "perm_adopted_by_carer_flag",
}
INDICATOR_COLUMNS = {
    "pers_dob",
    "cont_contact_date",
    "cine_referral_date",
    "cina_referral_id",
    "cina_assessment_start_date",
    "cina_assessment_auth_date",
    "s47e_s47_start_date",
    "icpc_s47_enquiry_id",
    "icpc_icpc_transfer_in",
    "icpc_icpc_date",
    "cppl_cp_plan_start_date",
    "cppl_cp_plan_end_date",
    "cppv_cp_plan_id",
    "cppv_cp_visit_date",
    "cppv_cp_visit_seen",
    "cppr_cp_plan_id",
    "cppr_cp_review_date",
    "clae_cla_id",
    "clae_cla_episode_start_date",
    "clae_cla_episode_ceased_date",
    "clap_cla_id",
    "clap_cla_placement_start_date",
    "clap_cla_placement_end_date",
    "clar_cla_id",
    "clar_cla_review_date",
    "earl_episode_start_date",
    "earl_episode_end_date",
    "earl_episode_reason",
    "earl_episode_end_reason",
}
EVENT_DATES = {
    "cont_contact_date",
    "cine_referral_date",
    "s47e_s47_start_date",
    "cppl_cp_plan_start_date",
    "cppv_cp_visit_date",
    "clae_cla_episode_start_date",
    "clap_cla_placement_start_date",
    "earl_episode_start_date",
}


def all_columns():
    return [c for t in load_contract().values() for c in t.columns]


def test_thirteen_required_and_ten_optional_tables_and_helpers():
    contract = load_contract()
    assert len(contract) == 23
    required = {t.name for t in contract.required_tables}
    assert len(required) == 13
    assert set(contract) - required == OPTIONAL_TABLES
    for name in OPTIONAL_TABLES:
        assert contract[name].purpose, name  # says which return needs it
    assert get_table("ssd_mother").purpose == "SSDA903 Header (MC_DOB)"
    assert contract["ssd_contacts"].required and not contract["ssd_permanence"].required
    contacts = get_table("ssd_contacts")
    assert contacts.file_name == "ssd_contacts.csv"
    assert contacts.primary_key == ("cont_contact_id",)
    assert contacts.required_columns == ("cont_contact_id", "cont_person_id", "cont_contact_date")
    assert contacts.column("cont_contact_date").duckdb_type == "DATE"
    assert load_contract() is contract  # cached
    assert [t.name for t in contract.tables] == list(contract)


def test_unknown_table_is_a_clear_error():
    with pytest.raises(KeyError, match="not a table of the extract contract"):
        get_table("ssd_contact")


def test_matches_the_ssd_reference():
    with open(SSD_REFERENCE, newline="", encoding="utf-8") as f:
        reference = {(r["table"], r["column"]): r for r in csv.DictReader(f)}
    # The detailed reference covers only the 13 tables the indicators read: it has no row for
    # the 10 optional tables, so those are checked against the SSD's field list below.
    assert {table for table, _ in reference} == {t.name for t in load_contract().required_tables}
    ours = {(c.table, c.name): c for c in all_columns() if c.table not in OPTIONAL_TABLES}
    assert set(reference) <= set(ours)
    # columns added since the reference was taken may only be local extensions (pers_upn)
    added = set(ours) - set(reference)
    assert {key for key in added if not ours[key].is_local_extension} == set()
    assert added == {("ssd_person", "pers_upn")}
    for key in reference:
        column = ours[key]
        ref = reference[key]
        assert column.ssd_type == ref["type"], key
        assert column.origin == ref["origin"], key
        assert column.primary_key == (ref["primary_key"] == "yes"), key
        if ref["description"]:
            assert column.description == ref["description"], key
        if ref["required"] == "yes":
            assert column.required, key


def test_optional_tables_are_ssd_fields():
    with open(SSD_ALL_FIELDS, newline="", encoding="utf-8") as f:
        ssd_fields = {(r["table"], r["column"]) for r in csv.DictReader(f)}
    optional = [c for c in all_columns() if c.table in OPTIONAL_TABLES]
    assert {c.table for c in optional} == OPTIONAL_TABLES
    for column in optional:
        # every column of these tables is an SSD field of that table, under the SSD's name
        assert column.origin == "ssd", column.name
        assert (column.table, column.name) in ssd_fields, column.name
    # and every column the contract calls SSD is one (a local field must say it is local)
    for column in all_columns():
        if column.origin == "ssd":
            assert (column.table, column.name) in ssd_fields, column.name


def test_logical_types():
    for column in all_columns():
        assert column.logical_type in DUCKDB_TYPES
        if column.ssd_type == "datetime":
            assert column.logical_type == "date", column.name
        elif column.ssd_type == "float":
            assert column.logical_type == "number", column.name
        elif column.name in FLAGS:
            assert column.logical_type == "flag", column.name
        else:
            assert column.logical_type in ("id", "text"), column.name
    flags = {c.name for c in all_columns() if c.logical_type == "flag"}
    assert flags == FLAGS
    assert get_table("ssd_cp_reviews").column("cppr_cp_review_participation").logical_type == "text"
    assert get_table("ssd_person").column("pers_person_id").logical_type == "id"


def test_required_columns():
    columns = all_columns()
    required = {c.name for c in columns if c.required}
    assert required >= INDICATOR_COLUMNS
    for column in columns:
        # the person a record is about: <table prefix>_person_id (ssd_mother's second person
        # column, moth_childs_person_id, is the mother's baby, often not a person on the
        # authority's system: the SSDA903 needs only the baby's date of birth, MC_DOB)
        prefix = column.name.split("_")[0]
        if column.primary_key or (column.name == f"{prefix}_person_id" and column.origin == "ssd"):
            assert column.required and not column.nullable, column.name
        if column.is_local_extension:
            assert not column.required, column.name
    assert {"cppr_person_id", "clap_person_id"} <= required
    assert {"moth_person_id", "perm_person_id", "cinf_assessment_id"} <= required
    mothers_baby = get_table("ssd_mother").column("moth_childs_person_id")
    assert not mothers_baby.required and mothers_baby.nullable


def test_blank_allowed():
    for column in all_columns():
        if column.name in EVENT_DATES:
            assert not column.nullable, column.name
        if not column.required:
            # an optional column may be absent, which loads as blank
            assert column.nullable, column.name
    for end_date in ("cppl_cp_plan_end_date", "clap_cla_placement_end_date", "pers_dob"):
        assert next(c for c in all_columns() if c.name == end_date).nullable


def test_codes_and_references():
    assessment_type = get_table("ssd_cin_assessments").column("cina_assessment_type")
    assert assessment_type.codes == ("initial", "core", "single")
    contract = load_contract()
    outside = {"ssd_professionals", "ssd_department"}  # not among the 13 extracts
    for column in all_columns():
        if column.references:
            table, target = column.references.split(".")
            if table not in outside:
                assert target in contract[table].column_names, column.name
        if column.codes:
            assert column.logical_type == "text", column.name


def test_docs_are_generated_from_the_contract():
    assert DOCS_PATH.read_text(encoding="utf-8") == render_extracts_md(), (
        "docs/extracts.md is out of date: run python -m pipelines.contract.docs"
    )
    assert main(["--check"]) == 0


def test_docs_list_every_table_and_column():
    text = render_extracts_md()
    for table in load_contract().values():
        assert f"### {table.name}" in text
        for column in table.column_names:
            assert f"`{column}`" in text
    assert "`initial`, `core`, `single`" in text


def test_docs_check_fails_when_out_of_date(tmp_path, capsys):
    stale = tmp_path / "extracts.md"
    stale.write_text("old", encoding="utf-8")
    assert main(["--check", "--output", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == render_extracts_md()
