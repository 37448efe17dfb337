from AlgorithmImports import *


class TrailingStops(QCAlgorithm):
    """SPY daily: 100 shares bought at the first close; on the next bar a sell trailing stop $2 below the price
    and a buy trailing stop 1% above it. Logs each bar (after the scan before on_data), every fill, and at the
    end each order's stop price, status, fill price and tag."""

    def initialize(self):
        self.set_start_date(2013, 10, 1)
        self.set_end_date(2013, 12, 31)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.sell = self.buy = None

    def on_data(self, data):
        if self.spy not in data.bars:
            return  # the dividend slice of 2013-12-20
        bar = data.bars[self.spy]
        self.debug(f"bar {bar.open!r} {bar.high!r} {bar.low!r} {bar.close!r}")
        if not self.portfolio.invested and self.sell is None:
            self.market_order(self.spy, 100)
        elif self.sell is None:
            self.sell = self.trailing_stop_order(self.spy, -100, 2, False)
            self.buy = self.trailing_stop_order(self.spy, 100, trailing_amount=0.01, trailing_as_percentage=True)

    def on_order_event(self, event):
        if event.status == OrderStatus.FILLED:
            self.debug(f"fill {event.order_id} {event.fill_price!r}")

    def on_end_of_algorithm(self):
        for ticket in (self.sell, self.buy):
            stop = ticket.get(OrderField.STOP_PRICE)
            self.debug(f"final {ticket.order_id} {stop!r} {ticket.status} {ticket.get(OrderField.TRAILING_AMOUNT)!r}")
            self.debug(f"tag {ticket.order_id} {ticket.tag}")
