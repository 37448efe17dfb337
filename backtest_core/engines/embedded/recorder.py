"""What LEAN's backtesting result handler records, and the result folder it writes at the end.

Sampling follows LEAN (``../shared/docs/lean-reference.md`` §8.9): an equity candle updated every time step and
closed every resample period, and a daily sample at each local midnight (``Return``, ``Benchmark``,
``Drawdown``, ``Portfolio Turnover``, ...), plus a final sample at the last data time. Statistics come from
these samples exactly as LEAN derives them, so the numbers agree with LEAN's.
"""

from __future__ import annotations

import math
import socket
import time as wallclock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from backtest_core.engines.base import EngineProgress
from backtest_core.engines.embedded.benchmark_currency import benchmark_rate
from backtest_core.engines.embedded.cash_account import COINBASE_TRADING_DAYS
from backtest_core.engines.embedded.cash_book import currency_symbol
from backtest_core.engines.embedded.charting import Chart, SeriesType
from backtest_core.engines.embedded.clock import utc_text
from backtest_core.engines.embedded.model import (
    MARKETABLE,
    STOP_PRICED,
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    SecurityType,
    Symbol,
)
from backtest_core.engines.embedded.order_hash import order_broker_ids, order_currency, order_list_hash, properties_json
from backtest_core.engines.embedded.trades import TradeBuilder, trade_statistics
from backtest_core.stats import StatisticsInputs, compute_statistics, runtime_statistics
from backtest_core.stats.decimals import ZERO
from backtest_core.store.folders import write_atomic

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest
    from backtest_core.engines.embedded.broker import Security

NS = 1_000_000_000
DAY_NS = 86_400 * NS
PROGRESS_INTERVAL_S = 0.5
PROGRESS_CHECK_MASK = 63  # the wall clock is read on every 64th step (and the first)
LEAN_VERSION = "v2.5.0.0"
# the order types by the JSON fields they carry, as module globals: CPython 3.11 does not specialise an enum
# class's attribute reads, and each order's JSON asks a dozen
_LIMIT_PRICED = (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED, OrderType.COMBO_LEG_LIMIT)
_TRAILING_STOP, _STOP_LIMIT = OrderType.TRAILING_STOP, OrderType.STOP_LIMIT
_LIMIT_IF_TOUCHED, _EQUITY = OrderType.LIMIT_IF_TOUCHED, SecurityType.EQUITY

Progress = Callable[[EngineProgress], None]
LogLine = Callable[[str], None]


@dataclass
class _Series:
    name: str
    unit: str
    index: int
    series_type: int
    points: list[list[Any]] = field(default_factory=list)
    color: str = ""
    marker: str = "none"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "index": self.index,
            "seriesType": self.series_type,
        }
        body["values"] = self.points  # smart-rounded as they were sampled
        if self.series_type != SeriesType.CANDLE:
            body |= {"color": self.color, "scatterMarkerSymbol": self.marker}
        return body


