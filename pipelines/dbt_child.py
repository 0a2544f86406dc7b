"""`boardpack-dbt`: dbt as the pipeline runs it, made to die with the process that started it,
and parsing the project again only where it changed.

dagster-dbt runs dbt as a child process. If the run is killed outright (kill -9 of
`boardpack run`, an out-of-memory kill), nothing in it can stop that child, and an orphaned
`dbt build` would go on writing the warehouse, and holding DuckDB's file lock, under the next
run. Linux can tie a process to its parent: PR_SET_PDEATHSIG asks the kernel to send SIGKILL
when the parent dies. This small program sets it, checks that the parent did not die before
that (the run's pid is in BOARDPACK_DBT_PARENT_PID), then runs dbt's command line, in this same
process, with the same arguments. On other systems it simply runs dbt.

dbt keeps its parsed project between invocations (partial parsing) and parses the whole of it
again, 6-7 s of every dbt step here, whenever the command's --vars or the profile's connection
details differ from the parse it kept. The run's warehouse path and reporting month were both,
so each new warehouse (every test, every bench scale) and each new month paid a full parse. So:

* the run's `warehouse` and `reporting_month` vars reach dbt as environment variables (the
  profile and models/reference/reporting_month.sql read them with env_var), which dbt tracks
  file by file: a new month parses one model again (dbt-core #6323 is --vars' limitation);
* the DuckDB file's path is left out of the profile's hash. The database's name, which the
  parsed project does hold (every relation's), stays in it: a warehouse of another name still
  parses in full. No model or macro reads the path (tests/test_dbt_parsing.py asserts it).

dbt itself, its arguments and its output are otherwise untouched: dbt run by hand, or through
plain `dbt`, parses as dbt always does.

In a `boardpack run`, dbt is already imported in the run's standby (pipelines/dbt_standby.py):
this process hands the command over to it, and runs dbt itself only when there is none.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from collections.abc import MutableMapping

PR_SET_PDEATHSIG = 1
PARENT_ENV = "BOARDPACK_DBT_PARENT_PID"
# the vars a run gives dbt -> the environment variables dbt reads them from instead
VARS_AS_ENVIRONMENT = {
    "warehouse": "BOARDPACK_DB",  # profiles.yml
    "reporting_month": "BOARDPACK_DBT_REPORTING_MONTH",  # models/reference/reporting_month.sql
}


def die_with_parent() -> None:
    """Die with the process named in PARENT_ENV (the run), or at once if it is gone already."""
    expected = os.environ.get(PARENT_ENV, "")
    tie_to_parent(int(expected) if expected.isdigit() else None)


def tie_to_parent(expected: int | None) -> None:
    """Ask the kernel to kill this process when its parent ends; if the parent is not
    `expected` (it died before the signal was armed), end now: never run unattended."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if expected is not None and os.getppid() != expected:
        os._exit(1)


def vars_to_environment(args: list[str], environ: MutableMapping[str, str]) -> list[str]:
    """dbt's arguments with the run's vars (VARS_AS_ENVIRONMENT) moved into `environ`; other
    vars stay in --vars, which is dropped when none is left."""
    args = list(args)
    for i, arg in enumerate(args[:-1]):
        if arg != "--vars":
            continue
        try:
            variables = json.loads(args[i + 1])
        except ValueError:
            return args  # not JSON (dbt also takes YAML): dbt reads it as given
        if not isinstance(variables, dict):
            return args
        for name, env in VARS_AS_ENVIRONMENT.items():
            if name in variables:
                environ[env] = str(variables.pop(name))
        if variables:
            args[i + 1] = json.dumps(variables, sort_keys=True)
        else:
            del args[i : i + 2]
        return args
    return args


def parse_across_warehouses() -> None:
    """Leave the DuckDB file's path out of the profile's hash in dbt's parse check (see the
    module's docstring); every other connection detail, the database's name among them, stays."""
    import pprint

    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    build_check = ManifestLoader.build_manifest_state_check

    def state_check(loader: ManifestLoader):
        check = build_check(loader)
        credentials = loader.root_project.credentials
        if credentials.type == "duckdb":  # as dbt builds it, less the path
            details = sorted(item for item in credentials.connection_info() if item[0] != "path")
            check.profile_hash = FileHash.from_contents(pprint.pformat(details))
        return check

    ManifestLoader.build_manifest_state_check = state_check


def run_dbt(args: list[str]) -> None:
    """dbt's command line with these arguments, in this process (ends it: SystemExit)."""
    from dbt.cli.main import cli

    from pipelines.collector import freeze_what_is_loaded, set_for_a_command

    set_for_a_command()  # half a second at each dbt step's exit (pipelines/collector.py)
    freeze_what_is_loaded()
    sys.argv[:] = ["dbt", *vars_to_environment(args, os.environ)]
    sys.exit(cli())


def main() -> None:
    die_with_parent()
    # the run's standby, which has dbt imported already (pipelines/dbt_standby.py)
    from pipelines.dbt_standby import hand_over

    status = hand_over(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    parse_across_warehouses()
    run_dbt(sys.argv[1:])


if __name__ == "__main__":
    main()
