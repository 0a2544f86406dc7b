"""The quality rules on small hand-made raw tables: each rule flags exactly the records it
should, broken expectations are not data failures, and the history, caveats, trend,
worklists and Data Docs come out as the board pack and the teams need them."""

import json
import stat
from datetime import date

import duckdb
import pytest

from pipelines.contract import load_contract
from pipelines.ingest import ensure_meta_tables
from pipelines.quality import check_trend, latest_caveats, load_suites, run_quality
from pipelines.quality.params import extract_as_at
from pipelines.settings import load_settings

AS_AT = "2014-08-31"


def create_raw(con):
    """Every raw table of the contract, empty, typed as the loader types them."""
    ensure_meta_tables(con)
    for table in load_contract().values():
        columns = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in table.columns)
        con.execute(f"CREATE OR REPLACE TABLE raw.{table.name} ({columns}, _source_line INTEGER)")


def insert(con, table, rows):
    """rows: dicts of column -> value; _source_line numbered from 2 in order."""
    (start,) = con.execute(f"SELECT coalesce(max(_source_line), 1) FROM raw.{table}").fetchone()
    for i, row in enumerate(rows):
        names = [*row, "_source_line"]
        values = [*row.values(), start + i + 1]
        marks = ", ".join("?" for _ in names)
        con.execute(f"INSERT INTO raw.{table} ({', '.join(names)}) VALUES ({marks})", values)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("BOARDPACK_DB", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("BOARDPACK_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("BOARDPACK_RESTRICTED", str(tmp_path / "restricted"))
    monkeypatch.setenv("BOARDPACK_AS_AT", AS_AT)
    return load_settings()


@pytest.fixture
def con(env):
    connection = duckdb.connect(str(env.database))
    create_raw(connection)
    yield connection
    connection.close()


def suites(*names):
    wanted = {s.name: s for s in load_suites()}
    return [wanted[n] for n in names]


def flagged(con, check, expectation=None):
    sql = "SELECT record_id FROM quality.worklist_records WHERE check_name = ?"
    params = [check]
    if expectation:
        sql += " AND expectation = ?"
        params.append(expectation)
    return {r[0] for r in con.execute(sql + " ORDER BY 1", params).fetchall()}


def outcome(run, check, expectation):
    summary = next(c for c in run.checks if c.suite.name == check)
    return next(o for o in summary.outcome.outcomes if o.spec.name == expectation)


def people(con, *ids, dob="2005-01-01"):
    insert(con, "ssd_person", [{"pers_person_id": i, "pers_dob": dob} for i in ids])


def test_unended_placements(con, env):
    people(con, "P1", "P2", "P3", "P5")
    people(con, "P4", dob="1996-01-01")  # 18 on 2014-01-01
    insert(
        con,
        "ssd_cla_episodes",
        [
            {"clae_cla_episode_id": "E1", "clae_person_id": "P1", "clae_cla_id": "C1",
             "clae_cla_episode_start_date": "2013-01-01"},
            {"clae_cla_episode_id": "E2", "clae_person_id": "P2", "clae_cla_id": "C2",
             "clae_cla_episode_start_date": "2013-01-01",
             "clae_cla_episode_ceased_date": "2014-03-01"},
            {"clae_cla_episode_id": "E4", "clae_person_id": "P4", "clae_cla_id": "C4",
             "clae_cla_episode_start_date": "2012-01-01"},
            {"clae_cla_episode_id": "E5", "clae_person_id": "P5", "clae_cla_id": "C5",
             "clae_cla_episode_start_date": "2012-01-01"},
        ],
    )  # fmt: skip
    insert(
        con,
        "ssd_cla_placement",
        [
            # P1 moved on 2014-02-01 but the first placement was never ended
            {"clap_cla_placement_id": "PL1", "clap_person_id": "P1", "clap_cla_id": "C1",
             "clap_cla_placement_start_date": "2013-01-01"},
            {"clap_cla_placement_id": "PL2", "clap_person_id": "P1", "clap_cla_id": "C1",
             "clap_cla_placement_start_date": "2014-02-01"},
            # P2's period of care ceased, the placement left open
            {"clap_cla_placement_id": "PL3", "clap_person_id": "P2", "clap_cla_id": "C2",
             "clap_cla_placement_start_date": "2013-01-01"},
            # P4 is 18, placement open
            {"clap_cla_placement_id": "PL4", "clap_person_id": "P4", "clap_cla_id": "C4",
             "clap_cla_placement_start_date": "2012-01-01"},
            # clean: ended placement, then the current one
            {"clap_cla_placement_id": "PL5", "clap_person_id": "P5", "clap_cla_id": "C5",
             "clap_cla_placement_start_date": "2012-01-01",
             "clap_cla_placement_end_date": "2013-01-01"},
            {"clap_cla_placement_id": "PL6", "clap_person_id": "P5", "clap_cla_id": "C5",
             "clap_cla_placement_start_date": "2013-01-01"},
        ],
    )  # fmt: skip
    run_quality(con, suites("ssd_cla_placement_cross_table"), "r1", env)
    check = "ssd_cla_placement_cross_table"
    assert flagged(con, check, "unended_placement_later_placement") == {"PL1"}
    assert flagged(con, check, "unended_placement_episode_ended") == {"PL3"}
    assert flagged(con, check, "unended_placement_aged_18") == {"PL4"}
    assert flagged(con, check) == {"PL1", "PL3", "PL4"}


def test_overlaps_visits_birth_and_missing_people(con, env):
    people(con, "P1", "P2")
    insert(
        con,
        "ssd_cp_plans",
        [
            {"cppl_cp_plan_id": "CP1", "cppl_person_id": "P1",
             "cppl_cp_plan_start_date": "2013-01-01", "cppl_cp_plan_end_date": "2013-06-01"},
            # starts the day the first ends: a hand-over, not an overlap
            {"cppl_cp_plan_id": "CP2", "cppl_person_id": "P1",
             "cppl_cp_plan_start_date": "2013-06-01", "cppl_cp_plan_end_date": "2013-09-01"},
            {"cppl_cp_plan_id": "CP3", "cppl_person_id": "P2",
             "cppl_cp_plan_start_date": "2013-01-01"},
            {"cppl_cp_plan_id": "CP4", "cppl_person_id": "P2",
             "cppl_cp_plan_start_date": "2014-01-01", "cppl_cp_plan_end_date": "2014-02-01"},
        ],
    )  # fmt: skip
    insert(
        con,
        "ssd_cp_visits",
        [
            {"cppv_cp_visit_id": "V1", "cppv_person_id": "P1", "cppv_cp_plan_id": "CP1",
             "cppv_cp_visit_date": "2013-03-01"},
            {"cppv_cp_visit_id": "V2", "cppv_person_id": "P1", "cppv_cp_plan_id": "CP2",
             "cppv_cp_visit_date": "2013-12-01"},
        ],
    )  # fmt: skip
    insert(
        con,
        "ssd_contacts",
        [
            {"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2004-06-01"},
            {"cont_contact_id": "K2", "cont_person_id": "P9", "cont_contact_date": "2014-06-01"},
            {"cont_contact_id": "K3", "cont_person_id": "P2", "cont_contact_date": "2014-06-01"},
        ],
    )  # fmt: skip
    run_quality(
        con,
        suites("ssd_cp_plans_cross_table", "ssd_cp_visits_cross_table", "ssd_contacts_cross_table"),
        "r1",
        env,
    )
    assert flagged(con, "ssd_cp_plans_cross_table", "overlapping_cp_plan") == {"CP3", "CP4"}
    assert flagged(con, "ssd_cp_visits_cross_table", "visit_outside_plan") == {"V2"}
    contacts = "ssd_contacts_cross_table"
    assert flagged(con, contacts, "cont_contact_date_not_before_birth") == {"K1"}
    assert flagged(con, contacts, "cont_person_id_resolves") == {"K2"}


def test_single_table_rules_and_stale_early_help(con, env):
    people(con, "P1")
    insert(
        con,
        "ssd_early_help_episodes",
        [
            # open 13 months at the as-at date: stale (the setting is 12)
            {"earl_episode_id": "EH1", "earl_person_id": "P1",
             "earl_episode_start_date": "2013-07-30", "earl_episode_locality": "North"},
            # open 11 months: not yet
            {"earl_episode_id": "EH2", "earl_person_id": "P1",
             "earl_episode_start_date": "2013-09-30", "earl_episode_locality": "North"},
            {"earl_episode_id": "EH3", "earl_person_id": "P1",
             "earl_episode_start_date": "2014-03-01", "earl_episode_end_date": "2014-02-01",
             "earl_episode_locality": "South"},
            {"earl_episode_id": "EH4", "earl_person_id": "P1",
             "earl_episode_start_date": "2014-09-02", "earl_episode_end_date": "2014-09-03"},
        ],
    )  # fmt: skip
    run = run_quality(con, suites("ssd_early_help_episodes"), "r1", env)
    check = "ssd_early_help_episodes"
    assert flagged(con, check, "stale_early_help") == {"EH1"}
    assert flagged(con, check, "earl_episode_end_date_not_before_start") == {"EH3"}
    assert flagged(con, check, "earl_episode_start_date_not_in_future") == {"EH4"}
    assert flagged(con, check, "earl_episode_end_date_not_in_future") == {"EH4"}
    assert outcome(run, check, "key_unique").status == "passed"
    assert run.as_at == date(2014, 8, 31)


def test_an_empty_table_fails_with_error_severity(con, env):
    run = run_quality(con, suites("ssd_cla_reviews"), "r1", env)
    empty = outcome(run, "ssd_cla_reviews", "table_not_empty")
    assert (empty.status, empty.spec.severity) == ("failed", "error")
    assert run.checks[0].failed("error")


def test_a_broken_expectation_is_not_a_data_failure(con, env, tmp_path):
    people(con, "P1", "P2")
    folder = tmp_path / "suites"
    folder.mkdir()
    suite = {
        "name": "ssd_person",
        "meta": {"table": "ssd_person", "indicators": []},
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "pers_dobb"},
             "meta": {"name": "misspelt", "severity": "error", "problem": "dob missing"}},
            {"type": "expect_column_values_to_be_frobbed", "kwargs": {"column": "pers_dob"},
             "meta": {"name": "unknown_type", "severity": "warning", "problem": "frob"}},
            {"type": "expect_column_values_to_be_between",
             "kwargs": {"column": "pers_dob", "min_value": "abc", "max_value": 3},
             "meta": {"name": "bad_arguments", "severity": "warning", "problem": "bad"}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "pers_dob"},
             "meta": {"name": "dob_present", "severity": "warning", "problem": "no dob"}},
        ],
    }  # fmt: skip
    (folder / "ssd_person.json").write_text(json.dumps(suite))
    run = run_quality(con, load_suites(folder), "r1", env)
    statuses = {o.spec.name: (o.status, o.failing_records) for o in run.checks[0].outcome.outcomes}
    assert statuses == {
        "misspelt": ("broken", 0),
        "unknown_type": ("broken", 0),
        "bad_arguments": ("broken", 0),
        "dob_present": ("passed", 0),
    }
    assert not run.checks[0].failed()
    history = con.execute(
        "SELECT expectation, status, failing_records FROM quality.check_results ORDER BY 1"
    ).fetchall()
    assert ("misspelt", "broken", 0) in history


