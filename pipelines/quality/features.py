"""Derived columns the suites assert on, computed in DuckDB so GX only sees narrow frames.

A suite names a column either as it is in ``raw.<table>`` or as a derived column:

- ``<column>__lower``: the value trimmed and in lower case, so code sets compare
  case-insensitively, as the contract says they do.
- ``flag__<column>__unresolved``: the value is filled in but not found in the table and column
  the contract says it references.
- ``flag__<column>__before_birth``: the date is before the child's date of birth.
- ``flag__duplicate_key_quarantined``: another line of the file had the same key and was
  quarantined at load (the record kept is the first one, which may be the wrong one).
- ``flag__<name>`` for the named rules in _named_flags below (unended placements, stale early
  help, overlaps, visits outside a plan).

Every flag is a non-null boolean, true where the record has the problem. Cross-table rules are
correlated EXISTS subqueries on the record (alias ``t``); DuckDB turns them into hash joins, so
a million-row table costs seconds and no Python memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipelines.contract import get_table, load_contract
from pipelines.quality.specs import PERSON_COLUMN

OPEN_END = "DATE '9999-12-31'"


@dataclass(frozen=True)
class Params:
    """Values the rules depend on, fixed once per run."""

    as_at: date  # the date the extract was taken: later dates are in the future
    stale_after_months: int  # an early help episode open longer than this is stale


def _d(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _person_dob(person_expr: str) -> str:
    return f"(SELECT min(p.pers_dob) FROM raw.ssd_person p WHERE p.pers_person_id = {person_expr})"


def _overlap(table: str, person: str, start: str, end: str) -> str:
    # Two periods overlap when each starts before the other ends; an end on the day the other
    # starts is a hand-over, not an overlap. A blank end is still open.
    return f"""EXISTS (
        SELECT 1 FROM raw.{table} o
        WHERE o.{person} = t.{person} AND o._source_line <> t._source_line
          AND o.{start} < coalesce(t.{end}, {OPEN_END})
          AND t.{start} < coalesce(o.{end}, {OPEN_END}))"""


def _named_flags(p: Params) -> dict[str, tuple[str, str]]:
    """flag name -> (table, SQL). Written out per rule: each is a reading of indicators.md."""
    placement_open = "t.clap_cla_placement_end_date IS NULL"
    return {
        "unended_placement_later_placement": (
            "ssd_cla_placement",
            f"""{placement_open} AND EXISTS (
                SELECT 1 FROM raw.ssd_cla_placement o
                WHERE o.clap_person_id = t.clap_person_id
                  AND o.clap_cla_placement_start_date > t.clap_cla_placement_start_date)""",
        ),
        # The period of care (clap_cla_id = clae_cla_id) that holds the placement has
        # episodes, and none of them is still open.
        "unended_placement_episode_ended": (
            "ssd_cla_placement",
            f"""{placement_open} AND EXISTS (
                SELECT 1 FROM raw.ssd_cla_episodes e
                WHERE e.clae_cla_id = t.clap_cla_id
                  AND e.clae_cla_episode_ceased_date IS NOT NULL)
              AND NOT EXISTS (
                SELECT 1 FROM raw.ssd_cla_episodes e
                WHERE e.clae_cla_id = t.clap_cla_id
                  AND e.clae_cla_episode_ceased_date IS NULL)""",
        ),
        "unended_placement_aged_18": (
            "ssd_cla_placement",
            f"""{placement_open} AND EXISTS (
                SELECT 1 FROM raw.ssd_person p
                WHERE p.pers_person_id = t.clap_person_id
                  AND p.pers_dob + INTERVAL 18 YEAR <= {_d(p.as_at)})""",
        ),
        "stale_early_help": (
            "ssd_early_help_episodes",
            f"""t.earl_episode_end_date IS NULL AND t.earl_episode_start_date
                < {_d(p.as_at)} - INTERVAL {int(p.stale_after_months)} MONTH""",
        ),
        "overlapping_cp_plan": (
            "ssd_cp_plans",
            _overlap(
                "ssd_cp_plans",
                "cppl_person_id",
                "cppl_cp_plan_start_date",
                "cppl_cp_plan_end_date",
            ),
        ),
        "overlapping_cla_episode": (
            "ssd_cla_episodes",
            _overlap(
                "ssd_cla_episodes",
                "clae_person_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_ceased_date",
            ),
        ),
        "visit_outside_plan": (
            "ssd_cp_visits",
            """NOT EXISTS (
                SELECT 1 FROM raw.ssd_cp_plans o
                WHERE o.cppl_person_id = t.cppv_person_id
                  AND t.cppv_cp_visit_date >= o.cppl_cp_plan_start_date
                  AND (o.cppl_cp_plan_end_date IS NULL
                       OR t.cppv_cp_visit_date <= o.cppl_cp_plan_end_date))""",
        ),
    }


def _unresolved(table: str, column: str) -> str | None:
    ref = get_table(table).column(column).references
    if not ref:
        return None
    target_table, target_column = ref.split(".", 1)
    if target_table not in load_contract():
        return None  # references a table outside the 13 extracts: nothing to resolve against
    return f"""t.{q(column)} IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM raw.{q(target_table)} r WHERE r.{q(target_column)} = t.{q(column)})"""


def _before_birth(table: str, column: str) -> str | None:
    person = PERSON_COLUMN.get(table)
    if table == "ssd_person" or person is None:
        return None
    if get_table(table).column(column).logical_type != "date":
        return None
    return f"t.{q(column)} < {_person_dob('t.' + q(person))}"


def _duplicate_key(table: str) -> str | None:
    key = get_table(table).primary_key
    if len(key) != 1:
        return None
    return f"""EXISTS (
        SELECT 1 FROM raw.quarantine qr
        WHERE qr.table_name = '{table}' AND qr.column_name = '{key[0]}'
          AND qr.reason LIKE 'duplicate %' AND qr.value = t.{q(key[0])})"""


def derived_sql(table: str, name: str, params: Params) -> str | None:
    """The SQL for a derived column of `table` (alias t), or None for an unknown name."""
    contract = get_table(table)
    if name.endswith("__lower") and name[: -len("__lower")] in contract.column_names:
        return f"lower(trim(t.{q(name[: -len('__lower')])}))"
    if not name.startswith("flag__"):
        return None
    rest = name[len("flag__") :]
    sql = None
    try:
        if rest.endswith("__unresolved"):
            sql = _unresolved(table, rest[: -len("__unresolved")])
        elif rest.endswith("__before_birth"):
            sql = _before_birth(table, rest[: -len("__before_birth")])
        elif rest == "duplicate_key_quarantined":
            sql = _duplicate_key(table)
        else:
            named = _named_flags(params).get(rest)
            sql = named[1] if named and named[0] == table else None
    except KeyError:  # a column the contract does not have
        return None
    return None if sql is None else f"coalesce(({sql}), false)"


def _raw_column(column) -> str:
    # Identifiers go to GX as numbers that stand for them (equal values get equal numbers,
    # blanks stay blank): what the key and presence rules test is unchanged, and millions of
    # Python strings would cost GX's pandas engine more time and memory than the whole check.
    if column.logical_type == "id":
        name = f"t.{q(column.name)}"
        return f"CASE WHEN {name} IS NOT NULL THEN dense_rank() OVER (ORDER BY {name}) END"
    return f"t.{q(column.name)}"


def frame_sql(table: str, columns: list[str], params: Params) -> tuple[str, list[str]]:
    """SELECT for a suite's frame: _source_line plus the named columns, and the names that are
    neither raw nor derived (left out, so the expectations on them report as broken)."""
    contract = get_table(table)
    selects = ["t._source_line"]
    unknown = []
    for name in dict.fromkeys(columns):
        if name == "_source_line":
            continue
        if name in contract.column_names:
            selects.append(f"{_raw_column(contract.column(name))} AS {q(name)}")
            continue
        sql = derived_sql(table, name, params)
        if sql is None:
            unknown.append(name)
        else:
            selects.append(f"{sql} AS {q(name)}")
    return f"SELECT {', '.join(selects)} FROM raw.{q(table)} AS t", unknown