class Recorder:
    """Collects samples, orders and logs of one backtest and writes LEAN's result files."""

    def __init__(
        self, output_dir: Path, algorithm_id: str, progress: Progress | None = None, log_line: LogLine | None = None
    ) -> None:
        self.output_dir = output_dir
        self.algorithm_id = algorithm_id
        self.progress_callback = progress
        self.log_callback = log_line
        self.started_wall = datetime.now(UTC)
        self._log_file = None
        self.algorithm_lines: list[str] = []
        self._once: set[str] = set()
        self.charts: dict[str, dict[str, _Series]] = {}
        self.orders: dict[int, Order] = {}
        self.order_security_types: dict[int, SecurityType] = {}
        self.events: list[tuple[OrderEvent, Order]] = []
        self.trades = TradeBuilder()
        self._traded: dict[str, Security] = {}  # securities ever ordered, by symbol id: their prices mark trades
        self.profit_loss: dict[str, float] = {}
        self.starting_cash = 0.0
        self.period: tuple[date, date] | None = None  # the backtest's dates, once initialize and overrides ran
        self._backtest: Backtest | None = None  # set by start(): what a progress report between steps reads
        self.start_ns = 0
        self.end_ns = 0
        self.next_midnight_ns = 0
        self.resample_ns = 4 * 60 * NS
        self.next_resample_ns = 0
        self.internal_ns: np.ndarray | None = None  # the internal benchmark's steps, when sampled apart
        self._internal_at = 0
        self.candle: list[float] | None = None
        self.daily_value = 0.0
        self.peak = 0.0
        self.volume = 0.0  # sales volume of every fill so far
        self.last_volume = 0.0
        self.benchmark: tuple[np.ndarray, np.ndarray] | None = None
        self.benchmark_function: Callable[[datetime], float] | None = None
        self.benchmark_rate: Callable[[], float] | None = None  # the benchmark's USD to the account currency
        self.data_points = 0
        self._next_progress = 0.0
        self.final_equity: float | None = None
        output_dir.mkdir(parents=True, exist_ok=True)
        self._log_file = (output_dir / "log.txt").open("a", encoding="utf-8")
        self.engine_log(
            "TRACE",
            f"Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE {LEAN_VERSION} Mode: RELEASE (64bit) "
            f"Host: {socket.gethostname()} (Backtest Studio embedded engine)",
        )

    # -- logs ------------------------------------------------------------------------------------------------

    def engine_log(self, level: str, text: str) -> None:
        """A line of ``log.txt`` in LEAN's file format (``<ISO time> LEVEL:: text``)."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
        line = f"{stamp} {level}:: {text}"
        if self._log_file is not None:
            self._log_file.write(line + "\n")
            self._log_file.flush()
        if self.log_callback is not None:
            self.log_callback(line)
        self._progress_if_due()

    def algorithm_message(self, kind: str, text: str, local_time: datetime, once: bool) -> None:
        """``debug``/``log``/``error``: into ``<id>-log.txt`` with algorithm time, and into the engine log."""
        if once:
            if text in self._once:
                return
            self._once.add(text)
        self.algorithm_lines.append(f"{local_time:%Y-%m-%d %H:%M:%S} {text}")
        if kind == "Error":
            self.engine_log("ERROR", text)
        else:
            self.engine_log("TRACE", f"{kind}: {text}")

    # -- charts ----------------------------------------------------------------------------------------------

    def _series(
        self, chart: str, name: str, unit: str = "$", series_type: int = SeriesType.LINE, index: int = 0
    ) -> _Series:
        series = self.charts.setdefault(chart, {})
        if name not in series:
            series[name] = _Series(name, unit, index, int(series_type))
        return series[name]

    def add_chart(self, chart: Chart) -> None:
        for series in chart.series.values():
            entry = self._series(chart.name, series.name, series.unit, series.series_type, series.index)
            entry.color, entry.marker = series.color, series.scatter_marker_symbol

    def plot(self, chart: str, series: str, utc_time: datetime, value: float) -> None:
        points = self._series(chart, series).points
        if not math.isfinite(value):
            return
        stamp = int(utc_time.timestamp())
        value = smart_round(value)  # LEAN's ChartPoint rounds every value it holds
        if points and points[-1][0] == stamp:
            points[-1][1] = value  # LEAN keeps one value per series and timestamp
        else:
            points.append([stamp, value])

    # -- orders ------------------------------------------------------------------------------------------------

    def order_event(self, event: OrderEvent, order: Order, security: Security) -> None:
        """Each value read once: this runs for every order event of the run."""
        order_id, symbol = order.id, security.symbol
        self.orders[order_id] = order
        self._traded[symbol.id] = security
        self.events.append((event, order))
        if event.is_fill:
            price, quantity = event.fill_price, event.fill_quantity
            self.volume += abs(quantity * price) * security.quote_rate  # account currency
            self.trades.on_fill(symbol.value, symbol.id, order_id, event.utc_time, price, quantity, event.fee)

    # -- sampling ----------------------------------------------------------------------------------------------

    def start(self, backtest: Backtest, cash: float) -> None:
        """After initialize: the period is known; log LEAN's ``Dates:`` line and set the resample period."""
        self.starting_cash = cash
        self.period = (backtest.start, backtest.end)
        self._backtest = backtest
        span_minutes = (backtest.end - backtest.start + timedelta(days=1)).total_seconds() / 60
        self.resample_ns = int(max(4.0, span_minutes / 4000) * 60 * NS)
        self.engine_log(
            "TRACE",
            f"BacktestingSetupHandler.Setup(): Dates: Start: {backtest.start:%m/%d/%Y} "
            f"End: {backtest.end:%m/%d/%Y} Cash: ¤{cash:,.2f} MaximumRuntime: 100.00:00:00 "
            f"MaxOrders: 2147483647",
        )
        self.engine_log("TRACE", f"BacktestingResultHandler(): Sample Period Set: {self.resample_ns / NS / 60:05.2f}")
        self.benchmark = backtest.benchmark_series()
        self.benchmark_rate = benchmark_rate(backtest)
        self.benchmark_function = backtest.benchmark_value if backtest.benchmark_function is not None else None
        self.algorithm_message(
            "Debug",
            f"Launching analysis for {self.algorithm_id} with LEAN Engine {LEAN_VERSION}",
            datetime.combine(backtest.start, datetime.min.time()),
            False,
        )

    def begin(self, start_ns: int, end_ns: int) -> None:
        """The first samples: equity = cash at the start date's midnight, LEAN's first daily sample."""
        self.start_ns, self.end_ns = start_ns, end_ns
        self.daily_value = self.peak = self.starting_cash
        self.candle = [self.starting_cash] * 4
        self._close_candle(start_ns)
        self._daily_sample(start_ns, self.starting_cash, first=True)
        self.next_midnight_ns = start_ns + DAY_NS
        self.next_resample_ns = 0  # LEAN's first resample happens at the first time step

    def sample_midnights(self, backtest: Backtest, step_ns: int) -> None:
        """Daily samples for every local midnight up to this step (LEAN samples weekends too), within the period
        (LEAN's daily sampling is a scheduled event of each date to the end date; a step at the midnight after it,
        a crypto bar's end, gets only the final sample)."""
        while self.next_midnight_ns <= step_ns and self.next_midnight_ns < self.end_ns:
            midnight = self.next_midnight_ns
            value = backtest.portfolio.total_portfolio_value
            if self.internal_ns is not None:
                self.internal_steps_before(midnight, value)
            self._update_candle(value)
            self._close_candle(midnight)
            self._daily_sample(midnight, value)
            self.next_midnight_ns = backtest.next_local_midnight_ns(midnight)

    def sample_internal_steps(self, start_ns: int) -> None:
        """Sample at the steps of LEAN's internal benchmark feed too: a time slice of only its data still runs
        ``ProcessSynchronousEvents`` (the equity candle, closed once a resample period is past), and the
        statistics' average risk-free rate is taken over the candles' dates. Used where those steps fall
        outside the algorithm's own (an India equity's session against SPY's hours)."""
        if self.benchmark is not None:
            self.internal_ns = self.benchmark[0]
            self._internal_at = int(np.searchsorted(self.internal_ns, start_ns, side="right"))

    def internal_steps_before(self, step_ns: int, value: float) -> None:
        """The internal feed's steps before ``step_ns``, at the portfolio value they saw (no prices moved)."""
        ends, index = self.internal_ns, self._internal_at
        assert ends is not None
        while index < len(ends) and ends[index] < step_ns:
            moment = int(ends[index])
            self._update_candle(value)
            if moment > self.next_resample_ns:
                self._close_candle(moment)
                self.next_resample_ns = moment + self.resample_ns
            index += 1
        self._internal_at = index

    def on_step(self, backtest: Backtest, step_ns: int, value: float) -> None:
        """After the fills of one time step (``value``: the portfolio value): the equity candle, resampling,
        MAE/MFE, progress. The candle holds raw values and is rounded when it closes: rounding is monotonic,
        so the extremes and the last value come out as if each step had been rounded, at a fraction of the cost.
        Called at every time step: the open candle is updated here rather than by a call of ``_update_candle``."""
        self.data_points += 1
        candle = self.candle
        if candle is None:
            self.candle = [value] * 4
        else:
            if value > candle[1]:
                candle[1] = value
            elif value < candle[2]:
                candle[2] = value
            candle[3] = value
        if step_ns > self.next_resample_ns:
            self._close_candle(step_ns)
            self.next_resample_ns = step_ns + self.resample_ns
        if self.trades.open_positions:  # MAE/MFE of open trades
            self.trades.mark(self._traded)
        if self.data_points & PROGRESS_CHECK_MASK == 1 and self.progress_callback is not None:
            now = wallclock.monotonic()
            if now >= self._next_progress:
                self._next_progress = now + PROGRESS_INTERVAL_S
                self.progress_callback(self._progress(backtest, step_ns, round(value, 4)))

    def _progress_if_due(self) -> None:
        """Progress at the current simulated time when a log line comes and a report is due: an algorithm that
        takes seconds per time step (or loops inside one) still logs, and the monitor follows it there rather
        than waiting for the next 64th step."""
        backtest = self._backtest
        if backtest is None or self.progress_callback is None or not self.start_ns:
            return
        now = wallclock.monotonic()
        if now >= self._next_progress:
            self._next_progress = now + PROGRESS_INTERVAL_S
            value = backtest.portfolio.total_portfolio_value
            self.progress_callback(self._progress(backtest, backtest.clock.ns, round(value, 4)))

    def finish(self, backtest: Backtest, last_step_ns: int | None, error: str = "", trace: str = "") -> None:
        """Final samples, statistics and every result file; called once, also after a runtime error.

        A run that ends normally (or by ``quit()``) takes LEAN's final sample at its last time step. A runtime
        error ends LEAN's loop before that sample: only the equity candle is closed, at the failing moment (LEAN's
        exit sampling), so no return, benchmark or drawdown point is added for the unfinished day."""
        backtest.final_capacity_update()  # LEAN's exit processing, also after a runtime error
        value = backtest.portfolio.total_portfolio_value
        if error:
            if self.candle is not None:
                self._update_candle(value)
                self._close_candle(backtest.clock.ns)
        elif last_step_ns is not None:
            self._update_candle(value)
            self._close_candle(last_step_ns)
            self._daily_sample(last_step_ns, value)
        self.final_equity = backtest.portfolio.total_portfolio_value
        self._write_results(backtest, error, trace)

    def finish_without_algorithm(self, error: str, trace: str) -> None:
        """LEAN's empty result for a run that never got past loading or initialize."""
        self._write_results(None, error, trace)

    # -- internals -----------------------------------------------------------------------------------------

    def _update_candle(self, value: float) -> None:
        candle = self.candle
        if candle is None:
            self.candle = [value] * 4
            return
        if value > candle[1]:
            candle[1] = value
        elif value < candle[2]:
            candle[2] = value
        candle[3] = value

    def _close_candle(self, utc_ns: int) -> None:
        if self.candle is None:
            return
        o, h, low, c = (smart_round(value) for value in self.candle)  # LEAN's Candlestick rounds as ChartPoint
        points = self._series("Strategy Equity", "Equity", "$", SeriesType.CANDLE).points
        stamp = utc_ns // NS
        if points and points[-1][0] == stamp:
            points[-1] = [stamp, points[-1][1], max(points[-1][2], h), min(points[-1][3], low), c]
        else:
            points.append([stamp, o, h, low, c])
        self.candle = None  # the next candle opens at the next value, as LEAN's does

    def _daily_sample(self, utc_ns: int, value: float, first: bool = False) -> None:
        """LEAN's daily samples. Each value is smart-rounded as LEAN's ChartPoint stores it, and the statistics
        are computed from these stored values, as LEAN's are (the 7 significant digits of a daily return move
        the last printed digit of a ratio whose tracking error is tiny)."""
        stamp = utc_ns // NS
        change = (
            0.0 if first or not self.daily_value else round((value - self.daily_value) * 100 / self.daily_value, 10)
        )
        self._series("Strategy Equity", "Return", "%", SeriesType.BAR, 1).points.append([stamp, smart_round(change)])
        self.daily_value = value
        self.peak = max(self.peak, value)
        drawdown = round((value / self.peak - 1) * 100, 2) if self.peak else 0.0
        self._series("Drawdown", "Equity Drawdown", "%").points.append([stamp, smart_round(drawdown)])
        benchmark = smart_round(self._benchmark_at(utc_ns))
        self._series("Benchmark", "Benchmark", "$").points.append([stamp, benchmark])
        if not first:
            # LEAN's turnover: sales volume since the previous daily sample over the portfolio value
            turnover = (self.volume - self.last_volume) / value if value else 0.0
            self.last_volume = self.volume
            self._series("Portfolio Turnover", "Portfolio Turnover", "%").points.append([stamp, smart_round(turnover)])

    def _benchmark_at(self, utc_ns: int) -> float:
        if self.benchmark_function is not None:
            return float(self.benchmark_function(datetime.fromtimestamp(utc_ns / NS, UTC).replace(tzinfo=None)))
        if self.benchmark is None:
            return 0.0
        ends, closes = self.benchmark
        i = int(np.searchsorted(ends, utc_ns, side="right")) - 1
        price = float(closes[i]) if i >= 0 else 0.0
        return price if self.benchmark_rate is None else price * self.benchmark_rate()

    def _progress(self, backtest: Backtest, step_ns: int, value: float) -> EngineProgress:
        span = max(1, self.end_ns - self.start_ns)
        percent = min(99.9, max(0.0, (step_ns - self.start_ns) / span * 100))
        return EngineProgress(
            percent=percent,
            simulated_time=datetime.fromtimestamp(step_ns / NS, UTC),
            period_start=backtest.start,
            period_end=backtest.end,
            equity=value,
            statistics=self._runtime(backtest, psr=None),
        )

    def _runtime(self, backtest: Backtest | None, psr: float | None) -> dict[str, str]:
        if backtest is None:
            return {}
        portfolio = backtest.portfolio
        stats = runtime_statistics(
            equity=portfolio.total_portfolio_value,
            fees=portfolio.total_fees,
            holdings=portfolio.total_holdings_value,
            net_profit=portfolio.total_net_profit,
            unrealized=portfolio.total_unrealized_profit,
            volume=portfolio.total_sale_volume,
            starting_capital=self.starting_cash,
            psr=psr or 0.0,
        )
        if psr is None:
            stats.pop("Probabilistic Sharpe Ratio")
        return stats | backtest.runtime_extra

    def _statistics(self, backtest: Backtest) -> Any:
        strategy = self.charts.get("Strategy Equity", {})
        equity = [(p[0], p[4]) for p in strategy.get("Equity", _Series("", "", 0, 0)).points]
        returns = [(p[0], p[1]) for p in strategy.get("Return", _Series("", "", 0, 0)).points]
        benchmark = [
            (p[0], p[1]) for p in self.charts.get("Benchmark", {}).get("Benchmark", _Series("", "", 0, 0)).points
        ]
        turnover = self.charts.get("Portfolio Turnover", {}).get("Portfolio Turnover", _Series("", "", 0, 0)).points
        inputs = StatisticsInputs(
            equity=equity,
            daily_returns=returns,
            benchmark=benchmark,
            portfolio_turnover=[(p[0], p[1]) for p in turnover],
            profit_loss=[value for _, value in backtest.portfolio.profit_loss],
            starting_capital=self.starting_cash,
            total_fees=backtest.portfolio.total_fees,
            total_orders=len(self.orders),
            risk_free_rate=backtest.data.risk_free_rate,
            capacity=backtest.capacity.capacity if backtest.capacity is not None else ZERO,
            lowest_capacity_asset=backtest.capacity.lowest_capacity_asset if backtest.capacity is not None else "",
            currency_symbol=currency_symbol(backtest.portfolio.cash_book.account_currency),
            start_equity=backtest.start_equity,
            trading_days_per_year=COINBASE_TRADING_DAYS if backtest.coinbase else 252,
        )
        report = compute_statistics(inputs)
        for name, value in backtest.summary_extra.items():  # LEAN's AddCustomSummaryStatistics
            report.statistics.setdefault(name, value)
        return report

    def current_summary(self, backtest: Backtest) -> dict[str, str]:
        """The summary statistics from the samples taken so far (what ``self.statistics`` shows mid-run)."""
        return self._statistics(backtest).statistics if self.charts else {}

    def _write_results(self, backtest: Backtest | None, error: str, trace: str) -> None:
        report = self._statistics(backtest) if backtest is not None and self.charts else None
        statistics = report.statistics if report else {}
        if report:  # added by LEAN's messaging to the final result's statistics
            statistics["OrderListHash"] = order_list_hash(self.orders, lambda order: _submitted(backtest, order))
        psr = report.values.get("probabilisticSharpeRatio") if report else None
        runtime = self._runtime(backtest, psr if psr is not None else 0.0) if backtest is not None else {}
        closed = self.trades.closed_trades
        performance = {
            "tradeStatistics": trade_statistics(closed),
            "portfolioStatistics": report.portfolio_statistics if report else {},
            "closedTrades": [trade.to_json() for trade in closed],
        }
        for when, value in backtest.portfolio.profit_loss if backtest is not None else []:
            key = utc_text(when)
            while key in self.profit_loss:  # LEAN moves colliding keys on by a millisecond
                when += timedelta(milliseconds=1)
                key = when.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
            self.profit_loss[key] = round(value, 2)
        state = self._state(error, trace, len(backtest.insights) if backtest is not None else 0)
        configuration = self._configuration(backtest)
        charts = {
            name: {"name": name, "chartType": 0, "series": {k: s.to_json() for k, s in series.items()}}
            for name, series in self.charts.items()
        }
        result = {
            "rollingWindow": {},
            "totalPerformance": performance,
            "charts": charts,
            "orders": {str(order_id): _order_json(order) for order_id, order in sorted(self.orders.items())},
            "profitLoss": self.profit_loss,
            "statistics": statistics,
            "runtimeStatistics": runtime,
            "state": state,
            "algorithmConfiguration": configuration,
        }
        summary = {key: value for key, value in result.items() if key not in ("orders", "profitLoss")}
        summary["totalPerformance"] = performance | {"closedTrades": []}
        summary["charts"] = {name: chart for name, chart in charts.items() if name == "Strategy Equity"}
        base = self.output_dir / self.algorithm_id
        write_atomic(Path(f"{base}.json"), _json(result, indent=True))
        write_atomic(Path(f"{base}-summary.json"), _json(summary, indent=True))
        if self.events:
            events = [_event_json(self.algorithm_id, event, order) for event, order in self.events]
            write_atomic(Path(f"{base}-order-events.json"), _json(events, indent=False))
        if error:
            self.engine_log("ERROR", error + (f"\n{trace}" if trace else ""))
        seconds = (datetime.now(UTC) - self.started_wall).total_seconds()
        data_points = backtest.data_point_count() if backtest is not None else 0
        history_points = backtest.history_data_points if backtest is not None else 0
        # LEAN's PerformanceTrackingTool.Summary() line: the two counts its regression tests compare
        self.engine_log("TRACE", f"PerformanceTrackingTool.Summary(): Dps {data_points}. HistoryDps {history_points}.")
        total = data_points + history_points
        rate = total / seconds / 1000 if seconds else 0.0
        completed = (
            f"Algorithm Id:({self.algorithm_id}) completed in {seconds:.2f} seconds at {rate:.0f}k data points per "
            f"second. Processing total of {total:,} data points."
        )
        self.algorithm_lines.append(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} {completed}")
        self.engine_log("TRACE", f"Debug: {completed}")
        write_atomic(Path(f"{base}-log.txt"), "\n".join(self.algorithm_lines) + "\n")
        block = "\n".join(f"STATISTICS:: {name} {value}" for name, value in statistics.items())
        self.engine_log("TRACE", "\n" + block if block else "")
        self.engine_log("TRACE", "Engine.Main(): Analysis Completed and Results Posted.")
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _state(self, error: str, trace: str, insights: int) -> dict[str, str]:
        return {
            "StartTime": self.started_wall.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "EndTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RuntimeError": error,
            "StackTrace": trace if error else "",
            "LogCount": str(len(self.algorithm_lines)),
            "OrderCount": str(len(self.orders)),
            "InsightCount": str(insights),
            "Name": "local",
            "Hostname": socket.gethostname(),
            "Status": "RuntimeError" if error else "Completed",
        }

    def _configuration(self, backtest: Backtest | None) -> dict[str, Any]:
        start = backtest.start if backtest is not None else date(1998, 1, 1)
        end = backtest.end if backtest is not None else start
        return {
            "name": "local",
            "tags": [],
            "accountCurrency": backtest.portfolio.cash_book.account_currency if backtest is not None else "USD",
            "brokerage": backtest.brokerage if backtest is not None else 0,
            "accountType": 0,
            "parameters": dict(backtest.parameters) if backtest is not None else {},
            "outOfSampleMaxEndDate": None,
            "outOfSampleDays": 0,
            "startDate": f"{start:%Y-%m-%d}T00:00:00Z",
            "endDate": f"{end:%Y-%m-%d}T23:59:59Z",
            "tradingDaysPerYear": 252,
        }


