"""Relative curves, returns by period, stress windows, input diffs and trade matching, by hand."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from backtest_core.analysis import periods, relative
from backtest_core.analysis.inputs import RunInputs, code_diff, diff_inputs
from backtest_core.analysis.trades import closed_in, match_trades, trade_diff


def _returns() -> pd.DataFrame:
    index = pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-06"])
    return pd.DataFrame({"base": [0.10, 0.0, -0.10], "run": [0.0, 0.10, 0.0]}, index=index)


def test_excess_return_and_relative_drawdown():
    returns = _returns()
    excess = relative.excess_return(returns, "base")["run"]
    # growth: base 110, 110, 99; run 100, 110, 110
    assert excess.tolist() == pytest.approx([100 / 110 - 1, 0.0, 110 / 99 - 1])
    drawdown = relative.relative_drawdown(returns, "base")["run"]
    assert drawdown.tolist() == pytest.approx([100 / 110 - 1, 0.0, 0.0])


def test_rolling_correlation_and_sharpe_difference_match_pandas():
    rng = np.random.default_rng(4)
    returns = pd.DataFrame(rng.normal(0, 0.01, (300, 2)), columns=["base", "run"],
                           index=pd.bdate_range("2020-01-01", periods=300))  # fmt: skip
    correlation = relative.rolling_correlation(returns, "base", 63)
    assert correlation["run"].iloc[-1] == pytest.approx(returns.iloc[-63:].corr().loc["run", "base"])
    difference = relative.rolling_sharpe_difference(returns, "base", 63, 252)["run"]
    tail = returns.iloc[-63:]
    expected = (tail.mean() / tail.std() * np.sqrt(252)).diff().iloc[-1]
    assert difference.iloc[-1] == pytest.approx(expected)
    assert relative.equal_weight(returns).iloc[0] == pytest.approx(returns.iloc[0].mean())


def test_compounded_months_and_years():
    returns = pd.Series([0.1, 0.1, -0.5], index=pd.to_datetime(["2020-01-30", "2020-01-31", "2020-02-03"]))
    months = periods.compounded(returns, "month")
    assert months.loc[(2020, 1)] == pytest.approx(0.21) and months.loc[(2020, 2)] == pytest.approx(-0.5)
    assert periods.compounded(returns, "year").loc[2020] == pytest.approx(1.21 * 0.5 - 1)


def test_stress_windows_inside_the_data_only():
    names = [w.name for w in periods.stress_windows_within(date(2018, 1, 1), date(2020, 12, 31))]
    assert names == ["2018 Q4", "2020 COVID crash"]
    days = pd.bdate_range("2020-02-18", "2020-03-24")
    returns = pd.Series(0.0, index=days)
    returns.loc["2020-02-20"], returns.loc["2020-03-02"] = -0.5, 0.5
    covid = periods.STRESS_WINDOWS[5]
    total, deepest = periods.stress_figures(returns, covid)
    assert total == pytest.approx(-0.25) and deepest == pytest.approx(0.5)


def test_verdict_names_one_input_only_when_it_alone_differs_and_nothing_is_unknown():
    fields = {"strategy": "sma", "start_date": "2015-01-01", "engine": "embedded", "engine_version": "1.0"}
    a = RunInputs(id="a", fields={**fields, "parameters.fast": "10"}, code={"main.py": "x = 1\n"})
    b = RunInputs(id="b", fields={**fields, "parameters.fast": "20"}, code={"main.py": "x = 1\n"})
    diff = diff_inputs([a, b])
    assert diff.differ == ["parameters.fast"] and diff.attributable_to == "parameters.fast"
    assert "attributable to parameters.fast" in diff.verdict
    c = RunInputs(id="c", fields={**fields, "parameters.fast": "20", "engine_version": None}, code=None)
    unsure = diff_inputs([a, c])
    assert unsure.attributable_to is None and unsure.unknown == ["engine_version", "code"]
    assert "cannot be singled out" in unsure.verdict
    d = RunInputs(id="d", fields={**fields, "parameters.fast": "20"}, code={"main.py": "x = 2\n"})
    several = diff_inputs([a, d])
    assert several.differ == ["parameters.fast", "code"] and several.attributable_to is None
    assert diff_inputs([a, a.model_copy(update={"id": "a2"})]).verdict.startswith("Every input is the same")


def test_code_diff_is_a_unified_diff_per_changed_file():
    diffs = code_diff({"main.py": "a = 1\nb = 2\n", "same.py": "s\n"}, {"main.py": "a = 1\nb = 3\n", "new.py": "n\n",
                      "same.py": "s\n"}, "run1", "run2")  # fmt: skip
    assert set(diffs) == {"main.py", "new.py"}
    assert "-b = 2\n+b = 3\n" in diffs["main.py"] and "--- run1/main.py" in diffs["main.py"]
    assert diffs["new.py"].startswith("--- /dev/null")


def _trades(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["symbol", "entry_time", "exit_time", "profit_loss"])
    for column in ("entry_time", "exit_time"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame.assign(direction="Long", quantity=1.0, entry_price=1.0, exit_price=1.0)


def test_trades_match_by_symbol_and_longest_overlap():
    a = _trades([("SPY", "2020-01-02", "2020-01-10", 100.0), ("SPY", "2020-02-01", "2020-02-05", -20.0),
                 ("QQQ", "2020-01-02", "2020-01-03", 5.0)])  # fmt: skip
    b = _trades([("SPY", "2020-01-09", "2020-01-20", 10.0), ("SPY", "2020-01-03", "2020-01-08", 60.0),
                 ("SPY", "2020-03-01", "2020-03-02", 7.0)])  # fmt: skip
    assert match_trades(a, b) == [(0, 1)]  # overlaps 5 days with b[1], 1 day with b[0]
    diff = trade_diff(a, b, equity_difference=50.0)
    assert diff.matched["profit_difference"].tolist() == [40.0]
    assert diff.matched["entry_shift"].iloc[0] == pd.Timedelta(days=1)
    assert len(diff.only_a) == 2 and len(diff.only_b) == 2
    c = diff.contributions
    assert (c.only_a, c.only_b, c.matched) == (-15.0, -17.0, 40.0)
    assert c.not_in_trades == pytest.approx(50.0 - (-15.0 - 17.0 + 40.0))
    window = closed_in(a, pd.Timestamp("2020-01-05", tz="UTC"), pd.Timestamp("2020-01-31", tz="UTC"))
    assert window["profit_loss"].tolist() == [100.0]
