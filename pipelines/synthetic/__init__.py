"""A synthetic English local authority's children's social care extract (13 SSD files).

``generate_authority(out_dir, seed, start, end, scale)`` writes the files the nightly
pipeline ingests, plus ``manifest.csv`` (every planted data-quality problem) and
``population.csv`` (children aged 0-17 per calendar year). ``generate_region(out_dir,
authorities=N, ...)`` writes N distinct authorities, one folder each, listed in
``authorities.csv`` (region.py). See README.md in this folder.
"""

from .generate import GenerationSummary, generate_authority
from .region import RegionSummary, generate_region

__all__ = ["GenerationSummary", "RegionSummary", "generate_authority", "generate_region"]
