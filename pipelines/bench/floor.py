"""The floor: the board pack indicators computed directly in one DuckDB process from the CSVs.

It serves twice. The generator's tests recompute seed figures with it (tests/floor_indicators.py
re-exports this module), and the benchmark (pipelines.bench) times it as the lower bound a
pipeline could reach: read the 13 files, compute every indicator for every reporting month,
nothing else (no contract checks, quarantine, quality checks or pack).

Each function computes one indicator for one reporting month straight from the SSD CSV files
with DuckDB SQL, written directly from reference/indicators.md and deliberately independent of
the generator's code. Conventions, as there:

* "as at" the last day of the month M: records dated after it are ignored;
* working_days(a, b) counts Monday-Friday non-bank-holiday days d with a < d <= b;
* "within N months of X" means on or before X + N calendar months (end-of-month clipping);
* snapshot counts count distinct children; percentages are 100 x numerator / denominator;
* a timeliness measure leaves out a record that cannot be timed (the event it is timed from is
  missing, not linked, or dated after the record itself).

It implements the indicators it knows (INDICATORS); an indicator added to the catalogue is not
an edit here: the floor computes what it can and says which catalogue codes it left out.

Loading follows the ingest's rule for duplicated identifiers: the first row is kept.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from pathlib import Path

import duckdb
import holidays
import pandas as pd  # only for calendar-month arithmetic

from pipelines.contract import load_contract

# each table's identifier, from the extract contract
PRIMARY_KEYS = {t.name: t.primary_key[0] for t in load_contract().tables}
STEP_DOWN_REASONS = {
    "ia": "Step down from initial assessment",
    "core": "Step down from core assessment",
    "cin": "Step down from CIN",
    "other": "Step down from other social care",
}


def _is_date_column(name: str) -> bool:
    return name.endswith(("_date", "_dob", "_due"))


def month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, _calendar.monthrange(y, m)[1])


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def load(extract_dir: Path, con: duckdb.DuckDBPyConnection | None = None):
    """Load the 13 files (first row of a duplicated id wins), population and a work calendar.

    The files are read with DuckDB's read_csv straight from disk, every column as text; dates
    are cast the way the ingest does, blanks are NULL.
    """
    con = con or duckdb.connect()
    for table, key in PRIMARY_KEYS.items():
        path = str(Path(extract_dir) / f"{table}.csv").replace("'", "''")
        source = f"read_csv('{path}', all_varchar = true, header = true, delim = ',', quote = '\"')"
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        select = ", ".join(
            f"TRY_CAST(NULLIF({c}, '') AS DATE) AS {c}"
            if _is_date_column(c)
            else f"NULLIF({c}, '') AS {c}"
            for c in columns
        )
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {table} AS
            WITH numbered AS (SELECT *, row_number() OVER () AS _line FROM {source})
            SELECT {select} FROM numbered
            QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _line) = 1
            ORDER BY _line
            """
        )
    path = str(Path(extract_dir) / "population.csv").replace("'", "''")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE population AS
        SELECT CAST(year AS INTEGER) AS year, CAST(population_0_17 AS DOUBLE) AS population_0_17
        FROM read_csv('{path}', header = true)
        """
    )
    # Work calendar: rank = number of working days on or before d.
    first, last = dt.date(1985, 1, 1), dt.date(2030, 12, 31)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    con.execute("CREATE OR REPLACE TEMP TABLE bank_holidays (d DATE)")
    con.executemany("INSERT INTO bank_holidays VALUES (?)", [[d] for d in sorted(bank)])
    con.execute(
        """
        CREATE OR REPLACE TABLE cal AS
        SELECT CAST(day AS DATE) AS d,
               CAST(sum(CASE WHEN isodow(day) < 6
                              AND CAST(day AS DATE) NOT IN (SELECT d FROM bank_holidays)
                             THEN 1 ELSE 0 END) OVER (ORDER BY day) AS INTEGER) AS wd_rank
        FROM generate_series(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 DAY)
             AS t (day)
        """,
        [first, last],
    )
    con.execute(
        """
        CREATE OR REPLACE MACRO working_days(a, b) AS
            (SELECT wd_rank FROM cal WHERE d = b) - (SELECT wd_rank FROM cal WHERE d = a)
        """
    )
    return con


def _one(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchone()


# --- counts ---------------------------------------------------------------------------------
def caf_step_downs(con, month: str, reason: str) -> int:
    return _one(
        con,
        """
        SELECT count(*) FROM ssd_early_help_episodes
        WHERE earl_episode_start_date BETWEEN ? AND ? AND lower(earl_episode_reason) = lower(?)
        """,
        [month_start(month), month_end(month), reason],
    )[0]


def caf_step_downs_between(con, first: str, last: str) -> dict[str, int]:
    rows = con.execute(
        """
        SELECT lower(earl_episode_reason), count(*) FROM ssd_early_help_episodes
        WHERE earl_episode_start_date BETWEEN ? AND ? GROUP BY 1
        """,
        [month_start(first), month_end(last)],
    ).fetchall()
    found = dict(rows)
    return {code: found.get(reason.lower(), 0) for code, reason in STEP_DOWN_REASONS.items()}


def contacts(con, month: str) -> int:
    return _one(
        con,
        "SELECT count(*) FROM ssd_contacts WHERE cont_contact_date BETWEEN ? AND ?",
        [month_start(month), month_end(month)],
    )[0]


def referrals(con, month: str) -> int:
    return _one(
        con,
        "SELECT count(*) FROM ssd_cin_episodes WHERE cine_referral_date BETWEEN ? AND ?",
        [month_start(month), month_end(month)],
    )[0]


def population(con, month: str) -> float:
    return _one(con, "SELECT population_0_17 FROM population WHERE year = ?", [int(month[:4])])[0]


def _twelve_months_to(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of the 12 months ending with ``month``."""
    first = (pd.Timestamp(month_start(month)) - pd.DateOffset(months=11)).date()
    return first, month_end(month)


