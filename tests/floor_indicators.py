"""Reference ("floor") implementation of the board pack indicators, for testing the generator.

The code lives in pipelines.bench.floor, where the benchmark also times it; this module keeps
the name the generator's tests import.
"""

from pipelines.bench.floor import *  # noqa: F403
from pipelines.bench.floor import (  # noqa: F401
    PRIMARY_KEYS,
    STEP_DOWN_REASONS,
    _is_date_column,
    _looked_after_at,
    _one,
    _twelve_months_to,
)
