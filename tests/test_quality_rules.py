"""The quality run on small hand-made tables: the suites read the views dbt builds (here made by
hand: the rules' flags are dbt's, tested by its unit tests in models/quality/checked/), every
expectation that fails lists exactly its records, broken expectations are not data failures,
and the history, worklists and Data Docs come out as the teams need them, keyed by the
reporting month the records were checked as at."""

import json
import stat
from datetime import date

import duckdb
import pytest

from pipelines.contract import load_contract
from pipelines.ingest import ensure_meta_tables
from pipelines.quality import load_suites, run_quality
from pipelines.quality.gx_run import GxRunner, SharedFrames, fetch_frame, run_suite
from pipelines.quality.run import NotBuiltAsAtThisMonth, reporting_dates
from pipelines.settings import Settings


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


def checked(con, table, flags=None):
    """quality.dq_<table> as dbt would give it for these rows: the raw records (as at the month
    end: the tests give none after it), every flag the suites name false unless listed in
    `flags` (flag -> record ids), and the lower-cased codes."""
    suites = [s for s in load_suites() if s.table == table and not s.as_loaded]
    named = {c for s in suites for c in s.columns if c.startswith("flag__")}
    key = load_contract()[table].primary_key[0]
    columns = [
        f"coalesce(r.{key} IN ({', '.join(repr(i) for i in (flags or {}).get(f, ['']))}), false)"
        f" AS {f}"
        for f in sorted(named)
    ]
    codes = [c.name for c in load_contract()[table].columns if c.codes]
    columns += [f"lower(trim(r.{c})) AS {c}__lower" for c in codes]
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.execute(
        f"CREATE OR REPLACE TABLE quality.dq_{table} AS SELECT r.*, {', '.join(columns)} "
        f"FROM raw.{table} r"
    )


@pytest.fixture
def settings(tmp_path):
    return Settings(
        db=str(tmp_path / "warehouse.duckdb"),
        output=str(tmp_path / "output"),
        restricted=str(tmp_path / "restricted"),
    )


@pytest.fixture
def con(settings):
    connection = duckdb.connect(str(settings.database))
    create_raw(connection)
    connection.execute("CREATE SCHEMA reference")
    connection.execute(
        "CREATE TABLE reference.reporting_month AS SELECT DATE '2014-08-01' AS month, "
        "DATE '2014-08-31' AS as_at, DATE '2014-08-31' AS extract_date"
    )
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


def test_each_flag_dbt_computes_lists_exactly_its_records(con, settings):
    people(con, "P1")
    placements = [
        {"clap_cla_placement_id": f"PL{i}", "clap_person_id": "P1", "clap_cla_id": "C1",
         "clap_cla_placement_start_date": "2013-01-01"}
        for i in range(1, 6)
    ]  # fmt: skip
    insert(con, "ssd_cla_placement", placements)
    checked(
        con,
        "ssd_cla_placement",
        {
            "flag__unended_placement_later_placement": ["PL1", "PL2"],
            "flag__unended_placement_episode_ended": ["PL3"],
            "flag__unended_placement_aged_18": ["PL2"],
        },
    )
    run = run_quality(con, suites("ssd_cla_placement_cross_table"), "r1", settings, "2014-08")
    check = "ssd_cla_placement_cross_table"
    assert flagged(con, check, "unended_placement_later_placement") == {"PL1", "PL2"}
    assert flagged(con, check, "unended_placement_episode_ended") == {"PL3"}
    assert flagged(con, check, "unended_placement_aged_18") == {"PL2"}
    assert run.checks[0].failing_records == 4  # records per expectation, summed
    assert (run.reporting_month, run.as_at) == (date(2014, 8, 1), date(2014, 8, 31))


def test_single_table_rules_on_the_records_as_at_the_month_end(con, settings):
    people(con, "P1")
    insert(
        con,
        "ssd_early_help_episodes",
        [
            {"earl_episode_id": "EH1", "earl_person_id": "P1",
             "earl_episode_start_date": "2014-03-01", "earl_episode_end_date": "2014-02-01",
             "earl_episode_locality": "South"},
            {"earl_episode_id": "EH2", "earl_person_id": "P1",
             "earl_episode_start_date": "2014-03-01", "earl_episode_locality": "North"},
        ],
    )  # fmt: skip
    checked(con, "ssd_early_help_episodes", {"flag__stale_early_help": ["EH2"]})
    run = run_quality(con, suites("ssd_early_help_episodes"), "r1", settings, "2014-08")
    check = "ssd_early_help_episodes"
    assert flagged(con, check, "earl_episode_end_date_not_before_start") == {"EH1"}
    assert flagged(con, check, "stale_early_help") == {"EH2"}
    assert outcome(run, check, "key_unique").status == "passed"


