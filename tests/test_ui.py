"""The Dagster UI end to end: a real webserver and daemon (`dagster dev`, as `make ui` starts
them) on a free local port, driven through its GraphQL API and a headless Chromium.

The runs use a small synthetic authority and temporary folders (tests/dagster_server.py).
"""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import sync_playwright

try:  # tests/ is on sys.path unless it becomes a package
    from dagster_server import DagsterServer, dagster_server, small_authority  # noqa: F401
except ImportError:  # pragma: no cover
    from tests.dagster_server import DagsterServer, dagster_server, small_authority  # noqa: F401

from pipelines.operations import (
    FRESHNESS_CHECK_NAME,
    NIGHTLY_CRON,
    NIGHTLY_SCHEDULE_NAME,
    NIGHTLY_TIMEZONE,
)
from pipelines.settings import PROJECT_ROOT

pytestmark = [pytest.mark.ui, pytest.mark.timeout(3600)]

JOB = "monthly_board_pack"
MONTH = "2014-07"
LINEAGE = [
    "raw/ssd_contacts",
    "staging/stg_contacts",
    "indicators/ind_contacts",
    "marts/fct_indicator_month",
    "board_pack",
]

ASSET_NODES_QUERY = """
query {
  assetNodes {
    assetKey { path }
    groupName
    kinds
    description
    isPartitioned
    dependencyKeys { path }
  }
}
"""

AUTOMATION_QUERY = """
query Automation($selector: RepositorySelector!) {
  schedulesOrError(repositorySelector: $selector) {
    ... on Schedules {
      results { name cronSchedule executionTimezone pipelineName scheduleState { status } }
    }
  }
  sensorsOrError(repositorySelector: $selector) {
    ... on Sensors { results { name sensorType sensorState { status } } }
  }
}
"""

LAUNCH_MUTATION = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""

