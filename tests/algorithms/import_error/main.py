from AlgorithmImports import *
from a_module_that_does_not_exist import something  # noqa: F401


class ImportsMissing(QCAlgorithm):
    def initialize(self):
        self.add_equity("SPY", Resolution.DAILY)