def test_the_file_as_loaded_an_empty_table_and_dates_after_the_extract(con, settings):
    empty = run_quality(con, suites("ssd_cla_reviews_as_loaded"), "r1", settings, "2014-08")
    assert outcome(empty, "ssd_cla_reviews_as_loaded", "table_not_empty").status == "failed"
    assert empty.checks[0].failed("error")
    people(con, "P1")
    insert(
        con,
        "ssd_contacts",
        [
            # the day the extract was taken is not in the future; the day after is
            {"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2014-08-31"},
            {"cont_contact_id": "K2", "cont_person_id": "P1", "cont_contact_date": "2014-09-01"},
        ],
    )  # fmt: skip
    run_quality(con, suites("ssd_contacts_as_loaded"), "r2", settings, "2014-08")
    assert flagged(con, "ssd_contacts_as_loaded", "cont_contact_date_not_in_future") == {"K2"}


@pytest.mark.parametrize("far_date", [None, "9999-12-31"])
def test_date_bounds_flag_the_same_records_in_either_date_unit(con, settings, far_date):
    """GX compares dates in one vectorised step only in nanoseconds, which stop at 2262; a
    column holding a later date stays in microseconds. Either way the same records fail."""
    people(con, "P1")
    dates = {"K1": "1899-12-31", "K2": "1900-01-01", "K3": "2014-08-31", "K4": "2014-09-01"}
    if far_date:
        dates["K5"] = far_date
    insert(
        con,
        "ssd_contacts",
        [{"cont_contact_id": k, "cont_person_id": "P1", "cont_contact_date": d}
         for k, d in dates.items()],
    )  # fmt: skip
    checked(con, "ssd_contacts")
    frame, _ = fetch_frame(con, suites("ssd_contacts")[0])
    unit = "datetime64[us]" if far_date else "datetime64[ns]"
    assert str(frame["cont_contact_date"].dtype) == unit
    run_quality(con, suites("ssd_contacts", "ssd_contacts_as_loaded"), "r1", settings, "2014-08")
    assert flagged(con, "ssd_contacts", "cont_contact_date_plausible") == {"K1"}
    future = {"K4", "K5"} if far_date else {"K4"}
    assert flagged(con, "ssd_contacts_as_loaded", "cont_contact_date_not_in_future") == future


class CountingConnection:
    """A DuckDB connection that keeps the SQL it was given."""

    def __init__(self, con):
        self.con, self.sql = con, []

    def execute(self, sql, *args):
        self.sql.append(sql)
        return self.con.execute(sql, *args)


def test_suites_that_check_the_same_view_read_it_once(con, settings):
    people(con, "P1", "P2")
    insert(
        con,
        "ssd_contacts",
        [{"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2014-05-01"},
         {"cont_contact_id": "K2", "cont_person_id": "P2", "cont_contact_date": "1899-01-01"},
         {"cont_contact_id": "K3", "cont_person_id": "P3", "cont_contact_date": "2014-06-01"}],
    )  # fmt: skip
    checked(con, "ssd_contacts", {"flag__cont_person_id__unresolved": ["K3"]})
    chosen = suites("ssd_contacts", "ssd_contacts_as_loaded", "ssd_contacts_cross_table")
    dates = reporting_dates(con, "2014-08")[1]
    runner = GxRunner()
    counting = CountingConnection(con)
    frames = SharedFrames(counting, chosen)
    shared = [run_suite(runner, counting, s, dates, frames) for s in chosen]
    reads = [sql for sql in counting.sql if sql.startswith("SELECT t._source_line")]
    assert [sql.split(" FROM ")[-1] for sql in reads] == [
        '"quality"."dq_ssd_contacts" AS t',
        '"raw"."ssd_contacts" AS t',
    ]
    alone = [run_suite(runner, con, s, dates) for s in chosen]

    def seen(run):
        return [(o.spec.name, o.status, o.failing_records, o.failing_lines) for o in run.outcomes]

    for a, b in zip(shared, alone, strict=True):
        assert a.rows == b.rows == 3
        assert seen(a) == seen(b)
    failing = {o.spec.name: o.failing_lines for s in shared for o in s.outcomes if o.failing_lines}
    assert failing["cont_contact_date_plausible"] == [3]  # K2, on line 3
    assert failing["cont_person_id_resolves"] == [4]  # K3, on line 4


