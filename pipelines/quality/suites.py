"""Loading the expectation suites the team edits (expectations/*.json, GX 1.x format).

Each suite checks one extract table (``meta.table``), in one of three scopes (``meta.scope``):
``table`` and ``cross_table`` check the records as at the end of the reporting month (the dbt
view quality.dq_<table>); ``as_loaded`` checks the file as it was loaded (raw.<table>: an empty
file, dates after the extract was taken). ``meta.records`` names the table's records in the
pack ("contact records"). Every expectation carries in its ``meta``:

- ``name``: unique within the suite; the history and worklists follow a problem by it
- ``severity``: ``error`` blocks the board pack, ``warning`` lets it go out with a caveat
- ``kind``: the kind of problem (future_date, missing_person, ...)
- ``problem``: one line for the worklists, the digest and the pack's caveats
- ``indicators`` (optional): the indicators a failure puts a caveat beside; without it, every
  indicator computed from the table (dbt lineage); ``[]``: none
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import EXPECTATIONS_DIR

SEVERITIES = ("error", "warning")
SCOPES = ("table", "cross_table", "as_loaded")
COLUMN_KWARGS = ("column", "column_A", "column_B")


class SuiteError(ValueError):
    """A suite file the checks cannot use; the message names the file and the problem."""


@dataclass(frozen=True)
class ExpectationSpec:
    name: str
    type: str
    kwargs: dict
    severity: str
    kind: str
    problem: str
    indicators: tuple[str, ...] | None  # None: the indicators computed from the table

    @property
    def columns(self) -> list[str]:
        cols = [self.kwargs[k] for k in COLUMN_KWARGS if k in self.kwargs]
        return cols + list(self.kwargs.get("column_list", []))


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    scope: str
    records: str  # how the pack names the table's records, plural
    path: Path
    document: dict  # the JSON as written: GX builds the suite from it
    expectations: tuple[ExpectationSpec, ...]

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(c for e in self.expectations for c in e.columns))

    def expectation(self, name: str) -> ExpectationSpec:
        return next(e for e in self.expectations if e.name == name)

    @property
    def as_loaded(self) -> bool:
        """Checks the file as loaded, not the records as at the month end."""
        return self.scope == "as_loaded"


def _parse(path: Path) -> Suite:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SuiteError(f"{path.name}: not valid JSON ({e})") from None
    meta = doc.get("meta") or {}
    name, table = doc.get("name"), meta.get("table")
    if not name or not table:
        raise SuiteError(f"{path.name}: needs a name and meta.table")
    if not name.replace("_", "").isalnum():
        raise SuiteError(f"{path.name}: the name {name!r} may use only letters, digits and _")
    scope = meta.get("scope", "table")
    if scope not in SCOPES:
        raise SuiteError(f"{path.name}: meta.scope must be one of {', '.join(SCOPES)}")
    specs, seen = [], set()
    for i, exp in enumerate(doc.get("expectations") or []):
        m = exp.get("meta") or {}
        where = f"{path.name}, expectation {i + 1} ({m.get('name') or exp.get('type')})"
        if not m.get("name") or m["name"] in seen:
            raise SuiteError(f"{where}: meta.name is missing or used twice")
        if m.get("severity") not in SEVERITIES:
            raise SuiteError(f"{where}: meta.severity must be one of {', '.join(SEVERITIES)}")
        seen.add(m["name"])
        specs.append(
            ExpectationSpec(
                name=m["name"],
                type=exp["type"],
                kwargs=exp.get("kwargs") or {},
                severity=m["severity"],
                kind=m.get("kind") or m["name"],
                problem=m.get("problem") or m["name"],
                indicators=tuple(m["indicators"]) if "indicators" in m else None,
            )
        )
    records = meta.get("records") or f"{table} records"
    return Suite(name, table, scope, records, path, doc, tuple(specs))


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """Every suite in the folder, ordered by file name; raises SuiteError on a bad file."""
    suites = [_parse(p) for p in sorted(Path(directory).glob("*.json"))]
    names = [s.name for s in suites]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SuiteError(f"suite names used twice: {', '.join(sorted(duplicates))}")
    return suites