def test_history_caveats_trend_and_worklists(con, env):
    people(con, "P1", "P2")
    insert(
        con,
        "ssd_cin_episodes",
        [
            {"cine_referral_id": "R1", "cine_person_id": "P1", "cine_referral_date": "2014-01-01",
             "cine_referral_team": "Team A"},
        ],
    )  # fmt: skip
    insert(
        con,
        "ssd_contacts",
        [
            {"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2015-01-01"},
            {"cont_contact_id": "K2", "cont_person_id": "P2", "cont_contact_date": "2015-01-01"},
            {"cont_contact_id": "K3", "cont_person_id": "P2", "cont_contact_date": "2014-01-01"},
        ],
    )  # fmt: skip
    first = run_quality(con, suites("ssd_contacts"), "run-one", env)
    assert first.checks[0].previous is None
    con.execute("UPDATE quality.worklist_records SET first_flagged = TIMESTAMP '2014-09-01'")
    insert(
        con,
        "ssd_contacts",
        [{"cont_contact_id": "K4", "cont_person_id": "P2", "cont_contact_date": "2016-01-01"}],
    )
    second = run_quality(con, suites("ssd_contacts"), "run-two", env)
    summary = second.checks[0]
    future = outcome(second, "ssd_contacts", "cont_contact_date_not_in_future")
    assert future.failing_records == 3
    assert summary.change("cont_contact_date_not_in_future", 3) == 1

    caveats = latest_caveats(con)
    assert caveats["contacts"] == [
        "3 contact records: Date of Contact (cont_contact_date) is after the date of the "
        "extract (as at 31 August 2014)."
    ]
    trend = check_trend(con)
    assert list(trend["run_id"]) == ["run-one", "run-two"]
    assert list(trend["failing_records"]) == [2, 3]

    folder = second.worklist_folder
    assert folder.parent.name == "worklists" and "run-two"[:8] in folder.name
    for path in (env.restricted_dir, folder.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["team_a.csv", "team_a.xlsx", "unallocated.csv", "unallocated.xlsx"]
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = (folder / "unallocated.csv").read_text().splitlines()
    assert rows[0] == "team,table,record_id,person_id,problem,severity,since,check,source_line"
    since = {line.split(",")[2]: line.split(",")[-3] for line in rows[1:]}
    assert since == {"K2": "2014-09-01", "K4": str(date.today())}  # K2 carried over
    assert "K1" in (folder / "team_a.csv").read_text()  # the child's latest referral team

    docs = env.output_dir / "data_docs"
    assert (docs / "index.html").exists()
    text = " ".join(p.read_text() for p in docs.rglob("*.html"))
    for identifier in ("K1", "K2", "K4", "P1", "P2"):
        assert f">{identifier}<" not in text and f'"{identifier}"' not in text


def test_as_at_follows_the_contacts_not_the_odd_future_one(con, monkeypatch):
    monkeypatch.delenv("BOARDPACK_AS_AT")
    days = [f"2014-{1 + i % 8:02d}-{1 + i % 27:02d}" for i in range(200)] + ["2015-03-01"]
    rows = [
        {"cont_contact_id": f"K{i}", "cont_person_id": "P1", "cont_contact_date": day}
        for i, day in enumerate(days)
    ]
    insert(con, "ssd_contacts", rows)
    assert extract_as_at(con) == date(2014, 8, 31)
    monkeypatch.setenv("BOARDPACK_AS_AT", "2014-06-30")
    assert extract_as_at(con) == date(2014, 6, 30)


def test_old_worklist_folders_are_removed(con, env):
    from pipelines.quality.worklists import KEEP_RUNS, ensure_worklist_table, write_worklists

    ensure_worklist_table(con)
    for day in range(1, KEEP_RUNS + 4):
        write_worklists(con, env.restricted_dir, f"2014-08-{day:02d}_run{day:04d}")
    kept = sorted(p.name for p in (env.restricted_dir / "worklists").iterdir())
    assert len(kept) == KEEP_RUNS
    assert kept[-1] == f"2014-08-{KEEP_RUNS + 3:02d}_run{KEEP_RUNS + 3:04d}"


def test_a_table_that_is_not_loaded_makes_the_suite_broken_not_failing(con, env):
    con.execute("DROP TABLE raw.ssd_person")
    run = run_quality(con, suites("ssd_contacts_cross_table"), "r1", env)
    assert {o.status for o in run.checks[0].outcome.outcomes} == {"broken"}
    assert run.checks[0].failing_records == 0
