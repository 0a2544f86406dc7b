"""A region of three authorities end to end (issue 14), run as the region's Dagster runs them
(pipelines/region/orchestration.py, `make region-ui`): `boardpack generate --authorities 3`,
the authorities enrolled as partitions by the region's sensor, one authority x month run each
(its own `boardpack run` in its own warehouse, then its suppressed aggregates published), the
regional comparison started by its automation condition once all three have published, and one
authority's pack given the regional file (which reruns only its pack).

The regional statistics are checked against medians and quartiles worked out here from the
three published files (statistics.quantiles, 'inclusive': QUARTILE.INC, the method
docs/region.md states), not by the combining code; and no suppressed cell can be recovered: in
every published file, every count shown is 0 or at least the threshold, and so is every
difference between a published whole and a published part (the subtractions a reader could
make). The region's run queue keeps one run per authority (Dagster's own counter, on the runs'
own tags). One module fixture: three pipeline runs at a small scale."""

from __future__ import annotations

import csv
import statistics
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
from click.testing import CliRunner
from dagster._utils.tags import TagConcurrencyLimitsCounter  # what the run queue's daemon uses
from pipeline_helpers import evaluate_automation

from pipelines.cli import main
from pipelines.operations.instance import REGION_DAGSTER_YAML_TEMPLATE, prepare_dagster_home
from pipelines.region import hub
from pipelines.region.orchestration import (
    AUTHORITY_JOB,
    AUTHORITY_TAG,
    COMBINE_JOB,
    REGIONAL_COMPARISON,
    authorities,
    build_region_definitions,
)
from pipelines.region.relations import PROJECT_NESTING, closure, within_indicator
from pipelines.settings import Settings

MONTH = "2014-08"
THRESHOLD = 5
SYMBOLS = {"c", "k", "z"}


def _partition(code: str, month: str = MONTH) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"authority": code, "month": month})


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("region")
    generated = CliRunner().invoke(
        main,
        ["generate", "--authorities", "3", "--out", str(root / "extracts"), "--scale", "0.1"],
    )
    assert generated.exit_code == 0, generated.output
    with open(root / "extracts" / "authorities.csv", newline="", encoding="utf-8") as f:
        listed = list(csv.DictReader(f))
    assert len(listed) == 3
    home = prepare_dagster_home(root / "dagster_home", REGION_DAGSTER_YAML_TEMPLATE)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("BOARDPACK_REGION_DIR", str(root / "extracts"))
        monkeypatch.setenv("BOARDPACK_REGION_WORK", str(root / "work"))
        settings = Settings.from_environment()
        defs = build_region_definitions(settings)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            sensor = defs.resolve_sensor_def("region_authorities")
            with dg.build_sensor_context(
                instance=instance, resources={"settings": settings}
            ) as context:
                enrolment = sensor(context)
            for request in enrolment.dynamic_partitions_requests:  # as the daemon applies them
                instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
            enrolled = instance.get_dynamic_partitions(authorities.name)
            before = evaluate_automation(defs, instance)
            runs = {}
            for authority in listed:
                result = defs.resolve_job_def(AUTHORITY_JOB).execute_in_process(
                    partition_key=_partition(authority["code"]),
                    instance=instance,
                    raise_on_error=False,
                )
                assert result.success, [
                    event.message for event in result.all_events if event.is_failure
                ]
                runs[authority["code"]] = instance.get_run_by_id(result.run_id)
                if len(runs) == 2:  # not yet: one authority still to publish
                    partway = evaluate_automation(defs, instance, before.cursor)
            after = evaluate_automation(defs, instance, partway.cursor)
            combined = defs.resolve_job_def(COMBINE_JOB).execute_in_process(
                partition_key=MONTH, instance=instance
            )
            assert combined.success
            queue = instance.get_concurrency_config().run_queue_config
    codes = [authority["code"] for authority in listed]
    return SimpleNamespace(
        root=root,
        settings=settings,
        authorities=listed,
        enrolled=enrolled,
        requested=(
            before.get_requested_partitions(REGIONAL_COMPARISON),
            partway.get_requested_partitions(REGIONAL_COMPARISON),
            after.get_requested_partitions(REGIONAL_COMPARISON),
        ),
        runs=runs,
        queue=queue,
        published=[hub.published_file(settings, code, MONTH) for code in codes],
        regional=hub.regional_file(settings, MONTH),
    )


def test_the_authorities_are_enrolled_and_each_has_its_own_warehouse(region):
    codes = [authority["code"] for authority in region.authorities]
    assert region.enrolled == codes
    for code in codes:
        own = region.root / "work" / code
        assert (own / "warehouse.duckdb").is_file()
        assert (own / "output" / MONTH / "board_pack.pdf").is_file()
        assert region.runs[code].tags[AUTHORITY_TAG] == code
    assert all(path.is_file() for path in region.published)


def test_the_comparison_starts_only_once_every_authority_has_published(region):
    before, partway, after = region.requested
    assert (before, partway, after) == (set(), set(), {MONTH})