def referrals_rate_rolling12(con, month: str) -> float:
    count = _one(
        con,
        "SELECT count(*) FROM ssd_cin_episodes WHERE cine_referral_date BETWEEN ? AND ?",
        list(_twelve_months_to(month)),
    )[0]
    return round(count / population(con, month) * 10000, 2)


def cp_children(con, month: str) -> int:
    return _one(
        con,
        """
        SELECT count(DISTINCT cppl_person_id) FROM ssd_cp_plans
        WHERE cppl_cp_plan_start_date <= ?
          AND (cppl_cp_plan_end_date IS NULL OR cppl_cp_plan_end_date > ?)
        """,
        [month_end(month)] * 2,
    )[0]


def cp_children_rate(con, month: str) -> float:
    return round(cp_children(con, month) / population(con, month) * 10000, 2)


def icpc_held(con, month: str) -> int:
    return _one(
        con,
        "SELECT count(*) FROM ssd_initial_cp_conference WHERE icpc_icpc_date BETWEEN ? AND ?",
        [month_start(month), month_end(month)],
    )[0]


def icpc_transfer_ins(con, month: str) -> int:
    return _one(
        con,
        """
        SELECT count(*) FROM ssd_initial_cp_conference
        WHERE icpc_icpc_date BETWEEN ? AND ? AND upper(icpc_icpc_transfer_in) = 'Y'
        """,
        [month_start(month), month_end(month)],
    )[0]


def caf_cleansing_closed(con, first: str, last: str) -> int:
    return _one(
        con,
        """
        SELECT count(*) FROM ssd_early_help_episodes
        WHERE lower(earl_episode_end_reason) = 'data cleansing'
          AND earl_episode_end_date BETWEEN ? AND ?
        """,
        [month_start(first), month_end(last)],
    )[0]


