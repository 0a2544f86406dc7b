"""Writing the extract: the 23 SSD files (13 required, 10 optional), the manifest of planted
problems and the population.

Column lists of the 13 required tables are those of the SSD extract contract
(reference/ssd-tables.csv), in order, including the three local extensions, then pers_upn;
they are copied here so that generating data needs nothing outside the package
(tests/test_generator.py checks them against the reference). The optional tables take the
contract's columns.
Files are UTF-8, comma-delimited, one header row, dates ISO ``YYYY-MM-DD``, flags ``Y``/``N``,
blank for unknown, rows sorted by the table's identifier (a planted duplicate follows the row
it copies, so "keep the first" keeps the original).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.contract import load_contract

from .calendar import iso

COLUMNS: dict[str, tuple[str, ...]] = {
    "ssd_person": (
        "pers_person_id",
        "pers_forename",
        "pers_surname",
        "pers_sex",
        "pers_gender",
        "pers_ethnicity",
        "pers_dob",
        "pers_common_child_id",
        "pers_legacy_id",
        "pers_upn_unknown",
        "pers_send_flag",
        "pers_expected_dob",
        "pers_death_date",
        "pers_is_mother",
        "pers_nationality",
        "pers_upn",
    ),
    "ssd_contacts": (
        "cont_contact_id",
        "cont_person_id",
        "cont_contact_date",
        "cont_contact_source_code",
        "cont_contact_source_desc",
        "cont_contact_outcome_json",
    ),
    "ssd_early_help_episodes": (
        "earl_episode_id",
        "earl_person_id",
        "earl_episode_start_date",
        "earl_episode_end_date",
        "earl_episode_reason",
        "earl_episode_end_reason",
        "earl_episode_organisation",
        "earl_episode_worker_id",
        "earl_episode_locality",
    ),
    "ssd_cin_episodes": (
        "cine_referral_id",
        "cine_person_id",
        "cine_referral_date",
        "cine_cin_primary_need_code",
        "cine_referral_source_code",
        "cine_referral_source_desc",
        "cine_referral_outcome_json",
        "cine_referral_nfa",
        "cine_close_reason",
        "cine_close_date",
        "cine_referral_team",
        "cine_referral_worker_id",
    ),
    "ssd_cin_assessments": (
        "cina_assessment_id",
        "cina_person_id",
        "cina_referral_id",
        "cina_assessment_start_date",
        "cina_assessment_child_seen",
        "cina_assessment_auth_date",
        "cina_assessment_outcome_json",
        "cina_assessment_outcome_nfa",
        "cina_assessment_team",
        "cina_assessment_worker_id",
        "cina_assessment_type",
    ),
    "ssd_s47_enquiry": (
        "s47e_s47_enquiry_id",
        "s47e_referral_id",
        "s47e_person_id",
        "s47e_s47_start_date",
        "s47e_s47_end_date",
        "s47e_s47_nfa",
        "s47e_s47_outcome_json",
        "s47e_s47_completed_by_worker_id",
        "s47e_s47_completed_by_team",
    ),
    "ssd_initial_cp_conference": (
        "icpc_icpc_id",
        "icpc_icpc_meeting_id",
        "icpc_s47_enquiry_id",
        "icpc_person_id",
        "icpc_cp_plan_id",
        "icpc_referral_id",
        "icpc_icpc_transfer_in",
        "icpc_icpc_target_date",
        "icpc_icpc_date",
        "icpc_icpc_outcome_cp_flag",
        "icpc_icpc_outcome_json",
        "icpc_icpc_team",
        "icpc_icpc_worker_id",
    ),
    "ssd_cp_plans": (
        "cppl_cp_plan_id",
        "cppl_referral_id",
        "cppl_icpc_id",
        "cppl_person_id",
        "cppl_cp_plan_start_date",
        "cppl_cp_plan_end_date",
        "cppl_cp_plan_initial_category",
        "cppl_cp_plan_ola",
        "cppl_cp_plan_latest_category",
    ),
    "ssd_cp_visits": (
        "cppv_cp_visit_id",
        "cppv_person_id",
        "cppv_cp_plan_id",
        "cppv_cp_visit_date",
        "cppv_cp_visit_seen",
        "cppv_cp_visit_seen_alone",
        "cppv_cp_visit_bedroom",
    ),
    "ssd_cp_reviews": (
        "cppr_cp_review_id",
        "cppr_person_id",
        "cppr_cp_plan_id",
        "cppr_cp_review_due",
        "cppr_cp_review_date",
        "cppr_cp_review_meeting_id",
        "cppr_cp_review_outcome_continue_cp",
        "cppr_cp_review_quorate",
        "cppr_cp_review_participation",
    ),
    "ssd_cla_episodes": (
        "clae_cla_episode_id",
        "clae_person_id",
        "clae_cla_episode_start_date",
        "clae_cla_episode_start_reason",
        "clae_cla_primary_need_code",
        "clae_cla_episode_ceased_date",
        "clae_cla_episode_ceased_reason",
        "clae_cla_id",
        "clae_referral_id",
        "clae_cla_placement_id",
        "clae_entered_care_date",
        "clae_cla_last_iro_contact_date",
    ),
    "ssd_cla_placement": (
        "clap_cla_placement_id",
        "clap_cla_placement_start_date",
        "clap_cla_placement_type",
        "clap_cla_placement_urn",
        "clap_cla_placement_distance",
        "clap_cla_id",
        "clap_cla_placement_provider",
        "clap_cla_placement_postcode",
        "clap_cla_placement_end_date",
        "clap_cla_placement_change_reason",
        "clap_person_id",
    ),
    "ssd_cla_reviews": (
        "clar_cla_review_id",
        "clar_cla_id",
        "clar_cla_review_due_date",
        "clar_cla_review_date",
        "clar_cla_review_cancelled",
        "clar_cla_review_participation",
        "clar_person_id",
    ),
}

# The optional tables only the statutory returns read (pipelines/contract/ssd_tables.csv):
# columns in the contract's order, written by pipelines/synthetic/returns_data.py.
COLUMNS.update(
    {
        t.name: t.column_names
        for t in load_contract().tables
        if not t.required and t.name not in COLUMNS
    }
)

# each table's identifier, from the extract contract (the one place the keys are written down)
PRIMARY_KEYS: dict[str, str] = {t.name: t.primary_key[0] for t in load_contract().tables}

DATE_COLUMNS: frozenset[str] = frozenset(
    {
        "cina_assessment_auth_date",
        "cina_assessment_start_date",
        "cine_close_date",
        "cine_referral_date",
        "clae_cla_episode_ceased_date",
        "clae_cla_episode_start_date",
        "clae_cla_last_iro_contact_date",
        "clae_entered_care_date",
        "clap_cla_placement_end_date",
        "clap_cla_placement_start_date",
        "clar_cla_review_date",
        "clar_cla_review_due_date",
        "cont_contact_date",
        "cppl_cp_plan_end_date",
        "cppl_cp_plan_start_date",
        "cppr_cp_review_date",
        "cppr_cp_review_due",
        "cppv_cp_visit_date",
        "earl_episode_end_date",
        "earl_episode_start_date",
        "icpc_icpc_date",
        "icpc_icpc_target_date",
        "pers_death_date",
        "pers_dob",
        "pers_expected_dob",
        "s47e_s47_end_date",
        "s47e_s47_start_date",
    }
    | {
        c.name
        for t in load_contract().tables
        if not t.required
        for c in t.columns
        if c.logical_type == "date"
    }
)


def _quoted(value: str) -> str:
    """CSV quoting as Python's csv module does by default (only where needed)."""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _text_column(values: np.ndarray) -> list[str]:
    values = np.asarray(values, dtype=object).tolist()
    blob = "".join(values)  # one pass in C: most columns never need quoting
    if not any(ch in blob for ch in ',"\n\r'):
        return values
    return [_quoted(v) for v in values]


