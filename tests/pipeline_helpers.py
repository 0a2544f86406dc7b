"""Running the whole pipeline from a test, in temporary folders that never touch data/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from pipelines.settings import Settings

if TYPE_CHECKING:
    from pipelines.runner import MonthRunResult


@dataclass(frozen=True)
class PipelineRun:
    settings: Settings
    month: str
    success: bool
    failures: list[str]
    reused: list[str]  # steps that found their inputs unchanged (pipelines/incremental.py)
    result: MonthRunResult | None = None  # everything `boardpack run` prints its summary from

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.database), read_only=True)

    @property
    def month_dir(self) -> Path:
        return self.settings.month_output_dir(self.month)


def pipeline_environment(root: Path) -> dict[str, str]:
    return {
        "BOARDPACK_DB": str(root / "warehouse.duckdb"),
        "BOARDPACK_EXTRACTS": str(root / "extracts"),
        "BOARDPACK_OUTPUT": str(root / "output"),
        "BOARDPACK_RESTRICTED": str(root / "restricted"),
    }


def run_pipeline(
    root: Path, month: str, monkeypatch: pytest.MonkeyPatch, rebuild: bool = False
) -> PipelineRun:
    """The whole pipeline for the month with every path under root, from the environment as the
    command line reads it (a test may set more variables with monkeypatch first); `rebuild`
    redoes every stage, as `boardpack run --rebuild` does."""
    from pipelines.runner import run_month

    for name, value in pipeline_environment(root).items():
        monkeypatch.setenv(name, value)
    # a throwaway Dagster instance, never the developer's run history
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    settings = Settings.from_environment()
    result = run_month(month, settings, rebuild=rebuild)
    return PipelineRun(settings, month, result.success, result.failures, result.reused, result)


def evaluate_automation(defs, instance, cursor=None):
    """One tick of the definitions' automation conditions, as the daemon's sensor evaluates
    them (dg.evaluate_automation_conditions), continuing from `cursor`."""
    import warnings

    import dagster as dg

    with warnings.catch_warnings():  # Dagster's own beta parameter inside its tester
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)


def assert_installed_settings(home: Path, template: Path) -> None:
    """The home's dagster.yaml is the template with the home's event-log folder written in
    (pipelines/operations/instance.py, pipelines/operations/event_log.py)."""
    from pipelines.operations.event_log import HOME_FIELD

    resolved = str(home.resolve())
    installed = (home / "dagster.yaml").read_text()
    assert installed == template.read_text().replace(HOME_FIELD, resolved)
    assert f'base_dir: "{resolved}/history/runs"' in installed
