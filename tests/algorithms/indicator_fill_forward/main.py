# IBM's minute file has no 12:46-12:47 trade bar on 2013-10-11 (its quotes go on): LEAN fills the trade bar
# forward and its automatic indicators take the filled bar, as a consolidator does.
from AlgorithmImports import *


class IndicatorFillForward(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 11)
        self.set_end_date(2013, 10, 11)
        self.ibm = self.add_equity("IBM", Resolution.MINUTE).symbol
        self.last = self.identity(self.ibm)
        self.average = self.sma(self.ibm, 3)
        self.minutes = 0
        self.consolidate(self.ibm, timedelta(minutes=5), self.five)

    def on_data(self, data):
        self.minutes += 1
        if self.time.hour == 12 and 45 <= self.time.minute <= 48:
            bar = data.bars[self.ibm]
            self.debug(
                f"step {self.time:%H:%M} filled={bar.is_fill_forward} close={bar.close:.4f} "
                f"identity={self.last.current.value:.4f} sma={self.average.current.value:.6f} "
                f"samples={self.average.samples} precomputed={self.average.ahead is not None}"
            )

    def five(self, bar):
        if bar.time.hour == 12 and bar.time.minute == 45:
            self.debug(f"five {bar.time:%H:%M} {bar.close:.4f} {bar.volume:.0f}")

    def on_end_of_algorithm(self):
        self.debug(f"end minutes={self.minutes} samples={self.average.samples}")
