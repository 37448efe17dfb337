from AlgorithmImports import *


class TicketRequests(QCAlgorithm):
    """Order tickets as LEAN keeps them: each event carries its ticket and the order's current prices; the
    ticket's time is its latest request's; a cancel of a filled order fails but still sets the tag; the
    manager's filters take a symbol or a predicate; a market-on-close order later than 15.5 minutes before
    the close is refused without an order."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.events = []
        self.step = 0

    def on_data(self, data):
        self.step += 1
        if self.step == 1:
            self.resting = self.limit_order(self.spy, 10, data[self.spy].close * 0.5)
            self.submitted_at = self.utc_time
        elif self.step == 3:
            fields = UpdateOrderFields()
            fields.limit_price = data[self.spy].close * 0.6
            self.resting.update(fields)
            remaining = self.transactions.get_open_orders_remaining_quantity(self.spy)
            by_filter = self.transactions.get_open_orders_remaining_quantity(lambda t: t.quantity > 5)
            none = len(self.transactions.get_open_orders(lambda o: o.quantity > 50))
            self.debug(
                f"tickets time={self.resting.time - self.submitted_at} remaining={remaining}/{by_filter} "
                f"none={none} requests={len(self.resting.update_requests)}"
            )
        elif self.step == 5:
            self.resting.cancel("gone")
            cancel_time = self.resting.time - self.submitted_at
            filled = self.market_order(self.spy, 3)
            order = self.transactions.get_order_by_id(filled.order_id)
            response = filled.cancel("too late")
            first_tag = order.tag
            again = filled.cancel("retry")
            self.debug(
                f"cancels time={cancel_time} filled={response.error_code}:{first_tag} "
                f"again={again.error_code}:{order.tag}"
            )
        elif self.time.hour == 15 and self.time.minute in (44, 45):
            ticket = self.market_on_close_order(self.spy, 1)
            self.debug(
                f"moc {self.time:%H:%M} ticket={ticket.order_id}:{OrderStatus(ticket.status).name} "
                f"orders={self.transactions.orders_count}"
            )

    def on_order_event(self, order_event):
        ticket = order_event.ticket
        self.events.append(
            f"{order_event.order_id}:{OrderStatus(order_event.status).name}:{ticket.order_id}:"
            f"{order_event.limit_price}:{order_event.quantity}"
        )

    def on_end_of_algorithm(self):
        self.debug("events " + " ".join(self.events))
