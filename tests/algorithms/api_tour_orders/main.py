# Scheduling rules, warm-up, the order types not covered elsewhere (market on open/close, stop limit, ticket
# updates) and the remaining indicators; reports through debug lines the tests read.
from AlgorithmImports import *


class ApiTourOrders(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.set_warm_up(30)
        self.indicators = {
            "std": self.std(self.spy, 10),
            "roc": self.roc(self.spy, 10),
            "momp": self.momp(self.spy, 10),
            "max": self.max(self.spy, 10),
            "min": self.min(self.spy, 10),
            "vwap": self.vwap(self.spy, 10),
            "ema": self.ema(self.spy, 10),
        }
        rules, times = self.date_rules, self.time_rules
        monday_wednesday = rules.every(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY)
        self.schedule.on(monday_wednesday, times.at(12, 0), lambda: self.note("every"))
        first_minute = times.after_market_open(self.spy, 1)
        self.schedule.on(rules.week_start(self.spy), first_minute, lambda: self.note("week_start"))
        self.schedule.on(rules.month_start(self.spy), times.at(10, 0), lambda: self.note("month_start"))
        self.schedule.on(rules.every_day(self.spy), times.every(timedelta(hours=2)), lambda: self.note("every_2h"))
        self.stop_limit = None
        self.warm_seen = 0

    def note(self, rule):
        self.debug(f"rule {rule} {self.time:%a %H:%M}")

    def on_warmup_finished(self):
        self.debug(f"warm-up finished {self.time:%Y-%m-%d %H:%M} ready={self.indicators['ema'].is_ready}")

    def on_data(self, data):
        if self.is_warming_up:
            self.warm_seen += 1
            return
        if self.time.hour == 10 and self.time.minute == 0 and self.time.day == 7:
            self.market_on_close_order(self.spy, 10)
            price = self.securities[self.spy].price
            self.stop_limit = self.stop_limit_order(self.spy, 5, round(price * 1.001, 2), round(price * 1.003, 2))
            moving = self.limit_order(self.spy, 3, round(price * 0.9, 2))
            moving.update_limit_price(round(price * 1.01, 2))
        if self.time.hour == 15 and self.time.minute == 0 and self.time.day == 8:
            self.market_on_open_order(self.spy, -10)

    def on_end_of_algorithm(self):
        values = " ".join(f"{name}={indicator.current.value:.6f}" for name, indicator in self.indicators.items())
        self.debug(f"indicators {values}")
        self.debug(f"warm bars {self.warm_seen}")
