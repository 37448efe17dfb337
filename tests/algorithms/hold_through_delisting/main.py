from AlgorithmImports import *


class HoldThroughDelisting(QCAlgorithm):
    """Buys AAA.1 and keeps it through its delisting (LEAN's map file: last day 2007-05-18)."""

    def initialize(self):
        self.set_start_date(2007, 5, 15)
        self.set_end_date(2007, 5, 23)
        self.set_cash(100000)
        self.aaa = self.add_equity("AAA.1", Resolution.DAILY).symbol
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested and not self.securities[self.aaa].is_delisted:
            self.market_order(self.aaa, 100)
            self.limit_order(self.aaa, 100, 1.0)  # rests until the delisting cancels it
        for kvp in data.delistings:
            event = kvp.value
            self.log(f"slice {self.time} {kvp.key} {event.type.name} {event.time} {event.price}")
            if event.type == DelistingType.DELISTED:
                security = self.securities[kvp.key]
                self.log(f"after {security.is_delisted} {security.is_tradable} {self.portfolio[kvp.key].quantity}")
                ticket = self.market_order(kvp.key, 10)
                status = OrderStatus(ticket.status).name
                self.log(f"ticket {ticket.order_id}:{status} orders {self.transactions.orders_count}")

    def on_delistings(self, delistings):
        for symbol, event in delistings.items():
            self.log(f"hook {self.time} {symbol} {event.type.name}")
