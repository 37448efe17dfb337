"""``self.settings``: LEAN's algorithm settings the embedded engine honours; any other is refused by name,
read or written (a setting silently ignored would change results without a word)."""

from __future__ import annotations

from typing import Any

from backtest_core.engines.embedded.model import LeanObject, _snake
from backtest_core.errors import UnsupportedApi

# name -> (LEAN's default, the values this engine reproduces)
SUPPORTED: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "automatic_indicator_warm_up": (False, (False, True)),
    "daily_precise_end_time": (True, (True,)),
    "daily_consolidation_use_extended_market_hours": (False, (False,)),
}


class AlgorithmSettings(LeanObject):
    def __init__(self) -> None:
        for name, (default, _) in SUPPORTED.items():
            object.__setattr__(self, name, default)

    def __setattr__(self, name: str, value: Any) -> None:
        snake = _snake(name)
        if snake not in SUPPORTED:
            raise UnsupportedApi(f"settings.{name}")
        if value not in SUPPORTED[snake][1]:
            raise UnsupportedApi(f"settings.{snake} = {value!r}")
        object.__setattr__(self, snake, value)
