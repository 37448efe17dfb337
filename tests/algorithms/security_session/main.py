# SPY's Security.session reported after each close (the day so far) and at each open (the day before); on the
# second day SPY is removed at its end of day and added again at hour resolution. The tests check the reports
# against an aggregation of the day files made independently of the engine.
from AlgorithmImports import *


class SecuritySession(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 10)
        self.add_security_initializer(lambda security: setattr(security.session, "size", 3))
        self.security = self.add_equity("SPY", Resolution.MINUTE)
        spy = self.security.symbol
        self.schedule.on(self.date_rules.every_day(spy), self.time_rules.after_market_close(spy, 1), self.closed)
        self.schedule.on(self.date_rules.every_day(spy), self.time_rules.after_market_open(spy, 1), self.opened)
        self.ends = []

    def report(self, label, bar):
        self.debug(f"{label} {bar.open:.4f} {bar.high:.4f} {bar.low:.4f} {bar.close:.4f} {bar.volume:.0f}")

    def closed(self):
        self.report("closed", self.security.session)

    def opened(self):
        session = self.security.session
        self.debug(f"count {session.count} resolution {self.security.resolution}")
        if session.count > 1:
            self.report("previous", session[1])

    def on_end_of_day(self, symbol):
        self.debug(f"end of day {self.time} {symbol.value}")
        if self.time.day == 8:
            self.remove_security(symbol)

    def on_securities_changed(self, changes):
        if changes.removed_securities:
            self.security = self.add_equity("SPY", Resolution.HOUR)
