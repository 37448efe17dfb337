# A tour of the LEAN API the embedded engine supports; it reports what it saw through debug lines and plots
# that the tests check against values computed independently from the same data.
from AlgorithmImports import *


class ApiTour(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(50000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.fast = self.sma(self.spy, 20)
        self.rsi_ = self.rsi(self.spy, 14)
        self.macd_ = self.macd(self.spy, 12, 26, 9)
        self.bands = self.bb(self.spy, 20, 2)
        self.atr_ = self.atr(self.spy, 14)
        self.manual = SimpleMovingAverage(20)
        chart = Chart("Tour")
        chart.add_series(Series("SMA", SeriesType.LINE, "$", Color.BLUE))
        self.add_chart(chart)
        self.schedule.on(
            self.date_rules.every_day(self.spy), self.time_rules.after_market_open(self.spy, 30), self.at_open
        )
        self.schedule.on(
            self.date_rules.every_day(self.spy), self.time_rules.before_market_close(self.spy, 5), self.near_close
        )
        self.events = 0
        self.end_of_days = 0
        self.limit_ticket = None

    def at_open(self):
        self.debug(f"open-check {self.time:%H:%M}")
        if self.limit_ticket is None:
            price = self.securities[self.spy].price
            self.limit_ticket = self.limit_order(self.spy, 10, round(price * 0.998, 2))
            self.stop_market_order(self.spy, -5, round(price * 0.99, 2))
            doomed = self.limit_order(self.spy, 1, round(price * 0.5, 2))
            doomed.cancel("not needed")

    def near_close(self):
        self.debug(f"close-check {self.time:%H:%M}")

    def on_data(self, data: Slice):
        if not data.contains_key(self.spy):
            return
        bar = data[self.spy]
        self.manual.update(bar.end_time, bar.close)
        if self.fast.is_ready and self.time.minute == 0:
            self.plot("Tour", "SMA", self.fast.current.value)
            history = self.history(self.spy, 20, Resolution.MINUTE)
            self.debug(
                f"sma {self.time:%Y-%m-%d %H:%M} {self.fast.current.value:.6f} "
                f"{history['close'].mean():.6f} {self.manual.current.value:.6f} rows={len(history)}"
            )

    def on_order_event(self, order_event: OrderEvent):
        self.events += 1
        if order_event.status == OrderStatus.FILLED:
            self.debug(f"filled {order_event.order_id} {order_event.fill_quantity} @ {order_event.fill_price}")

    def on_end_of_day(self, symbol):
        self.end_of_days += 1

    def on_end_of_algorithm(self):
        self.debug(
            f"summary events={self.events} eod={self.end_of_days} ready={self.rsi_.is_ready and self.macd_.is_ready}"
            f" bands={self.bands.upper_band.current.value > self.bands.lower_band.current.value}"
            f" atr={self.atr_.current.value > 0} cash={self.portfolio.cash:.2f}"
        )
