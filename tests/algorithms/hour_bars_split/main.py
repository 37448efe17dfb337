from AlgorithmImports import *


class HourBarsSplit(QCAlgorithm):
    """AAPL hour bars around its 7:1 split of 2014-06-09, against a constant benchmark: one share bought on
    the first bar of the split day (the 9:00-10:00 bar, which holds the trades from the 9:30 open)."""

    def initialize(self):
        self.set_start_date(2014, 6, 6)
        self.set_end_date(2014, 6, 9)
        self.set_cash(100000)
        self.set_benchmark(lambda moment: 0)
        self.aapl = self.add_equity("AAPL", Resolution.HOUR).symbol

    def on_data(self, data):
        if data.bars.count and not self.portfolio.invested and self.time.date() == self.end_date.date():
            self.buy(self.aapl, 1)
