# Four set_holdings calls in one on_data (float, numpy and int weights): only the last one's target stands.
from AlgorithmImports import *


class SetHoldingsSteps(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            for weight in (0.1, 0.2, np.float64(0.3), 1):
                self.set_holdings("SPY", weight)
