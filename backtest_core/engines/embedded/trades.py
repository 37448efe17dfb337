"""Closed trades and their statistics, as LEAN's default ``TradeBuilder`` and ``TradeStatistics`` make them.

LEAN groups fills fill-to-fill and matches them first in, first out: every entry fill is its own open trade,
an opposite fill closes the oldest ones (splitting one when it closes it only in part), and a fill larger
than the position reverses it. Profit is gross of fees; MAE/MFE come from the lowest and highest prices the
position saw (``lean:Common/Statistics/TradeBuilder.cs``, ``TradeStatistics.cs``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any, Protocol

from backtest_core.engines.embedded.clock import utc_text

TICKS_PER_SECOND = 10_000_000


@dataclass
class ClosedTrade:
    symbol: str
    symbol_id: str
    entry_time: datetime
    entry_price: float
    direction: int  # 0 long, 1 short
    quantity: float
    exit_time: datetime
    exit_price: float
    profit_loss: float
    total_fees: float
    mae: float
    mfe: float
    end_trade_drawdown: float
    order_ids: list[int] = field(default_factory=list)

    @property
    def duration(self) -> timedelta:
        return self.exit_time - self.entry_time

    @property
    def is_win(self) -> bool:
        return self.profit_loss > 0

    def to_json(self) -> dict[str, Any]:
        """LEAN's closed-trade JSON (``totalPerformance.closedTrades`` items)."""
        return {
            "symbol": {"value": self.symbol, "id": self.symbol_id, "permtick": self.symbol},
            "entryTime": utc_text(self.entry_time),
            "entryPrice": self.entry_price,
            "direction": self.direction,
            "quantity": self.quantity,
            "exitTime": utc_text(self.exit_time),
            "exitPrice": self.exit_price,
            "profitLoss": self.profit_loss,
            "totalFees": self.total_fees,
            "mae": self.mae,
            "mfe": self.mfe,
            "duration": timespan(self.duration),
            "endTradeDrawdown": self.end_trade_drawdown,
            "isWin": self.is_win,
            "orderIds": self.order_ids,
        }


@dataclass
class _OpenTrade:
    entry_time: datetime
    entry_price: float
    long: bool
    quantity: float  # absolute
    fees: float
    order_id: int


@dataclass
class _Position:
    trades: list[_OpenTrade]
    low: float
    high: float

    def widen(self, price: float) -> None:
        """LEAN's ``SetMarketPrice``: the open position's price range takes in ``price`` (0: no price yet)."""
        if price > self.high:
            self.high = price
        elif 0 < price < self.low:
            self.low = price


class Priced(Protocol):
    price: float


class TradeBuilder:
    """Feeds on fills and prices; ``closed_trades`` are LEAN's closed round trips, in closing order."""

    def __init__(self) -> None:
        self.open_positions: dict[str, _Position] = {}
        self.closed_trades: list[ClosedTrade] = []
        self._orders_with_fee: set[int] = set()

    def mark(self, securities: Mapping[str, Priced]) -> None:
        """Every open position's price range takes in its security's latest price (once per time step while
        invested: ``widen`` is called only for a price outside the range, most steps' prices are within it)."""
        for symbol_id, position in self.open_positions.items():
            price = securities[symbol_id].price
            if price > position.high or price < position.low:
                position.widen(price)

    def on_fill(
        self, symbol: str, symbol_id: str, order_id: int, time: datetime, price: float, quantity: float, fee: float
    ) -> None:
        """LEAN's ``TradeBuilder.ProcessFill`` (fill to fill, FIFO). An order's fee goes with its first fill only,
        so an order filled in parts brings none (its fee comes with its last fill); a fill of no quantity opens
        an empty trade when flat and moves nothing otherwise."""
        if order_id in self._orders_with_fee:
            fee = 0.0
        self._orders_with_fee.add(order_id)
        position = self.open_positions.get(symbol_id)
        if position is None or not position.trades:
            self.open_positions[symbol_id] = _Position(
                [_OpenTrade(time, price, quantity > 0, abs(quantity), fee, order_id)], price, price
            )
            return
        position.widen(price)
        if quantity and (quantity > 0) == position.trades[0].long:
            position.trades.append(_OpenTrade(time, price, quantity > 0, abs(quantity), fee, order_id))
            return
        remaining, fee_assigned = abs(quantity), False
        while position.trades and remaining > 0:
            trade = position.trades[0]
            closed = min(remaining, trade.quantity)
            fees = trade.fees + (0.0 if fee_assigned else fee)  # a closing fee counts once per fill
            if closed == trade.quantity:
                position.trades.pop(0)
            else:  # partly closed: the entry fee went with the first part
                trade.quantity -= closed
                trade.fees = 0.0
            self.closed_trades.append(_close(symbol, symbol_id, trade, closed, time, price, fees, position, order_id))
            remaining -= closed
            fee_assigned = True
        if not position.trades:
            del self.open_positions[symbol_id]
        if remaining > 0:  # reversal: the rest opens a trade the other way, its fee already assigned
            self.open_positions[symbol_id] = _Position(
                [_OpenTrade(time, price, quantity > 0, remaining, 0.0, order_id)], price, price
            )