def caf_cleansing_localities(
    con, cleansing_start=dt.date(2014, 5, 1), report_end=dt.date(2014, 8, 31), stale_months=12
) -> dict[str, float]:
    """% of each locality's stale backlog (as at the start of the exercise) closed since."""
    rows = con.execute(
        f"""
        WITH backlog AS (
            SELECT earl_episode_locality AS locality, earl_episode_end_date AS ended
            FROM ssd_early_help_episodes
            WHERE earl_episode_start_date
                  < CAST(CAST(? AS DATE) - INTERVAL {int(stale_months)} MONTH AS DATE)
              AND (earl_episode_end_date IS NULL OR earl_episode_end_date > ?)
        )
        SELECT locality, count(*) AS stale, count(*) FILTER (WHERE ended <= ?) AS closed
        FROM backlog GROUP BY locality ORDER BY locality
        """,
        [cleansing_start, cleansing_start, report_end],
    ).fetchall()
    return {loc: round(100.0 * closed / stale, 2) for loc, stale, closed in rows}


# --- percentages ----------------------------------------------------------------------------
def rcpc_timely(con, months: list[str]) -> tuple[int, int]:
    """Review conferences held in the months: first within 3 months of the plan start, each
    later one within 6 months of the previous review."""
    last_day = month_end(months[-1])
    return _one(
        con,
        """
        WITH reviews AS (
            SELECT r.cppr_cp_review_date AS held, p.cppl_cp_plan_start_date AS plan_start,
                   lag(r.cppr_cp_review_date) OVER (
                       PARTITION BY r.cppr_cp_plan_id
                       ORDER BY r.cppr_cp_review_date, r.cppr_cp_review_id
                   ) AS previous
            FROM ssd_cp_reviews r JOIN ssd_cp_plans p ON p.cppl_cp_plan_id = r.cppr_cp_plan_id
            WHERE r.cppr_cp_review_date <= ?
        )
        SELECT count(*) FILTER (WHERE CASE
                   WHEN previous IS NULL THEN held <= CAST(plan_start + INTERVAL 3 MONTH AS DATE)
                   ELSE held <= CAST(previous + INTERVAL 6 MONTH AS DATE) END),
               count(*)
        FROM reviews WHERE held BETWEEN ? AND ?
          AND (previous IS NOT NULL OR plan_start <= held)  -- first review before its plan: untimed
        """,
        [last_day, month_start(months[0]), last_day],
    )


def cp_visits_timely(con, month: str) -> tuple[int, int]:
    """Children on a plan at month end (started at least 10 working days before) seen on a
    visit in the last 10 working days up to the month end."""
    end = month_end(month)
    return _one(
        con,
        """
        WITH eligible AS (
            SELECT DISTINCT cppl_person_id AS child FROM ssd_cp_plans
            WHERE cppl_cp_plan_start_date <= $1
              AND (cppl_cp_plan_end_date IS NULL OR cppl_cp_plan_end_date > $1)
              AND working_days(cppl_cp_plan_start_date, $1) >= 10
        ), seen AS (
            SELECT DISTINCT cppv_person_id AS child FROM ssd_cp_visits
            WHERE cppv_cp_visit_date <= $1 AND working_days(cppv_cp_visit_date, $1) <= 10
              AND upper(cppv_cp_visit_seen) = 'Y'
        )
        SELECT count(*) FILTER (WHERE s.child IS NOT NULL), count(*)
        FROM eligible e LEFT JOIN seen s USING (child)
        """,
        [end],
    )


def _looked_after_at(end_param: str) -> str:
    """Children looked after at the date: an episode open on it, with their period's start."""
    return f"""
        periods AS (
            SELECT clae_cla_id, min(clae_cla_episode_start_date) AS period_start
            FROM ssd_cla_episodes
            WHERE clae_cla_episode_start_date <= {end_param} GROUP BY clae_cla_id
        ), looked_after AS (
            SELECT DISTINCT e.clae_person_id AS child, p.period_start
            FROM ssd_cla_episodes e JOIN periods p USING (clae_cla_id)
            WHERE e.clae_cla_episode_start_date <= {end_param}
              AND (e.clae_cla_episode_ceased_date IS NULL
                   OR e.clae_cla_episode_ceased_date > {end_param})
        )"""


