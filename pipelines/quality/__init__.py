"""Data quality: the Great Expectations suites in expectations/ as Dagster asset checks.

Public API::

    build_quality_checks() -> list[dg.AssetChecksDefinition]   # one check per suite
    latest_caveats(con) -> dict[str, list[str]]                # indicator -> caveat sentences
    check_trend(con) -> pandas.DataFrame                       # failing records per check per run
    run_quality(con, suites, run_id, settings) -> QualityRun   # the same run outside Dagster
    load_suites() -> list[Suite]
"""

from pipelines.quality.checks import build_quality_checks
from pipelines.quality.history import check_trend, latest_caveats
from pipelines.quality.outcomes import QualityRun
from pipelines.quality.suites import Suite, SuiteError, load_suites

__all__ = [
    "QualityRun",
    "Suite",
    "SuiteError",
    "build_quality_checks",
    "check_trend",
    "latest_caveats",
    "load_suites",
    "run_quality",
]


def __getattr__(name: str):
    # run_quality needs Great Expectations, a slow import: load it only when it is asked for,
    # so the board pack can read caveats and trends without it.
    if name == "run_quality":
        from pipelines.quality.run import run_quality

        return run_quality
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
