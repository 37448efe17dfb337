from AlgorithmImports import *


class TimeInForceOrders(QCAlgorithm):
    """SPY limit orders far below the market under each time in force, placed on the first minute bar of
    Monday 2013-10-07 (9:31): a Day order, a GoodTilDate(Wednesday) order given as order_properties while the
    default stays GoodTilCanceled, and a GoodTilCanceled one; a marketable Day order placed at 15:59 on Friday
    (its fill comes with the 16:00 bar, at which the day has ended). Every order event is logged."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.placed = False

    def on_data(self, data):
        if not self.placed:
            self.placed = True
            self.default_order_properties.time_in_force = TimeInForce.DAY
            self.limit_order(self.spy, 10, 100, tag="day")
            until = OrderProperties()
            until.time_in_force = TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 9))
            self.default_order_properties = OrderProperties()
            self.limit_order(self.spy, 10, 100, tag="gtd", order_properties=until)
            self.limit_order(self.spy, 10, 100, tag="gtc")
        if self.time == datetime(2013, 10, 11, 15, 59):
            self.default_order_properties.time_in_force = TimeInForce.DAY
            self.limit_order(self.spy, 10, 1000, tag="late day")

    def on_order_event(self, event):
        order = self.transactions.get_order_by_id(event.order_id)
        kind = type(order.time_in_force).__name__
        self.debug(f"event {self.time} {order.tag} {kind} {event.status} {event.message}")
