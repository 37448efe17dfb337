from AlgorithmImports import *


class OrderResponses(QCAlgorithm):
    """Cancel and update requests answer with LEAN's OrderResponse; closed orders take a new tag only;
    order methods take ``asynchronous`` before ``tag`` by position."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.done = False

    def on_data(self, data):
        if self.done:
            return
        self.done = True
        resting = self.limit_order(self.spy, 10, data[self.spy].close * 0.5, True, "far below")
        first, second = resting.cancel(), resting.cancel()
        retag, requantity = UpdateOrderFields(), UpdateOrderFields()
        retag.tag = "tag after cancel"
        requantity.quantity = 20
        tagged, refused = resting.update(retag), resting.update(requantity)
        filled = self.market_order(self.spy, 5, False, "bought")
        retag_filled = UpdateOrderFields()
        retag_filled.tag = "tag after fill"
        after_fill = filled.update(retag_filled)
        order = self.transactions.get_order_by_id(resting.order_id)
        self.debug(
            f"responses cancel={first.is_success} again={second.is_error}:{int(second.error_code)}:"
            f"{second.error_message} tag={tagged.is_success}:{order.tag} quantity={refused.is_error} "
            f"fill_tag={after_fill.is_success}:{self.transactions.get_order_by_id(filled.order_id).tag} "
            f"async={resting.submit_request.asynchronous}/{filled.submit_request.asynchronous}"
        )
