"""What only the statutory returns read: the optional SSD tables and columns, filled plausibly.

The board pack's indicators never read these, so they are drawn from their own random stream
(``returns``, last in ``world.STREAMS``) after the 13 tables are built: the indicator tables'
values and the demo's calibrated figures are exactly as before. Where a column the indicators
do not read was left rough by the journeys (placement providers drawn at random, every CIN
case closed as "RC8", review participation codes ignoring age), it is made consistent here
with the DfE's coding rules, without drawing from any other stream.

What it adds (docs/returns.md says which return field each one feeds):

* ``ssd_person``: UPNs with a valid check letter for children of school age (``UN1`` under
  five), mother status for girls of 11 and over;
* ``ssd_legal_status``: the legal status of each period of care (interim care order, then a
  full care order where the journey has a second episode; section 20 for the rest; a placement
  order from the placement for adoption);
* placements: provider codes that fit the placement type, Ofsted URNs where the DfE needs one
  (``XXXXXXX`` for the authority's own foster carers), real postcodes (``postcodes.csv``: the
  ONS Postcode Directory, Open Government Licence) in or outside the authority;
* ``ssd_address`` (home postcode), ``ssd_missing``, ``ssd_immigration_status`` (UASC),
  ``ssd_mother``, ``ssd_cla_previous_permanence``, ``ssd_permanence`` (adoption decisions,
  matches, placements, adopters) for the looked-after children;
* ``ssd_cin_plans``, ``ssd_disability``, ``ssd_assessment_factors`` and CIN closure reasons
  that follow what happened in each case.

The demo authority borrows the local authority code the DfE validators' own examples use
(``LA_NUMBER``/``LA_CODE``), so that the postcode-based rules have an authority to compare with.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import NO_DATE, to_day
from .world import World

LA_NUMBER = "318"  # DfE 3-digit LA number used in UPNs and the CIN header (the demo's)
LA_CODE = "E09000027"  # ONS code of the same authority (903 validation metadata)
POSTCODES = Path(__file__).with_name("postcodes.csv")

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the 23 check letters (no I, O, S)
DISABILITY_CODES = ("AUT", "BEH", "COMM", "CON", "DDA", "HAND", "HEAR", "INC", "LD", "MOB", "PC")
FACTOR_CODES = ("1B", "2B", "3B", "4B", "5B", "6B", "7B", "8B", "10A", "11A", "12A", "14A")
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
NO_URN = ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1")


def upn_check_letter(body: str) -> str:
    """The DfE's check letter for the 12 characters after it (weights 2..13, mod 23)."""
    total = 0
    for weight, char in zip(range(2, 14), body, strict=True):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += weight * value
    return UPN_LETTERS[total % 23]


def make_upns(serials: np.ndarray, years: np.ndarray) -> np.ndarray:
    """UPNs: a check letter, then the LA number, the year allocated, a six-digit serial and a
    final digit (characters 2-13 all digits, as the DfE's rules 1530-1550 expect)."""
    digits = np.zeros((len(serials), 12), np.int64)
    for i, ch in enumerate(LA_NUMBER):
        digits[:, i] = int(ch)
    year = np.asarray(years) % 100
    digits[:, 3], digits[:, 4] = year // 10, year % 10
    serial = np.asarray(serials) % 1_000_000
    for i in range(6):
        digits[:, 10 - i] = serial % 10
        serial = serial // 10
    total = (digits * np.arange(2, 14)).sum(axis=1)
    letters = np.array(list(UPN_LETTERS), dtype=object)[total % 23]
    bodies = ["".join(map(str, row)) for row in digits.tolist()]
    return np.array([a + b for a, b in zip(letters, bodies, strict=True)], dtype=object)


