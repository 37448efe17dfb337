from AlgorithmImports import *


class LimitIfTouched(QCAlgorithm):
    """SPY minute on 2013-10-07 and 08: at 10:00 a buy limit-if-touched order triggered 30 cents below the price
    with its limit 15 cents below, and a sell one triggered 30 cents above with its limit 15 cents above. Logs
    every bar after it (trade low and high, quote ask and bid closes) and each fill."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.tickets = []

    def on_data(self, data):
        if self.time.hour == 10 and self.time.minute == 0 and not self.tickets:
            price = self.securities[self.spy].price
            self.tickets = [
                self.limit_if_touched_order(self.spy, 10, price - 0.3, price - 0.15),
                self.limit_if_touched_order(self.spy, -10, price + 0.3, price + 0.15),
            ]
            self.debug(f"placed {price!r}")
        elif self.tickets and self.spy in data.bars and self.spy in data.quote_bars:
            bar, quote = data.bars[self.spy], data.quote_bars[self.spy]
            self.debug(f"bar {bar.low!r} {bar.high!r} {quote.ask.close!r} {quote.bid.close!r}")

    def on_order_event(self, event):
        if event.status == OrderStatus.FILLED:
            ticket = self.transactions.get_order_ticket(event.order_id)
            self.debug(f"fill {event.order_id} {event.fill_price!r} {ticket.get(OrderField.TRIGGER_PRICE)!r}")
