from AlgorithmImports import *


class Broken(QCAlgorithm):
    def initialize(self):
        self.set_cash(100000
