# LEAN's common history request forms, each reported as a debug line for the tests to check against the
# day files: bar counts, spans, start and end, typed bars, quote frames, fill-forward and indicator warm-up.
from AlgorithmImports import *


class HistoryForms(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 11)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.ibm = self.add_equity("IBM", Resolution.MINUTE).symbol
        self.report("init-daily", self.history(self.spy, 2, Resolution.DAILY))
        self.warmed = SimpleMovingAverage(10)
        self.warm_up_indicator(self.spy, self.warmed, Resolution.DAILY)
        self.debug(f"warmed {self.warmed.samples} {self.warmed.current.value:.6f} {self.warmed.current.end_time}")
        by_period, by_hand = RelativeStrengthIndex(3), RelativeStrengthIndex(3)
        self.warm_up_indicator(self.spy, by_period, timedelta(days=1))  # daily bars through a 1-day consolidator
        for bar in self.history[TradeBar](self.spy, by_hand.warm_up_period, Resolution.DAILY):
            by_hand.update(bar.end_time, bar.close)
        self.debug(f"periods {by_period.samples} {by_hand.samples} {by_period.current.value == by_hand.current.value}")
        self.done = set()

    def report(self, label, frame):
        times = [f"{symbol}@{moment:%m-%dT%H:%M}" for symbol, moment in frame.index]
        self.debug(f"frame {label} {','.join(frame.columns)} {len(frame)} {' '.join(times)}")
        self.debug(f"closes {label} {' '.join(f'{value:.4f}' for value in frame['close'])}")

    def once(self, label):
        if label in self.done:
            return False
        self.done.add(label)
        return True

    def on_data(self, data):
        moment = (self.time.day, self.time.hour, self.time.minute)
        if moment == (8, 10, 0) and self.once("counts"):
            self.report("minutes", self.history(self.spy, 5, Resolution.MINUTE))
            self.report("daily-open", self.history(self.spy, 3, Resolution.DAILY))
            bars = self.history[TradeBar](self.spy, timedelta(minutes=30))
            self.debug(f"typed {len(bars)} {bars[0].end_time:%H:%M} {bars[-1].end_time:%H:%M} {type(bars[0]).__name__}")
            self.report(
                "range", self.history([self.spy, self.ibm], datetime(2013, 10, 7, 10), datetime(2013, 10, 7, 10, 3))
            )
            quotes = self.history(QuoteBar, self.spy, 2)
            self.debug(f"quotes {','.join(quotes.columns)} {len(quotes)}")
        if moment == (8, 16, 0) and self.once("closed"):
            self.report("daily-closed", self.history(self.spy, 1, Resolution.DAILY))
        if moment == (11, 13, 0) and self.once("filled"):
            bars = self.history[TradeBar](self.ibm, datetime(2013, 10, 11, 12, 44), datetime(2013, 10, 11, 12, 48))
            self.debug(
                "ff " + " ".join(f"{b.end_time:%H:%M}/{b.is_fill_forward}/{b.close:.4f}/{b.volume:.0f}" for b in bars)
            )
