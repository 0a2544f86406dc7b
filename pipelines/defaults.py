"""Defaults the command line shows in its help, kept apart from settings.py so that
`boardpack --help` does not import Dagster (settings.Settings is a Dagster resource)."""

# The synthetic authority's reporting month: the month `boardpack run` builds by default.
DEMO_MONTH = "2014-08"
