"""The benchmark: the pipeline at three scales against the floor, stage by stage.

Every measured piece runs in its own child process: `boardpack generate`, the floor (the
indicators computed directly in DuckDB from the CSVs) and `boardpack run` (Dagster in-process,
twice: a full run into an empty database, then a rerun with the extracts unchanged).

* whole process: wall time, CPU time (user + system) and peak resident memory come from
  os.wait4's resource usage of that child (its own and its waited-for children's, so dbt's
  subprocess is included; peak RSS is the largest single process);
* stages of a run (ingest, dbt, checks, pack): Dagster's event log, read from the run's own
  DAGSTER_HOME, gives each step's start and end; a sampler polls the child's process tree
  (psutil, every 0.2 s) for cumulative CPU time and total resident memory, and each stage gets
  the wall and CPU time summed over its steps and the peak memory seen during them.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import psutil

from pipelines.assets.dbt import dbt_target_dir
from pipelines.bench.profile import (
    dbt_node_counts,
    dbt_top_nodes,
    newest_run_results,
    own_code_hotspots,
    python_phases,
    suite_times,
    total_seconds,
)
from pipelines.cli import NOTHING_CHANGED_PREFIX, REUSED_PREFIX
from pipelines.dbt_project import parse
from pipelines.operations.instance import prepare_dagster_home
from pipelines.settings import DBT_PROJECT_DIR, PROJECT_ROOT, child_environment

MONTH = "2014-08"
FIRST_REPORTING_MONTH = "2011-04"
SCALES = {
    "S": {"scale": 1.0, "start": "2011-04-01", "end": "2014-08-31"},
    "M": {"scale": 3.0, "start": "2011-04-01", "end": "2014-08-31"},
    "L": {"scale": 10.0, "start": "2004-09-01", "end": "2014-08-31"},
}
STAGES = ("ingest", "dbt", "checks", "pack")
# Issue 12's targets: the whole run within a few times the floor (tighter where the data is
# large), a rerun with nothing changed a small share of a run, a commentary edit's new pack in
# seconds, `boardpack --help` and a run's first step without the start-up cost.
TARGETS = {
    "floor_ratio": {"S": 6.0, "M": 6.0, "L": 3.0},
    "peak_rss_gb": 2.0,
    "rerun_share": 0.10,
    "rerun_s": 5.0,  # at every scale: `boardpack run` starts no Dagster run (up_to_date.py)
    "commentary_rerun_s": 10.0,
    "help_s": 1.0,
    "first_step_s": 3.0,
    # issue 17: one month's PDF, HTML and xlsx (the pack step) within 5 s
    "render_s": 5.0,
}
# A sentence the commentary rerun appends to the month's commentary: it claims nothing the
# commentary check reads (rating, direction, comparators), so only the pack changes.
COMMENTARY_EDIT = "\n\nThe performance team reviewed this section again before the board met.\n"
# The scale whose full run is repeated under cProfile for the Python phases (slower: profiled).
PROFILED_SCALE = "S"
BIN = Path(sys.executable).parent


@dataclass
class Measure:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float


@dataclass
class ScaleResult:
    name: str
    scale: float
    start: str
    end: str
    rows: int
    extract_mb: float
    generate: Measure
    floor: Measure
    run: Measure
    run_tree_peak_rss_mb: float
    stages: dict[str, Measure]
    rerun: Measure
    rerun_stages: dict[str, float]  # wall seconds per stage of the rerun (Dagster steps)
    rerun_reused: list[str]  # the steps that found their inputs unchanged
    run_success: bool
    rerun_success: bool
    notes: list[str] = field(default_factory=list)
    # a rerun after changing only the month's commentary: its time and the steps it reused
    commentary_rerun: Measure | None = None
    commentary_reused: list[str] = field(default_factory=list)
    commentary_success: bool = True
    # the rerun found nothing to do and started no Dagster run (pipelines/up_to_date.py)
    rerun_without_dagster: bool = False
    # process start to the run's first Dagster step (imports, definitions, run creation)
    first_step_s: float | None = None
    # events the full run stored in DAGSTER_HOME's event log (each its own SQLite transaction)
    dagster_events: int | None = None
    # (at the profiled scale) the same `--rebuild` with the run history in DAGSTER_HOME's
    # SQLite files and with an in-memory instance: what storing the run's events costs
    rebuild_with_history: Measure | None = None
    rebuild_in_memory: Measure | None = None
    # below the stages: dbt's costliest nodes and node counts, the slowest suites, and (at the
    # profiled scale) the Python phases and the project's own hotspots (pipelines/bench/profile)
    dbt_nodes: list[dict] = field(default_factory=list)
    dbt_node_counts: dict[str, int] = field(default_factory=dict)
    suites: list[dict] = field(default_factory=list)
    phases: list[dict] = field(default_factory=list)
    hotspots: list[dict] = field(default_factory=list)
    profiled_total_s: float | None = None

    @property
    def floor_ratio(self) -> float:
        return self.run.wall_s / self.floor.wall_s if self.floor.wall_s else float("nan")

    @property
    def rerun_share(self) -> float:
        return self.rerun.wall_s / self.run.wall_s if self.run.wall_s else float("nan")


class TreeSampler:
    """Polls a process and its descendants: (time, cumulative CPU seconds, total RSS bytes)."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float, int]] = []
        self._dead_cpu: dict[int, float] = {}  # CPU of descendants that have exited
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            cpu, rss, alive = 0.0, 0, set()
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for proc in procs:
                try:
                    times = proc.cpu_times()
                    used = times.user + times.system
                    rss += proc.memory_info().rss
                except psutil.Error:
                    continue
                self._seen[proc.pid] = used
                alive.add(proc.pid)
                cpu += used
            for pid in list(self._seen):
                if pid not in alive:  # exited since: keep its last known CPU
                    self._dead_cpu[pid] = self._seen.pop(pid)
            if procs:
                self.samples.append((time.time(), cpu + sum(self._dead_cpu.values()), rss))
            self._stop.wait(self.interval)

    def window(self, start: float, end: float) -> tuple[float, float]:
        """CPU seconds used and peak RSS (bytes) between two wall-clock times."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        before = [s for s in self.samples if s[0] <= start] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= end] or self.samples[-1:]
        if not self.samples:
            return 0.0, 0
        cpu = after[0][1] - before[-1][1]
        peak = max((s[2] for s in inside), default=max(before[-1][2], after[0][2]))
        return max(cpu, 0.0), peak


def run_child(
    args: list[str], env: dict[str, str], log_path: Path, sampler: bool = False
) -> tuple[Measure, int, TreeSampler | None]:
    """Run one measured child; its output goes to log_path."""
    with open(log_path, "ab") as log:
        log.write(f"\n$ {' '.join(args)}\n".encode())
        log.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        tree = TreeSampler(proc.pid) if sampler else None
        if tree:
            tree.__enter__()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if tree:
            tree.__exit__(None, None, None)
        proc.returncode = os.waitstatus_to_exitcode(status)
    measure = Measure(
        wall_s=round(wall, 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
    )
    return measure, proc.returncode, tree


def stage_of(step_key: str) -> str:
    if step_key in ("dbt_models", "dbt_check_result_views"):
        return "dbt"
    if step_key == "data_quality_checks" or step_key.endswith("_extract_file_fresh"):
        return "checks"  # the suites, and the extract files' freshness checks
    if step_key == "board_pack":
        return "pack"
    return "ingest"


def step_windows(dagster_home: Path) -> dict[str, list[tuple[float, float]]]:
    """Per stage, each of its steps' (start, end) in epoch seconds, from the latest run.

    The steps run one after another, but Dagster interleaves the stages (a freshness check
    may run after the suites), so a stage's time is the sum of its steps, not a span."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        started: dict[str, float] = {}
        windows: dict[str, list[tuple[float, float]]] = {}
        for record in instance.all_logs(run.run_id):
            event = record.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type_value == "STEP_START":
                started[event.step_key] = record.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                start = started.pop(event.step_key, record.timestamp)
                windows.setdefault(stage_of(event.step_key), []).append((start, record.timestamp))
    return windows


