"""Running the whole graph for one reporting month in this process, through Dagster."""

from __future__ import annotations

import importlib
import logging
import re
import sys
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

import dagster as dg
from dagster._loggers import colored_console_logger

from pipelines.assets.board_pack import (
    COMMENTARY_CHECK,
    COMMENTARY_DUE,
    PACK_JOB_NAME,
    REVIEW_PAGE,
    build_pack_only_definitions,
)
from pipelines.assets.dbt_keys import MANIFEST_PATH
from pipelines.collector import freeze_what_is_loaded
from pipelines.dbt_standby import DbtStandby
from pipelines.operations.instance import prepare_dagster_home
from pipelines.reuse import REBUILD_TAG, REUSED_FROM_RUN
from pipelines.settings import Settings
from pipelines.stage_inputs import MODELS_STEP, VIEWS_STEP
from pipelines.up_to_date import UPSTREAM_STEPS  # the steps a pack-only run leaves as they are

# dagster-dbt's chatter at INFO that says nothing to the person running the pipeline
_PROGRESS_NOISE = ("A dbt subsetted execution is not being performed", "Copying `")


@dataclass(frozen=True)
class CheckOutcome:
    """One data-quality check's verdict, aggregates only (safe to print or alert)."""

    name: str
    passed: bool
    severity: str
    failing_records: int | None  # None where the check does not count records (dbt tests)


@dataclass
class MonthRunResult:
    success: bool
    run_id: str
    failures: list[str] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    # steps that found their inputs unchanged and reused what an earlier run built
    reused: list[str] = field(default_factory=list)
    # what this run's checks and pack pointed to (None / empty when they did not run)
    data_docs: str | None = None
    worklist_folder: str | None = None
    checks_reused_from: str | None = None
    pack_files: list[str] = field(default_factory=list)
    # the commentary review of the pack this run wrote or reused (pipelines/pack/review.py):
    # each contradiction's "Commentary check: ..." line and each "Commentary due from ..." line
    review_page: str | None = None
    commentary_check: list[str] = field(default_factory=list)
    commentary_due: list[str] = field(default_factory=list)


