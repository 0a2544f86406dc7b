"""The dbt CLI resource, without the two things dagster-dbt does before every invocation that
this project does not use.

Before it starts dbt, `DbtCliResource.cli` (dagster-dbt 0.29)

* runs `<dbt executable> --version` once per resource instance, to tell dbt Core from the Fusion
  engine; the executable here is `boardpack-dbt`, which runs the dbt-core installed in this very
  environment, so the version is the installed package's (the command cost 1.5-3 s a step,
  as it imports dbt);
* loads the project, profile and macros in this process to open an adapter (about 2-4 s a
  step), which dagster-dbt uses only for `fetch_row_counts()` and `fetch_column_metadata()`;
  the assets here call neither (the figures come from the marts, the checks from the tests).

Both were measured by sampling a whole demo run (docs/scaling.md, "dagster-dbt's
preliminaries"); dbt itself and the events it streams are unchanged.
"""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class BoardPackDbtCli(DbtCliResource):
    """dagster-dbt's DbtCliResource for the dbt-core installed beside it."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (dagster-dbt's signature)
        return None  # no adapter handle: see the module's docstring
