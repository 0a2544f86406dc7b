"""Shared fixtures: the demo authority run end to end once per test session.

Running the whole pipeline takes a couple of minutes, so the tests that need its results (the
calibration, the pack's content, the planted problems) share one run, in temporary folders that
never touch the developer's own data/ folder.
"""

from __future__ import annotations

import gc
from pathlib import Path

import duckdb
import pytest
from pipeline_helpers import PipelineRun, run_pipeline

from pipelines.defaults import DEMO_MONTH

try:  # Dagster's "current state storage": set while a DagsterInstance is entered (`with`)
    from dagster._core.storage.defs_state.base import _current_storage
except ImportError:  # a Dagster without it: nothing can leak through it
    _current_storage = None


@pytest.fixture(scope="module", autouse=True)
def no_dagster_instance_left_entered():
    """Fail the module that leaves a Dagster instance's context behind, not a later one.

    Entering a DagsterInstance sets a ContextVar to its DefsStateStorage, and every
    `dg.Definitions(...)` resolved afterwards reads it. An instance entered and never exited
    (e.g. by a schedule context built outside a `with` block) resets it, whenever the garbage
    collector gets to it, to a storage whose instance is gone: any later module building
    Definitions then fails with "Attempted to resolve undefined DagsterInstance weakref".
    """
    yield
    if _current_storage is None:
        return
    gc.collect()  # run the finalizers of anything left entered in this module now
    leaked = _current_storage.get()
    if leaked is not None:
        _current_storage.set(None)  # keep the later modules clean
        pytest.fail(
            f"a Dagster instance was left entered in this module (its {type(leaked).__name__} "
            "is still Dagster's current state storage): close every instance and every "
            "build_*_context(...) that opens one with `with`"
        )


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


@pytest.fixture(scope="session")
def hardening_run(demo_extracts, tmp_path_factory) -> tuple[PipelineRun, int]:
    """The demo authority as a real case-management system might send it (issue 11): every
    open end date written 9999-12-31, rows the loader must quarantine, team and locality names
    that attack spreadsheets and charts, and the month's commentary saved as Windows-1252.
    None of it may change an indicator. Run once per session; the demo run is its baseline."""
    import shutil

    from broken_extracts import open_end_placeholders, plant_defects

    from pipelines.settings import PROJECT_ROOT

    root = tmp_path_factory.mktemp("hardening")
    shutil.copytree(demo_extracts, root / "extracts")
    placeholders = open_end_placeholders(root / "extracts")
    plant_defects(root / "extracts")
    commentary = root / "commentary"
    commentary.mkdir()
    text = (PROJECT_ROOT / "commentary" / f"{DEMO_MONTH}.md").read_text(encoding="utf-8")
    text += "\nCleansing cost £5 – “quoted” in the café.\n"
    (commentary / f"{DEMO_MONTH}.md").write_bytes(text.encode("cp1252"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("BOARDPACK_COMMENTARY", str(commentary))
        run = run_pipeline(root, DEMO_MONTH, monkeypatch)
    return run, placeholders


# The loader's tests: an empty extracts folder and a warehouse file, each test its own.
@pytest.fixture
def extracts(tmp_path) -> Path:
    folder = tmp_path / "extracts"
    folder.mkdir()
    return folder


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()