def cla_stability_long(con, month: str) -> tuple[int, int]:
    """Looked after at month end, under 16, in care 2.5 years or more: share in the current
    placement (latest started on or before month end) for 2 years or more."""
    end = month_end(month)
    return _one(
        con,
        f"""
        WITH {_looked_after_at("$1")},
        current_placement AS (
            SELECT clap_person_id AS child, max(clap_cla_placement_start_date) AS placed
            FROM ssd_cla_placement WHERE clap_cla_placement_start_date <= $1 GROUP BY clap_person_id
        ), cohort AS (
            SELECT l.child, c.placed FROM looked_after l
            JOIN ssd_person p ON p.pers_person_id = l.child
            JOIN current_placement c ON c.child = l.child
            WHERE CAST(p.pers_dob + INTERVAL 16 YEAR AS DATE) > $1
              AND l.period_start <= CAST($1 - INTERVAL 30 MONTH AS DATE)
        )
        SELECT count(*) FILTER (WHERE placed <= CAST($1 - INTERVAL 24 MONTH AS DATE)), count(*)
        FROM cohort
        """,
        [end],
    )


def cla_reviews_timely(con, month: str) -> tuple[int, int]:
    """CLA reviews held in M: first within 20 working days of the start of the period of care,
    second within 3 months of the first, later ones within 6 months of the previous one."""
    end = month_end(month)
    return _one(
        con,
        """
        WITH periods AS (
            SELECT clae_cla_id, min(clae_cla_episode_start_date) AS period_start
            FROM ssd_cla_episodes GROUP BY clae_cla_id
        ), reviews AS (
            SELECT r.clar_cla_review_date AS held, p.period_start,
                   row_number() OVER w AS ordinal, lag(r.clar_cla_review_date) OVER w AS previous
            FROM ssd_cla_reviews r JOIN periods p ON p.clae_cla_id = r.clar_cla_id
            WHERE r.clar_cla_review_date <= $2
            WINDOW w AS (
                PARTITION BY r.clar_cla_id ORDER BY r.clar_cla_review_date, r.clar_cla_review_id
            )
        )
        SELECT count(*) FILTER (WHERE CASE
                   WHEN ordinal = 1 THEN working_days(period_start, held) <= 20
                   WHEN ordinal = 2 THEN held <= CAST(previous + INTERVAL 3 MONTH AS DATE)
                   ELSE held <= CAST(previous + INTERVAL 6 MONTH AS DATE) END),
               count(*)
        FROM reviews WHERE held BETWEEN $1 AND $2
          AND (ordinal > 1 OR period_start <= held)  -- a first review before its care: untimed
        """,
        [month_start(month), end],
    )


# --- beyond the seed (plausibility) ----------------------------------------------------------
def cla_children(con, month: str) -> int:
    return _one(
        con,
        f"WITH {_looked_after_at('$1')} SELECT count(DISTINCT child) FROM looked_after",
        [month_end(month)],
    )[0]


def ia_timely(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        """
        SELECT count(*) FILTER (
                   WHERE working_days(e.cine_referral_date, a.cina_assessment_auth_date) <= 10),
               count(*)
        FROM ssd_cin_assessments a
        JOIN ssd_cin_episodes e ON e.cine_referral_id = a.cina_referral_id
        WHERE a.cina_assessment_type = 'initial' AND a.cina_assessment_auth_date BETWEEN ? AND ?
          AND e.cine_referral_date <= a.cina_assessment_auth_date
        """,
        [month_start(month), month_end(month)],
    )


def ca_timely(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        """
        SELECT count(*) FILTER (
                   WHERE working_days(cina_assessment_start_date, cina_assessment_auth_date) <= 35),
               count(*)
        FROM ssd_cin_assessments
        WHERE cina_assessment_type = 'core' AND cina_assessment_auth_date BETWEEN ? AND ?
          AND cina_assessment_start_date <= cina_assessment_auth_date
        """,
        [month_start(month), month_end(month)],
    )


