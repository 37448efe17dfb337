"""LEAN's security-level models beyond fees, fills and buying power: shortable providers, margin interest rate
models, risk-free interest rate models and the margin-call check.

- Shortable providers (``Security.set_shortable_provider``): LEAN's ``NullShortableProvider`` (every security
  shortable, no fee or rebate; the default) and ``LocalDiskShortableProvider`` (the data folder's
  ``equity/<market>/shortable/<brokerage>/symbols/<ticker>.csv``, rates in percent), or the algorithm's own.
  Orders that sell short are checked at submission as LEAN's ``BrokerageTransactionHandler.AddOrder`` does
  (``QCAlgorithm.Shortable``): an order beyond the shortable quantity is Invalid.
- Margin interest rate models (``Security.set_margin_interest_rate_model``): LEAN's ``AlgorithmManager`` applies
  every security's model at the first time slice of each hour (after the prices update, before fills and
  ``on_data``); ``ShortMarginInterestRateModel`` charges a short's fee rate and credits a long's rebate rate
  daily, on 360 days a year.
- ``FuncRiskFreeRateInterestRateModel`` / ``ConstantRiskFreeRateInterestRateModel``: LEAN's two simple ones.
- Margin calls: LEAN's ``DefaultMarginCallModel`` asked every 5 minutes of slices. The warning (margin remaining
  at most 5% of the portfolio value) reaches ``on_margin_call_warning``; liquidating margin-call orders are
  refused by name, since the engine does not place them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.buying_power_models import MaintenanceMarginParameters, overrides
from backtest_core.engines.embedded.clock import NS
from backtest_core.engines.embedded.model import LeanObject, Symbol
from backtest_core.errors import UnsupportedApi
from backtest_core.stats.decimals import from_float, normalize

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Portfolio, Security
    from backtest_core.engines.embedded.cash_book import Cash

HOUR_NS = 3600 * NS
MARGIN_CALL_FREQUENCY_NS = 300 * NS  # AlgorithmManager's marginCallFrequency
MARGIN_CALL_WARNING = 0.05  # DefaultMarginCallModel: a warning at 5% of the portfolio value remaining
MARGIN_BUFFER = 0.10  # DefaultMarginCallModel's default marginBuffer


class NullShortableProvider(LeanObject):
    """LEAN's default: every quantity shortable (None), no fee and no rebate."""

    def fee_rate(self, symbol: Symbol, local_time: datetime) -> float:
        return 0.0

    def rebate_rate(self, symbol: Symbol, local_time: datetime) -> float:
        return 0.0

    def shortable_quantity(self, symbol: Symbol, local_time: datetime) -> int | None:
        return None


NullShortableProvider.instance = NullShortableProvider()
NullShortableProvider.Instance = NullShortableProvider.instance


class LocalDiskShortableProvider(LeanObject):
    """LEAN's provider reading ``shortable/<brokerage>/symbols/<ticker>.csv`` (date, quantity, rebate %, fee %).

    The data folder is the running backtest's, as LEAN reads its global data folder (``Globals.DataFolder``)."""

    data_root: Path | None = None

    def __init__(self, brokerage: str) -> None:
        self.brokerage = str(brokerage).lower()
        self._ticker: str | None = None
        self._by_date: dict[date, tuple[int | None, float, float]] = {}

    def fee_rate(self, symbol: Symbol, local_time: datetime) -> float:
        entry = self._entry(symbol, local_time)
        return entry[2] if entry else 0.0

    def rebate_rate(self, symbol: Symbol, local_time: datetime) -> float:
        entry = self._entry(symbol, local_time)
        return entry[1] if entry else 0.0

    def shortable_quantity(self, symbol: Symbol, local_time: datetime) -> int | None:
        entry = self._entry(symbol, local_time)
        return entry[0] if entry else None  # a missing entry is shortable

    def _entry(self, symbol: Symbol | None, local_time: datetime) -> tuple[int | None, float, float] | None:
        if symbol is None:
            return None
        if symbol.value != self._ticker:
            self._ticker, self._by_date = symbol.value, self._read(symbol)
        return self._by_date.get(local_time.date())

    def _read(self, symbol: Symbol) -> dict[date, tuple[int | None, float, float]]:
        if self.data_root is None:
            raise UnsupportedApi("LocalDiskShortableProvider outside a backtest")
        kind = symbol.security_type.name.lower()
        path = self.data_root / kind / symbol.market / "shortable" / self.brokerage / "symbols"
        path = path / f"{symbol.value.lower()}.csv"
        rows: dict[date, tuple[int | None, float, float]] = {}
        if not path.exists():
            return rows
        for line in path.read_text().splitlines():
            if not line or line.startswith("#"):
                continue
            csv = line.split(",")
            day = datetime.strptime(csv[0], "%Y%m%d").date()
            quantity = int(csv[1]) if csv[1] else None
            rebate = float(csv[2]) / 100 if len(csv) > 2 and csv[2] else 0.0
            fee = float(csv[3]) / 100 if len(csv) > 3 and csv[3] else 0.0
            rows[day] = (quantity, rebate, fee)
        return rows