class _GetReadyMeanwhile(logging.Handler):
    """Gets the checks and the pack ready while the steps before them run, from the run's own
    events.

    - Once the run's first step has started, imports the pack's modules and libraries
      (pandas, Jinja, xlsxwriter: about a second) in a thread, so the pack step does not wait for
      them at the end of the run. Not before: creating the run (its planned events) is the
      start-up `boardpack run` waits through. The step imports them itself as ever: if they
      are not loaded by then it waits for this import (Python's import lock) or, had it failed,
      imports them and reports the error in the step.
    - Once the models' dbt step has started, imports the checks' (Great Expectations: 4-5 s)
      the same way: dbt builds in its own process, and this one mostly waits for its output.
    - Once the models' dbt step has succeeded, starts drawing the month's trend charts in a
      child process (pipelines/pack/predraw.py) while the checks run; the pack step waits for
      it and takes the charts from the chart cache. Any failure here only costs that time: the
      pack draws what it does not find.
    - Once the step before the pack (the check results' views) has started, starts the browser
      that prints the PDF (pipelines/pack/pdf.py, start_browser_early): a second or two the
      pack step would otherwise wait for. run_month closes it if no pack took it.
    - Once that step, the last dbt step, has ended, stops the run's dbt standby
      (pipelines/dbt_standby.py)."""

    def __init__(self, month: str, settings: Settings, standby: DbtStandby | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.month = month
        self.settings = settings
        self.standby = standby
        self.imported = False

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return
        if event.event_type_value == "STEP_START" and not self.imported:
            self.imported = True
            _import_meanwhile(PACK_MODULE)
        if event.event_type_value == "STEP_START" and event.step_key == MODELS_STEP:
            _import_meanwhile(CHECKS_MODULE)
        elif event.event_type_value == "STEP_SUCCESS" and event.step_key == MODELS_STEP:
            _predraw_charts(self.month, self.settings)
        elif event.event_type_value == "STEP_START" and event.step_key == VIEWS_STEP:
            _start_browser()
        elif (
            event.step_key == VIEWS_STEP
            and event.event_type_value in STEP_ENDED
            and self.standby is not None
        ):
            self.standby.stop()  # no dbt step is left: its memory goes before the pack's


STEP_ENDED = ("STEP_SUCCESS", "STEP_FAILURE")
# what the pack step and the checks step import first (pipelines/assets/board_pack.py and
# pipelines/quality/checks.py import them inside the step)
PACK_MODULE = "pipelines.pack.build"
CHECKS_MODULE = "pipelines.quality.run"


def _import_meanwhile(module: str) -> None:
    threading.Thread(target=_import, args=(module,), name=f"import-{module}", daemon=True).start()


def _import(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 - the step imports it again and reports
        logging.getLogger(__name__).debug("importing %s early failed", module, exc_info=True)
    else:
        freeze_what_is_loaded()  # its modules live as long as the run: spare the collector them


def _predraw_charts(month: str, settings: Settings) -> None:
    try:
        from pipelines.pack import predraw
        from pipelines.resources import Warehouse

        predraw.begin(month, settings, Warehouse(settings=settings).get_connection)
    except Exception:  # noqa: BLE001 - the pack step draws them, and reports a real error
        logging.getLogger(__name__).debug("drawing the charts ahead failed", exc_info=True)


def _start_browser() -> None:
    try:
        from pipelines.pack.pdf import start_browser_early

        start_browser_early()
    except Exception:  # noqa: BLE001 - the pack step starts its own, and reports a real error
        logging.getLogger(__name__).debug("starting the browser early failed", exc_info=True)


def _after_the_pack(settings: Settings) -> None:
    """What the run started for its pack and the pack did not take (a run that stopped before
    it): the browser closed, the charts being drawn waited for (no process outlives the run)."""
    # not imported: nothing was started (and importing the pack only to find that costs a second)
    pdf, predraw = sys.modules.get("pipelines.pack.pdf"), sys.modules.get("pipelines.pack.predraw")
    if pdf is not None:
        pdf.close_early_browser()
    if predraw is not None:
        predraw.wait(settings.chart_cache_dir)


def _meanwhile_logger(
    month: str, settings: Settings, standby: DbtStandby | None = None
) -> dg.LoggerDefinition:
    @dg.logger(description="Gets the checks and the pack ready during earlier steps.")
    def meanwhile(_init_context) -> logging.Logger:
        logger = logging.Logger("boardpack.meanwhile", logging.DEBUG)
        logger.addHandler(_GetReadyMeanwhile(month, settings, standby))
        return logger

    return meanwhile


def _check_outcomes(result: dg.ExecuteInProcessResult) -> list[CheckOutcome]:
    outcomes = []
    for evaluation in result.get_asset_check_evaluations():
        records = evaluation.metadata.get("failing_records") or evaluation.metadata.get(
            "dagster_dbt/failed_row_count"
        )
        outcomes.append(
            CheckOutcome(
                name=evaluation.check_name,
                passed=evaluation.passed,
                severity=evaluation.severity.value,
                failing_records=int(records.value) if records is not None else None,
            )
        )
    return sorted(outcomes, key=lambda outcome: outcome.name)


def _reused_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    steps = set()
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            metadata = event.event_specific_data.materialization.metadata
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            metadata = event.event_specific_data.metadata
        else:
            continue
        if REUSED_FROM_RUN in metadata:
            steps.add(event.step_key)
    return sorted(steps)


def _outputs(result: dg.ExecuteInProcessResult, outcome: MonthRunResult) -> None:
    """Where this run's Data Docs, worklists and pack files are, from its own events."""
    for evaluation in result.get_asset_check_evaluations():
        meta = evaluation.metadata
        for key, attr in (("data_docs", "data_docs"), ("worklist_folder", "worklist_folder")):
            if key in meta and getattr(outcome, attr) is None:
                setattr(outcome, attr, str(meta[key].value))
        if "reused_from_run" in meta:
            outcome.checks_reused_from = str(meta["reused_from_run"].value)
    for event in result.all_events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.path == ["board_pack"]:
            meta = materialization.metadata
            outcome.pack_files = sorted(
                str(v.value)
                for k, v in meta.items()
                if isinstance(v, dg.PathMetadataValue) and k != REVIEW_PAGE
            )
            if REVIEW_PAGE in meta:
                outcome.review_page = str(meta[REVIEW_PAGE].value)
            for key, attr in (
                (COMMENTARY_CHECK, "commentary_check"),
                (COMMENTARY_DUE, "commentary_due"),
            ):
                if key in meta:
                    setattr(outcome, attr, [str(line) for line in meta[key].value])


class _ProgressHandler(logging.Handler):
    """One short line per message the steps write, for the person running the pipeline; events,
    stack traces and debug output stay in the run log."""

    def __init__(self, stream: TextIO):
        super().__init__(logging.INFO)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        if meta.get("dagster_event") is not None or record.levelno >= logging.ERROR:
            # Dagster's own events and errors (step failures and their traces, the steps
            # skipped after them): the summary at the end gives their causes
            return
        text = str(meta.get("orig_message", record.getMessage())).strip()
        if not text or text.startswith(_PROGRESS_NOISE):
            return
        lines = text.splitlines()
        where = meta.get("step_key") or "run"
        level = "" if record.levelno < logging.WARNING else "warning: "
        try:
            stamp = f"{datetime.now():%H:%M:%S}"
            self.stream.write(f"{stamp} {where}: {level}{lines[0]}\n")
            for line in lines[1:]:  # a step reporting several files: one line each
                self.stream.write(f"{stamp} {where}: {level}{line}\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass


def _progress_logger(stream: TextIO) -> dg.LoggerDefinition:
    @dg.logger(description="Short progress lines on the console of `boardpack run`.")
    def progress(_init_context) -> logging.Logger:
        logger = logging.Logger("boardpack.progress", logging.INFO)
        logger.addHandler(_ProgressHandler(stream))
        return logger

    return progress


def _instance(settings: Settings) -> dg.DagsterInstance:
    # With DAGSTER_HOME set (make ui, the nightly service) runs are recorded where the UI reads
    # them; otherwise (tests, one-off runs) an ephemeral instance keeps nothing behind.
    home = settings.dagster_home_dir
    if home is not None:
        if not (home / "dagster.yaml").is_file():  # the project's settings, as `make ui` installs
            prepare_dagster_home(home)  # them (the event log's storage among them)
        return dg.DagsterInstance.from_config(str(home))
    return dg.DagsterInstance.ephemeral()


def _root_cause(error):
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per cause: a Failure's description may list several (one per file); any other
    error is named by its root cause's first line (the traceback is in the run log)."""
    failures = []
    for event in result.all_events:
        if not (event.is_step_failure and event.event_specific_data is not None):
            continue
        error = event.event_specific_data.error
        if error.cls_name == "Failure":
            message = re.sub(r"^[\w.]*Failure: ", "", error.message.strip())
        else:
            root = _root_cause(error)
            first = (root.message.strip().splitlines() or [root.cls_name])[0]
            message = re.sub(r"^[\w.]+: ", "", first)
            if root.cls_name not in message and not message.startswith(root.cls_name):
                message = f"{message} ({root.cls_name})"
        for line in message.splitlines():
            if line.strip():
                failures.append(f"{event.step_key}: {line.strip()}")
    return failures


def _job(
    month: str,
    settings: Settings,
    progress: TextIO | None,
    only_pack: bool,
    standby: DbtStandby | None = None,
) -> dg.JobDefinition:
    """The month's job (the pack's own when `only_pack`), with the run's loggers."""
    if only_pack:
        job = build_pack_only_definitions(settings).resolve_job_def(PACK_JOB_NAME)
    else:
        from pipelines.assets.dbt import ensure_dbt_manifest

        ensure_dbt_manifest()
        from pipelines.code_location import MONTHLY_JOB_NAME, build_definitions

        job = build_definitions(settings).resolve_job_def(MONTHLY_JOB_NAME)
    logger_defs = {"console": colored_console_logger}
    if progress is not None:
        logger_defs["progress"] = _progress_logger(progress)
    if not only_pack:  # the checks and the pack come late: they can be got ready meanwhile
        logger_defs["meanwhile"] = _meanwhile_logger(month, settings, standby)
    return job.with_logger_defs(logger_defs)


def run_month(
    month: str,
    settings: Settings,
    rebuild: bool = False,
    progress: TextIO | None = None,
    only_pack: bool = False,
) -> MonthRunResult:
    """Run the monthly job for one month with these settings; `rebuild` redoes every stage even
    where its inputs are unchanged since it last succeeded (pipelines/reuse.py). With `progress`,
    the steps' messages go there one line each, and Dagster's full log (DEBUG, stack traces) to
    stderr, which `boardpack run` sends to its log file.

    `only_pack` runs the pack's own job instead (PACK_JOB_NAME): for `boardpack run` when only
    the pack's inputs changed (the month's commentary), so nothing upstream is loaded, built or
    checked, and the graph's dbt half is not even imported."""
    only_pack = only_pack and MANIFEST_PATH.is_file()
    # dbt imported in its own process while Dagster loads, for the dbt steps to fork from
    standby = None if only_pack else DbtStandby()
    try:
        if only_pack:
            _start_browser()  # Chromium starts in its own processes while Dagster loads
        with standby or nullcontext():
            job = _job(month, settings, progress, only_pack, standby)
            loggers = {name: {} for name in job.loggers}
            loggers["console"] = {"config": {"log_level": "INFO" if progress is None else "DEBUG"}}
            freeze_what_is_loaded()  # Dagster and the definitions: collector passes spared them
            with _instance(settings) as instance:
                result = job.execute_in_process(
                    partition_key=month,
                    instance=instance,
                    raise_on_error=False,
                    tags={REBUILD_TAG: "true"} if rebuild else None,
                    run_config={"loggers": loggers},
                )
    finally:
        _after_the_pack(settings)
    reused = _reused_steps(result)
    if only_pack:  # what the pack read was up to date (pipelines/up_to_date.py said so)
        reused = sorted({*reused, *UPSTREAM_STEPS})
    outcome = MonthRunResult(
        success=result.success,
        run_id=result.run_id,
        failures=_failures(result),
        checks=_check_outcomes(result),
        reused=reused,
    )
    _outputs(result, outcome)
    return outcome
