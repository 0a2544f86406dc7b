"""Errors people can act on (issue 11), through the real command line: every failure of
`boardpack validate` and `boardpack run` ends with one line per cause and a non-zero exit;
stack traces go to a log file whose path is printed; nothing of a file that is not an extract
is echoed; a run reports only what it produced; a shrunk extract refuses the run."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pipeline_helpers import pipeline_environment

from pipelines.ingest import load_extracts

BOARDPACK = Path(sys.executable).parent / "boardpack"
PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
TRACE_MARKS = ("Traceback", "Stack Trace", "dagster._core", 'File "/')


def _without_root_powers() -> None:
    """As root, a file's permissions do not apply; drop the two capabilities that bypass them
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) so that a 000 file is unreadable, as for anyone."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP


def boardpack(*args: str, root: Path, env: dict | None = None, timeout: int = 600):
    environment = {**os.environ, **pipeline_environment(root), **(env or {})}
    environment.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [str(BOARDPACK), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_without_root_powers,
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    from pipelines.synthetic import generate_authority

    folder = tmp_path_factory.mktemp("cli_errors") / "extracts"
    generate_authority(folder, seed=3, scale=0.02)
    return folder


# file -> what its one line must say
BROKEN = {
    "ssd_contacts.csv": "ssd_contacts.csv cannot be read: permission denied",
    "ssd_cp_plans.csv": "is a folder, not a file",
    "ssd_cla_reviews.csv": "looks UTF-16 encoded (little-endian, without a byte order mark",
    "ssd_cp_visits.csv": "is a symbolic link to /etc/passwd, outside the extracts folder; refused",
    "ssd_person.csv": "the first line is not the header of ssd_person.csv",
    "ssd_cp_reviews.csv": "line 3 is 3,000,",
}


@pytest.fixture(scope="module")
def broken(small, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("broken") / "extracts"
    shutil.copytree(small, folder)
    os.chmod(folder / "ssd_contacts.csv", 0)
    (folder / "ssd_cp_plans.csv").unlink()
    (folder / "ssd_cp_plans.csv").mkdir()
    reviews = (folder / "ssd_cla_reviews.csv").read_text(encoding="utf-8")
    (folder / "ssd_cla_reviews.csv").write_bytes(reviews.encode("utf-16-le"))
    (folder / "ssd_cp_visits.csv").unlink()
    (folder / "ssd_cp_visits.csv").symlink_to("/etc/passwd")
    (folder / "ssd_person.csv").write_text(PASSWD)
    lines = (folder / "ssd_cp_reviews.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + "x" * 3_000_000
    (folder / "ssd_cp_reviews.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def assert_quiet(output: str) -> None:
    for mark in TRACE_MARKS:
        assert mark not in output, f"{mark!r} on the console:\n{output[-3000:]}"
    for secret in ("root:x", "/bin/bash", "nologin", "daemon:x", "xxxxxxxx"):
        assert secret not in output, f"{secret!r} echoed:\n{output[-3000:]}"


def test_validate_gives_one_line_per_broken_file(broken, tmp_path):
    done = boardpack("validate", str(broken), root=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert_quiet(done.stdout + done.stderr)
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == len(BROKEN), done.stdout
    for file_name, words in BROKEN.items():
        [line] = [f for f in failed if f.startswith(f"FAILED  {file_name}: ")]
        assert words in line, line
    assert "6 that would not load" in done.stdout


def test_a_failing_run_prints_its_causes_and_where_the_details_are(broken, tmp_path):
    done = boardpack("run", "--extracts", str(broken), root=tmp_path)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert_quiet(output)
    causes = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    assert len(causes) == len(BROKEN), done.stderr
    for file_name, words in BROKEN.items():
        [line] = [c for c in causes if c.startswith(f"  - raw_extracts: {file_name}: ")]
        assert words in line, line
    [log_line] = [line for line in done.stderr.splitlines() if line.startswith("Details, with")]
    log = Path(log_line.split(": ", 1)[1])
    assert log.is_file() and "STEP_FAILURE" in log.read_text(encoding="utf-8")
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    # the run produced no checks' Data Docs, worklists or pack: it must not claim any
    for claim in ("Data Docs", "Worklists", "Board pack for"):
        assert claim not in output
    assert len(output.splitlines()) < 40, output


def test_a_shrunk_extract_refuses_the_run_and_keeps_every_table(small, tmp_path):
    root = tmp_path / "run"
    root.mkdir()
    database = root / "warehouse.duckdb"
    con = duckdb.connect(str(database))
    load_extracts(con, small)
    before = _counts(con)
    con.close()

    tonight = tmp_path / "tonight"
    shutil.copytree(small, tonight)
    header = (small / "ssd_contacts.csv").read_text(encoding="utf-8").splitlines()[0]
    (tonight / "ssd_contacts.csv").write_text(header + "\n", encoding="utf-8")
    person = (tonight / "ssd_person.csv").read_text(encoding="utf-8")
    names = person.splitlines()[0].split(",")
    new = {"pers_person_id": "PNEW1", "pers_dob": "2001-01-01"}  # tonight's other files grew
    row = ",".join(new.get(name, "") for name in names)
    (tonight / "ssd_person.csv").write_text(person + row + "\n", encoding="utf-8")

    done = boardpack("run", "--extracts", str(tonight), root=root)
    assert done.returncode == 1
    assert_quiet(done.stdout + done.stderr)
    causes = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    assert len(causes) == 1, done.stderr
    assert causes[0].startswith("  - raw_extracts: ssd_contacts.csv: refused: 0 rows would replace")
    assert "boardpack run --accept-shrink ssd_contacts" in causes[0]
    assert "BOARDPACK_ACCEPT_SHRINK=ssd_contacts" in causes[0]
    with duckdb.connect(str(database), read_only=True) as con:
        assert _counts(con) == before  # every table as it was, not only contacts
        statuses = con.execute(
            "SELECT status, count(*) FROM raw.load_log WHERE status IN ('refused', 'held') "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert statuses == [("held", 1), ("refused", 1)]  # persons grew, and waits; the rest unchanged

    # validate says the same before anything runs; the setting accepts it
    checked = boardpack("validate", str(tonight), root=root)
    assert checked.returncode == 1 and "REFUSED ssd_contacts.csv: refused" in checked.stdout
    accepted = boardpack(
        "validate", str(tonight), root=root, env={"BOARDPACK_ACCEPT_SHRINK": "ssd_contacts"}
    )
    assert accepted.returncode == 0, accepted.stdout


def _counts(con) -> dict[str, int]:
    tables = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' "
            "AND table_name LIKE 'ssd_%'"
        ).fetchall()
    ]
    return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in tables}


def test_mistakes_on_the_command_line_are_one_line(tmp_path, small):
    typo = boardpack("run", "--accept-shrink", "ssd_contact", root=tmp_path)
    assert typo.returncode == 2
    assert "ssd_contact is not an extract table" in typo.stderr
    bad = boardpack("validate", str(small), root=tmp_path, env={"BOARDPACK_SHRINK_SHARE": "most"})
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "boardpack: BOARDPACK_SHRINK_SHARE='most': expected a share between 0 and 1, e.g. 0.9 "
        "or 90%"
    )
    assert_quiet(typo.stdout + typo.stderr + bad.stdout + bad.stderr)
