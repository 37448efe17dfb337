from AlgorithmImports import *


class NeverReturns(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        self.debug("entering an endless loop")
        while True:
            pass
