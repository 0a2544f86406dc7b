"""A region of synthetic authorities: ``generate_region(out_dir, authorities=N, ...)``.

Regional data partnerships compare many authorities. Each authority of a region is written by
``generate_authority`` into ``<out>/<code>/`` (the SSD files, ``manifest.csv``,
``population.csv``: exactly what it writes for one authority), and ``<out>/authorities.csv``
lists them. The authorities differ in

* **seed**: drawn from the region's seed, distinct;
* **size**: a multiple of the demo authority (about 36,000 children aged 0-17), drawn
  log-uniformly from 0.4x to 2.5x (about 14,000 to 90,000 children: most English unitary,
  metropolitan and London authorities; the largest shire counties are bigger), rounded to two
  decimals, distinct; the authority's ``scale`` is the region's ``scale`` times its size;
* **name and locality names**: made up from invented place-name parts (``Kestrelford
  Borough Council``, localities ``Teaselwick``, ...), every one distinct within the region;
  a size of 1.6x or more makes a county council;
* **code**: ONS-style (a letter and eight digits) but fictional: ``E90`` followed by the
  authority's number (``E90000001``, ``E90000002``, ...). E90 is none of the ONS entity codes
  of local authorities (E06 unitary, E07 district, E08 metropolitan district, E09 London
  borough, E10 county), so the codes cannot be mistaken for real ones.

Nothing is real: no real authority's name or code, no person's name. Same arguments, same bytes;
authority k is drawn before authority k+1, so the first authorities of a region of 5 are those
of a region of 3 with the same arguments.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .calibration import CLEANSING, population
from .generate import GenerationSummary, generate_authority
from .writer import write_csv

# The region's own random stream: World's streams are [seed, 0..12], so this cannot meet them.
REGION_STREAM = 1_000
SIZE_RANGE = (0.4, 2.5)  # multiples of the demo authority
COUNTY_SIZE = 1.6  # a county council from this size on
CODE_PREFIX = "E90"  # not an ONS local authority entity code (those are E06-E10)
LOCALITIES = len(CLEANSING.localities)

# Invented place-name parts: words for plants, birds and landforms, none a person's name,
# joined they make no English local authority's name.
PREFIXES = (
    "Alder",
    "Bittern",
    "Bracken",
    "Bramble",
    "Cinder",
    "Curlew",
    "Dunnock",
    "Elder",
    "Fallow",
    "Fennel",
    "Gorse",
    "Kestrel",
    "Lapwing",
    "Linnet",
    "Mallow",
    "Marram",
    "Nettle",
    "Osier",
    "Otter",
    "Pipit",
    "Plover",
    "Quill",
    "Sallow",
    "Sloe",
    "Teasel",
    "Thistle",
    "Umber",
    "Vetch",
    "Whin",
    "Withy",
    "Yarrow",
    "Samphire",
)
SUFFIXES = (
    "ford",
    "mere",
    "wick",
    "combe",
    "dale",
    "field",
    "ham",
    "ton",
    "bury",
    "ley",
    "thorpe",
    "stead",
    "well",
    "brook",
    "hurst",
    "worth",
)
COUNCILS = ("Borough Council", "City Council", "Council", "Metropolitan Borough Council")
SYNTHETIC = "(synthetic data)"  # on every name, as on the demo's: a pack never passes for real
# Each authority takes 1 + 8 names from the pool (about 480 joins without a doubled letter):
# 40 take 360. The largest English region, London, has 33 authorities.
MAX_AUTHORITIES = 40


@dataclass(frozen=True)
class RegionAuthority:
    code: str
    name: str
    seed: int
    size: float  # a multiple of the demo authority
    scale: float  # what generate_authority is given: the region's scale times the size
    localities: tuple[str, ...]


def plan_region(authorities: int, seed: int = 2014, scale: float = 1.0) -> list[RegionAuthority]:
    """The region's authorities (codes, names, seeds, sizes, localities), without writing."""
    authorities = check_authorities(authorities)
    if not scale > 0 or not math.isfinite(scale):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    rng = np.random.default_rng([seed, REGION_STREAM])
    used_seeds: set[int] = set()
    used_sizes: set[float] = set()
    used_names: set[str] = set()
    low, high = (math.log(x) for x in SIZE_RANGE)

    def draw(used: set, make):
        while True:
            value = make()
            if value not in used:
                used.add(value)
                return value

    def place() -> str:
        while True:  # no doubled letter at the join ("Kestrelley")
            prefix = PREFIXES[int(rng.integers(len(PREFIXES)))]
            suffix = SUFFIXES[int(rng.integers(len(SUFFIXES)))]
            if prefix[-1] != suffix[0]:
                return prefix + suffix

    region = []
    for number in range(1, authorities + 1):
        own_seed = draw(used_seeds, lambda: int(rng.integers(1, 2**31 - 1)))
        size = draw(used_sizes, lambda: round(math.exp(rng.uniform(low, high)), 2))
        stem = draw(used_names, place)
        localities = tuple(draw(used_names, place) for _ in range(LOCALITIES))
        council = (
            "County Council" if size >= COUNTY_SIZE else COUNCILS[int(rng.integers(len(COUNCILS)))]
        )
        region.append(
            RegionAuthority(
                code=f"{CODE_PREFIX}{number:06d}",
                name=f"{stem} {council} {SYNTHETIC}",
                seed=own_seed,
                size=size,
                scale=round(scale * size, 6),
                localities=localities,
            )
        )
    return region


def check_authorities(value) -> int:
    """The number of authorities as an int from 1 to MAX_AUTHORITIES, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"the number of authorities must be a whole number, got {value!r}")
    if not 1 <= value <= MAX_AUTHORITIES:
        raise ValueError(
            f"the number of authorities must be from 1 to {MAX_AUTHORITIES}, got {value}"
        )
    return int(value)


@dataclass
class RegionSummary:
    out_dir: Path
    authorities: list[RegionAuthority]
    summaries: list[GenerationSummary]

    @property
    def elapsed_seconds(self) -> float:
        return round(sum(s.elapsed_seconds for s in self.summaries), 2)


def generate_region(
    out_dir: Path,
    authorities: int,
    seed: int = 2014,
    scale: float = 1.0,
    start: dt.date = dt.date(2011, 4, 1),
    end: dt.date = dt.date(2014, 8, 31),
    returns_problems: str | None = None,
) -> RegionSummary:
    """Write ``authorities`` synthetic authorities into ``out_dir/<code>/`` and list them in
    ``out_dir/authorities.csv`` (code, name, seed, size, scale, population_0_17 in the period's
    last year, localities joined by "; "). ``seed`` is the region's (each authority's own is
    drawn from it); ``scale`` multiplies every authority's size; ``start``, ``end`` and
    ``returns_problems`` are given to every authority. Same arguments, same bytes."""
    region = plan_region(authorities, seed=seed, scale=scale)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries = [
        generate_authority(
            out_dir / a.code,
            seed=a.seed,
            start=start,
            end=end,
            scale=a.scale,
            localities=a.localities,
            returns_problems=returns_problems,
        )
        for a in region
    ]
    write_csv(
        out_dir / "authorities.csv",
        pd.DataFrame(
            {
                "code": [a.code for a in region],
                "name": [a.name for a in region],
                "seed": [a.seed for a in region],
                "size": [f"{a.size:.2f}" for a in region],
                "scale": [a.scale for a in region],
                "population_0_17": [population(end.year, a.scale) for a in region],
                "localities": ["; ".join(a.localities) for a in region],
            }
        ),
    )
    return RegionSummary(out_dir=out_dir, authorities=region, summaries=summaries)
