"""Generate a synthetic local authority's SSD extract: ``generate_authority``.

Order matters: the months are simulated in turn (front door, then child protection, then
children coming into care), because each step needs to know who is already on a plan or in
care. The designed cohorts and the calibrations that act on whole histories (placement
stability, reviews, visits) come after, then early help (which follows social care work),
then the tables, and last the planted problems.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .calibration import population
from .child_protection import ChildProtection
from .early_help import EarlyHelp
from .front_door import FrontDoor
from .looked_after import LookedAfter
from .problems import Planter
from .returns_data import ReturnsData
from .returns_problems import ReturnsPlanter
from .tables import Tables
from .world import World
from .writer import COLUMNS, write_csv, write_table


@dataclass
class GenerationSummary:
    out_dir: Path
    row_counts: dict[str, int]
    planted_problems: int
    elapsed_seconds: float
    seed: int = 2014
    start: dt.date = dt.date(2011, 4, 1)
    end: dt.date = dt.date(2014, 8, 31)
    scale: float = 1.0
    notes: list[str] = field(
        default_factory=list
    )  # calibration shortfalls (none expected at scale 1)

    def __str__(self) -> str:
        rows = sum(self.row_counts.values())
        return (
            f"{len(self.row_counts)} SSD files, {rows:,} rows, {self.planted_problems} planted"
            f" problems in {self.out_dir} ({self.elapsed_seconds:.1f}s)"
        )


def generate_authority(
    out_dir: Path,
    seed: int = 2014,
    start: dt.date = dt.date(2011, 4, 1),
    end: dt.date = dt.date(2014, 8, 31),
    scale: float = 1.0,
    returns_problems: str | None = None,
    localities: Sequence[str] | None = None,
) -> GenerationSummary:
    """Write the 13 SSD files, ``manifest.csv`` and ``population.csv`` into ``out_dir``.

    Same arguments, same bytes. At scale 1 with the default seed and period the files
    reproduce the August 2014 seed report (see ``calibration``). ``returns_problems`` (a
    collection year, "2024-25") plants one record of each problem the DfE's rules for the
    statutory returns must report, listed in ``returns_problems.csv`` (returns_problems.py).
    ``localities`` names the eight early-help localities (default: the demo's North, North
    East, ... North West, in the order of the cleansing backlog in ``calibration.CLEANSING``).
    """
    began = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = World(seed=seed, start=start, end=end, scale=scale, localities=localities)

    front = FrontDoor(world)
    cp = ChildProtection(world, front)
    cla = LookedAfter(world, front, cp)
    cla.open_caseload()
    opening_plan_refs = front.open_caseload(cp.opening_plans())
    cp.open_caseload(opening_plan_refs)
    for key in world.schedule.months:
        front.month(key)
        cp.month(key)
        cla.month(key)
    cla.add_care_leavers()
    cla.calibrate_stability()
    cp.finish()
    cla.finish()
    eh = EarlyHelp(world, front)
    eh.generate()

    tables = Tables(world, front, cp, cla, eh).build()
    tables = ReturnsData(world, tables).add_all()
    planter = Planter(world, tables, cla)
    manifest = planter.plant_all()
    tables = planter.t
    if returns_problems:
        returns_manifest = ReturnsPlanter(tables, returns_problems).plant_all()

    counts = {name: write_table(out_dir, name, tables[name]) for name in COLUMNS}
    write_csv(out_dir / "manifest.csv", manifest)
    if returns_problems:
        write_csv(out_dir / "returns_problems.csv", returns_manifest)
    years = range(start.year, end.year + 1)
    write_csv(
        out_dir / "population.csv",
        pd.DataFrame(
            {"year": list(years), "population_0_17": [population(y, scale) for y in years]}
        ),
    )
    return GenerationSummary(
        out_dir=out_dir,
        row_counts=counts,
        planted_problems=len(manifest),
        elapsed_seconds=round(time.perf_counter() - began, 2),
        seed=seed,
        start=start,
        end=end,
        scale=scale,
        notes=cp.notes + cla.notes,
    )
