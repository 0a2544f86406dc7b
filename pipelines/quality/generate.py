"""Write the starting suites in expectations/ from the extract contract and specs.py.

Three suites per table: the records as at the end of the reporting month on their own
(<table>.json) and against other tables (<table>_cross_table.json), both on the dbt view
quality.dq_<table>; and the file as loaded (<table>_as_loaded.json).

    python -m pipelines.quality.generate            # writes only the suites that are missing
    python -m pipelines.quality.generate --force    # rewrites every suite (loses hand edits)

The JSON files are the source of truth at run time: the performance team edits them (see
expectations/README.md). This script only gives a new table, or a new contract rule, a
starting point, and the tests check that every contract rule still has its expectation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipelines.contract import ContractTable, load_contract
from pipelines.quality.specs import (
    DATE_PAIRS,
    EARLIEST_PLAUSIBLE_DATE,
    EVENT_DATES,
    MAY_BE_FUTURE,
    TABLE_LABELS,
)
from pipelines.settings import EXPECTATIONS_DIR

ERROR, WARNING = "error", "warning"

# indicators.md: unended placements inflate the count of children looked after, which is not
# computed from the placements table, so their caveat names it beside the placement indicators.
UNENDED_PLACEMENT_INDICATORS = ["cla_children", "cla_stability_long", "cla_stability_short"]

# Records a timeliness indicator leaves out because they cannot be timed (indicators.md
# "Untimed records"; the int_*_timed models): table -> (what, what it is timed from).
UNTIMED = {
    "ssd_cin_assessments": (
        "authorised assessment",
        "its referral (initial and single assessments) or its start (core assessments)",
    ),
    "ssd_initial_cp_conference": ("initial conference", "the section 47 enquiry that led to it"),
    "ssd_cp_reviews": ("review conference", "its child protection plan's start"),
    "ssd_cla_reviews": ("looked after review", "the start of its period of care"),
}


def _exp(kind_of: str, kwargs: dict, *, name: str, severity: str, kind: str, problem: str,
         indicators: list[str] | None = None) -> dict:  # fmt: skip
    meta = {"name": name, "severity": severity, "kind": kind, "problem": problem}
    if indicators is not None:
        meta["indicators"] = indicators
    return {"type": kind_of, "kwargs": kwargs, "meta": meta}


def _label(t: ContractTable, column: str) -> str:
    """The contract's description with the SSD name, e.g. "Date of Contact (cont_contact_date)"."""
    description = t.column(column).description
    if not description or description.lower().startswith("local extension"):
        return column
    return f"{description} ({column})"


def _flag(flag: str, **meta) -> dict:
    return _exp("expect_column_values_to_be_in_set", {"column": flag, "value_set": [False]}, **meta)


def _table_expectations(t: ContractTable) -> list[dict]:
    key = t.primary_key[0]
    out = [
        _exp(
            "expect_column_values_to_not_be_null",
            {"column": key},
            name="key_present",
            severity=ERROR,
            kind="missing_key",
            problem=f"record has no {_label(t, key)}",
        ),
        _exp(
            "expect_column_values_to_be_unique",
            {"column": key},
            name="key_unique",
            severity=ERROR,
            kind="duplicate_key_after_load",
            problem=f"{_label(t, key)} is not unique after loading",
        ),
        _flag(
            "flag__duplicate_key_quarantined",
            name="duplicate_key_in_extract",
            severity=WARNING,
            kind="duplicate_id",
            # the copies were quarantined, so the figures count the record once: no caveat
            indicators=[],
            problem=f"{_label(t, key)} appears more than once in the extract "
            "(the later copies were quarantined)",
        ),
    ]
    for c in t.columns:
        if not c.nullable and not c.primary_key:
            out.append(
                _exp(
                    "expect_column_values_to_not_be_null",
                    {"column": c.name},
                    name=f"{c.name}_present",
                    severity=ERROR,
                    kind="missing_value",
                    problem=f"record has no {_label(t, c.name)}",
                )
            )
        if c.codes:
            out.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    {"column": f"{c.name}__lower", "value_set": [v.lower() for v in c.codes]},
                    name=f"{c.name}_in_code_set",
                    severity=ERROR,
                    kind="code_not_in_code_set",
                    problem=f"{_label(t, c.name)} is not one of its codes ({', '.join(c.codes)})",
                )
            )
    for c in t.columns:
        if c.logical_type != "date":
            continue
        out.append(
            _exp(
                "expect_column_values_to_be_between",
                {"column": c.name, "min_value": EARLIEST_PLAUSIBLE_DATE},
                name=f"{c.name}_plausible",
                severity=WARNING,
                kind="implausible_date",
                problem=f"{_label(t, c.name)} is before {EARLIEST_PLAUSIBLE_DATE[:4]}",
            )
        )
    for start, end in DATE_PAIRS.get(t.name, []):
        out.append(
            _exp(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": end,
                    "column_B": start,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                name=f"{end}_not_before_start",
                severity=WARNING,
                kind="end_before_start",
                problem=f"{_label(t, end)} is before {_label(t, start)}",
            )
        )
    if t.name == "ssd_early_help_episodes":
        out.append(
            _flag(
                "flag__stale_early_help",
                name="stale_early_help",
                severity=WARNING,
                kind="stale_early_help",
                problem="early help episode open with no end date for longer than the stale "
                "period (ref_settings: early_help_stale_after_months)",
                indicators=[],
            )
        )
    return out


