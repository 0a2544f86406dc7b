"""What the quality checks know about the SSD tables beyond the extract contract.

The contract says which columns are keys, which reference which, and which codes are allowed;
it does not say which date starts a record and which ends it, whose child a record is about,
or which team should fix it. Those facts live here, used to generate the suites
(`python -m pipelines.quality.generate`) and to attribute worklist rows to a team. Which
indicators a table's problems can distort is not here: it follows dbt's lineage
(models/reference/indicator_sources.sql).
"""

from __future__ import annotations

# The column holding the child's Person Unique ID in each table.
PERSON_COLUMN = {
    "ssd_person": "pers_person_id",
    "ssd_contacts": "cont_person_id",
    "ssd_early_help_episodes": "earl_person_id",
    "ssd_cin_episodes": "cine_person_id",
    "ssd_cin_assessments": "cina_person_id",
    "ssd_s47_enquiry": "s47e_person_id",
    "ssd_initial_cp_conference": "icpc_person_id",
    "ssd_cp_plans": "cppl_person_id",
    "ssd_cp_visits": "cppv_person_id",
    "ssd_cp_reviews": "cppr_person_id",
    "ssd_cla_episodes": "clae_person_id",
    "ssd_cla_placement": "clap_person_id",
    "ssd_cla_reviews": "clar_person_id",
}

# The locality or team that owns a record, where the table carries one. Other records go to
# the team of the child's latest referral (worklists.py), so every row lands with someone.
TEAM_COLUMN = {
    "ssd_early_help_episodes": "earl_episode_locality",
    "ssd_cin_episodes": "cine_referral_team",
    "ssd_cin_assessments": "cina_assessment_team",
    "ssd_s47_enquiry": "s47e_s47_completed_by_team",
    "ssd_initial_cp_conference": "icpc_icpc_team",
}

# (start, end) pairs: the end must not be before the start.
DATE_PAIRS = {
    "ssd_early_help_episodes": [("earl_episode_start_date", "earl_episode_end_date")],
    "ssd_cin_episodes": [("cine_referral_date", "cine_close_date")],
    "ssd_cin_assessments": [("cina_assessment_start_date", "cina_assessment_auth_date")],
    "ssd_s47_enquiry": [("s47e_s47_start_date", "s47e_s47_end_date")],
    "ssd_cp_plans": [("cppl_cp_plan_start_date", "cppl_cp_plan_end_date")],
    "ssd_cla_episodes": [("clae_cla_episode_start_date", "clae_cla_episode_ceased_date")],
    "ssd_cla_placement": [("clap_cla_placement_start_date", "clap_cla_placement_end_date")],
}

# The dates each record happened on: none can be before the child was born. (An assessment
# can lack a start date, so its authorisation date is checked too.)
EVENT_DATES = {
    "ssd_contacts": ["cont_contact_date"],
    "ssd_early_help_episodes": ["earl_episode_start_date"],
    "ssd_cin_episodes": ["cine_referral_date"],
    "ssd_cin_assessments": ["cina_assessment_start_date", "cina_assessment_auth_date"],
    "ssd_s47_enquiry": ["s47e_s47_start_date"],
    "ssd_initial_cp_conference": ["icpc_icpc_date"],
    "ssd_cp_plans": ["cppl_cp_plan_start_date"],
    "ssd_cp_visits": ["cppv_cp_visit_date"],
    "ssd_cp_reviews": ["cppr_cp_review_date"],
    "ssd_cla_episodes": ["clae_cla_episode_start_date"],
    "ssd_cla_placement": ["clap_cla_placement_start_date"],
    "ssd_cla_reviews": ["clar_cla_review_date"],
}

# Dates that are legitimately in the future: expected births, targets and due dates.
MAY_BE_FUTURE = {
    "pers_expected_dob",
    "icpc_icpc_target_date",
    "cppr_cp_review_due",
    "clar_cla_review_due_date",
}

EARLIEST_PLAUSIBLE_DATE = "1900-01-01"

# How the pack names each table's records ("12 CLA placement records: ..."), written into each
# suite's meta.records.
TABLE_LABELS = {
    "ssd_person": "person records",
    "ssd_contacts": "contact records",
    "ssd_early_help_episodes": "early help episode records",
    "ssd_cin_episodes": "referral records",
    "ssd_cin_assessments": "assessment records",
    "ssd_s47_enquiry": "section 47 enquiry records",
    "ssd_initial_cp_conference": "initial CP conference records",
    "ssd_cp_plans": "CP plan records",
    "ssd_cp_visits": "CP visit records",
    "ssd_cp_reviews": "CP review records",
    "ssd_cla_episodes": "CLA episode records",
    "ssd_cla_placement": "CLA placement records",
    "ssd_cla_reviews": "CLA review records",
}
