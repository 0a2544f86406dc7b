"""`boardpack`: the command line for the performance team.

    boardpack generate --out data/extracts   # the synthetic demo authority
    boardpack validate data/extracts         # check extracts against the contract, load nothing
    boardpack run --month 2014-08            # the whole pipeline through Dagster for one month
    boardpack region publish --out a.csv     # suppressed aggregates for the regional comparison

Click is used because Dagster already depends on it (no extra dependency) and it gives
typed options, help text and exit codes for free.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, suppress
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

# Only what `boardpack --help` needs is imported here: Dagster, dbt and pandas take seconds
# to import, so each command imports them when it runs (`make bench` times --help).
from pipelines.defaults import DEMO_MONTH

if TYPE_CHECKING:
    from pipelines.plain_settings import PlainSettings

# printed by `run` when stages reused an earlier run's work (the benchmark reads it)
REUSED_PREFIX = "Unchanged since an earlier run, reused: "
# printed by `run` when nothing at all needed doing and no Dagster run was started
NOTHING_CHANGED_PREFIX = "Nothing changed since run "


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


def command() -> None:
    """`boardpack` as installed (pyproject.toml): the command line above in a process of its
    own, so the garbage collector is set for a command that ends (pipelines/collector.py: a
    second at exit, another during a run). Tests call `main` in-process and leave it alone."""
    from pipelines.collector import set_for_a_command

    set_for_a_command()
    main()


def _check_authorities(ctx: click.Context, _param, value: str | None) -> int | None:
    """A whole number of authorities from 1 to the most a region holds; anything else is one
    line on stderr (no usage text, no stack trace) and exit status 2."""
    if value is None:
        return None
    from pipelines.synthetic.region import MAX_AUTHORITIES

    text = value.strip()
    if not text.lstrip("+-").isdigit() or not 1 <= int(text) <= MAX_AUTHORITIES:
        click.echo(
            f"Error: --authorities expects a whole number of authorities from 1 to "
            f"{MAX_AUTHORITIES}, got {value!r}",
            err=True,
        )
        ctx.exit(2)
    return int(text)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@click.option("--seed", type=int, default=2014, show_default=True)
@click.option("--start", callback=_parse_date, default="2011-04-01", show_default=True)
@click.option("--end", callback=_parse_date, default="2014-08-31", show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True)
@click.option(
    "--returns-problems",
    metavar="YYYY-YY",
    help="Plant one record of each problem the DfE's return rules must report in this "
    "collection year (listed in returns_problems.csv).",
)
@click.option(
    "--authorities",
    metavar="N",
    callback=_check_authorities,
    help="A region: N distinct synthetic authorities, each in OUT/<code>/, listed in "
    "OUT/authorities.csv (--seed is the region's; --scale multiplies each one's size).",
)
def generate(
    out_dir: Path,
    seed: int,
    start: date,
    end: date,
    scale: float,
    returns_problems: str | None,
    authorities: int | None,
) -> None:
    """Write a synthetic local authority's SSD extracts (deterministic for a seed), or with
    --authorities a region's."""
    if authorities is not None:
        _generate_region(out_dir, authorities, seed, start, end, scale, returns_problems)
        return
    from pipelines.synthetic import generate_authority

    summary = generate_authority(
        out_dir, seed=seed, start=start, end=end, scale=scale, returns_problems=returns_problems
    )
    click.echo(f"Generated the synthetic authority in {out_dir} in {summary.elapsed_seconds:.1f}s")
    for table, rows in sorted(summary.row_counts.items()):
        click.echo(f"  {table:<28} {rows:>10,} rows")
    click.echo(
        f"  {summary.planted_problems} planted data-quality problems, listed in manifest.csv"
    )
    for note in summary.notes:
        click.echo(f"  note: {note}")


