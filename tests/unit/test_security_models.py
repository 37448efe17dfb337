"""Shortable providers, margin interest rate models and the margin-call check, on real engine runs.

The expected values follow LEAN's rules: ``QCAlgorithm.Shortable`` at submission, the hourly security-model scan
of ``AlgorithmManager``, ``ShortMarginInterestRateModel``'s daily fee on 360 days, and
``DefaultMarginCallModel``'s warning at 5% margin remaining.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest_core.engines.base import EngineOutcome
from tests.unit.test_embedded_engine import debug_lines, indented, run_source


def _run(tmp_path: Path, lean_data: Path, initialize: str, on_data: str, extra: str = "") -> EngineOutcome:
    body = (
        "class Algo(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        self.set_start_date(2013, 10, 7)\n"
        "        self.set_end_date(2013, 10, 10)\n"
        "        self.spy = self.add_equity('SPY', Resolution.HOUR)\n"
        f"{indented(initialize)}\n"
        "    def on_data(self, data):\n"
        f"{indented(on_data)}\n"
        "    def on_order_event(self, event):\n"
        "        self.debug(f'event {event.status.name} {event.message}')\n"
        f"{extra}"
    )
    return run_source(tmp_path, lean_data, body)


def _texts(tmp_path: Path) -> list[str]:
    return [line[20:].split("Debug: ", 1)[-1] for line in debug_lines(tmp_path / "out")]


def test_an_order_beyond_the_shortable_quantity_is_invalid(lean_data: Path, tmp_path: Path) -> None:
    # testbrokerage's spy.csv: 1000 shares shortable each day of October 2013
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_shortable_provider(LocalDiskShortableProvider('testbrokerage'))",
        """
        if self.transactions.orders_count == 0:
            self.debug(f'shortable {self.shortable_quantity("SPY")} {self.shortable("SPY", 1000)}')
            self.market_order('SPY', -1001)
            self.market_order('SPY', -600)
            self.market_order('SPY', -600)
        """,
    )
    assert outcome.status == "completed", outcome.error
    lines = _texts(tmp_path)
    assert "shortable 1000 True" in lines
    assert "event INVALID Order exceeds shortable quantity 1000 for Symbol SPY requested -1001)" in lines
    assert lines.count("event FILLED ") == 1  # the second 600 would pass the 1000 with the first one's
    assert "event INVALID Order exceeds shortable quantity 1000 for Symbol SPY requested -600)" in lines


def test_the_null_provider_lets_every_quantity_short(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.debug(f'provider {type(self.spy.shortable_provider).__name__}')",
        "if self.transactions.orders_count == 0:\n    self.market_order('SPY', -100)",
    )
    assert outcome.status == "completed", outcome.error
    assert {"provider NullShortableProvider", "event FILLED "} <= set(_texts(tmp_path))


LOGGING_MODEL = """
class Logged:
    def __init__(self, algorithm, model):
        self.algorithm, self.model = algorithm, model

    def apply_margin_interest_rate(self, parameters):
        before = self.model.amount
        value = parameters.security.holdings.holdings_value
        self.model.apply_margin_interest_rate(parameters)
        self.algorithm.debug(f'apply {parameters.time:%Y-%m-%d %H:%M} {value!r} {self.model.amount - before!r}')
"""


def test_a_short_pays_its_fee_rate_once_a_day_on_360_days(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        """
        self.spy.set_shortable_provider(LocalDiskShortableProvider('testbrokerage'))
        self.short = ShortMarginInterestRateModel()
        self.spy.margin_interest_rate_model = Logged(self, self.short)
        """,
        "if not self.portfolio.invested:\n    self.market_order('SPY', -100)",
        "    def on_end_of_algorithm(self):\n        self.debug(f'amount {self.short.amount!r}')\n" + LOGGING_MODEL,
    )
    assert outcome.status == "completed", outcome.error
    applied = [line.split() for line in _texts(tmp_path) if line.startswith("apply ")]
    times = [f"{day} {hour}" for _, day, hour, _, _ in applied]
    assert len(times) == len(set(times)) and all(time.endswith(":00") for time in times)  # one scan an hour
    charges = [(day, float(value), float(fee)) for _, day, _, value, fee in applied if float(fee)]
    assert [day for day, _, _ in charges] == ["2013-10-08", "2013-10-09", "2013-10-10"]  # the clock starts on 10-07
    for _, value, fee in charges:  # spy.csv's fee rate 0.25%, of the (negative) holdings value, one day each
        assert value < 0 and fee == pytest.approx(0.0025 * value / 360, rel=1e-12)
    amount = float(next(line for line in _texts(tmp_path) if line.startswith("amount ")).split()[1])
    assert amount == pytest.approx(sum(fee for _, _, fee in charges), rel=1e-12)


def test_a_custom_model_is_applied_at_each_hourly_scan_and_moves_the_cash(lean_data: Path, tmp_path: Path) -> None:
    model = """
