from AlgorithmImports import *


class UniverseChanges(QCAlgorithm):
    """add_equity and remove_security while running, as LEAN does them: the change takes effect at the end of
    the time step (on_securities_changed then, tickers in order), an added security's data starts with the next
    bar, a removed one is liquidated at once (tag "Removed"), becomes untradable and gets no more data."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_cash(100000)
        self.add_equity("SPY")
        self.first_aig = None
        self.aig_after_removal = 0
        self.removed = False

    def on_securities_changed(self, changes):
        added = ",".join(s.symbol.value for s in changes.added_securities)
        removed = ",".join(s.symbol.value for s in changes.removed_securities)
        self.debug(f"changed {self.time:%d %H:%M} added={added} removed={removed} count={changes.count}")

    def on_data(self, data):
        if self.time.day == 7 and self.time.hour == 9 and self.time.minute == 31:
            self.add_equity("BAC")
            aig = self.add_equity("AIG")
            self.debug(f"added {self.time:%H:%M} in_data={data.contains_key('AIG')} price={aig.price}")
        if self.first_aig is None and data.contains_key("AIG"):
            self.first_aig = self.time
            self.debug(f"first AIG bar {self.time:%H:%M} {data['AIG'].end_time:%H:%M}")
        if self.time.day == 7 and self.time.hour == 10 and self.time.minute == 0:
            self.market_order("AIG", 100)
            self.limit_order("AIG", 100, 1.0)
        if self.time.day == 8 and self.time.hour == 10 and self.time.minute == 0:
            result = self.remove_security("AIG")
            unknown = self.remove_security("IBM")
            holding = self.portfolio["AIG"].quantity
            tradable = self.securities["AIG"].is_tradable
            open_orders = len(self.transactions.get_open_orders("AIG"))
            self.debug(f"removed {result} unknown={unknown} holding={holding} tradable={tradable} open={open_orders}")
            refused = self.market_order("AIG", 10)
            self.debug(f"order after removal {refused.order_id}:{OrderStatus(refused.status).name}")
            self.removed = True
        elif self.removed and data.contains_key("AIG"):
            self.aig_after_removal += 1

    def on_order_event(self, order_event):
        order = self.transactions.get_order_by_id(order_event.order_id)
        if order_event.status in (OrderStatus.FILLED, OrderStatus.CANCELED):
            self.debug(
                f"order {self.time:%d %H:%M} {order.symbol.value} {OrderStatus(order_event.status).name} "
                f"{order.quantity} tag={order.tag}"
            )

    def on_end_of_algorithm(self):
        self.debug(f"after removal AIG bars={self.aig_after_removal}")
