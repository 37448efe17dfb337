"""Parameters checked against their config.json defaults, request bounds, and the launch checks (real
strategies, real LEAN data)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from backtest_core.models import BacktestRequest, EngineName, describe_validation_error
from backtest_core.parameters import INT_MAX, ParameterKind, check_value, parameter_problems, parameter_specs
from backtest_core.runs.preflight import launch_problems
from backtest_core.strategies import get_strategy, list_strategies

STRATEGIES = Path(__file__).parent.parent.parent / "strategies"


@pytest.fixture(scope="module")
def sma():
    return get_strategy("sma_crossover", STRATEGIES)


def test_kinds_come_from_the_defaults_and_declared_choices(sma) -> None:
    specs = parameter_specs(sma)
    assert specs["fast"].kind == ParameterKind.INTEGER and specs["symbols"].kind == ParameterKind.TEXT
    assert specs["resolution"].choices == ["daily", "hour", "minute"]  # declared: what its code maps
    rsi = parameter_specs(get_strategy("rsi_mean_reversion", STRATEGIES))
    assert rsi["oversold"].kind == ParameterKind.NUMBER


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("fast", "abc", "'abc' is not a whole number such as 20"),
        ("slow", "5O", "'5O' is not a whole number such as 50"),
        ("fast", "1\n0", "line break"),
        ("resolution", "fortnight", "'fortnight' is not one of daily, hour, minute"),
        ("resolution", "second", "is not one of daily, hour, minute"),
        ("fast", "", "is empty"),
        ("fast", str(INT_MAX + 1), "2,147,483,647"),
        ("fast", "12.5", "not a whole number"),
    ],
)
def test_values_the_algorithm_cannot_parse_are_refused_by_name(sma, name, value, expected) -> None:
    problems = parameter_problems(sma, {name: value})
    assert expected in problems[f"parameters.{name}"]


def test_good_values_pass_and_numbers_are_bounded_as_lean_decimals(sma) -> None:
    assert parameter_problems(sma, {"fast": "10", "slow": "-3", "resolution": "hour", "symbols": "QQQ"}) == {}
    number = parameter_specs(get_strategy("rsi_mean_reversion", STRATEGIES))["oversold"]
    assert check_value(number, "25") is None and check_value(number, "2.5e1") is None
    for bad in ("nan", "inf", "-Infinity", "1e308", "3,5"):
        assert check_value(number, bad) is not None, bad


def test_unknown_parameter_names_are_refused_when_the_strategy_declares_its_parameters(sma) -> None:
    assert "not a parameter of sma_crossover" in parameter_problems(sma, {"fats": "3"})["parameters.fats"]


def test_every_shipped_strategy_default_passes_its_own_check() -> None:
    for info in list_strategies(STRATEGIES):
        assert info.error is None and parameter_problems(info, info.parameters) == {}, info.name


def test_choices_that_do_not_hold_the_default_make_the_strategy_broken(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "main.py").write_text("class P(QCAlgorithm):\n    pass\n")
    config = {"parameters": {"mode": "fast"}, "parameter-choices": {"mode": ["slow"]}}
    (project / "config.json").write_text(json.dumps(config))
    assert "not among its choices" in get_strategy("p", tmp_path).error


@pytest.mark.parametrize(
    ("cash", "expected"),
    [
        ("inf", "more than 1,000,000,000,000"),
        ("1e308", "more than 1,000,000,000,000"),
        ("nan", "not a number"),
        ("0", "greater than 0"),
        ("-5", "greater than 0"),
    ],
)
def test_cash_is_bounded_with_the_bound_in_the_message(cash, expected) -> None:
    with pytest.raises(ValidationError) as raised:
        BacktestRequest(strategy="sma_crossover", initial_cash=cash)
    assert expected in describe_validation_error(raised.value)[0][1]


def test_dates_and_names_are_bounded() -> None:
    with pytest.raises(ValidationError, match="after today"):
        BacktestRequest(strategy="s", end_date=date(2999, 1, 1))
    with pytest.raises(ValidationError, match="before 1900-01-01"):
        BacktestRequest(strategy="s", start_date=date(1800, 1, 1))
    with pytest.raises(ValidationError, match="at most 120 characters; this one has 121"):
        BacktestRequest(strategy="s", name="x" * 121)


def test_the_stored_request_holds_exactly_the_cash_given() -> None:
    request = BacktestRequest(strategy="s", initial_cash="250000.5")
    assert BacktestRequest.model_validate_json(request.model_dump_json()).initial_cash == 250000.5


def test_launch_checks_name_the_field(sma, lean_data: Path) -> None:
    request = BacktestRequest(strategy="sma_crossover", resolution="second")
    assert "not one of daily, hour, minute" in launch_problems(request, sma, lean_data)["resolution"]
    momentum = get_strategy("momentum_rotation", STRATEGIES)
    request = BacktestRequest(strategy="momentum_rotation", resolution="daily")
    assert "not a parameter of momentum_rotation" in launch_problems(request, momentum, lean_data)["resolution"]
    imported = BacktestRequest(strategy="sma_crossover", engine=EngineName.LEAN)
    assert "imported" in launch_problems(imported, sma, lean_data)["engine"]


def test_a_period_without_any_data_is_refused_with_the_ranges(sma, lean_data: Path) -> None:
    request = BacktestRequest(strategy="sma_crossover", start_date=date(2021, 6, 1), end_date=date(2022, 6, 30))
    message = launch_problems(request, sma, lean_data)["start_date"]
    assert "SPY (daily): 1998-01-02 to 2021-03-31" in message
    partial = BacktestRequest(strategy="sma_crossover", start_date=date(2020, 6, 1), end_date=date(2022, 6, 30))
    assert launch_problems(partial, sma, lean_data) == {}  # runs, and is stored with its warning
    unknown = BacktestRequest(strategy="sma_crossover", symbols="NOPE")
    assert "NOPE (daily) has no data" in launch_problems(unknown, sma, lean_data)["symbols"]