def _close(
    symbol: str,
    symbol_id: str,
    trade: _OpenTrade,
    quantity: float,
    time: datetime,
    price: float,
    fees: float,
    position: _Position,
    order_id: int,
) -> ClosedTrade:
    """A closed trade with LEAN's decimal arithmetic: figures are ``Math.Round(x, 2)`` of exact products."""
    sign = 1 if trade.long else -1
    entry, exit_, size = _exact(trade.entry_price), _exact(price), _exact(quantity)
    low, high = _exact(position.low), _exact(position.high)
    worst = low - entry if trade.long else entry - high
    best = high - entry if trade.long else entry - low
    profit = _round2((exit_ - entry) * size * sign)
    mfe = _round2(best * size)
    return ClosedTrade(
        symbol=symbol,
        symbol_id=symbol_id,
        entry_time=trade.entry_time,
        entry_price=trade.entry_price,
        direction=0 if trade.long else 1,
        quantity=quantity,
        exit_time=time,
        exit_price=price,
        profit_loss=float(profit),
        total_fees=fees,
        mae=float(_round2(worst * size)),
        mfe=float(mfe),
        end_trade_drawdown=float(profit - mfe),
        order_ids=sorted({trade.order_id, order_id}),
    )


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def trade_statistics(trades: list[ClosedTrade]) -> dict[str, Any]:
    """LEAN's ``tradeStatistics`` block, computed with C#-like decimals so the printed digits agree.

    LEAN accumulates averages incrementally in ``decimal`` (28 significant digits) and its JSON converter
    rounds to 4 places without padding: an average that happens to be exact keeps its short scale.
    """
    with localcontext() as context:
        context.prec = 28
        return _trade_statistics(trades)


