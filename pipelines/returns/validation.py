"""Checking the written returns with the DfE's own rule engines, in their own environment.

The engines (csc-validator-be-903, module lac_validator; csc-validator-be-cin, module
cin_validator) pin pandas<2 and numpy<1.25, so they live in ``.venv-validators``, built by
``make validators`` from the pinned ``returns/validators.txt`` (never at run time), and run
here as a subprocess of that environment's Python on ``validator_entry.py``.

Every failing rule becomes one aggregate row in ``quality.return_validation`` (return, year,
rule code, message, number of children, tables) and the child-level locations go to the
restricted folder only.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.csv_safety import safe_cell
from pipelines.returns.files import csv_bytes, write_private
from pipelines.settings import Settings, child_environment

ENTRY = Path(__file__).with_name("validator_entry.py")
VALIDATORS_ENV = "BOARDPACK_VALIDATORS_PYTHON"
# the newest ruleset each engine has; a later year is checked with it (and says so)
RULESET_YEARS = range(2023, 2028)

HISTORY_SQL = """
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.return_validation (
    run_id VARCHAR,
    validated_at TIMESTAMP,
    return_name VARCHAR,       -- SSDA903 or CIN
    collection_year VARCHAR,   -- 2024-25
    ruleset VARCHAR,           -- lac2024_25, cin2024_25
    rule_code VARCHAR,
    severity VARCHAR,          -- error, or query (the CIN rules whose code ends in Q)
    message VARCHAR,
    children BIGINT,           -- distinct children affected (0 for a return-level rule)
    locations BIGINT,          -- failing rows
    tables VARCHAR             -- the return's tables the rule points at
);
CREATE TABLE IF NOT EXISTS quality.return_validation_runs (
    run_id VARCHAR,
    validated_at TIMESTAMP,
    return_name VARCHAR,
    collection_year VARCHAR,
    ruleset VARCHAR,
    rules_run BIGINT,
    rules_skipped BIGINT,
    rules_failed_to_run VARCHAR,
    errors BIGINT,             -- failing locations of error rules
    rules_failed BIGINT        -- error rules with at least one failure
);
"""


class ValidatorsUnavailable(RuntimeError):
    """The validators' environment is not built (run `make validators`)."""


@dataclass
class RuleFailure:
    rule_code: str
    message: str
    severity: str
    children: int
    locations: int
    tables: str


@dataclass
class ValidationResult:
    return_name: str
    collection_year: str
    ruleset: str
    rules_run: int
    rules_skipped: list[str]
    rules_failed_to_run: list[str]
    failures: list[RuleFailure] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)  # child-level: restricted folder only
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(f.locations for f in self.failures if f.severity == "error")

    @property
    def error_rules(self) -> int:
        return sum(1 for f in self.failures if f.severity == "error")

    @property
    def queries(self) -> int:
        return sum(f.locations for f in self.failures if f.severity == "query")

    def summary(self) -> str:
        return summary_line(
            self.return_name, self.collection_year, self.errors, self.error_rules, self.queries
        )


def summary_line(return_name: str, year: str, errors: int, rules: int, queries: int) -> str:
    """The one aggregate line per return, in the command's output, the alert digest and the
    board pack: 'SSDA903 return 2024-25: 26 errors across 7 rules, 3 queries'."""
    text = f"{return_name} return {year}: {errors:,} errors across {rules:,} rules"
    if queries:
        text += f", {queries:,} queries"
    return text


def ensure_return_history(con: duckdb.DuckDBPyConnection) -> None:
    """Create quality.return_validation and *_runs if missing (the nightly's quality step
    does too, so that the pack's view over them, marts.pack_return_validation, always builds)."""
    con.execute(HISTORY_SQL)


def validators_python(settings: Settings | None = None) -> Path:
    path = (settings or Settings.from_environment()).validators_python_path
    if not path.exists():
        raise ValidatorsUnavailable(
            f"the DfE validators' environment is not installed ({path}); run `make validators`"
        )
    return path


def ruleset_for(engine: str, census_year: str) -> str:
    """lac2024_25 / cin2024_25 for census year 2025; the nearest ruleset outside the range."""
    end = min(max(int(census_year), RULESET_YEARS.start), RULESET_YEARS.stop - 1)
    return f"{engine}{end - 1}_{str(end)[2:]}"


