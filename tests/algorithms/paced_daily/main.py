# SPY daily for a year, trading on a moving-average cross, pausing 40 ms per bar: a run that lasts long enough
# (about ten seconds) to be watched, cancelled or interrupted mid-way, with results that do not depend on the pace.
from AlgorithmImports import *

import time as wall_clock  # AlgorithmImports brings datetime's `time`


class PacedDaily(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 1, 1)
        self.set_end_date(2014, 12, 31)
        self.set_cash(100000)
        self.symbol = self.add_equity("SPY", Resolution.DAILY).symbol
        self.fast = self.sma(self.symbol, int(self.get_parameter("fast", 5)), Resolution.DAILY)
        self.slow = self.sma(self.symbol, 20, Resolution.DAILY)

    def on_data(self, data):
        wall_clock.sleep(float(self.get_parameter("pause", 0.04)))
        self.debug(f"{self.time:%Y-%m-%d} close {self.securities[self.symbol].price:.2f}")
        if not self.slow.is_ready:
            return
        if self.fast.current.value > self.slow.current.value and not self.portfolio.invested:
            self.set_holdings(self.symbol, 1)
        elif self.fast.current.value < self.slow.current.value and self.portfolio.invested:
            self.liquidate(self.symbol)