def icpc_timely(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        """
        SELECT count(*) FILTER (WHERE working_days(s.s47e_s47_start_date, c.icpc_icpc_date) <= 15),
               count(*)
        FROM ssd_initial_cp_conference c
        JOIN ssd_s47_enquiry s ON s.s47e_s47_enquiry_id = c.icpc_s47_enquiry_id
        WHERE c.icpc_icpc_date BETWEEN ? AND ? AND s.s47e_s47_start_date <= c.icpc_icpc_date
          AND upper(coalesce(c.icpc_icpc_transfer_in, 'N')) <> 'Y'
        """,
        [month_start(month), month_end(month)],
    )


def rereferrals_12m(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        """
        SELECT count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM ssd_cin_episodes b WHERE b.cine_person_id = a.cine_person_id
                   AND b.cine_referral_date < a.cine_referral_date
                   AND b.cine_referral_date
                       >= CAST(a.cine_referral_date - INTERVAL 12 MONTH AS DATE))),
               count(*)
        FROM ssd_cin_episodes a WHERE a.cine_referral_date BETWEEN ? AND ?
        """,
        [month_start(month), month_end(month)],
    )


def cp_repeat(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        """
        SELECT count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM ssd_cp_plans b WHERE b.cppl_person_id = a.cppl_person_id
                   AND b.cppl_cp_plan_start_date < a.cppl_cp_plan_start_date)),
               count(*)
        FROM ssd_cp_plans a WHERE a.cppl_cp_plan_start_date BETWEEN ? AND ?
        """,
        list(_twelve_months_to(month)),
    )


def cla_stability_short(con, month: str) -> tuple[int, int]:
    end = month_end(month)
    return _one(
        con,
        f"""
        WITH {_looked_after_at("$1")},
        moves AS (
            SELECT clap_person_id AS child, count(*) AS placements FROM ssd_cla_placement
            WHERE clap_cla_placement_start_date <= $1
              AND clap_cla_placement_start_date > CAST($1 - INTERVAL 12 MONTH AS DATE)
            GROUP BY 1
        )
        SELECT count(*) FILTER (WHERE coalesce(m.placements, 0) >= 3), count(*)
        FROM looked_after l LEFT JOIN moves m USING (child)
        """,
        [end],
    )


# --- the rest of the 23 (from the indicator definitions, for the benchmark) -------------------
def _assessment_type() -> str:
    # blank or absent type means a single assessment
    return "coalesce(NULLIF(lower(trim(cina_assessment_type)), ''), 'single')"


def _assessments_authorised(con, month: str, kind: str, condition: str = "TRUE") -> int:
    """Assessments of a kind ('initial', 'core') authorised in the month and meeting condition."""
    return _one(
        con,
        f"""
        SELECT count(*) FROM ssd_cin_assessments
        WHERE {_assessment_type()} = ? AND cina_assessment_auth_date BETWEEN ? AND ?
          AND ({condition})
        """,
        [kind, month_start(month), month_end(month)],
    )[0]


def ia_completed(con, month: str) -> int:
    return _assessments_authorised(con, month, "initial")


def ca_completed(con, month: str) -> int:
    return _assessments_authorised(con, month, "core")


def ca_over_61(con, month: str) -> int:
    # over 60 working days from start to authorisation: day 61 or later
    over_60 = "working_days(cina_assessment_start_date, cina_assessment_auth_date) > 60"
    return _assessments_authorised(con, month, "core", over_60)


def s47_started(con, month: str) -> int:
    return _one(
        con,
        "SELECT count(*) FROM ssd_s47_enquiry WHERE s47e_s47_start_date BETWEEN ? AND ?",
        [month_start(month), month_end(month)],
    )[0]


def referrals_to_ia(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        f"""
        SELECT count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM ssd_cin_assessments a
                   WHERE a.cina_referral_id = r.cine_referral_id
                     AND {_assessment_type()} = 'initial'
                     AND a.cina_assessment_start_date <= $2)),
               count(*)
        FROM ssd_cin_episodes r WHERE r.cine_referral_date BETWEEN $1 AND $2
        """,
        [month_start(month), month_end(month)],
    )


