# Holds euros against dollars for a month of Oanda minute quotes.
from AlgorithmImports import *


class HoldEuro(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 5, 1)
        self.set_end_date(2014, 5, 9)
        self.set_cash(100000)
        self.eur = self.add_forex("EURUSD", Resolution.MINUTE).symbol

    def on_data(self, data):
        if not self.portfolio.invested:
            self.market_order(self.eur, 10000)
