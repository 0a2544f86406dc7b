"""The alert digest: one message per run to a real SMTP server (aiosmtpd) and a local webhook,
only when something failed, with counts and changes but no child-level data."""

import csv
import email
import json
import re
import shutil
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from aiosmtpd.controller import Controller
from test_quality_dagster import run_pipeline

from pipelines.alerts import EMAIL_ENV, WEBHOOK_ENV, build_alert_sensors, compose
from pipelines.alerts.digest import ExpectationLine, FailedCheck, RunReport
from pipelines.alerts.sensors import FAILURE_SENSOR, SUCCESS_SENSOR
from pipelines.quality.specs import PERSON_COLUMN
from pipelines.settings import Settings
from pipelines.synthetic import generate_authority

RECIPIENTS = ["performance@example.org", "lead@example.org"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server and the webhook received."""

    def __init__(self):
        self.emails: list[tuple[list[str], email.message.EmailMessage]] = []
        self.posts: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.emails.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def texts(self) -> list[str]:
        bodies = [m["Subject"] + "\n" + m.get_body().get_content() for _, m in self.emails]
        return bodies + [p["title"] + "\n" + p["message"] for p in self.posts]


@pytest.fixture
def inbox(monkeypatch):
    box = Inbox()
    smtp_port = free_port()
    smtp = Controller(box, hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            box.posts.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    http = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    to = ",".join(RECIPIENTS)
    monkeypatch.setenv(
        EMAIL_ENV,
        f"mailto://127.0.0.1:{smtp_port}?from=boardpack@example.org&to={to}&mode=insecure",
    )
    monkeypatch.setenv(WEBHOOK_ENV, f"json://127.0.0.1:{http.server_address[1]}/hook")
    yield box
    http.shutdown()
    http.server_close()
    smtp.stop()


@pytest.fixture
def instance():
    """A throwaway Dagster instance, closed after the test (it keeps its storage in a temporary
    folder)."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("alerts") / "extracts"
    generate_authority(folder, scale=0.2)
    return folder


def sensor(name: str) -> dg.SensorDefinition:
    return next(s for s in build_alert_sensors() if s.name == name)


def _run_status_sensor(result, instance, name: str, event):
    # the sensors take the alert addresses from the settings resource, read from the
    # environment as the code location reads it
    context = dg.build_run_status_sensor_context(
        sensor_name=name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"settings": Settings.from_environment()},
    )
    if name == FAILURE_SENSOR:
        context = context.for_run_failure()
    return sensor(name)(context)


def run_success_sensor(result, instance):
    return _run_status_sensor(result, instance, SUCCESS_SENSOR, result.get_run_success_event())


def run_failure_sensor(result, instance):
    return _run_status_sensor(result, instance, FAILURE_SENSOR, result.get_run_failure_event())


def child_identifiers(root: Path) -> set[str]:
    """Every person and record identifier in the warehouse the run checked."""
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        ids = {r[0] for r in con.execute("SELECT pers_person_id FROM raw.ssd_person").fetchall()}
        ids |= {
            r[0]
            for r in con.execute(
                "SELECT record_id FROM quality.worklist_records UNION "
                "SELECT person_id FROM quality.worklist_records"
            ).fetchall()
            if r[0]
        }
        dobs = {
            str(r[0])
            for r in con.execute("SELECT DISTINCT pers_dob FROM raw.ssd_person").fetchall()
        }
    finally:
        con.close()
    # the extract's as-at date is in the digest on purpose, whoever was born on it
    return ids | (dobs - {"2014-08-31"})


def assert_no_child_data(texts: list[str], identifiers: set[str]) -> None:
    words = set()
    for text in texts:
        words |= set(re.findall(r"[A-Za-z0-9_\-]+", text))
    leaked = identifiers & words
    assert not leaked, f"child-level data in the digest: {sorted(leaked)[:5]}"


def test_digest_after_a_run_with_warnings(inbox, small_extracts, tmp_path, monkeypatch, instance):
    first, _ = run_pipeline(tmp_path, small_extracts, instance)
    assert first.success
    run_success_sensor(first, instance)
    # one message per recipient and one webhook post: a single digest for the run
    assert sorted(r for rcpts, _ in inbox.emails for r in rcpts) == sorted(RECIPIENTS)
    assert len(inbox.posts) == 1
    subject = inbox.emails[0][1]["Subject"]
    assert "data-quality warnings" in subject and first.run_id[:8] in subject
    body = inbox.emails[0][1].get_body().get_content().replace("\r\n", "\n")
    assert inbox.posts[0]["message"].strip() == body.strip()
    assert "ssd_cla_placement_cross_table" in body
    assert re.search(r"unended_placement_later_placement \[warning\]: \d+", body)
    assert "Worklists of the records to fix" in body
    worklists = str(tmp_path / "restricted" / "worklists")
    assert worklists in body
    assert "Blocking failures" not in body
    assert "as at 2014-08-31" in body

    # the next run says what changed since this one
    second, _ = run_pipeline(tmp_path, small_extracts, instance)
    run_success_sensor(second, instance)
    assert len(inbox.posts) == 2
    assert "no change since the previous run" in inbox.posts[1]["message"]

    assert_no_child_data(inbox.texts(), child_identifiers(tmp_path))
    # the worklists stay in the restricted folder: nothing is attached
    for _, message in inbox.emails:
        assert not list(message.iter_attachments())
    assert all(not post.get("attachments") for post in inbox.posts)


