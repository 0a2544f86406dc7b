"""Writing and checking one collection year's returns from a warehouse the dbt build has made.

    produce_returns(con, "2024-25", restricted_dir, ...) -> ReturnsRun

Files go to ``<restricted>/returns/<year>/`` (folders 0700, files 0600): the SSDA903 CSVs, the
CIN census XML, the Annex A workbook and, per return, the child-level list of what the DfE's
rules found. The aggregate (rule, message, children, tables) goes to quality.return_validation.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.returns import annex_a, cin_census, ssda903
from pipelines.returns.files import check_year, private_dir
from pipelines.returns.validation import (
    ValidationResult,
    record,
    run_validator,
    write_child_list,
)
from pipelines.settings import Settings
from pipelines.synthetic.returns_data import LA_CODE, LA_NUMBER


def la_identity(settings: Settings | None = None) -> tuple[str, str]:
    """(ONS code, DfE 3-digit number) of the authority: BOARDPACK_LA_CODE / BOARDPACK_LA_NUMBER,
    by default the demo authority's (the code the DfE validators' own examples use)."""
    settings = settings or Settings.from_environment()
    return settings.la_code.strip() or LA_CODE, settings.la_number.strip() or LA_NUMBER


def year_not_covered(con: duckdb.DuckDBPyConnection, year: str) -> str | None:
    """One line saying why the warehouse cannot make the year's returns (its extracts end
    before the collection year starts, or nothing is loaded), else None."""
    year, _ = check_year(year)
    start = date(int(year[:4]), 4, 1)
    try:
        (latest,) = con.execute(
            "SELECT max(cine_referral_date) FROM raw.ssd_cin_episodes"
        ).fetchone()
    except duckdb.CatalogException:
        return "the warehouse holds no extracts yet: run the nightly pipeline first"
    if latest is None or latest < start:
        return (
            f"the warehouse's extracts end on {latest}: they do not reach the {year} "
            f"collection year (from {start})"
        )
    return None


@dataclass
class ReturnsRun:
    year: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    validations: list[ValidationResult] = field(default_factory=list)
    seconds: float = 0.0


def produce_returns(
    con: duckdb.DuckDBPyConnection,
    year: str,
    restricted_dir: Path,
    window: tuple[date, date] | None = None,
    validate: bool = True,
    run_id: str | None = None,
) -> ReturnsRun:
    started = time.perf_counter()
    year, census_year = check_year(year)
    la_code, la_number = la_identity()
    folder = private_dir(restricted_dir, "returns", year)
    run = ReturnsRun(year=year, folder=folder)
    ssda_folder = private_dir(folder, "ssda903")
    run.counts.update(
        {f"SSDA903 {k}": v for k, v in ssda903.write_ssda903(con, year, ssda_folder).items()}
    )
    run.files += sorted(ssda_folder.glob("*.csv"))
    xml_path, children = cin_census.write_cin_census(con, year, census_year, la_number, folder)
    run.files.append(xml_path)
    run.counts["CIN census children"] = children
    window = window or annex_a.default_window(date.today())
    xlsx_path, list_counts = annex_a.write_annex_a(con, window, folder)
    run.files.append(xlsx_path)
    run.counts.update({f"Annex A {k}": v for k, v in list_counts.items()})
    if validate:
        run_id = run_id or uuid.uuid4().hex[:12]
        sources = (("SSDA903", ssda_folder), ("CIN", xml_path))
        # the two engines are separate processes: run side by side, recorded one by one
        with ThreadPoolExecutor(max_workers=len(sources)) as pool:
            results = list(
                pool.map(lambda s: run_validator(s[0], s[1], year, census_year, la_code), sources)
            )
        for result in results:
            record(con, result, run_id)
            run.files.append(write_child_list(result, folder))
            run.validations.append(result)
    run.seconds = time.perf_counter() - started
    return run
