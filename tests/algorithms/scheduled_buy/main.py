from AlgorithmImports import *


class ScheduledBuy(QCAlgorithm):
    """Buys SPY from a scheduled event one minute after the open, passing the Security where LEAN takes a
    Symbol. The event at 9:31 sees the bar that ends at 9:31, so the run equals buying on the first bar."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        spy = self.add_equity("SPY", Resolution.MINUTE)
        self.schedule.on(self.date_rules.every_day(spy), self.time_rules.after_market_open(spy, 1), self.buy_once)

    def buy_once(self):
        if not self.portfolio.invested:
            self.debug(f"event at {self.time:%H:%M} sees {self.securities['SPY'].price}")
            self.set_holdings(self.securities["SPY"], 1)
