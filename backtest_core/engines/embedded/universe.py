"""LEAN's ``SecurityChanges``: what ``on_securities_changed`` receives when user-defined universes change.

LEAN adds a security to, or removes it from, its user-defined universe at the end of the time step in which
``add_equity``/``remove_security`` was called (``QCAlgorithm.OnEndOfTimeStep``); the universe selects once
more and the algorithm hears of the change before any other event (``AlgorithmManager``). The lists are
ordered by ticker, as ``SecurityChanges.GetFilteredList`` orders them.
"""

from __future__ import annotations

from typing import Any

from backtest_core.engines.embedded.model import LeanObject


class SecurityChanges(LeanObject):
    def __init__(self, added: list[Any], removed: list[Any]) -> None:
        self.added_securities = sorted(added, key=lambda security: security.symbol.value)
        self.removed_securities = sorted(removed, key=lambda security: security.symbol.value)

    @property
    def count(self) -> int:
        return len(self.added_securities) + len(self.removed_securities)

    def __repr__(self) -> str:
        """LEAN's ToString: ``SecurityChanges:  Added: <ids joined by ","> Removed: ...`` (its spacing)."""
        if not self.count:
            return "SecurityChanges: None"
        added = removed = ""
        if self.added_securities:
            added = " Added: " + ",".join(str(security.symbol.id) for security in self.added_securities)
        if self.removed_securities:
            removed = " Removed: " + ",".join(str(security.symbol.id) for security in self.removed_securities)
        return f"SecurityChanges: {added}{removed}"

    AddedSecurities = property(lambda self: self.added_securities)
    RemovedSecurities = property(lambda self: self.removed_securities)
    Count = count
