# Consolidators of SPY minute data reporting every bar they emit and when; the tests check them against an
# aggregation of the day files made independently of the engine.
from AlgorithmImports import *


class ConsolidatedBars(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.consolidate(self.spy, timedelta(minutes=30), lambda bar: self.report("thirty", bar))
        self.consolidate(self.spy, Resolution.DAILY, lambda bar: self.report("daily", bar))
        self.consolidate(self.spy, timedelta(days=1), lambda bar: self.report("midnight", bar))
        self.consolidate(self.spy, timedelta(minutes=10), TickType.QUOTE, lambda bar: self.report("quotes", bar))
        counted = TradeBarConsolidator(45)
        counted.data_consolidated += lambda sender, bar: self.report("count45", bar)
        self.subscription_manager.add_consolidator(self.spy, counted)
        anchored = TradeBarConsolidator(timedelta(hours=2), start_time=timedelta(hours=9, minutes=30))
        anchored.data_consolidated += lambda sender, bar: self.report("anchored", bar)
        self.subscription_manager.add_consolidator(self.spy, anchored)
        self.daily_sma = SimpleMovingAverage(2)
        self.register_indicator(self.spy, self.daily_sma, Resolution.DAILY)
        self.ordered = False

    def report(self, label, bar):
        if isinstance(bar, QuoteBar):
            numbers = f"{bar.bid.close:.4f} {bar.ask.close:.4f} {bar.bid.high:.4f} {bar.ask.low:.4f}"
        else:
            numbers = f"{bar.open:.4f} {bar.high:.4f} {bar.low:.4f} {bar.close:.4f} {bar.volume:.0f}"
        self.debug(
            f"bar {label} {bar.time:%Y-%m-%dT%H:%M} {bar.end_time:%Y-%m-%dT%H:%M} {self.time:%Y-%m-%dT%H:%M} "
            f"{numbers} sma={self.daily_sma.samples}"
        )
        if label == "thirty" and not self.ordered:
            self.ordered = True
            self.market_order(self.spy, 10)  # fills at once on this step's data, as LEAN's handlers do
