# Two minute subscriptions, one of which has no data on the second day: LEAN fills it forward.
from AlgorithmImports import *


class FillForwardProbe(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 12, 30)
        self.set_end_date(2020, 12, 31)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.qqq = self.add_equity("QQQ", Resolution.MINUTE).symbol
        self.seen = {"real": 0, "filled": 0}

    def on_data(self, data):
        if data.contains_key(self.qqq):
            bar = data[self.qqq]
            self.seen["filled" if bar.is_fill_forward else "real"] += 1
            if bar.is_fill_forward and self.seen["filled"] == 1:
                self.debug(f"first fill-forward {self.time:%Y-%m-%d %H:%M} close={bar.close}")

    def on_end_of_algorithm(self):
        self.debug(f"qqq real={self.seen['real']} filled={self.seen['filled']}")
