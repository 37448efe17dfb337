"""LEAN's India equity market: its exchanges, ``IndiaOrderProperties``, its fee models and the Zerodha brokerage.

India equities (``Market.INDIA``) read their prices, factor and map files from ``equity/india`` and their hours
(Asia/Kolkata) from the market-hours database like US ones; what differs is here:

- ``Exchange`` (``Common/Exchange.cs``): the India exchanges (NSE, BSE) and ``UNKNOWN``; an order's exchange is
  a property it carries (and LEAN serialises), not something the backtesting brokerage fills by.
- ``IndiaOrderProperties`` (``Common/Orders/IndiaOrderProperties.cs``): the exchange and an optional product
  type (MIS/CNC/NRML) beside the time in force.
- The default brokerage model's fee, ``InteractiveBrokersFeeModel`` for ``Market.India``: 0.01 INR a share, at
  least 6 INR, at most 20 times the order's value, charged in INR. The engine charges fees in the account
  currency, so an India equity needs an INR account (see :func:`check_account_currency`).
- ``ZerodhaBrokerageModel`` (``BrokerageName.ZERODHA``, margin accounts): equities default to ``Market.INDIA``,
  each security gets the Zerodha fee model and equities a leverage of 5 (the one ``add_equity`` gives wins);
  orders other than market, limit, stop market and stop limit, or for other than equities, which LEAN
  rejects with a brokerage message, are refused by name; forex and crypto, whose leverage LEAN's model
  throws on, too.
- ``IndiaFeeModel`` (``Common/Orders/Fees/IndiaFeeModel.cs``) and its brokers' rates, ``ZerodhaFeeModel`` and
  ``SamcoFeeModel``, for ``security.set_fee_model``: brokerage, securities transaction tax (sales), exchange
  charge, state tax, SEBI and stamp charges (purchases), each rounded to paise as LEAN's decimals round.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.fee_models import FeeModel, OrderFeeParameters
from backtest_core.engines.embedded.model import (
    CashAmount,
    LeanObject,
    Order,
    OrderFee,
    OrderType,
    SecurityType,
    _Enum,
    _LeanClassType,
)
from backtest_core.engines.embedded.time_in_force import OrderProperties
from backtest_core.errors import UnsupportedApi
from backtest_core.stats.decimals import ZERO, from_float, round_places

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

INDIA = "india"
# LEAN's SecurityIdentifier.DefaultDate (FromOADate(0)): the date of an equity without a map file, so an India
# ticker without one is "YESBANK UL". (US tickers without one keep SPY's 1998-01-02 here; see model.py.)
UNMAPPED_FIRST_DATE = date(1899, 12, 30)
CURRENCY = "INR"
IB_FEE_PER_SHARE = 0.01
IB_MINIMUM_FEE = 6.0
IB_MAXIMUM_FEE_RATE = 20.0
ZERODHA = 15  # BrokerageName.Zerodha
ZERODHA_LEVERAGE = 5.0
ZERODHA_ORDER_TYPES = (OrderType.LIMIT, OrderType.MARKET, OrderType.STOP_MARKET, OrderType.STOP_LIMIT)


class Exchange(LeanObject, metaclass=_LeanClassType):
    """LEAN's ``Exchange``: a name, a code and the market and security types it lists. Only the India exchanges
    are modelled; any other (``Exchange.NYSE``) is refused by name."""

    def __init__(self, name: str, code: str, description: str, market: str, *security_types: SecurityType) -> None:
        self.name, self.description, self.market = name, description, market
        self.code = code or name
        self.security_types = [SecurityType(kind) for kind in security_types]

    def json_members(self) -> dict[str, Any]:
        """Its JSON properties as Newtonsoft names them by default (``Description`` is ``JsonIgnore``)."""
        return {"Code": self.code, "Name": self.name, "Market": self.market,
                "SecurityTypes": [int(kind) for kind in self.security_types]}  # fmt: skip

    def __eq__(self, other: object) -> bool:
        """LEAN's ``Equals``: the same code, market and security types."""
        if not isinstance(other, Exchange):
            return NotImplemented
        same_types = sorted(self.security_types) == sorted(other.security_types)
        return self.code == other.code and self.market == other.market and same_types

    def __hash__(self) -> int:
        return hash((self.code, self.market, tuple(sorted(self.security_types))))

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