def _write_rows(path: Path, header: list[str], columns: list[list[str]]) -> None:
    # Plain joins are about twice as fast as DataFrame.to_csv and give the same bytes.
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for chunk in range(0, len(columns[0]) if columns else 0, 200_000):
            rows = zip(*(c[chunk : chunk + 200_000] for c in columns), strict=True)
            f.write("\n".join(map(",".join, rows)) + "\n")


def write_table(out_dir: Path, table: str, frame: pd.DataFrame) -> int:
    """Write one SSD table; ``frame`` may lack columns (written blank) and hold day numbers."""
    columns = COLUMNS[table]
    frame = frame[[c for c in frame.columns if not c.startswith("_")]]  # drop helper columns
    unknown = set(frame.columns) - set(columns)
    if unknown:
        raise ValueError(f"{table}: columns not in the contract: {sorted(unknown)}")
    key = PRIMARY_KEYS[table]
    order = np.argsort(frame[key].to_numpy(dtype=object).astype(str), kind="stable")
    data = []
    for col in columns:
        if col not in frame.columns:
            data.append([""] * len(frame))
        elif col in DATE_COLUMNS:
            data.append(iso(frame[col].to_numpy(np.int64)[order]).tolist())
        else:
            data.append(_text_column(frame[col].to_numpy(dtype=object)[order]))
    _write_rows(out_dir / f"{table}.csv", list(columns), data)
    return len(frame)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    _write_rows(
        path,
        list(frame.columns),
        [_text_column(frame[c].astype(str).to_numpy(dtype=object)) for c in frame.columns],
    )
