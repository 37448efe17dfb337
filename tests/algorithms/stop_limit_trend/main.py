from AlgorithmImports import *


class StopLimitTrend(QCAlgorithm):
    """Daily SPY, 2013-2016. When EMA(30) runs above EMA(60), one stop-limit buy of 100 shares triggered 10%
    above the day's high (limit 11% above); once filled and the trend turns, one stop-limit sell triggered 1%
    under the day's low (limit 2% under). Checks that fills respect the limit and trigger the stop."""

    def initialize(self):
        self.set_start_date(2013, 1, 1)
        self.set_end_date(2017, 1, 1)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.fast = self.ema(self.spy, 30, Resolution.DAILY)
        self.slow = self.ema(self.spy, 60, Resolution.DAILY)
        self.entry = self.exit = None

    def on_data(self, data):
        if not (self.fast.is_ready and self.slow.is_ready):
            return
        spy = self.securities[self.spy]
        rising = self.fast.current.value > self.slow.current.value * 1.001
        if self.entry is None and rising:
            self.entry = self.stop_limit_order(self.spy, 100, spy.high * 1.10, spy.high * 1.11)
        elif self.entry.status == OrderStatus.FILLED and self.exit is None and not rising:
            self.exit = self.stop_limit_order(self.spy, -100, spy.low * 0.99, spy.low * 0.98)

    def on_order_event(self, order_event):
        if order_event.status != OrderStatus.FILLED:
            return
        order = self.transactions.get_order_by_id(order_event.order_id)
        buying = order_event.direction == OrderDirection.BUY
        limit = (self.entry if buying else self.exit).get(OrderField.LIMIT_PRICE)
        beyond = order_event.fill_price > limit if buying else order_event.fill_price < limit
        if not order.stop_triggered or beyond:
            raise AssertionError(f"stop limit filled wrongly: {order_event}")