def run_event_count(dagster_home: Path) -> int:
    """How many events the latest run stored (planned, step, materialization, check events)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        return len(instance.all_logs(run.run_id))


def stage_measure(tree: TreeSampler, intervals: list[tuple[float, float]]) -> Measure:
    """Wall and CPU seconds summed over a stage's steps; the largest memory seen in them."""
    wall = sum(end - start for start, end in intervals)
    used = [tree.window(start, end) for start, end in intervals]
    cpu = sum(c for c, _ in used)
    peak = max((p for _, p in used), default=0)
    return Measure(round(wall, 2), round(cpu, 2), round(peak / 2**20, 1))


def count_rows(extracts: Path) -> tuple[int, float]:
    rows, size = 0, 0
    for path in sorted(extracts.glob("ssd_*.csv")):
        size += path.stat().st_size
        with open(path, "rb") as f:
            rows += max(sum(1 for _ in f) - 1, 0)
    return rows, round(size / 2**20, 1)


def bench_scale(name: str, spec: dict, work: Path, log_path: Path) -> ScaleResult:
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    extracts, home = root / "extracts", root / "dagster_home"
    home.mkdir(parents=True)
    prepare_dagster_home(home)  # the instance settings `make ui` and `boardpack run` install
    commentary, logs = root / "commentary", root / "logs"
    commentary.mkdir()
    shipped = PROJECT_ROOT / "commentary" / f"{MONTH}.md"  # the demo's own commentary
    if shipped.is_file():
        shutil.copy(shipped, commentary / shipped.name)
    env = child_environment(
        BOARDPACK_RESTRICTED=str(root / "restricted"),
        BOARDPACK_COMMENTARY=str(commentary),
        BOARDPACK_LOGS=str(logs),
        DAGSTER_HOME=str(home),
        DBT_PROFILES_DIR=str(DBT_PROJECT_DIR),
    )
    boardpack = str(BIN / "boardpack")
    scale = spec["scale"]
    print(f"[{name}] generate (scale {scale}, {spec['start']}..{spec['end']})", flush=True)
    generate, rc, _ = run_child(
        [boardpack, "generate", "--out", str(extracts), "--scale", str(scale)]
        + ["--start", spec["start"], "--end", spec["end"]],
        env,
        log_path,
    )
    if rc:
        raise SystemExit(f"generate failed at {name}; see {log_path}")
    rows, extract_mb = count_rows(extracts)
    print(f"[{name}] {rows:,} rows, {extract_mb} MB; floor", flush=True)
    floor, rc, _ = run_child(
        [sys.executable, "-m", "pipelines.bench", "floor", str(extracts)], env, log_path
    )
    if rc:
        raise SystemExit(f"the floor failed at {name}; see {log_path}")
    run_args = [boardpack, "run", "--extracts", str(extracts), "--month", MONTH]
    run_args += ["--output", str(root / "output"), "--db", str(root / "warehouse.duckdb")]
    print(f"[{name}] full run", flush=True)
    run_started = time.time()
    run, rc_run, tree = run_child(run_args, env, log_path, sampler=True)
    stages = {}
    notes = []
    try:
        windows = step_windows(home)
    except Exception as error:  # the run's numbers still stand without the stage split
        windows = {}
        notes.append(f"could not read the Dagster event log: {error}")
    starts = [start for intervals in windows.values() for start, _ in intervals]
    first_step = round(min(starts) - run_started, 2) if starts else None
    try:
        events = run_event_count(home)
    except Exception:  # noqa: BLE001 - a count the report can do without
        events = None
    below = _below_the_stages(run_started, logs)
    for stage in STAGES:
        if stage in windows and tree is not None:
            stages[stage] = stage_measure(tree, windows[stage])
    tree_peak = max((s[2] for s in tree.samples), default=0) if tree else 0
    print(f"[{name}] rerun (extracts unchanged)", flush=True)
    log_size = log_path.stat().st_size
    rerun, rc_rerun, _ = run_child(run_args, env, log_path)
    rerun_output = _log_since(log_path, log_size)
    rerun_reused = reused_steps(rerun_output)
    # With nothing changed `boardpack run` starts no Dagster run at all: no steps to time (the
    # latest run in the instance is still the full one)
    rerun_without_dagster = started_no_dagster(rerun_output)
    rerun_stages = {}
    try:
        if not rerun_without_dagster:
            rerun_stages = {
                stage: round(sum(end - start for start, end in intervals), 2)
                for stage, intervals in step_windows(home).items()
            }
    except Exception as error:
        notes.append(f"could not read the rerun's Dagster event log: {error}")
    print(f"[{name}] rerun after a commentary edit", flush=True)
    month_commentary = commentary / f"{MONTH}.md"
    with open(month_commentary, "a", encoding="utf-8") as text:
        text.write(COMMENTARY_EDIT)
    log_size = log_path.stat().st_size
    commentary_rerun, rc_commentary, _ = run_child(run_args, env, log_path)
    commentary_reused = reused_steps(_log_since(log_path, log_size))
    history: dict[str, Measure] = {}
    if name == PROFILED_SCALE:
        # the run history's cost: the same rebuild, recorded in DAGSTER_HOME and in memory
        # (DAGSTER_HOME blank: pipelines/runner.py then uses an ephemeral instance)
        for key, home_value in (("rebuild_with_history", str(home)), ("rebuild_in_memory", "")):
            print(f"[{name}] --rebuild, {key.replace('_', ' ')}", flush=True)
            measured, rc_history, _ = run_child(
                [*run_args, "--rebuild"], {**env, "DAGSTER_HOME": home_value}, log_path
            )
            if rc_history == 0:
                history[key] = measured
            else:
                notes.append(f"the {key.replace('_', ' ')} failed; see the log")
        print(f"[{name}] profiled full run (--rebuild, under cProfile)", flush=True)
        profile = root / "run.prof"
        run_child(
            [sys.executable, "-m", "cProfile", "-o", str(profile), boardpack, *run_args[1:]]
            + ["--rebuild"],
            env,
            log_path,
        )
        if profile.is_file():
            below["phases"] = [asdict(t) for t in python_phases(profile)]
            below["hotspots"] = [asdict(t) for t in own_code_hotspots(profile)]
            below["profiled_total_s"] = total_seconds(profile)
        else:
            notes.append("the profiled run wrote no profile; see the log")
    result = ScaleResult(
        name=name,
        scale=scale,
        start=spec["start"],
        end=spec["end"],
        rows=rows,
        extract_mb=extract_mb,
        generate=generate,
        floor=floor,
        run=run,
        run_tree_peak_rss_mb=round(tree_peak / 2**20, 1),
        stages=stages,
        rerun=rerun,
        rerun_stages=rerun_stages,
        rerun_reused=rerun_reused,
        run_success=rc_run == 0,
        rerun_success=rc_rerun == 0,
        notes=notes,
        commentary_rerun=commentary_rerun,
        commentary_reused=commentary_reused,
        commentary_success=rc_commentary == 0,
        rerun_without_dagster=rerun_without_dagster,
        first_step_s=first_step,
        dagster_events=events,
        **history,
        **below,
    )
    print(f"[{name}] run {run.wall_s}s, floor {floor.wall_s}s, rerun {rerun.wall_s}s", flush=True)
    return result


