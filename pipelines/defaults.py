"""Defaults the command line shows in its help, kept apart from settings.py so that
`boardpack --help` does not import Dagster (settings.Settings is a Dagster resource)."""

# The synthetic authority's reporting month: the month `boardpack run` builds by default.
DEMO_MONTH = "2014-08"

# The synthetic authority's ONS code (pipelines/synthetic/returns_data.py's LA_CODE, a test keeps
# them equal): BOARDPACK_LA_CODE when it is blank, here so the settings need not import the
# generator (numpy, pandas) to resolve it.
DEMO_LA_CODE = "E09000027"
