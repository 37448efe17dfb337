"""LEAN's statistics and insights as algorithms see them: ``self.statistics.summary``, ``PerformanceMetrics``,
``set_summary_statistic``'s values, and ``Insight``/``emit_insights``.

``self.statistics`` is computed when asked, from the samples taken so far, as LEAN's result handler does
(``StatisticsResults()``); custom summary statistics follow LEAN's standard ones and never replace them. An
emitted insight is recorded (the result's ``InsightCount``); without a portfolio construction model, which the
engine does not run, it places no order, as in LEAN.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backtest_core.engines.embedded.clr_types import Dictionary
from backtest_core.engines.embedded.model import LeanObject, Resolution, _Enum, _LeanClassType
from backtest_core.errors import UnsupportedApi


class PerformanceMetrics(metaclass=_LeanClassType):
    """The names of LEAN's summary statistics (``Common/Statistics/PerformanceMetrics.cs``)."""

    ALPHA = Alpha = "Alpha"
    ANNUAL_STANDARD_DEVIATION = AnnualStandardDeviation = "Annual Standard Deviation"
    ANNUAL_VARIANCE = AnnualVariance = "Annual Variance"
    AVERAGE_LOSS = AverageLoss = "Average Loss"
    AVERAGE_WIN = AverageWin = "Average Win"
    BETA = Beta = "Beta"
    COMPOUNDING_ANNUAL_RETURN = CompoundingAnnualReturn = "Compounding Annual Return"
    DRAWDOWN = Drawdown = "Drawdown"
    ESTIMATED_STRATEGY_CAPACITY = EstimatedStrategyCapacity = "Estimated Strategy Capacity"
    EXPECTANCY = Expectancy = "Expectancy"
    START_EQUITY = StartEquity = "Start Equity"
    END_EQUITY = EndEquity = "End Equity"
    INFORMATION_RATIO = InformationRatio = "Information Ratio"
    LOSS_RATE = LossRate = "Loss Rate"
    NET_PROFIT = NetProfit = "Net Profit"
    PROBABILISTIC_SHARPE_RATIO = ProbabilisticSharpeRatio = "Probabilistic Sharpe Ratio"
    PROFIT_LOSS_RATIO = ProfitLossRatio = "Profit-Loss Ratio"
    SHARPE_RATIO = SharpeRatio = "Sharpe Ratio"
    SORTINO_RATIO = SortinoRatio = "Sortino Ratio"
    TOTAL_FEES = TotalFees = "Total Fees"
    TOTAL_ORDERS = TotalOrders = "Total Orders"
    TRACKING_ERROR = TrackingError = "Tracking Error"
    TREYNOR_RATIO = TreynorRatio = "Treynor Ratio"
    WIN_RATE = WinRate = "Win Rate"
    LOWEST_CAPACITY_ASSET = LowestCapacityAsset = "Lowest Capacity Asset"
    PORTFOLIO_TURNOVER = PortfolioTurnover = "Portfolio Turnover"
    DRAWDOWN_RECOVERY = DrawdownRecovery = "Drawdown Recovery"


class StatisticsResults(LeanObject):
    """What ``self.statistics`` returns: the summary as LEAN's ``Dictionary<string, string>``."""

    def __init__(self, summary: dict[str, str]) -> None:
        self.summary = Dictionary(summary)

    Summary = property(lambda self: self.summary)


def summary_statistic_text(name: str, value: Any) -> str:
    """LEAN's ``SetSummaryStatistic`` overloads (string, int, double, decimal) and their texts; names 0-100 are
    LEAN's reserved ones."""
    if name.strip().lstrip("+-").isdigit() and 0 <= int(name) <= 100:
        raise ValueError(f"'{name}' is a reserved statistic name.")
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return _double_text(value)
    raise UnsupportedApi(f"set_summary_statistic with a {type(value).__name__} value (string, int, float or decimal)")


def _double_text(value: float) -> str:
    """.NET's round-trip text of a double: the shortest that reads back, ``5`` for 5.0, ``1E-05``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}E{sign}{abs(int(exponent)):02d}"
    return text


class InsightDirection(_Enum):
    DOWN = -1
    FLAT = 0
    UP = 1
    Down = -1
    Flat = 0
    Up = 1


class InsightType(_Enum):
    PRICE = 0
    VOLATILITY = 1
    Price = 0
    Volatility = 1


class Insight(LeanObject):
    """A prediction (LEAN's ``Insight``): symbol, period, type, direction and the optional figures."""

    def __init__(self, symbol: Any, period: Any, type: Any, direction: Any, magnitude: float | None = None,
                 confidence: float | None = None, source_model: str | None = None, weight: float | None = None,
                 tag: str = "") -> None:  # fmt: skip
        if not isinstance(period, timedelta):
            raise UnsupportedApi(f"Insight with a period of {period.__class__.__name__} (a timedelta only)")
        self.symbol, self.period = symbol, period
        self.type, self.direction = InsightType(int(type)), InsightDirection(int(direction))
        self.magnitude, self.confidence, self.weight = magnitude, confidence, weight
        self.source_model, self.tag = source_model, tag
        self.generated_time_utc: datetime | None = None  # set when emitted (LEAN's close time is not computed)

    @classmethod
    def price(cls, symbol: Any, period: Any, direction: Any, magnitude: float | None = None,
              confidence: float | None = None, source_model: str | None = None, weight: float | None = None,
              tag: str = "") -> Insight:  # fmt: skip
        if isinstance(period, Resolution):
            raise UnsupportedApi("Insight.price with a resolution period (bars)")
        return cls(symbol, period, InsightType.PRICE, direction, magnitude, confidence, source_model, weight, tag)

    Price = price
    Symbol = property(lambda self: self.symbol)
    Direction = property(lambda self: self.direction)
    Period = property(lambda self: self.period)
