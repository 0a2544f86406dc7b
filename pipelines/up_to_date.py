"""`boardpack run`'s check that nothing needs doing, made before it imports Dagster or dbt.

A rerun with nothing changed (a second run the same day, a retry after reading the pack) would
start Dagster only for every stage to find its inputs unchanged and reuse its earlier work
(pipelines/reuse.py): seconds of imports, of creating the run and of storing its events, for no
change at all. So the command line asks first, holding the warehouse's lock, whether EVERY stage
would be reused, each by its own rule and the same functions the stages use:

* the load: every extract file unchanged since its table's last successful load
  (pipelines/ingest/load.py `files_to_load`, the loader's own rule), none older than
  BOARDPACK_EXTRACT_MAX_AGE_HOURS (the run would warn of it);
* the two dbt steps: the fingerprint of their inputs (pipelines/stage_inputs.py) equal to the
  one recorded when they last succeeded, and every relation they built still in the warehouse;
* the checks as at the month: their fingerprint recorded, and the worklists and Data Docs the
  results point to still there;
* the month's pack: its fingerprint recorded, and every file it wrote still there, unchanged.

Only then does `boardpack run` print what the earlier run built and stop, without a Dagster run.
Anything else (a difference, a missing record, an error reading any of it) is an answer of "not
up to date" and the run goes ahead as usual: this check can save a run, never fail or skip one.
The nightly schedule's runs, launched by the Dagster daemon, never come through here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.ingest.files import extract_present, find_extract
from pipelines.ingest.load import files_to_load
from pipelines.ingest.rules import ReadRules
from pipelines.plain_settings import EXPECTATIONS_DIR, PlainSettings
from pipelines.reuse import Recorded, StageRecords, fingerprint
from pipelines.stage_inputs import (
    CHECKS_STAGE,
    DBT_STEPS,
    MODELS_STAGE,
    MODELS_STEP,
    PACK_STAGE,
    RELATIONS,
    VIEWS_STEP,
    build_inputs,
    check_files_still_there,
    check_inputs,
    dbt_reads_data,
    dbt_step_args,
    missing_relations,
    pack_inputs,
    still_published,
)

# The Dagster steps a run would have reused, as `boardpack run` names them.
# pipelines/operations/freshness.py's check on each extract file (that module imports Dagster)
FRESHNESS_CHECK = "extract_file_fresh"
UPSTREAM_STEPS = ("data_quality_checks", VIEWS_STEP, MODELS_STEP)
REUSED_STEPS = ["board_pack", *UPSTREAM_STEPS]


@dataclass(frozen=True)
class StoredCheck:
    """One check's verdict as its stage stored it (the attributes of runner.CheckOutcome)."""

    name: str
    passed: bool
    severity: str
    failing_records: int | None


@dataclass
class UpToDate:
    """What the earlier runs built, as a run that reused every stage would report it (the
    attributes `boardpack run` prints a runner.MonthRunResult's summary from)."""

    month: str
    run_id: str  # the run that last built (or reused into) the month's pack, or its checks
    recorded_at: datetime
    pack_files: list[str]
    checks: list[StoredCheck] = field(default_factory=list)
    checks_reused_from: str | None = None
    data_docs: str | None = None
    worklist_folder: str | None = None
    review_page: str | None = None
    commentary_check: list[str] = field(default_factory=list)
    commentary_due: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=lambda: list(REUSED_STEPS))


@dataclass(frozen=True)
class Verdict:
    """Up to date (with what was built), or not, with the first stage found to need work."""

    up_to_date: UpToDate | None
    stage: str = ""  # ingest, dbt, dbt_check_result_views, quality_checks, board_pack, ...
    reason: str = ""
    seconds: float = 0.0
    # when the pack is the only stage with work to do (its commentary or code changed): what
    # the stages before it built, as they recorded it (no pack files); a pack-only run follows
    upstream: UpToDate | None = None

    @property
    def only_pack(self) -> bool:
        return self.up_to_date is None and self.upstream is not None

    def __str__(self) -> str:
        if self.up_to_date is not None:
            return f"up to date (checked in {self.seconds:.2f}s)"
        return f"not up to date: {self.stage}: {self.reason}"


class _Stale(Exception):
    def __init__(self, stage: str, reason: str, upstream: UpToDate | None = None) -> None:
        super().__init__(f"{stage}: {reason}")
        self.stage, self.reason, self.upstream = stage, reason, upstream


def check_up_to_date(
    settings: PlainSettings,
    month: str,
    rebuild: bool = False,
    expectations_dir: Path = EXPECTATIONS_DIR,
) -> Verdict:
    """Whether a run for the month would reuse every stage; never raises."""
    started = time.perf_counter()
    try:
        built = _check(settings, month, rebuild, Path(expectations_dir))
    except _Stale as stale:
        seconds = time.perf_counter() - started
        return Verdict(None, stale.stage, stale.reason, seconds, upstream=stale.upstream)
    except Exception as error:  # cannot tell: the run decides
        reason = f"could not be checked: {type(error).__name__}: {error}"
        return Verdict(None, "check", reason, time.perf_counter() - started)
    return Verdict(built, seconds=time.perf_counter() - started)


