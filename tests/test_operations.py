"""Running unattended: the nightly schedule, the extract freshness checks, the Dagster instance
settings (one run at a time, retries) and the shape of the asset graph the UI shows."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from pipeline_helpers import assert_installed_settings

from pipelines.operations import (
    DEFAULT_MAX_AGE_HOURS,
    FRESHNESS_CHECK_NAME,
    MAX_AGE_ENV,
    NIGHTLY_CRON,
    NIGHTLY_SCHEDULE_NAME,
    NIGHTLY_TIMEZONE,
    extract_freshness,
    latest_complete_month,
    prepare_dagster_home,
)
from pipelines.settings import Settings

LONDON = ZoneInfo(NIGHTLY_TIMEZONE)
GROUPS = {"raw", "staging", "indicators", "quality", "board_pack", "returns"}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from pipelines.assets.dbt import ensure_dbt_manifest

    ensure_dbt_manifest()
    from pipelines.definitions import defs

    return defs


@pytest.fixture(scope="module")
def asset_graph(defs):
    return defs.resolve_asset_graph()


# -- the nightly schedule --------------------------------------------------------------------


def schedule_context(
    instance: dg.DagsterInstance, scheduled: datetime, defs: dg.Definitions
) -> dg.ScheduleEvaluationContext:
    """A schedule context to use in a `with` block, inside the instance's own.

    Evaluating the partitioned schedule opens a second DagsterInstance from the test instance's
    ref in the context's exit stack, and entering an instance sets Dagster's current
    DefsStateStorage (a ContextVar). Unless the context is closed, before the test instance,
    that exit stack is only closed whenever the garbage collector finds it: the ContextVar is
    then reset to the test instance's storage, long disposed, and every later
    `Definitions(...)` built in this process fails with "Attempted to resolve undefined
    DagsterInstance weakref" (tests/test_quality_dagster.py did, after this module).
    """
    return dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=scheduled,
        repository_def=defs.get_repository_def(),
    )


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2014, 9, 1), "2014-08"),
        (date(2014, 9, 30), "2014-08"),
        (date(2015, 1, 1), "2014-12"),
        (date(2016, 3, 1), "2016-02"),
    ],
)
def test_latest_complete_month(today, month):
    assert latest_complete_month(today) == month
    assert latest_complete_month(datetime.combine(today, datetime.min.time())) == month


def test_nightly_schedule_cron_timezone_and_default_status(defs):
    schedule = defs.resolve_schedule_def(NIGHTLY_SCHEDULE_NAME)
    assert schedule.cron_schedule == NIGHTLY_CRON == "0 2 * * *"
    assert schedule.execution_timezone == NIGHTLY_TIMEZONE == "Europe/London"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "monthly_board_pack"


@pytest.mark.parametrize(
    ("scheduled", "month"),
    [
        # 02:00 BST on the first of September is still 31 August in UTC: August is reported.
        (datetime(2014, 9, 1, 2, 0, tzinfo=LONDON), "2014-08"),
        (datetime(2014, 9, 17, 2, 0, tzinfo=LONDON), "2014-08"),
        (datetime(2015, 1, 1, 2, 0, tzinfo=LONDON), "2014-12"),
    ],
)
def test_nightly_schedule_requests_the_latest_complete_month(defs, scheduled, month):
    schedule = defs.resolve_schedule_def(NIGHTLY_SCHEDULE_NAME)
    with (
        dg.instance_for_test() as instance,
        schedule_context(instance, scheduled, defs) as context,
    ):
        result = schedule.evaluate_tick(context)
    assert [r.partition_key for r in result.run_requests] == [month]


def test_nightly_schedule_skips_before_the_first_reporting_month(defs):
    schedule = defs.resolve_schedule_def(NIGHTLY_SCHEDULE_NAME)
    scheduled = datetime(2011, 4, 2, 2, tzinfo=LONDON)
    with (
        dg.instance_for_test() as instance,
        schedule_context(instance, scheduled, defs) as context,
    ):
        result = schedule.evaluate_tick(context)
    assert not result.run_requests and result.skip_message


# -- sensors (written by the quality/alerts part) ---------------------------------------------


def test_every_sensor_runs_by_default(defs):
    sensors = list(defs.sensors or [])
    assert sensors, "the alert sensors are not in the definitions"
    # One digest per run: a sensor on failed runs, and one on green runs whose (warning)
    # checks failed. Both are run-status sensors.
    run_status_sensors = [s for s in sensors if isinstance(s, dg.RunStatusSensorDefinition)]
    assert len(run_status_sensors) >= 2, sensors
    stopped = [s.name for s in sensors if s.default_status != dg.DefaultSensorStatus.RUNNING]
    assert not stopped, f"sensors stopped by default: {stopped}"


# -- extract freshness -----------------------------------------------------------------------


def test_fresh_extract_passes(tmp_path):
    (tmp_path / "ssd_person.csv").write_text("person_id\n1\n")
    result = extract_freshness("ssd_person.csv", tmp_path, 36)
    assert result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN


def test_old_extract_warns(tmp_path):
    path = tmp_path / "ssd_person.csv"
    path.write_text("person_id\n1\n")
    forty_hours_ago = (datetime.now(UTC) - timedelta(hours=40)).timestamp()
    os.utime(path, (forty_hours_ago, forty_hours_ago))
    result = extract_freshness("ssd_person.csv", tmp_path, 36)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert "more than the 36 hours" in result.description
    assert extract_freshness("ssd_person.csv", tmp_path, 48).passed


def test_missing_extract_warns(tmp_path):
    result = extract_freshness("ssd_person.csv", tmp_path, 36)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN


def test_max_age_from_the_settings():
    assert Settings.from_environment({}).max_extract_age_hours == DEFAULT_MAX_AGE_HOURS == 36
    assert Settings.from_environment({MAX_AGE_ENV: "72"}).max_extract_age_hours == 72
    for bad in ("soon", "0", "-1"):
        with pytest.raises(ValueError, match=MAX_AGE_ENV):
            _ = Settings.from_environment({MAX_AGE_ENV: bad}).max_extract_age_hours


def test_every_required_raw_asset_has_a_non_blocking_freshness_check(asset_graph):
    from pipelines.contract import load_contract

    contract = load_contract()
    for table in contract.required_tables:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", table.name]), FRESHNESS_CHECK_NAME)
        assert key in asset_graph.asset_check_keys, f"no freshness check on raw/{table.name}"
        assert not asset_graph.get_check_spec(key).blocking
    # an optional file (statutory returns only) may be absent by design: it is never stale
    optional = [t for t in contract.values() if not t.required]
    assert len(optional) == 10
    for table in optional:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", table.name]), FRESHNESS_CHECK_NAME)
        assert key not in asset_graph.asset_check_keys


def test_freshness_check_runs_in_dagster(tmp_path):
    """The check reads the extracts folder from the settings resource when it runs."""
    from pipelines.operations.freshness import _build_check

    (tmp_path / "ssd_person.csv").write_text("person_id\n1\n")
    key = dg.AssetKey(["raw", "ssd_person"])

    @dg.asset(key=key)
    def stub() -> None:
        pass

    # An explicit test instance: the schedule tests' instances must not leak into this run.
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [stub, _build_check("ssd_person", "ssd_person.csv")],
            selection=dg.AssetSelection.checks_for_assets(key),
            instance=instance,
            resources={"settings": Settings(extracts=str(tmp_path))},
        )
        evaluations = result.get_asset_check_evaluations()
    assert [e.passed for e in evaluations] == [True]


# -- the Dagster instance settings -----------------------------------------------------------


def test_instance_settings_queue_one_run_at_a_time_and_retry(tmp_path, monkeypatch):
    home = prepare_dagster_home(tmp_path / "home")
    assert (home / "dagster.yaml").exists()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        assert instance.run_retries_enabled
        assert instance.run_retries_max_retries == 1
        assert not instance.run_retries_retry_on_asset_or_op_failure
        assert instance.run_monitoring_enabled


def test_prepare_dagster_home_from_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", "relative/home")
    home = prepare_dagster_home()
    assert home.is_absolute() and (home / "dagster.yaml").exists()
    monkeypatch.delenv("DAGSTER_HOME")
    with pytest.raises(ValueError, match="DAGSTER_HOME"):
        prepare_dagster_home()


# -- the asset graph the UI shows ------------------------------------------------------------


def test_lineage_from_extract_to_pack(asset_graph):
    # Each step is upstream of the next, directly or through intermediate models
    # (ind_contacts reaches fct_indicator_month through marts/int_indicator_values).
    chain = [
        dg.AssetKey(["raw", "ssd_contacts"]),
        dg.AssetKey(["staging", "stg_contacts"]),
        dg.AssetKey(["indicators", "ind_contacts"]),
        dg.AssetKey(["marts", "fct_indicator_month"]),
        dg.AssetKey(["marts", "pack_indicators"]),
        dg.AssetKey(["board_pack"]),
    ]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert upstream in asset_graph.get_ancestor_asset_keys(downstream), (upstream, downstream)


def test_the_pack_depends_on_everything_it_reads_checks_included(asset_graph):
    parents = asset_graph.get(dg.AssetKey(["board_pack"])).parent_keys
    for model in (
        "pack_indicators",
        "pack_extract_loads",
        "pack_cleansing_by_locality",
        "pack_unended_placements",
        "pack_unended_placements_effect",
        "pack_check_trend",
        "pack_caveats",
    ):
        assert dg.AssetKey(["marts", model]) in parents, model
    checks = dg.AssetKey(["quality", "check_results"])
    assert checks in parents
    # the views over the check results come after the checks, which read the views dbt built
    latest = dg.AssetKey(["quality", "latest_check_results"])
    assert checks in asset_graph.get(latest).parent_keys
    assert latest in asset_graph.get(dg.AssetKey(["marts", "pack_check_trend"])).parent_keys
    assert dg.AssetKey(["quality", "dq_ssd_contacts"]) in asset_graph.get(checks).parent_keys
    assert asset_graph.get(checks).partitions_def is not None  # kept per reporting month


def test_every_asset_has_a_group_a_kind_and_a_description(asset_graph):
    nodes = [asset_graph.get(key) for key in asset_graph.materializable_asset_keys]
    assert {n.group_name for n in nodes} <= GROUPS
    assert not [n.key.to_user_string() for n in nodes if not n.kinds], "assets without kinds"
    missing = sorted(n.key.to_user_string() for n in nodes if not (n.description or "").strip())
    assert not missing, f"assets without a description: {missing}"


def test_board_pack_is_partitioned_by_reporting_month(defs, asset_graph):
    from pipelines.partitions import reporting_months

    assert asset_graph.get(dg.AssetKey(["board_pack"])).partitions_def == reporting_months
    job = defs.resolve_job_def("monthly_board_pack")
    assert job.partitions_def == reporting_months
    assert "2014-07" in reporting_months.get_partition_keys()


def test_instance_command_line_installs_the_settings(tmp_path, capsys):
    from pipelines.operations.instance import DAGSTER_YAML_TEMPLATE, main

    assert main([str(tmp_path / "home")]) == 0
    assert_installed_settings(tmp_path / "home", DAGSTER_YAML_TEMPLATE)
    assert str(tmp_path / "home") in capsys.readouterr().out
