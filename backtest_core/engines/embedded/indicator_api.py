"""QCAlgorithm's indicator helpers (``self.sma(...)``, ``self.sto(...)``, ``self.trin(...)``) with LEAN's
parameters, defaults and names (``SMA(SPY,20,min)``), plus ``register_indicator``, ``unregister_indicator``
and ``warm_up_indicator``. Each helper makes LEAN's indicator and registers it for automatic updates at the
resolution asked (the subscription's by default; another one goes through a consolidator)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded import indicators as ind
from backtest_core.engines.embedded.model import Resolution

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest

RESOLUTION_LABELS = {Resolution.TICK: "tick", Resolution.SECOND: "sec", Resolution.MINUTE: "min",
                     Resolution.HOUR: "hr", Resolution.DAILY: "day"}  # fmt: skip


class IndicatorApi:
    """The indicator members of QCAlgorithm (mixed into it)."""

    _backtest: Backtest

    # -- naming and registration -----------------------------------------------------------------------

    def create_indicator_name(self, symbol: Any, type: str, resolution: Any = None) -> str:
        """LEAN's ``CreateIndicatorName``: ``SMA(20)`` for SPY at minutes is ``SMA(20,SPY_min)``."""
        parts = []
        if symbol is not None:
            security = self._backtest.security(symbol)
            if resolution is None:
                resolution = security.resolution
            parts.append(security.symbol.value)
        parts.append(RESOLUTION_LABELS[Resolution(int(resolution))] if resolution is not None else "")
        return f"{type}({'_'.join(parts)})".replace(")(", ",")

    def register_indicator(self, symbol: Any, indicator: ind.Indicator, resolution: Any = None,
                           selector: Any = None) -> None:  # fmt: skip
        """Automatic updates of ``indicator`` with ``symbol``'s data: at its subscription's resolution, at another
        resolution or period (a consolidator makes the bars), or with the bars of a given consolidator."""
        self._backtest.register(symbol, indicator, selector, resolution)

    def unregister_indicator(self, indicator: ind.Indicator) -> None:
        self._backtest.unregister(indicator)

    deregister_indicator = unregister_indicator

    def warm_up_indicator(self, symbol: Any, indicator: ind.Indicator, resolution: Any = None,
                          selector: Any = None) -> None:  # fmt: skip
        self._backtest.warm_up_indicator(symbol, indicator, resolution, selector)

    def _made(self, indicator: ind.Indicator, symbols: Any, resolution: Any, selector: Any) -> Any:
        for symbol in symbols if isinstance(symbols, list | tuple) else [symbols]:
            self._backtest.register(symbol, indicator, selector, resolution)
        if self._backtest.settings.automatic_indicator_warm_up:
            self._backtest.warm_up_indicator(symbols, indicator, resolution, selector)
        return indicator

    def _named(self, symbol: Any, label: str, resolution: Any) -> str:
        return self.create_indicator_name(symbol, label, resolution)

    # -- time series -----------------------------------------------------------------------------------

    def arima(self, symbol: Any, ar_order: int, diff_order: int, ma_order: int, period: int, *args: Any,
              **named: Any) -> ind.Indicator:  # fmt: skip
        """LEAN's two overloads: ``(symbol, p, d, q, period, resolution=None, selector=None)`` with the intercept,
        and ``(symbol, p, d, q, period, intercept, resolution=None, selector=None)``."""
        names = (
            ["intercept", "resolution", "selector"]
            if args and isinstance(args[0], bool)
            else ["resolution", "selector"]
        )
        given = dict(zip(names, args, strict=False)) | named
        intercept = bool(given.get("intercept", True))
        resolution = given.get("resolution")
        name = self._named(symbol, f"ARIMA({ar_order},{diff_order},{ma_order},{period})", resolution)
        indicator = ind.AutoRegressiveIntegratedMovingAverage(name, ar_order, diff_order, ma_order, period, intercept)
        return self._made(indicator, symbol, resolution, given.get("selector"))

    # -- averages --------------------------------------------------------------------------------------

    def sma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"SMA({period})", resolution)
        return self._made(ind.SimpleMovingAverage(name, int(period)), symbol, resolution, selector)

    def ema(self, symbol: Any, period: int, smoothing_factor: Any = None, resolution: Any = None,
            selector: Any = None) -> ind.Indicator:  # fmt: skip
        if isinstance(smoothing_factor, Resolution):  # EMA(symbol, period, resolution, selector)
            smoothing_factor, resolution, selector = None, smoothing_factor, resolution
        k = 2.0 / (1 + int(period)) if smoothing_factor is None else float(smoothing_factor)
        name = self._named(symbol, f"EMA({period})", resolution)
        return self._made(ind.ExponentialMovingAverage(name, int(period), k), symbol, resolution, selector)

    def wwma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"WWMA({period})", resolution)
        return self._made(ind.WildersMovingAverage(name, int(period)), symbol, resolution, selector)

    def sum(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"SUM({period})", resolution)
        return self._made(ind.Sum(name, int(period)), symbol, resolution, selector)

    def identity(self, symbol: Any, resolution: Any = None, selector: Any = None,
                 field_name: str | None = None) -> ind.Indicator:  # fmt: skip
        if resolution is not None and not isinstance(resolution, Resolution | timedelta):
            resolution, selector, field_name = None, resolution, selector  # Identity(symbol, selector, name)
        name = self._named(symbol, field_name or "close", resolution)
        return self._made(ind.Identity(name), symbol, resolution, selector)

    # -- momentum --------------------------------------------------------------------------------------

    def rsi(self, symbol: Any, period: int, moving_average_type: Any = ind.MovingAverageType.WILDERS,
            resolution: Any = None, selector: Any = None) -> ind.Indicator:  # fmt: skip
        moving_average_type, resolution, selector = _shifted(moving_average_type, resolution, selector,
                                                             ind.MovingAverageType.WILDERS)  # fmt: skip
        name = self._named(symbol, f"RSI({period},{_enum_text(moving_average_type)})", resolution)
        indicator = ind.RelativeStrengthIndex(name, int(period), moving_average_type)
        return self._made(indicator, symbol, resolution, selector)

    def macd(self, symbol: Any, fast_period: int, slow_period: int, signal_period: int,
             type: Any = ind.MovingAverageType.EXPONENTIAL, resolution: Any = None,
             selector: Any = None) -> ind.Indicator:  # fmt: skip
        kind, resolution, selector = _shifted(type, resolution, selector, ind.MovingAverageType.EXPONENTIAL)
        name = self._named(symbol, f"MACD({fast_period},{slow_period},{signal_period})", resolution)
        indicator = ind.MovingAverageConvergenceDivergence(name, fast_period, slow_period, signal_period, kind)
        return self._made(indicator, symbol, resolution, selector)

    def mom(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._made(ind.Momentum(self._named(symbol, f"MOM({period})", resolution), int(period)),
                          symbol, resolution, selector)  # fmt: skip

    def momp(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._made(ind.MomentumPercent(self._named(symbol, f"MOMP({period})", resolution), int(period)),
                          symbol, resolution, selector)  # fmt: skip

    def roc(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._made(ind.RateOfChange(self._named(symbol, f"ROC({period})", resolution), int(period)),
                          symbol, resolution, selector)  # fmt: skip

    def rocp(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"ROCP({period})", resolution)
        return self._made(ind.RateOfChangePercent(name, int(period)), symbol, resolution, selector)

    def sto(self, symbol: Any, period: int, k_period: Any = None, d_period: Any = None, resolution: Any = None,
            selector: Any = None) -> ind.Indicator:  # fmt: skip
        if k_period is None or isinstance(k_period, Resolution):  # STO(symbol, period, resolution, selector)
            resolution, selector = k_period, d_period
            k_period, d_period = period, 3
        name = self._named(symbol, f"STO({period},{k_period},{d_period})", resolution)
        indicator = ind.Stochastic(name, int(period), int(k_period), int(d_period))
        return self._made(indicator, symbol, resolution, selector)

    # -- extremes and dispersion -----------------------------------------------------------------------

    def max(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        """LEAN's MAX reads the trade bar's high (MIN the low) unless given a selector."""
        name = self._named(symbol, f"MAX({period})", resolution)
        selector = selector or self._backtest.trade_selector(symbol, _high)
        return self._made(ind.Maximum(name, int(period)), symbol, resolution, selector)

    def min(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"MIN({period})", resolution)
        selector = selector or self._backtest.trade_selector(symbol, _low)
        return self._made(ind.Minimum(name, int(period)), symbol, resolution, selector)

    def std(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"STD({period})", resolution)
        return self._made(ind.StandardDeviation(name, int(period)), symbol, resolution, selector)

    def var(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        name = self._named(symbol, f"VAR({period})", resolution)
        return self._made(ind.Variance(name, int(period)), symbol, resolution, selector)

    def bb(self, symbol: Any, period: int, k: float, moving_average_type: Any = ind.MovingAverageType.SIMPLE,
           resolution: Any = None, selector: Any = None) -> ind.Indicator:  # fmt: skip
        moving_average_type, resolution, selector = _shifted(moving_average_type, resolution, selector,
                                                             ind.MovingAverageType.SIMPLE)  # fmt: skip
        name = self._named(symbol, f"BB({period},{k})", resolution)
        indicator = ind.BollingerBands(name, int(period), float(k), moving_average_type)
        return self._made(indicator, symbol, resolution, selector)

    def tr(self, symbol: Any, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._made(ind.TrueRange(self._named(symbol, "TR", resolution)), symbol, resolution, selector)

    def atr(self, symbol: Any, period: int, type: Any = ind.MovingAverageType.SIMPLE,
            resolution: Any = None, selector: Any = None) -> ind.Indicator:  # fmt: skip
        """LEAN's ATR helper smooths with a simple average by default (the class's default is Wilders)."""
        kind, resolution, selector = _shifted(type, resolution, selector, ind.MovingAverageType.SIMPLE)
        name = self._named(symbol, f"ATR({period})", resolution)
        return self._made(ind.AverageTrueRange(name, int(period), kind), symbol, resolution, selector)

    # -- volume and breadth ----------------------------------------------------------------------------

    def vwap(self, symbol: Any, period: int | None = None, resolution: Any = None,
             selector: Any = None) -> ind.Indicator:  # fmt: skip
        """``vwap(symbol)``: LEAN's intraday VWAP; ``vwap(symbol, period, ...)``: the rolling one."""
        if period is None:
            return self._made(ind.IntradayVwap(self._named(symbol, "VWAP", None)), symbol, None, None)
        name = self._named(symbol, f"VWAP({period})", resolution)
        return self._made(ind.VolumeWeightedAveragePriceIndicator(name, int(period)), symbol, resolution, selector)

    def trin(self, symbols: Any, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._breadth(ind.ArmsIndex, "TRIN", symbols, resolution, selector)

    def adr(self, symbols: Any, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._breadth(ind.AdvanceDeclineRatio, "A/D Ratio", symbols, resolution, selector)

    def advr(self, symbols: Any, resolution: Any = None, selector: Any = None) -> ind.Indicator:
        return self._breadth(ind.AdvanceDeclineVolumeRatio, "A/D Volume Rate", symbols, resolution, selector)

    def _breadth(self, kind: type, label: str, symbols: Any, resolution: Any, selector: Any) -> ind.Indicator:
        symbols = list(symbols)
        indicator = kind(self._breadth_name(label, symbols, resolution))
        for symbol in symbols:
            indicator.add(self._backtest.security(symbol).symbol)
        return self._made(indicator, symbols, resolution, selector)

    def _breadth_name(self, label: str, symbols: list[Any], resolution: Any) -> str:
        """Named without a symbol, at the first symbol's resolution unless given (LEAN's)."""
        level = resolution if resolution is not None else self._backtest.security(symbols[0]).resolution
        return self.create_indicator_name(None, label, level)


def _shifted(kind: Any, resolution: Any, selector: Any, default: Any) -> tuple[Any, Any, Any]:
    """A Resolution given where LEAN's signature has the average type: the call left the type out."""
    if isinstance(kind, Resolution):
        return default, kind, resolution
    return ind.MovingAverageType(int(kind)), resolution, selector


def _enum_text(kind: Any) -> str:
    return "".join(part.capitalize() for part in ind.MovingAverageType(int(kind)).name.split("_"))


def _high(bar: Any) -> float:
    return float(bar.high)


def _low(bar: Any) -> float:
    return float(bar.low)
