from AlgorithmImports import *


class HoldThroughRename(QCAlgorithm):
    """GOOG traded as GOOCV until 2014-04-02 (LEAN's map file goog.csv): a resting order across the rename."""

    def initialize(self):
        self.set_start_date(2014, 3, 27)
        self.set_end_date(2014, 4, 8)
        self.set_cash(100000)
        self.goog = self.add_equity("GOOG", Resolution.DAILY).symbol

    def on_data(self, data):
        for kvp in data.bars:
            self.log(f"bar {self.time} {kvp.key} {kvp.value.close}")
        if self.transactions.orders_count == 0:
            self.limit_order(self.goog, 10, 1.0)
        for kvp in data.symbol_changed_events:
            self.log(f"slice {self.time} {kvp.key} {kvp.value.old_symbol} {kvp.value.new_symbol}")

    def on_symbol_changed_events(self, changes):
        for symbol, change in changes.items():
            self.log(f"hook {self.time} {symbol} {change} open {len(self.transactions.get_open_orders())}")

    def on_order_event(self, event):
        self.log(f"order {self.time} {event.status.name} {self.transactions.get_order_by_id(event.order_id).tag}")
