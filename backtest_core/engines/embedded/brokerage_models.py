"""LEAN's ``DefaultBrokerageModel`` as a Python base class, for algorithms that subclass it.

LEAN asks the brokerage model for the benchmark after ``Initialize`` when the algorithm set none
(``QCAlgorithm.PostInitialize``: ``Benchmark = BrokerageModel.GetBenchmark(Securities)``); the default model's is
SPY. A subclass may override ``get_benchmark`` only: any other member it overrides (fees, fills, leverage, order
checks) would change behaviour the engine does not model for subclasses, so it is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from backtest_core.errors import UnsupportedApi


class FuncBenchmark:
    """LEAN's FuncBenchmark: the benchmark's value is ``func(utc_time)``."""

    def __init__(self, func: Callable[[datetime], float]) -> None:
        if not callable(func):
            raise UnsupportedApi(f"FuncBenchmark({func!r}): it takes a function of the UTC time")
        self.func = func


class DefaultBrokerageModel:
    """LEAN's default brokerage (margin account); ``get_benchmark`` returning None means LEAN's SPY default."""

    def __init__(self, account_type: Any = None) -> None:
        if account_type is not None and int(account_type) != 0:
            raise UnsupportedApi("DefaultBrokerageModel with a cash account")

    def get_benchmark(self, securities: Any) -> FuncBenchmark | None:
        return None


def checked_brokerage(model: DefaultBrokerageModel) -> DefaultBrokerageModel:
    """The model, after refusing any override the engine does not reproduce (naming it)."""
    for cls in type(model).__mro__:
        if cls is DefaultBrokerageModel or cls is object:
            break
        for name, member in vars(cls).items():
            if name == "GetBenchmark" or not callable(member) or name == "get_benchmark":
                continue
            if name[:1].isupper() or name.startswith(_MODEL_PREFIXES):
                raise UnsupportedApi(f"{cls.__name__}.{name} overriding DefaultBrokerageModel.{name}")
    return model


# LEAN's IBrokerageModel members a subclass would override (get_fee_model, can_submit_order, ...)
_MODEL_PREFIXES = ("get_", "can_", "apply_", "should_")


def benchmark_function(model: DefaultBrokerageModel, securities: Any) -> Callable[[datetime], float] | None:
    """The model's benchmark as a function of UTC time, or None for LEAN's default (SPY)."""
    pascal = type(model).get_benchmark is DefaultBrokerageModel.get_benchmark and hasattr(model, "GetBenchmark")
    benchmark = (model.GetBenchmark if pascal else model.get_benchmark)(securities)
    if benchmark is None:
        return None
    if not isinstance(benchmark, FuncBenchmark):
        raise UnsupportedApi(f"{type(model).__name__}.get_benchmark returning {type(benchmark).__name__}")
    return benchmark.func
