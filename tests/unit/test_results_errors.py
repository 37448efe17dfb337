"""Corrupt, truncated and foreign files raise ResultFormatError naming the file and the fault."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backtest_core.errors import ResultFormatError
from backtest_core.results import LeanResult, load_result, read_snapshot, try_load_result

SPY = "cli2025-spy-minute-sma-301orders"
MAIN = "1186467672.json"


@pytest.fixture
def real_bytes(lean_fixtures: Path) -> bytes:
    return (lean_fixtures / SPY / MAIN).read_bytes()


def test_truncated_copy_names_file_and_position(tmp_path, real_bytes):
    cut = real_bytes[:120_000]
    target = tmp_path / MAIN
    target.write_bytes(cut)
    with pytest.raises(ResultFormatError) as caught:
        load_result(tmp_path)
    error = caught.value
    assert error.path == target
    assert error.problem.startswith("truncated JSON at line ")
    line = cut.count(b"\n") + 1
    assert f"line {line} column" in error.problem
    assert str(target) in str(error)
    assert error.hint


def test_non_json_file(tmp_path):
    target = tmp_path / "123.json"
    target.write_text("STATISTICS:: Total Orders 1\n")
    with pytest.raises(ResultFormatError) as caught:
        load_result(target)
    assert caught.value.path == target
    assert caught.value.problem.startswith("not JSON")


def test_empty_file(tmp_path):
    target = tmp_path / "123.json"
    target.write_bytes(b"")
    with pytest.raises(ResultFormatError) as caught:
        load_result(target)
    assert caught.value.path == target
    assert "empty file (0 bytes)" in caught.value.problem


def test_binary_file(tmp_path):
    target = tmp_path / "123.json"
    target.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ResultFormatError) as caught:
        load_result(target)
    assert "not UTF-8" in caught.value.problem or "not JSON" in caught.value.problem


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"id": 1202616023, "container": "lean_cli_x"}, "not a LEAN result: no charts/statistics"),
        ([{"id": "1-1-1", "status": "filled"}], "not a LEAN result: the JSON is a list"),
        ("hello", "not a LEAN result: the JSON is a str"),
    ],
)
def test_json_that_is_not_a_lean_result(tmp_path, content, problem):
    target = tmp_path / "result.json"
    target.write_text(json.dumps(content))
    with pytest.raises(ResultFormatError) as caught:
        load_result(target)
    assert caught.value.path == target
    assert caught.value.problem.startswith(problem)


def test_corrupt_optional_part_names_that_part(tmp_path, lean_fixtures):
    shutil.copy(lean_fixtures / SPY / MAIN, tmp_path / MAIN)
    events = tmp_path / "1186467672-order-events.json"
    events.write_bytes((lean_fixtures / SPY / events.name).read_bytes()[:5000])
    with pytest.raises(ResultFormatError) as caught:
        load_result(tmp_path)
    assert caught.value.path == events
    assert caught.value.problem.startswith("truncated JSON")


def test_missing_path_and_folder_without_result(tmp_path):
    with pytest.raises(ResultFormatError) as caught:
        load_result(tmp_path / "nope")
    assert "no such file or folder" in caught.value.problem
    (tmp_path / "log.txt").write_text("")
    with pytest.raises(ResultFormatError) as caught:
        load_result(tmp_path)
    assert caught.value.path == tmp_path
    assert "no LEAN result in this folder" in caught.value.problem


def test_try_load_result_returns_errors_for_a_listing(tmp_path, lean_fixtures, real_bytes):
    good = tmp_path / "good"
    shutil.copytree(lean_fixtures / SPY, good)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / MAIN).write_bytes(real_bytes[:-10])
    outcomes = {p.name: try_load_result(p) for p in (good, bad)}
    assert isinstance(outcomes["good"], LeanResult)
    assert len(outcomes["good"].orders) == 301
    assert isinstance(outcomes["bad"], ResultFormatError)
    assert outcomes["bad"].path == bad / MAIN


def test_lean_shaped_json_with_unreadable_points(tmp_path, lean_fixtures):
    raw = json.loads((lean_fixtures / SPY / MAIN).read_text())
    raw["charts"]["Benchmark"]["series"]["Benchmark"]["values"][3] = [1672808400, "n/a"]
    target = tmp_path / MAIN
    target.write_text(json.dumps(raw))
    with pytest.raises(ResultFormatError) as caught:
        load_result(target)
    assert caught.value.path == target
    assert "chart 'Benchmark' series 'Benchmark' has unreadable points" in caught.value.problem
    assert read_snapshot(target) is not None  # the snapshot reads only the equity chart


def test_snapshot_of_unreadable_equity_is_none(tmp_path, lean_fixtures):
    raw = json.loads((lean_fixtures / SPY / MAIN).read_text())
    raw["charts"]["Strategy Equity"]["series"]["Equity"]["values"][0] = {"x": "soon"}
    target = tmp_path / MAIN
    target.write_text(json.dumps(raw))
    assert read_snapshot(target) is None
