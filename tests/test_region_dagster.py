"""The region's Dagster code location (pipelines/region/orchestration.py) without running any
authority: what it holds, its schedule and sensors, its instance settings, and when the regional
comparison is started. tests/test_region_end_to_end.py runs it for three authorities."""

from __future__ import annotations

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from pipeline_helpers import assert_installed_settings, evaluate_automation

from pipelines.operations.instance import REGION_DAGSTER_YAML_TEMPLATE, main
from pipelines.region.orchestration import (
    AUTHORITY_AGGREGATES,
    AUTHORITY_JOB,
    COMBINE_JOB,
    REGIONAL_COMPARISON,
    authorities,
    authority_months,
    build_region_definitions,
)
from pipelines.settings import Settings

LONDON = ZoneInfo("Europe/London")
CODES = ["E90000001", "E90000002"]


@pytest.fixture(scope="module")
def defs():
    return build_region_definitions(Settings.from_environment())


def test_the_code_location_loads_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BOARDPACK_REGION_DIR", str(tmp_path))
    module = importlib.import_module("pipelines.region.definitions")
    loaded = module.defs
    assert {job.name for job in loaded.resolve_all_job_defs()} >= {AUTHORITY_JOB, COMBINE_JOB}
    graph = loaded.resolve_asset_graph()
    assert graph.get(AUTHORITY_AGGREGATES).partitions_def == authority_months
    assert graph.get(REGIONAL_COMPARISON).parent_keys == {AUTHORITY_AGGREGATES}


def test_the_schedule_and_sensors_run_from_the_start(defs):
    schedule = defs.resolve_schedule_def("region_nightly")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 3 * * *", "Europe/London")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensors = {sensor.name: sensor.default_status for sensor in defs.sensors}
    assert sensors == {
        "region_authorities": dg.DefaultSensorStatus.RUNNING,
        "region_combine_when_published": dg.DefaultSensorStatus.RUNNING,
    }


# Dagster warns about its own tags for multi-partition runs (dagster/partition/<dimension>)
# when a schedule returns them: the tags the region's run queue limits (dagster 1.13.27).
@pytest.mark.filterwarnings("ignore:Non-compliant tag keys like \\['dagster/partition/")
def test_the_nightly_schedule_runs_every_enrolled_authority_for_the_latest_month(defs):
    schedule = defs.resolve_schedule_def("region_nightly")
    scheduled = datetime(2014, 9, 17, 3, 0, tzinfo=LONDON)
    repository = defs.get_repository_def()
    with dg.instance_for_test() as instance:
        with dg.build_schedule_context(instance, scheduled, repository_def=repository) as context:
            assert schedule.evaluate_tick(context).skip_message.startswith("no authority")
        instance.add_dynamic_partitions(authorities.name, CODES)
        with dg.build_schedule_context(instance, scheduled, repository_def=repository) as context:
            requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == [f"{code}|2014-08" for code in CODES]
    assert [r.run_key for r in requests] == [f"{code}|2014-08|2014-09-17" for code in CODES]


def _requested(defs, instance, cursor):
    result = evaluate_automation(defs, instance, cursor)
    return result.get_requested_partitions(REGIONAL_COMPARISON), result.cursor


def _published(instance, code: str, month: str) -> None:
    key = dg.MultiPartitionKey({"authority": code, "month": month})
    event = dg.AssetMaterialization(AUTHORITY_AGGREGATES, partition=key)
    instance.report_runless_asset_event(event)


def test_a_month_is_combined_when_all_have_published_and_again_when_one_republishes(defs):
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authorities.name, CODES)
        seen = []
        requested, cursor = _requested(defs, instance, None)
        seen.append(requested)
        for code in [CODES[0], CODES[1], None, CODES[0]]:
            if code is None:  # the requested combination ran
                instance.report_runless_asset_event(
                    dg.AssetMaterialization(REGIONAL_COMPARISON, partition="2013-05")
                )
            else:
                _published(instance, code, "2013-05")
            requested, cursor = _requested(defs, instance, cursor)
            seen.append(requested)
        requested, cursor = _requested(defs, instance, cursor)  # nothing new since
        seen.append(requested)
    # an old month, not only the latest: a rerun of one authority's month is recombined
    assert seen == [set(), set(), {"2013-05"}, set(), {"2013-05"}, set()]


def test_the_region_instance_settings_are_installed_by_the_command_line(tmp_path, capsys):
    assert main(["--region", str(tmp_path / "home")]) == 0
    assert_installed_settings(tmp_path / "home", REGION_DAGSTER_YAML_TEMPLATE)
    assert str(tmp_path / "home") in capsys.readouterr().out
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        queue = instance.get_concurrency_config().run_queue_config
    assert queue.max_concurrent_runs == 2
    assert queue.tag_concurrency_limits == [
        {
            "key": "dagster/partition/authority",
            "value": {"applyLimitPerUniqueValue": True},
            "limit": 1,
        }
    ]