def cp_plans_2yrs(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        """
        SELECT count(*) FILTER (
                   WHERE cppl_cp_plan_end_date >= cppl_cp_plan_start_date + INTERVAL 2 YEAR),
               count(*)
        FROM ssd_cp_plans WHERE cppl_cp_plan_end_date BETWEEN ? AND ?
          AND cppl_cp_plan_start_date <= cppl_cp_plan_end_date
        """,
        list(_twelve_months_to(month)),
    )


def assessments_timely_45(con, month: str) -> tuple[int, int]:
    return _one(
        con,
        f"""
        SELECT count(*) FILTER (
                   WHERE working_days(r.cine_referral_date, a.cina_assessment_auth_date) <= 45),
               count(*)
        FROM ssd_cin_assessments a
        JOIN ssd_cin_episodes r ON r.cine_referral_id = a.cina_referral_id
        WHERE {_assessment_type()} = 'single' AND a.cina_assessment_auth_date BETWEEN $1 AND $2
          AND r.cine_referral_date <= a.cina_assessment_auth_date
        """,
        [month_start(month), month_end(month)],
    )


# --- every indicator for every reporting month -----------------------------------------------
INDICATORS = {
    "assessments_timely_45": assessments_timely_45,
    "ca_completed": ca_completed,
    "ca_over_61": ca_over_61,
    "ca_timely": ca_timely,
    "caf_stepdown_ca": lambda con, m: caf_step_downs(con, m, STEP_DOWN_REASONS["core"]),
    "caf_stepdown_ia": lambda con, m: caf_step_downs(con, m, STEP_DOWN_REASONS["ia"]),
    "cla_children": cla_children,
    "cla_reviews_timely": cla_reviews_timely,
    "cla_stability_long": cla_stability_long,
    "cla_stability_short": cla_stability_short,
    "contacts": contacts,
    "cp_children": cp_children,
    "cp_plans_2yrs": cp_plans_2yrs,
    "cp_repeat": cp_repeat,
    "cp_visits_timely": cp_visits_timely,
    "ia_completed": ia_completed,
    "ia_timely": ia_timely,
    "icpc_timely": icpc_timely,
    "rcpc_timely": lambda con, m: rcpc_timely(con, [m]),
    "referrals": referrals,
    "referrals_to_ia": referrals_to_ia,
    "rereferrals_12m": rereferrals_12m,
    "s47_started": s47_started,
}


def reporting_months(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive, as YYYY-MM."""
    months, y, m = [], int(first[:4]), int(first[5:7])
    while (y, m) <= (int(last[:4]), int(last[5:7])):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def catalogue_codes() -> list[str]:
    """The indicators the pack reports (dbt_project/seeds/ref_indicator_catalogue.csv)."""
    import csv

    from pipelines.settings import DBT_PROJECT_DIR

    with (DBT_PROJECT_DIR / "seeds" / "ref_indicator_catalogue.csv").open(newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def compute_all(
    con, months: list[str], codes: list[str] | None = None
) -> list[tuple[str, str, object]]:
    """(indicator, month, result) for every indicator it implements and month: the floor's
    whole job. `codes` (default: every one it implements) may name indicators it does not
    implement: they are left out (not_implemented says which)."""
    wanted = [c for c in (codes or INDICATORS) if c in INDICATORS]
    return [(code, month, INDICATORS[code](con, month)) for code in wanted for month in months]


def not_implemented(codes: list[str]) -> list[str]:
    return [code for code in codes if code not in INDICATORS]


def run_floor(extract_dir: Path, first_month: str, last_month: str) -> tuple[int, list[str]]:
    """Load the CSVs and compute the catalogue's indicators for every month; returns the
    result count and the catalogue codes the floor does not implement."""
    codes = catalogue_codes()
    con = load(Path(extract_dir))
    try:
        results = compute_all(con, reporting_months(first_month, last_month), codes)
    finally:
        con.close()
    return len(results), not_implemented(codes)