def test_the_checks_refuse_views_built_as_at_another_month(con, settings):
    with pytest.raises(NotBuiltAsAtThisMonth, match="built as at 2014-08, not 2014-07"):
        run_quality(con, suites("ssd_contacts_as_loaded"), "r1", settings, "2014-07")


def test_a_broken_expectation_is_not_a_data_failure(con, settings, tmp_path):
    people(con, "P1", "P2")
    checked(con, "ssd_person")
    folder = tmp_path / "suites"
    folder.mkdir()
    suite = {
        "name": "ssd_person",
        "meta": {"table": "ssd_person", "scope": "table"},
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
    run = run_quality(con, load_suites(folder), "r1", settings)
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


def test_history_by_reporting_month_and_worklists(con, settings):
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
            {"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2014-01-01"},
            {"cont_contact_id": "K2", "cont_person_id": "P2", "cont_contact_date": "2014-01-01"},
            {"cont_contact_id": "K3", "cont_person_id": "P2", "cont_contact_date": "2014-01-01"},
        ],
    )  # fmt: skip
    checked(con, "ssd_contacts", {"flag__cont_person_id__unresolved": ["K1", "K2"]})
    first = run_quality(con, suites("ssd_contacts_cross_table"), "run-one", settings, "2014-08")
    assert first.checks[0].previous is None
    con.execute("UPDATE quality.worklist_records SET first_flagged = TIMESTAMP '2014-09-01'")
    insert(
        con,
        "ssd_contacts",
        [{"cont_contact_id": "K4", "cont_person_id": "P2", "cont_contact_date": "2014-02-01"}],
    )
    checked(con, "ssd_contacts", {"flag__cont_person_id__unresolved": ["K1", "K2", "K4"]})
    second = run_quality(con, suites("ssd_contacts_cross_table"), "run-two", settings, "2014-08")
    summary = second.checks[0]
    assert summary.change("cont_person_id_resolves", 3) == 1

    history = con.execute(
        """SELECT run_id, reporting_month, as_at, scope, record_label, failing_records,
                  indicators IS NULL
           FROM quality.check_results WHERE expectation = 'cont_person_id_resolves'
           ORDER BY checked_at"""
    ).fetchall()
    august, end = date(2014, 8, 1), date(2014, 8, 31)
    assert history == [
        ("run-one", august, end, "cross_table", "contact records", 2, True),
        ("run-two", august, end, "cross_table", "contact records", 3, True),
    ]

    folder = second.worklist_folder
    assert folder.parent.name == "worklists" and "run-two"[:8] in folder.name
    for path in (settings.restricted_dir, folder.parent, folder):
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

    docs = settings.output_dir / "data_docs"
    assert (docs / "index.html").exists()
    text = " ".join(p.read_text() for p in docs.rglob("*.html"))
    for identifier in ("K1", "K2", "K4", "P1", "P2"):
        assert f">{identifier}<" not in text and f'"{identifier}"' not in text


def test_old_worklist_folders_are_removed(con, settings):
    from pipelines.quality.worklists import KEEP_RUNS, ensure_worklist_table, write_worklists

    ensure_worklist_table(con)
    for day in range(1, KEEP_RUNS + 4):
        write_worklists(con, settings.restricted_dir, f"2014-08-{day:02d}_run{day:04d}")
    kept = sorted(p.name for p in (settings.restricted_dir / "worklists").iterdir())
    assert len(kept) == KEEP_RUNS
    assert kept[-1] == f"2014-08-{KEEP_RUNS + 3:02d}_run{KEEP_RUNS + 3:04d}"


def test_a_view_that_is_not_built_makes_the_suite_broken_not_failing(con, settings):
    run = run_quality(con, suites("ssd_contacts_cross_table"), "r1", settings, "2014-08")
    assert {o.status for o in run.checks[0].outcome.outcomes} == {"broken"}
    assert run.checks[0].failing_records == 0