def load_postcodes() -> tuple[np.ndarray, np.ndarray]:
    with open(POSTCODES, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    inside = np.array([r["postcode"] for r in rows if r["area"] == "in"], dtype=object)
    outside = np.array([r["postcode"] for r in rows if r["area"] == "out"], dtype=object)
    return inside, outside


class ReturnsData:
    def __init__(self, world: World, tables: dict[str, pd.DataFrame]):
        self.w = world
        self.t = tables
        self.rng = world.rng("returns")
        self.inside, self.outside = load_postcodes()
        self.pop = world.pop
        self.index = {pid: k for k, pid in enumerate(self.pop.ids)}

    def add_all(self) -> dict[str, pd.DataFrame]:
        self.person()
        self.placements_and_legal_status()
        self.reviews()
        self.cla_people()
        self.cin()
        return self.t

    # -- people ------------------------------------------------------------------------------
    def person(self) -> None:
        person, pop, rng = self.t["ssd_person"], self.pop, self.rng
        child = person["_child"].to_numpy()
        dob = pop.dob[child]
        age_at_end = (self.w.end_day - dob) / 365.25
        school_age = age_at_end >= 5
        serials = rng.permutation(len(person))
        years = (dob // 365.25).astype(np.int64) + 1975  # about the year they turn five
        upn = make_upns(serials, years)
        person["pers_upn"] = np.where(school_age, upn, "")
        person["pers_upn_unknown"] = np.where(school_age, "", "UN1").astype(object)
        # mother status for every girl: the SSDA903 needs MOTHER for every looked-after girl
        # (DfE rules 393 and 607), whatever her age
        girls = pop.sex[child] == "F"
        mother = person["pers_is_mother"].to_numpy(dtype=object)
        person["pers_is_mother"] = np.where(girls & (mother == ""), "N", mother).astype(object)
        mothers = person[person["pers_is_mother"] == "Y"]
        rows = []
        for pid, k in zip(mothers["pers_person_id"], mothers["_child"], strict=True):
            lo = int(pop.dob[k]) + int(14.5 * 365)
            hi = self.w.end_day - 30
            if lo < hi:
                rows.append((pid, int(rng.integers(lo, hi))))
        self.t["ssd_mother"] = pd.DataFrame(
            {
                "moth_table_id": [f"MOT{i + 1:06d}" for i in range(len(rows))],
                "moth_person_id": [r[0] for r in rows],
                "moth_childs_person_id": ["" for _ in rows],
                "moth_childs_dob": np.array([r[1] for r in rows], np.int64),
            }
        )

    # -- looked after ----------------------------------------------------------------------
    def placements_and_legal_status(self) -> None:
        rng = self.rng
        place = self.t["ssd_cla_placement"]
        episodes = self.t["ssd_cla_episodes"]
        types = place["clap_cla_placement_type"].to_numpy(dtype=object).copy()
        ends = episodes[episodes["_last"]].set_index("_period")["clae_cla_episode_ceased_reason"]
        adopted = set(ends.index[ends.to_numpy() == "E11"])
        # the last placement of an adoption is the placement for adoption (placement order,
        # not with the current foster carer) where the child moved into it
        period = place["_period"].to_numpy()
        last = place["_last"].to_numpy()
        n_in_period = pd.Series(period).map(pd.Series(period).value_counts()).to_numpy()
        for_adoption = last & np.isin(period, list(adopted)) & (n_in_period > 1)
        types[for_adoption] = "A6"
        place["clap_cla_placement_type"] = types
        n = len(place)
        provider = place["clap_cla_placement_provider"].to_numpy(dtype=object).copy()
        provider[types == "P1"] = "PR0"
        provider[(types != "P1") & (provider == "PR0")] = "PR1"
        provider[np.isin(types, ("A6", "A5", "A4", "A3")) & (provider == "PR2")] = "PR1"
        provider[np.isin(types, FOSTER) & (provider == "PR2")] = "PR4"
        place["clap_cla_placement_provider"] = provider
        # own provision within the authority; a third of the rest outside it
        out = (provider != "PR1") & (provider != "PR0") & (rng.random(n) < 0.35)
        # placements in the second half of the authority's postcodes, homes in the first half,
        # so a placement is never at the child's home (the DfE's rule 392d)
        placements_in = self.inside[len(self.inside) // 2 :]
        postcode = np.where(
            out,
            self.outside[rng.integers(0, len(self.outside), n)],
            placements_in[rng.integers(0, len(placements_in), n)],
        )
        place["clap_cla_placement_postcode"] = postcode
        urn = np.array([f"SC{x:06d}" for x in rng.integers(400_000, 1_000_000, n)], dtype=object)
        own_foster = np.isin(types, FOSTER + ("A3", "A4", "A5", "A6")) & (provider == "PR1")
        urn = np.where(own_foster, "XXXXXXX", urn)
        place["clap_cla_placement_urn"] = np.where(np.isin(types, NO_URN), "", urn).astype(object)
        self._with_parents = set(place.loc[place["clap_cla_placement_type"] == "P1", "_period"])
        self._legal_status(episodes, place, adopted)
        self._permanence(episodes, place, adopted)

    def _legal_status(self, episodes: pd.DataFrame, place: pd.DataFrame, adopted: set) -> None:
        rng, rows = self.rng, []
        adoption_start = (
            place[place["clap_cla_placement_type"] == "A6"]
            .set_index("_period")["clap_cla_placement_start_date"]
            .to_dict()
        )
        for p, group in episodes.sort_values("clae_cla_episode_start_date").groupby("_period"):
            starts = group["clae_cla_episode_start_date"].tolist()
            ceased = group["clae_cla_episode_ceased_date"].tolist()
            person = group["clae_person_id"].iloc[0]
            with_parents = p in self._with_parents
            if len(starts) > 1:
                codes = ["C2", "C1"] + ["C1"] * (len(starts) - 2)
            else:
                # placed with parents is never under a single period of accommodation (378)
                options = ("C1", "C2") if with_parents else ("V2", "V2", "V2", "C1", "C2")
                codes = [str(rng.choice(options))]
            bounds = list(zip(starts, ceased + [NO_DATE], codes, strict=False))[: len(starts)]
            spans = [(s, c, code) for (s, c, code) in bounds]
            spans = [(s, ceased[i], code) for i, (s, _, code) in enumerate(spans)]
            placed = adoption_start.get(p)
            if placed is not None:
                # a placement order from the day the child was placed for adoption
                spans = [(s, e, c) for s, e, c in spans if s < placed]
                if spans:
                    s, _, c = spans[-1]
                    spans[-1] = (s, placed, c)
                spans.append((placed, ceased[-1], "E1"))
            for s, e, code in spans:
                rows.append((person, s, e, code))
        self.t["ssd_legal_status"] = pd.DataFrame(
            {
                "lega_legal_status_id": [f"LEG{i + 1:06d}" for i in range(len(rows))],
                "lega_person_id": [r[0] for r in rows],
                "lega_legal_status": [r[3] for r in rows],
                "lega_legal_status_start_date": np.array([r[1] for r in rows], np.int64),
                "lega_legal_status_end_date": np.array([r[2] for r in rows], np.int64),
            }
        )

    def _permanence(self, episodes: pd.DataFrame, place: pd.DataFrame, adopted: set) -> None:
        rng, rows = self.rng, []
        first = episodes.sort_values("clae_cla_episode_start_date").drop_duplicates("_period")
        period_start = first.set_index("_period")["clae_cla_episode_start_date"]
        chosen = place[place["clap_cla_placement_type"] == "A6"]
        for person, cla_id, period, placed, end in zip(
            chosen["clap_person_id"],
            chosen["clap_cla_id"],
            chosen["_period"],
            chosen["clap_cla_placement_start_date"].astype(int),
            chosen["clap_cla_placement_end_date"].astype(int),
            strict=True,
        ):
            start = int(period_start[period])
            decision = max(start + 30, placed - int(rng.integers(120, 300)))
            order = min(decision + int(rng.integers(20, 90)), placed - 1)
            matched = max(order, placed - int(rng.integers(7, 40)))
            number = int(rng.choice((1, 2, 2, 2)))
            if number == 1:
                sex, legal = str(rng.choice(("F1", "M1"))), "L0"
            else:
                sex = str(rng.choice(("MF", "MF", "MF", "FF", "MM")))
                legal = "L11" if sex == "MF" else "L12"
            rows.append(
                {
                    "perm_person_id": person,
                    "perm_cla_id": cla_id,
                    "perm_adm_decision_date": decision,
                    "perm_placement_order_date": order,
                    "perm_placed_for_adoption_date": placed,
                    "perm_matched_date": matched,
                    "perm_adopted_by_carer_flag": "N",
                    "perm_decision_reversed_date": NO_DATE,
                    "perm_decision_reversed_reason": "",
                    "perm_permanence_order_date": end,
                    "perm_permanence_order_type": "Adoption Order" if end != NO_DATE else "",
                    "perm_adopter_sex": sex,
                    "perm_adopter_legal_status": legal,
                    "perm_number_of_adopters": str(number),
                }
            )
        frame = pd.DataFrame(rows, columns=_columns("ssd_permanence")[1:])
        frame.insert(0, "perm_table_id", [f"PERM{i + 1:05d}" for i in range(len(frame))])
        for c in ("perm_adm_decision_date", "perm_placement_order_date"):
            frame[c] = frame[c].astype(np.int64)
        for c in ("perm_placed_for_adoption_date", "perm_matched_date"):
            frame[c] = frame[c].astype(np.int64)
        for c in ("perm_decision_reversed_date", "perm_permanence_order_date"):
            frame[c] = frame[c].astype(np.int64)
        self.t["ssd_permanence"] = frame

    def reviews(self) -> None:
        reviews = self.t["ssd_cla_reviews"]
        dob = self.pop.dob[reviews["_child"].to_numpy()]
        # the fourth birthday, from the day number (leap days make this exact to within a day;
        # a review on the birthday itself counts as aged four)
        under_four = (reviews["clar_cla_review_date"].to_numpy() - dob) < 4 * 365 + 1
        code = reviews["clar_cla_review_participation"].to_numpy(dtype=object)
        code = np.where(under_four, "PN0", np.where(code == "PN0", "PN1", code))
        reviews["clar_cla_review_participation"] = code.astype(object)

    def cla_people(self) -> None:
        rng, pop = self.rng, self.pop
        episodes = self.t["ssd_cla_episodes"]
        first = episodes.sort_values("clae_cla_episode_start_date").drop_duplicates("_period")
        children = first.drop_duplicates("clae_person_id")
        n = len(children)
        # home postcode: where the child lived when they came into care
        self.t["ssd_address"] = pd.DataFrame(
            {
                "addr_table_id": [f"ADR{i + 1:06d}" for i in range(n)],
                "addr_person_id": children["clae_person_id"].to_numpy(),
                "addr_address_type": "Home",
                "addr_address_start_date": pop.dob[children["_child"].to_numpy()],
                "addr_address_end_date": np.full(n, NO_DATE, np.int64),
                "addr_address_postcode": self.inside[rng.integers(0, len(self.inside) // 2, n)],
            }
        )
        # previous permanence, asked of every period of care that starts on or after 1 April 2016
        asked = first[first["clae_cla_episode_start_date"] >= to_day("2016-04-01")]
        m = len(asked)
        option = np.array(("Z1", "Z1", "Z1", "Z1", "Z1", "Z1", "P1", "P2", "P3", "P4"))[
            rng.integers(0, 10, m)
        ]
        earlier = asked["clae_cla_episode_start_date"].to_numpy() - rng.integers(200, 1500, m)
        earlier = np.maximum(earlier, pop.dob[asked["_child"].to_numpy()] + 30)
        self.t["ssd_cla_previous_permanence"] = pd.DataFrame(
            {
                "lapp_table_id": [f"PP{i + 1:06d}" for i in range(m)],
                "lapp_person_id": asked["clae_person_id"].to_numpy(),
                "lapp_previous_permanence_order_date": np.where(option == "Z1", NO_DATE, earlier),
                "lapp_previous_permanence_option": option.astype(object),
                "lapp_previous_permanence_la": np.where(option == "Z1", "", LA_NUMBER).astype(
                    object
                ),
            }
        )
        self._missing()
        self._uasc(first)

    def _missing(self) -> None:
        rng, pop = self.rng, self.pop
        place = self.t["ssd_cla_placement"]
        rows = []
        for person, k, start, stop in zip(
            place["clap_person_id"],
            place["_child"].astype(int),
            place["clap_cla_placement_start_date"].astype(int),
            place["clap_cla_placement_end_date"].astype(int),
            strict=True,
        ):
            stop = self.w.end_day if stop == NO_DATE else stop
            if (start - pop.dob[k]) < 11 * 365 or stop - start < 10 or rng.random() > 0.3:
                continue
            day = start + int(rng.integers(2, 8))
            for _ in range(int(rng.integers(1, 4))):
                back = day + int(rng.integers(0, 3))
                if back >= stop - 1:
                    break
                offered = rng.random() < 0.9
                rows.append(
                    (
                        person,
                        day,
                        str(rng.choice(("M", "M", "M", "A"))),
                        back,
                        "Y" if offered else "N",
                        ("Y" if rng.random() < 0.6 else "N") if offered else "",
                    )
                )
                day = back + int(rng.integers(5, 60))
        self.t["ssd_missing"] = pd.DataFrame(
            {
                "miss_table_id": [f"MIS{i + 1:06d}" for i in range(len(rows))],
                "miss_person_id": [r[0] for r in rows],
                "miss_missing_episode_start_date": np.array([r[1] for r in rows], np.int64),
                "miss_missing_episode_type": [r[2] for r in rows],
                "miss_missing_episode_end_date": np.array([r[3] for r in rows], np.int64),
                "miss_missing_rhi_offered": [r[4] for r in rows],
                "miss_missing_rhi_accepted": [r[5] for r in rows],
            }
        )

    def _uasc(self, first: pd.DataFrame) -> None:
        rng, pop, end = self.rng, self.pop, self.w.end_day
        age = (first["clae_cla_episode_start_date"].to_numpy() - pop.dob[first["_child"]]) / 365.25
        chosen = first[(age >= 14) & (age < 17.5) & (rng.random(len(first)) < 0.25)]
        chosen = chosen.drop_duplicates("clae_person_id")
        k = chosen["_child"].to_numpy()
        eighteen = pop.eighteenth[k].astype(np.int64)
        n = len(chosen)
        self.t["ssd_immigration_status"] = pd.DataFrame(
            {
                "immi_immigration_status_id": [f"IMM{i + 1:05d}" for i in range(n)],
                "immi_person_id": chosen["clae_person_id"].to_numpy(),
                "immi_immigration_status": np.full(n, "UASC", dtype=object),
                "immi_immigration_status_start_date": chosen[
                    "clae_cla_episode_start_date"
                ].to_numpy(),
                "immi_immigration_status_end_date": np.where(eighteen <= end, eighteen, NO_DATE),
            }
        )

    # -- children in need ----------------------------------------------------------------------
    def cin(self) -> None:
        rng = self.rng
        ref = self.t["ssd_cin_episodes"]
        asm = self.t["ssd_cin_assessments"]
        s47 = self.t["ssd_s47_enquiry"]
        plans = self.t["ssd_cp_plans"]
        cla = self.t["ssd_cla_episodes"]
        with_s47 = set(s47["s47e_referral_id"])
        with_plan = set(plans["cppl_referral_id"])
        with_care = set(cla["clae_referral_id"])
        by_ref = asm["cina_referral_id"]
        asm_nfa = (asm["cina_assessment_outcome_nfa"] == "Y").groupby(by_ref).all()
        asm_done = asm["cina_assessment_auth_date"].groupby(by_ref).max()
        ids = ref["cine_referral_id"]
        closed = ref["cine_close_date"].to_numpy() != NO_DATE
        activity = (ids.isin(with_s47) | ids.isin(with_plan) | ids.isin(with_care)).to_numpy()
        has_asm = ids.isin(asm_nfa.index).to_numpy()
        only_nfa = ids.map(asm_nfa).fillna(False).astype(bool).to_numpy() & ~activity
        reason = np.where(
            only_nfa,
            np.where(rng.random(len(ref)) < 0.7, "RC8", "RC9"),
            "RC7",  # services ended for another reason (no assessment: never RC8/RC9)
        )
        ref["cine_close_reason"] = np.where(closed, reason, "").astype(object)
        # CIN plans: assessed cases that went on to services without S47, plan or care
        services = has_asm & ~only_nfa & ~activity
        chosen = ref[services]
        starts = (
            chosen["cine_referral_id"].map(asm_done).fillna(NO_DATE).astype(np.int64).to_numpy()
        )
        keep = starts != NO_DATE
        chosen, starts = chosen[keep], starts[keep]
        ends = chosen["cine_close_date"].to_numpy()
        ok = (ends == NO_DATE) | (ends > starts)
        chosen, starts, ends = chosen[ok], starts[ok], ends[ok]
        n = len(chosen)
        self.t["ssd_cin_plans"] = pd.DataFrame(
            {
                "cinp_cin_plan_id": [f"CINP{i + 1:06d}" for i in range(n)],
                "cinp_referral_id": chosen["cine_referral_id"].to_numpy(),
                "cinp_person_id": chosen["cine_person_id"].to_numpy(),
                "cinp_cin_plan_start_date": starts.astype(np.int64),
                "cinp_cin_plan_end_date": ends.astype(np.int64),
                "cinp_cin_plan_team": chosen["cine_referral_team"].to_numpy(),
                "cinp_cin_plan_worker_id": chosen["cine_referral_worker_id"].to_numpy(),
            }
        )
        # disabilities: about one child in eight known to social care
        people = pd.unique(ref["cine_person_id"])
        disabled = people[rng.random(len(people)) < 0.12]
        rows = []
        for pid in disabled:
            for code in rng.choice(DISABILITY_CODES, int(rng.integers(1, 3)), replace=False):
                rows.append((pid, str(code)))
        self.t["ssd_disability"] = pd.DataFrame(
            {
                "disa_table_id": [f"DIS{i + 1:06d}" for i in range(len(rows))],
                "disa_person_id": [r[0] for r in rows],
                "disa_disability_code": [r[1] for r in rows],
            }
        )
        done = asm[asm["cina_assessment_auth_date"] != NO_DATE]
        factors = [
            json.dumps(
                ["21"]
                if nfa == "Y" and rng.random() < 0.5
                else sorted(rng.choice(FACTOR_CODES, int(rng.integers(1, 4)), replace=False))
            )
            for nfa in done["cina_assessment_outcome_nfa"]
        ]
        self.t["ssd_assessment_factors"] = pd.DataFrame(
            {
                "cinf_table_id": [f"AF{i + 1:07d}" for i in range(len(done))],
                "cinf_assessment_id": done["cina_assessment_id"].to_numpy(),
                "cinf_assessment_factors_json": factors,
            }
        )


def _columns(table: str) -> tuple[str, ...]:
    from pipelines.contract import get_table

    return get_table(table).column_names
