"""``QCAlgorithm`` for the embedded engine: LEAN's Python API (snake_case and PascalCase) over a backtest.

The class holds no engine logic: every call goes to the :class:`~backtest_core.engines.embedded.backtest.Backtest`
that runs it. Any LEAN member not implemented here raises :class:`UnsupportedApi` naming it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded import indicators as ind
from backtest_core.engines.embedded.broker import Portfolio, Security, holdings_quantity, trailing_stop_price
from backtest_core.engines.embedded.brokerage_models import DefaultBrokerageModel, checked_brokerage
from backtest_core.engines.embedded.consolidation import consolidate
from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.indicator_api import IndicatorApi
from backtest_core.engines.embedded.model import (
    MARKET,
    AccountType,
    BrokerageName,
    LeanObject,
    OrderType,
    PortfolioTarget,
    Resolution,
    SecurityType,
    Symbol,
    _snake,
)
from backtest_core.engines.embedded.statistics_api import Insight, StatisticsResults, summary_statistic_text
from backtest_core.engines.embedded.time_in_force import OrderProperties
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest


class QCAlgorithm(IndicatorApi):
    """Base class of every LEAN Python algorithm.

    It has no ``__getattr__``: CPython 3.11 does not specialise attribute reads on a class with one, and an
    algorithm reads its own attributes at every step (``self.fast``). LEAN's other spellings its sources use are
    aliases on its class (:func:`spell_like_lean`); a name it lacks is refused by name (:func:`refusal_of`).
    """

    _backtest: Backtest

    # -- lifecycle hooks the user overrides ----------------------------------------------------------------

    def initialize(self) -> None:
        pass

    def on_data(self, data: Any) -> None:
        pass

    def on_splits(self, splits: Any) -> None:
        pass

    def on_dividends(self, dividends: Any) -> None:
        pass

    def on_order_event(self, order_event: Any) -> None:
        pass

    def on_end_of_day(self, symbol: Any = None) -> None:
        pass

    def on_end_of_algorithm(self) -> None:
        pass

    def on_delistings(self, delistings: Any) -> None:
        pass

    def on_symbol_changed_events(self, symbols_changed: Any) -> None:
        pass

    def on_warmup_finished(self) -> None:
        pass

    def on_securities_changed(self, changes: Any) -> None:
        pass

    def on_margin_call_warning(self) -> None:
        pass

    # -- settings --------------------------------------------------------------------------------------

    def set_start_date(self, year: int | date | datetime, month: int = 1, day: int = 1) -> None:
        self._backtest.set_start(_as_date(year, month, day))

    def set_end_date(self, year: int | date | datetime, month: int = 1, day: int = 1) -> None:
        self._backtest.set_end(_as_date(year, month, day))

    def set_cash(self, starting_cash: float | str, *more: Any) -> None:
        """``set_cash(starting_cash)`` in the account currency, or ``set_cash(currency, amount[, conversion_rate])``
        (LEAN's parameter names)."""
        if isinstance(starting_cash, str):
            self._backtest.set_currency_cash(starting_cash, float(more[0]), float(more[1]) if len(more) > 1 else 0.0)
            return
        self._backtest.set_cash(float(starting_cash))

    def set_account_currency(self, account_currency: str, starting_cash: float | None = None) -> None:
        """LEAN's ``SetAccountCurrency``: before any security is added; the cash, if given, is set too."""
        self._backtest.set_account_currency(str(account_currency), starting_cash)

    @property
    def account_currency(self) -> str:
        return self._backtest.portfolio.cash_book.account_currency

    def set_time_zone(self, zone: str) -> None:
        self._backtest.set_time_zone(zone)

    def set_benchmark(self, benchmark: Any) -> None:
        """A ticker or Symbol, or a function of the UTC time (LEAN's FuncBenchmark, e.g. ``lambda t: 0``)."""
        if callable(benchmark) and not isinstance(benchmark, Symbol):
            self._backtest.benchmark_function = benchmark
        else:
            ticker = benchmark.value if isinstance(benchmark, Symbol) else benchmark
            self._backtest.benchmark_ticker = str(ticker).upper()
        self._backtest.benchmark_set = True

    def set_warm_up(self, period: int | timedelta, resolution: Resolution | None = None) -> None:
        """Warm up by a span of time or a number of bars (LEAN's SetWarmUp, also spelt SetWarmup)."""
        self._backtest.set_warm_up(period, resolution)

    set_warmup = set_warm_up

    def set_brokerage_model(self, brokerage: Any, account_type: Any = None) -> None:
        if self._backtest.security_initializers and self._backtest.securities:
            # LEAN then re-runs every initializer on the securities added so far, restoring their leverage
            raise UnsupportedApi("set_brokerage_model after add_security_initializer and add_equity")
        if isinstance(brokerage, DefaultBrokerageModel):
            self._backtest.brokerage_model = checked_brokerage(brokerage)
            self._backtest.brokerage = int(BrokerageName.DEFAULT)
            return
        if int(brokerage) in (BrokerageName.GDAX, BrokerageName.COINBASE):  # LEAN's CoinbaseBrokerageModel
            if account_type is None or int(account_type) != AccountType.CASH:  # the margin default: LEAN throws
                raise UnsupportedApi("set_brokerage_model(BrokerageName.COINBASE) with a margin account (LEAN throws)")
            self._backtest.brokerage = int(brokerage)
            return
        supported = (BrokerageName.DEFAULT, BrokerageName.INTERACTIVE_BROKERS_BROKERAGE, BrokerageName.ZERODHA)
        if int(brokerage) not in supported:
            raise UnsupportedApi(
                f"set_brokerage_model({brokerage!r}): only Default, InteractiveBrokers, Zerodha and Coinbase"
            )
        if account_type is not None and int(account_type) != AccountType.MARGIN:
            raise UnsupportedApi("set_brokerage_model with a cash account")
        self._backtest.set_brokerage(int(brokerage))

    def get_parameter(self, name: str, default: Any = None) -> Any:
        value = self._backtest.parameters.get(name)
        if value is None:
            return default
        if default is None or isinstance(default, str):
            return value
        try:
            if isinstance(default, bool):
                return value.strip().lower() in ("1", "true", "yes")
            if isinstance(default, int):
                return int(float(value))
            return type(default)(value)
        except ValueError:
            return default

    def set_runtime_statistic(self, name: str, value: Any) -> None:
        self._backtest.runtime_extra[str(name)] = str(value)

    def set_summary_statistic(self, name: str, value: Any) -> None:
        """A custom statistic after LEAN's own in the summary (never replacing one of them)."""
        self._backtest.summary_extra[str(name)] = summary_statistic_text(str(name), value)

    @property
    def statistics(self) -> StatisticsResults:
        """The statistics of the run so far, computed now from the samples taken (LEAN's ``Statistics``)."""
        return StatisticsResults(self._backtest.recorder.current_summary(self._backtest))

    def emit_insights(self, *insights: Any) -> list[Any]:
        """Record insights (one, several, or a list); without a portfolio construction model they place no
        order, as in LEAN."""
        emitted = [each for group in insights for each in (group if isinstance(group, list | tuple) else [group])]
        for insight in emitted:
            if not isinstance(insight, Insight):
                raise UnsupportedApi(f"emit_insights with a {type(insight).__name__}")
            insight.generated_time_utc = self._backtest.utc_time
        self._backtest.insights.extend(emitted)
        return emitted

    # -- securities ------------------------------------------------------------------------------------

    def add_equity(
        self,
        ticker: str,
        resolution: Any = Resolution.MINUTE,
        market: str | None = None,
        fill_forward: bool = True,
        leverage: float = 0.0,
        extended_market_hours: bool = False,
        **options: Any,
    ) -> Security:
        return self._backtest.add_security(
            SecurityKind.EQUITY, ticker, resolution, market, fill_forward, leverage, extended_market_hours, options
        )

    def add_crypto(
        self,
        ticker: str,
        resolution: Any = Resolution.MINUTE,
        market: str = "coinbase",
        fill_forward: bool = True,
        leverage: float = 0.0,
        **options: Any,
    ) -> Security:
        return self._backtest.add_security(
            SecurityKind.CRYPTO, ticker, resolution, market, fill_forward, leverage, False, options
        )

    def add_security(self, security_type: Any, ticker: str, resolution: Any = None, *more: Any, **options: Any) -> Any:
        """LEAN's older form: ``(type, ticker, resolution, fill_forward, extended_market_hours)`` or
        ``(type, ticker, resolution, market, fill_forward, leverage, extended_market_hours)``."""
        names = ("market", "fill_forward", "leverage", "extended_market_hours")
        if more and not isinstance(more[0], str):
            names = ("fill_forward", "extended_market_hours")
        options |= dict(zip(names, more, strict=False))
        if resolution is not None:
            options["resolution"] = resolution
        adders = {SecurityType.EQUITY: self.add_equity, SecurityType.FOREX: self.add_forex,
                  SecurityType.CRYPTO: self.add_crypto}  # fmt: skip
        adder = adders.get(SecurityType(int(security_type)))
        if adder is None:
            raise UnsupportedApi(f"add_security({SecurityType(int(security_type)).name})")
        if adder != self.add_equity:
            options.pop("extended_market_hours", None)
        return adder(ticker, **options)

    def remove_security(self, symbol: Any, tag: str | None = None) -> bool:
        return self._backtest.remove_security(symbol, tag)

    def add_security_initializer(self, initializer: Any) -> None:
        """LEAN's ``AddSecurityInitializer``: runs on each security added from now on, after the brokerage
        model's initializer and before ``add_equity``'s own leverage (a function of the security, or an object
        with ``initialize``)."""
        self._backtest.add_security_initializer(initializer)

    def shortable(self, symbol: Any, short_quantity: float = 0.0, update_order_id: int | None = None) -> bool:
        """LEAN's ``Shortable``: whether ``short_quantity`` more can be sold short now."""
        if update_order_id is not None:
            raise UnsupportedApi("QCAlgorithm.shortable(update_order_id=...)")
        security = self._backtest.security(symbol)
        return self._backtest.transactions._shortable(security, short_quantity)

    def shortable_quantity(self, symbol: Any) -> int:
        security = self._backtest.security(symbol)
        return security.shortable_provider.shortable_quantity(security.symbol, security.local_time) or 0

    def add_forex(
        self,
        ticker: str,
        resolution: Any = Resolution.MINUTE,
        market: str = "oanda",
        fill_forward: bool = True,
        leverage: float = 0.0,
        **options: Any,
    ) -> Security:
        return self._backtest.add_security(
            SecurityKind.FOREX, ticker, resolution, market, fill_forward, leverage, False, options
        )

    @property
    def securities(self) -> Any:
        return self._backtest.securities_view

    @property
    def portfolio(self) -> Any:
        return self._backtest.portfolio

    @property
    def transactions(self) -> Any:
        return self._backtest.transactions_view

    @property
    def time(self) -> datetime:
        return self._backtest.local_time

    @property
    def utc_time(self) -> datetime:
        return self._backtest.utc_time

    @property
    def start_date(self) -> datetime:
        return datetime.combine(self._backtest.start, datetime.min.time())

    @property
    def end_date(self) -> datetime:
        return datetime.combine(self._backtest.end, datetime.max.time())

    @property
    def is_warming_up(self) -> bool:
        return self._backtest.warming_up

    @property
    def live_mode(self) -> bool:
        return False

    @property
    def schedule(self) -> Any:
        return self._backtest.scheduler

    @property
    def date_rules(self) -> Any:
        return self._backtest.date_rules

    @property
    def time_rules(self) -> Any:
        return self._backtest.time_rules

    @property
    def benchmark(self) -> Any:
        return self._backtest.benchmark_ticker

    # -- orders ----------------------------------------------------------------------------------------

    # LEAN's signatures: ``asynchronous`` comes before ``tag`` (both may be given by position)

    def market_order(
        self, symbol: Any, quantity: float, asynchronous: bool = False, tag: str = "", order_properties: Any = None,
        **_: Any,
    ) -> Any:  # fmt: skip
        return self._backtest.order(symbol, quantity, OrderType.MARKET, tag, asynchronous, order_properties)

    def limit_order(
        self, symbol: Any, quantity: float, limit_price: float, asynchronous: bool = False, tag: str = "",
        order_properties: Any = None, **_: Any,
    ) -> Any:  # fmt: skip
        return self._backtest.order(
            symbol, quantity, OrderType.LIMIT, tag, asynchronous, order_properties, limit_price=float(limit_price)
        )

    def combo_market_order(
        self, legs: Any, quantity: int, asynchronous: bool = False, tag: str = "", order_properties: Any = None
    ) -> Any:  # fmt: skip
        return self._backtest.combo_order(legs, quantity, 0, asynchronous, tag, order_properties)

    def combo_limit_order(
        self, legs: Any, quantity: int, limit_price: float, asynchronous: bool = False, tag: str = "",
        order_properties: Any = None,
    ) -> Any:  # fmt: skip
        if limit_price == 0:
            raise ValueError("ComboLimitOrder requires a limit price")
        if any(leg.order_price is not None for leg in legs):
            raise ValueError("ComboLimitOrder does not support limit prices for individual legs")
        return self._backtest.combo_order(legs, quantity, limit_price, asynchronous, tag, order_properties)

    def combo_leg_limit_order(
        self, legs: Any, quantity: int, asynchronous: bool = False, tag: str = "", order_properties: Any = None
    ) -> Any:  # fmt: skip
        if any(leg.order_price is None for leg in legs):
            raise ValueError("ComboLegLimitOrder requires a limit price for each leg")
        return self._backtest.combo_order(legs, quantity, 0, asynchronous, tag, order_properties)

    def stop_market_order(
        self, symbol: Any, quantity: float, stop_price: float, asynchronous: bool = False, tag: str = "",
        order_properties: Any = None, **_: Any,
    ) -> Any:  # fmt: skip
        return self._backtest.order(
            symbol, quantity, OrderType.STOP_MARKET, tag, asynchronous, order_properties, stop_price=float(stop_price)
        )

    def stop_limit_order(
        self,
        symbol: Any,
        quantity: float,
        stop_price: float,
        limit_price: float,
        asynchronous: bool = False,
        tag: str = "",
        order_properties: Any = None,
        **_: Any,
    ) -> Any:
        return self._backtest.order(
            symbol, quantity, OrderType.STOP_LIMIT, tag, asynchronous, order_properties,
            limit_price=float(limit_price), stop_price=float(stop_price),
        )  # fmt: skip

    def limit_if_touched_order(
        self, symbol: Any, quantity: float, trigger_price: float, limit_price: float, asynchronous: bool = False,
        tag: str = "", order_properties: Any = None,
    ) -> Any:  # fmt: skip
        return self._backtest.order(
            symbol, quantity, OrderType.LIMIT_IF_TOUCHED, tag, asynchronous, order_properties,
            limit_price=float(limit_price), trigger_price=float(trigger_price),
        )  # fmt: skip

    def trailing_stop_order(self, symbol: Any, quantity: float, *args: Any, **named: Any) -> Any:
        """LEAN's two overloads: ``(symbol, quantity, trailing_amount, trailing_as_percentage, ...)`` with the stop
        worked out from the security's price, or ``(symbol, quantity, stop_price, trailing_amount,
        trailing_as_percentage, ...)``; then ``asynchronous``, ``tag``, ``order_properties``."""
        names = ["trailing_amount", "trailing_as_percentage", "asynchronous", "tag", "order_properties"]
        given_stop = (
            "stop_price" in named
            or (len(args) > 1 and not isinstance(args[1], bool))
            or (len(args) > 0 and "trailing_amount" in named)  # the one positional price is then the stop
        )
        if given_stop:
            names.insert(0, "stop_price")
        if len(args) > len(names):
            raise UnsupportedApi(f"trailing_stop_order with {len(args) + 2} arguments")
        values = dict(zip(names, args, strict=False))
        wrong = (set(named) - set(names)) | (set(named) & set(values))  # unknown, or given twice
        if wrong:
            raise UnsupportedApi(f"trailing_stop_order({', '.join(sorted(wrong))}=...)")
        values |= named
        if "trailing_amount" not in values or "trailing_as_percentage" not in values:
            raise UnsupportedApi("trailing_stop_order without trailing_amount and trailing_as_percentage")
        amount, fraction = float(values["trailing_amount"]), bool(values["trailing_as_percentage"])
        security = self._backtest.security(symbol)
        stop = values.get("stop_price")
        if stop is None:
            stop = trailing_stop_price(security.price, amount, fraction, float(quantity) > 0)
        return self._backtest.order(
            security, quantity, OrderType.TRAILING_STOP, values.get("tag", ""), values.get("asynchronous", False),
            values.get("order_properties"), (amount, fraction), stop_price=float(stop),
        )  # fmt: skip

    def market_on_open_order(
        self, symbol: Any, quantity: float, asynchronous: bool = False, tag: str = "", order_properties: Any = None,
        **_: Any,
    ) -> Any:  # fmt: skip
        return self._backtest.order(symbol, quantity, OrderType.MARKET_ON_OPEN, tag, asynchronous, order_properties)

    def market_on_close_order(
        self, symbol: Any, quantity: float, asynchronous: bool = False, tag: str = "", order_properties: Any = None,
        **_: Any,
    ) -> Any:  # fmt: skip
        return self._backtest.order(symbol, quantity, OrderType.MARKET_ON_CLOSE, tag, asynchronous, order_properties)

    def order(
        self, symbol: Any, quantity: float, asynchronous: bool = False, tag: str = "", order_properties: Any = None,
        **_: Any,
    ) -> Any:  # fmt: skip
        return self.market_order(symbol, quantity, asynchronous, tag, order_properties)

    def buy(self, symbol: Any, quantity: float) -> Any:
        return self.market_order(symbol, abs(quantity))

    def sell(self, symbol: Any, quantity: float) -> Any:
        return self.market_order(symbol, -abs(quantity))

    @property
    def default_order_properties(self) -> OrderProperties:
        """The properties (time in force) of orders placed without their own; each order takes a copy."""
        return self._backtest.default_order_properties

    @default_order_properties.setter
    def default_order_properties(self, properties: Any) -> None:
        if not isinstance(properties, OrderProperties):
            raise UnsupportedApi(f"default_order_properties = {properties!r}: only LEAN's OrderProperties")
        self._backtest.default_order_properties = properties

    def set_holdings(
        self,
        symbol: Any,
        percentage: float | None = None,
        liquidate_existing_holdings: bool = False,
        asynchronous: bool = False,
        tag: str = "",
        order_properties: Any = None,
        **_: Any,
    ) -> list[Any]:
        """One symbol and a fraction, or a list of PortfolioTarget; reductions are ordered before increases."""
        targets = symbol if isinstance(symbol, list) else [PortfolioTarget(symbol, percentage or 0.0)]
        tickets = []
        if liquidate_existing_holdings:
            wanted = {self._backtest.security(t.symbol).symbol for t in targets}
            for held in list(self.portfolio.keys()):
                if held not in wanted and self.portfolio[held].invested:
                    tickets += self.liquidate(held, asynchronous, tag, order_properties)
        orders = []
        for target in targets:
            security = self._backtest.security(target.symbol)
            quantity = holdings_quantity(self.portfolio, security, float(target.quantity))
            quantity -= sum(
                o.quantity - o.quantity_filled
                for o in self._backtest.transactions.open_orders(security.symbol)
                if o.type in _MARKET_TYPES
            )
            if quantity:
                orders.append((security, quantity))
        orders.sort(key=lambda pair: pair[1] * pair[0].holdings.quantity >= 0)  # reductions first free margin
        for security, quantity in orders:
            tickets.append(
                self._backtest.order(
                    security, quantity, MARKET, tag or target_tag(targets), asynchronous, order_properties
                )
            )
        return tickets

    def liquidate(
        self, symbol: Any = None, asynchronous: bool = False, tag: str = "Liquidated", order_properties: Any = None,
        **_: Any,
    ) -> list[Any]:  # fmt: skip
        tickets = []
        symbols = [self._backtest.security(symbol).symbol] if symbol is not None else list(self.portfolio.keys())
        for each in symbols:
            for order in self._backtest.transactions.open_orders(each):
                self._backtest.transactions.cancel_order(order.id)
            quantity = self.portfolio[each].quantity
            if quantity:
                tickets.append(self._backtest.order(each, -quantity, MARKET, tag, asynchronous, order_properties))
        return tickets

    def calculate_order_quantity(self, symbol: Any, target: float) -> float:
        return holdings_quantity(self.portfolio, self._backtest.security(symbol), float(target))

    # -- consolidators ---------------------------------------------------------------------------------

    @property
    def subscription_manager(self) -> Any:
        return self._backtest.subscription_manager

    @property
    def settings(self) -> Any:
        return self._backtest.settings

    def consolidate(self, *args: Any, **named: Any) -> Any:
        """LEAN's Python overloads: ``(symbol, period, [tick_type,] handler)`` with a Resolution, a timedelta
        or a calendar function as the period, or ``(bar_type, symbol, size, tick_type, handler)``."""
        return consolidate(self._backtest, args, named)

    # -- history, charts, logs -------------------------------------------------------------------------

    @property
    def history(self) -> Any:
        """``self.history(symbols, periods_or_span_or_start[, end], resolution, ...)`` for LEAN's DataFrame,
        ``self.history[TradeBar](symbol, ...)`` for the bars."""
        return self._backtest.history_requests

    def plot(self, chart: str, series: Any = None, value: Any = None, *more: Any) -> None:
        if isinstance(series, ind.Indicator):  # LEAN's Plot(chart, params indicators): each under its own name
            for indicator in (series, value, *more):
                if indicator is not None:
                    self._backtest.plot(chart, indicator.name, indicator.current.value)
            return
        if more:
            raise UnsupportedApi("QCAlgorithm.plot of open, high, low and close (a candlestick series)")
        if value is None and not isinstance(series, str):
            chart, series, value = "Strategy Equity", chart, series
        self._backtest.plot(chart, str(series), float(value))

    def plot_indicator(self, chart: str, *indicators: Any) -> None:
        """Plot each indicator on ``chart`` whenever it updates (``wait_for_ready`` first: only once ready)."""
        wait_for_ready = False
        if indicators and isinstance(indicators[0], bool):
            wait_for_ready, indicators = indicators[0], indicators[1:]
        for indicator in indicators:

            def plot(sender: Any, point: Any, indicator: Any = indicator) -> None:
                if indicator.is_ready or not wait_for_ready:
                    self.plot(chart, indicator.name, point.value)

            indicator.updated += plot

    def add_chart(self, chart: Any) -> None:
        self._backtest.add_chart(chart)

    def record(self, series: str, value: float) -> None:
        self.plot(series, series, value)

    def debug(self, message: Any) -> None:
        self._backtest.algorithm_message("Debug", str(message))

    def log(self, message: Any) -> None:
        self._backtest.algorithm_message("Log", str(message))

    def error(self, message: Any) -> None:
        self._backtest.algorithm_message("Error", str(message))

    def quit(self, message: str = "") -> None:
        self._backtest.stop_requested = message or "Quit"


def target_tag(targets: list[PortfolioTarget]) -> str:
    return next((t.tag for t in targets if getattr(t, "tag", "")), "")


def _as_date(year: int | date | datetime, month: int, day: int) -> date:
    if isinstance(year, datetime):
        return year.date()
    if isinstance(year, date):
        return year
    return date(int(year), int(month), int(day))


# set_holdings' and liquidate's order types as module globals (an enum class's attribute read is unspecialised)
_MARKET_TYPES = (OrderType.MARKET, OrderType.MARKET_ON_OPEN)

# PascalCase names LEAN offers that map onto the snake_case members above.
_PASCAL_OK = {name for name in dir(QCAlgorithm) if not name.startswith("_")}


def spell_like_lean(klass: type[QCAlgorithm], names: Iterable[str]) -> None:
    """Give the algorithm's class LEAN's other spelling (``SetHoldings``, ``SMA``) of each member among ``names``
    (the identifiers in its sources): the same member under the second name, as LEAN's Python API has both."""
    for name in names:
        snake = _snake(name)
        if snake != name and snake in _PASCAL_OK and not hasattr(klass, name):
            setattr(klass, name, inspect.getattr_static(klass, snake))


def refusal_of(error: BaseException) -> UnsupportedApi | None:
    """A missing attribute of the algorithm, its portfolio or a LEAN object (a plain AttributeError: none has a
    ``__getattr__``) as the refusal naming the LEAN API, with its traceback; None for any other error."""
    if type(error) is not AttributeError or not error.name:
        return None
    owner = error.obj
    if isinstance(owner, QCAlgorithm):
        api = "QCAlgorithm"
    elif isinstance(owner, LeanObject | Portfolio):
        api = type(owner).__name__
    else:
        return None
    return UnsupportedApi(f"{api}.{error.name}").with_traceback(error.__traceback__)
