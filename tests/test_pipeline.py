"""The spine end to end: definitions load, every asset materialises, the outputs are right."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import dagster as dg
import pytest
from pipeline_helpers import pipeline_environment, run_pipeline

from pipelines.contract import load_contract
from pipelines.pack.indicators_csv import INDICATOR_CSV_COLUMNS


def test_definitions_load_with_the_whole_graph():
    from pipelines.definitions import MONTHLY_JOB_NAME, defs

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    for table in load_contract().tables:
        assert f"raw/{table.name}" in keys
    assert {"staging/stg_contacts", "indicators/ind_contacts", "marts/fct_indicator_month"} <= keys
    assert "board_pack" in keys
    job = defs.resolve_job_def(MONTHLY_JOB_NAME)
    assert job.partitions_def is not None


def test_lineage_runs_from_the_extract_to_the_pack():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    chain = [
        dg.AssetKey(["raw", "ssd_contacts"]),
        dg.AssetKey(["staging", "base_ssd_contacts"]),
        dg.AssetKey(["staging", "stg_contacts"]),
        dg.AssetKey(["indicators", "ind_contacts"]),
        dg.AssetKey(["marts", "int_indicator_values"]),
        dg.AssetKey(["marts", "fct_indicator_month"]),
        dg.AssetKey(["marts", "pack_indicators"]),
        dg.AssetKey(["board_pack"]),
    ]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert upstream in graph.get(downstream).parent_keys, f"{upstream} -> {downstream}"


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    from pipelines.synthetic import generate_authority

    root = tmp_path_factory.mktemp("small")
    generate_authority(root / "extracts", seed=7, scale=0.05)
    with pytest.MonkeyPatch.context() as monkeypatch:
        return run_pipeline(root, "2014-07", monkeypatch)


def test_every_asset_materialises_on_a_small_authority(small_run):
    assert small_run.success, small_run.failures
    with small_run.connect() as con:
        loaded = con.execute(
            "select count(distinct table_name) from raw.load_log where status = 'loaded'"
        ).fetchone()[0]
        months = con.execute(
            "select count(distinct indicator_code) from marts.fct_indicator_month "
            "where month = date '2014-07-01'"
        ).fetchone()[0]
    # the 13 files the indicators read and the 10 the statutory returns read (the synthetic
    # authority writes them all)
    assert loaded == 23
    assert months == 23
    assert (small_run.month_dir / "board_pack.html").exists()


def read_indicators_csv(month_dir):
    with (month_dir / "indicators.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, {row["code"]: row for row in reader}


def test_demo_indicators_csv(demo_run):
    columns, rows = read_indicators_csv(demo_run.month_dir)
    assert columns == INDICATOR_CSV_COLUMNS
    assert len(rows) == 23
    contacts = rows["contacts"]
    assert (contacts["value"], contacts["previous_1y"], contacts["previous_2y"]) == (
        "567",
        "441",
        "257",
    )
    assert rows["referrals"]["value"] == "489"
    assert all(row["month"] == "2014-08" for row in rows.values())
    assert (demo_run.month_dir / "board_pack.html").exists()


PACK_FILES = ("indicators.csv", "board_pack.html", "board_pack.pdf", "board_pack.xlsx")


def _pack_state(run):
    return {name: (run.month_dir / name).stat().st_mtime_ns for name in PACK_FILES}


def _history_rows(run) -> int:
    with run.connect() as con:
        return con.execute("select count(*) from quality.check_results").fetchone()[0]


def _history_runs(run) -> tuple[int, int]:
    """(check-result rows, the runs that wrote them): each run of the suites adds one set."""
    with run.connect() as con:
        return con.execute(
            "select count(*), count(distinct run_id) from quality.check_results"
        ).fetchone()


# The three tests below rerun the small authority's pipeline in order (same module, after its
# first run): nothing changed, then the commentary, then an extract.


def test_a_rerun_with_nothing_changed_reuses_every_stage(small_run, monkeypatch):
    pack_before, history_before = _pack_state(small_run), _history_rows(small_run)
    csv_before = (small_run.month_dir / "indicators.csv").read_bytes()

    rerun = run_pipeline(small_run.settings.extracts_dir.parent, small_run.month, monkeypatch)

    assert rerun.success, rerun.failures
    assert rerun.reused == [
        "board_pack",
        "data_quality_checks",
        "dbt_check_result_views",
        "dbt_models",
    ]
    assert _pack_state(rerun) == pack_before, "the pack was written again"
    assert (rerun.month_dir / "indicators.csv").read_bytes() == csv_before
    assert _history_rows(rerun) == history_before, "the suites ran again"


# Issue 12: `boardpack run` asks, before importing Dagster, whether every stage would be reused
# (pipelines/up_to_date.py). These use the small authority's run as it stands after the rerun
# above, and change copies only (the tests after them rerun it).


def test_nothing_changed_is_up_to_date_and_the_cli_starts_no_dagster(small_run):
    import os
    import subprocess
    import sys

    from pipeline_helpers import pipeline_environment

    from pipelines.cli import NOTHING_CHANGED_PREFIX
    from pipelines.settings import PROJECT_ROOT
    from pipelines.up_to_date import check_up_to_date

    verdict = check_up_to_date(small_run.settings, small_run.month)

    assert verdict.up_to_date is not None, str(verdict)
    assert verdict.up_to_date.pack_files == small_run.result.pack_files

    pack_before, history_before = _pack_state(small_run), _history_rows(small_run)
    driver = (
        "import sys\n"
        "from pipelines.cli import main\n"
        "try:\n"
        f"    main(['run', '--month', '{small_run.month}'])\n"
        "except SystemExit as stop:\n"
        "    code = stop.code or 0\n"
        "heavy = [m for m in ('dagster', 'dagster_dbt', 'dbt') if m in sys.modules]\n"
        "print('heavy modules:', heavy)\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "BOARDPACK_REBUILD")}
    env |= pipeline_environment(small_run.settings.extracts_dir.parent)
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", driver], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert "heavy modules: []" in done.stdout, done.stdout
    assert f"Board pack for {small_run.month} up to date, not rewritten" in done.stdout
    assert NOTHING_CHANGED_PREFIX in done.stdout and "--rebuild" in done.stdout
    for path in small_run.result.pack_files:
        assert path in done.stdout
    assert _pack_state(small_run) == pack_before
    assert _history_rows(small_run) == history_before


def test_rebuild_never_takes_the_shortcut(small_run, monkeypatch):
    from pipelines.cli import _nothing_to_do
    from pipelines.settings import Settings
    from pipelines.up_to_date import check_up_to_date

    assert _nothing_to_do(small_run.settings, small_run.month, rebuild=True).up_to_date is None
    monkeypatch.setenv("BOARDPACK_REBUILD", "1")
    forced = Settings.from_environment(db=str(small_run.settings.database))
    assert check_up_to_date(forced, small_run.month).stage == "rebuild"


def test_a_changed_input_is_not_up_to_date_and_names_its_stage(small_run, tmp_path):
    import shutil

    from pipelines.settings import EXPECTATIONS_DIR, Settings
    from pipelines.up_to_date import check_up_to_date

    settings, month = small_run.settings, small_run.month
    # one extract file's bytes
    extracts = tmp_path / "extracts"
    shutil.copytree(settings.extracts_dir, extracts)
    with open(extracts / "ssd_contacts.csv", "ab") as extract:
        extract.write(b"\n")
    changed = Settings.from_environment(**{**_paths(settings), "extracts": str(extracts)})
    verdict = check_up_to_date(changed, month)
    assert (verdict.up_to_date, verdict.stage) == (None, "ingest"), str(verdict)
    assert "ssd_contacts.csv" in verdict.reason
    assert not verdict.only_pack
    # the month's commentary
    commentary = tmp_path / "commentary"
    commentary.mkdir()
    (commentary / f"{month}.md").write_text("# Commentary\n\n## contacts\nNew.\n")
    changed = Settings.from_environment(**{**_paths(settings), "commentary": str(commentary)})
    verdict = check_up_to_date(changed, month)
    assert (verdict.up_to_date, verdict.stage) == (None, "board_pack"), str(verdict)
    # only the pack has work to do: what the stages before it recorded comes with the answer
    assert verdict.only_pack
    assert verdict.upstream.reused == [
        "data_quality_checks",
        "dbt_check_result_views",
        "dbt_models",
    ]
    assert verdict.upstream.pack_files == []
    assert {c.name for c in verdict.upstream.checks} >= {"ssd_contacts_as_loaded"}
    # one expectation suite's JSON
    suites = tmp_path / "suites" / EXPECTATIONS_DIR.name
    shutil.copytree(EXPECTATIONS_DIR, suites)
    assert check_up_to_date(settings, month, expectations_dir=suites).up_to_date is not None
    suite = sorted(suites.glob("*.json"))[0]
    suite.write_bytes(suite.read_bytes() + b"\n")
    verdict = check_up_to_date(settings, month, expectations_dir=suites)
    assert (verdict.up_to_date, verdict.stage) == (None, "quality_checks"), str(verdict)
    assert not verdict.only_pack


def _paths(settings) -> dict[str, str]:
    return {
        "db": str(settings.database),
        "extracts": str(settings.extracts_dir),
        "output": str(settings.output_dir),
        "restricted": str(settings.restricted_dir),
        "commentary": str(settings.commentary_dir),
    }


def test_new_commentary_renders_the_pack_again_and_nothing_else(small_run, monkeypatch, tmp_path):
    """A commentary edit through the real command line: `boardpack run` finds only the pack's
    inputs changed and runs the pack's own job (nothing upstream loaded, built or checked; the
    full graph, and so dagster-dbt, never loaded), and the pack is the one a full rebuild gives."""
    from click.testing import CliRunner

    import pipelines.code_location
    from pipelines.cli import main

    commentary = tmp_path / "commentary"
    commentary.mkdir()
    (commentary / f"{small_run.month}.md").write_text(
        "# Commentary\n\n## contacts\nContacts rose after the schools' safeguarding week 7731.\n",
        encoding="utf-8",
    )
    for name, value in pipeline_environment(small_run.settings.extracts_dir.parent).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BOARDPACK_COMMENTARY", str(commentary))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("BOARDPACK_LOGS", str(tmp_path / "logs"))

    def no_full_graph(*_args, **_kwargs):
        raise AssertionError("a commentary edit loaded the whole graph")

    monkeypatch.setattr(pipelines.code_location, "build_definitions", no_full_graph)
    pack_before = _pack_state(small_run)
    checks_before = _history_runs(small_run)

    result = CliRunner().invoke(main, ["run", "--month", small_run.month])

    assert result.exit_code == 0, result.output
    reused = "Unchanged since an earlier run, reused: "
    assert f"{reused}data_quality_checks, dbt_check_result_views, dbt_models" in result.output
    assert f"Board pack for {small_run.month} written" in result.output
    # the checks it reports are the ones the earlier run recorded, not run again
    assert re.search(r"Data quality: \d+ checks", result.output), result.output
    assert _history_runs(small_run) == checks_before
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        (run,) = instance.get_runs()
        assert run.job_name == "board_pack_only"
        steps = {
            r.dagster_event.step_key
            for r in instance.all_logs(run.run_id)
            if r.dagster_event and r.dagster_event.event_type_value == "STEP_START"
        }
    assert steps == {"board_pack"}
    assert _pack_state(small_run)["board_pack.html"] != pack_before["board_pack.html"]
    html = (small_run.month_dir / "board_pack.html").read_text(encoding="utf-8")
    assert "safeguarding week 7731" in html
    incremental = _pack_content(small_run.month_dir)

    # the same inputs with every stage rebuilt: the pack only the commentary changed is the same
    monkeypatch.undo()
    monkeypatch.setenv("BOARDPACK_COMMENTARY", str(commentary))
    full = run_pipeline(small_run.settings.extracts_dir.parent, small_run.month, monkeypatch, True)

    assert full.success and full.reused == [], full.failures
    assert _pack_content(full.month_dir) == incremental


def _pack_content(month_dir: Path) -> dict[str, object]:
    """What the pack says, without what only says when it was made: indicators.csv's bytes, the
    HTML's text, every workbook cell (openpyxl) and the PDF's text (pdftotext)."""
    import subprocess

    import openpyxl

    html = (month_dir / "board_pack.html").read_text(encoding="utf-8")
    workbook = openpyxl.load_workbook(month_dir / "board_pack.xlsx", read_only=True)
    cells = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    workbook.close()
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(month_dir / "board_pack.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        "indicators.csv": (month_dir / "indicators.csv").read_bytes(),
        "html": _without_run_stamps(html),
        "xlsx": cells,
        "pdf": _without_run_stamps(pdf),
    }


def _without_run_stamps(text: str) -> str:
    # the moment the pack was rendered and the run that checked the data (a rebuild's checks
    # are a new run of the same checks): everything else must be the same
    text = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", "<time>", text)
    return re.sub(r"\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|_[0-9a-f]{8}\b", "<run>", text)


def test_a_changed_extract_rebuilds_every_stage(small_run, monkeypatch):
    _, before = read_indicators_csv(small_run.month_dir)
    rows_before, runs_before = _history_runs(small_run)
    # one more contact in the reporting month: a copy of one of its contacts under a new id
    extract = small_run.settings.extracts_dir / "ssd_contacts.csv"
    lines = extract.read_text(encoding="utf-8").splitlines()
    in_month = next(line for line in lines[1:] if f",{small_run.month}-" in line)
    extract.write_text("\n".join([*lines, "CONNEW0001" + in_month[in_month.index(",") :]]) + "\n")

    rerun = run_pipeline(small_run.settings.extracts_dir.parent, small_run.month, monkeypatch)

    assert rerun.success, rerun.failures
    # the models and checks are built again; the views over the check results are unchanged
    assert rerun.reused == ["dbt_check_result_views"]
    _, after = read_indicators_csv(rerun.month_dir)
    assert int(after["contacts"]["value"]) == int(before["contacts"]["value"]) + 1
    # the suites ran again, once: one more set of results, as many rows as each earlier run's
    assert _history_runs(rerun) == (rows_before + rows_before // runs_before, runs_before + 1)


def test_a_broken_extract_fails_clearly_and_keeps_what_was_loaded(small_run, monkeypatch):
    # Runs after the small authority's good run (same module): break one file and rerun.
    with small_run.connect() as con:
        before = con.execute("select count(*) from raw.ssd_contacts").fetchone()[0]
    pack_before = (small_run.month_dir / "board_pack.html").read_bytes()

    extract = small_run.settings.extracts_dir / "ssd_contacts.csv"
    lines = extract.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("cont_contact_date")
    broken = [",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines]
    extract.write_text("\n".join(broken) + "\n", encoding="utf-8")

    rerun = run_pipeline(small_run.settings.extracts_dir.parent, small_run.month, monkeypatch)

    assert not rerun.success
    message = " ".join(rerun.failures)
    assert "ssd_contacts.csv" in message
    assert "cont_contact_date" in message
    with small_run.connect() as con:
        assert con.execute("select count(*) from raw.ssd_contacts").fetchone()[0] == before
    # the pack is not rewritten from a failed load: the previous one stands, whole
    assert (small_run.month_dir / "board_pack.html").read_bytes() == pack_before
