from AlgorithmImports import *


class ApiDetails(QCAlgorithm):
    """Small LEAN API details: OnWarmupFinished without a warm-up period, slice.bars.count, a named
    BollingerBands, order tickets from the transactions manager, a benchmark given as a function of time."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.spy = self.add_security(SecurityType.EQUITY, "SPY", Resolution.MINUTE).symbol
        self.set_benchmark(lambda utc_time: 100.0 + utc_time.day)
        self.warmup_calls = 0
        self.bands = BollingerBands("BB", 20, 2.0, MovingAverageType.SIMPLE)
        self.counts = set()
        self.schedule.on(self.date_rules.on(2013, 10, 7), self.time_rules.at(13, 0), self.at_one)
        self.schedule.on(self.date_rules.on(2013, 10, 7), self.time_rules.at(17, 0), self.at_one)

    def at_one(self):
        self.debug(f"scheduled at {self.time:%Y-%m-%d %H:%M} open={self.securities[self.spy].exchange.exchange_open}")

    def on_warmup_finished(self):
        self.warmup_calls += 1

    def on_data(self, data):
        self.counts.add(data.bars.count)
        self.bands.update(self.time, data[self.spy].close)
        if not self.portfolio.invested and not self.transactions.get_open_order_tickets():
            self.limit_order(self.spy, 5, data[self.spy].close * 0.999)
            self.market_order(self.spy, 5)

    def on_end_of_algorithm(self):
        tickets = self.transactions.get_order_tickets()
        limits = self.transactions.get_order_tickets(lambda t: t.order_type == OrderType.LIMIT)
        self.debug(
            f"details warmup_calls={self.warmup_calls} counts={sorted(self.counts)} bands={self.bands.name} "
            f"ready={self.bands.is_ready} tickets={len(tickets)} limits={len(limits)} "
            f"open={len(self.transactions.get_open_order_tickets())}"
        )
