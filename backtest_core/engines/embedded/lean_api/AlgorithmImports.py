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
from backtest_core.engines.embedded.consolidation import TickType  # noqa: F401
from backtest_core.engines.embedded.consolidators import (  # noqa: F401
    BarDirection,
    BaseDataConsolidator,
    Calendar,
    CalendarInfo,
    ClassicRangeConsolidator,
    ClassicRenkoConsolidator,
    DollarVolumeRenkoConsolidator,
    IdentityDataConsolidator,
    MarketHourAwareConsolidator,
    QuoteBarConsolidator,
    RangeBar,
    RangeConsolidator,
    RenkoBar,
    RenkoConsolidator,
    RenkoType,
    SequentialConsolidator,
    TradeBarConsolidator,
    VolumeRenkoBar,
    VolumeRenkoConsolidator,
    WickedRenkoConsolidator,
)
from backtest_core.engines.embedded.indicators import *  # noqa: F403
from backtest_core.engines.embedded.indicators.fields import Field  # noqa: F401
from backtest_core.engines.embedded.model import (  # noqa: F401
    AccountType,
    BaseData,
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
    RegressionTestException,
    Resolution,
    SecurityType,
    Slice,
    SubmitOrderRequest,
    Symbol,
    TradeBar,
    UpdateOrderFields,
)
from backtest_core.engines.embedded.scheduling import DayOfWeek  # noqa: F401
