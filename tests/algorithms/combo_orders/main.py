# Combo orders of SPY and IBM hour bars under LEAN's base fill rules, every order event reported; the tests
# check the fills against the data files read independently of the engine.
from AlgorithmImports import *


class ComboOrders(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2019, 1, 2)
        self.set_end_date(2019, 1, 4)
        self.spy = self.add_equity("SPY", Resolution.HOUR).symbol
        self.ibm = self.add_equity("IBM", Resolution.HOUR).symbol
        self.placed = False

    def on_data(self, data):
        if self.placed:
            return
        self.placed = True
        pair = [Leg.create(self.spy, 1), Leg.create(self.ibm, -1)]
        self.combo_market_order(pair, 10)  # orders 1, 2: filled at once
        self.combo_limit_order(pair, 10, 0.5)  # 3, 4: the lows' sum (a hundredth each) stays above 0.5
        self.combo_limit_order(pair, 10, 2)  # 5, 6: below 2 on the next bar
        far = [Leg.create(self.spy, 1, 1000), Leg.create(self.ibm, -1, 1000)]
        self.combo_leg_limit_order(far, 10)  # 7, 8: IBM never trades above 1000, so SPY waits too
        near = [Leg.create(self.spy, 1, 1000), Leg.create(self.ibm, -1, 1)]
        self.combo_leg_limit_order(near, 10)  # 9, 10: both through their limits on the next bar

    def on_order_event(self, event):
        order = self.transactions.get_order_by_id(event.order_id)
        self.debug(f"event {event.order_id} {order.type} {event.status} {event.fill_quantity} {event.fill_price}")