class Interest:
    def __init__(self):
        self.calls = 0

    def apply_margin_interest_rate(self, parameters):
        value = parameters.security.holdings.get_quantity_value(parameters.security.holdings.quantity)
        if value.amount > 0:
            value.cash.add_amount(0.01 * value.cash.amount)
            self.calls += 1
"""
    outcome = _run(
        tmp_path,
        lean_data,
        "self.interest = Interest()\nself.spy.set_margin_interest_rate_model(self.interest)\nself.after = None",
        "if not self.portfolio.invested:\n    self.set_holdings('SPY', 0.5)",
        "    def on_order_event(self, event):\n"
        "        if event.status == OrderStatus.FILLED:\n"
        "            self.after = self.portfolio.cash\n"
        "    def on_end_of_algorithm(self):\n"
        "        self.debug(f'calls {self.interest.calls} {self.portfolio.cash / self.after!r}')\n" + model,
    )
    assert outcome.status == "completed", outcome.error
    _, calls, ratio = next(line for line in _texts(tmp_path) if line.startswith("calls ")).split()
    # hourly SPY bars end 10:00..16:00: seven scans a day, the fill's own step before it (fills follow the scan)
    assert int(calls) == 4 * 7 - 1
    assert abs(float(ratio) - 1.01 ** int(calls)) < 1e-12


def test_the_margin_call_warning_reaches_the_algorithm(lean_data: Path, tmp_path: Path) -> None:
    # fully levered (leverage 2): the margin remaining starts at about LEAN's 0.25% buffer, under the 5% warning
    # line; none at or under zero remaining without liquidating orders (SPY's fall on 10-08), as in LEAN's model;
    # on_data sees what the check saw (it runs just before, after the step's fills)
    outcome = _run(
        tmp_path,
        lean_data,
        "self.warnings, self.expected = [], []",
        """
        if self.portfolio.invested:
            portfolio = self.portfolio
            if 0 < portfolio.margin_remaining <= 0.05 * portfolio.total_portfolio_value:
                self.expected.append(self.time)
        else:
            self.set_holdings('SPY', 2)
        """,
        "    def on_margin_call_warning(self):\n"
        "        self.warnings.append(self.time)\n"
        "    def on_end_of_algorithm(self):\n"
        "        self.debug(f'warnings {len(self.warnings)} {self.warnings == self.expected} {self.warnings[0]}')\n",
    )
    assert outcome.status == "completed", outcome.error
    line = next(line for line in _texts(tmp_path) if line.startswith("warnings "))
    count, same, first = line.split(maxsplit=3)[1:]
    assert int(count) > 0 and same == "True" and first == "2013-10-07 11:00:00"  # the step after the fill


def test_risk_free_rate_models_answer_their_rate(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.debug(f'rates {FuncRiskFreeRateInterestRateModel(lambda d: d.day / 100).get_interest_rate(self.time)}'"
        " f' {ConstantRiskFreeRateInterestRateModel(0.02).get_interest_rate(self.time)}')",
        "pass",
    )
    assert outcome.status == "completed", outcome.error
    assert "rates 0.07 0.02" in _texts(tmp_path)


def test_security_initializers_run_on_later_securities_before_the_leverage_asked_for(
    lean_data: Path, tmp_path: Path
) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        """
        self.seen = []
        self.add_security_initializer(self.initialize_security)
        aapl = self.add_equity('AAPL', Resolution.HOUR)
        ibm = self.add_equity('IBM', Resolution.HOUR, leverage=3)
        self.debug(f'seen {self.seen} {self.spy.leverage:g} {aapl.leverage:g} {ibm.leverage:g}')
        """,
        "pass",
        "    def initialize_security(self, security):\n"
        "        self.seen.append(str(security.symbol))\n"
        "        security.set_leverage(4)\n",
    )
    assert outcome.status == "completed", outcome.error
    # SPY came before the initializer; IBM's own leverage is applied after it, as in LEAN's CreateSecurity
    assert "seen ['AAPL', 'IBM'] 2 4 3" in _texts(tmp_path)


def test_a_security_initializer_after_initialize_is_refused(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "pass", "self.add_security_initializer(lambda security: None)")
    assert outcome.status == "failed"
    assert "add_security_initializer after initialize (LEAN throws) is not supported" in outcome.error
