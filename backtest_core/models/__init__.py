"""Pydantic models at every boundary of the app; no I/O here."""

from backtest_core.models.enums import BacktestStatus, EngineName, Resolution
from backtest_core.models.request import NAME_LIMIT, BacktestRequest, clean_tags, describe_validation_error
from backtest_core.models.run import (
    BacktestProgress,
    BacktestResult,
    BacktestRunInfo,
    DataSource,
    KeyStatistics,
    Page,
    ResultSource,
    RunDescription,
    RunOrigin,
    RunQuery,
    RunWarning,
    SortKey,
)
from backtest_core.models.statistics import KEY_STATISTICS, BacktestStatistics, parse_statistic
from backtest_core.models.strategy import StrategyDetails, StrategyInfo

__all__ = [
    "KEY_STATISTICS",
    "NAME_LIMIT",
    "BacktestProgress",
    "BacktestRequest",
    "BacktestResult",
    "BacktestRunInfo",
    "BacktestStatistics",
    "BacktestStatus",
    "DataSource",
    "EngineName",
    "KeyStatistics",
    "Page",
    "Resolution",
    "ResultSource",
    "RunDescription",
    "RunOrigin",
    "RunQuery",
    "RunWarning",
    "SortKey",
    "StrategyDetails",
    "StrategyInfo",
    "clean_tags",
    "describe_validation_error",
    "parse_statistic",
]
