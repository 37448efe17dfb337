"""``from AlgorithmImports import *`` for the embedded engine: the LEAN names Python algorithms use.

This folder is put first on ``sys.path`` while an algorithm loads, so LEAN projects import it unchanged.
"""

import json  # noqa: F401
import math  # noqa: F401
from datetime import date, datetime, time, timedelta  # noqa: F401

import numpy as np  # noqa: F401
import pandas as pd  # noqa: F401

from backtest_core.engines.embedded.algorithm import QCAlgorithm  # noqa: F401
from backtest_core.engines.embedded.charting import Chart, Color, ScatterMarkerSymbol, Series, SeriesType  # noqa: F401
from backtest_core.engines.embedded.indicators import (  # noqa: F401
    AverageTrueRange,
    BollingerBands,
    ExponentialMovingAverage,
    IndicatorDataPoint,
    Maximum,
    Minimum,
    Momentum,
    MomentumPercent,
    MovingAverageConvergenceDivergence,
    MovingAverageType,
    RateOfChange,
    RelativeStrengthIndex,
    RollingWindow,
    SimpleMovingAverage,
    StandardDeviation,
    VolumeWeightedAveragePriceIndicator,
    WildersMovingAverage,
)
from backtest_core.engines.embedded.model import (  # noqa: F401
    AccountType,
    BrokerageName,
    DataNormalizationMode,
    Market,
    OrderDirection,
    OrderEvent,
    OrderField,
    OrderResponse,
    OrderResponseErrorCode,
    OrderStatus,
    OrderTicket,
    OrderType,
    PortfolioTarget,
    QuoteBar,
    Resolution,
    SecurityType,
    Slice,
    SubmitOrderRequest,
    Symbol,
    TradeBar,
    UpdateOrderFields,
)
from backtest_core.engines.embedded.scheduling import DayOfWeek  # noqa: F401
