"""Planted problems for the statutory returns: one record of each kind, in one collection year,
that the DfE's own rules must report (``generate_authority(..., returns_problems="2024-25")``).

Each is listed in ``returns_problems.csv`` beside the extracts with the return and the DfE
rule code expected to report it (the codes are the engines' own: lac_validator's and
cin_validator's rule modules):

* ``upn_malformed``: a looked-after child's UPN is not a letter and 12 characters
  (SSDA903 rule 168, "Unique Pupil Number (UPN) is not valid");
* ``first_episode_before_birth``: a child who first came into care in the year has a date of
  birth keyed after that day (SSDA903 302, "First episode starts before child was born");
* ``placement_postcode_invalid``: a placement that began in the year has a postcode no ONS
  postcode has (SSDA903 392c, "Postcode(s) provided are invalid");
* ``missing_periods_overlap``: a missing period recorded twice, the copy a day later and
  ending later (SSDA903 574, "... periods should also not overlap");
* ``cp_review_before_plan``: a child protection review dated before its plan began
  (CIN 8841, "The review date cannot be on the same day or before the Child protection Plan
  start date").

Every record is chosen afresh from the year's data (the first eligible, in identifier order),
a different child for each kind, so the same arguments give the same bytes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .calendar import NO_DATE, to_day

EXPECTED = {
    "upn_malformed": ("ssd_person", "SSDA903", "168"),
    "first_episode_before_birth": ("ssd_person", "SSDA903", "302"),
    "placement_postcode_invalid": ("ssd_cla_placement", "SSDA903", "392c"),
    "missing_periods_overlap": ("ssd_missing", "SSDA903", "574"),
    "cp_review_before_plan": ("ssd_cp_reviews", "CIN", "8841"),
}
MANIFEST_COLUMNS = ["kind", "table", "record_id", "person_id", "return_name", "rule_code"]
BAD_UPN = "X1234"
BAD_POSTCODE = "ZZ9 9ZZ"  # the form of a postcode, but not one the ONS directory holds


class ReturnsPlanter:
    def __init__(self, tables: dict[str, pd.DataFrame], year: str) -> None:
        self.t = tables
        first = int(year[:4])
        self.start = to_day(dt.date(first, 4, 1))
        self.end = to_day(dt.date(first + 1, 3, 31))
        self.rows: list[tuple] = []
        self.children: set[str] = set()

    def plant_all(self) -> pd.DataFrame:
        self.first_episode_before_birth()
        self.upn_malformed()
        self.placement_postcode_invalid()
        self.missing_periods_overlap()
        self.cp_review_before_plan()
        return pd.DataFrame(self.rows, columns=MANIFEST_COLUMNS)

    def _note(self, kind: str, record_id: str, person: str) -> None:
        table, return_name, rule = EXPECTED[kind]
        self.rows.append((kind, table, str(record_id), str(person), return_name, rule))
        self.children.add(str(person))

    def _free(self, people: pd.Series) -> pd.Series:
        return ~people.astype(str).isin(self.children)

    def _looked_after_in_year(self) -> pd.DataFrame:
        ep = self.t["ssd_cla_episodes"]
        ceased = ep["clae_cla_episode_ceased_date"]
        return ep[
            (ep["clae_cla_episode_start_date"] <= self.end)
            & ((ceased == NO_DATE) | (ceased >= self.start))
        ]

    def first_episode_before_birth(self) -> None:
        ep = self.t["ssd_cla_episodes"]
        first = ep.groupby("clae_person_id")["clae_cla_episode_start_date"].min()
        # well inside the year, so that the new date of birth is still in it
        chosen = first[(first >= self.start + 30) & (first <= self.end - 60)].sort_index()
        person_id = chosen.index[0]
        people = self.t["ssd_person"]
        row = people.index[people["pers_person_id"] == person_id][0]
        people.loc[row, "pers_dob"] = int(chosen.iloc[0]) + 10
        self._note("first_episode_before_birth", person_id, person_id)

    def upn_malformed(self) -> None:
        in_care = set(self._looked_after_in_year()["clae_person_id"])
        people = self.t["ssd_person"]
        eligible = people[
            people["pers_person_id"].isin(in_care) & self._free(people["pers_person_id"])
        ].sort_values("pers_person_id")
        row = eligible.index[0]
        people.loc[row, "pers_upn"] = BAD_UPN
        person_id = people.loc[row, "pers_person_id"]
        self._note("upn_malformed", person_id, person_id)

    def placement_postcode_invalid(self) -> None:
        pl = self.t["ssd_cla_placement"]
        start = pl["clap_cla_placement_start_date"]
        eligible = pl[
            (start >= self.start)
            & (start <= self.end - 30)
            & (pl["clap_cla_placement_postcode"].fillna("") != "")
            & self._free(pl["clap_person_id"])
        ].sort_values("clap_cla_placement_id")
        row = eligible.index[0]
        pl.loc[row, "clap_cla_placement_postcode"] = BAD_POSTCODE
        self._note(
            "placement_postcode_invalid",
            pl.loc[row, "clap_cla_placement_id"],
            pl.loc[row, "clap_person_id"],
        )

    def missing_periods_overlap(self) -> None:
        missing = self.t["ssd_missing"]
        in_care = set(self._looked_after_in_year()["clae_person_id"])
        start, end = (
            missing["miss_missing_episode_start_date"],
            missing["miss_missing_episode_end_date"],
        )
        eligible = missing[
            (start >= self.start + 10)
            & (end != NO_DATE)
            & (end - start >= 2)  # so the copy, a day later, starts before the original ends
            & (end <= self.end - 10)
            & missing["miss_person_id"].isin(in_care)
            & self._free(missing["miss_person_id"])
        ].sort_values("miss_table_id")
        original = eligible.iloc[0]
        copy = original.copy()
        copy["miss_table_id"] = f"{original['miss_table_id']}X"
        copy["miss_missing_episode_start_date"] = (
            int(original["miss_missing_episode_start_date"]) + 1
        )
        copy["miss_missing_episode_end_date"] = int(original["miss_missing_episode_end_date"]) + 2
        self.t["ssd_missing"] = pd.concat([missing, copy.to_frame().T], ignore_index=True).astype(
            missing.dtypes.to_dict()
        )
        self._note("missing_periods_overlap", copy["miss_table_id"], original["miss_person_id"])

    def cp_review_before_plan(self) -> None:
        reviews = self.t["ssd_cp_reviews"]
        plans = self.t["ssd_cp_plans"][["cppl_cp_plan_id", "cppl_cp_plan_start_date"]]
        both = reviews.reset_index().merge(
            plans, left_on="cppr_cp_plan_id", right_on="cppl_cp_plan_id"
        )
        review_day = both["cppr_cp_review_date"]
        eligible = both[
            (both["cppl_cp_plan_start_date"] >= self.start + 30)
            & (review_day >= self.start)
            & (review_day <= self.end)
            & self._free(both["cppr_person_id"])
        ]
        # the plan's first review: the engine reads a plan's first review date only
        eligible = eligible.sort_values(["cppr_cp_plan_id", "cppr_cp_review_date"])
        eligible = eligible.drop_duplicates("cppr_cp_plan_id")
        chosen = eligible.iloc[0]
        reviews.loc[chosen["index"], "cppr_cp_review_date"] = (
            int(chosen["cppl_cp_plan_start_date"]) - 5
        )
        self._note("cp_review_before_plan", chosen["cppr_cp_review_id"], chosen["cppr_person_id"])
