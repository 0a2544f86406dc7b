"""The pack reads the dbt models of the board_pack exposure, marts.pack_*, and nothing else, by
the columns their enforced contracts give: a column renamed in dbt fails here, never as "N/A"."""

from __future__ import annotations

import re

import yaml

from pipelines.pack.data import PACK_COLUMNS
from pipelines.settings import DBT_PROJECT_DIR, PROJECT_ROOT

CONTRACTS = DBT_PROJECT_DIR / "models" / "marts" / "pack" / "_pack.yml"


def _contracts() -> dict:
    return yaml.safe_load(CONTRACTS.read_text(encoding="utf-8"))


def test_the_pack_reads_exactly_the_contracted_columns():
    models = {m["name"]: [c["name"] for c in m["columns"]] for m in _contracts()["models"]}
    assert models == PACK_COLUMNS


def test_every_pack_model_has_an_enforced_contract_and_a_type_for_each_column():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    pack_config = project["models"]["boardpack"]["marts"]["pack"]
    assert pack_config["+contract"] == {"enforced": True}
    for model in _contracts()["models"]:
        assert all(c.get("data_type") for c in model["columns"]), model["name"]


def test_the_exposure_names_every_model_the_pack_reads():
    (exposure,) = _contracts()["exposures"]
    assert exposure["name"] == "board_pack"
    named = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in exposure["depends_on"]}
    assert named == set(PACK_COLUMNS)


def test_the_pack_code_reads_no_other_table():
    """No schema but marts, and no marts model but pack_*, is read in the pack's SQL."""
    for path in (PROJECT_ROOT / "pipelines" / "pack").glob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not re.match(r"\s*(from|import) ", line))
        tables = set(re.findall(r"\b(?:from|join)\s+(\w+)\.(\w+)", text, re.IGNORECASE))
        others = {f"{s}.{t}" for s, t in tables if s != "marts" or not t.startswith("pack_")}
        assert not others, f"{path.name} reads {sorted(others)}"
