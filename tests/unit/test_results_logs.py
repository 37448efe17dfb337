"""results.logs on real LEAN logs (log.txt, algorithm logs, a multi-run Launcher log) and on the console
line format the Docker engine streams.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from backtest_core.results.logs import (
    error_records,
    find_dates,
    find_runtime_error,
    parse_dates_line,
    parse_log,
    parse_period,
    parse_statistics,
    read_log,
    select_run,
    split_runs,
    split_statistic,
)

DATES = "Dates: Start: 10/07/2013 End: 10/11/2013 Cash: ¤100,000.00 MaximumRuntime: 100.00:00:00 MaxOrders: 2147483647"
CONSOLE = "\n".join(
    [
        "20250812 22:58:23.180 TRACE:: Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE v2.5.0.0 Mode: DEBUG (64bit)",
        f"20250812 22:58:24.001 TRACE:: {DATES}",
        "20250812 22:58:25.500 ERROR:: Runtime Error: division by zero",
        "  at on_data",
        "    x = 1 / 0",
        " in main.py: line 12",
        "20250812 22:58:26.000 TRACE:: ",  # LEAN logs the statistics block after an empty TRACE message
        "STATISTICS:: Total Orders 1",
        "STATISTICS:: Drawdown 2.200%",
        "STATISTICS:: Drawdown Recovery 3",
        "STATISTICS:: Lowest Capacity Asset SPY R735QTJ8XC9X",
        "STATISTICS:: My Custom Stat 7",
        "STATISTICS:: OrderListHash ec0cf7d19c005d7d23452f96761ad014",
        "",
    ]
)


def test_console_format_records_and_continuations():
    records = parse_log(CONSOLE)
    assert [r.level for r in records] == ["TRACE", "TRACE", "ERROR", "TRACE"]
    assert records[0].time == datetime(2025, 8, 12, 22, 58, 23, 180_000, tzinfo=UTC)
    assert records[2].text.splitlines() == [
        "Runtime Error: division by zero",
        "  at on_data",
        "    x = 1 / 0",
        " in main.py: line 12",
    ]
    assert records[3].text.startswith("\nSTATISTICS:: Total Orders 1")
    assert find_runtime_error(records) == (
        "Runtime Error: division by zero",
        "  at on_data\n    x = 1 / 0\n in main.py: line 12",
    )
    assert [r.first_line for r in error_records(records)] == ["Runtime Error: division by zero"]


def test_statistics_names_with_spaces():
    assert parse_statistics(CONSOLE) == {
        "Total Orders": "1",
        "Drawdown": "2.200%",
        "Drawdown Recovery": "3",
        "Lowest Capacity Asset": "SPY R735QTJ8XC9X",
        "My Custom Stat": "7",
        "OrderListHash": "ec0cf7d19c005d7d23452f96761ad014",
    }
    assert split_statistic("Estimated Strategy Capacity $56000000.00") == (
        "Estimated Strategy Capacity",
        "$56000000.00",
    )
    assert split_statistic("Lowest Capacity Asset") == ("Lowest Capacity Asset", "")


def test_dates_line_in_both_formats():
    line = f"2026-01-02T00:21:17.8345598Z TRACE:: {DATES}"
    dates = parse_dates_line(line)
    assert (dates.start, dates.end, dates.cash) == (date(2013, 10, 7), date(2013, 10, 11), "¤100,000.00")
    assert parse_period(CONSOLE.splitlines()[1]) == (date(2013, 10, 7), date(2013, 10, 11))
    assert parse_period("20250812 22:58:23.180 TRACE:: Engine.Main(): Started 10:58 PM") is None


def test_real_log_txt_records(lean_fixtures: Path):
    text = read_log(lean_fixtures / "cli2025-spy-minute-sma-301orders" / "log.txt")
    records = parse_log(text)
    prefixed = [line for line in text.splitlines() if line[:4].isdigit() and "Z " in line[:30]]
    assert len(records) == len(prefixed)
    assert records[0].time == datetime.fromisoformat(prefixed[0].split(" ", 1)[0])
    assert records[-1].text == prefixed[-1].split(":: ", 1)[1]
    statistics = parse_statistics(text)
    assert statistics["End Equity"] == "98118.51"
    assert statistics["Total Orders"] == "301"
    assert statistics["Lowest Capacity Asset"] == "SPY R735QTJ8XC9X"
    assert len(statistics) == text.count("STATISTICS:: ")
    assert find_dates(text).start == date(2023, 1, 1)


def test_init_failure_error_from_log(lean_fixtures: Path):
    records = parse_log(read_log(lean_fixtures / "cli2022-init-syntaxerror" / "log.txt"))
    message, stack = find_runtime_error(records)
    assert message.startswith("Algorithm.Initialize() Error: During the algorithm initialization")
    assert "SyntaxError : invalid syntax (main.py, line 35)" in stack
    python_version = next(r for r in records if "Python version 3.6.8" in r.text)
    assert python_version.text.endswith("[GCC 7.3.0]: Importing python module main")  # continuation line


def test_algorithm_log_format(lean_fixtures: Path):
    records = parse_log(read_log(lean_fixtures / "cli2025-spy-daily-13y" / "1264136913-log.txt"))
    assert records[0].level is None
    assert records[0].time == datetime(2011, 3, 18)  # algorithm (exchange) time, naive
    assert records[0].text == "Launching analysis for 1264136913 with LEAN Engine v2.5.0.0"


def test_completed_run_has_no_runtime_error(lean_fixtures: Path):
    records = parse_log(read_log(lean_fixtures / "cli2025-spy-minute-sma-301orders" / "log.txt"))
    assert find_runtime_error(records) is None


def test_multirun_log_split_and_select(lean_fixtures: Path):
    text = read_log(lean_fixtures / "launcher2026-leanbot-multirun" / "log.txt")
    runs = split_runs(text)
    assert len(runs) == 5
    assert "".join(runs) == text
    assert all("LEAN ALGORITHMIC TRADING ENGINE" in run.splitlines()[0] for run in runs)
    failed = runs[1]
    assert "Unable to locate symbol properties file" in find_runtime_error(parse_log(failed))[0]
    buy_and_hold = select_run(text, "BuyAndHoldXOM")
    assert buy_and_hold == runs[3]
    assert find_dates(buy_and_hold).start == date(2013, 10, 7)
    assert select_run(text, "PairsTradingCsvData") == runs[4]
    assert select_run(text, "SomethingElse") == runs[4]
    assert find_dates(runs[4]).start == date(2007, 11, 30)


@pytest.mark.parametrize("text", ["", "\n\n", "no prefix at all\nsecond line"])
def test_odd_text(text):
    records = parse_log(text)
    assert all(r.stamp is None for r in records)
    assert split_runs(text) == [text]