def _as_loaded_expectations(t: ContractTable) -> list[dict]:
    """The file as it was loaded: not empty, and no date after the extract was taken (such a
    record is a keying error; the checks as at a month end never see it)."""
    out = [
        _exp(
            "expect_table_row_count_to_be_between",
            {"min_value": 1},
            name="table_not_empty",
            severity=ERROR,
            kind="empty_table",
            problem=f"the {t.name} extract loaded no rows",
        )
    ]
    for c in t.columns:
        if c.logical_type == "date" and c.name not in MAY_BE_FUTURE:
            out.append(
                _exp(
                    "expect_column_values_to_be_between",
                    {"column": c.name, "max_value": {"$PARAMETER": "extract_date"}},
                    name=f"{c.name}_not_in_future",
                    severity=WARNING,
                    kind="future_date",
                    problem=f"{_label(t, c.name)} is after the date of the extract",
                )
            )
    return out


def _cross_table_expectations(t: ContractTable) -> list[dict]:
    contract = load_contract()
    out = []
    for c in t.columns:
        if not c.references or c.references.split(".")[0] not in contract:
            continue
        is_person = c.references == "ssd_person.pers_person_id"
        out.append(
            _flag(
                f"flag__{c.name}__unresolved",
                name=f"{c.name}_resolves",
                severity=WARNING,
                kind="missing_person" if is_person else "unresolved_reference",
                problem=f"the person ({c.name}) is not in the person extract"
                if is_person
                else f"{_label(t, c.name)} is not found in {c.references}",
            )
        )
    for column in EVENT_DATES.get(t.name, []):
        out.append(
            _flag(
                f"flag__{column}__before_birth",
                name=f"{column}_not_before_birth",
                severity=WARNING,
                kind="event_before_birth",
                problem=f"{_label(t, column)} is before the child's date of birth",
            )
        )
    named = {
        "ssd_cla_placement": [
            (
                "unended_placement_later_placement",
                "placement has no end date but the child has a later placement",
            ),
            (
                "unended_placement_episode_ended",
                "placement has no end date but the CLA episode that holds it has ended",
            ),
            (
                "unended_placement_aged_18",
                "placement has no end date but the young person is 18 or over",
            ),
        ],
        "ssd_cp_plans": [
            ("overlapping_cp_plan", "CP plan overlaps another CP plan for the same child")
        ],
        "ssd_cla_episodes": [
            ("overlapping_cla_episode", "CLA episode overlaps another episode for the same child")
        ],
        "ssd_cp_visits": [
            ("visit_outside_plan", "CP visit is not within any CP plan of the child")
        ],
    }
    if t.name in UNTIMED:
        what, timed_from = UNTIMED[t.name]
        out.append(
            _flag(
                "flag__untimed_no_start",
                name="untimed_no_start",
                severity=WARNING,
                kind="untimed_record",
                problem=f"{what} cannot be timed: {timed_from} is missing, not found or undated",
            )
        )
        out.append(
            _flag(
                "flag__untimed_starts_after",
                name="untimed_starts_after",
                severity=WARNING,
                kind="end_before_start",
                problem=f"{what} cannot be timed: {timed_from} is dated after it",
            )
        )
    for flag, problem in named.get(t.name, []):
        out.append(
            _flag(
                f"flag__{flag}",
                name=flag,
                severity=WARNING,
                kind=flag,
                problem=problem,
                indicators=UNENDED_PLACEMENT_INDICATORS if flag.startswith("unended") else None,
            )
        )
    return out


def build_suites() -> dict[str, dict]:
    """file name -> suite JSON, for every table the indicators read. The optional tables that
    only the statutory returns read are checked by the DfE's own rules instead
    (pipelines/returns), not by suites that would run every night for nothing."""
    suites = {}
    for t in load_contract().required_tables:
        meta = {"table": t.name, "records": TABLE_LABELS.get(t.name, f"{t.name} records")}
        parts = {
            "": ("table", _table_expectations(t)),
            "_cross_table": ("cross_table", _cross_table_expectations(t)),
            "_as_loaded": ("as_loaded", _as_loaded_expectations(t)),
        }
        for suffix, (scope, expectations) in parts.items():
            if expectations:
                suites[f"{t.name}{suffix}.json"] = {
                    "name": f"{t.name}{suffix}",
                    "meta": {**meta, "scope": scope},
                    "expectations": expectations,
                }
    return suites


def write_suites(directory: Path = EXPECTATIONS_DIR, force: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, suite in build_suites().items():
        path = directory / file_name
        if path.exists() and not force:
            continue
        path.write_text(json.dumps(suite, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rewrite existing suites")
    for p in write_suites(force=parser.parse_args().force):
        print(f"wrote {p}")
