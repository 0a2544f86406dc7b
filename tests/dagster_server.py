"""Helpers for the UI tests: a real `dagster dev` (webserver + daemon) on a free local port.

Not a conftest.py (pytest does not load it by itself): tests/test_ui*.py import the fixtures
from here, so the other test modules never pay for starting a server.

Everything the server and its runs touch lives in a temporary folder: the DuckDB file, the
extracts, the output, the restricted worklists and the Dagster home (run history).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from pipelines.operations import prepare_dagster_home
from pipelines.settings import PROJECT_ROOT
from pipelines.synthetic import generate_authority

DAGSTER = Path(sys.executable).with_name("dagster")
STARTUP_TIMEOUT = 240  # seconds: the code location imports dbt, GE and parses the manifest
RUN_TIMEOUT = 1200
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
# A twentieth of the demo authority: every table has rows, and a run takes about a minute.
SMALL_AUTHORITY_SCALE = float(os.environ.get("BOARDPACK_UI_TEST_SCALE", "0.05"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class DagsterServer:
    """A running `dagster dev` and the folders its runs read and write."""

    root: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.root / "dagster_dev.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def path(self, variable: str) -> Path:
        return Path(self.env[variable])

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            # A new session makes the server and the daemon, code server and run workers it
            # spawns one process group, so stop() can end exactly those processes.
            self.process = subprocess.Popen(
                [str(DAGSTER), "dev", "-h", "127.0.0.1", "-p", str(self.port)]
                + ["-w", str(PROJECT_ROOT / "workspace.yaml")],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dagster dev exited early:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/server_info", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            raise RuntimeError(f"the webserver did not answer /server_info:\n{self.log_tail()}")
        # The webserver answers before the code location has loaded; wait for that too.
        while time.monotonic() < deadline:
            entries = self.graphql(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                errors = [
                    e["locationOrLoadError"]["message"]
                    for e in entries
                    if e["locationOrLoadError"]["__typename"] == "PythonError"
                ]
                if errors:
                    raise RuntimeError("the code location failed to load:\n" + "\n".join(errors))
                self.location_name = entries[0]["name"]
                return
            time.sleep(1)
        raise RuntimeError(f"the code location did not load in time:\n{self.log_tail()}")

    # -- GraphQL -------------------------------------------------------------------------------

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def repository_selector(self) -> dict[str, str]:
        return {"repositoryLocationName": self.location_name, "repositoryName": "__repository__"}

    def run(self, run_id: str) -> dict[str, Any]:
        return self.graphql(RUN_QUERY, {"runId": run_id})["runOrError"]

    def wait_for_run(self, run_id: str, timeout: float = RUN_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["status"] in TERMINAL:
                return run
            time.sleep(2)
        raise TimeoutError(f"run {run_id} still {run['status']} after {timeout}s")

    def run_events(self, run_id: str) -> list[dict[str, Any]]:
        """Every event of the run, page by page (a run with dbt's checks logs thousands)."""
        events: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.graphql(RUN_EVENTS_QUERY, {"runId": run_id, "afterCursor": cursor})
            page = page["logsForRun"]
            events += page.get("events", [])
            if not page.get("hasMore"):
                return events
            cursor = page["cursor"]

    def check_evaluations(self, run_id: str) -> list[dict[str, Any]]:
        return [
            e["evaluation"]
            for e in self.run_events(run_id)
            if e["__typename"] == "AssetCheckEvaluationEvent"
        ]

    def run_errors(self, run_id: str) -> str:
        """The step failures and run failure messages of a run, for assertion messages."""
        messages = [
            f"{e.get('stepKey') or 'run'}: {e['message']} "
            + ((e.get("error") or {}).get("message") or "")
            for e in self.run_events(run_id)
            if e["__typename"] in {"ExecutionStepFailureEvent", "RunFailureEvent"}
        ]
        return "\n".join(messages) or "(no failure events)"


WORKSPACE_QUERY = """
query {
  workspaceOrError {
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}
"""

RUN_QUERY = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      runId status parentRunId rootRunId stepKeysToExecute
      tags { key value }
      startTime endTime
      stepStats { stepKey status }
    }
  }
}
"""

RUN_EVENTS_QUERY = """
query Events($runId: ID!, $afterCursor: String) {
  logsForRun(runId: $runId, afterCursor: $afterCursor, limit: 5000) {
    ... on EventConnection {
      cursor
      hasMore
      events {
        __typename
        ... on MessageEvent { message stepKey }
        ... on ExecutionStepFailureEvent { error { message } }
        ... on RunFailureEvent { error { message } }
        ... on AssetCheckEvaluationEvent {
          evaluation { checkName success severity assetKey { path } }
        }
      }
    }
  }
}
"""


def server_env(root: Path) -> dict[str, str]:
    """The environment of the server and its runs: every path inside `root`."""
    env = dict(os.environ)
    for variable, name in (
        ("BOARDPACK_DB", "warehouse.duckdb"),
        ("BOARDPACK_EXTRACTS", "extracts"),
        ("BOARDPACK_OUTPUT", "output"),
        ("BOARDPACK_RESTRICTED", "restricted"),
        ("DAGSTER_HOME", "dagster_home"),
    ):
        env[variable] = str(root / name)
    for name in ("extracts", "output", "restricted"):
        (root / name).mkdir(parents=True, exist_ok=True)
    prepare_dagster_home(env["DAGSTER_HOME"])
    env["DBT_PROFILES_DIR"] = str(PROJECT_ROOT / "dbt_project")
    # dagster-dbt finds `dbt` on PATH (the manifest is re-parsed under `dagster dev`), as it
    # does when the virtual environment is activated or make puts .venv/bin first.
    env["PATH"] = f"{DAGSTER.parent}{os.pathsep}{env.get('PATH', '')}"
    # Keep the alert digest local: no mail or chat message leaves a test.
    for variable in ("BOARDPACK_ALERT_EMAIL_URL", "BOARDPACK_ALERT_WEBHOOK_URLS"):
        env.pop(variable, None)
    return env


@pytest.fixture(scope="module")
def dagster_server(tmp_path_factory: pytest.TempPathFactory):
    from pipelines.assets.dbt import ensure_dbt_manifest

    ensure_dbt_manifest()
    root = tmp_path_factory.mktemp("ui")
    server = DagsterServer(root=root, port=free_port(), env=server_env(root))
    print(f"\nDagster UI test server: {server.url}, files under {root}")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def small_authority(dagster_server: DagsterServer) -> Path:
    """A small synthetic authority's extracts, in the folder the server's runs read."""
    extracts = dagster_server.path("BOARDPACK_EXTRACTS")
    started = time.perf_counter()
    generate_authority(extracts, seed=2014, scale=SMALL_AUTHORITY_SCALE)
    print(f"generated the small authority in {time.perf_counter() - started:.1f}s")
    return extracts
