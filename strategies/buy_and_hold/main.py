# region imports
from AlgorithmImports import *
# endregion


class BuyAndHold(QCAlgorithm):
    """Invest equally in every symbol on the first bar and hold: the baseline every idea must beat."""

    def initialize(self):
        self.set_start_date(2015, 1, 1)
        self.set_end_date(2020, 12, 31)
        self.set_cash(100000)
        resolution = _resolution(self.get_parameter("resolution", "daily"))
        tickers = [t.strip() for t in self.get_parameter("symbols", "SPY").split(",") if t.strip()]
        self.targets = [self.add_equity(ticker, resolution).symbol for ticker in tickers]

    def on_data(self, data: Slice):
        if not self.portfolio.invested:
            weight = 1.0 / len(self.targets)
            self.set_holdings([PortfolioTarget(symbol, weight) for symbol in self.targets])


def _resolution(name):
    return {"minute": Resolution.MINUTE, "hour": Resolution.HOUR}.get(name.lower(), Resolution.DAILY)
