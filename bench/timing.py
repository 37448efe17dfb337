"""Timing helper shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_ms(action: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs in milliseconds: the run least disturbed by a shared machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times) * 1000
