"""``from AlgorithmImports import *`` for the embedded engine: the LEAN names Python algorithms use.

This folder is put first on ``sys.path`` while an algorithm loads, so LEAN projects import it unchanged.
"""

import json  # noqa: F401
import math  # noqa: F401
from datetime import date, datetime, time, timedelta  # noqa: F401

import numpy as np  # noqa: F401
import pandas as pd  # noqa: F401

from backtest_core.engines.embedded.algorithm import QCAlgorithm
from backtest_core.engines.embedded.brokerage_models import DefaultBrokerageModel, FuncBenchmark  # noqa: F401
from backtest_core.engines.embedded.buying_power_models import (  # noqa: F401
    BuyingPowerModel,
    GetMaximumOrderQuantityForTargetBuyingPowerParameters,
    GetMaximumOrderQuantityResult,
    HasSufficientBuyingPowerForOrderParameters,
    HasSufficientBuyingPowerForOrderResult,
    InitialMargin,
    MaintenanceMargin,
    ReservedBuyingPowerForPosition,
)
from backtest_core.engines.embedded.charting import Chart, Color, ScatterMarkerSymbol, Series, SeriesType  # noqa: F401
from backtest_core.engines.embedded.combo_orders import GroupOrderManager, Leg  # noqa: F401
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
from backtest_core.engines.embedded.corporate_events import Dividend, Split, SplitType  # noqa: F401
from backtest_core.engines.embedded.delistings import Delisting, Delistings, DelistingType  # noqa: F401
from backtest_core.engines.embedded.dotnet_random import Random  # noqa: F401
from backtest_core.engines.embedded.extensions import Extensions  # noqa: F401
from backtest_core.engines.embedded.fee_models import FeeModel, OrderFeeParameters  # noqa: F401
from backtest_core.engines.embedded.fill_models import (  # noqa: F401
    EquityFillModel,
    Fill,
    FillModel,
    FillModelParameters,
    ImmediateFillModel,
)
from backtest_core.engines.embedded.india import (  # noqa: F401
    Exchange,
    IndiaFeeModel,
    IndiaOrderProperties,
    SamcoFeeModel,
    ZerodhaFeeModel,
)
from backtest_core.engines.embedded.indicators import *  # noqa: F403
from backtest_core.engines.embedded.indicators.fields import Field  # noqa: F401

# LEAN names the engine lacks: stand-ins that refuse by name when used (see lean_modules)
from backtest_core.engines.embedded.lean_modules import star_names
from backtest_core.engines.embedded.model import (  # noqa: F401
    AccountType,
    BaseData,
    BrokerageName,
    CashAmount,
    DataNormalizationMode,
    Market,
    MarketOnCloseOrder,
    OrderDirection,
    OrderEvent,
    OrderFee,
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
from backtest_core.engines.embedded.security_models import (  # noqa: F401
    ConstantRiskFreeRateInterestRateModel,
    ConvertibleCashAmount,
    FuncRiskFreeRateInterestRateModel,
    LocalDiskShortableProvider,
    MarginInterestRateModel,
    MarginInterestRateParameters,
    NullShortableProvider,
    ShortMarginInterestRateModel,
)
from backtest_core.engines.embedded.statistics_api import (  # noqa: F401
    Insight,
    InsightDirection,
    InsightType,
    PerformanceMetrics,
    StatisticsResults,
)
from backtest_core.engines.embedded.symbol_cache import SymbolCache  # noqa: F401
from backtest_core.engines.embedded.symbol_changes import SymbolChangedEvent, SymbolChangedEvents  # noqa: F401
from backtest_core.engines.embedded.time_in_force import (  # noqa: F401
    DayTimeInForce,
    GoodTilCanceledTimeInForce,
    GoodTilDateTimeInForce,
    OrderProperties,
    TimeInForce,
)
from backtest_core.engines.embedded.timezones import TimeZones  # noqa: F401
from backtest_core.engines.embedded.universe import SecurityChanges  # noqa: F401

globals().update(star_names(globals()))

# as LEAN's AlgorithmImports ends: typing's names over LEAN's, and the framework aliases
from typing import *  # noqa: E402, F403

QCAlgorithmFramework = QCAlgorithm
QCAlgorithmFrameworkBridge = QCAlgorithm
