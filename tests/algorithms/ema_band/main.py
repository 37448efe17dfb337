# Long above a fast/slow EMA band, flat below it; periods come from the parameters ema-fast / ema-slow.
from AlgorithmImports import *


class EmaBand(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY")
        self.fast = self.ema("SPY", self.get_parameter("ema-fast", 100))
        self.slow = self.ema("SPY", self.get_parameter("ema-slow", 200))

    def on_data(self, data):
        if not (self.fast.is_ready and self.slow.is_ready):
            return
        if self.fast.current.value > self.slow.current.value * 1.001:
            self.set_holdings("SPY", 1)
        elif self.fast.current.value < self.slow.current.value * 0.999:
            self.liquidate("SPY")
