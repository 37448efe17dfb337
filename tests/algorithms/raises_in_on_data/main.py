from AlgorithmImports import *


class RaisesLater(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.add_equity("SPY", Resolution.MINUTE)
        self.bars = 0

    def on_data(self, data):
        self.bars += 1
        if self.bars == 1:
            self.set_holdings("SPY", 0.5)
            self.debug("bought half")
        if self.bars == 500:
            self.explode(data)

    def explode(self, data):
        return data["SPY"].close / 0
