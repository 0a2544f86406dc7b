"""dbt's parsed project is kept between invocations (pipelines/assets/dbt.py keep_partial_parse):
dagster-dbt seeds each invocation's own target folder from target/partial_parse.msgpack but
never copies the invocation's back, so every dbt step parsed the whole project again."""

from __future__ import annotations

from pathlib import Path

from pipelines.assets import dbt as dbt_assets


def test_a_build_replaces_the_kept_parsed_project_whole(tmp_path, monkeypatch):
    target = tmp_path / "target"
    target.mkdir()
    (target / "partial_parse.msgpack").write_bytes(b"parsed without the run's vars")
    monkeypatch.setattr(dbt_assets, "dbt_target_dir", lambda: target)
    invocation = target / "dbt_models-1234567-abcdefg"
    invocation.mkdir()
    (invocation / "partial_parse.msgpack").write_bytes(b"parsed with the run's vars")

    assert dbt_assets.keep_partial_parse(invocation)

    assert (target / "partial_parse.msgpack").read_bytes() == b"parsed with the run's vars"
    assert sorted(p.name for p in target.iterdir()) == [invocation.name, "partial_parse.msgpack"]


def test_an_invocation_that_parsed_nothing_leaves_the_kept_one(tmp_path, monkeypatch):
    target = tmp_path / "target"
    target.mkdir()
    (target / "partial_parse.msgpack").write_bytes(b"kept")
    monkeypatch.setattr(dbt_assets, "dbt_target_dir", lambda: target)

    assert not dbt_assets.keep_partial_parse(Path(tmp_path / "missing"))

    assert (target / "partial_parse.msgpack").read_bytes() == b"kept"
