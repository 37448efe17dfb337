from AlgorithmImports import *


class EventOrder(QCAlgorithm):
    """A scheduled event at the end of a minute bar beside OnData at that bar, each logging what it sees; a
    second event quits. LEAN's AlgorithmManager runs the event (RealTimeHandler.SetTime) after the bar's prices
    and fills, before its consolidators and OnData, and stops before OnData when the event quit."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.average = self.sma(self.spy, 5)
        self.last_on_data = None
        self.schedule.on(self.date_rules.every_day(self.spy), self.time_rules.after_market_open(self.spy, 1), self.buy)
        self.schedule.on(self.date_rules.every_day(self.spy), self.time_rules.at(10, 0), self.quit)

    def buy(self):
        self.debug(
            f"event time={self.time:%H:%M} last_on_data={self.last_on_data} "
            f"price={self.securities[self.spy].price} samples={self.average.samples}"
        )
        self.set_holdings(self.spy, 1)

    def on_data(self, data):
        if self.last_on_data is None:
            self.debug(
                f"on_data time={self.time:%H:%M} invested={self.portfolio.invested} "
                f"close={data.bars[self.spy].close} samples={self.average.samples}"
            )
        self.last_on_data = self.time

    def on_end_of_algorithm(self):
        self.debug(f"end last_on_data={self.last_on_data:%Y-%m-%d %H:%M}")
