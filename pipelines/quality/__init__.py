"""Data quality: the Great Expectations suites in expectations/, run after dbt against the views
it builds as at the reporting month, as one Dagster step with an asset check per suite.

Public API::

    build_quality_checks() -> dg.AssetsDefinition   # quality/check_results + one check per suite
    run_quality(con, suites, run_id, settings, month) -> QualityRun   # the same run outside Dagster
    load_suites() -> list[Suite]

The board pack does not import this package: it reads the results through dbt's
marts.pack_check_trend and marts.pack_caveats.
"""

from pipelines.quality.checks import CHECK_RESULTS_KEY, build_quality_checks
from pipelines.quality.outcomes import QualityRun
from pipelines.quality.suites import Suite, SuiteError, load_suites

__all__ = [
    "CHECK_RESULTS_KEY",
    "QualityRun",
    "Suite",
    "SuiteError",
    "build_quality_checks",
    "load_suites",
    "run_quality",
]


def __getattr__(name: str):
    # run_quality needs Great Expectations, a slow import: load it only when checks run.
    if name == "run_quality":
        from pipelines.quality.run import run_quality

        return run_quality
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
