"""Reading marts.pack_indicator_spc for the charts (pipelines/pack/spc.py), on a hand-made table."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.pack import charts
from pipelines.pack.spc import spc_lines, spc_rows

JUN, JUL, AUG, SEP = (dt.date(2014, m, 1) for m in (6, 7, 8, 9))


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.pack_indicator_spc as
        select * from (values
            ('cp_repeat', date '2014-06-01', 'value', 12.0, true, date '2011-04-01', true,
             null::double, null::double, null::double, null, null, 'Not enough data',
             'Not enough data'),
            ('cp_repeat', date '2014-07-01', 'value', 13.0, true, date '2011-04-01', true,
             5.0, 6.6, 3.4, 'above the upper limit', 'higher', 'Special cause concerning',
             'Target consistently met'),
            ('cp_repeat', date '2014-08-01', 'value', 5.5, true, date '2011-04-01', true,
             5.0, 6.6, 3.4, null, null, 'Common cause', 'Target consistently met'),
            ('cp_repeat', date '2014-09-01', 'value', 20.0, true, date '2011-04-01', true,
             5.0, 6.6, 3.4, 'above the upper limit', 'higher', 'Special cause concerning',
             'Target consistently met')
        ) as t(indicator_code, month, spc_measure, spc_value, spc_on_rolling_figure,
               phase_start, limits_fixed, process_mean, upper_limit, lower_limit, spc_signals,
               signal_direction, spc_variation, spc_assurance)
        """
    )
    return con


def test_rows_stop_at_the_reporting_month():
    rows = spc_rows(warehouse(), AUG)
    assert sorted(rows["cp_repeat"]) == [JUN, JUL, AUG]  # September is after August


def test_chart_overlay_for_the_charted_months():
    rows = spc_rows(warehouse(), AUG)["cp_repeat"]
    lines = spc_lines(rows, [dt.date(2014, 5, 1), JUN, JUL, AUG])
    assert lines == charts.SpcLines(
        mean=[None, None, 5.0, 5.0],
        upper=[None, None, 6.6, 6.6],
        lower=[None, None, 3.4, 3.4],
        signals=[None, None, "concerning", None],
    )
    assert spc_lines(rows, [JUN]) is None  # no limits in the window: no overlay


def test_no_rows_before_the_first_month():
    assert spc_rows(warehouse(), dt.date(2014, 5, 1)) == {}