Exchange.UNKNOWN = Exchange("", "", "UNKNOWN", "")
Exchange.BSE = Exchange("BSE", "BSE", "Bombay Stock Exchange", INDIA, SecurityType.EQUITY)
Exchange.NSE = Exchange("NSE", "NSE", "National Stock Exchange of India", INDIA, SecurityType.EQUITY)


class IndiaProductType(_Enum):
    """LEAN's ``IndiaOrderProperties.IndiaProductType``."""

    MIS = 0
    CNC = 1
    NRML = 2


class IndiaOrderProperties(OrderProperties):
    """LEAN's ``IndiaOrderProperties(exchange, product_type=None)``: the product type is kept as its name."""

    IndiaProductType = IndiaProductType

    def __init__(self, exchange: Exchange, product_type: IndiaProductType | None = None) -> None:
        super().__init__()
        if not isinstance(exchange, Exchange):
            raise UnsupportedApi(f"IndiaOrderProperties({exchange!r}): the exchange must be one of LEAN's Exchange")
        object.__setattr__(self, "exchange", exchange)
        name = None if product_type is None else IndiaProductType(int(product_type)).name
        object.__setattr__(self, "product_type", name)

    def clone(self) -> IndiaOrderProperties:
        """LEAN's ``MemberwiseClone``: a copy with the same members."""
        copy = object.__new__(IndiaOrderProperties)
        for name in ("time_in_force", "exchange", "product_type"):
            object.__setattr__(copy, name, object.__getattribute__(self, name))
        return copy


def check_account_currency(ticker: str, account_currency: str) -> None:
    """An India equity is quoted in the account currency (LEAN's default symbol properties) while its fee is
    charged in INR: only an INR account keeps both in one currency, as the engine charges fees."""
    if account_currency != CURRENCY:
        raise UnsupportedApi(
            f"add_equity({ticker}) in market india with account currency {account_currency} (only INR)"
        )


def interactive_brokers_fee(quantity: float, value: float) -> float:
    """``InteractiveBrokersFeeModel`` for an India equity order of ``quantity`` shares worth ``value``: the
    per-share fee, raised to the minimum, else capped at the maximum rate of the order's value (the minimum is
    checked first, as LEAN does)."""
    fee = IB_FEE_PER_SHARE * abs(quantity)
    if fee < IB_MINIMUM_FEE:
        return IB_MINIMUM_FEE
    return min(fee, IB_MAXIMUM_FEE_RATE * abs(value))


class IndiaFeeModel(FeeModel):
    """LEAN's ``IndiaFeeModel``: the fee of an order of value V (its ``GetValue``, negative for a sale), in INR.

    brokerage = min(max brokerage, round(|V| x rate, 2)) (the cap unrounded); turnover = round(|V|, 2); STT on sales
    = round(|V| x rate, 2); exchange = round(turnover x rate, 2); state tax = round(rate x (brokerage + exchange),
    2); SEBI = round(turnover x rate, 2); stamp on purchases = round(|V| or turnover x rate, 2); the fee is their
    sum rounded to 2 places. The base class's rates are LEAN's defaults, 0."""

    brokerage_multiplier = ZERO
    max_brokerage = ZERO
    securities_transaction_tax_total_multiplier = ZERO
    exchange_transaction_charge_multiplier = ZERO
    state_tax_multiplier = ZERO
    sebi_charges_multiplier = ZERO
    stamp_charges_multiplier = ZERO
    is_stamp_charges_from_order_value = False

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        if parameters.security is None:
            return OrderFee(CashAmount(0.0, CURRENCY))
        return OrderFee(CashAmount(float(self.fee(order_value(parameters.order, parameters.security))), CURRENCY))

    def fee(self, order_value: Decimal) -> Decimal:
        is_sell = order_value < 0
        value = abs(order_value)
        multiplied = value * self.brokerage_multiplier
        brokerage = self.max_brokerage if multiplied > self.max_brokerage else round_places(multiplied, 2)
        turnover = round_places(value, 2)
        transaction_tax = round_places(value * self.securities_transaction_tax_total_multiplier, 2) if is_sell else ZERO
        exchange_charge = round_places(turnover * self.exchange_transaction_charge_multiplier, 2)
        state_tax = round_places(self.state_tax_multiplier * (brokerage + exchange_charge), 2)
        sebi_charges = round_places(turnover * self.sebi_charges_multiplier, 2)
        stamp_charges = ZERO
        if not is_sell:
            base = value if self.is_stamp_charges_from_order_value else turnover
            stamp_charges = round_places(base * self.stamp_charges_multiplier, 2)
        total = brokerage + transaction_tax + exchange_charge + stamp_charges + state_tax + sebi_charges
        return round_places(total, 2)


