from AlgorithmImports import *


class IndicatorTwins(QCAlgorithm):
    """Automatic indicators (which the engine may precompute) beside twins updated by hand with the same
    inputs; logs every difference. Halfway, one automatic indicator gets an Updated handler and another has
    its window read, which hands them back to bar-by-bar updates."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 9)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.pairs = [
            (self.sma(self.spy, 20), SimpleMovingAverage(20)),
            (self.ema(self.spy, 30), ExponentialMovingAverage(30)),
            (self.sma(self.spy, 500), SimpleMovingAverage(500)),
            (self.ema(self.spy, 12), ExponentialMovingAverage(12)),
        ]
        self.steps = self.differences = self.handled = 0
        self.precomputed_at_start = None

    def on_data(self, data):
        if self.precomputed_at_start is None:
            self.precomputed_at_start = [auto.ahead is not None for auto, _ in self.pairs]
        if data.bars.contains_key(self.spy):
            value = data.bars[self.spy].close
        elif data.quote_bars.contains_key(self.spy):
            value = data.quote_bars[self.spy].close
        else:
            return
        self.steps += 1
        for auto, twin in self.pairs:
            twin.update(self.time, value)
            same = (
                auto.current.value == twin.current.value
                and auto.previous.value == twin.previous.value
                and auto.samples == twin.samples
                and auto.is_ready == twin.is_ready
                and auto.current.time == twin.current.time
                and all(auto[i].value == twin[i].value for i in range(2))  # LEAN's window of 2
            )
            if not same:
                self.differences += 1
                if self.differences < 5:
                    self.debug(f"difference {auto.name} {self.time}: {auto.current.value} vs {twin.current.value}")
        if self.steps == 400:
            self.pairs[0][0].updated += self.on_first_updated
            self.window_size = self.pairs[1][0].window.size

    def on_first_updated(self, indicator, point):
        self.handled += 1

    def on_end_of_algorithm(self):
        self.debug(
            f"twins steps={self.steps} differences={self.differences} handled={self.handled} "
            f"precomputed={self.precomputed_at_start} "
            f"now={[auto.ahead is not None for auto, _ in self.pairs]}"
        )
