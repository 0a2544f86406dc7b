"""CIN census: the year's XML message, built from the returns models and checked before writing.

lxml builds the tree and checks it against ``cin_census.xsd`` (the project's structural schema:
names, order, nesting, cardinality, date types) before a byte is written; a message that fails
is never written, and the error names the element and line. Codes and cross-field rules are
the DfE rule engine's job (pipelines/returns/validation.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
from lxml import etree

from pipelines.returns.files import write_private

SCHEMA_PATH = Path(__file__).with_name("cin_census.xsd")
SOFTWARE = "boardpack"


class CensusStructureError(ValueError):
    """The message does not match the CIN census structure; nothing was written."""


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def file_name(year: str) -> str:
    return f"CIN_Census_{year}.xml"


def _rows(con, model: str, year: str, order: str) -> list[dict]:
    cursor = con.execute(
        f"SELECT * FROM returns.{model} WHERE collection_year = ? ORDER BY {order}", [year]
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _add(parent, tag: str, value) -> None:
    if value is not None and str(value) != "":
        etree.SubElement(parent, tag).text = str(value)


def build_message(
    con: duckdb.DuckDBPyConnection, year: str, census_year: str, la_number: str
) -> etree._Element:
    by_child = defaultdict(list)
    for row in _rows(con, "cin_census_cin_details", year, '"LAchildID", "CINreferralDate"'):
        by_child[row["LAchildID"]].append(row)
    disabilities = defaultdict(list)
    for row in _rows(con, "cin_census_disabilities", year, '"LAchildID", "Disability"'):
        disabilities[row["LAchildID"]].append(row["Disability"])
    per_referral = {}
    for block, model, order in (
        ("assessments", "cin_census_assessments", '"AssessmentActualStartDate", assessment_id'),
        ("plans", "cin_census_plan_dates", '"CINPlanStartDate"'),
        ("s47", "cin_census_section47", '"S47ActualStartDate"'),
        ("cpp", "cin_census_cp_plans", '"CPPstartDate", cp_plan_id'),
    ):
        grouped = defaultdict(list)
        for row in _rows(con, model, year, order):
            grouped[row["referral_id"]].append(row)
        per_referral[block] = grouped
    factors = defaultdict(list)
    for row in _rows(con, "cin_census_assessment_factors", year, '"AssessmentFactors"'):
        factors[row["assessment_id"]].append(row["AssessmentFactors"])
    reviews = defaultdict(list)
    for row in _rows(con, "cin_census_cp_reviews", year, '"CPPreviewDate"'):
        reviews[row["cp_plan_id"]].append(row["CPPreviewDate"])

    message = etree.Element("Message")
    header = etree.SubElement(message, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", census_year)
    _add(details, "ReferenceDate", f"{census_year}-03-31")
    source = etree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", la_number)
    _add(source, "SoftwareCode", SOFTWARE)
    _add(source, "Release", "1")
    _add(source, "SerialNo", "1")
    _add(source, "DateTime", datetime.now().replace(microsecond=0).isoformat())
    children = etree.SubElement(message, "Children")
    for child in _rows(con, "cin_census_children", year, '"LAchildID"'):
        node = etree.SubElement(children, "Child")
        ids = etree.SubElement(node, "ChildIdentifiers")
        for tag in (
            "LAchildID",
            "UPN",
            "UPNunknown",
            "PersonBirthDate",
            "ExpectedPersonBirthDate",
            "Sex",
            "PersonDeathDate",
        ):
            _add(ids, tag, child[tag])
        characteristics = etree.SubElement(node, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", child["Ethnicity"])
        block = etree.SubElement(characteristics, "Disabilities")
        for code in disabilities.get(child["LAchildID"], ["NONE"]):
            _add(block, "Disability", code)
        for episode in by_child[child["LAchildID"]]:
            _episode(node, episode, per_referral, factors, reviews)
    return message


def _episode(node, episode: dict, per_referral: dict, factors: dict, reviews: dict) -> None:
    referral = episode["referral_id"]
    cin = etree.SubElement(node, "CINdetails")
    for tag in (
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
    ):
        _add(cin, tag, episode[tag])
    for assessment in per_referral["assessments"].get(referral, []):
        block = etree.SubElement(cin, "Assessments")
        _add(block, "AssessmentActualStartDate", assessment["AssessmentActualStartDate"])
        _add(block, "AssessmentAuthorisationDate", assessment["AssessmentAuthorisationDate"])
        codes = factors.get(assessment["assessment_id"])
        if codes:
            listed = etree.SubElement(block, "FactorsIdentifiedAtAssessment")
            for code in codes:
                _add(listed, "AssessmentFactors", code)
    for plan in per_referral["plans"].get(referral, []):
        block = etree.SubElement(cin, "CINPlanDates")
        _add(block, "CINPlanStartDate", plan["CINPlanStartDate"])
        _add(block, "CINPlanEndDate", plan["CINPlanEndDate"])
    for s47 in per_referral["s47"].get(referral, []):
        block = etree.SubElement(cin, "Section47")
        for tag in (
            "S47ActualStartDate",
            "InitialCPCtarget",
            "DateOfInitialCPC",
            "ICPCnotRequired",
        ):
            _add(block, tag, s47[tag])
    _add(cin, "ReferralNFA", episode["ReferralNFA"])
    for plan in per_referral["cpp"].get(referral, []):
        block = etree.SubElement(cin, "ChildProtectionPlans")
        for tag in (
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse",
            "NumberOfPreviousCPP",
        ):
            _add(block, tag, plan[tag])
        dates = reviews.get(plan["cp_plan_id"])
        if dates:
            held = etree.SubElement(block, "Reviews")
            for date in dates:
                _add(held, "CPPreviewDate", date)


def check_structure(message: etree._Element) -> bytes:
    """The message as UTF-8 bytes once it parses back and matches the schema; raises
    CensusStructureError naming the first element and line that does not."""
    data = etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    parsed = etree.fromstring(data)  # well-formed: what was built reads back
    schema = _schema()
    if not schema.validate(parsed):
        error = schema.error_log.last_error
        raise CensusStructureError(
            f"CIN census XML does not match the census structure: line {error.line}: "
            f"{error.message}"
        )
    return data


def write_cin_census(
    con: duckdb.DuckDBPyConnection, year: str, census_year: str, la_number: str, folder: Path
) -> tuple[Path, int]:
    message = build_message(con, year, census_year, la_number)
    data = check_structure(message)
    path = write_private(folder / file_name(year), data)
    return path, len(message.find("Children"))