def _generate_region(
    out_dir: Path,
    authorities: int,
    seed: int,
    start: date,
    end: date,
    scale: float,
    returns_problems: str | None,
) -> None:
    from pipelines.synthetic import generate_region

    if not scale > 0:
        click.echo(f"Error: --scale must be a positive number, got {scale}", err=True)
        sys.exit(2)
    if end <= start:
        click.echo(f"Error: --end ({end}) must be after --start ({start})", err=True)
        sys.exit(2)
    summary = generate_region(
        out_dir,
        authorities=authorities,
        seed=seed,
        scale=scale,
        start=start,
        end=end,
        returns_problems=returns_problems,
    )
    click.echo(
        f"Generated {authorities} synthetic authorities in {out_dir} in "
        f"{summary.elapsed_seconds:.1f}s, listed in authorities.csv"
    )
    for authority, one in zip(summary.authorities, summary.summaries, strict=True):
        click.echo(
            f"  {authority.code}  {authority.name}: size {authority.size:.2f}x the demo, "
            f"{sum(one.row_counts.values()):,} rows, {one.planted_problems} planted problems"
        )
        for note in one.notes:
            click.echo(f"    note: {note}")


@main.command()
@click.argument("extracts_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--db",
    "database",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The warehouse to compare row counts with (shrink guard); default BOARDPACK_DB.",
)
def validate(extracts_dir: Path, database: Path | None) -> None:
    """Check every extract file against the contract and report, without loading anything.

    Exits with status 1 when a file would not load (or the shrink guard would refuse it)."""
    settings = _settings()
    with _command_log(settings, "validate") as log_path:
        from pipelines.ingest import ReadRules, format_report, validate_extracts

        reports = validate_extracts(
            extracts_dir,
            rules=ReadRules.from_settings(settings),
            database=(database or settings.database).resolve(),
        )
        click.echo(format_report(reports))
        if log_path.stat().st_size:
            click.echo(f"Details (stack traces, warnings): {log_path}", err=True)
        if any(report.would_refuse for report in reports):
            sys.exit(1)


