from AlgorithmImports import *


class MarginGone(QCAlgorithm):
    """A resting limit buy that fits the margin when placed, then a market buy that uses most of it: LEAN
    checks buying power again before every fill attempt, so the limit order turns invalid at the next bar."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.placed = False

    def on_data(self, data):
        if not self.placed:
            self.placed = True
            price = self.securities[self.spy].price
            self.limit_order(self.spy, 500, round(price * 0.9, 2))  # far below the market: it waits
            self.market_order(self.spy, 1000)

    def on_order_event(self, order_event):
        if order_event.status == OrderStatus.INVALID:
            self.debug(f"invalid at {self.time}: {order_event.message}")
