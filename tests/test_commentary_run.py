"""The commentary check in the run: the summary of `boardpack run`, the board_pack asset's
metadata, the internal review page beside the pack, and BOARDPACK_COMMENTARY_BLOCKS.

One pipeline run of its own (`wrong_comment_run`, through the real command line): the demo
warehouse copied, so the load and the models are reused, with the cp_repeat comment the issue
found wrong put back. The demo run (conftest) is the baseline whose commentary agrees with its
figures. Blocking is tested on the board_pack step alone, against the same copied warehouse.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.defaults import DEMO_MONTH
from pipelines.pack.commentary_check import Contradiction
from pipelines.pack.commentary_draft import CommentaryDue
from pipelines.pack.review import CommentaryReview, render_review
from pipelines.settings import PROJECT_ROOT, Settings, SettingsError

PACK_FILES = ["board_pack.html", "board_pack.pdf", "board_pack.xlsx", "indicators.csv"]

# The cp_repeat comment of the August 2014 pack the issue quotes, beside demo figures of 14.01%
# (29 of 207), Green against 15.00%, England 14.90%, statistical neighbours 15.30%.
WRONG_CP_REPEAT = (
    "This indicator has been assessed as red as it misses our target percentage and is above "
    "the England average and statistical neighbours."
)
# What the run must print for it (worked by hand from the figures above).
EXPECTED_LINES = [
    'Commentary check: cp_repeat: the comment says "assessed as red" but the figures rate it '
    "Green (14.0% against a target of 15.0%)",
    'Commentary check: cp_repeat: the comment says "as it misses our target" but the figure '
    "meets it (14.0% against 15.0%; rated Green)",
    'Commentary check: cp_repeat: the comment says "above the England average" but 14.0% is '
    "below England (14.9%)",
    'Commentary check: cp_repeat: the comment says "above the England average and statistical '
    'neighbours" but 14.0% is below statistical neighbours (15.3%)',
]


def _with_wrong_cp_repeat(folder: Path) -> Path:
    """The demo's commentary with its cp_repeat section replaced by the wrong comment."""
    text = (PROJECT_ROOT / "commentary" / f"{DEMO_MONTH}.md").read_text(encoding="utf-8")
    start = text.index("## cp_repeat\n")
    end = text.index("\n## ", start + 1)
    folder.mkdir()
    path = folder / f"{DEMO_MONTH}.md"
    path.write_text(f"{text[:start]}## cp_repeat\n{WRONG_CP_REPEAT}\n{text[end:]}", "utf-8")
    return folder


def _environment(root: Path, **extra: str) -> dict[str, str]:
    return {
        "BOARDPACK_DB": str(root / "warehouse.duckdb"),
        "BOARDPACK_EXTRACTS": str(root / "extracts"),
        "BOARDPACK_OUTPUT": str(root / "output"),
        "BOARDPACK_RESTRICTED": str(root / "restricted"),
        "BOARDPACK_COMMENTARY": str(root / "commentary"),
        "BOARDPACK_LOGS": str(root / "logs"),
        **extra,
    }


@pytest.fixture(scope="module")
def wrong_comment_run(demo_run, tmp_path_factory):
    """`boardpack run --month 2014-08` with the wrong cp_repeat comment (blocking off), on a
    copy of the demo warehouse: the only pipeline run of this module."""
    root = tmp_path_factory.mktemp("wrong_comment")
    shutil.copy(demo_run.settings.database, root / "warehouse.duckdb")
    (root / "extracts").symlink_to(demo_run.settings.extracts_dir)
    _with_wrong_cp_repeat(root / "commentary")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in _environment(root).items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        monkeypatch.delenv("BOARDPACK_COMMENTARY_BLOCKS", raising=False)
        result = CliRunner().invoke(main, ["run", "--month", DEMO_MONTH])
    assert result.exit_code == 0, result.output
    return SimpleNamespace(root=root, output=result.output, month_dir=root / "output" / DEMO_MONTH)