REEXECUTE_MUTATION = """
mutation Reexecute($params: ReexecutionParams!) {
  launchPipelineReexecution(reexecutionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""


def _key(path: list[str]) -> str:
    return "/".join(path)


def launch(server: DagsterServer, month: str, assets: list[str] | None = None) -> str:
    """Launch the monthly job for one partition, as the UI's Materialize button does."""
    selector = {**server.repository_selector(), "pipelineName": JOB}
    if assets:
        selector["assetSelection"] = [{"path": a.split("/")} for a in assets]
    params = {
        "selector": selector,
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": month}]},
    }
    result = server.graphql(LAUNCH_MUTATION, {"params": params})["launchPipelineExecution"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return result["run"]["runId"]


def assert_succeeded(server: DagsterServer, run: dict) -> None:
    assert run["status"] == "SUCCESS", (
        f"run {run['runId']} ended {run['status']}:\n{server.run_errors(run['runId'])}"
        f"\n--- dagster dev log ---\n{server.log_tail()}"
    )


def _path(parents: dict[str, set[str]], source: str, target: str) -> list[str] | None:
    """A dependency path from `source` down to `target`, walking the parents of `target`."""
    paths = {target: [target]}
    todo = [target]
    while todo:
        key = todo.pop(0)
        if key == source:
            return paths[key]
        for parent in sorted(parents.get(key, ())):
            if parent not in paths:
                paths[parent] = [parent, *paths[key]]
                todo.append(parent)
    return None


def test_asset_graph_has_lineage_from_extract_to_pack(dagster_server: DagsterServer):
    nodes = dagster_server.graphql(ASSET_NODES_QUERY)["assetNodes"]
    by_key = {_key(n["assetKey"]["path"]): n for n in nodes}
    parents = {key: {_key(d["path"]) for d in n["dependencyKeys"]} for key, n in by_key.items()}
    # Each asset of the chain is upstream of the next, directly or through intermediate models
    # (ind_contacts reaches fct_indicator_month through marts/int_indicator_values).
    for upstream, downstream in zip(LINEAGE, LINEAGE[1:], strict=False):
        assert downstream in by_key, f"{downstream} is not in the asset graph"
        path = _path(parents, upstream, downstream)
        assert path, f"no lineage from {upstream} to {downstream}"
        print(" -> ".join(path))
    # staging reads each extract as at the month end (base_ssd_*), which reads the raw table
    assert "raw/ssd_contacts" in parents["staging/base_ssd_contacts"]
    assert "staging/base_ssd_contacts" in parents["staging/stg_contacts"]
    # the pack reads the contracted pack_* models of the board_pack exposure, and the checks
    assert {"marts/pack_indicators", "quality/check_results"} <= parents["board_pack"]
    assert by_key["board_pack"]["isPartitioned"]
    groups = {n["groupName"] for n in nodes}
    assert {"raw", "staging", "indicators", "board_pack"} <= groups, groups
    assert by_key["raw/ssd_contacts"]["groupName"] == "raw"
    assert by_key["board_pack"]["groupName"] == "board_pack"


def test_schedule_and_sensors_are_running(dagster_server: DagsterServer):
    data = dagster_server.graphql(
        AUTOMATION_QUERY, {"selector": dagster_server.repository_selector()}
    )
    schedules = {s["name"]: s for s in data["schedulesOrError"]["results"]}
    nightly = schedules[NIGHTLY_SCHEDULE_NAME]
    assert nightly["cronSchedule"] == NIGHTLY_CRON
    assert nightly["executionTimezone"] == NIGHTLY_TIMEZONE
    assert nightly["pipelineName"] == JOB
    assert nightly["scheduleState"]["status"] == "RUNNING"
    sensors = data["sensorsOrError"]["results"]
    assert sensors, "no sensors in the code location (the alert sensors are not wired in)"
    stopped = [s["name"] for s in sensors if s["sensorState"]["status"] != "RUNNING"]
    assert not stopped, f"sensors not running by default: {stopped}"


def test_partitioned_run_for_a_past_month(dagster_server: DagsterServer, small_authority):
    started = time.perf_counter()
    run_id = launch(dagster_server, MONTH)
    run = dagster_server.wait_for_run(run_id)
    elapsed = time.perf_counter() - started
    print(f"full run for {MONTH} on the small authority: {elapsed:.0f}s (queue to success)")
    assert_succeeded(dagster_server, run)
    assert {"key": "dagster/partition", "value": MONTH} in run["tags"]
    pack_dir = dagster_server.path("BOARDPACK_OUTPUT") / MONTH
    written = sorted(p.name for p in pack_dir.iterdir())
    assert "board_pack.html" in written and "indicators.csv" in written, written
    # The nightly job runs the freshness check of every extract; the files are brand new.
    freshness = [
        e
        for e in dagster_server.check_evaluations(run_id)
        if e["checkName"] == FRESHNESS_CHECK_NAME
    ]
    assert len(freshness) == 13 and all(e["success"] for e in freshness), freshness


def test_reexecute_a_failed_run_from_failure(dagster_server: DagsterServer, small_authority):
    extract = small_authority / "ssd_contacts.csv"
    aside = extract.with_name("ssd_contacts.csv.aside")
    shutil.move(extract, aside)
    try:
        failed = dagster_server.wait_for_run(launch(dagster_server, MONTH))
    finally:
        shutil.move(aside, extract)
    assert failed["status"] == "FAILURE", failed["status"]
    failed_steps = {s["stepKey"] for s in failed["stepStats"] if s["status"] == "FAILURE"}
    succeeded_steps = {s["stepKey"] for s in failed["stepStats"] if s["status"] == "SUCCESS"}
    # the 13 extracts load in one step (one transaction): that step failed on the missing file
    assert "raw_extracts" in failed_steps, failed["stepStats"]

    params = {"parentRunId": failed["runId"], "strategy": "FROM_FAILURE"}
    result = dagster_server.graphql(REEXECUTE_MUTATION, {"params": params})
    result = result["launchPipelineReexecution"]
    assert result["__typename"] == "LaunchRunSuccess", result
    rerun = dagster_server.wait_for_run(result["run"]["runId"])
    assert_succeeded(dagster_server, rerun)
    assert rerun["parentRunId"] == failed["runId"]
    rerun_steps = set(rerun["stepKeysToExecute"] or [])
    assert failed_steps <= rerun_steps, (failed_steps, rerun_steps)
    # From failure: what succeeded in the failed run is not run again (and the raw step skips
    # the files it loaded then: their SHA-256 is unchanged).
    assert not (succeeded_steps & rerun_steps), succeeded_steps & rerun_steps


def test_a_second_run_queues_while_one_is_in_progress(
    dagster_server: DagsterServer, small_authority
):
    """The nightly run and a rerun from the UI: the second waits (one DuckDB writer)."""
    first = launch(dagster_server, MONTH)
    second = launch(dagster_server, "2014-06", assets=["board_pack"])
    seen_queued_behind = False
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        a, b = dagster_server.run(first)["status"], dagster_server.run(second)["status"]
        in_progress = {"STARTING", "STARTED"}
        assert not (a in in_progress and b in in_progress), "two runs in progress at once"
        seen_queued_behind |= a in in_progress and b == "QUEUED"
        if a in {"SUCCESS", "FAILURE", "CANCELED"} and b in {"SUCCESS", "FAILURE", "CANCELED"}:
            break
        time.sleep(0.5)
    assert seen_queued_behind, "the second run was never seen waiting in the queue"
    assert_succeeded(dagster_server, dagster_server.run(first))
    assert_succeeded(dagster_server, dagster_server.run(second))
    assert (dagster_server.path("BOARDPACK_OUTPUT") / "2014-06" / "board_pack.html").exists()


BACKFILL_MUTATION = """
mutation Backfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""

BACKFILL_QUERY = """
query Backfill($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { status runs { runId status tags { key value } } }
  }
}
"""


def test_backfill_rebuilds_past_months_packs(dagster_server: DagsterServer, small_authority):
    """Rebuilding past months from the UI: select board_pack, Materialize, a range of months."""
    months = ["2014-04", "2014-05"]
    params = {"assetSelection": [{"path": ["board_pack"]}], "partitionNames": months}
    result = dagster_server.graphql(BACKFILL_MUTATION, {"params": params})
    result = result["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", result
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        backfill = dagster_server.graphql(BACKFILL_QUERY, {"id": result["backfillId"]})
        backfill = backfill["partitionBackfillOrError"]
        if backfill["status"] not in {"REQUESTED", "CANCELING", "FAILING"}:
            break
        time.sleep(3)
    runs = backfill["runs"]
    assert backfill["status"] in {"COMPLETED", "COMPLETED_SUCCESS"}, backfill
    assert (
        sorted(t["value"] for r in runs for t in r["tags"] if t["key"] == "dagster/partition")
        == months
    )
    for run in runs:
        assert_succeeded(dagster_server, dagster_server.run(run["runId"]))
    for month in months:
        assert (dagster_server.path("BOARDPACK_OUTPUT") / month / "board_pack.html").exists()


def _non_blank(image_path) -> tuple[int, float]:
    from PIL import Image, ImageStat

    with Image.open(image_path) as image:
        rgb = image.convert("RGB")
        colours = len(rgb.getcolors(maxcolors=1 << 20) or [])
        spread = max(ImageStat.Stat(rgb.convert("L")).stddev)
    return colours, spread


SCREENSHOTS = {
    # One extract's path to the pack, asset by asset: ssd_contacts -> base_ssd_contacts ->
    # stg_contacts -> ind_contacts -> int_indicator_values -> fct_indicator_month ->
    # pack_indicators -> board_pack (four steps each way from ind_contacts).
    "lineage.png": (
        "/assets/indicators/ind_contacts?view=lineage&lineageScope=neighbors&lineageDepth=4"
    ),
    # The whole graph by group: raw -> staging -> indicators -> board_pack.
    "lineage_groups.png": "/asset-groups",
}


def test_lineage_page_screenshot(dagster_server: DagsterServer, tmp_path):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which(chromium):  # a hard requirement: a skipped browser test reads as a pass
        pytest.fail("Debian's chromium is not installed: run `make system-deps` as root")
    kept_dir = PROJECT_ROOT / "data" / "output" / "ui"
    kept_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            for name, url in SCREENSHOTS.items():
                shot = tmp_path / name
                # Not "networkidle": the UI polls for live asset data every two seconds.
                page.goto(f"{dagster_server.url}{url}", wait_until="load", timeout=120_000)
                # The graph is drawn once the asset nodes have been fetched and laid out.
                page.get_by_text("board_pack").first.wait_for(timeout=120_000)
                page.wait_for_timeout(8000)
                page.screenshot(path=str(shot))
                colours, spread = _non_blank(shot)
                assert colours > 20 and spread > 5, f"{name} looks blank ({colours} colours)"
                shutil.copyfile(shot, kept_dir / name)
                print(f"lineage screenshot: {shot} (copied to {kept_dir / name})")
        finally:
            browser.close()
