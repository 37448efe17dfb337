"""The Coinbase (GDAX) brokerage of LEAN: a cash account for crypto, its fee model and buying power.

- ``CoinbaseBrokerageModel`` (``Common/Brokerages/CoinbaseBrokerageModel.cs``): cash account only, leverage 1,
  crypto only, LEAN's ``CoinbaseFeeModel`` and ``CashBuyingPowerModel``, the BTCUSD Coinbase benchmark and
  365 trading days a year (``BaseSetupHandler.SetBrokerageTradingDayPerYear``).
- ``coinbase_fee``: the maker/taker percentage of the order's time (a marketable order is a taker) of the order
  value at the ask (buying) or bid (selling), in the quote currency.
- ``cash_target_quantity``: ``CashBuyingPowerModel.GetMaximumOrderQuantityForTargetBuyingPower``, in decimals
  as LEAN computes it: the target value less the base currency held, over the unit price in the account
  currency, to the lot size, reduced until the order and its fee fit.
- ``cash_buying_power_problem``: ``HasSufficientBuyingPowerForOrder`` for market orders: buying is checked
  against the quote currency's cash, selling against the base currency held.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.fee_models import sizing_order
from backtest_core.engines.embedded.model import Order, OrderType
from backtest_core.errors import UnsupportedApi
from backtest_core.stats.decimals import ZERO, from_float

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Portfolio, Security

COINBASE_TRADING_DAYS = 365
FREE_PORTFOLIO_VALUE_PERCENTAGE = Decimal("0.0025")

# LEAN's Currencies.StablePairsCoinbase
STABLE_PAIRS_COINBASE = frozenset({
    "DAIUSDC", "DAIUSD", "GYENUSD", "PAXUSD", "PAXUSDT", "MUSDUSD", "USDCEUR", "USDCGBP", "USDTEUR", "USDTGBP",
    "USDTUSD", "USDTUSDC", "USTEUR", "USTUSD", "USTUSDT", "WBTCBTC",
})  # fmt: skip

# CoinbaseFeeModel.GetFeePercentage's tiers: (until UTC, maker, taker); Advanced 1 after the last
_TIERS = (
    (datetime(2019, 3, 23, 1, 30), Decimal("0"), Decimal("0.003")),
    (datetime(2019, 10, 8, 0, 30), Decimal("0.0015"), Decimal("0.0025")),
)
_ADVANCED_1 = (Decimal("0.006"), Decimal("0.008"))


def _fee_percentage(utc: datetime, maker: bool, stable: bool) -> Decimal:
    naive = utc.replace(tzinfo=None)
    if stable:
        if naive < datetime(2022, 6, 1):
            return ZERO if maker else Decimal("0.001")
        return ZERO if maker else Decimal("0.00001")
    for until, maker_fee, taker_fee in _TIERS:
        if naive < until:
            return maker_fee if maker else taker_fee
    return _ADVANCED_1[0] if maker else _ADVANCED_1[1]


def coinbase_fee(security: Security, order: Order) -> Decimal:
    """``CoinbaseFeeModel.GetOrderFee`` in the quote currency, for the market orders this engine takes under the
    model (takers; see ``refused_order``)."""
    maker = False
    stable = security.symbol.value in STABLE_PAIRS_COINBASE
    price = security.ask_price if order.quantity > 0 else security.bid_price
    unit = from_float(price)
    return unit * abs(from_float(order.quantity)) * _fee_percentage(order.time, maker, stable)


def refused_order(security: Security, order_type: OrderType, quantity: float) -> None:
    """What ``CoinbaseBrokerageModel.CanSubmitOrder`` rejects, and order kinds whose cash-account checks
    (open-order reservations, limit fees) the engine does not model: refused by name."""
    if security.kind != SecurityKind.CRYPTO:
        raise UnsupportedApi(f"an order for {security.symbol.value} under the Coinbase brokerage (crypto only)")
    if order_type != OrderType.MARKET:
        raise UnsupportedApi(f"a {order_type.name} order in a Coinbase cash account (market orders only)")
    minimum = security.symbol_properties.minimum_order_size
    if minimum and abs(quantity) < minimum:
        raise UnsupportedApi(f"an order under {security.symbol.value}'s minimum order size in a Coinbase account")


def cash_holdings_quantity(portfolio: Portfolio, security: Security, percent: float) -> float:
    """The signed order quantity ``set_holdings(security, percent)`` places in a cash account: LEAN's
    ``PortfolioTarget.Percent`` takes the free-portfolio buffer off the percent, then asks the cash model."""
    total = from_float(portfolio.total_portfolio_value)
    if total == 0:
        return 0.0
    adjusted = from_float(percent) * (total - total * FREE_PORTFOLIO_VALUE_PERCENTAGE) / total
    return float(maximum_cash_quantity(portfolio, security, adjusted))


def maximum_cash_quantity(portfolio: Portfolio, security: Security, target: Decimal) -> Decimal:
    """``CashBuyingPowerModel.GetMaximumOrderQuantityForTargetBuyingPower`` for the fraction ``target`` of the
    portfolio value (a result LEAN reports as an error is refused by name)."""
    target_value = target * from_float(portfolio.total_portfolio_value)
    if target_value < 0:
        raise UnsupportedApi("a short target in a cash account (LEAN: the cash model does not allow shorting)")
    base = security.base_cash
    if target_value == 0:
        return -from_float(base.amount)
    book = portfolio.cash_book
    held = from_float(book.convert_to_account_currency(base.amount, base.symbol)) if base.amount else ZERO
    order_value = abs(target_value - held)
    buying = target_value > held
    quote_rate = from_float(security.quote_rate)
    unit = from_float(security.ask_price if buying else security.bid_price) * quote_rate
    if unit == 0:
        raise UnsupportedApi(f"set_holdings({security.symbol.value}) before its price or conversion rate is known")
    lot = from_float(security.symbol_properties.lot_size or 1.0)
    quantity = order_value / unit
    quantity -= quantity % lot
    if quantity == 0:
        return ZERO
    current, last = ZERO, ZERO
    while True:
        if current > order_value:
            per_unit = current / quantity
            quantity -= max((current - order_value) / per_unit, lot)  # at least one lot each time
        quantity -= quantity % lot
        if quantity <= 0:
            return ZERO
        if quantity == last:
            raise UnsupportedApi("a cash-account order quantity LEAN fails to converge on")
        last = quantity
        fee = coinbase_fee(security, sizing_order(security, float(quantity), security.clock.utc)) * quote_rate
        current = quantity * unit + fee
        if current <= order_value:
            return quantity if buying else -quantity


def cash_buying_power_problem(portfolio: Portfolio, security: Security, order: Order) -> str:
    """Why a market order lacks buying power in a cash account ('' when it has it), in LEAN's words."""
    quantity = abs(from_float(order.quantity - order.quantity_filled))
    base, quote = security.base_cash, security.quote_currency
    book = portfolio.cash_book
    if order.quantity < 0:
        available = from_float(base.amount)
        if quantity <= available:
            return ""
        return (
            f"Your portfolio holds {_text(available)} {base.symbol}, 0 {base.symbol} of which are reserved for "
            f"open orders, but your Sell order is for {_text(quantity)} {base.symbol}. Cash Modeling trading does "
            "not permit short holdings so ensure you only sell what you have, including any additional open orders."
        )
    available = from_float(book[quote].amount)
    price = from_float(security.price)
    needed = quantity * price
    held = from_float(book.convert(base.amount, base.symbol, quote)) if base.amount else ZERO
    target = from_float(book.convert_to_account_currency(float(available + held), quote))
    total = from_float(portfolio.total_portfolio_value)
    maximum = maximum_cash_quantity(portfolio, security, target / total if total else ZERO) * price
    if needed <= abs(maximum):
        return ""
    return (
        f"Your portfolio holds {_text(available)} {quote}, 0 {quote} of which are reserved for open orders, but "
        f"your Buy order is for {_text(quantity)} {base.symbol}. Your order requires a total value of "
        f"{_text(needed)} {quote}, but only a total value of {_text(abs(maximum))} {quote} is available."
    )


def _text(value: Decimal) -> str:
    """A decimal as LEAN's ``Normalize()`` prints it."""
    return f"{value.normalize():f}"