def _accept_shrink(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    from pipelines.contract import load_contract

    names = tuple(v.strip().lower().removesuffix(".csv") for v in values)
    unknown = [n for n in names if n not in load_contract()]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not an extract table (expected one of: "
            f"{', '.join(load_contract())})"
        )
    return names


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
@click.option(
    "--accept-shrink",
    "accept_shrink",
    multiple=True,
    metavar="TABLE",
    callback=_accept_shrink,
    help="Load TABLE even though it holds far fewer rows than its last load (repeatable).",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="If another run is using the warehouse, stop at once instead of waiting for it.",
)
def run(
    extracts_dir: Path | None,
    month: str,
    output_dir: Path | None,
    database: Path | None,
    rebuild: bool,
    accept_shrink: tuple[str, ...],
    no_wait: bool,
) -> None:
    """Load the extracts, rebuild the models, run the checks and write the month's board pack.

    Changed extract files are reloaded; a stage whose inputs are all unchanged since it last
    succeeded reuses what it built then (--rebuild redoes everything); when every stage would,
    the run says so and stops without starting Dagster. One run at a time per
    warehouse: a second run waits for the first (--no-wait: stops at once, exit status 3).
    The details behind a failure (stack traces) go to a log file whose path is printed."""
    from pipelines.collector import hold_while_loading

    hold_while_loading()  # until run_month has loaded Dagster and the job (pipelines/collector.py)
    # The environment's settings with the options on top: one Settings for the whole run. First
    # without Dagster (PlainSettings): a run with nothing to do never imports it.
    options = {
        "extracts": extracts_dir and extracts_dir.resolve(),
        "output": output_dir and output_dir.resolve(),
        "db": database and database.resolve(),
    }
    settings = _settings(plain=True, **options)
    if accept_shrink:
        tables = " ".join([settings.accept_smaller, *accept_shrink]).strip()
        options["accept_smaller"] = tables
        settings = _settings(plain=True, **options)
    settings.database.parent.mkdir(parents=True, exist_ok=True)

    from pipelines.warehouse_lock import WarehouseBusy, warehouse_lock

    started = time.perf_counter()
    with _command_log(settings, "run") as log_path:
        try:
            with warehouse_lock(
                settings.database,
                f"boardpack run --month {month}",
                wait=not no_wait,
                on_wait=lambda message: click.echo(message, err=True),
            ):
                verdict = _nothing_to_do(settings, month, rebuild)
                if verdict.up_to_date is not None:
                    _print_up_to_date(verdict.up_to_date, time.perf_counter() - started)
                    return
                click.echo(f"Run log (details, stack traces): {log_path}")
                with _console_to_log(log_path) as console:
                    from pipelines.runner import run_month

                    settings = _settings(**options)  # the Dagster resource, the same values
                    result = run_month(
                        month,
                        settings,
                        rebuild=rebuild,
                        progress=console,
                        only_pack=verdict.only_pack,
                    )
                if verdict.only_pack and not result.checks:  # a pack-only run ran no check
                    _take_upstream(result, verdict.upstream)
        except WarehouseBusy as busy:
            click.echo(f"boardpack run: not started: {busy} (--no-wait)", err=True)
            sys.exit(EXIT_BUSY)
    elapsed = time.perf_counter() - started
    _print_checks(result)
    _print_commentary(result)
    if result.reused:
        click.echo(REUSED_PREFIX + ", ".join(result.reused))
    if not result.success:
        click.echo(f"The run for {month} failed after {elapsed:.0f}s:", err=True)
        for failure in result.failures or ["a step failed (see the run log)"]:
            click.echo(f"  - {failure}", err=True)
        click.echo(f"Details, with stack traces: {log_path}", err=True)
        sys.exit(1)
    done = "up to date, not rewritten" if "board_pack" in result.reused else "written"
    click.echo(f"Board pack for {month} {done}; the run took {elapsed:.0f}s:")
    for path in result.pack_files:
        click.echo(f"  {path}")


def _nothing_to_do(settings: PlainSettings, month: str, rebuild: bool):
    """Whether every stage would reuse its earlier work (pipelines/up_to_date.py), asked before
    Dagster and dbt are imported; the answer, and why not, goes to the log file only."""
    from pipelines.up_to_date import check_up_to_date

    verdict = check_up_to_date(settings, month, rebuild=rebuild)
    logging.getLogger("boardpack").info("boardpack run --month %s: %s", month, verdict)
    return verdict


def _take_upstream(result, upstream) -> None:
    """A pack-only run reports the checks the run before it recorded (up_to_date.py)."""
    result.checks = list(upstream.checks)
    result.checks_reused_from = upstream.checks_reused_from
    result.data_docs = result.data_docs or upstream.data_docs
    result.worklist_folder = result.worklist_folder or upstream.worklist_folder


def _print_up_to_date(built, elapsed: float) -> None:
    """The closing lines of a run that reused every stage, from what the stages recorded."""
    _print_checks(built)
    _print_commentary(built)
    click.echo(REUSED_PREFIX + ", ".join(built.reused))
    click.echo(
        f"{NOTHING_CHANGED_PREFIX}{built.run_id} of {built.recorded_at:%Y-%m-%d %H:%M}: "
        "no Dagster run was started (--rebuild builds everything again)"
    )
    click.echo(
        f"Board pack for {built.month} up to date, not rewritten; the check took {elapsed:.0f}s:"
    )
    for path in built.pack_files:
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


def _print_checks(result) -> None:
    """The checks THIS run evaluated, and the Data Docs and worklists it wrote or reused."""
    checks = result.checks
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
    reused = (
        f" (unchanged since run {result.checks_reused_from})" if result.checks_reused_from else ""
    )
    if result.data_docs:
        click.echo(f"  Data Docs{reused}: {result.data_docs}")
    if result.worklist_folder:
        click.echo(f"  Worklists (restricted){reused}: {result.worklist_folder}")


def _print_commentary(result) -> None:
    """What the month's comments get wrong and who still owes one, one line each, as the
    review page beside the pack lists them (pipelines/pack/review.py)."""
    for line in [*result.commentary_check, *result.commentary_due]:
        click.echo(line)
    if result.review_page:
        click.echo(f"Commentary review (internal, not published): {result.review_page}")


# --- the console and the log file ------------------------------------------------------------

EXIT_BUSY = 3  # `run --no-wait` while another run holds the warehouse
KEEP_LOGS = 30  # command logs kept in BOARDPACK_LOGS (each run's is a few MB at most)


def _settings(plain: bool = False, **overrides) -> PlainSettings:
    """The environment's settings with the command line's on top; a bad value is one line.
    `plain`: the same values without Dagster (PlainSettings, not the Dagster resource)."""
    from pipelines.plain_settings import PlainSettings, SettingsError

    try:
        if plain:
            return PlainSettings.from_environment(**overrides)
        from pipelines.settings import Settings

        return Settings.from_environment(**overrides)
    except SettingsError as error:
        click.echo(f"boardpack: {error}", err=True)
        sys.exit(2)


@contextmanager
def _command_log(settings, command: str) -> Iterator[Path]:
    """A log file for this command (owner-only: stack traces can quote data), Python's logging
    and warnings sent to it; an unexpected error becomes one line naming the file."""
    folder = settings.log_dir
    folder.mkdir(parents=True, exist_ok=True)
    with suppress(OSError):
        os.chmod(folder, 0o700)
    stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    path = folder / f"boardpack-{command}-{stamp}-{os.getpid()}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    stream = os.fdopen(fd, "a", encoding="utf-8", buffering=1)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        yield path
    except SystemExit:
        raise
    except KeyboardInterrupt:
        logging.getLogger("boardpack").warning("boardpack %s interrupted", command)
        click.echo(f"boardpack {command}: interrupted (details: {path})", err=True)
        sys.exit(130)
    except Exception as error:  # anything not already a one-line message
        logging.getLogger("boardpack").exception("boardpack %s stopped", command)
        first = (str(error).strip().splitlines() or [""])[0][:300]
        click.echo(
            f"boardpack {command}: stopped by an unexpected error: {type(error).__name__}"
            f"{': ' + first if first else ''} (details: {path})",
            err=True,
        )
        sys.exit(1)
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        root.setLevel(previous_level)
        stream.close()
        _prune_logs(folder)


def _prune_logs(folder: Path) -> None:
    logs = sorted(folder.glob("boardpack-*.log"), key=lambda p: p.stat().st_mtime_ns)
    for old in logs[:-KEEP_LOGS]:
        with suppress(OSError):
            old.unlink()


@contextmanager
def _console_to_log(log_path: Path) -> Iterator[TextIO]:
    """Send everything written to stdout and stderr (Dagster's log and its stack traces, dbt's
    output, library warnings), by this process and its children, to the log file; yield a
    stream to the real console for the progress lines."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # not real files (a test's CliRunner)
        with open(log_path, "a", encoding="utf-8") as log, redirect_stderr(log):
            yield sys.stdout
        return
    saved_out, saved_err = os.dup(out_fd), os.dup(err_fd)
    console = os.fdopen(os.dup(saved_out), "w", encoding="utf-8", buffering=1)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    try:
        os.dup2(log_fd, out_fd)
        os.dup2(log_fd, err_fd)
        yield console
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, out_fd)
        os.dup2(saved_err, err_fd)
        for fd in (saved_out, saved_err, log_fd):
            os.close(fd)
        console.close()


# --- the team's commentary ----------------------------------------------------------------


@main.group()
def commentary() -> None:
    """The performance team's monthly commentary (commentary/<YYYY-MM>.md)."""


@commentary.command("draft")
@click.option("--month", callback=_check_month, required=True, help="Reporting month, YYYY-MM.")
@click.option("--force", is_flag=True, help="Replace the month's file if it exists already.")
def commentary_draft(month: str, force: bool) -> None:
    """Write the month's commentary file, one section per indicator, each heading carrying
    the indicator's key figures and responsible officer, for the officers to write in."""
    import duckdb

    from pipelines.pack.commentary_draft import (
        DraftExistsError,
        MonthNotInWarehouseError,
        write_draft,
    )
    from pipelines.pack.formatting import number_convention

    settings = _settings()
    if not settings.database.is_file():
        click.echo(f"No warehouse at {settings.database}: run `boardpack run` first.", err=True)
        sys.exit(1)
    try:
        with (
            duckdb.connect(str(settings.database), read_only=True) as con,
            number_convention(settings.decimal_places),
        ):
            path = write_draft(con, month, settings.commentary_dir, force=force)
    except (DraftExistsError, MonthNotInWarehouseError) as error:
        click.echo(f"Not written: {error}", err=True)
        sys.exit(1)
    click.echo(f"Commentary draft for {month} written to {path}")


# --- the regional comparison (docs/region.md) -----------------------------------------------

# its own module (only click at import time: `boardpack --help` stays fast)
from pipelines.region.cli import region  # noqa: E402

main.add_command(region)


if __name__ == "__main__":
    command()
