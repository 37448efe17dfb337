# SPY 80% / IBM 20% on the first bar, then IBM 80% / SPY 20% rebalanced every minute at leverage 1:
# the orders must be sequenced so the reductions free margin first.
from AlgorithmImports import *


class TwoTargets(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.spy = self.add_equity("SPY", Resolution.MINUTE, Market.USA, False, 1).symbol
        self.ibm = self.add_equity("IBM", Resolution.MINUTE, Market.USA, False, 1).symbol

    def on_data(self, data):
        if self.portfolio.invested:
            self.set_holdings([PortfolioTarget(self.ibm, 0.8), PortfolioTarget(self.spy, 0.2)])
        else:
            self.set_holdings([PortfolioTarget(self.spy, 0.8), PortfolioTarget(self.ibm, 0.2)])
