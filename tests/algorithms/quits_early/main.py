# region imports
from AlgorithmImports import *
# endregion


class QuitsEarly(QCAlgorithm):
    """Holds SPY, then stops itself on 2020-09-30 although its period runs to 2020-12-31: its equity ends early."""

    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 12, 31)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol

    def on_data(self, data: Slice):
        if not self.portfolio.invested:
            self.set_holdings(self.spy, 1.0)
        if self.time >= datetime(2020, 9, 30):
            self.quit("stopped on purpose")
