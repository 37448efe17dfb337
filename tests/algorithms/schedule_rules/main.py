# LEAN's date and time rules over a winter of SPY daily data with holidays and early closes; every event
# reports its name and the algorithm's time for the tests to compare with dates worked out by hand.
from AlgorithmImports import *


class ScheduleRules(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2012, 11, 19)
        self.set_end_date(2013, 4, 5)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        rules, times = self.date_rules, self.time_rules
        self.at(rules.month_start(self.spy), times.at(10, 0), "month_start")
        self.at(rules.month_end(self.spy, 1), times.at(10, 0), "month_end_1")
        self.at(rules.week_start(self.spy), times.after_market_open(self.spy, 1), "week_start")
        self.at(rules.week_end(self.spy), times.before_market_close(self.spy, 10), "week_end")
        self.at(rules.every_day(self.spy), times.before_market_close(self.spy, 10), "close_10")
        self.at(rules.quarter_start(), times.noon, "quarter_start")
        self.at(rules.year_start(), times.midnight, "year_start")
        self.at(rules.year_end(), times.at(timedelta(hours=9)), "year_end")
        self.at(rules.on(2013, 1, 2), times.at(15, 0, TimeZones.UTC), "utc_15")
        self.at(rules.on(2012, 11, 20), times.every(timedelta(hours=6)), "every_6h")
        self.at(rules.on(2012, 11, 20), times.after_market_close(self.spy, 30), "after_close")
        self.schedule.on(rules.today, times.at(17, 0), self.later)
        self.at(rules.tomorrow, times.midnight, "tomorrow")

    def at(self, date_rule, time_rule, name):
        self.schedule.on(date_rule, time_rule, lambda: self.debug(f"rule {name} {self.time:%Y-%m-%d %H:%M}"))

    def later(self):
        self.debug(f"rule today {self.time:%Y-%m-%d %H:%M}")
        self.at(self.date_rules.on(2012, 11, 21), self.time_rules.after_market_open(self.spy, 1), "added")
        self.at(self.date_rules.on(2012, 11, 19), self.time_rules.at(10, 0), "added_past")
