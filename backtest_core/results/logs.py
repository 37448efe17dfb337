"""LEAN log text: records, runs, the ``Dates:`` period, the ``STATISTICS::`` block and runtime errors.

Three line formats exist (lean-reference §4.1): ``log.txt`` writes ``2025-08-12T22:58:23.1799047Z TRACE:: text``,
the container console ``20250812 22:58:23.180 TRACE:: text`` and the algorithm log (``<id>-log.txt``, cloud
``_logs.txt``) ``2013-10-07 09:31:00 text`` in algorithm time. Multi-line messages (stack traces, the
statistics block, the cash book) continue on lines without a prefix; they belong to the record before them.
The Docker engine, the dashboard and the result loader all read logs through this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

# starts with the newline (the text gets one prepended) so the engine can skip ahead to line ends quickly
_RECORD_START = re.compile(
    r"\n(?:(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z|\d{8} \d\d:\d\d:\d\d\.\d+) (?P<level>[A-Z]+)::[ ]?"
    r"|(?P<algo>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) )"
)
_ENGINE_START = "Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE"
_DATES = re.compile(
    r"Dates: Start: (?P<start>\d\d/\d\d/\d{4}) End: (?P<end>\d\d/\d\d/\d{4}) Cash: (?P<cash>.+?)"
    r"(?: MaximumRuntime: \S+ MaxOrders: \d+)?[ \t\r]*$",
    re.MULTILINE,
)
_STATISTIC_LINE = re.compile(r"STATISTICS:: (?P<body>.+?)\s*$", re.MULTILINE)

# lean:Common/Statistics/PerformanceMetrics.cs names, current and retired, plus the logged OrderListHash
KNOWN_STATISTICS: tuple[str, ...] = (
    "Total Orders",
    "Total Trades",
    "Average Win",
    "Average Loss",
    "Compounding Annual Return",
    "Drawdown",
    "Expectancy",
    "Start Equity",
    "End Equity",
    "Net Profit",
    "Sharpe Ratio",
    "Sortino Ratio",
    "Probabilistic Sharpe Ratio",
    "Loss Rate",
    "Win Rate",
    "Profit-Loss Ratio",
    "Alpha",
    "Beta",
    "Annual Standard Deviation",
    "Annual Variance",
    "Information Ratio",
    "Tracking Error",
    "Treynor Ratio",
    "Total Fees",
    "Estimated Strategy Capacity",
    "Lowest Capacity Asset",
    "Portfolio Turnover",
    "Drawdown Recovery",
    "Fitness Score",
    "Kelly Criterion Estimate",
    "Kelly Criterion Probability Value",
    "Return Over Maximum Drawdown",
    "Total Insights Generated",
    "Total Insights Closed",
    "Total Insights Analysis Completed",
    "Long Insight Count",
    "Short Insight Count",
    "Long/Short Ratio",
    "Estimated Monthly Alpha Value",
    "Total Accumulated Estimated Alpha Value",
    "Mean Population Estimated Insight Value",
    "Mean Population Direction",
    "Mean Population Magnitude",
    "Rolling Averaged Population Direction",
    "Rolling Averaged Population Magnitude",
    "OrderListHash",
)
# longest first, so "Drawdown Recovery 3" is not read as "Drawdown" = "Recovery 3"
_NAMES_LONGEST_FIRST = sorted(KNOWN_STATISTICS, key=len, reverse=True)


class LogRecord(NamedTuple):
    """One log message. ``stamp`` is the time as written (parsed on demand by ``time``: a long log has
    tens of thousands of records and most are never looked at); ``level`` is None for algorithm-log lines.
    """

    stamp: str | None
    level: str | None
    text: str

    @property
    def time(self) -> datetime | None:
        """UTC for engine lines; naive algorithm (exchange) time for algorithm-log lines."""
        if self.stamp is None:
            return None
        if "T" in self.stamp:
            return datetime.fromisoformat(self.stamp)
        if self.level is None:
            return datetime.fromisoformat(self.stamp)
        return datetime.strptime(self.stamp, "%Y%m%d %H:%M:%S.%f").replace(tzinfo=UTC)

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]


@dataclass(frozen=True)
class DatesLine:
    """LEAN's ``Dates:`` line: the period and starting cash the algorithm set (``cash`` as printed)."""

    start: date
    end: date
    cash: str


