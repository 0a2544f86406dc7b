"""Shared fixtures: the demo authority run end to end once per test session.

Running the whole pipeline takes a couple of minutes, so the tests that need its results (the
calibration, the pack's content, the planted problems) share one run, in temporary folders that
never touch the developer's own data/ folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_helpers import PipelineRun, run_pipeline

from pipelines.settings import DEMO_MONTH


@pytest.fixture(scope="session")
def demo_extracts(tmp_path_factory) -> Path:
    """The default demo authority (seed 2014, April 2011 to August 2014)."""
    from pipelines.synthetic import generate_authority

    root = tmp_path_factory.mktemp("demo")
    generate_authority(root / "extracts")
    return root / "extracts"


@pytest.fixture(scope="session")
def demo_run(demo_extracts) -> PipelineRun:
    """The whole pipeline through Dagster for the demo month, run once per session."""
    root = demo_extracts.parent
    with pytest.MonkeyPatch.context() as monkeypatch:
        run = run_pipeline(root, DEMO_MONTH, monkeypatch)
    assert run.success, f"the demo run failed: {run.failures}"
    return run
