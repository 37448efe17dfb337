# region imports
from AlgorithmImports import *
# endregion


class SmaCrossover(QCAlgorithm):
    """Long while the fast simple moving average is above the slow one, flat otherwise."""

    def initialize(self):
        self.set_start_date(2015, 1, 1)
        self.set_end_date(2020, 12, 31)
        self.set_cash(100000)
        resolution = {"minute": Resolution.MINUTE, "hour": Resolution.HOUR}.get(
            self.get_parameter("resolution", "daily").lower(), Resolution.DAILY
        )
        ticker = self.get_parameter("symbols", "SPY").split(",")[0].strip()
        self.symbol = self.add_equity(ticker, resolution).symbol
        self.fast = self.sma(self.symbol, self.get_parameter("fast", 20), resolution)
        self.slow = self.sma(self.symbol, self.get_parameter("slow", 50), resolution)
        # let both averages fill before the first decision
        self.set_warm_up(self.get_parameter("slow", 50), resolution)

    def on_data(self, data: Slice):
        if self.is_warming_up or not self.slow.is_ready:
            return
        fast, slow = self.fast.current.value, self.slow.current.value
        self.plot("Moving averages", "fast", fast)
        self.plot("Moving averages", "slow", slow)
        if fast > slow and not self.portfolio[self.symbol].invested:
            self.set_holdings(self.symbol, 1.0)
            self.debug(f"{self.time:%Y-%m-%d} fast {fast:.2f} > slow {slow:.2f}: long")
        elif fast < slow and self.portfolio[self.symbol].invested:
            self.liquidate(self.symbol)
            self.debug(f"{self.time:%Y-%m-%d} fast {fast:.2f} < slow {slow:.2f}: flat")
