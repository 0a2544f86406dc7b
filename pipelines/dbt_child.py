"""`boardpack-dbt`: dbt, made to die with the process that started it.

dagster-dbt runs dbt as a child process. If the run is killed outright (kill -9 of
`boardpack run`, an out-of-memory kill), nothing in it can stop that child, and an orphaned
`dbt build` would go on writing the warehouse, and holding DuckDB's file lock, under the next
run. Linux can tie a process to its parent: PR_SET_PDEATHSIG asks the kernel to send SIGKILL
when the parent dies, and it survives the exec of dbt. This tiny program sets it, checks that
the parent did not die before that (the run's pid is in BOARDPACK_DBT_PARENT_PID), then
becomes dbt with the same arguments. On other systems it simply becomes dbt.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PARENT_ENV = "BOARDPACK_DBT_PARENT_PID"


def die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    expected = os.environ.get(PARENT_ENV, "")
    if expected.isdigit() and os.getppid() != int(expected):
        os._exit(1)  # the run died before the signal was armed: do not run unattended


def main() -> None:
    die_with_parent()
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
