# region imports
from AlgorithmImports import *
# endregion


class RsiMeanReversion(QCAlgorithm):
    """Buy when RSI says oversold, sell when it says overbought: a bet that short moves revert."""

    def initialize(self):
        self.set_start_date(2015, 1, 1)
        self.set_end_date(2020, 12, 31)
        self.set_cash(100000)
        resolution = {"minute": Resolution.MINUTE, "hour": Resolution.HOUR}.get(
            self.get_parameter("resolution", "daily").lower(), Resolution.DAILY
        )
        ticker = self.get_parameter("symbols", "SPY").split(",")[0].strip()
        self.symbol = self.add_equity(ticker, resolution).symbol
        self.rsi_indicator = self.rsi(
            self.symbol, self.get_parameter("period", 14), MovingAverageType.WILDERS, resolution
        )
        self.oversold = self.get_parameter("oversold", 30.0)
        self.overbought = self.get_parameter("overbought", 70.0)

    def on_data(self, data: Slice):
        if not self.rsi_indicator.is_ready:
            return
        value = self.rsi_indicator.current.value
        self.plot("RSI", "rsi", value)
        holding = self.portfolio[self.symbol]
        if value < self.oversold and not holding.invested:
            self.set_holdings(self.symbol, 1.0)
        elif value > self.overbought and holding.invested:
            self.liquidate(self.symbol)
