"""`boardpack`: the command line for the performance team.

    boardpack generate --out data/extracts   # the synthetic demo authority
    boardpack validate data/extracts         # check extracts against the contract, load nothing
    boardpack run --month 2014-08            # the whole pipeline through Dagster for one month

Click is used because Dagster already depends on it (no extra dependency) and it gives
typed options, help text and exit codes for free.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import click

from pipelines.settings import DEMO_MONTH, load_settings

# printed by `run` when stages reused an earlier run's work (the benchmark reads it)
REUSED_PREFIX = "Unchanged since an earlier run, reused: "


def _parse_date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from error


def _check_month(_ctx, _param, value: str) -> str:
    try:
        date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise click.BadParameter(f"expected a month as YYYY-MM, got {value!r}") from error
    return value


@click.group()
def main() -> None:
    """Children's social care Improvement Board performance pack pipeline."""


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@click.option("--seed", type=int, default=2014, show_default=True)
@click.option("--start", callback=_parse_date, default="2011-04-01", show_default=True)
@click.option("--end", callback=_parse_date, default="2014-08-31", show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True)
def generate(out_dir: Path, seed: int, start: date, end: date, scale: float) -> None:
    """Write a synthetic local authority's SSD extracts (deterministic for a seed)."""
    from pipelines.synthetic import generate_authority

    summary = generate_authority(out_dir, seed=seed, start=start, end=end, scale=scale)
    click.echo(f"Generated the synthetic authority in {out_dir} in {summary.elapsed_seconds:.1f}s")
    for table, rows in sorted(summary.row_counts.items()):
        click.echo(f"  {table:<28} {rows:>10,} rows")
    click.echo(
        f"  {summary.planted_problems} planted data-quality problems, listed in manifest.csv"
    )
    for note in summary.notes:
        click.echo(f"  note: {note}")


@main.command()
@click.argument("extracts_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
def validate(extracts_dir: Path) -> None:
    """Check every extract file against the contract and report, without loading anything."""
    from pipelines.ingest import format_report, validate_extracts

    reports = validate_extracts(extracts_dir)
    click.echo(format_report(reports))
    if any(report.file_error for report in reports):
        sys.exit(1)


@main.command()
@click.option("--extracts", "extracts_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--month", callback=_check_month, default=DEMO_MONTH, show_default=True)
@click.option("--output", "output_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--db", "database", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--rebuild",
    is_flag=True,
    help="Rebuild models, rerun checks and render the pack even if nothing changed.",
)
def run(
    extracts_dir: Path | None,
    month: str,
    output_dir: Path | None,
    database: Path | None,
    rebuild: bool,
) -> None:
    """Load the extracts, rebuild the models, run the checks and write the month's board pack.

    Changed extract files are reloaded; a stage whose inputs are all unchanged since it last
    succeeded reuses what it built then (--rebuild redoes everything)."""
    for variable, value in (
        ("BOARDPACK_EXTRACTS", extracts_dir),
        ("BOARDPACK_OUTPUT", output_dir),
        ("BOARDPACK_DB", database),
    ):
        if value is not None:
            os.environ[variable] = str(value.resolve())
    settings = load_settings()
    settings.database.parent.mkdir(parents=True, exist_ok=True)

    from pipelines.runner import run_month

    started = time.perf_counter()
    result = run_month(month, rebuild=rebuild)
    elapsed = time.perf_counter() - started
    _print_checks(result.checks)
    if result.reused:
        click.echo(REUSED_PREFIX + ", ".join(result.reused))
    if not result.success:
        click.echo(f"The run for {month} failed after {elapsed:.0f}s:", err=True)
        for failure in result.failures:
            click.echo(f"  - {failure}", err=True)
        sys.exit(1)
    done = "up to date, not rewritten" if "board_pack" in result.reused else "written"
    click.echo(f"Board pack for {month} {done}; the run took {elapsed:.0f}s:")
    for path in sorted(settings.month_output_dir(month).iterdir()):
        click.echo(f"  {path}")


@main.command()
@click.option("--year", "year", required=True, help="Collection year, e.g. 2024-25.")
@click.option("--extracts", "extracts_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the files go (default: <restricted folder>/returns/<year>).",
)
@click.option(
    "--window-start",
    callback=_parse_date,
    default=None,
    help="Annex A window start (default: 12 months before the run date).",
)
@click.option(
    "--window-end",
    callback=_parse_date,
    default=None,
    help="Annex A window end (default: the run date).",
)
def returns(extracts_dir, year, output_dir, window_start, window_end) -> None:  # fmt: skip
    """Write the SSDA903, CIN census and Annex A for a collection year and check them with the
    DfE's own rules (docs/returns.md)."""
    from pipelines.returns.cli import run_returns

    sys.exit(run_returns(year, extracts_dir, output_dir, window_start, window_end))


def _print_checks(checks) -> None:
    if not checks:
        return
    failed = [check for check in checks if not check.passed]
    click.echo(
        f"Data quality: {len(checks)} checks, {len(checks) - len(failed)} passed, "
        f"{sum(c.severity == 'ERROR' for c in failed)} with errors, "
        f"{sum(c.severity == 'WARN' for c in failed)} with warnings"
    )
    for check in failed:
        level = "error" if check.severity == "ERROR" else "warning"
        records = "" if check.failing_records is None else f"{check.failing_records:,} records"
        click.echo(f"  {level:<8} {check.name:<50} {records:>14}")
    settings = load_settings()
    click.echo(f"  Data Docs: {settings.output_dir / 'data_docs' / 'index.html'}")
    click.echo(f"  Worklists (restricted): {settings.restricted_dir / 'worklists'}")


if __name__ == "__main__":
    main()
