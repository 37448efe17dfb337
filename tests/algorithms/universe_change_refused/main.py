from AlgorithmImports import *


class UniverseChangeRefused(QCAlgorithm):
    """Adding an equity mid-run whose dividends lie ahead (AAPL's of November 2013) is refused by name."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 12, 31)
        self.add_equity("SPY")

    def on_data(self, data):
        self.add_equity("AAPL")
