from AlgorithmImports import *


class ExtendedHoursLimits(QCAlgorithm):
    """Minute SPY with pre- and post-market bars: at most once a day, outside regular hours, a limit order for
    10 shares at the bar's low. Orders must only ever fill outside regular hours."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE, Market.USA, True, 1, True)
        self.last_order_day = None

    def on_data(self, data):
        if self.last_order_day == self.time.date():
            return
        if not self.regular_hours():
            self.limit_order("SPY", 10, data.bars["SPY"].low)
            self.last_order_day = self.time.date()

    def on_order_event(self, order_event):
        if self.regular_hours():
            raise AssertionError(f"order event during regular hours: {order_event}")

    def regular_hours(self):
        return time(9, 30) < self.time.time() < time(16, 0)
