"""A synthetic English local authority's children's social care extract (13 SSD files).

``generate_authority(out_dir, seed, start, end, scale)`` writes the files the nightly
pipeline ingests, plus ``manifest.csv`` (every planted data-quality problem) and
``population.csv`` (children aged 0-17 per calendar year). See README.md in this folder.
"""

from .generate import GenerationSummary, generate_authority

__all__ = ["GenerationSummary", "generate_authority"]