def checked_shortable_provider(provider: Any) -> Any:
    """The provider, refused by name unless it answers LEAN's three questions."""
    for name in ("fee_rate", "rebate_rate", "shortable_quantity"):
        if not callable(getattr(type(provider), name, None)):
            raise UnsupportedApi(f"Security.set_shortable_provider({type(provider).__name__}) without {name}")
    return provider


def shortable(security: Security, portfolio_quantity: float, open_quantity: float, quantity: float) -> bool:
    """LEAN's ``QCAlgorithm.Shortable``: whether selling ``quantity`` more stays within the shortable quantity."""
    limit = security.shortable_provider.shortable_quantity(security.symbol, security.local_time)
    if limit is None:
        return True
    if portfolio_quantity + open_quantity <= -limit:
        return False
    return portfolio_quantity - abs(quantity) + open_quantity >= -limit


def shortable_error(security: Security, quantity: float) -> str:
    limit = security.shortable_provider.shortable_quantity(security.symbol, security.local_time) or 0
    requested = normalize(from_float(quantity))
    return f"Order exceeds shortable quantity {limit} for Symbol {security.symbol} requested {requested})"


class ConvertibleCashAmount(LeanObject):
    """LEAN's ``ConvertibleCashAmount``: an amount and the ``Cash`` it is in."""

    def __init__(self, amount: float, cash: Cash) -> None:
        self.amount, self.cash = float(amount), cash

    Amount = property(lambda self: self.amount)
    Cash = property(lambda self: self.cash)


class MarginInterestRateParameters(LeanObject):
    """What LEAN passes a margin interest rate model: the security and the slice's UTC time (naive)."""

    def __init__(self, security: Security, time: datetime) -> None:
        self.security, self.time = security, time

    Security = property(lambda self: self.security)
    Time = property(lambda self: self.time)


class _NullMarginInterestRateModel(LeanObject):
    def apply_margin_interest_rate(self, parameters: MarginInterestRateParameters) -> None:
        return None


class MarginInterestRateModel:
    """LEAN's ``MarginInterestRateModel.Null``: every security's model until the algorithm sets one."""

    NULL = _NullMarginInterestRateModel()
    Null = NULL


