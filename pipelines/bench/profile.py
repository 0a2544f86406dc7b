"""Where a run's time goes, node by node: the benchmark's measurements below the stage level.

* dbt: the most expensive nodes of the run's build, from dbt's own `run_results.json`;
* checks: each suite's time, from the line the check step logs per suite ("<suite>: <n> rows
  in <s>s", pipelines/quality/run.py) in the run's command log;
* Python: a profiled run (cProfile, the standard library's deterministic profiler) read back
  with pstats: named phases (imports, Dagster's run and event bookkeeping, each step's own work,
  Great Expectations, Chromium) and the costliest functions of the project's own code.
  cProfile slows a run down (more so for many small calls), so its seconds rank the phases;
  they are not added to the unprofiled run's times.
"""

from __future__ import annotations

import json
import pstats
import re
from dataclasses import dataclass
from pathlib import Path

# One suite's line in the run log (pipelines/quality/run.py logs it after each suite).
SUITE_LINE = re.compile(r"\b(ssd_\w+): (\d+) rows in ([0-9.]+)s")

# (phase, how a function of it is recognised: a substring of "file:line(function)").
# Each phase's time is the cumulative time of its outermost matching function.
PHASES = (
    ("imports (all modules)", "<frozen importlib._bootstrap>", "(_find_and_load)"),
    ("Dagster: build the definitions (code location)", "code_location.py", "(build_definitions)"),
    ("Dagster: create the run (planned events)", "run_domain.py", "(create_run)"),
    # DAGSTER_HOME's SQLite event log: each event in its own transaction but the run's planned
    # ones, stored as one batch (asset events once more in the cross-run index), on connections
    # kept open (pipelines/operations/event_log.py)
    ("Dagster: store events (SQLite)", "event_log/sqlite/sqlite_event_log.py", "(store_event)"),
    ("  SQLite calls (connect, execute, commit, close)", "sqlite3."),
    ("ingest step (raw_extracts)", "pipelines/assets/raw.py", "(raw_extracts)"),
    ("dbt steps (subprocess wait and events)", "pipelines/assets/dbt.py", "(_dbt_build)"),
    ("checks step (suites, history, worklists, Docs)", "quality/run.py", "(run_quality)"),
    ("  Great Expectations: run the suites", "pipelines/quality/gx_run.py", "(run_suite)"),
    ("  Data Docs", "pipelines/quality/data_docs.py", "(build_data_docs)"),
    ("pack step (context, charts, HTML, PDF, xlsx)", "assets/board_pack.py", "(board_pack)"),
    ("  charts (matplotlib)", "pipelines/pack/charts.py", "(_svg_data_uri)"),
    # Chromium prints in its own thread and processes (pipelines/pack/pdf.py), which cProfile
    # does not see: what shows here is the run's wait for the prints to finish.
    ("  PDF: waiting for Chromium's prints", "concurrent/futures/_base.py", "(wait)"),
)


@dataclass(frozen=True)
class Timed:
    name: str
    seconds: float
    detail: str = ""


def dbt_top_nodes(run_results: Path, top: int = 10) -> list[Timed]:
    """The costliest nodes of one dbt invocation (execution time, as dbt measured it)."""
    results = json.loads(run_results.read_text())["results"]
    ranked = sorted(results, key=lambda r: r.get("execution_time") or 0.0, reverse=True)
    return [
        Timed(
            name=r["unique_id"].split(".", 2)[-1],
            seconds=round(r["execution_time"], 2),
            detail=r["unique_id"].split(".")[0],  # model, test, seed
        )
        for r in ranked[:top]
    ]


def dbt_node_counts(run_results: Path) -> dict[str, int]:
    """How many nodes of each kind (model, test, seed) the invocation ran."""
    counts: dict[str, int] = {}
    for r in json.loads(run_results.read_text())["results"]:
        kind = r["unique_id"].split(".")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def newest_run_results(target_root: Path, step: str, since: float) -> Path | None:
    """The run_results.json of the step's latest dbt invocation after `since` (epoch seconds):
    each invocation writes to its own target folder, <step>-<hash>-<hash> (assets/dbt.py)."""
    found = [
        p for p in target_root.glob(f"{step}-*/run_results.json") if p.stat().st_mtime >= since
    ]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def suite_times(log_text: str, top: int = 10) -> list[Timed]:
    """The slowest check suites of a run, from its command log."""
    seen = {
        m.group(1): Timed(m.group(1), float(m.group(3)), f"{int(m.group(2)):,} rows")
        for m in SUITE_LINE.finditer(log_text)
    }
    return sorted(seen.values(), key=lambda t: t.seconds, reverse=True)[:top]


def _matches(key: tuple[str, int, str], needles: tuple[str, ...]) -> bool:
    text = f"{key[0]}:{key[1]}({key[2]})"
    return all(needle in text for needle in needles)


def python_phases(profile: Path) -> list[Timed]:
    """Each named phase's cumulative seconds in a cProfile output file (pstats counts a
    recursive function's time once, at its outermost call)."""
    stats = pstats.Stats(str(profile)).stats  # {(file, line, function): (cc, nc, tt, ct, callers)}
    return [
        Timed(name, round(sum(v[3] for k, v in stats.items() if _matches(k, tuple(needles))), 2))
        for name, *needles in PHASES
    ]


def own_code_hotspots(profile: Path, top: int = 10) -> list[Timed]:
    """The project's functions with the largest cumulative time (where its own code waits)."""
    stats = pstats.Stats(str(profile)).stats
    own = [
        (key, value[3])
        for key, value in stats.items()
        if "/pipelines/" in key[0] and "/pipelines/bench/" not in key[0] and key[2] != "<module>"
    ]
    own.sort(key=lambda item: item[1], reverse=True)
    return [
        Timed(f"{Path(key[0]).parent.name}/{Path(key[0]).name}:{key[2]}", round(seconds, 2))
        for key, seconds in own[:top]
    ]


def total_seconds(profile: Path) -> float:
    return round(pstats.Stats(str(profile)).total_tt, 2)
