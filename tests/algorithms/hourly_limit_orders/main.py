from AlgorithmImports import *


class HourlyLimitOrders(QCAlgorithm):
    """On the hour, a limit order for 10 SPY shares at the latest price: buying for the first two days, selling
    after. Second bars, so the limit fill model meets many bars per order."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.SECOND)

    def on_data(self, data):
        if data.contains_key("SPY") and self.time.second == 0 and self.time.minute == 0:
            direction = 1 if self.time < self.start_date + timedelta(days=2) else -1
            self.limit_order("SPY", direction * 10, data["SPY"].price)

    def on_order_event(self, order_event):
        self.debug(str(order_event))