class ShortMarginInterestRateModel(LeanObject):
    """LEAN's equity model: a short pays its fee rate, a long earns its rebate rate, once a day, on 360 days a
    year of the holdings value, for the days since the clock started (a new side restarts it)."""

    def __init__(self) -> None:
        self.amount = 0.0
        self._is_short = False
        self._previous: datetime | None = None

    def apply_margin_interest_rate(self, parameters: MarginInterestRateParameters) -> None:
        security = parameters.security
        holdings = security.holdings
        if not holdings.quantity:
            self._previous = None
            return
        if self._previous is None or self._is_short != holdings.is_short:
            self._is_short, self._previous = holdings.is_short, parameters.time
            return
        if parameters.time.date() == self._previous.date():
            return
        provider = security.shortable_provider
        local_day = datetime.combine(security.local_time.date(), datetime.min.time())
        if self._is_short:
            rate = provider.fee_rate(security.symbol, local_day)
        else:
            rate = provider.rebate_rate(security.symbol, local_day)
        if not rate:
            self._previous = None
            return
        fee = float(rate) * holdings.holdings_value / 360 * (parameters.time.date() - self._previous.date()).days
        self.amount += fee
        security.quote_currency_cash.add_amount(fee)
        self._previous = parameters.time

    Amount = property(lambda self: self.amount)


def checked_margin_interest_rate_model(model: Any) -> Any:
    if not callable(getattr(model, "apply_margin_interest_rate", None)):
        raise UnsupportedApi(f"Security.set_margin_interest_rate_model({type(model).__name__})")
    return model


class FuncRiskFreeRateInterestRateModel(LeanObject):
    """LEAN's risk-free rate model from a function of the date."""

    def __init__(self, get_interest_rate: Callable[[datetime], float]) -> None:
        self._get = get_interest_rate

    def get_interest_rate(self, date: datetime) -> float:
        return self._get(date)

    GetInterestRate = get_interest_rate


class ConstantRiskFreeRateInterestRateModel(LeanObject):
    """LEAN's constant risk-free rate model."""

    def __init__(self, risk_free_rate: float) -> None:
        self._rate = risk_free_rate

    def get_interest_rate(self, date: datetime) -> float:
        return self._rate

    GetInterestRate = get_interest_rate


class SecurityModelScan:
    """LEAN's hourly security-model scan: each security's margin interest rate model, at the first slice at or
    after each hour boundary (the first boundary after the algorithm's start time)."""

    def __init__(self, start_ns: int) -> None:
        self.next_ns = start_ns - start_ns % HOUR_NS + HOUR_NS

    def run(self, step_ns: int, securities: Iterable[Security]) -> None:
        moment = datetime(1970, 1, 1) + timedelta(microseconds=step_ns // 1000)
        for security in securities:
            model = security.margin_interest_rate_model
            if model is not MarginInterestRateModel.NULL:
                model.apply_margin_interest_rate(MarginInterestRateParameters(security, moment))
        self.next_ns = step_ns - step_ns % HOUR_NS + HOUR_NS


def maintenance_margin(security: Security) -> float:
    """LEAN's position maintenance margin (what ``TotalMarginUsed`` sums): the algorithm's
    ``get_maintenance_margin`` when its buying power model has one, else the holdings value over the leverage."""
    model = security.buying_power_model
    if overrides(model, "get_maintenance_margin"):
        parameters = MaintenanceMarginParameters(security, security.holdings.quantity)
        return float(model.get_maintenance_margin(parameters))
    return security.holdings.absolute_holdings_value / security.leverage


class MarginCallCheck:
    """LEAN's ``DefaultMarginCallModel.GetMarginCallOrders`` every 5 minutes of slices: the warning goes to the
    algorithm's ``on_margin_call_warning``; a margin call that would liquidate is refused by name."""

    def __init__(self, warn: Callable[[], Any] | None) -> None:
        self.next_ns = 0
        self.warn = warn

    def run(self, step_ns: int, portfolio: Portfolio) -> None:
        self.next_ns = step_ns + MARGIN_CALL_FREQUENCY_NS
        total, used = portfolio.margin_levels()
        if used <= 0:
            return
        remaining = total - used
        if remaining <= 0:  # a margin call, or neither it nor the warning (LEAN warns only with orders)
            if used > total * (1 + MARGIN_BUFFER):
                raise UnsupportedApi("a margin call (DefaultMarginCallModel liquidation orders)")
            return
        if remaining <= total * MARGIN_CALL_WARNING and self.warn is not None:
            self.warn()
