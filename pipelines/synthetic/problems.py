"""Planted data-quality problems, each listed in ``manifest.csv``.

The problems are the ones the pipeline's checks must find (indicators.md, "Data quality and
cleansing"). Each planted record shows exactly one kind, and the records are chosen so that
the figures the seed report quotes still come out with the problems in place (counting a
duplicated identifier once): for example, an enquiry's end date is moved before its start, but
a referral's date never is, and missing people are put on records no indicator joins on.

Kinds (record_id is the record's own identifier; for ``duplicate_id`` the duplicated one):

* ``unended_placement_later_placement`` - a placement with no end date although the child has
  a later placement (the move was recorded, the old placement not ended);
* ``unended_placement_episode_ended`` - a placement with no end date although its period of
  care (``clap_cla_id``) has ceased (its latest episode has a ceased date);
* ``unended_placement_aged_18`` - a placement with no end date for a young person now 18 or
  over; their episode was left open too, which is what inflated the count of children looked
  after in July and August 2014 (most are planted then);
* ``stale_early_help`` - an early help episode open for more than 12 months at the extract
  end that the cleansing exercise has not closed yet;
* ``future_date`` - a record dated after the extract end (extra records);
* ``event_before_birth`` - a record dated before the child's date of birth (the date of birth
  was keyed wrongly, so every earlier record of that child is listed);
* ``end_before_start`` - an end date before its start date;
* ``duplicate_id`` - an identifier that appears twice in a file (the second row is a copy);
* ``missing_person`` - a record whose person id is not in ``ssd_person``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import NO_DATE, add_months1, from_day, to_day
from .calibration import CLEANSING
from .looked_after import AGE_18_REASONS, LookedAfter
from .world import World
from .writer import DATE_COLUMNS, PRIMARY_KEYS

# How many of each (scale 1); "dozens of each".
PLANTS = {
    "unended_placement_later_placement": 24,
    "unended_placement_episode_ended": 24,
    "unended_placement_aged_18": 24,
    "event_before_birth": 12,  # people; each lists every record dated before the new birth date
    "end_before_start": {
        "ssd_cin_episodes": 10,
        "ssd_s47_enquiry": 8,
        "ssd_cin_assessments": 6,
        "ssd_early_help_episodes": 6,
    },
    "missing_person": {"ssd_contacts": 12, "ssd_cin_episodes": 8, "ssd_early_help_episodes": 10},
    "future_date": {
        "ssd_contacts": 12,
        "ssd_cin_episodes": 6,
        "ssd_cp_visits": 10,
        "ssd_cla_reviews": 8,
    },
    "duplicate_id": {
        "ssd_person": 4,
        "ssd_contacts": 8,
        "ssd_cin_episodes": 6,
        "ssd_cin_assessments": 4,
        "ssd_cp_visits": 6,
        "ssd_cla_reviews": 4,
        "ssd_early_help_episodes": 4,
    },
}
PLACEMENT_PROBLEMS_FROM = to_day("2014-07-01")  # the months the report says were inflated
END_PAIRS = {
    "ssd_cin_episodes": ("cine_referral_date", "cine_close_date"),
    "ssd_cin_assessments": ("cina_assessment_start_date", "cina_assessment_auth_date"),
    "ssd_s47_enquiry": ("s47e_s47_start_date", "s47e_s47_end_date"),
    "ssd_early_help_episodes": ("earl_episode_start_date", "earl_episode_end_date"),
}
PERSON_COLUMNS = {
    "ssd_contacts": "cont_person_id",
    "ssd_cin_episodes": "cine_person_id",
    "ssd_early_help_episodes": "earl_person_id",
}


def _iso(day: int) -> str:
    return from_day(day).isoformat()


class Planter:
    def __init__(self, world: World, tables: dict[str, pd.DataFrame], cla: LookedAfter):
        self.w = world
        self.t = tables
        self.cla = cla
        self.rng = world.rng("problems")
        self.manifest: list[tuple[str, str, str, str]] = []
        self.used: dict[str, set] = {name: set() for name in tables}  # record ids already planted
        self.used_children: set[int] = set()

    def n(self, count: int) -> int:
        return self.w.scaled(count)

    def note(self, table: str, record_id: str, kind: str, detail: str):
        self.manifest.append((table, record_id, kind, detail))
        self.used[table].add(record_id)

    def plant_all(self) -> pd.DataFrame:
        self.unended_placements()
        self.event_before_birth()
        self.end_before_start()
        self.missing_person()
        self.future_dates()
        self.stale_early_help()
        self.duplicate_ids()  # last, so the copies carry the final content
        manifest = pd.DataFrame(self.manifest, columns=["table", "record_id", "kind", "detail"])
        return manifest.sort_values(["table", "kind", "record_id"], kind="stable").reset_index(
            drop=True
        )

    # --- placements -------------------------------------------------------------------------
    def unended_placements(self):
        w, rng = self.w, self.rng
        pl = self.t["ssd_cla_placement"]
        ep = self.t["ssd_cla_episodes"]
        periods = self.cla.periods
        pop = w.pop
        period_open = np.array([p.end > w.end_day for p in periods])
        single_episode = np.array([p.status_change == NO_DATE for p in periods])
        designed = np.array([p.designed for p in periods], dtype=object)
        last_start = pl.groupby("_child")["clap_cla_placement_start_date"].max()
        child_last_start = last_start.reindex(pl["_child"]).to_numpy()
        protected = self.cla.stability_children
        adult = pop.eighteenth[pl["_child"].to_numpy()] <= w.end_day
        start = pl["clap_cla_placement_start_date"].to_numpy()
        end = pl["clap_cla_placement_end_date"].to_numpy()
        per = pl["_period"].to_numpy()
        child = pl["_child"].to_numpy()
        ok_child = ~np.isin(child, list(protected))

        def prefer(candidates, when):
            """Most in July/August 2014, the rest the most recent before."""
            candidates = np.asarray(candidates)
            when = np.asarray(when)
            recent = candidates[when >= PLACEMENT_PROBLEMS_FROM]
            older = candidates[when < PLACEMENT_PROBLEMS_FROM][
                np.argsort(-when[when < PLACEMENT_PROBLEMS_FROM], kind="stable")
            ]
            return np.concatenate([recent[rng.permutation(len(recent))], older])

        def take(rows, count):
            chosen, children = [], set()
            for r in rows:
                c = int(child[r])
                if c in self.used_children or c in children:
                    continue
                chosen.append(int(r))
                children.add(c)
                if len(chosen) == count:
                    break
            self.used_children.update(children)
            return chosen

        # The move to a new placement was recorded, the old one never ended.
        cand = np.flatnonzero(
            ~pl["_last"].to_numpy()
            & period_open[per]
            & single_episode[per]
            & ~adult
            & ok_child
            & (designed[per] == "")
        )
        for r in take(prefer(cand, end[cand]), self.n(PLANTS["unended_placement_later_placement"])):
            self.note(
                "ssd_cla_placement",
                pl.at[r, "clap_cla_placement_id"],
                "unended_placement_later_placement",
                f"no end date; the child moved to a later placement on {_iso(end[r])}",
            )
            pl.at[r, "clap_cla_placement_end_date"] = NO_DATE
            pl.at[r, "clap_cla_placement_change_reason"] = ""
        # The child went home, the care episode was ceased, the placement left open.
        ceased = ~period_open[per] & (child_last_start == start)
        cand = np.flatnonzero(
            pl["_last"].to_numpy() & ceased & ~adult & ok_child & (designed[per] == "")
        )
        for r in take(prefer(cand, end[cand]), self.n(PLANTS["unended_placement_episode_ended"])):
            self.note(
                "ssd_cla_placement",
                pl.at[r, "clap_cla_placement_id"],
                "unended_placement_episode_ended",
                f"no end date; the period of care {pl.at[r, 'clap_cla_id']}"
                f" ceased on {_iso(end[r])}",
            )
            pl.at[r, "clap_cla_placement_end_date"] = NO_DATE
            pl.at[r, "clap_cla_placement_change_reason"] = ""
        # Left care at 18, nothing ended: the young person still counts as looked after.
        at_18 = np.array(
            [p.end == pop.eighteenth[p.child] and p.end_reason in AGE_18_REASONS for p in periods]
        )
        cand = np.flatnonzero(
            pl["_last"].to_numpy() & at_18[per] & adult & (child_last_start == start)
        )
        for r in take(prefer(cand, end[cand]), self.n(PLANTS["unended_placement_aged_18"])):
            self.note(
                "ssd_cla_placement",
                pl.at[r, "clap_cla_placement_id"],
                "unended_placement_aged_18",
                f"no end date; the young person turned 18 on {_iso(end[r])}"
                " (care episode left open too)",
            )
            pl.at[r, "clap_cla_placement_end_date"] = NO_DATE
            pl.at[r, "clap_cla_placement_change_reason"] = ""
            last_ep = ep.index[(ep["_period"] == per[r]) & ep["_last"]][0]
            ep.at[last_ep, "clae_cla_episode_ceased_date"] = NO_DATE
            ep.at[last_ep, "clae_cla_episode_ceased_reason"] = ""

    # --- dates ----------------------------------------------------------------------------
    def event_before_birth(self):
        """A wrongly keyed date of birth, later than the child's first records."""
        w, rng = self.w, self.rng
        persons = self.t["ssd_person"]
        light = ["ssd_contacts", "ssd_cin_episodes", "ssd_cin_assessments"]
        heavy = [
            "ssd_s47_enquiry",
            "ssd_cp_plans",
            "ssd_cla_placement",
            "ssd_early_help_episodes",
            "ssd_cla_episodes",
            "ssd_initial_cp_conference",
        ]
        busy = set()
        for name in heavy:
            busy.update(self.t[name]["_child"].tolist())
        first = (
            pd.concat(
                [
                    self.t["ssd_contacts"][["_child", "cont_contact_date"]].set_axis(
                        ["child", "day"], axis=1
                    ),
                    self.t["ssd_cin_episodes"][["_child", "cine_referral_date"]].set_axis(
                        ["child", "day"], axis=1
                    ),
                ]
            )
            .groupby("child")["day"]
            .min()
        )
        first = first[(first >= w.start_day + 60) & (first <= w.end_day - 150)]
        candidates = [
            c for c in first.index.tolist() if c not in busy and c not in self.used_children
        ]
        for i in _some(rng, np.arange(len(candidates)), self.n(PLANTS["event_before_birth"])):
            c = candidates[i]
            new_dob = int(first[c]) + int(rng.integers(5, 121))
            self.used_children.add(c)
            old = int(persons.at[c, "pers_dob"])
            persons.at[c, "pers_dob"] = new_dob
            for name in light:
                frame = self.t[name]
                key = PRIMARY_KEYS[name]
                rows = frame.index[frame["_child"] == c]
                for r in rows:
                    dates = {
                        col: int(frame.at[r, col])
                        for col in frame.columns
                        if col in DATE_COLUMNS and frame.at[r, col] != NO_DATE
                    }
                    early = {col: d for col, d in dates.items() if d < new_dob}
                    if early:
                        col, d = min(early.items(), key=lambda kv: kv[1])
                        self.note(
                            name,
                            frame.at[r, key],
                            "event_before_birth",
                            f"{col} {_iso(d)} is before the date of birth {_iso(new_dob)}"
                            f" (was {_iso(old)})",
                        )

    def end_before_start(self):
        rng = self.rng
        dob = self.t["ssd_person"]["pers_dob"].to_numpy()
        for name, count in PLANTS["end_before_start"].items():
            frame = self.t[name]
            start_col, end_col = END_PAIRS[name]
            key = PRIMARY_KEYS[name]
            s = frame[start_col].to_numpy()
            e = frame[end_col].to_numpy()
            ok = (
                (e != NO_DATE)
                & (s - 40 > dob[frame["_child"].to_numpy()])
                & ~frame[key].isin(self.used[name]).to_numpy()
            )
            ok &= ~frame["_child"].isin(self.used_children).to_numpy()
            if name == "ssd_early_help_episodes":  # ordinarily closed, before any cleansing
                ok &= (frame["_kind"] == "ordinary").to_numpy() & (e < to_day(CLEANSING.start))
            rows = _some(rng, np.flatnonzero(ok), self.n(count))
            for r in np.sort(rows):
                new_end = int(s[r]) - int(rng.integers(1, 31))
                frame.at[frame.index[r], end_col] = new_end
                self.note(
                    name,
                    frame.at[frame.index[r], key],
                    "end_before_start",
                    f"{end_col} {_iso(new_end)} is before {start_col} {_iso(int(s[r]))}",
                )

    def missing_person(self):
        w, rng = self.w, self.rng
        width = w.pop.id_width
        next_number = w.pop.n + 50_001
        for name, count in PLANTS["missing_person"].items():
            frame = self.t[name]
            key = PRIMARY_KEYS[name]
            ok = (
                ~frame[key].isin(self.used[name]).to_numpy()
                & ~frame["_child"].isin(self.used_children).to_numpy()
            )
            if name == "ssd_cin_episodes":
                ok &= frame["_quiet"].to_numpy()  # nothing else hangs off the referral
            if name == "ssd_early_help_episodes":
                ok &= (frame["_kind"] == "ordinary").to_numpy()
            for r in _some(rng, np.flatnonzero(ok), self.n(count)):
                idx = frame.index[r]
                ghost = f"P{next_number:0{width}d}"
                next_number += 1
                self.note(
                    name,
                    frame.at[idx, key],
                    "missing_person",
                    f"{PERSON_COLUMNS[name]} {ghost} is not in ssd_person",
                )
                frame.at[idx, PERSON_COLUMNS[name]] = ghost

    def future_dates(self):
        """Records keyed with a date after the extract was taken (extra rows)."""
        w, rng = self.w, self.rng
        end = w.end_day
        for name, wanted in PLANTS["future_date"].items():
            frame = self.t[name]
            key = PRIMARY_KEYS[name]
            fresh = ~frame[key].isin(self.used[name]) & ~frame["_child"].isin(self.used_children)
            if name == "ssd_contacts":  # a contact keyed up to a year ahead
                base = frame[fresh]
                rows = base.iloc[_some(rng, np.arange(len(base)), self.n(wanted))].copy()
                date_col, ahead = "cont_contact_date", 366
            elif name == "ssd_cin_episodes":  # a referral dated ahead, nothing else yet
                base = frame[frame["_quiet"] & fresh]
                rows = base.iloc[_some(rng, np.arange(len(base)), self.n(wanted))].copy()
                rows["cine_close_date"] = NO_DATE
                rows["cine_close_reason"] = ""
                date_col, ahead = "cine_referral_date", 61
            elif name == "ssd_cp_visits":  # a planned visit recorded as made
                plans = self.t["ssd_cp_plans"]
                open_plans = plans[plans["cppl_cp_plan_end_date"] == NO_DATE]
                chosen = open_plans.iloc[_some(rng, np.arange(len(open_plans)), self.n(wanted))]
                rows = frame.iloc[: len(chosen)].copy()
                rows["cppv_person_id"] = chosen["cppl_person_id"].to_numpy()
                rows["cppv_cp_plan_id"] = chosen["cppl_cp_plan_id"].to_numpy()
                rows["_child"] = chosen["_child"].to_numpy()
                rows["cppv_cp_visit_seen"] = "Y"
                date_col, ahead = "cppv_cp_visit_date", 21
            else:  # a CLA review for a child still looked after, recorded as held ahead
                ep = self.t["ssd_cla_episodes"]
                live = ep[
                    ep["_last"]
                    & (ep["clae_cla_episode_ceased_date"] == NO_DATE)
                    & (w.pop.eighteenth[ep["_child"].to_numpy()] > end)
                ]
                chosen = live.iloc[_some(rng, np.arange(len(live)), self.n(wanted))]
                rows = frame.iloc[: len(chosen)].copy()
                rows["clar_cla_id"] = chosen["clae_cla_id"].to_numpy()
                rows["clar_person_id"] = chosen["clae_person_id"].to_numpy()
                rows["_child"] = chosen["_child"].to_numpy()
                rows["clar_cla_review_due_date"] = NO_DATE
                date_col, ahead = "clar_cla_review_date", 61
            if rows.empty:
                continue
            days = end + rng.integers(1, ahead, len(rows))
            prefix = frame[key].iloc[0].rstrip("0123456789")
            width = len(frame[key].iloc[0]) - len(prefix)
            top = int(str(frame[key].max())[len(prefix) :])  # ids are fixed width
            rows[key] = [f"{prefix}{top + i + 1:0{width}d}" for i in range(len(rows))]
            rows[date_col] = days
            for rid, d in zip(rows[key], days, strict=True):
                self.note(
                    name,
                    rid,
                    "future_date",
                    f"{date_col} {_iso(int(d))} is after the extract end {_iso(end)}",
                )
            self.t[name] = pd.concat([frame, rows], ignore_index=True)

    def stale_early_help(self):
        frame = self.t["ssd_early_help_episodes"]
        threshold = add_months1(self.w.end_day, -12)
        stale = frame[
            (frame["earl_episode_end_date"] == NO_DATE)
            & (frame["earl_episode_start_date"] < threshold)
        ]
        for rid, start, loc in zip(
            stale["earl_episode_id"],
            stale["earl_episode_start_date"],
            stale["earl_episode_locality"],
            strict=True,
        ):
            self.note(
                "ssd_early_help_episodes",
                rid,
                "stale_early_help",
                f"open since {_iso(int(start))} ({loc}); not yet closed by the cleansing exercise",
            )

    def duplicate_ids(self):
        rng = self.rng
        for name, count in PLANTS["duplicate_id"].items():
            frame = self.t[name]
            key = PRIMARY_KEYS[name]
            ok = np.flatnonzero(~frame[key].isin(self.used[name]).to_numpy())
            rows = frame.iloc[_some(rng, ok, self.n(count))]
            for rid in rows[key]:
                self.note(
                    name,
                    rid,
                    "duplicate_id",
                    f"{key} {rid} appears twice (the second row is a copy)",
                )
            self.t[name] = pd.concat([frame, rows], ignore_index=True)


def _some(rng, candidates: np.ndarray, count: int) -> np.ndarray:
    """Up to ``count`` of the candidates, at random, in their original order."""
    candidates = np.asarray(candidates)
    if len(candidates) <= count:
        return candidates
    return np.sort(rng.choice(candidates, count, replace=False))
