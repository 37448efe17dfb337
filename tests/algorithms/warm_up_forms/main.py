from AlgorithmImports import *


class WarmUpForms(QCAlgorithm):
    """set_warmup in LEAN's forms (parameter ``form``): by bars, by bars at another resolution, by a time span;
    logs when warm-up data begins, what on_data sees while warming up, and the first data after it."""

    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 9)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.aig = self.add_equity("AIG", Resolution.HOUR).symbol
        self.sma = self.sma(self.spy, 20)
        form = self.get_parameter("form")
        if form == "bars":
            self.set_warmup(30)  # 30 bars of each security: the hour subscription reaches back furthest
        elif form == "daily_bars":
            self.SetWarmUp(2, Resolution.DAILY)
        else:
            self.set_warm_up(timedelta(hours=36))
        self.first = None
        self.warm_bars = 0
        self.finished = 0

    def on_data(self, data):
        if self.is_warming_up:
            if self.first is None:
                self.first = self.time
                self.debug(f"first warm-up data {self.time:%Y-%m-%d %H:%M}")
            self.warm_bars += data.contains_key(self.spy)
            if self.market_order(self.spy, 1) is not None:
                raise AssertionError("an order was placed during warm-up")
            return
        if self.finished == 1:
            self.debug(f"after warm-up {self.time:%Y-%m-%d %H:%M} sma ready {self.sma.is_ready} bars {self.warm_bars}")
            self.finished += 1

    def on_warmup_finished(self):
        self.finished += 1
        self.debug(f"warm-up finished {self.time:%Y-%m-%d %H:%M} warming {self.is_warming_up}")
