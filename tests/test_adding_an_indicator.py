"""Adding an indicator is its model, its .yml (with a unit test) and its catalogue row: nothing
else. A throwaway indicator is added to a copy of the dbt project, built on a small warehouse,
and the pack shows it, with its data-quality caveats following dbt's lineage."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import load_contract
from pipelines.dbt_project import parse
from pipelines.ingest import load_table
from pipelines.quality.history import ensure_history
from pipelines.returns.validation import ensure_return_history
from pipelines.settings import DBT_PROJECT_DIR, Settings

DBT = Path(sys.executable).parent / "dbt"
MONTH = "2014-07"

MODEL = """\
-- cp_plans_started: child protection plans starting in the month (a throwaway indicator).
with started as (
    select
        months.month,
        plans.cp_plan_id
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('stg_cp_plans') }} as plans
        on {{ in_month('plans.start_date') }}
)

{{ count_by_month('cp_plans_started', 'started', 'cp_plan_id') }}
"""

YML = """\
version: 2

models:
  - name: ind_cp_plans_started
    description: Child protection plans starting in the month.

unit_tests:
  - name: cp_plans_started_counts_plans_by_start_month
    model: ind_cp_plans_started
    given:
      - input: ref('util_reporting_months')
        rows:
          - {month: 2014-07-01, month_end: 2014-07-31,
             rolling_12_start: 2013-08-01, financial_year_start: 2014-04-01}
      - input: ref('stg_cp_plans')
        rows:
          - {cp_plan_id: P1, start_date: 2014-07-01}
          - {cp_plan_id: P2, start_date: 2014-07-31}
          - {cp_plan_id: P3, start_date: 2014-08-01}
    expect:
      rows:
        - {indicator_code: cp_plans_started, month: 2014-07-01,
           numerator: 2, denominator: null, value: 2}
"""

CATALOGUE_ROW = {
    "code": "cp_plans_started",
    "display_order": "99",
    "name": "Child Protection Plans Started (throwaway)",
    "responsible_officer": "Head of Service, Safeguarding and Review",
    "description": "Child protection plans started in the month.",
    "measure": "Plans with a start date in the month",
    "indicator_guide": "neither",
    "guide_text": "Monitoring the number of plans started.",
    "measure_period": "In month",
    "unit": "count",
    "rate_basis": "none",
    "target_measure": "value",
    "is_illustrative_target": "false",
}


def _dbt(project: Path, *args: str, database: Path) -> None:
    variables = json.dumps({"warehouse": str(database), "reporting_month": MONTH})
    done = subprocess.run(
        [str(DBT), *args, "--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--vars", variables],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:]


@pytest.fixture(scope="module")
def project_with_a_new_indicator(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("project") / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    (project / "models" / "indicators" / "ind_cp_plans_started.sql").write_text(MODEL)
    (project / "models" / "indicators" / "ind_cp_plans_started.yml").write_text(YML)
    catalogue = project / "seeds" / "ref_indicator_catalogue.csv"
    with catalogue.open(newline="", encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    with catalogue.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=columns, lineterminator="\n").writerow(CATALOGUE_ROW)
    parse(project)  # what `make manifest` does: the union's list follows the folder
    return project


@pytest.fixture(scope="module")
def built(project_with_a_new_indicator, tmp_path_factory) -> Settings:
    """A small authority loaded and built with the copied project, as the pipeline builds it."""
    from pipelines.synthetic import generate_authority

    root = tmp_path_factory.mktemp("warehouse")
    generate_authority(root / "extracts", seed=7, scale=0.05)
    settings = Settings(
        db=str(root / "warehouse.duckdb"),
        extracts=str(root / "extracts"),
        output=str(root / "output"),
        commentary=str(root / "commentary"),
    )
    with duckdb.connect(str(settings.database)) as con:
        for table in load_contract().tables:
            load_table(con, table.name, settings.extracts_dir)
        # the pack's views read the check results and the returns' checks (none yet), the
        # tables the nightly's quality step creates
        ensure_history(con)
        ensure_return_history(con)
    project = project_with_a_new_indicator
    _dbt(project, "build", "--exclude-resource-type", "test", database=settings.database)
    return settings


def test_the_new_indicator_is_in_the_union_without_touching_it(project_with_a_new_indicator):
    listed = (project_with_a_new_indicator / "macros" / "indicator_models.sql").read_text()
    assert "'ind_cp_plans_started'," in listed
    union = project_with_a_new_indicator / "models" / "marts" / "int_indicator_values.sql"
    assert (
        union.read_text() == (DBT_PROJECT_DIR / "models/marts/int_indicator_values.sql").read_text()
    )


def test_its_unit_test_runs(built, project_with_a_new_indicator):
    # the build above ran the unit tests too: the new one passed with the others
    done = subprocess.run(
        [str(DBT), "ls", "--resource-type", "unit_test", "--select", "ind_cp_plans_started"]
        + ["--project-dir", str(project_with_a_new_indicator)]
        + ["--profiles-dir", str(project_with_a_new_indicator), "--quiet"],
        cwd=project_with_a_new_indicator,
        capture_output=True,
        text=True,
    )
    assert "cp_plans_started_counts_plans_by_start_month" in done.stdout


def test_the_pack_shows_it_with_its_lineage(built):
    from pipelines.pack import build_board_pack

    with duckdb.connect(str(built.database)) as con:
        written = build_board_pack(con, MONTH, built)
        (started,) = con.execute(
            "select numerator from marts.pack_indicators "
            "where indicator_code = 'cp_plans_started' and month = date '2014-07-01'"
        ).fetchone()
        expected = con.execute(
            "select count(*) from raw.ssd_cp_plans where cppl_cp_plan_start_date "
            "between date '2014-07-01' and date '2014-07-31'"
        ).fetchone()[0]
        sources = con.execute(
            "select table_name from reference.indicator_sources "
            "where indicator_code = 'cp_plans_started'"
        ).fetchall()
    assert started == expected
    assert sources == [("ssd_cp_plans",)]  # its caveats come from the plans' checks
    with written["indicators_csv"].open(newline="", encoding="utf-8") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    assert rows["cp_plans_started"]["value"] == str(expected)
    assert len(rows) == 24
    html = written["board_pack_html"].read_text(encoding="utf-8")
    assert 'id="ind-cp_plans_started"' in html
    assert "Child Protection Plans Started (throwaway)" in html
