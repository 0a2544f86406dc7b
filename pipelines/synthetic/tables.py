"""Turn the simulated journeys into the 13 SSD tables.

Frames hold dates as day numbers (``NO_DATE`` = blank) so the planting of data-quality
problems can still do date arithmetic; ``writer`` turns them into ISO strings. Columns whose
name starts with ``_`` are helpers for the planting step and are never written.

Dates the extract could not yet know are blank: a plan, placement or period still open, an
assessment or enquiry not finished, a review due after the extract date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import NO_DATE, OPEN
from .child_protection import ChildProtection
from .early_help import EarlyHelp
from .front_door import SOURCES, FrontDoor
from .looked_after import PLACEMENT_TYPES_TEEN, PLACEMENT_TYPES_YOUNG, LookedAfter
from .world import World


def make_ids(prefix: str, n: int, start: int = 1, width: int | None = None) -> np.ndarray:
    width = width or max(6, len(str(n + start + 10_000)))
    return np.array([f"{prefix}{k:0{width}d}" for k in range(start, start + n)], dtype=object)


def _known(days, end_day: int) -> np.ndarray:
    """Blank for open-ended dates and for dates after the extract end."""
    days = np.asarray(days, np.int64)
    return np.where((days >= OPEN) | (days > end_day), NO_DATE, days)


def _yn(mask) -> np.ndarray:
    return np.where(mask, "Y", "N").astype(object)


class Tables:
    """Builds the frames; the ids of each table are kept for linking between them."""

    def __init__(
        self, world: World, front: FrontDoor, cp: ChildProtection, cla: LookedAfter, eh: EarlyHelp
    ):
        self.w, self.front, self.cp, self.cla, self.eh = world, front, cp, cla, eh
        self.rng = world.rng("tables")
        self.ids = world.pop.ids

    def build(self) -> dict[str, pd.DataFrame]:
        out = {
            "ssd_person": self.person(),
            "ssd_contacts": self.contacts(),
            "ssd_cin_episodes": self.referrals(),
            "ssd_cin_assessments": self.assessments(),
            "ssd_s47_enquiry": self.s47(),
            "ssd_initial_cp_conference": self.icpc(),
            "ssd_cp_plans": self.plans(),
            "ssd_cp_visits": self.visits(),
            "ssd_cp_reviews": self.cp_reviews(),
        }
        out.update(self.looked_after())
        out["ssd_early_help_episodes"] = self.early_help()
        return out

    # ------------------------------------------------------------------------------------
    def person(self) -> pd.DataFrame:
        pop, rng = self.w.pop, self.rng
        age_at_end = (self.w.end_day - pop.dob) / 365.25
        mother = np.where((pop.sex == "F") & (age_at_end >= 13), _yn(rng.random(pop.n) < 0.01), "")
        numbers = np.array([i[1:] for i in pop.ids], dtype=object)
        return pd.DataFrame(
            {
                "pers_person_id": pop.ids,
                "pers_sex": pop.sex,
                "pers_ethnicity": pop.ethnicity,
                "pers_dob": pop.dob,
                "pers_legacy_id": "LEG" + numbers,
                "pers_send_flag": pop.send,
                "pers_is_mother": mother.astype(object),
                "_child": np.arange(pop.n),
            }
        )

    def contacts(self) -> pd.DataFrame:
        f = self.front
        src = np.array(f.contact_source)
        n = len(src)
        self.contact_ids = make_ids("CON", n)
        return pd.DataFrame(
            {
                "cont_contact_id": self.contact_ids,
                "cont_person_id": self.ids[np.array(f.contact_child, np.int64)],
                "cont_contact_date": np.array(f.contact_date, np.int64),
                "cont_contact_source_code": np.array([s[0] for s in SOURCES], dtype=object)[src],
                "cont_contact_source_desc": np.array([s[1] for s in SOURCES], dtype=object)[src],
                "cont_contact_outcome_json": np.array(f.contact_outcome, dtype=object),
                "_child": np.array(f.contact_child, np.int64),
            }
        )

    def referrals(self) -> pd.DataFrame:
        f, end = self.front, self.w.end_day
        n = len(f.ref_date)
        self.referral_ids = make_ids("REF", n)
        nfa = np.array(f.ref_nfa, bool)
        close = _known(f.ref_close, end)
        src = np.array(f.ref_source)
        return pd.DataFrame(
            {
                "cine_referral_id": self.referral_ids,
                "cine_person_id": self.ids[np.array(f.ref_child, np.int64)],
                "cine_referral_date": np.array(f.ref_date, np.int64),
                "cine_cin_primary_need_code": np.array(f.ref_need, dtype=object),
                "cine_referral_source_code": np.array([s[0] for s in SOURCES], dtype=object)[src],
                "cine_referral_source_desc": np.array([s[1] for s in SOURCES], dtype=object)[src],
                "cine_referral_outcome_json": np.where(
                    nfa, '{"outcome": "No further action"}', '{"outcome": "Assessment"}'
                ).astype(object),
                "cine_referral_nfa": _yn(nfa),
                "cine_close_reason": np.where(
                    close != NO_DATE, np.array(f.ref_close_reason, dtype=object), ""
                ),
                "cine_close_date": close,
                "cine_referral_team": np.array(f.ref_team, dtype=object),
                "cine_referral_worker_id": np.array(f.ref_worker, dtype=object),
                "_child": np.array(f.ref_child, np.int64),
                "_quiet": nfa & ~np.array(f.ref_downstream, bool),  # nothing else hangs off it
            }
        )

    def assessments(self) -> pd.DataFrame:
        f, rng = self.front, self.rng
        refs = np.array(f.asm_ref, np.int64)
        n = len(refs)
        self.assessment_ids = make_ids("ASM", n)
        auth = np.array(f.asm_auth, np.int64)
        nfa = np.array(f.asm_nfa, dtype=object)
        outcome = np.where(
            nfa == "Y", '{"outcome": "No further action"}', '{"outcome": "Services provided"}'
        )
        outcome = np.where(auth == NO_DATE, "", outcome).astype(object)
        children = np.array(f.ref_child, np.int64)[refs]
        return pd.DataFrame(
            {
                "cina_assessment_id": self.assessment_ids,
                "cina_person_id": self.ids[children],
                "cina_referral_id": self.referral_ids[refs],
                "cina_assessment_start_date": np.array(f.asm_start, np.int64),
                "cina_assessment_child_seen": np.array(f.asm_seen, dtype=object),
                "cina_assessment_auth_date": auth,
                "cina_assessment_outcome_json": outcome,
                "cina_assessment_outcome_nfa": nfa,
                "cina_assessment_team": np.array(f.asm_team, dtype=object),
                "cina_assessment_worker_id": self.w.workers[
                    rng.integers(0, len(self.w.workers), n)
                ],
                "cina_assessment_type": np.array(f.asm_type, dtype=object),
                "_child": children,
            }
        )

    def s47(self) -> pd.DataFrame:
        cp, rng, end = self.cp, self.rng, self.w.end_day
        n = len(cp.s47_ref)
        self.s47_ids = make_ids("S47E", n)
        has_icpc = np.array(cp.s47_icpc) >= 0
        ends = _known(cp.s47_end, end)
        nfa = ~has_icpc & (rng.random(n) < 0.5)
        outcome = np.select(
            [has_icpc, nfa],
            [
                '{"outcome": "Initial child protection conference"}',
                '{"outcome": "No further action"}',
            ],
            '{"outcome": "Continue with CIN plan"}',
        ).astype(object)
        outcome[ends == NO_DATE] = ""
        return pd.DataFrame(
            {
                "s47e_s47_enquiry_id": self.s47_ids,
                "s47e_referral_id": self.referral_ids[np.array(cp.s47_ref, np.int64)],
                "s47e_person_id": self.ids[np.array(cp.s47_child, np.int64)],
                "s47e_s47_start_date": np.array(cp.s47_start, np.int64),
                "s47e_s47_end_date": ends,
                "s47e_s47_nfa": np.where(ends == NO_DATE, "", _yn(nfa)).astype(object),
                "s47e_s47_outcome_json": outcome,
                "s47e_s47_completed_by_worker_id": np.array(cp.s47_worker, dtype=object),
                "s47e_s47_completed_by_team": np.array(
                    ["Safeguarding Team 1", "Safeguarding Team 2", "Safeguarding Team 3"],
                    dtype=object,
                )[rng.integers(0, 3, n)],
                "_child": np.array(cp.s47_child, np.int64),
            }
        )

    def icpc(self) -> pd.DataFrame:
        cp, end = self.cp, self.w.end_day
        n = len(cp.icpc_ref)
        n_plans = len(cp.plan_child)
        self.icpc_ids = make_ids("ICPC", n)
        self.plan_ids = make_ids("CPP", n_plans)
        s47 = np.array(cp.icpc_s47, np.int64)
        plan = np.array(cp.icpc_plan, np.int64)
        self._meeting = 0
        return pd.DataFrame(
            {
                "icpc_icpc_id": self.icpc_ids,
                "icpc_icpc_meeting_id": self._meetings(n),
                "icpc_s47_enquiry_id": np.where(s47 >= 0, self.s47_ids[np.maximum(s47, 0)], ""),
                "icpc_person_id": self.ids[np.array(cp.icpc_child, np.int64)],
                "icpc_cp_plan_id": np.where(
                    plan >= 0, self.plan_ids[np.maximum(plan, 0)] if n_plans else "", ""
                ),
                "icpc_referral_id": self.referral_ids[np.array(cp.icpc_ref, np.int64)],
                "icpc_icpc_transfer_in": _yn(np.array(cp.icpc_transfer, bool)),
                "icpc_icpc_target_date": _known(cp.icpc_target, end),
                "icpc_icpc_date": np.array(cp.icpc_date, np.int64),
                "icpc_icpc_outcome_cp_flag": _yn(plan >= 0),
                "icpc_icpc_outcome_json": np.where(
                    plan >= 0,
                    '{"outcome": "Child protection plan"}',
                    '{"outcome": "No plan - continue as child in need"}',
                ).astype(object),
                "icpc_icpc_team": np.full(n, "Conference Service", dtype=object),
                "icpc_icpc_worker_id": np.array(cp.icpc_worker, dtype=object),
                "_child": np.array(cp.icpc_child, np.int64),
            }
        )

    def _meetings(self, n: int) -> np.ndarray:
        ids = make_ids("MTG", n, start=self._meeting + 1, width=7)
        self._meeting += n
        return ids

    def plans(self) -> pd.DataFrame:
        cp, end = self.cp, self.w.end_day
        return pd.DataFrame(
            {
                "cppl_cp_plan_id": self.plan_ids,
                "cppl_referral_id": self.referral_ids[np.array(cp.plan_ref, np.int64)],
                "cppl_icpc_id": self.icpc_ids[np.array(cp.plan_icpc, np.int64)],
                "cppl_person_id": self.ids[np.array(cp.plan_child, np.int64)],
                "cppl_cp_plan_start_date": np.array(cp.plan_start, np.int64),
                "cppl_cp_plan_end_date": _known(cp.plan_end, end),
                "cppl_cp_plan_initial_category": np.array(cp.plan_category, dtype=object),
                "cppl_cp_plan_ola": np.full(len(cp.plan_child), "N", dtype=object),
                "cppl_cp_plan_latest_category": np.array(cp.plan_latest, dtype=object),
                "_child": np.array(cp.plan_child, np.int64),
            }
        )

    def visits(self) -> pd.DataFrame:
        cp, rng = self.cp, self.rng
        n = len(cp.visit_plan)
        children = np.array(cp.plan_child, np.int64)[cp.visit_plan]
        seen = cp.visit_seen == "Y"
        return pd.DataFrame(
            {
                "cppv_cp_visit_id": make_ids("CPV", n),
                "cppv_person_id": self.ids[children],
                "cppv_cp_plan_id": self.plan_ids[cp.visit_plan],
                "cppv_cp_visit_date": cp.visit_date,
                "cppv_cp_visit_seen": cp.visit_seen,
                "cppv_cp_visit_seen_alone": np.where(seen, _yn(rng.random(n) < 0.6), "N").astype(
                    object
                ),
                "cppv_cp_visit_bedroom": np.where(seen, _yn(rng.random(n) < 0.5), "N").astype(
                    object
                ),
                "_child": children,
            }
        )

    def cp_reviews(self) -> pd.DataFrame:
        cp, rng, end = self.cp, self.rng, self.w.end_day
        n = len(cp.review_plan)
        children = np.array(cp.plan_child, np.int64)[cp.review_plan]
        return pd.DataFrame(
            {
                "cppr_cp_review_id": make_ids("CPR", n),
                "cppr_person_id": self.ids[children],
                "cppr_cp_plan_id": self.plan_ids[cp.review_plan],
                "cppr_cp_review_due": _known(cp.review_due, end),
                "cppr_cp_review_date": cp.review_date,
                "cppr_cp_review_meeting_id": self._meetings(n),
                "cppr_cp_review_outcome_continue_cp": _yn(~cp.review_ends_plan),
                "cppr_cp_review_quorate": _yn(rng.random(n) < 0.96),
                "cppr_cp_review_participation": _yn(rng.random(n) < 0.55),
                "_child": children,
            }
        )

    # ------------------------------------------------------------------------------------
    def looked_after(self) -> dict[str, pd.DataFrame]:
        w, cla, rng = self.w, self.cla, self.rng
        periods = cla.periods
        cla_ids = make_ids("CLA", len(periods))
        n_places = sum(len(p.moves) + 1 for p in periods)
        place_ids = make_ids("PLC", n_places)
        pl, ep = (
            {k: [] for k in ("id", "start", "end", "cla", "child", "period", "last", "reason")},
            {
                k: []
                for k in (
                    "start",
                    "sreason",
                    "ceased",
                    "creason",
                    "cla",
                    "child",
                    "ref",
                    "place",
                    "entered",
                    "need",
                    "period",
                    "last",
                )
            },
        )
        j = 0
        for i, p in enumerate(periods):
            starts = [p.start, *p.moves]
            ends = [*p.moves, p.end]
            first_place = j
            for s, e in zip(starts, ends, strict=True):
                last = e == p.end
                pl["id"].append(place_ids[j])
                pl["start"].append(s)
                pl["end"].append(e)
                pl["cla"].append(cla_ids[i])
                pl["child"].append(p.child)
                pl["period"].append(i)
                pl["last"].append(last)
                pl["reason"].append(
                    ""
                    if e >= OPEN
                    else (
                        "CLOSE"
                        if last
                        else str(
                            rng.choice(
                                ("CARPL", "CREQB", "PLACE", "STAND", "CHILD", "OTHER", "ALLEG")
                            )
                        )
                    )
                )
                j += 1
            boundaries = [p.start] + ([p.status_change] if p.status_change != NO_DATE else [])
            for b, e_start in enumerate(boundaries):
                final = b == len(boundaries) - 1
                ep["start"].append(e_start)
                ep["sreason"].append("S" if b == 0 else "L")
                ep["ceased"].append(p.end if final else boundaries[b + 1])
                ep["creason"].append(p.end_reason if final else "X1")
                ep["cla"].append(cla_ids[i])
                ep["child"].append(p.child)
                ep["ref"].append(self.referral_ids[p.referral] if p.referral >= 0 else "")
                ep["place"].append(place_ids[first_place + starts.index(e_start)])
                ep["entered"].append(p.start)
                ep["need"].append(p.need)
                ep["period"].append(i)
                ep["last"].append(final)
        end = w.end_day
        n_pl = len(pl["id"])
        placements = pd.DataFrame(
            {
                "clap_cla_placement_id": np.array(pl["id"], dtype=object),
                "clap_cla_placement_start_date": np.array(pl["start"], np.int64),
                "clap_cla_placement_type": self._placement_types(pl),
                "clap_cla_placement_urn": make_ids("URN", n_pl, width=6),
                "clap_cla_placement_distance": np.char.mod(
                    "%.1f", np.round(rng.gamma(1.6, 6.0, n_pl), 1)
                ).astype(object),
                "clap_cla_id": np.array(pl["cla"], dtype=object),
                "clap_cla_placement_provider": np.array(
                    ["PR1", "PR1", "PR2", "PR4", "PR5"], dtype=object
                )[rng.integers(0, 5, n_pl)],
                "clap_cla_placement_end_date": _known(pl["end"], end),
                "clap_cla_placement_change_reason": np.array(pl["reason"], dtype=object),
                "clap_person_id": self.ids[np.array(pl["child"], np.int64)],
                "_child": np.array(pl["child"], np.int64),
                "_period": np.array(pl["period"], np.int64),
                "_last": np.array(pl["last"], bool),
            }
        )
        n_ep = len(ep["start"])
        episodes = pd.DataFrame(
            {
                "clae_cla_episode_id": make_ids("CLE", n_ep),
                "clae_person_id": self.ids[np.array(ep["child"], np.int64)],
                "clae_cla_episode_start_date": np.array(ep["start"], np.int64),
                "clae_cla_episode_start_reason": np.array(ep["sreason"], dtype=object),
                "clae_cla_primary_need_code": np.array(ep["need"], dtype=object),
                "clae_cla_episode_ceased_date": _known(ep["ceased"], end),
                "clae_cla_episode_ceased_reason": np.where(
                    np.array(ep["ceased"]) >= OPEN, "", np.array(ep["creason"], dtype=object)
                ).astype(object),
                "clae_cla_id": np.array(ep["cla"], dtype=object),
                "clae_referral_id": np.array(ep["ref"], dtype=object),
                "clae_cla_placement_id": np.array(ep["place"], dtype=object),
                "clae_entered_care_date": np.array(ep["entered"], np.int64),
                "clae_cla_last_iro_contact_date": np.full(n_ep, NO_DATE, np.int64),
                "_child": np.array(ep["child"], np.int64),
                "_period": np.array(ep["period"], np.int64),
                "_last": np.array(ep["last"], bool),
            }
        )
        n_rev = len(cla.review_period)
        children = np.array([p.child for p in periods], np.int64)[cla.review_period]
        reviews = pd.DataFrame(
            {
                "clar_cla_review_id": make_ids("CLR", n_rev),
                "clar_cla_id": cla_ids[cla.review_period],
                "clar_cla_review_due_date": _known(cla.review_due, end),
                "clar_cla_review_date": cla.review_date,
                "clar_cla_review_cancelled": np.full(n_rev, "N", dtype=object),
                "clar_cla_review_participation": np.array(
                    ["PN1", "PN1", "PN1", "PN2", "PN3", "PN4", "PN5", "PN0"], dtype=object
                )[rng.integers(0, 8, n_rev)],
                "clar_person_id": self.ids[children],
                "_child": children,
                "_period": cla.review_period,
            }
        )
        self.cla_ids = cla_ids
        return {
            "ssd_cla_episodes": episodes,
            "ssd_cla_placement": placements,
            "ssd_cla_reviews": reviews,
        }

    def _placement_types(self, pl) -> np.ndarray:
        rng, pop = self.rng, self.w.pop
        starts = np.array(pl["start"], np.int64)
        teen = (starts - pop.dob[np.array(pl["child"], np.int64)]) > 12 * 365
        out = np.empty(len(starts), dtype=object)
        for mask, table in ((~teen, PLACEMENT_TYPES_YOUNG), (teen, PLACEMENT_TYPES_TEEN)):
            p = np.array([x for _, x in table])
            codes = np.array([c for c, _ in table], dtype=object)
            out[mask] = codes[rng.choice(len(table), int(mask.sum()), p=p / p.sum())]
        return out

    def early_help(self) -> pd.DataFrame:
        eh = self.eh
        order = np.lexsort((eh.child, eh.start))
        n = len(order)
        return pd.DataFrame(
            {
                "earl_episode_id": make_ids("EH", n),
                "earl_person_id": self.ids[eh.child[order]],
                "earl_episode_start_date": eh.start[order],
                "earl_episode_end_date": eh.end[order],
                "earl_episode_reason": eh.reason[order],
                "earl_episode_end_reason": eh.end_reason[order],
                "earl_episode_organisation": eh.organisation[order],
                "earl_episode_worker_id": eh.worker[order],
                "earl_episode_locality": eh.locality[order],
                "_child": eh.child[order],
                "_kind": eh.kind[order],
            }
        )
