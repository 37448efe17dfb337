# region imports
from AlgorithmImports import *
# endregion


class MomentumRotation(QCAlgorithm):
    """Each month hold the top N symbols by trailing return: momentum persists over months."""

    def initialize(self):
        self.set_start_date(2015, 1, 1)
        self.set_end_date(2020, 12, 31)
        self.set_cash(100000)
        tickers = [t.strip() for t in self.get_parameter("symbols", "SPY,QQQ,IWM,EEM").split(",") if t.strip()]
        self.lookback = self.get_parameter("lookback", 63)
        self.top = self.get_parameter("top", 2)
        self.members = [self.add_equity(ticker, Resolution.DAILY).symbol for ticker in tickers]
        self.momentum = {symbol: self.roc(symbol, self.lookback, Resolution.DAILY) for symbol in self.members}
        self.set_warm_up(self.lookback + 1, Resolution.DAILY)
        self.schedule.on(
            self.date_rules.month_start(self.members[0]),
            self.time_rules.after_market_open(self.members[0], 30),
            self.rebalance,
        )

    def rebalance(self):
        if self.is_warming_up:
            return
        ready = [symbol for symbol in self.members if self.momentum[symbol].is_ready]
        ranked = sorted(ready, key=lambda symbol: self.momentum[symbol].current.value, reverse=True)
        winners = ranked[: self.top]
        for symbol in self.members:
            if symbol not in winners and self.portfolio[symbol].invested:
                self.liquidate(symbol)
        if winners:
            self.set_holdings([PortfolioTarget(symbol, 1.0 / len(winners)) for symbol in winners])
            self.log(f"{self.time:%Y-%m} holding {', '.join(s.value for s in winners)}")

    def on_data(self, data: Slice):
        pass
