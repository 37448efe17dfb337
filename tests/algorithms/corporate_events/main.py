from AlgorithmImports import *


class CorporateEvents(QCAlgorithm):
    """AAPL daily over its dividend of 2014-05-08 and its 7:1 split of 2014-06-09: logs every on_data call
    (time, bars, symbols, splits, dividends) and the on_splits/on_dividends calls."""

    def initialize(self):
        self.set_start_date(2014, 5, 6)
        self.set_end_date(2014, 6, 10)
        self.set_cash(100000)
        self.set_benchmark(lambda moment: 0)
        self.aapl = self.add_equity("AAPL", Resolution.DAILY).symbol

    def on_data(self, data):
        events = [str(split) for split in data.splits.values()] + [str(d) for d in data.dividends.values()]
        no_bar = data[self.aapl] is None  # LEAN keys an equity's dividend or split with no bar
        self.debug(
            f"on_data {self.time} bars={len(data.bars)} keys={len(data)} no_bar={no_bar} "
            f"has_data={data.has_data} {' '.join(events)}"
        )

    def on_splits(self, splits):
        split = splits[self.aapl]
        warning = split.type == SplitType.WARNING
        self.debug(f"on_splits {self.time} warning={warning} {split.split_factor} {split.reference_price}")

    def on_dividends(self, dividends):
        dividend = dividends[self.aapl]
        self.debug(f"on_dividends {self.time} {dividend.distribution} {dividend.reference_price}")