def _trade_statistics(trades: list[ClosedTrade]) -> dict[str, Any]:
    zero = Decimal(0)
    v: dict[str, Decimal] = dict.fromkeys((*_DECIMAL_KEYS, "totalFees"), zero)
    wins = losses = streak_wins = streak_losses = max_wins = max_losses = 0
    peak = peak_with_mfe = variance_sum = downside_sum = zero
    durations: list[float] = []
    win_durations: list[float] = []
    loss_durations: list[float] = []
    last_peak: datetime | None = None
    in_drawdown = False
    drawdown_duration = timedelta(0)
    for count, trade in enumerate(trades, start=1):
        profit, mae, mfe = _money(trade.profit_loss), _money(trade.mae), _money(trade.mfe)
        last_peak = last_peak or trade.entry_time
        peak_with_mfe = max(peak_with_mfe, v["totalProfitLoss"] + mfe)
        v["maximumIntraTradeDrawdown"] = min(v["maximumIntraTradeDrawdown"], v["totalProfitLoss"] + mae - peak_with_mfe)
        seconds = trade.duration.total_seconds()
        v["totalProfitLoss"] += profit
        if profit > 0:
            wins += 1
            v["totalProfit"] += profit
            v["averageProfit"] += (profit - v["averageProfit"]) / wins
            win_durations.append(seconds)
            v["largestProfit"] = max(v["largestProfit"], profit)
            streak_wins, streak_losses = streak_wins + 1, 0
            max_wins = max(max_wins, streak_wins)
            if v["totalProfitLoss"] > peak:
                peak = v["totalProfitLoss"]
                if in_drawdown and trade.exit_time - last_peak > drawdown_duration:
                    drawdown_duration = trade.exit_time - last_peak
                last_peak, in_drawdown = trade.exit_time, False
        else:
            losses += 1
            v["totalLoss"] += profit
            previous = v["averageLoss"]
            v["averageLoss"] += (profit - previous) / losses
            downside_sum += (profit - previous) * (profit - v["averageLoss"])
            loss_durations.append(seconds)
            v["largestLoss"] = min(v["largestLoss"], profit)
            streak_wins, streak_losses = 0, streak_losses + 1
            max_losses = max(max_losses, streak_losses)
            v["maximumClosedTradeDrawdown"] = min(v["maximumClosedTradeDrawdown"], v["totalProfitLoss"] - peak)
            in_drawdown = True
        previous = v["averageProfitLoss"]
        v["averageProfitLoss"] += (profit - previous) / count
        variance_sum += (profit - previous) * (profit - v["averageProfitLoss"])
        durations.append(seconds)
        v["averageMAE"] += (mae - v["averageMAE"]) / count
        v["averageMFE"] += (mfe - v["averageMFE"]) / count
        v["largestMAE"] = min(v["largestMAE"], mae)
        v["largestMFE"] = max(v["largestMFE"], mfe)
        v["maximumEndTradeDrawdown"] = min(v["maximumEndTradeDrawdown"], _money(trade.end_trade_drawdown))
        v["totalFees"] += _fee(trade.total_fees)
    total = len(trades)
    # LEAN updates the deviations at every trade; only the last values are reported, so they are taken once
    if total:
        v["profitLossStandardDeviation"] = _sqrt(variance_sum / (total - 1) if total > 1 else zero)
    if losses:
        v["profitLossDownsideDeviation"] = _sqrt(downside_sum / (losses - 1) if losses > 1 else zero)
    v["profitLossRatio"] = v["averageProfit"] / abs(v["averageLoss"]) if v["averageLoss"] else zero
    v["winLossRatio"] = (Decimal(wins) / losses if losses else Decimal(10)) if total else zero
    v["winRate"] = Decimal(wins) / total if total else zero
    v["lossRate"] = 1 - v["winRate"] if total else zero
    v["profitFactor"] = (
        zero
        if not v["totalProfit"]
        else (v["totalProfit"] / abs(v["totalLoss"]) if v["totalLoss"] < 0 else Decimal(10))
    )
    deviation, downside = v["profitLossStandardDeviation"], v["profitLossDownsideDeviation"]
    v["sharpeRatio"] = v["averageProfitLoss"] / deviation if deviation > 0 else zero
    v["sortinoRatio"] = v["averageProfitLoss"] / downside if downside > 0 else zero
    drawdown = v["maximumClosedTradeDrawdown"]
    v["profitToMaxDrawdownRatio"] = (
        zero if not v["totalProfitLoss"] else (v["totalProfitLoss"] / abs(drawdown) if drawdown < 0 else Decimal(10))
    )
    v["averageEndTradeDrawdown"] = v["averageProfitLoss"] - v["averageMFE"]
    body: dict[str, Any] = {
        "startDateTime": utc_text(min(t.entry_time for t in trades)) if trades else None,
        "endDateTime": utc_text(max(t.exit_time for t in trades)) if trades else None,
        "totalNumberOfTrades": total,
        "numberOfWinningTrades": wins,
        "numberOfLosingTrades": losses,
    }
    body |= {key: _json_decimal(v[key]) for key in _DECIMAL_KEYS[:8]}
    body |= {
        "averageTradeDuration": timespan(_running_mean(durations)),
        "averageWinningTradeDuration": timespan(_running_mean(win_durations)),
        "averageLosingTradeDuration": timespan(_running_mean(loss_durations)),
        "medianTradeDuration": timespan(_median(durations)),
        "medianWinningTradeDuration": timespan(_median(win_durations)),
        "medianLosingTradeDuration": timespan(_median(loss_durations)),
        "maxConsecutiveWinningTrades": max_wins,
        "maxConsecutiveLosingTrades": max_losses,
    }
    body |= {key: _json_decimal(v[key]) for key in _DECIMAL_KEYS[8:]}
    body["maximumDrawdownDuration"] = timespan(drawdown_duration)
    body["totalFees"] = _json_decimal(v["totalFees"])
    return body


