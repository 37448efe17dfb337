"""A run whose engine reports no progress for ``BACKTEST_STALL_SECONDS`` is stalled: an algorithm in an endless
loop, or one far slower than it should be. It is flagged (on the Monitor, and as a stored warning) and, with
``BACKTEST_STALL_STOP=true``, stopped as failed with the reason. Progress that moves again clears both: a
pause does not change the run's numbers."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from backtest_core.models import RunWarning
from backtest_core.runs.progress_sink import StoreProgressSink
from backtest_core.runs.record import add_warning, drop_warning
from backtest_core.settings import Settings
from backtest_core.store import RunStore


class StallWatch:
    """Checked by the supervisor's watcher thread at every tick."""

    def __init__(self, store: RunStore, run_id: str, sink: StoreProgressSink, settings: Settings) -> None:
        self.store, self.run_id, self.sink = store, run_id, sink
        self.after_s, self.stop = settings.stall_seconds, settings.stall_stop
        self.flagged: str | None = None  # where the engine stood when flagged, while it stays flagged
        self.stopped: str | None = None  # the reason, once this watch stopped the run

    def check(self, cancel: threading.Event) -> None:
        quiet = time.monotonic() - self.sink.moved_at
        if quiet < self.after_s:
            if self.flagged is not None:  # it moved again: a pause, not a stall; its numbers are unaffected
                self.flagged = None
                drop_warning(self.store, self.run_id, "stalled")
            return
        if self.flagged is not None:
            return
        self.flagged = self._where()
        self.sink.mark_stalled(datetime.now(UTC) - timedelta(seconds=quiet))
        what = f"{self.flagged} made no progress for {quiet:.0f} s (BACKTEST_STALL_SECONDS={self.after_s:g})"
        if self.stop and not cancel.is_set():
            self.stopped = f"Stopped by Backtest Studio: {what}; BACKTEST_STALL_STOP is on."
            self._warn(f"{what}: it was stopped")
            cancel.set()
        else:
            self._warn(f"{what}: the algorithm may be in an endless loop")

    def _where(self) -> str:
        state = self.sink.state
        simulated = f"{state.simulated_time:%Y-%m-%d %H:%M} UTC" if state.simulated_time else "its start"
        return f"the engine, at {state.percent:.1f}% (simulated {simulated}),"

    def _warn(self, message: str) -> None:
        add_warning(self.store, self.run_id, RunWarning(code="stalled", message=message))
