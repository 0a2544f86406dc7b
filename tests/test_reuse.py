"""The fingerprints that let a rerun skip unchanged stages (pipelines/reuse.py), on a real
DuckDB file."""

from datetime import datetime

import duckdb
import pytest

from pipelines.resources import Warehouse
from pipelines.reuse import (
    REBUILD_TAG,
    REUSED_FROM_RUN,
    StageRecords,
    StageReuse,
    current_record,
    extract_versions,
    files_digest,
    fingerprint,
    rebuild_forced,
    reused_metadata,
)
from pipelines.settings import Settings


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def test_fingerprint_ignores_key_order_and_sees_every_value():
    a = fingerprint({"extracts": {"x": "1", "y": "2"}, "today": "2014-09-01"})
    assert a == fingerprint({"today": "2014-09-01", "extracts": {"y": "2", "x": "1"}})
    assert a != fingerprint({"extracts": {"x": "1", "y": "3"}, "today": "2014-09-01"})
    assert a != fingerprint({"extracts": {"x": "1", "y": "2"}, "today": "2014-09-02"})


def test_files_digest_follows_content_and_names_not_caches(tmp_path):
    project = tmp_path / "models"
    (project / "sub").mkdir(parents=True)
    (project / "a.sql").write_text("select 1")
    (project / "sub" / "b.sql").write_text("select 2")
    before = files_digest([project])
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "a.pyc").write_bytes(b"\0")
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    assert files_digest([project]) == before, "build output is not an input"
    (project / "sub" / "b.sql").write_text("select 3")
    changed = files_digest([project])
    assert changed != before
    (project / "sub" / "b.sql").rename(project / "c.sql")  # same content, another name
    assert files_digest([project]) not in (before, changed)
    assert files_digest([project], ["*.py"]) == files_digest([tmp_path / "empty"], ["*.py"])


def test_extract_versions_are_the_files_of_the_current_tables(con):
    assert extract_versions(con) == {}  # nothing loaded yet
    con.execute(
        "CREATE SCHEMA raw; CREATE TABLE raw.load_log (table_name VARCHAR, file_sha256 VARCHAR, "
        "status VARCHAR, finished_at TIMESTAMP)"
    )
    con.execute(
        """INSERT INTO raw.load_log VALUES
        ('ssd_contacts', 'aaa', 'loaded', '2014-09-01 02:00'),
        ('ssd_contacts', 'bbb', 'loaded', '2014-09-02 02:00'),
        ('ssd_contacts', 'ccc', 'failed', '2014-09-03 02:00'),     -- a bad file: not loaded
        ('ssd_contacts', 'bbb', 'unchanged', '2014-09-04 02:00'),
        ('ssd_person', 'ppp', 'loaded', '2014-09-01 02:00')"""
    )
    assert extract_versions(con) == {"ssd_contacts": "bbb", "ssd_person": "ppp"}


def test_a_record_vouches_only_for_the_same_inputs(con):
    records = StageRecords(con)
    assert records.get("dbt") is None
    records.record("dbt", "f1", "run-1", {"checks": [1, 2]})
    found = records.matching("dbt", "f1")
    assert found.run_id == "run-1" and found.details == {"checks": [1, 2]}
    assert isinstance(found.recorded_at, datetime)
    assert records.matching("dbt", "f2") is None
    records.record("dbt", "f2", "run-2")  # replaces, one record per stage and scope
    assert records.matching("dbt", "f1") is None and records.get("dbt").run_id == "run-2"


def test_forgetting_before_work_leaves_nothing_to_vouch_for_a_killed_stage(con):
    records = StageRecords(con)
    records.record("board_pack", "f1", "run-1", scope="2014-07")
    records.record("board_pack", "f1", "run-1", scope="2014-08")
    records.forget("board_pack", scope="2014-08")  # a run starts rendering August, then dies
    assert records.get("board_pack", scope="2014-08") is None
    assert records.matching("board_pack", "f1", scope="2014-07").run_id == "run-1"


def test_records_survive_reopening_the_file(tmp_path):
    path = str(tmp_path / "w.duckdb")
    with duckdb.connect(path) as first:
        StageRecords(first).record("quality_checks", "f1", "run-1")
    with duckdb.connect(path) as second:
        assert StageRecords(second).matching("quality_checks", "f1").run_id == "run-1"


def test_rebuild_is_forced_by_the_run_tag_or_the_setting():
    assert not rebuild_forced({}, Settings())
    assert not rebuild_forced({REBUILD_TAG: "false"}, Settings())
    assert rebuild_forced({REBUILD_TAG: "true"}, Settings())
    assert rebuild_forced(None, Settings(rebuild="1"))
    assert Settings.from_environment({"BOARDPACK_REBUILD": "yes"}).rebuild_every_stage


def test_stage_reuse_vouches_only_after_success_and_for_the_same_inputs(tmp_path):
    warehouse = Warehouse(settings=Settings(db=str(tmp_path / "w.duckdb")))
    first = StageReuse(warehouse, "dbt", {"extracts": {"a": "1"}, "month": "2014-07"})
    assert first.earlier() is None  # never built
    first.starting()
    assert current_record(warehouse, "dbt") is None  # still building: nothing vouches for it
    first.succeeded("run-1", {"kept": True})
    again = StageReuse(warehouse, "dbt", {"month": "2014-07", "extracts": {"a": "1"}})
    earlier = again.earlier()
    assert earlier.run_id == "run-1" and earlier.details == {"kept": True}
    assert reused_metadata(earlier) == {REUSED_FROM_RUN: "run-1"}  # the one marker
    # another month, or a forced rebuild, is not vouched for
    assert (
        StageReuse(warehouse, "dbt", {"extracts": {"a": "1"}, "month": "2014-08"}).earlier() is None
    )
    forced = StageReuse(warehouse, "dbt", {"month": "2014-07", "extracts": {"a": "1"}}, forced=True)
    assert forced.earlier() is None
    # unknown inputs are never reused, nor recorded
    unknown = StageReuse(warehouse, "board_pack", None, scope="2014-07")
    unknown.succeeded("run-2")
    assert unknown.earlier() is None and current_record(warehouse, "board_pack", "2014-07") is None