def _submitted(backtest: Backtest, order: Order) -> tuple[Decimal, Decimal, Decimal] | None:
    """An order's bid, ask and last price at submission as the decimals LEAN held (None: never submitted)."""
    if order.submission is None:
        return None
    security = backtest.securities[order.symbol]
    bid, ask, last = order.submission
    quote_ns, trade_ns = order.submission_days
    quote_ns, trade_ns = (quote_ns if quote_ns >= 0 else trade_ns), (trade_ns if trade_ns >= 0 else quote_ns)
    return security.lean_price(bid, quote_ns), security.lean_price(ask, quote_ns), security.lean_price(last, trade_ns)


def _json(value: Any, indent: bool) -> str:
    """JSON as LEAN lays it out (main and summary files indented by two, order events compact); orjson,
    since the standard library's indenting encoder is pure Python and took a second per thousand orders."""
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(value, option=option).decode()


def smart_round(value: float) -> float:
    """LEAN's ``SmartRounding`` for chart values: 4 decimals above 1000, else 7 significant digits."""
    if value == 0 or not math.isfinite(value):
        return 0.0 if not math.isfinite(value) else value
    if abs(value) > 1000:
        return round(value, 4)
    return float(f"{value:.7g}")


def _order_json(order: Order) -> dict[str, Any]:
    symbol: Symbol = order.symbol
    placed = utc_text(order.time)
    kind = order.type
    body: dict[str, Any] = {
        "type": int(kind),
        "id": order.id,
        "contingentId": 0,
        "brokerId": order_broker_ids(order),
        "symbol": symbol.to_json(),
        "price": order.price,
        "priceCurrency": order_currency(order),
        "time": placed,
        "createdTime": placed if order.created_time == order.time else utc_text(order.created_time),
    }
    for key, moment in (
        ("lastFillTime", order.last_fill_time),
        ("lastUpdateTime", order.last_update_time),
        ("canceledTime", order.canceled_time),
    ):
        if moment is not None:
            body[key] = placed if moment == order.time else utc_text(moment)  # a market order fills as placed
    body |= {
        "quantity": order.quantity,
        "status": int(order.status),
        "tag": order.tag,
        "properties": properties_json(order),
        "securityType": int(symbol.security_type),
        "direction": int(order.direction),
        "value": order.quantity * order.price,
        "orderSubmissionData": None
        if order.submission is None
        else dict(zip(("bidPrice", "askPrice", "lastPrice"), order.submission, strict=True)),
        "isMarketable": kind in MARKETABLE,
    }
    group = order.group_order_manager
    if group is not None:  # LEAN writes a combo's GroupOrderManager (its own property names)
        body["groupOrderManager"] = {"id": group.id, "quantity": group.quantity, "count": group.count,
                                     "limitPrice": group.limit_price, "orderIds": list(group.order_ids),
                                     "direction": int(group.direction)}  # fmt: skip
    body["priceAdjustmentMode"] = 1 if symbol.security_type == _EQUITY else 0
    if kind in STOP_PRICED:
        body["stopPrice"] = order.stop_price
    if kind == _TRAILING_STOP:
        body["trailingAmount"] = order.trailing_amount
        body["trailingAsPercentage"] = order.trailing_as_percentage
    if kind in _LIMIT_PRICED:
        body["limitPrice"] = order.limit_price
    if kind == _LIMIT_IF_TOUCHED:
        body["triggerPrice"] = order.trigger_price
        body["triggerTouched"] = order.trigger_touched
    if kind == _STOP_LIMIT:
        body["stopTriggered"] = order.stop_triggered
    return body