class ZerodhaFeeModel(IndiaFeeModel):
    """LEAN's ``ZerodhaFeeModel``: Zerodha's rates (stamp charges on the order value)."""

    brokerage_multiplier = Decimal("0.0003")
    max_brokerage = Decimal(20)
    securities_transaction_tax_total_multiplier = Decimal("0.00025")
    exchange_transaction_charge_multiplier = Decimal("0.0000345")
    state_tax_multiplier = Decimal("0.18")
    sebi_charges_multiplier = Decimal("0.000001")
    stamp_charges_multiplier = Decimal("0.00003")
    is_stamp_charges_from_order_value = True


class SamcoFeeModel(IndiaFeeModel):
    """LEAN's ``SamcoFeeModel``: Samco's rates (stamp charges on the turnover)."""

    brokerage_multiplier = Decimal("0.0002")
    max_brokerage = Decimal(20)
    securities_transaction_tax_total_multiplier = Decimal("0.00025")
    exchange_transaction_charge_multiplier = Decimal("0.0000345")
    state_tax_multiplier = Decimal("0.18")
    sebi_charges_multiplier = Decimal("0.000001")
    stamp_charges_multiplier = Decimal("0.00003")


def order_value(order: Order, security: Security) -> Decimal:
    """LEAN's ``Order.GetValue`` in the account currency: quantity times the security's price; for a limit,
    stop-limit (its limit) or stop order (its stop) a sale takes the higher, a purchase the lower of the
    order's price and the security's (an INR security under an INR account converts at 1)."""
    quantity, price = from_float(order.quantity), from_float(security.price)
    kind = int(order.type)
    if kind in (OrderType.MARKET, OrderType.MARKET_ON_OPEN, OrderType.MARKET_ON_CLOSE):
        return quantity * price
    if kind not in (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.STOP_MARKET):
        raise UnsupportedApi(f"IndiaFeeModel for a {OrderType(kind).name} order")
    own = from_float((order.stop_price if kind == OrderType.STOP_MARKET else order.limit_price) or 0.0)
    return quantity * (max(own, price) if quantity < 0 else min(own, price))  # a sale's higher, a purchase's lower


def initialize_for_zerodha(security: Security, leverage: float) -> None:
    """``BrokerageModelSecurityInitializer`` under ``ZerodhaBrokerageModel``: its fee model; an equity's leverage
    5 unless one was given (LEAN sets the given one after the initializer)."""
    if security.kind != SecurityKind.EQUITY:
        raise UnsupportedApi(f"a {security.kind.value} security under the Zerodha brokerage (LEAN throws)")
    security.fee_model = ZerodhaFeeModel()
    security.leverage = leverage or ZERODHA_LEVERAGE


def check_zerodha_order(security: Security, order_type: OrderType) -> None:
    """What ``ZerodhaBrokerageModel.CanSubmitOrder`` rejects (every time in force the engine has it accepts)."""
    if int(order_type) not in ZERODHA_ORDER_TYPES:
        raise UnsupportedApi(f"a {OrderType(int(order_type)).name} order under the Zerodha brokerage (LEAN rejects it)")
