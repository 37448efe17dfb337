# A fill model overriding combo_market_fill that fills half of each leg per call and reports every call; the
# tests check that each open leg's own security's model is asked for the whole group, as LEAN's Scan does.
from AlgorithmImports import *


class HalfFills(FillModel):
    def __init__(self, algorithm, label):
        self.algorithm, self.label, self.remaining = algorithm, label, {}

    def combo_market_fill(self, order, parameters):
        fills = super().combo_market_fill(order, parameters)
        legs = sorted(parameters.securities_for_orders, key=lambda pair: pair.key.id)
        self.algorithm.debug(f"call {self.label} order {order.id} legs {[pair.key.id for pair in legs]}")
        for pair, fill in zip(legs, fills, strict=False):  # no fills: nothing to change
            left = self.remaining.get(pair.key.id, pair.key.absolute_quantity)
            fill.fill_quantity = np.sign(pair.key.quantity) * min(5, left)
            fill.status = OrderStatus.FILLED if left <= 5 else OrderStatus.PARTIALLY_FILLED
            self.remaining[pair.key.id] = left - abs(fill.fill_quantity)
        return fills


class ComboFillModel(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2019, 1, 2)
        self.set_end_date(2019, 1, 3)
        self.spy = self.add_equity("SPY", Resolution.HOUR)
        self.ibm = self.add_equity("IBM", Resolution.HOUR)
        self.spy.set_fill_model(HalfFills(self, "SPY"))
        self.ibm.set_fill_model(HalfFills(self, "IBM"))
        self.placed = False

    def on_data(self, data):
        if not self.placed:
            self.placed = True
            self.combo_market_order([Leg.create(self.spy.symbol, 1), Leg.create(self.ibm.symbol, -1)], 10)

    def on_order_event(self, event):
        if event.fill_quantity:
            self.debug(f"fill {event.order_id} {event.status} {event.fill_quantity}")

    def on_end_of_algorithm(self):
        self.debug(f"holdings {self.portfolio['SPY'].quantity} {self.portfolio['IBM'].quantity}")
