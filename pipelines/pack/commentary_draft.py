"""The month's commentary file, drafted for the officers to write in, and who still owes a comment.

`boardpack commentary draft --month 2014-08` writes `commentary/2014-08.md` in the format of
commentary.py: one `## <code>` section per indicator, in the pack's order, plus `## data_quality`.
Each heading line carries the indicator's name, its responsible officer and its key figures
(value, rating against the target, last year's figure and the direction of travel, comparators,
the statistical process control reading where the warehouse has it). Anything after the code on
a heading line is for the writer and is never printed, so the figures are there to write from
and a section left empty still shows "No commentary provided" in the pack.

An existing file is never overwritten unless asked (`force`): it may hold the officers' work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.pack.commentary import DATA_QUALITY_SECTION, commentary_path
from pipelines.pack.formatting import (
    MISSING,
    add_months,
    as_float,
    fmt_by_kind,
    fmt_count,
    fmt_target_text,
    month_label,
    parse_month,
    short_month,
)

_COLUMNS = (
    "indicator_code", "name", "responsible_officer", "value", "numerator", "denominator", "unit",
    "rate_per_10k", "rate_basis", "target_measure", "target_text", "rag", "direction",
    "previous_1y", "previous_1y_rate", "england_value", "statistical_neighbours_value",
    "region_name", "region_value",
)  # fmt: skip
NO_OFFICER = "the responsible officer (none is named in the catalogue)"


class DraftExistsError(FileExistsError):
    """The month's commentary file is there already and overwriting was not asked for."""


class MonthNotInWarehouseError(LookupError):
    """The warehouse has no figures for the month asked for."""


@dataclass(frozen=True)
class CommentaryDue:
    officer: str
    codes: tuple[str, ...]

    @property
    def line(self) -> str:
        return f"Commentary due from {self.officer}: {', '.join(self.codes)}"


def commentary_due(
    sections: Mapping[str, str], rows: Iterable[Mapping[str, object]]
) -> list[CommentaryDue]:
    """Each officer with indicators whose comment is missing or empty, in the pack's order.

    sections: Commentary.sections (code -> text); rows: the month's rows of
    marts.pack_indicators (PackContext.rows), which name each indicator's officer."""
    due: dict[str, list[str]] = {}
    for row in rows:
        code = str(row["indicator_code"])
        if not sections.get(code.lower(), "").strip():
            officer = str(row.get("responsible_officer") or "").strip() or NO_OFFICER
            due.setdefault(officer, []).append(code)
    return [CommentaryDue(officer, tuple(codes)) for officer, codes in due.items()]


def month_rows(con: duckdb.DuckDBPyConnection, month: str) -> list[dict]:
    """The month's indicators with what the draft shows, in the pack's order, with their SPC
    reading (marts.pack_indicators and pack_indicator_spc, what the pack itself reads)."""
    start = parse_month(month)
    cursor = con.execute(
        f"""
        select {", ".join(f"ind.{c}" for c in _COLUMNS)}, spc.spc_variation, spc.spc_assurance
        from marts.pack_indicators as ind
        left join marts.pack_indicator_spc as spc
            on spc.indicator_code = ind.indicator_code and spc.month = ind.month
        where ind.month = ?
        order by ind.display_order nulls last, ind.indicator_code
        """,
        [start],
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    if not rows:
        first, last = con.execute(
            "select min(month), max(month) from marts.pack_indicators"
        ).fetchone()
        covered = (
            f"it covers {month_label(first)} to {month_label(last)}"
            if first
            else "it has no months at all (run the pipeline first)"
        )
        raise MonthNotInWarehouseError(f"the warehouse has no figures for {month}: {covered}")
    return rows


def key_figures(row: Mapping[str, object], month: dt.date) -> str:
    """One line of the figures an officer writes from, e.g. '14.01% (29 of 207); Green against
    15.00%; Worsened on Aug-13 (11.16%); England 14.90%, statistical neighbours 15.30%'."""
    kind = "percent" if row.get("unit") == "percent" else "count"
    on_rate = row.get("target_measure") == "rate" and (row.get("rate_basis") or "none") != "none"
    parts = [fmt_by_kind(row.get("value"), kind)]
    if kind == "percent" and as_float(row.get("denominator")) is not None:
        parts[0] += f" ({fmt_count(row.get('numerator'))} of {fmt_count(row.get('denominator'))})"
    if on_rate:
        parts[0] += f", rate per 10,000 {fmt_by_kind(row.get('rate_per_10k'), 'rate')}"
    target = fmt_target_text(row.get("target_text"))
    rag = str(row.get("rag") or MISSING)
    parts.append("no target" if target == MISSING else f"{rag} against {target}")
    last_year = row.get("previous_1y_rate") if on_rate else row.get("previous_1y")
    parts.append(
        f"{row.get('direction') or MISSING} on {short_month(add_months(month, -12))} "
        f"({fmt_by_kind(last_year, 'rate' if on_rate else kind)})"
    )
    comparator_kind = "rate" if on_rate else kind
    comparators = [
        f"{label} {fmt_by_kind(row.get(column), comparator_kind)}"
        for label, column in (
            ("England", "england_value"),
            ("statistical neighbours", "statistical_neighbours_value"),
            (str(row.get("region_name") or "region"), "region_value"),
        )
        if as_float(row.get(column)) is not None
    ]
    if comparators:
        parts.append(", ".join(comparators))
    if row.get("spc_variation"):
        parts.append(f"SPC: {row['spc_variation']}; {row.get('spc_assurance') or MISSING}")
    return "; ".join(parts)


def draft_text(rows: Iterable[Mapping[str, object]], month: str) -> str:
    start = parse_month(month)
    lines = [
        f"# Commentary for the {month_label(start)} board pack",
        "",
        "Drafted by `boardpack commentary draft`. Write each indicator's comment under its",
        "heading, in plain words, referring to officers by role. A heading line (code, officer,",
        "key figures) is for you and is not printed. A section left empty prints",
        '"No commentary provided" and the run reports "Commentary due from <officer>". The run',
        "checks what a comment says about the rating, the direction and the comparators against",
        "the figures, and reports any contradiction. Format: commentary/README.md.",
        "",
        f"## {DATA_QUALITY_SECTION} - Data quality and cleansing",
        "",
    ]
    for row in rows:
        officer = str(row.get("responsible_officer") or "").strip() or NO_OFFICER
        lines += [
            f"## {row['indicator_code']} - {row.get('name') or ''} | {officer} | "
            f"{key_figures(row, start)}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_draft(
    con: duckdb.DuckDBPyConnection, month: str, commentary_dir: Path, *, force: bool = False
) -> Path:
    """Write commentary/<month>.md; raises DraftExistsError rather than overwrite without force,
    MonthNotInWarehouseError when the warehouse has no figures for the month."""
    path = commentary_path(commentary_dir, month)
    if path.exists() and not force:
        raise DraftExistsError(
            f"{path} already exists (it may hold the officers' comments); "
            "use --force to replace it with a fresh draft"
        )
    text = draft_text(month_rows(con, month), month)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path
