"""Sweep grids: lists, ranges, constraints, seeded subsets, and bad grids refused naming the field."""

from __future__ import annotations

import pytest

from backtest_core.errors import InvalidRequest
from backtest_core.sweeps.grid import build_grid, expand, parse_values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("5:30:5", ["5", "10", "15", "20", "25", "30"]),
        ("0.1:0.3:0.1", ["0.1", "0.2", "0.3"]),
        ("1:2:0.4", ["1", "1.4", "1.8"]),  # stop not on a step: the last value below it
        ("50,100, 200", ["50", "100", "200"]),
        ("7", ["7"]),
    ],
)
def test_values(text, values):
    assert parse_values("p", text) == values


def test_a_grid_over_three_parameters_with_a_constraint():
    grid = build_grid(["fast=5:30:5", "slow=20,50", "resolution=daily,hour"], ["fast<slow"])
    result = expand(grid, limit=1000)
    assert grid.size == 6 * 2 * 2
    assert len(result.runs) + len(result.skipped_by_constraint) == 24
    assert all(int(run["fast"]) < int(run["slow"]) for run in result.runs)
    assert {"fast": "20", "slow": "20", "resolution": "daily"} in result.skipped_by_constraint
    assert len(result.runs) == (3 + 6) * 2  # fast < 20: 5,10,15; fast < 50: all six; times two resolutions


def test_constraints_against_numbers_and_equality_on_text():
    grid = build_grid(["fast=5:30:5", "mode=a,b"], ["fast >= 15", "mode != 'b'"])
    runs = expand(grid, limit=100).runs
    assert [run["fast"] for run in runs] == ["15", "20", "25", "30"]
    assert {run["mode"] for run in runs} == {"a"}


def test_a_seeded_subset_is_reproducible_and_kept_in_grid_order():
    grid = build_grid(["a=1:20:1", "b=1:20:1"], max_runs=15, seed=42)
    first, second = expand(grid, limit=1000), expand(grid, limit=1000)
    assert first.runs == second.runs and len(first.runs) == 15 and first.not_sampled == 400 - 15
    order = [(int(r["a"]), int(r["b"])) for r in first.runs]
    assert order == sorted(order)
    other = expand(build_grid(["a=1:20:1", "b=1:20:1"], max_runs=15, seed=43), limit=1000)
    assert other.runs != first.runs


def test_a_subset_without_a_seed_records_the_seed_it_drew():
    grid = build_grid(["a=1:20:1"], max_runs=5)
    assert grid.seed is not None
    assert expand(grid, 100).runs == expand(build_grid(["a=1:20:1"], max_runs=5, seed=grid.seed), 100).runs


@pytest.mark.parametrize(
    ("specs", "constraints", "field", "words"),
    [
        (["fast=5:30:5", "fast=40"], [], "param", "given twice"),
        (["5,10,15"], [], "param", "no parameter"),
        (["=5,10"], [], "param", "no parameter name"),
        (["fast=30:5:5"], [], "param", "empty range"),
        (["fast=5:30:0"], [], "param", "step must be greater than 0"),
        (["fast=5:30"], [], "param", "start:stop:step"),
        (["fast=a:b:c"], [], "param", "holds numbers"),
        (["fast="], [], "param", "has no values"),
        (["fast=5,,10"], [], "param", "empty value"),
        (["fast=5,5"], [], "param", "twice"),
        ([], [], "param", "at least one parameter"),
        (["fast=5:30:5"], ["fast < slow"], "constraint", "neither a swept parameter"),
        (["fast=5:30:5"], ["__import__('os').system('x')"], "constraint", "is not NAME OP"),
        (["fast=5:30:5"], ["fast <> 3"], "constraint", "is not NAME OP"),
        (["fast=5:30:5"], ["3 < 4"], "constraint", "names no swept parameter"),
    ],
)
def test_bad_grids_are_refused_naming_the_field(specs, constraints, field, words):
    with pytest.raises(InvalidRequest, match=words) as caught:
        build_grid(specs, constraints)
    assert caught.value.field == field


def test_a_grid_over_the_maximum_is_refused_and_says_how_to_narrow_it():
    grid = build_grid(["a=1:40:1", "b=1:40:1"])
    with pytest.raises(InvalidRequest, match="1600 runs; at most 1000") as caught:
        expand(grid, limit=1000)
    assert caught.value.field == "param" and "--max-runs" in caught.value.hint
    assert len(expand(build_grid(["a=1:40:1", "b=1:40:1"], max_runs=1000, seed=1), limit=1000).runs) == 1000


def test_constraints_that_leave_nothing_and_order_comparisons_on_text_are_refused():
    with pytest.raises(InvalidRequest, match="no combination satisfies") as caught:
        expand(build_grid(["fast=5:10:5", "slow=1,2"], ["fast < slow"]), limit=100)
    assert caught.value.field == "constraint"
    with pytest.raises(InvalidRequest, match="only == and != apply"):
        expand(build_grid(["mode=a,b"], ["mode < 3"]), limit=100)


def test_unknown_parameters_and_bad_max_runs_are_refused():
    with pytest.raises(InvalidRequest, match="not a parameter of the strategy") as caught:
        build_grid(["fsat=5,10"], known={"fast": "20", "slow": "50"})
    assert caught.value.field == "param"
    with pytest.raises(InvalidRequest) as caught:
        build_grid(["fast=5,10"], max_runs=0)
    assert caught.value.field == "max_runs"
