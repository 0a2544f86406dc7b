"""`python -m pipelines.operations [DAGSTER_HOME]`: install the instance settings (make ui)."""

import sys

from pipelines.operations.instance import main

sys.exit(main(sys.argv[1:]))
