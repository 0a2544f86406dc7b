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

from pipelines.cli import REUSED_PREFIX
from pipelines.dbt_project import parse
from pipelines.settings import DBT_PROJECT_DIR, PROJECT_ROOT, child_environment

MONTH = "2014-08"
FIRST_REPORTING_MONTH = "2011-04"
SCALES = {
    "S": {"scale": 1.0, "start": "2011-04-01", "end": "2014-08-31"},
    "M": {"scale": 3.0, "start": "2011-04-01", "end": "2014-08-31"},
    "L": {"scale": 10.0, "start": "2004-09-01", "end": "2014-08-31"},
}
STAGES = ("ingest", "dbt", "checks", "pack")
TARGETS = {
    "floor_ratio": 3.0,
    "peak_rss_gb": 4.0,
    "rerun_share": 0.20,
}
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
    (home / "dagster.yaml").write_text("")  # default local storage, without Dagster's warning
    env = child_environment(
        BOARDPACK_RESTRICTED=str(root / "restricted"),
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
    run, rc_run, tree = run_child(run_args, env, log_path, sampler=True)
    stages = {}
    notes = []
    try:
        windows = step_windows(home)
    except Exception as error:  # the run's numbers still stand without the stage split
        windows = {}
        notes.append(f"could not read the Dagster event log: {error}")
    for stage in STAGES:
        if stage in windows and tree is not None:
            stages[stage] = stage_measure(tree, windows[stage])
    tree_peak = max((s[2] for s in tree.samples), default=0) if tree else 0
    print(f"[{name}] rerun (extracts unchanged)", flush=True)
    log_size = log_path.stat().st_size
    rerun, rc_rerun, _ = run_child(run_args, env, log_path)
    try:
        rerun_stages = {
            stage: round(sum(end - start for start, end in intervals), 2)
            for stage, intervals in step_windows(home).items()
        }
    except Exception as error:
        rerun_stages = {}
        notes.append(f"could not read the rerun's Dagster event log: {error}")
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(log_size)
        rerun_reused = reused_steps(log.read())
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
    )
    print(f"[{name}] run {run.wall_s}s, floor {floor.wall_s}s, rerun {rerun.wall_s}s", flush=True)
    return result


def reused_steps(output: str) -> list[str]:
    """The steps `boardpack run` reports as reused (pipelines/cli.py prints the line)."""
    for line in output.splitlines():
        if line.startswith(REUSED_PREFIX):
            return [step.strip() for step in line[len(REUSED_PREFIX) :].split(",")]
    return []


def _row(label: str, m: Measure | None) -> str:
    if m is None:
        return f"| {label} | – | – | – |"
    return f"| {label} | {m.wall_s:.1f} | {m.cpu_s:.1f} | {m.peak_rss_mb:,.0f} |"


def targets(results: list[ScaleResult]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the largest scale measured."""
    if not results:
        return []
    big, small = results[-1], results[0]
    found = [
        (
            f"whole run <= {TARGETS['floor_ratio']:g}x the floor at {big.name}",
            f"{big.floor_ratio:.1f}x",
            big.floor_ratio <= TARGETS["floor_ratio"],
        ),
        (
            f"peak RSS <= {TARGETS['peak_rss_gb']:g} GB at {big.name}",
            f"{big.run_tree_peak_rss_mb / 1024:.2f} GB (process tree)",
            big.run_tree_peak_rss_mb / 1024 <= TARGETS["peak_rss_gb"],
        ),
        (
            f"rerun <= {TARGETS['rerun_share']:.0%} of a full run at {big.name}",
            f"{big.rerun_share:.0%}",
            big.rerun_share <= TARGETS["rerun_share"],
        ),
    ]
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


def write_results(results: list[ScaleResult], out_dir: Path, elapsed: float) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, Python {platform.python_version()}",
        "month": MONTH,
        "benchmark_seconds": round(elapsed, 1),
        # other work on the machine skews every number: the 1-minute load average at the end
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    payload = {
        **meta,
        "scales": [
            {
                **asdict(r),
                "floor_ratio": round(r.floor_ratio, 2),
                "rerun_share": round(r.rerun_share, 3),
            }
            for r in results
        ],
        "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in targets(results)],
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
        "| run / floor | rerun s | rerun / run | peak RSS MB (tree) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} (x{r.scale:g}) | {r.start}..{r.end} | {r.rows:,} | {r.extract_mb:,.1f} "
            f"| {r.generate.wall_s:.1f} | {r.floor.wall_s:.1f} | {r.run.wall_s:.1f} "
            f"| {r.floor_ratio:.1f}x | {r.rerun.wall_s:.1f} | {r.rerun_share:.0%} "
            f"| {r.run_tree_peak_rss_mb:,.0f} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, ok in targets(results):
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
        if r.rerun_reused:
            lines += ["", f"The rerun reused (inputs unchanged): {', '.join(r.rerun_reused)}."]
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
    for name in names:
        results.append(bench_scale(name, SCALES[name], work, log_path))
        write_results(results, out_dir, time.perf_counter() - started)
    print((out_dir / "results.md").read_text())
    print(f"Child process output: {log_path}")
    return 0 if all(r.run_success and r.rerun_success for r in results) else 1


DEFAULT_OUT = PROJECT_ROOT / "bench"
