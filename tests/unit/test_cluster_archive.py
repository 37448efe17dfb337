"""Folders packed for the trip to a worker and back: every file arrives whole, in place of the old one."""

from __future__ import annotations

from pathlib import Path

from backtest_core.cluster.archive import pack, unpack


def test_a_packed_folder_unpacks_in_place_of_what_was_there(tmp_path: Path) -> None:
    source = tmp_path / "out"
    (source / "launcher").mkdir(parents=True)
    (source / "run.json").write_text('{"a": 1}')
    (source / "launcher" / "config.json").write_text("{}")
    (source / "code").mkdir()
    (source / "code" / "main.py").write_text("print('skipped')")
    target = tmp_path / "store-run"
    (target / "launcher").mkdir(parents=True)
    (target / "launcher" / "stale.txt").write_text("old")
    (target / "run.json").write_text("old")
    (target / "request.json").write_text("kept")

    placed = unpack(pack(source, skip=frozenset({"code"})), target)

    assert placed == ["launcher", "run.json"]
    assert (target / "run.json").read_text() == '{"a": 1}'
    assert sorted(p.name for p in (target / "launcher").iterdir()) == ["config.json"]  # the folder was replaced
    assert (target / "request.json").read_text() == "kept"  # what the archive does not hold stays
    assert not (target / "code").exists()
    assert [p.name for p in target.iterdir() if p.name.startswith(".incoming-")] == []