def _printed(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


@pytest.mark.slow
def test_a_wrong_comment_prints_one_commentary_check_line_per_claim(wrong_comment_run):
    assert _printed(wrong_comment_run.output, "Commentary check: ") == EXPECTED_LINES
    # the four indicators the demo's commentary leaves out are still owed, as in the demo run
    assert _printed(wrong_comment_run.output, "Commentary due from ") == DEMO_DUE


@pytest.mark.slow
def test_the_review_page_lists_them_beside_the_pack_but_is_not_published(wrong_comment_run):
    month_dir = wrong_comment_run.month_dir
    assert sorted(p.name for p in month_dir.iterdir()) == [*PACK_FILES, "review.html"]
    page = (month_dir / "review.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for line in EXPECTED_LINES:
        assert line in text
    assert "Comments that contradict the figures: 4" in text
    assert '<html lang="en-GB">' in page and "<title>" in page and "<caption>" in page
    # self-contained: nothing fetched, nothing run
    assert not re.search(r"<script|<link|<img|src=|https?://", page)
    # not linked from, nor part of, the published pack
    for name in PACK_FILES:
        data = (month_dir / name).read_bytes()
        assert b"review.html" not in data and b"Commentary check" not in data
    printed = wrong_comment_run.output
    pack_lines = printed[printed.index("Board pack for 2014-08 written") :].splitlines()[1:]
    assert sorted(Path(line.strip()).name for line in pack_lines) == sorted(PACK_FILES)
    assert f"Commentary review (internal, not published): {month_dir / 'review.html'}" in printed
    assert not list(month_dir.parent.glob(".tmp-*")), "staging folder left behind"


# The four indicators commentary/2014-08.md has no section for, in the pack's order, with
# their officers (dbt_project/seeds/ref_indicator_catalogue.csv, responsible_officer).
DEMO_DUE = [
    "Commentary due from Head of Service, Fieldwork: assessments_timely_45",
    "Commentary due from Service Manager, Multi-Agency Safeguarding Hub: rereferrals_12m",
    "Commentary due from Head of Service, Safeguarding and Review: cp_plans_2yrs",
    "Commentary due from Head of Service, Looked After Children: cla_stability_short",
]


@pytest.mark.slow
def test_the_demo_run_prints_no_commentary_check_line(demo_run, capsys):
    from pipelines.cli import _print_commentary

    result = demo_run.result
    assert result.commentary_check == []
    assert result.commentary_due == DEMO_DUE
    _print_commentary(result)
    printed = capsys.readouterr().out
    assert "Commentary check" not in printed
    page = (demo_run.month_dir / "review.html").read_text(encoding="utf-8")
    assert "Comments that contradict the figures: 0" in page
    assert "None: every claim the check can read agrees with the figures." in page


def _materialize_pack(root: Path, output: Path, blocks: str) -> dg.ExecuteInProcessResult:
    """The board_pack step alone, on the copied warehouse, writing to `output`."""
    from pipelines.assets.board_pack import build_board_pack_asset
    from pipelines.resources import resources

    settings = Settings.from_environment(
        _environment(root, BOARDPACK_OUTPUT=str(output), BOARDPACK_COMMENTARY_BLOCKS=blocks)
    )
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [build_board_pack_asset()],
            partition_key=DEMO_MONTH,
            resources=resources(settings),
            instance=instance,
            raise_on_error=False,
        )


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_with_blocking_on_a_contradiction_publishes_nothing(wrong_comment_run):
    from pipelines.runner import _failures

    fresh = wrong_comment_run.root / "blocked_output"
    result = _materialize_pack(wrong_comment_run.root, fresh, "1")
    assert not result.success
    # one line per contradiction, nothing else
    assert _failures(result) == [f"board_pack: {line}" for line in EXPECTED_LINES]
    assert not list(fresh.rglob("board_pack.*")) and not list(fresh.rglob("*.csv"))
    assert not list(fresh.glob(".tmp-*"))


@pytest.mark.slow
def test_with_blocking_on_the_pack_already_published_is_left_as_it_was(wrong_comment_run):
    before = _digests(wrong_comment_run.month_dir)
    result = _materialize_pack(wrong_comment_run.root, wrong_comment_run.root / "output", "1")
    assert not result.success
    assert _digests(wrong_comment_run.month_dir) == before


def test_the_blocking_setting_reads_on_and_off_and_refuses_anything_else():
    read = Settings.from_environment
    assert read({}).commentary_blocks_publication is False
    assert read({"BOARDPACK_COMMENTARY_BLOCKS": "1"}).commentary_blocks_publication is True
    assert read({"BOARDPACK_COMMENTARY_BLOCKS": " Yes "}).commentary_blocks_publication is True
    assert read({"BOARDPACK_COMMENTARY_BLOCKS": "0"}).commentary_blocks_publication is False
    with pytest.raises(SettingsError, match="BOARDPACK_COMMENTARY_BLOCKS='ture'"):
        read({"BOARDPACK_COMMENTARY_BLOCKS": "ture"})


def test_the_review_page_escapes_what_a_comment_says():
    review = CommentaryReview(
        contradictions=[Contradiction("cp_repeat", 'the comment says "<b>red</b>"', "Green")],
        due=[CommentaryDue("Head of Service", ("contacts", "referrals"))],
        names={"cp_repeat": "Repeat CP plans", "contacts": "Contacts"},
    )
    page = render_review(review, SimpleNamespace(month_label="August 2014", authority_name="X"))
    assert "<b>red</b>" not in page and "&lt;b&gt;red&lt;/b&gt;" in page
    assert "Commentary due from Head of Service: contacts, referrals" in page
    assert "<code>contacts</code> (Contacts), <code>referrals</code></td>" in page
    assert "Comments due: 2 indicators without a comment" in page


@pytest.mark.slow
@pytest.mark.ui
def test_the_review_page_with_contradictions_has_no_wcag_violation(wrong_comment_run):
    from axe import chromium, offline_page

    with (
        chromium() as browser,
        offline_page(browser, wrong_comment_run.month_dir / "review.html") as page,
    ):
        assert page.blocked == []
        assert "What the figures say" in page.text()
        violations = page.axe()
    assert violations == [], "\n".join(map(str, violations))
