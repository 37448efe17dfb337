"""LEAN's backtest statistics as pure functions: sampled equity, returns and trades in, LEAN's strings out.

Conventions follow LEAN (``lean:Common/Statistics``; ``../shared/docs/lean-reference.md`` §6):
- daily returns are the ``Return`` samples (one per calendar day, weekends included) with the first two
  dropped; benchmark returns are the day-over-day changes of the benchmark samples, also aligned;
- variance and standard deviation are sample (n−1) estimators, annualised with ``trading_days_per_year``;
- the risk-free rate is the average of the daily rates over the equity points' dates;
- numbers are printed the way C# prints them: decimal statistics keep their rounding digits (``2.200%``),
  double ones drop trailing zeros (``-2.9``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from statistics import NormalDist

import numpy as np

from backtest_core.stats.decimals import from_float, round_places, round_significant, smart_rounding

Point = tuple[float, float]  # (UTC unix seconds, value)


@dataclass
class StatisticsInputs:
    equity: Sequence[Point]
    daily_returns: Sequence[Point]  # percent, as LEAN's "Return" series
    benchmark: Sequence[Point]
    portfolio_turnover: Sequence[Point]
    profit_loss: Sequence[float]  # one per closing fill: realised profit minus twice the closing fee
    starting_capital: float
    total_fees: float
    total_orders: int
    risk_free_rate: Callable[[date], float]
    trading_days_per_year: int = 252
    capacity: Decimal = Decimal(0)  # LEAN's estimate, already rounded to 1000 (CapacityEstimate.Capacity)
    lowest_capacity_asset: str = ""
    currency_symbol: str = "$"
    start_equity: Decimal | None = None  # LEAN's starting portfolio value as its decimal: its scale shows
    drawdown_recovery_days: int | None = None
    # LEAN >= 17898 (2026-07, #9583) takes the daily risk-free rate off the returns in PSR; earlier, none
    psr_on_excess_returns: bool = True


@dataclass
class StatisticsReport:
    statistics: dict[str, str]
    portfolio_statistics: dict[str, str]
    values: dict[str, float] = field(default_factory=dict)


def compute_statistics(inputs: StatisticsInputs) -> StatisticsReport:
    """LEAN's ``statistics`` (names, order and formatting) and ``portfolioStatistics`` for one run."""
    v = _portfolio_values(inputs)
    s = {
        "Total Orders": str(inputs.total_orders),
        "Average Win": _pct(v["averageWinRate"], 2),
        "Average Loss": _pct(v["averageLossRate"], 2),
        "Compounding Annual Return": _pct(v["compoundingAnnualReturn"], 3),
        "Drawdown": _drawdown_text(v["drawdown"], inputs),
        "Expectancy": _decimal_text(v["expectancy"], 3),
        "Start Equity": _decimal_text(v["startEquity"], 2)
        if inputs.start_equity is None
        else _plain(_round_decimal(inputs.start_equity, 2)),
        "End Equity": _equity_text(v["endEquity"]),
        "Net Profit": _pct(v["totalNetProfit"], 3),
        "Sharpe Ratio": _double_text(v["sharpeRatio"], 3),
        "Sortino Ratio": _double_text(v["sortinoRatio"], 3),
        "Probabilistic Sharpe Ratio": _pct(v["probabilisticSharpeRatio"], 3),
        "Loss Rate": _pct(v["lossRate"], 0),
        "Win Rate": _pct(v["winRate"], 0),
        "Profit-Loss Ratio": _decimal_text(v["profitLossRatio"], 2),
        "Alpha": _double_text(v["alpha"], 3),
        "Beta": _double_text(v["beta"], 3),
        "Annual Standard Deviation": _double_text(v["annualStandardDeviation"], 3),
        "Annual Variance": _double_text(v["annualVariance"], 3),
        "Information Ratio": _double_text(v["informationRatio"], 3),
        "Tracking Error": _double_text(v["trackingError"], 3),
        "Treynor Ratio": _double_text(v["treynorRatio"], 3),
        "Total Fees": f"{inputs.currency_symbol}{_fixed(inputs.total_fees, 2)}",
        "Estimated Strategy Capacity": f"{inputs.currency_symbol}{format(round_significant(inputs.capacity, 2), 'f')}",
        "Lowest Capacity Asset": inputs.lowest_capacity_asset,
        "Portfolio Turnover": _pct(v["portfolioTurnover"], 2),
        "Drawdown Recovery": str(int(v["drawdownRecovery"])),
    }
    portfolio = {key: _decimal_text(value, 4, keep_zeros=False) for key, value in v.items()}
    return StatisticsReport(statistics=s, portfolio_statistics=portfolio, values=v)