def test_the_run_queue_keeps_one_run_per_authority(region):
    first, second = (region.runs[a["code"]] for a in region.authorities[:2])
    # the first authority's run is in progress: its next month waits, another authority starts
    counter = TagConcurrencyLimitsCounter(region.queue.tag_concurrency_limits, [first])
    next_month = first.with_tags({**first.tags, "dagster/partition/month": "2014-09"})
    assert counter.is_blocked(next_month)
    assert not counter.is_blocked(second)
    assert region.queue.max_concurrent_runs == 2


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _two_dp(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_the_regional_median_and_quartiles_are_those_of_the_published_values(region):
    values: dict[tuple[str, str], list[Decimal]] = {}
    for path in region.published:
        for row in _rows(path):
            if row["value"] not in SYMBOLS:
                values.setdefault((row["indicator_code"], row["month"]), []).append(
                    Decimal(row["value"])
                )
    checked = 0
    for row in _rows(region.regional):
        found = values.get((row["indicator_code"], row["month"]), [])
        assert int(row["authorities_contributing"]) == len(found)
        assert row["authorities_in_region"] == "3"
        if not found:
            assert row["region_median"] == "z"
            continue
        assert row["region_median"] == _two_dp(statistics.median(found)), row
        if len(found) > 1:
            low, _, high = statistics.quantiles(found, n=4, method="inclusive")
            assert (row["region_lower_quartile"], row["region_upper_quartile"]) == (
                _two_dp(Decimal(low)),
                _two_dp(Decimal(high)),
            ), row
        checked += 1
    assert checked > 100  # most indicator-months have published values


def test_no_suppressed_cell_can_be_recovered_from_a_published_file(region):
    suppressed = 0
    for path in region.published:
        by_month: dict[str, dict[str, dict[str, str]]] = {}
        for row in _rows(path):
            by_month.setdefault(row["month"], {})[row["indicator_code"]] = row
            for name in ("numerator", "denominator"):
                cell = row[name]
                if cell in SYMBOLS:
                    suppressed += cell == "c"
                    continue
                assert int(cell) == 0 or int(cell) >= THRESHOLD, (path.name, row)
        for rows in by_month.values():
            percentages = [code for code, r in rows.items() if r["unit"] == "percent"]
            pairs = closure([*within_indicator(percentages), *PROJECT_NESTING])
            for (whole_code, whole_name), (part_code, part_name) in pairs:
                whole = _count(rows.get(whole_code), whole_name)
                part = _count(rows.get(part_code), part_name)
                if whole is None or part is None:
                    continue
                assert not 0 < whole - part < THRESHOLD, (path.name, whole_code, part_code)
    assert suppressed > 0  # small authorities at a small scale: there is something to hide


def _count(row: dict[str, str] | None, name: str) -> int | None:
    if row is None:
        return None
    if name == "complement":
        cells = (row["numerator"], row["denominator"])
        if any(cell in SYMBOLS for cell in cells):
            return None
        return int(cells[1]) - int(cells[0])
    return None if row[name] in SYMBOLS else int(row[name])


def test_an_authority_pack_given_the_regional_file_shows_the_region(region, monkeypatch):
    first = region.authorities[0]
    own = hub.authority_settings(region.settings, hub.Authority(first["code"], first["name"]))
    home = own.database.parent
    for variable, value in own.for_child_process().items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("BOARDPACK_REGIONAL_FILE", str(region.regional))

    result = CliRunner().invoke(main, ["run", "--month", MONTH])

    assert result.exit_code == 0, result.output
    # only the pack's inputs changed (the regional file): the pack's own job
    reused = "Unchanged since an earlier run, reused: "
    assert f"{reused}data_quality_checks, dbt_check_result_views, dbt_models" in result.output
    html = (home / "output" / MONTH / "board_pack.html").read_text(encoding="utf-8")
    assert "Regional comparison" in html
    assert "Region (median)" in html or "region-median" in html
    assert first["name"] in html


def test_an_authority_without_extracts_and_a_month_not_all_published_fail_with_one_line(
    tmp_path, monkeypatch
):
    (tmp_path / "authorities.csv").write_text(
        "code,name\nE90000099,Nowhere Borough Council\n", encoding="utf-8"
    )
    monkeypatch.setenv("BOARDPACK_REGION_DIR", str(tmp_path))
    monkeypatch.setenv("BOARDPACK_REGION_WORK", str(tmp_path / "work"))
    defs = build_region_definitions(Settings.from_environment())
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(authorities.name, ["E90000099"])
        ran = defs.resolve_job_def(AUTHORITY_JOB).execute_in_process(
            partition_key=_partition("E90000099"), instance=instance, raise_on_error=False
        )
        combined = defs.resolve_job_def(COMBINE_JOB).execute_in_process(
            partition_key=MONTH, instance=instance, raise_on_error=False
        )
    assert (_failure(ran), _failure(combined)) == (
        f"{tmp_path / 'E90000099'}: no extracts folder for E90000099 (Nowhere Borough Council)",
        f"not combined for {MONTH}: no published figures yet from E90000099 (expected "
        f"{tmp_path / 'work' / 'published' / MONTH}/<code>.csv: run those authorities for "
        f"{MONTH} first)",
    )
    assert not (tmp_path / "work" / "E90000099" / "warehouse.duckdb").exists()


def _failure(result: dg.ExecuteInProcessResult) -> str:
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    return failure.step_failure_data.user_failure_data.description


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("code,name\nE9000001,Short Code\n", "row 2, column code: 'E9000001' is not an ONS code"),
        ("code,name\nE90000001,\n", "row 2, column name: expected the authority's name"),
        ("code,name\nE90000001,A\nE90000001,B\n", "row 3, column code: E90000001 is listed twice"),
        ("code,name\n", "no authority listed"),
    ],
)
def test_a_bad_authorities_file_is_one_line_naming_row_and_column(tmp_path, content, expected):
    (tmp_path / "authorities.csv").write_text(content, encoding="utf-8")
    settings = Settings.from_environment(region=tmp_path)
    with pytest.raises(hub.RegionError) as raised:
        hub.read_authorities(settings)
    assert str(raised.value).startswith(str(tmp_path / "authorities.csv"))
    assert expected in str(raised.value)