def test_digest_after_a_run_blocked_by_an_error(
    inbox, small_extracts, tmp_path, monkeypatch, instance
):
    broken = tmp_path / "extracts"
    shutil.copytree(small_extracts, broken)
    header = (broken / "ssd_cla_placement.csv").read_text().splitlines()[0]
    (broken / "ssd_cla_placement.csv").write_text(header + "\n")
    result, _ = run_pipeline(tmp_path / "run", broken, instance)
    assert not result.success
    run_failure_sensor(result, instance)
    assert len(inbox.posts) == 1 and len(inbox.emails) == len(RECIPIENTS)
    message = inbox.posts[0]
    assert "FAILED" in message["title"]
    text = message["message"]
    blocking = text.split("Blocking failures")[1].split("Warnings:")[0]
    assert "quality/check_results / ssd_cla_placement_as_loaded:" in blocking
    assert "table_not_empty [error]" in blocking
    assert "Failed steps:" in text and "data_quality_checks (DagsterAssetCheckFailedError)" in text
    assert_no_child_data(inbox.texts(), child_identifiers(tmp_path / "run"))


def without_unknown_people(extracts: Path, out: Path) -> Path:
    """A copy of the extracts with every record about a person the person file lacks left out."""
    shutil.copytree(extracts, out)
    with open(out / "ssd_person.csv", newline="", encoding="utf-8") as f:
        people = {row["pers_person_id"] for row in csv.DictReader(f)}
    for table, column in PERSON_COLUMN.items():
        path = out / f"{table}.csv"
        if table == "ssd_person" or not path.exists():
            continue
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields, rows = reader.fieldnames, [r for r in reader if r[column] in people]
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return out


def test_nothing_is_sent_when_nothing_failed(
    inbox, small_extracts, tmp_path, monkeypatch, instance
):
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "ssd_person.json").write_text(
        json.dumps(
            {
                "name": "ssd_person",
                "meta": {"table": "ssd_person"},
                "expectations": [
                    {
                        "type": "expect_table_row_count_to_be_between",
                        "kwargs": {"min_value": 1},
                        "meta": {"name": "rows", "severity": "error", "problem": "empty"},
                    }
                ],
            }
        )
    )
    # without the planted contacts and episodes of unknown people, which dbt's relationship
    # tests (warnings) would report
    clean = without_unknown_people(small_extracts, tmp_path / "extracts")
    result, _ = run_pipeline(tmp_path / "run", clean, instance, suites=suites)
    assert result.success
    skipped = run_success_sensor(result, instance)
    assert isinstance(skipped, dg.SkipReason)
    assert inbox.emails == [] and inbox.posts == []


def test_compose_says_nothing_for_a_clean_run_and_reports_broken_checks():
    assert compose(RunReport(run_id="abc", job_name="job", run_failed=False)) is None
    report = RunReport(
        run_id="abcdef123456",
        job_name="monthly_board_pack",
        run_failed=False,
        failed_checks=[
            FailedCheck(
                asset="raw/ssd_person",
                check_name="ssd_person",
                severity="warning",
                failing_records=0,
                change=None,
                expectations=[
                    ExpectationLine("misspelt", "error", "broken", 0, None, "no dob"),
                ],
            )
        ],
    )
    title, body = compose(report)
    assert "1 check failed" in title
    assert "Broken checks" in body and "misspelt: could not be evaluated" in body
    assert "Warnings:" not in body


def test_digest_when_an_extract_cannot_be_loaded(
    inbox, small_extracts, tmp_path, monkeypatch, instance
):
    broken = tmp_path / "extracts"
    shutil.copytree(small_extracts, broken)
    (broken / "ssd_person.csv").unlink()
    result, _ = run_pipeline(tmp_path / "run", broken, instance)
    assert not result.success
    run_failure_sensor(result, instance)
    assert len(inbox.posts) == 1
    text = inbox.posts[0]["message"]
    assert "FAILED" in inbox.posts[0]["title"]
    assert "raw_extracts (Failure)" in text
    # the file error's message (which can quote a line of the extract) is not repeated
    assert "file not found" not in text

    # a run Dagster will retry (its worker died) gets no digest: its retry will
    instance.add_run_tags(result.run_id, {"dagster/will_retry": "true"})
    retried = instance.get_run_by_id(result.run_id)
    context = dg.build_run_status_sensor_context(
        sensor_name=FAILURE_SENSOR,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=retried,
        resources={"settings": Settings.from_environment()},
    ).for_run_failure()
    assert isinstance(sensor(FAILURE_SENSOR)(context), dg.SkipReason)
    assert len(inbox.posts) == 1