def read_log(path: Path) -> str:
    """A log file's text ('' when absent); undecodable bytes are replaced, never fatal."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def parse_log(text: str) -> list[LogRecord]:
    """Records of a log in any of LEAN's three line formats; unprefixed lines join the record before."""
    text = "\n" + text.replace("\r\n", "\n")
    matches = list(_RECORD_START.finditer(text))
    head = text[: matches[0].start() if matches else len(text)].strip("\n")
    records = [LogRecord(None, None, head)] if head.strip() else []
    ends = [m.start() for m in matches[1:]] + [len(text)] if matches else []
    records += [
        LogRecord(m["stamp"] or m["algo"], m["level"], text[m.end() : end].rstrip("\n"))
        for m, end in zip(matches, ends, strict=True)
    ]
    return records


def split_runs(text: str) -> list[str]:
    """A ``log.txt`` LEAN appended several runs to, cut where each engine start line begins a run.

    Lines before the first engine start (LEAN logs some config look-ups first) stay with the first run.
    """
    starts = []
    found = text.find(_ENGINE_START)
    while found != -1:
        starts.append(text.rfind("\n", 0, found) + 1)
        found = text.find(_ENGINE_START, found + len(_ENGINE_START))
    bounds = [0, *starts[1:], len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()] or [text]


def select_run(text: str, algorithm_id: str | None) -> str:
    """The last run of ``text`` that names ``algorithm_id``, else the last run."""
    runs = split_runs(text)
    if algorithm_id:
        markers = (
            f"Algorithm Id:({algorithm_id})",
            f"Launching analysis for {algorithm_id} ",
            f"Packet removed from queue: {algorithm_id}",
            f"/{algorithm_id}-log.txt",
            f"Loaded {algorithm_id}\n",
        )
        for run in reversed(runs):
            if any(marker in run for marker in markers):
                return run
    return runs[-1]


def parse_dates_line(line: str) -> DatesLine | None:
    """The ``Dates: Start: 10/07/2013 End: 10/11/2013 Cash: ...`` line (invariant MM/dd/yyyy), or None."""
    match = _DATES.search(line)
    if match is None:
        return None
    start = datetime.strptime(match.group("start"), "%m/%d/%Y").date()
    end = datetime.strptime(match.group("end"), "%m/%d/%Y").date()
    return DatesLine(start=start, end=end, cash=match.group("cash").strip())


def parse_period(line: str) -> tuple[date, date] | None:
    """(start, end) from one log line if it is LEAN's ``Dates:`` line."""
    dates = parse_dates_line(line)
    return None if dates is None else (dates.start, dates.end)


def find_dates(text: str) -> DatesLine | None:
    """The last ``Dates:`` line in a run's log text."""
    matches = list(_DATES.finditer(text))
    return parse_dates_line(matches[-1].group(0)) if matches else None


def parse_statistics(text: str) -> dict[str, str]:
    """The ``STATISTICS:: <Name> <Value>`` block as {name: value}; names are matched against LEAN's list
    (they contain spaces, and so do some values); an unknown (custom) name takes all but the last word.
    """
    statistics: dict[str, str] = {}
    for match in _STATISTIC_LINE.finditer(text):
        name, value = split_statistic(match.group("body"))
        statistics[name] = value
    return statistics


def split_statistic(body: str) -> tuple[str, str]:
    for name in _NAMES_LONGEST_FIRST:
        if body == name or body.startswith(name + " "):
            return name, body[len(name) :].strip()
    name, _, value = body.rpartition(" ")
    return (name, value) if name else (body, "")


def error_records(records: Iterable[LogRecord]) -> list[LogRecord]:
    return [r for r in records if r.level == "ERROR"]


def find_runtime_error(records: Sequence[LogRecord]) -> tuple[str, str | None] | None:
    """(message, stack trace) of the error that ended a run: LEAN's ``Runtime Error:`` record, else the
    ``Algorithm.Initialize() Error:`` one (initialisation failures never reach the state block of older
    result files). None when the run did not fail.
    """
    errors = error_records(records)
    for record in errors:
        if record.text.startswith("Runtime Error:"):
            message, _, stack = record.text.partition("\n")
            return message, stack or None
    for record in errors:
        if record.text.startswith("Algorithm.Initialize() Error:"):
            message, _, stack = record.text.partition(" Stack Trace: ")
            return message.strip(), stack.strip() or None
    return None


def first_engine_time(records: Sequence[LogRecord]) -> datetime | None:
    """When the run's engine log begins (UTC): its first engine record with a time, among the first few."""
    for record in records[:5]:
        if record.level is not None and record.time is not None:
            return record.time
    return None
