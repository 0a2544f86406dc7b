"""The region benchmark (issue 14): ten authorities at demo scale and at three times it.

For each region size it measures, sampling this process's tree (every child: each authority's
`boardpack run`, dbt, Spark's JVM) for wall time and total resident memory:

* **the region on DuckDB**: every authority's own run for the month, in its own warehouse, two
  at a time and never two of one authority (the region's run queue: pipelines/region/
  dagster.yaml), each then publishing its suppressed aggregates, and the regional comparison;
* **the engines side by side on the same work**: the dbt models and seeds that make the
  figures (the `spark` selector, dbt_project/selectors.yml; no tests) built from one
  authority's raw tables on DuckDB and on Spark (pyspark in local mode: the raw tables exported
  to Parquet and declared first, pipelines/spark), for the region's authority of median size.

Spark builds one authority at a time here: the models carry no authority column, so a region
on Spark is one build per authority (docs/scaling.md says what that costs and where Spark
would start to pay).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from pipelines.plain_settings import PlainSettings
from pipelines.settings import DBT_PROJECT_DIR, child_environment

AUTHORITIES = 10
SIZES = {"S": 1.0, "M": 3.0}
MONTH = "2014-08"
CONCURRENT_RUNS = 2  # pipelines/region/dagster.yaml: max_concurrent_runs on this machine
DBT = Path(sys.executable).parent / "dbt"
# the same work on both engines: the figures' models and seeds, no tests
ENGINE_SELECTION = ["--selector", "spark", "--resource-type", "model", "--resource-type", "seed"]


@dataclass
class Phase:
    wall_s: float
    peak_rss_mb: float


@dataclass
class RegionResult:
    name: str
    scale: float
    authorities: int
    rows: int
    duckdb_region: Phase  # every authority's run and publication, then the combination
    runs_succeeded: int
    regional_rows: int
    engine_authority: str  # the authority whose models both engines built
    engine_rows: int
    duckdb_models: Phase
    spark_models: Phase
    spark_export_s: float
    spark_declare_s: float
    spark_build_s: float
    spark_success: bool

    @property
    def spark_ratio(self) -> float:
        return self.spark_models.wall_s / self.duckdb_models.wall_s


def _phase(tree, started: float) -> Phase:
    ended = time.time()
    _, peak = tree.window(started, ended)
    return Phase(round(ended - started, 1), round(peak / 2**20, 0))


def bench_region(name: str, scale: float, work: Path, log_path: Path) -> RegionResult:
    from pipelines.bench.run import TreeSampler, count_rows
    from pipelines.region import hub
    from pipelines.spark import build as spark_build

    root = work / f"region_{name}"
    shutil.rmtree(root, ignore_errors=True)
    extracts = root / "extracts"
    with open(log_path, "a", encoding="utf-8") as log:
        subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "generate", "--authorities",
             str(AUTHORITIES), "--out", str(extracts), "--scale", str(scale)],
            env=child_environment(), stdout=log, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    settings = PlainSettings.from_environment(region=extracts, region_work=root / "work")
    authorities = hub.read_authorities(settings)
    rows_of = {a.code: count_rows(extracts / a.code)[0] for a in authorities}

    def one(authority: hub.Authority) -> bool:
        try:
            hub.run_authority_month(settings, authority, MONTH)
            hub.publish_authority_month(settings, authority, MONTH)
            return True
        except Exception as error:  # noqa: BLE001 - counted and logged; the bench goes on
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"region {name}: {authority.code}: {error}\n")
            return False

    with TreeSampler(os.getpid()) as tree:
        started = time.time()
        with ThreadPoolExecutor(CONCURRENT_RUNS) as pool:  # one run per authority at a time
            succeeded = sum(pool.map(one, authorities))
        regional_rows = 0
        if succeeded == len(authorities):
            _, regional_rows = hub.combine_month(settings, [a.code for a in authorities], MONTH)
        region_phase = _phase(tree, started)

        # the engines on one authority's raw tables: the one of median size
        with open(extracts / hub.AUTHORITIES_FILE, newline="", encoding="utf-8") as f:
            by_size = sorted(csv.DictReader(f), key=lambda row: float(row["size"]))
        code = by_size[len(by_size) // 2]["code"]
        warehouse = hub.authority_home(settings, code) / "warehouse.duckdb"
        engines = root / "engines"
        engines.mkdir()
        copy = engines / "warehouse.duckdb"
        shutil.copyfile(warehouse, copy)  # its own models untouched

        started = time.time()
        with open(log_path, "a", encoding="utf-8") as log:
            subprocess.run(
                [str(DBT), "build", *ENGINE_SELECTION, "--profiles-dir", str(DBT_PROJECT_DIR),
                 "--target-path", str(engines / "target_duckdb"), "--vars",
                 json.dumps({"warehouse": str(copy), "reporting_month": MONTH})],
                cwd=DBT_PROJECT_DIR, env=child_environment(), stdout=log,
                stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        duckdb_phase = _phase(tree, started)

        started = time.time()
        spark = spark_build(copy, engines / "spark", MONTH, extra_args=ENGINE_SELECTION)
        spark_phase = _phase(tree, started)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(spark.output)
    return RegionResult(
        name=name,
        scale=scale,
        authorities=len(authorities),
        rows=sum(rows_of.values()),
        duckdb_region=region_phase,
        runs_succeeded=succeeded,
        regional_rows=regional_rows,
        engine_authority=code,
        engine_rows=rows_of[code],
        duckdb_models=duckdb_phase,
        spark_models=spark_phase,
        spark_export_s=round(spark.export_seconds, 1),
        spark_declare_s=round(spark.register_seconds, 1),
        spark_build_s=round(spark.build_seconds, 1),
        spark_success=spark.success,
    )


def write_region_results(results: list[RegionResult], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    measured_at = datetime.now().isoformat(timespec="seconds")
    payload = {
        "measured_at": measured_at,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "regions": [{**asdict(r), "spark_ratio": round(r.spark_ratio, 1)} for r in results],
    }
    (out_dir / "region.json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = [
        "# Region benchmark",
        "",
        f"Written by `make bench` (`python -m pipelines.bench`, pipelines/bench/region.py) on "
        f"{measured_at}, {os.cpu_count()} CPUs; load average at the end "
        f"{payload['load_average_1m']}. Wall time and peak resident memory of the whole process "
        "tree (every authority's run, dbt, Spark's JVM). See bench/README.md.",
        "",
        "| region | rows | DuckDB: 10 authorities' runs + publish + combine | peak MB "
        "| one authority's models on DuckDB | peak MB | the same on Spark | peak MB "
        "| Spark / DuckDB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name}: {r.authorities} authorities x{r.scale:g} | {r.rows:,} "
            f"| {r.duckdb_region.wall_s:.0f} s ({r.runs_succeeded}/{r.authorities} ran) "
            f"| {r.duckdb_region.peak_rss_mb:,.0f} "
            f"| {r.duckdb_models.wall_s:.0f} s | {r.duckdb_models.peak_rss_mb:,.0f} "
            f"| {r.spark_models.wall_s:.0f} s{'' if r.spark_success else ' (FAILED)'} "
            f"| {r.spark_models.peak_rss_mb:,.0f} | {r.spark_ratio:.1f}x |"
        )
    lines += [""]
    for r in results:
        lines.append(
            f"- {r.name}: the engines built authority {r.engine_authority} "
            f"({r.engine_rows:,} rows, the region's median size); Spark's time is the export "
            f"to Parquet {r.spark_export_s:.1f} s, declaring the raw tables "
            f"{r.spark_declare_s:.1f} s (the JVM and metastore start there) and the build "
            f"{r.spark_build_s:.1f} s; the regional file has {r.regional_rows:,} rows."
        )
    lines.append("")
    (out_dir / "region.md").write_text("\n".join(lines))


def run_region_bench(names: list[str], work: Path, out_dir: Path, log_path: Path) -> bool:
    results = []
    for name in names:
        results.append(bench_region(name, SIZES[name], work, log_path))
        write_region_results(results, out_dir)
    return all(r.runs_succeeded == r.authorities and r.spark_success for r in results)
