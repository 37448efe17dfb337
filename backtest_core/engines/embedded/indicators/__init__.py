"""LEAN's indicators for the embedded engine: the same names, readiness rules and values (as floats).

``base`` holds the core every indicator shares (samples, current point, window, Updated event); the
families live beside it. Indexing (``sma[0]``, ``sma[1]``) gives the latest and earlier values, as LEAN's
window. Automatic SMA/EMA/Wilders updates may be computed ahead over the loaded bars (``precomputed``).
"""

from backtest_core.engines.embedded.indicators.averages import (
    ExponentialMovingAverage,
    SimpleMovingAverage,
    Sum,
    WildersMovingAverage,
)
from backtest_core.engines.embedded.indicators.base import (
    Indicator,
    IndicatorDataPoint,
    IndicatorResult,
    IndicatorStatus,
    MovingAverageType,
    RollingWindow,
)
from backtest_core.engines.embedded.indicators.breadth import (
    AdvanceDeclineRatio,
    AdvanceDeclineVolumeRatio,
    ArmsIndex,
)
from backtest_core.engines.embedded.indicators.composite import (
    CompositeIndicator,
    ConstantIndicator,
    Delay,
    FunctionalIndicator,
    Identity,
    IndicatorExtensions,
    WindowIdentity,
)
from backtest_core.engines.embedded.indicators.extremes import Maximum, Minimum
from backtest_core.engines.embedded.indicators.momentum import (
    Momentum,
    MomentumPercent,
    MovingAverageConvergenceDivergence,
    RateOfChange,
    RateOfChangePercent,
    RelativeStrengthIndex,
    Stochastic,
)
from backtest_core.engines.embedded.indicators.time_series import AutoRegressiveIntegratedMovingAverage
from backtest_core.engines.embedded.indicators.volatility import (
    AverageTrueRange,
    BollingerBands,
    StandardDeviation,
    TrueRange,
    Variance,
)
from backtest_core.engines.embedded.indicators.volume import IntradayVwap, VolumeWeightedAveragePriceIndicator

WilderMovingAverage = WildersMovingAverage  # LEAN's class name

__all__ = [
    "AdvanceDeclineRatio",
    "AdvanceDeclineVolumeRatio",
    "ArmsIndex",
    "AutoRegressiveIntegratedMovingAverage",
    "AverageTrueRange",
    "BollingerBands",
    "CompositeIndicator",
    "ConstantIndicator",
    "Delay",
    "ExponentialMovingAverage",
    "FunctionalIndicator",
    "Identity",
    "Indicator",
    "IndicatorDataPoint",
    "IndicatorExtensions",
    "IndicatorResult",
    "IndicatorStatus",
    "IntradayVwap",
    "Maximum",
    "Minimum",
    "Momentum",
    "MomentumPercent",
    "MovingAverageConvergenceDivergence",
    "MovingAverageType",
    "RateOfChange",
    "RateOfChangePercent",
    "RelativeStrengthIndex",
    "RollingWindow",
    "SimpleMovingAverage",
    "StandardDeviation",
    "Stochastic",
    "Sum",
    "TrueRange",
    "Variance",
    "VolumeWeightedAveragePriceIndicator",
    "WilderMovingAverage",
    "WildersMovingAverage",
    "WindowIdentity",
]