def _portfolio_values(inputs: StatisticsInputs) -> dict[str, float]:
    equity = np.array([value for _, value in inputs.equity], dtype=float)
    start, end = inputs.starting_capital, (float(equity[-1]) if len(equity) else inputs.starting_capital)
    values = dict.fromkeys(
        ("averageWinRate", "averageLossRate", "profitLossRatio", "winRate", "lossRate", "expectancy",
         "startEquity", "endEquity", "compoundingAnnualReturn", "drawdown", "totalNetProfit", "sharpeRatio",
         "probabilisticSharpeRatio", "sortinoRatio", "alpha", "beta", "annualStandardDeviation",
         "annualVariance", "informationRatio", "trackingError", "treynorRatio", "portfolioTurnover",
         "valueAtRisk99", "valueAtRisk95", "drawdownRecovery"),
        0.0,
    )  # fmt: skip
    values["startEquity"], values["endEquity"] = start, end
    turnover = [value for _, value in inputs.portfolio_turnover]
    values["portfolioTurnover"] = float(np.mean(turnover)) if turnover else 0.0
    returns = np.array([value for _, value in inputs.daily_returns[2:]], dtype=float) / 100.0
    benchmark_prices = np.array([value for _, value in inputs.benchmark], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        benchmark = np.nan_to_num(benchmark_prices[1:] / benchmark_prices[:-1] - 1.0, nan=0.0, posinf=0.0)[1:]
    if start == 0 or len(returns) < 2:
        return values  # LEAN's early exit: too few aligned returns for anything else
    if len(benchmark) != len(returns):
        benchmark = np.zeros(len(returns))
    _trade_figures(values, inputs.profit_loss, start)
    values["totalNetProfit"] = end / start - 1.0
    first, last = inputs.equity[0][0], inputs.equity[-1][0]
    years = (last - first) / 86400.0 / 365.0
    car = (end / start) ** (1.0 / years) - 1.0 if years > 0 and end / start > 0 else 0.0
    values["compoundingAnnualReturn"] = car if math.isfinite(car) else 0.0
    values["drawdown"] = round(_max_drawdown(equity), 3)
    values["drawdownRecovery"] = float(_drawdown_recovery(inputs.equity))
    n = inputs.trading_days_per_year
    rate = float(np.mean([inputs.risk_free_rate(_date(t)) for t, _ in inputs.equity]))
    annual_performance = (float(np.mean(returns)) + 1.0) ** n - 1.0
    benchmark_annual = (float(np.mean(benchmark)) + 1.0) ** n - 1.0
    variance = float(np.var(returns, ddof=1))
    values["annualVariance"] = variance * n
    values["annualStandardDeviation"] = math.sqrt(values["annualVariance"])
    std = values["annualStandardDeviation"]
    values["sharpeRatio"] = (annual_performance - rate) / std if std else 0.0
    negative = returns[returns < 0]
    downside = math.sqrt(float(np.var(negative, ddof=1)) * n) if len(negative) > 1 else 0.0
    values["sortinoRatio"] = (annual_performance - rate) / downside if downside else 0.0
    benchmark_variance = float(np.var(benchmark, ddof=1))
    beta = float(np.cov(returns, benchmark, ddof=1)[0, 1]) / benchmark_variance if benchmark_variance else 0.0
    values["beta"] = beta if math.isfinite(beta) else 0.0
    if values["beta"]:
        values["alpha"] = annual_performance - (rate + values["beta"] * (benchmark_annual - rate))
        values["treynorRatio"] = (annual_performance - rate) / values["beta"]
    tracking = math.sqrt(float(np.var(returns - benchmark, ddof=1)) * n)
    values["trackingError"] = tracking
    values["informationRatio"] = (annual_performance - benchmark_annual) / tracking if tracking else 0.0
    daily_rate = rate / n if inputs.psr_on_excess_returns else 0.0
    values["probabilisticSharpeRatio"] = _probabilistic_sharpe(returns, n, daily_rate)
    tail = returns[-n:]
    tail_std = float(np.std(tail, ddof=1)) if len(tail) > 1 else 0.0
    if tail_std > 0:
        tail_distribution = NormalDist(float(np.mean(tail)), tail_std)
        values["valueAtRisk99"] = round(tail_distribution.inv_cdf(0.01), 3)
        values["valueAtRisk95"] = round(tail_distribution.inv_cdf(0.05), 3)
    return values


def _trade_figures(values: dict[str, float], profit_loss: Sequence[float], start: float) -> None:
    """Average win/loss as fractions of the running capital, win/loss rates, expectancy (per closing fill)."""
    capital, wins, losses = start, [], []
    for pnl in profit_loss:
        (wins if pnl > 0 else losses).append(pnl / capital)
        capital += pnl
    total = len(wins) + len(losses)
    if not total:
        return
    values["averageWinRate"] = float(np.mean(wins)) if wins else 0.0
    values["averageLossRate"] = float(np.mean(losses)) if losses else 0.0
    values["profitLossRatio"] = values["averageWinRate"] / abs(values["averageLossRate"]) if losses else 0.0
    values["winRate"], values["lossRate"] = len(wins) / total, len(losses) / total
    values["expectancy"] = values["winRate"] * values["profitLossRatio"] - values["lossRate"]


def _max_drawdown(equity: np.ndarray) -> float:
    if len(equity) == 0:
        return 0.0
    peaks = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        drawdowns = np.where(peaks > 0, 1.0 - equity / peaks, 0.0)
    return float(np.max(drawdowns))


def _drawdown_text(drawdown: float, inputs: StatisticsInputs) -> str:
    """LEAN rounds the drawdown decimal to 3 places (``2.200%``), but one it never computed (too few returns)
    or that never fell stays the bare decimal zero: ``0%``."""
    never_computed = inputs.starting_capital == 0 or len(inputs.daily_returns[2:]) < 2
    if never_computed or _max_drawdown(np.array([value for _, value in inputs.equity], dtype=float)) == 0:
        return "0%"
    return _plain(as_decimal(drawdown).quantize(Decimal("0.001")) * 100) + "%"


def _drawdown_recovery(equity: Sequence[Point]) -> int:
    """Longest number of days from a peak to the first point back at or above it (recovered drawdowns only)."""
    longest, peak_value, peak_time, under = 0, -math.inf, 0.0, False
    for time_, value in equity:
        if value >= peak_value:
            if under:
                longest = max(longest, int((time_ - peak_time) // 86400))
            peak_value, peak_time, under = value, time_, False
        else:
            under = True
    return longest


def _probabilistic_sharpe(returns: np.ndarray, n: int, daily_rate: float = 0.0) -> float:
    """LEAN's PSR: the daily Sharpe against 1/√n (an annual Sharpe of 1)."""
    return probabilistic_sharpe(returns, 1.0 / math.sqrt(n), daily_rate)


def probabilistic_sharpe(returns: np.ndarray, benchmark: float, daily_rate: float = 0.0) -> float:
    """Bailey and López de Prado's PSR: the probability that the daily (not annualised) Sharpe ratio of
    ``returns`` in excess of ``daily_rate`` exceeds ``benchmark`` (a daily Sharpe), with LEAN's sample skewness
    and kurtosis; 0 when it cannot be computed (flat returns, fewer than 4)."""
    std = float(np.std(returns, ddof=1))
    count = len(returns)
    if std == 0 or count < 4:
        return 0.0
    observed = (float(np.mean(returns)) - daily_rate) / std
    skew = _sample_skewness(returns)
    kurtosis = _sample_excess_kurtosis(returns)
    variance = (1.0 - skew * observed + (kurtosis - 1.0) / 4.0 * observed**2) / (count - 1)
    if variance <= 0:
        return 0.0
    return NormalDist().cdf((observed - benchmark) / math.sqrt(variance))


def _sample_skewness(x: np.ndarray) -> float:
    n, std = len(x), float(np.std(x, ddof=1))
    if n < 3 or std == 0:
        return 0.0
    return float(n / ((n - 1) * (n - 2)) * np.sum(((x - np.mean(x)) / std) ** 3))


def _sample_excess_kurtosis(x: np.ndarray) -> float:
    n, std = len(x), float(np.std(x, ddof=1))
    if n < 4 or std == 0:
        return 0.0
    fourth = np.sum(((x - np.mean(x)) / std) ** 4)
    return float(n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * fourth - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def _date(unix: float) -> date:
    return datetime.fromtimestamp(unix, UTC).date()


# -- C#-compatible number printing ---------------------------------------------------------------------------


def as_decimal(value: float) -> Decimal:
    """A double converted to .NET decimal: 15 significant digits, trailing zeros dropped."""
    if not math.isfinite(value) or value == 0:
        return Decimal(0)
    return Decimal(format(value, ".15g")).normalize()


def _round_decimal(value: Decimal, digits: int) -> Decimal:
    """.NET ``Math.Round(decimal, digits)``: banker's rounding; a value with fewer decimals keeps its scale."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -digits:
        return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    return value


def _plain(value: Decimal) -> str:
    """.NET's text of a decimal: a zero has no sign (``Math.Round(-0.004m, 2)`` prints ``0.00``)."""
    text = format(value.copy_abs() if value == 0 else value, "f")
    return "0" if text in ("-0", "0", "") else text


def _decimal_text(value: float, digits: int, keep_zeros: bool = True) -> str:
    rounded = _round_decimal(as_decimal(value), digits)
    return _plain(rounded if keep_zeros else rounded.normalize())


def _equity_text(value: float) -> str:
    """LEAN's End Equity: the last equity sample, which is the portfolio value to 4 places
    (``UpdateAlgorithmEquity``) smart-rounded by the candle (``Candlestick.Close``: its trailing zeros go),
    then ``Math.Round(x, 2)``: 94421.60 prints 94421.6, 100070.8996 prints 100070.90."""
    sampled = smart_rounding(round_places(from_float(value), 4))
    return _plain(round_places(sampled, 2))


def _pct(value: float, digits: int) -> str:
    """A decimal fraction as LEAN prints percent: ``Math.Round(x × 100, digits) + "%"``."""
    return _plain(_round_decimal(as_decimal(value) * 100, digits)) + "%"


def _double_text(value: float, digits: int) -> str:
    """.NET ``Math.Round(double, digits).ToString()``: shortest text, trailing zeros dropped."""
    rounded = float(_round_decimal(Decimal(repr(float(value))), digits)) + 0.0 if math.isfinite(value) else 0.0
    text = repr(rounded)
    text = text.removesuffix(".0")
    return "0" if text in ("-0", "0") else text


def _fixed(value: float, digits: int) -> str:
    """.NET ``decimal.ToString("F2")``: the decimal value rounded half away from zero (3.485 -> 3.49)."""
    return format(as_decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), "f")


# -- runtime statistics -------------------------------------------------------------------------------------


def runtime_statistics(
    equity: float, fees: float, holdings: float, net_profit: float, unrealized: float, volume: float,
    starting_capital: float, psr: float, currency: str = "$",
) -> dict[str, str]:  # fmt: skip
    """LEAN's ``runtimeStatistics`` block, keys sorted, formatted as LEAN formats them."""
    total_return = (equity - starting_capital) / starting_capital if starting_capital else 0.0
    return {
        "Equity": _money(equity, currency),
        "Fees": _money(-fees, currency),
        "Holdings": _money(holdings, currency),
        "Net Profit": _money(net_profit, currency),
        "Probabilistic Sharpe Ratio": _pct(psr, 3),
        "Return": f"{total_return * 100:.2f} %",
        "Unrealized": _money(unrealized, currency),
        "Volume": _money(volume, currency),
    }


def _money(value: float, currency: str) -> str:
    """C#'s ``ToString("C")`` for USD: ``$1,234.56`` and ``-$3.44`` (net profit uses ``$-3.44`` in LEAN)."""
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.2f}"