def run_validator(
    return_name: str, source: Path, year: str, census_year: str, la_code: str
) -> ValidationResult:
    engine = "lac" if return_name == "SSDA903" else "cin"
    ruleset = ruleset_for(engine, census_year)
    started = datetime.now()
    with tempfile.TemporaryDirectory(prefix="boardpack_validate_") as temp:
        out = Path(temp) / "result.json"
        command = [
            str(validators_python()),
            str(ENTRY),
            "903" if engine == "lac" else "cin",
            str(source),
            ruleset,
            la_code,
            census_year,
            str(out),
        ]
        env = child_environment(PYTHONWARNINGS="ignore", QLACREF_PC_INSECURE="True")
        env.pop("PYTHONPATH", None)
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0 or not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"the DfE {engine} validator failed on {source.name}: {last}")
        raw = json.loads(out.read_text(encoding="utf-8"))
    result = ValidationResult(
        return_name=return_name,
        collection_year=year,
        ruleset=ruleset,
        rules_run=raw["rules_run"],
        rules_skipped=raw["rules_skipped"],
        rules_failed_to_run=raw["rules_failed_to_run"],
        issues=raw["issues"],
        seconds=(datetime.now() - started).total_seconds(),
    )
    result.failures = _aggregate(raw)
    return result


def _severity(code: str) -> str:
    return "query" if code.upper().endswith("Q") else "error"


def _aggregate(raw: dict) -> list[RuleFailure]:
    by_rule: dict[str, dict] = {}
    for issue in raw["issues"]:
        rule = by_rule.setdefault(
            issue["rule_code"],
            {"message": issue["message"], "children": set(), "rows": set(), "tables": set()},
        )
        if issue["child_id"]:
            rule["children"].add(issue["child_id"])
        rule["rows"].add((issue["table"], issue["row"]))
        rule["tables"].add(issue["table"])
    failures = [
        RuleFailure(
            code,
            r["message"],
            _severity(code),
            len(r["children"]),
            len(r["rows"]),
            ", ".join(sorted(r["tables"])),
        )
        for code, r in by_rule.items()
    ]
    for item in raw["return_level"]:
        if item["rule_code"] not in by_rule:
            failures.append(
                RuleFailure(
                    item["rule_code"], item["message"], _severity(item["rule_code"]), 0, 1, ""
                )
            )
    return sorted(failures, key=lambda f: (f.severity != "error", -f.locations, f.rule_code))


def record(con: duckdb.DuckDBPyConnection, result: ValidationResult, run_id: str) -> None:
    """One row per failing rule in quality.return_validation, one per run in *_runs."""
    ensure_return_history(con)
    now = datetime.now()
    con.executemany(
        "INSERT INTO quality.return_validation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                now,
                result.return_name,
                result.collection_year,
                result.ruleset,
                f.rule_code,
                f.severity,
                f.message,
                f.children,
                f.locations,
                f.tables,
            ]
            for f in result.failures
        ],
    )
    con.execute(
        "INSERT INTO quality.return_validation_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            now,
            result.return_name,
            result.collection_year,
            result.ruleset,
            result.rules_run,
            len(result.rules_skipped),
            ", ".join(result.rules_failed_to_run),
            result.errors,
            result.error_rules,
        ],
    )


def write_child_list(result: ValidationResult, folder: Path) -> Path:
    """Every failing location, child by child, for the team to fix (restricted folder only)."""
    messages = {f.rule_code: (f.message, f.severity) for f in result.failures}
    rows = sorted(
        (
            safe_cell(i["child_id"] or ""),
            i["rule_code"],
            messages[i["rule_code"]][1],
            i["table"],
            "" if i["row"] is None else i["row"] + 1,
            safe_cell(messages[i["rule_code"]][0]),
        )
        for i in result.issues
    )
    name = f"{result.return_name}_{result.collection_year}_validation_by_child.csv"
    header = ["child", "rule_code", "severity", "table", "row_in_file", "message"]
    return write_private(folder / name, csv_bytes(header, rows))