def _check(settings: PlainSettings, month: str, rebuild: bool, expectations: Path) -> UpToDate:
    if rebuild or settings.rebuild_every_stage:
        raise _Stale("rebuild", "--rebuild or BOARDPACK_REBUILD asks for every stage again")
    if not settings.database.is_file():
        raise _Stale("ingest", f"no warehouse at {settings.database} yet")
    fresh = _fresh_extracts(settings)
    # read-write (the stages' records create their table if missing): the caller holds the
    # warehouse's lock, and nothing here changes what is in the warehouse
    with duckdb.connect(str(settings.database)) as con:
        to_load = files_to_load(con, settings.extracts_dir, ReadRules.from_settings(settings))
        if to_load:
            raise _Stale("ingest", f"{len(to_load)} files to load ({to_load[0]})")
        records = StageRecords(con)
        for stage in DBT_STEPS:
            inputs = build_inputs(con, month, dbt_step_args(stage), dbt_reads_data(stage))
            earlier = _matching(records, stage, inputs)
            relations = earlier.details.get(RELATIONS)
            if not relations:
                raise _Stale(stage, "its record does not list the relations it built")
            missing = missing_relations(con, {tuple(r) for r in relations})
            if missing:
                raise _Stale(stage, f"{len(missing)} relations missing ({missing[0]})")
        models = records.get(MODELS_STAGE)
        inputs = check_inputs(models and models.fingerprint, month, expectations, settings)
        checks = _matching(records, CHECKS_STAGE, inputs, month)
        stored = checks.details.get("checks") or []
        if not stored or not check_files_still_there(stored):
            raise _Stale(CHECKS_STAGE, "the worklists or Data Docs of its results are gone")
        try:
            pack = _matching(records, PACK_STAGE, pack_inputs(con, month, settings), month)
            if not still_published(pack):
                raise _Stale(PACK_STAGE, "the pack's files are not as it wrote them")
        except _Stale as stale:  # everything before the pack is up to date
            stale.upstream = _built(month, None, checks, stored, fresh)
            raise
    return _built(month, pack, checks, stored, fresh)


def _fresh_extracts(settings: PlainSettings) -> list[str]:
    """A run warns of an extract file older than the limit (pipelines/operations/freshness.py):
    such a run is left to Dagster, which reports and records it. The files checked."""
    limit = settings.max_extract_age_hours * 3600
    now = time.time()
    checked = []
    for table in load_contract().required_tables:  # the files with a freshness check
        if not extract_present(settings.extracts_dir, table.file_name):
            continue  # files_to_load judges an absent file
        path = find_extract(settings.extracts_dir, table.file_name, settings.allow_outside_symlinks)
        if now - path.stat().st_mtime > limit:
            raise _Stale("ingest", f"{path.name} is older than the freshness limit")
        checked.append(table.file_name)
    return checked


def _matching(records: StageRecords, stage: str, inputs: dict | None, scope: str = "") -> Recorded:
    if inputs is None:
        raise _Stale(stage, "an earlier stage has no record of its inputs")
    found = records.get(stage, scope)
    if found is None:
        raise _Stale(stage, "no record of a successful build")
    if found.fingerprint != fingerprint(inputs):
        raise _Stale(stage, f"its inputs changed since run {found.run_id}")
    return found


def _built(
    month: str, pack: Recorded | None, checks: Recorded, stored: list[dict], fresh: list[str]
) -> UpToDate:
    """What the stages built, as they recorded it; without the pack's record (None), what the
    stages before the pack built."""
    details = pack.details if pack is not None else {"names": {}}
    commentary = details.get("commentary", {})
    results = [
        StoredCheck(
            name=r["check_name"],
            passed=bool(r["passed"]),
            severity=str(r["severity"]),
            failing_records=_value(r, "failing_records"),
        )
        for r in stored
    ]
    # the freshness check of each extract file, passed just now (_fresh_extracts)
    results += [StoredCheck(FRESHNESS_CHECK, True, "WARN", None) for _ in fresh]
    found = UpToDate(
        month=month,
        run_id=(pack or checks).run_id,
        recorded_at=(pack or checks).recorded_at,
        pack_files=sorted(str(p) for p in details["names"].values()),
        checks=sorted(results, key=lambda c: c.name),
        checks_reused_from=checks.run_id,
        review_page=details.get("review_page"),
        commentary_check=[str(line) for line in commentary.get("check", [])],
        commentary_due=[str(line) for line in commentary.get("due", [])],
        reused=list(REUSED_STEPS if pack is not None else UPSTREAM_STEPS),
    )
    for result in stored:
        for key in ("data_docs", "worklist_folder"):
            value = _value(result, key)
            if value and getattr(found, key) is None:
                setattr(found, key, str(value))
    return found


def _value(stored: dict, key: str):
    kind_value = stored["metadata"].get(key)
    return kind_value[1] if kind_value else None
