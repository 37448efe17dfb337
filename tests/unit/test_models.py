"""Request validation names the field and the fix; statistics parse as LEAN prints them."""

from datetime import date

import pytest
from pydantic import ValidationError

from backtest_core.models import (
    BacktestRequest,
    BacktestStatistics,
    describe_validation_error,
    parse_statistic,
)


def _errors(**fields) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        BacktestRequest.model_validate(
            {"strategy": "buy_and_hold", **fields}, context={"known_strategies": {"buy_and_hold"}}
        )
    return dict(describe_validation_error(caught.value))


def test_end_before_start_names_end_date():
    errors = _errors(start_date="2020-02-01", end_date="2020-01-01")
    assert "end_date" in errors and "before start_date" in errors["end_date"]


def test_invalid_date_names_field():
    assert "start_date" in _errors(start_date="2020-13-45")


@pytest.mark.parametrize("cash", [0, -5])
def test_cash_must_be_positive(cash):
    assert "greater than 0" in _errors(initial_cash=cash)["initial_cash"]


def test_unknown_resolution_lists_choices():
    assert "minute" in _errors(resolution="weekly")["resolution"]


@pytest.mark.parametrize("symbol", ["S P Y", "../etc", "$$", "TOOLONGTICKER123"])
def test_malformed_symbol(symbol):
    assert "symbols" in _errors(symbols=[symbol])


def test_unknown_strategy_lists_known():
    with pytest.raises(ValidationError) as caught:
        BacktestRequest.model_validate({"strategy": "nope"}, context={"known_strategies": {"sma_cross"}})
    field, message = describe_validation_error(caught.value)[0]
    assert field == "strategy" and "sma_cross" in message


def test_symbols_and_resolution_reach_the_algorithm_as_parameters():
    request = BacktestRequest(
        strategy="x",
        symbols="spy, brk.b",
        resolution="Daily",
        parameters={"fast": 10},
        start_date=date(2020, 1, 1),
        end_date=date(2020, 1, 1),
    )
    assert request.algorithm_parameters() == {"fast": "10", "symbols": "SPY,BRK.B", "resolution": "daily"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.692%", 1.692),
        ("$3.44", 3.44),
        ("-$3.44", -3.44),
        ("$-3.44", -3.44),
        ("1.69 %", 1.69),
        ("$1,656.23", 1656.23),
        ("-0.087", -0.087),
        ("SPY R735QTJ8XC9X", None),
        ("", None),
        ("¤100,000.00", 100000.0),
    ],
)
def test_parse_statistic(text, value):
    assert parse_statistic(text) == value


def test_key_values_accept_older_total_trades_name():
    stats = BacktestStatistics(raw={"Total Trades": "110", "Sharpe Ratio": "1.5"})
    assert stats.key_values()["total_orders"] == 110 and stats.key_values()["sharpe"] == 1.5