_DECIMAL_KEYS = (
    "totalProfitLoss",
    "totalProfit",
    "totalLoss",
    "largestProfit",
    "largestLoss",
    "averageProfitLoss",
    "averageProfit",
    "averageLoss",
    "profitLossRatio",
    "winLossRatio",
    "winRate",
    "lossRate",
    "averageMAE",
    "averageMFE",
    "largestMAE",
    "largestMFE",
    "maximumClosedTradeDrawdown",
    "maximumIntraTradeDrawdown",
    "profitLossStandardDeviation",
    "profitLossDownsideDeviation",
    "profitFactor",
    "sharpeRatio",
    "sortinoRatio",
    "profitToMaxDrawdownRatio",
    "maximumEndTradeDrawdown",
    "averageEndTradeDrawdown",
)


def _money(value: float) -> Decimal:
    """A trade figure as LEAN holds it: ``Math.Round(x, 2)``, a decimal with two places."""
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _fee(value: float) -> Decimal:
    """An IB fee as LEAN's decimal: whole dollars (the $1 minimum) or 0.005 x shares, three places."""
    exact = Decimal(repr(float(value)))
    return Decimal(int(exact)) if exact == exact.to_integral_value() else exact.quantize(Decimal("0.001"))


def _sqrt(value: Decimal) -> Decimal:
    """``(decimal)Math.Sqrt((double)value)``: a double root, converted back with 15 significant digits."""
    return Decimal(format(math.sqrt(float(value)), ".15g")) if value > 0 else Decimal(0)


def _json_decimal(value: Decimal) -> str:
    """LEAN's ``JsonRoundingConverter``: ``Math.Round(value, 4)``, which keeps a shorter scale as it is."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        value = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    text = format(value, "f")
    return "0" if text in ("-0", "0", "0.0000", "-0.0000") else text


def _running_mean(seconds: list[float]) -> int:
    """LEAN's incremental average of durations, each step truncated to whole ticks as ``TimeSpan`` stores them."""
    ticks = 0
    for n, value in enumerate(seconds, start=1):
        ticks += int((value - ticks / TICKS_PER_SECOND) / n * TICKS_PER_SECOND)  # .NET truncates to ticks
    return ticks


def _median(seconds: list[float]) -> timedelta:
    """LEAN's median of tick counts: the upper middle element of the sorted values."""
    return timedelta(seconds=sorted(seconds)[len(seconds) // 2]) if seconds else timedelta(0)


def timespan(value: timedelta | int) -> str:
    """.NET ``TimeSpan.ToString()`` of a duration or a tick count: ``[-][d.]hh:mm:ss[.fffffff]``."""
    ticks = value if isinstance(value, int) else round(value.total_seconds() * TICKS_PER_SECOND)
    sign = "-" if ticks < 0 else ""
    ticks = abs(ticks)
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}{f'{days}.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:07d}" if fraction else "")
