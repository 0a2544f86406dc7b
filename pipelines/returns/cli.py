"""`boardpack returns --year 2024-25`: load, build the returns models, write, validate.

When the extracts do not reach into the collection year and they are the synthetic demo
authority (its generator leaves ``manifest.csv`` beside the files), a recent demo authority
is generated on demand into its own folder and warehouse (``<data>/returns_demo/``), and the
command says so: the August 2014 demo and its warehouse are never touched. Real extracts that
do not cover the year are refused with one line saying what they cover.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click
import duckdb

from pipelines.settings import DBT_PROJECT_DIR, Settings, child_environment

RECENT_DEMO = dict(seed=2025, start=date(2021, 4, 1), end=date(2026, 3, 31), scale=0.25)


def _latest_date(extracts: Path) -> date | None:
    path = extracts / "ssd_cin_episodes.csv"
    if not path.exists():
        return None
    con = duckdb.connect()
    try:
        (value,) = con.execute(
            "SELECT max(try_cast(cine_referral_date AS DATE)) FROM "
            "read_csv(?, all_varchar = true, header = true)",
            [str(path)],
        ).fetchone()
    finally:
        con.close()
    return value


def _year_start(year: str) -> date:
    return date(int(year[:4]), 4, 1)


def run_returns(year, extracts_dir, output_dir, window_start, window_end) -> int:
    from pipelines.returns.files import check_year

    started = time.perf_counter()
    try:
        year, _ = check_year(year)
    except ValueError as error:
        click.echo(str(error), err=True)
        return 2
    settings = Settings.from_environment()
    extracts = Path(extracts_dir or settings.extracts_dir).resolve()
    database = settings.database
    latest = _latest_date(extracts)
    if latest is None or latest < _year_start(year):
        if not (extracts / "manifest.csv").exists() and latest is not None:
            click.echo(
                f"The extracts in {extracts} end on {latest}: they do not reach the {year} "
                f"collection year (from {_year_start(year)}).",
                err=True,
            )
            return 1
        demo = database.parent / "returns_demo"
        extracts, database = demo / "extracts", demo / "warehouse.duckdb"
        if not (extracts / "ssd_person.csv").exists():
            from pipelines.synthetic import generate_authority

            generate_authority(extracts, **RECENT_DEMO)
        click.echo(
            f"The demo extracts end before {year}: using a recent synthetic demo authority "
            f"(April 2021 to March 2026, scale {RECENT_DEMO['scale']}) in {demo}, with its "
            "own warehouse."
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    load_and_build(extracts, database)
    from pipelines.returns.build import produce_returns
    from pipelines.returns.validation import ValidatorsUnavailable

    restricted = Path(output_dir).resolve() if output_dir else settings.restricted_dir
    window = None
    if window_start or window_end:
        from pipelines.returns.annex_a import default_window

        default = default_window(window_end or date.today())
        window = (window_start or default[0], window_end or default[1])
    con = duckdb.connect(str(database))
    try:
        try:
            run = produce_returns(con, year, restricted, window=window)
        except ValidatorsUnavailable as error:
            click.echo(f"{error}; the files are written but not checked", err=True)
            run = produce_returns(con, year, restricted, window=window, validate=False)
    finally:
        con.close()
    click.echo(f"Returns for {year} written to {run.folder} (restricted, owner-only):")
    for path in run.files:
        click.echo(f"  {path}")
    for name, count in run.counts.items():
        click.echo(f"  {name:<32} {count:>8,} rows")
    for result in run.validations:
        click.echo(f"{result.summary()} (DfE ruleset {result.ruleset})")
        for failure in result.failures:
            click.echo(
                f"  {failure.severity:<6} {failure.rule_code:<8} {failure.children:>5} children  "
                f"{failure.message[:80]}"
            )
    click.echo(f"Took {time.perf_counter() - started:.0f}s")
    return 0


RETURNS_STAGE = "returns_dbt"


def load_and_build(extracts: Path, database: Path) -> None:
    """Load the extracts (unchanged files are skipped) and build staging and the returns
    models with dbt, into ``database``; the dbt build is skipped when the extracts, the dbt
    project and the day are those it was last built from and its tables are there
    (pipelines/reuse.py; BOARDPACK_REBUILD=1 builds anyway)."""
    import json
    import subprocess
    import sys
    from datetime import date

    from pipelines.ingest import load_extracts
    from pipelines.reuse import StageRecords, extract_versions, files_digest, fingerprint
    from pipelines.stage_inputs import PROJECT_INPUTS

    command = ["run", "--quiet", "--select", "+path:models/returns"]
    con = duckdb.connect(str(database))
    try:
        for result in load_extracts(con, extracts):
            if result.status == "failed":
                click.echo(f"  {result.message}", err=True)
        inputs = fingerprint(
            {
                "dbt_project": files_digest(DBT_PROJECT_DIR / name for name in PROJECT_INPUTS),
                "command": command,
                "extracts": extract_versions(con),
                # with no reporting month, the latest month covered follows today's date
                "today": date.today().isoformat(),
            }
        )
        records = StageRecords(con)
        built = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'returns'"
        ).fetchone()[0]
        forced = Settings.from_environment().rebuild_every_stage  # BOARDPACK_REBUILD=1
        if built and not forced and records.matching(RETURNS_STAGE, inputs) is not None:
            return
        records.forget(RETURNS_STAGE)
    finally:
        con.close()
    dbt = Path(sys.executable).parent / "dbt"
    env = child_environment(DBT_PROFILES_DIR=str(DBT_PROJECT_DIR))
    # the warehouse in the invocation, as the nightly build gives it (pipelines/assets/dbt.py);
    # a target folder of its own, so that dbt's partial parsing survives between runs (the
    # nightly's invocations, with other vars, would make each returns run parse afresh)
    variables = json.dumps({"warehouse": str(database)})
    target = DBT_PROJECT_DIR / "target" / "returns"
    done = subprocess.run(
        [str(dbt), *command, "--vars", variables, "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise click.ClickException(f"dbt could not build the returns models: {done.stdout[-500:]}")
    con = duckdb.connect(str(database))
    try:
        StageRecords(con).record(RETURNS_STAGE, inputs, "boardpack returns")
    finally:
        con.close()
