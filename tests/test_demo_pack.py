"""The demo pack's scorecard carries the looked-after caveat (issue 17: the scorecard "does not
carry the looked-after caveat"): the Children Looked After row is marked, and the note under
the scorecard gives the number of children whose every open placement may have ended, the
figure quality.unended_placements_effect holds for the month. Reads the session's demo run."""

from __future__ import annotations

import re

from pipelines.defaults import DEMO_MONTH


def _scorecard(html: str) -> str:
    start = html.index('id="scorecard"')
    return html[start : html.index("</section>", start)]


def test_the_scorecard_marks_children_looked_after_with_the_unended_placements_caveat(demo_run):
    with demo_run.connect() as con:
        (suspects,) = con.execute(
            "select looked_after_only_suspect_placements from quality.unended_placements_effect "
            "where strftime(month, '%Y-%m') = ?",
            [DEMO_MONTH],
        ).fetchone()
    assert suspects > 0  # the demo plants unended placements
    html = (demo_run.month_dir / "board_pack.html").read_text(encoding="utf-8")
    scorecard = _scorecard(html)
    rows = re.findall(r"<tr[^>]*>.*?</tr>", scorecard, flags=re.S)
    marked = [row for row in rows if "&dagger; see note" in row]
    assert len(marked) == 1 and "Children Looked After" in marked[0]
    note = re.search(r'<p class="legend"><span class="flag">&dagger;</span>([^<]*)</p>', scorecard)
    assert note is not None
    assert note.group(1).strip().startswith("Children Looked After: ")
    assert f"includes {suspects} children whose every open placement may have ended" in note[1]


def _recalculation_test_sql() -> str:
    """dbt_project/tests/assert_spc_recalculation_follows_a_shift.sql, its refs resolved to the
    relations dbt builds them as (reference.ref_spc_recalculations, marts.indicator_spc)."""
    from pipelines.settings import DBT_PROJECT_DIR

    sql = (DBT_PROJECT_DIR / "tests" / "assert_spc_recalculation_follows_a_shift.sql").read_text()
    schemas = {"ref_spc_recalculations": "reference", "indicator_spc": "marts"}
    return re.sub(r"\{\{\s*ref\('(\w+)'\)\s*\}\}", lambda m: f"{schemas[m[1]]}.{m[1]}", sql).strip()


def test_a_recalculation_without_a_shift_before_it_fails_the_data_test(demo_run, tmp_path):
    """The seed is empty in the demo, so the data test passes on it; a recalculation the rule
    does not allow must make it fail: contacts' limits recalculated from a month whose next 7
    figures are not all on one side of the mean before it, and a recalculation before the
    limits existed at all."""
    import shutil

    import duckdb

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.settings.database, copy)
    sql = _recalculation_test_sql()
    with duckdb.connect(str(copy)) as con:
        assert con.execute(sql).fetchall() == []  # the demo's empty seed
        months = con.execute(
            "select month, spc_value, process_mean from marts.indicator_spc "
            "where indicator_code = 'contacts' and spc_value is not null order by month"
        ).fetchall()
        # a month from which the next 7 figures straddle the mean just before it (worked from
        # the series, not assumed), and the first month (no limits before it)
        no_shift = next(
            months[i][0]
            for i in range(1, len(months) - 7)
            if months[i - 1][2] is not None
            and len({v > months[i - 1][2] for _, v, _ in months[i : i + 7]}) == 2
        )
        first = months[0][0]
        con.execute(
            "insert into reference.ref_spc_recalculations values "
            "('contacts', ?, 'no shift'), ('contacts', ?, 'no limits yet')",
            [no_shift, first],
        )
        failing = con.execute(sql).fetchall()
    assert sorted((row[0], row[1]) for row in failing) == sorted(
        [("contacts", no_shift), ("contacts", first)]
    )