def _log_since(log_path: Path, offset: int) -> str:
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return log.read()


def _below_the_stages(run_started: float, logs: Path) -> dict:
    """dbt's costliest nodes (the models' build) and the slowest suites of the full run."""
    found: dict = {}
    results = newest_run_results(dbt_target_dir(), "dbt_models", run_started)
    if results is not None:
        found["dbt_nodes"] = [asdict(t) for t in dbt_top_nodes(results)]
        found["dbt_node_counts"] = dbt_node_counts(results)
    run_logs = sorted(logs.glob("boardpack-run-*.log"), key=lambda p: p.stat().st_mtime)
    if run_logs:
        text = run_logs[-1].read_text(encoding="utf-8", errors="replace")
        found["suites"] = [asdict(t) for t in suite_times(text)]
    return found


def help_seconds(repeat: int = 3) -> float:
    """`boardpack --help`'s wall time, the best of a few (a cold disk cache is not the code)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([str(BIN / "boardpack"), "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return round(best, 2)


def reused_steps(output: str) -> list[str]:
    """The steps `boardpack run` reports as reused (pipelines/cli.py prints the line)."""
    for line in output.splitlines():
        if line.startswith(REUSED_PREFIX):
            return [step.strip() for step in line[len(REUSED_PREFIX) :].split(",")]
    return []


def started_no_dagster(output: str) -> bool:
    """Whether `boardpack run` said nothing had changed and started no Dagster run."""
    return any(line.startswith(NOTHING_CHANGED_PREFIX) for line in output.splitlines())


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _below_the_stages_md(r: ScaleResult) -> list[str]:
    lines: list[str] = []
    if r.dbt_nodes:
        counts = ", ".join(f"{n} {kind}s" for kind, n in r.dbt_node_counts.items())
        lines += [
            "",
            f"The ten costliest dbt nodes of the models' build ({counts}; dbt's own "
            "execution times, threads overlap):",
            "",
            "| dbt node | kind | s |",
            "|---|---|---:|",
        ]
        lines += [f"| {n['name']} | {n['detail']} | {n['seconds']:.2f} |" for n in r.dbt_nodes]
    if r.suites:
        lines += ["", "The slowest check suites:", "", "| suite | rows | s |", "|---|---:|---:|"]
        lines += [f"| {t['name']} | {t['detail']} | {t['seconds']:.1f} |" for t in r.suites]
    if r.dagster_events:
        lines += [
            "",
            f"The full run stored {r.dagster_events:,} Dagster events (run, step, planned, "
            "materialization and check events) on connections kept open, each in its own "
            "SQLite transaction but those the run plans before its first step, stored as one "
            "batch in one (asset events again in the cross-run index; "
            "pipelines/operations/event_log.py).",
        ]
    if r.rebuild_with_history and r.rebuild_in_memory:
        cost = r.rebuild_with_history.wall_s - r.rebuild_in_memory.wall_s
        if cost > 0:
            verdict = f"storing the run's events costs at most about {cost:.1f} s of a run here."
        else:  # one run each: the in-memory one slower says only that the cost is small
            verdict = (
                f"the in-memory run was the slower ({cost:+.1f} s): storing the run's events "
                "costs less than one run's time varies here."
            )
        lines += [
            "",
            f"The same `--rebuild` took {r.rebuild_with_history.wall_s:.1f} s recording its "
            f"run in DAGSTER_HOME (SQLite files on this disk) and "
            f"{r.rebuild_in_memory.wall_s:.1f} s with an in-memory Dagster instance: {verdict}",
        ]
    if r.phases:
        lines += [
            "",
            f"Python phases of a full run under cProfile ({r.profiled_total_s:.1f} s profiled; "
            "cProfile slows many small calls most, so these rank the phases rather than time "
            "them):",
            "",
            "| phase | cumulative s (profiled) |",
            "|---|---:|",
        ]
        lines += [f"| {t['name']} | {t['seconds']:.1f} |" for t in r.phases]
    if r.hotspots:
        lines += ["", "| the project's own code: costliest functions | s (profiled) |"]
        lines += ["|---|---:|"]
        lines += [f"| {t['name']} | {t['seconds']:.1f} |" for t in r.hotspots]
    return lines


def _row(label: str, m: Measure | None) -> str:
    if m is None:
        return f"| {label} | – | – | – |"
    return f"| {label} | {m.wall_s:.1f} | {m.cpu_s:.1f} | {m.peak_rss_mb:,.0f} |"


def floor_target(name: str) -> float:
    return TARGETS["floor_ratio"].get(name, min(TARGETS["floor_ratio"].values()))


def targets(results: list[ScaleResult], help_s: float | None = None) -> list[tuple[str, str, bool]]:
    """(target, measured, met): the run against the floor at every scale; memory, the rerun's
    share and growth at the largest; the commentary edit at the smallest (the demo)."""
    if not results:
        return []
    big, small = results[-1], results[0]
    found = [
        (
            f"whole run <= {floor_target(r.name):g}x the floor at {r.name}",
            f"{r.floor_ratio:.1f}x",
            r.floor_ratio <= floor_target(r.name),
        )
        for r in results
    ]
    found += [
        (
            f"peak RSS <= {TARGETS['peak_rss_gb']:g} GB at {big.name}",
            f"{big.run_tree_peak_rss_mb / 1024:.2f} GB (process tree)",
            big.run_tree_peak_rss_mb / 1024 <= TARGETS["peak_rss_gb"],
        ),
        (
            f"rerun, nothing changed, <= {TARGETS['rerun_share']:.0%} of a full run at {big.name}",
            f"{big.rerun_share:.0%} ({big.rerun.wall_s:.1f} s)",
            big.rerun_share <= TARGETS["rerun_share"],
        ),
    ]
    found += [
        (
            f"rerun, nothing changed, < {TARGETS['rerun_s']:g} s at {r.name}",
            f"{r.rerun.wall_s:.1f} s" + (", no Dagster run" if r.rerun_without_dagster else ""),
            r.rerun_success and r.rerun.wall_s < TARGETS["rerun_s"],
        )
        for r in results
    ]
    found += [
        (
            f"pack step (PDF, HTML, xlsx) <= {TARGETS['render_s']:g} s at {r.name}",
            f"{r.stages['pack'].wall_s:.1f} s",
            r.stages["pack"].wall_s <= TARGETS["render_s"],
        )
        for r in results
        if r.stages.get("pack") is not None
    ]
    if small.commentary_rerun is not None:
        only_pack = small.commentary_success and "board_pack" not in small.commentary_reused
        found.append(
            (
                f"commentary edit -> new pack <= {TARGETS['commentary_rerun_s']:g} s at "
                f"{small.name} (only the pack rebuilt)",
                f"{small.commentary_rerun.wall_s:.1f} s; reused: "
                f"{', '.join(small.commentary_reused) or 'nothing'}",
                only_pack and small.commentary_rerun.wall_s <= TARGETS["commentary_rerun_s"],
            )
        )
    if small.first_step_s is not None:
        found.append(
            (
                f"a run reaches its first step in < {TARGETS['first_step_s']:g} s at {small.name}",
                f"{small.first_step_s:.1f} s",
                small.first_step_s < TARGETS["first_step_s"],
            )
        )
    if help_s is not None:
        found.append(
            (
                f"`boardpack --help` in < {TARGETS['help_s']:g} s",
                f"{help_s:.2f} s",
                help_s < TARGETS["help_s"],
            )
        )
    if big is not small:
        row_growth = big.rows / small.rows
        wall_growth = big.run.wall_s / small.run.wall_s
        found.append(
            (
                f"wall time grows no faster than rows, {small.name} to {big.name}",
                f"rows x{row_growth:.1f}, wall x{wall_growth:.1f}",
                wall_growth <= row_growth,
            )
        )
    return found


def write_results(
    results: list[ScaleResult], out_dir: Path, elapsed: float, help_s: float | None = None
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, Python {platform.python_version()}",
        "month": MONTH,
        "benchmark_seconds": round(elapsed, 1),
        # other work on the machine skews every number: the 1-minute load average at the end
        "load_average_1m": round(os.getloadavg()[0], 2),
        "help_s": help_s,
    }
    payload = {
        **meta,
        "scales": [
            {
                **asdict(r),
                "floor_ratio": round(r.floor_ratio, 2),
                "rerun_share": round(r.rerun_share, 3),
                "commentary_rerun_s": r.commentary_rerun.wall_s if r.commentary_rerun else None,
            }
            for r in results
        ],
        "targets": [
            {"target": t, "measured": m, "met": ok} for t, m, ok in targets(results, help_s)
        ],
    }
    (out_dir / "results.json").write_text(json.dumps(payload, indent=2) + "\n")

    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`python -m pipelines.bench`) on {meta['measured_at']}; "
        f"{meta['machine']}; reporting month {MONTH}; the benchmark took "
        f"{elapsed / 60:.1f} minutes; load average at the end "
        f"{meta['load_average_1m']} on {os.cpu_count()} CPUs (other work skews the numbers). "
        "See bench/README.md for what is measured and how.",
        "",
        "## Summary",
        "",
        "| scale | history | rows | extracts MB | generate s | floor s | full run s "
        "| run / floor | rerun s | rerun / run | commentary edit s | first step s "
        "| peak RSS MB (tree) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} (x{r.scale:g}) | {r.start}..{r.end} | {r.rows:,} | {r.extract_mb:,.1f} "
            f"| {r.generate.wall_s:.1f} | {r.floor.wall_s:.1f} | {r.run.wall_s:.1f} "
            f"| {r.floor_ratio:.1f}x | {r.rerun.wall_s:.1f} | {r.rerun_share:.0%} "
            f"| {_seconds(r.commentary_rerun.wall_s if r.commentary_rerun else None)} "
            f"| {_seconds(r.first_step_s)} | {r.run_tree_peak_rss_mb:,.0f} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, ok in targets(results, help_s):
        lines.append(f"| {target} | {measured} | {'yes' if ok else '**no**'} |")
    for r in results:
        lines += [
            "",
            f"## {r.name}: scale {r.scale:g}, {r.start} to {r.end}, {r.rows:,} rows",
            "",
            "| stage | wall s | CPU s | peak RSS MB |",
            "|---|---:|---:|---:|",
            _row("generate (child process)", r.generate),
            _row("floor: the indicators in DuckDB (child process)", r.floor),
        ]
        lines += [_row(f"run: {stage} (Dagster steps)", r.stages.get(stage)) for stage in STAGES]
        lines += [
            _row("run: whole `boardpack run` (child process)", r.run),
            _row("rerun, extracts unchanged (child process)", r.rerun),
        ]
        lines += [
            f"| rerun: {stage} (Dagster steps) | {r.rerun_stages[stage]:.1f} | – | – |"
            for stage in STAGES
            if stage in r.rerun_stages
        ]
        if r.commentary_rerun is not None:
            lines.append(_row("rerun after a commentary edit (child process)", r.commentary_rerun))
        if r.rerun_reused:
            lines += ["", f"The rerun reused (inputs unchanged): {', '.join(r.rerun_reused)}."]
        if r.rerun_without_dagster:
            lines += [
                "",
                "The rerun started no Dagster run: `boardpack run` found every stage's inputs "
                "unchanged before importing Dagster (pipelines/up_to_date.py), so its time is "
                "that check's, and it has no Dagster steps to list.",
            ]
        if r.commentary_rerun is not None:
            lines += [
                "",
                "After the commentary edit the run reused: "
                f"{', '.join(r.commentary_reused) or 'nothing'}.",
            ]
        lines += _below_the_stages_md(r)
        if not (r.run_success and r.rerun_success):
            lines.append("")
            lines.append(
                f"**The run failed** (full: {r.run_success}, rerun: {r.rerun_success}); "
                "see the log."
            )
        for note in r.notes:
            lines += ["", f"Note: {note}"]
    lines += [
        "",
        "Stage rows: the stage's Dagster steps (checks include the extract freshness checks), "
        "wall time summed over its steps from Dagster's event log; CPU and peak RSS sampled "
        "over the run's process tree (Python + dbt) during those steps. Whole-process rows: "
        "os.wait4 resource usage (peak RSS = largest single process). The whole run also "
        "includes process start, imports, loading the dbt manifest and Dagster writing the "
        "run's events, so it is more than the sum of the stages.",
        "",
    ]
    (out_dir / "results.md").write_text("\n".join(lines))


def main(names: list[str], work: Path, out_dir: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "bench.log"
    log_path.write_text("")
    parse(DBT_PROJECT_DIR)
    started = time.perf_counter()
    results: list[ScaleResult] = []
    help_s = help_seconds()
    for name in names:
        results.append(bench_scale(name, SCALES[name], work, log_path))
        write_results(results, out_dir, time.perf_counter() - started, help_s)
    print((out_dir / "results.md").read_text())
    print(f"Child process output: {log_path}")
    ok = all(r.run_success and r.rerun_success and r.commentary_success for r in results)
    return 0 if ok else 1


DEFAULT_OUT = PROJECT_ROOT / "bench"
