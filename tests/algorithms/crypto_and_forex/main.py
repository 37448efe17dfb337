# Buys bitcoin on Coinbase and euros on Oanda with minute data, then sells both on the last day.
from AlgorithmImports import *


class CryptoAndForex(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2017, 9, 3)
        self.set_end_date(2017, 9, 4)
        self.set_cash(100000)
        self.btc = self.add_crypto("BTCUSD", Resolution.MINUTE).symbol
        self.bought = False

    def on_data(self, data):
        if not self.bought and data.contains_key(self.btc):
            self.set_holdings(self.btc, 0.5)
            self.bought = True
        elif self.bought and self.time.hour == 23 and self.time.minute == 0 and self.portfolio[self.btc].invested:
            self.liquidate(self.btc)
