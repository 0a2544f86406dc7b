"""`boardpack region publish` and `boardpack region combine` (docs/region.md).

Only click is imported here: pandas and DuckDB are imported when a command runs, so
`boardpack --help` stays fast. Every problem with the input is one line on stderr (exit 1);
anything unexpected is one line too, its stack trace in the command log.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("region")
def region() -> None:
    """The regional comparison: each authority publishes suppressed aggregates (no child-level
    data); anyone given a region's files combines them (docs/region.md)."""


@region.command("publish")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The aggregates CSV to write; its metadata goes beside it (.metadata.json).",
)
@click.option("--db", "database", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--threshold",
    type=int,
    help="Suppress counts from 1 to this minus 1 (default BOARDPACK_SUPPRESSION_THRESHOLD, 5).",
)
def publish_command(out: Path, database: Path | None, threshold: int | None) -> None:
    """Write this authority's suppressed monthly figures from the current warehouse."""
    from pipelines.cli import _command_log, _settings

    settings = _settings(plain=True, db=database and database.resolve(), suppression=threshold)
    with _command_log(settings, "region-publish"):
        from pipelines.region.publish import PublishError, publish, valid_authority_code
        from pipelines.synthetic.returns_data import LA_CODE

        code = settings.la_code.strip() or LA_CODE
        try:
            valid_authority_code(code)
            csv_path, meta_path = publish(
                settings.database,
                out.resolve(),
                authority_code=code,
                authority_name=settings.authority,
                threshold=settings.suppression_threshold,
            )
        except PublishError as error:
            click.echo(f"boardpack region publish: not published: {error}", err=True)
            sys.exit(1)
    click.echo(
        f"Suppressed aggregates for {code} ({settings.authority}), threshold "
        f"{settings.suppression_threshold}: {csv_path} (metadata: {meta_path.name})"
    )


@region.command("combine")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The regional CSV to write.",
)
def combine_command(files: tuple[Path, ...], out: Path) -> None:
    """Combine authorities' aggregates files into one regional file: every authority's value,
    its rank and the region's quartiles, per indicator and month."""
    from pipelines.cli import _command_log, _settings

    settings = _settings(plain=True)
    with _command_log(settings, "region-combine"):
        from pipelines.region.combine import combine_files, write_regional
        from pipelines.region.files import RegionInputError

        try:
            rows = combine_files(files)
        except RegionInputError as error:
            click.echo(f"boardpack region combine: not combined: {error}", err=True)
            sys.exit(1)
        path = write_regional(rows, out.resolve())
    click.echo(f"Regional comparison of {len(files)} authorities, {len(rows):,} rows: {path}")
