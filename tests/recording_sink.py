"""A ProgressSink for engine tests: keeps every report and line, and lets a test wait for a line."""

from __future__ import annotations

import threading

from backtest_core.engines.base import EngineProgress


class RecordingSink:
    def __init__(self, watch_for: str | None = None) -> None:
        self.lines: list[str] = []
        self.reports: list[EngineProgress] = []
        self.first_progress = threading.Event()
        self.watch_for = watch_for
        self.saw_line = threading.Event()  # set when a line containing ``watch_for`` arrives

    def progress(self, report: EngineProgress) -> None:
        self.reports.append(report)
        self.first_progress.set()

    def log(self, line: str) -> None:
        self.lines.append(line)
        if self.watch_for and self.watch_for in line:
            self.saw_line.set()
