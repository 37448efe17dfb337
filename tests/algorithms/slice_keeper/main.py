from AlgorithmImports import *


class SliceKeeper(QCAlgorithm):
    """Keeps the first slices it is given and reads them only at the end; runs on UTC algorithm time."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_time_zone("UTC")
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.kept = []

    def on_data(self, data):
        if len(self.kept) < 3:
            self.kept.append((self.time, data))
        if not self.portfolio.invested:
            self.market_order(self.spy, 10)

    def on_end_of_algorithm(self):
        for when, data in self.kept:
            bar = data[self.spy]
            quote = data.quote_bars[self.spy]
            self.debug(
                f"kept {when:%H:%M} {data.time:%H:%M} {bar.close} {quote.bid.close} {quote.ask.close} "
                f"{data.Count} {self.spy in data} {data.contains_key('SPY')} {sorted(str(s) for s in data.Keys)}"
            )