EVENT_STATUS = {
    OrderStatus.NEW: "new",
    OrderStatus.SUBMITTED: "submitted",
    OrderStatus.PARTIALLY_FILLED: "partiallyFilled",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled",
    OrderStatus.NONE: "none",
    OrderStatus.INVALID: "invalid",
    OrderStatus.CANCEL_PENDING: "cancelPending",
    OrderStatus.UPDATE_SUBMITTED: "updateSubmitted",
}


def _event_json(algorithm_id: str, event: OrderEvent, order: Order) -> dict[str, Any]:
    """One entry of LEAN's order-events file, keys in LEAN's order (optional ones only when set)."""
    symbol = event.symbol
    body: dict[str, Any] = {
        "id": f"{algorithm_id}-{event.order_id}-{event.id}",
        "algorithmId": algorithm_id,
        "orderId": event.order_id,
        "orderEventId": event.id,
        "symbol": symbol.id,
        "symbolValue": symbol.value,
        "symbolPermtick": symbol.value,
        "time": event.utc_time.timestamp(),
        "status": EVENT_STATUS[event.status],
    }
    if event.fee:
        body["orderFeeAmount"] = event.fee
        body["orderFeeCurrency"] = event.fee_currency
    body["fillPrice"] = event.fill_price
    body["fillPriceCurrency"] = event.price_currency
    body["fillQuantity"] = event.fill_quantity
    body["direction"] = "buy" if event.quantity > 0 else "sell"
    if event.message:
        body["message"] = event.message
    if order.stop_price is not None:
        body["stopPrice"] = order.stop_price
    if order.limit_price is not None:
        body["limitPrice"] = order.limit_price
    body["isAssignment"] = False
    body["quantity"] = event.quantity
    return body
