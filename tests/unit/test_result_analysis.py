"""The Result page's analysis on hand-computed cases and on real LEAN results: the exchange's clock and its
closed spans, drawdown periods, trade streaks and summaries, the rebased benchmark, SecurityIdentifiers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from backtest_core import charts
from backtest_core.analysis import trade_analytics
from backtest_core.analysis.benchmark import DAILY_BENCHMARK, rebased_benchmark
from backtest_core.analysis.drawdowns import drawdown_periods, worst_drawdowns
from backtest_core.analysis.sessions import TimeAxis, closed_spans, has_intraday_samples, open_spans, time_axis
from backtest_core.engines.embedded.data import LeanDataFolder, MarketHours, SecurityKind
from backtest_core.result_views import NOT_RECOVERED, drawdowns_shown, drawdowns_table, holding_text
from backtest_core.results import load_result
from backtest_core.results.symbols import listing

NEW_YORK = ZoneInfo("America/New_York")


def utc(*texts: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(texts), utc=True))


def us_hours() -> MarketHours:
    regular = [(timedelta(hours=9, minutes=30), timedelta(hours=16), "market")]
    extended = [(timedelta(hours=4), timedelta(hours=9, minutes=30), "premarket"), *regular,
                (timedelta(hours=16), timedelta(hours=20), "postmarket")]  # fmt: skip
    sessions = {day: (extended if day < 5 else []) for day in range(7)}
    return MarketHours(NEW_YORK, NEW_YORK, sessions, holidays={date(2023, 1, 16)},
                       early_closes={date(2023, 1, 13): timedelta(hours=13)})  # fmt: skip


def test_closed_spans_skip_nights_weekends_holidays_and_the_rest_of_an_early_close() -> None:
    hours = us_hours()
    # Thursday 12th to Tuesday 17th January 2023; Friday closes at 13:00, Monday is a holiday
    spans = closed_spans(open_spans([hours], NEW_YORK, date(2023, 1, 12), date(2023, 1, 17), False), date(2023, 1, 12),
                         date(2023, 1, 17))  # fmt: skip
    assert spans == [
        (datetime(2023, 1, 12, 0, 0), datetime(2023, 1, 12, 9, 30)),
        (datetime(2023, 1, 12, 16, 0), datetime(2023, 1, 13, 9, 30)),
        (datetime(2023, 1, 13, 13, 0), datetime(2023, 1, 17, 9, 30)),  # early close, weekend, holiday: one gap
        (datetime(2023, 1, 17, 16, 0), datetime(2023, 1, 18, 0, 0)),
    ]
    extended = closed_spans(open_spans([hours], NEW_YORK, date(2023, 1, 12), date(2023, 1, 12), True),
                            date(2023, 1, 12), date(2023, 1, 12))  # fmt: skip
    assert extended == [(datetime(2023, 1, 12, 0, 0), datetime(2023, 1, 12, 4, 0)),
                        (datetime(2023, 1, 12, 20, 0), datetime(2023, 1, 13, 0, 0))]  # fmt: skip


def test_open_spans_of_two_exchanges_are_their_union_in_the_first_ones_zone() -> None:
    every_day = MarketHours(
        ZoneInfo("UTC"), ZoneInfo("UTC"), {day: [(timedelta(0), timedelta(days=1), "market")] for day in range(7)}
    )
    spans = open_spans([us_hours(), every_day], NEW_YORK, date(2023, 1, 12), date(2023, 1, 12), False)
    assert closed_spans(spans, date(2023, 1, 12), date(2023, 1, 12)) == []


def test_intraday_means_two_daytime_samples_on_a_day_and_midnight_samples_do_not_count() -> None:
    local = pd.DatetimeIndex(["2023-01-03 00:00", "2023-01-03 16:00", "2023-01-04 00:00", "2023-01-04 16:00"])
    assert not has_intraday_samples(local)
    assert has_intraday_samples(local.append(pd.DatetimeIndex(["2023-01-04 10:00"])))


def test_time_axis_of_a_minute_curve_and_where_closed_time_points_are_drawn() -> None:
    equity = pd.Series([100.0, 101, 102, 103, 104],
                       index=utc("2023-01-12 05:00", "2023-01-12 15:00", "2023-01-12 20:00", "2023-01-13 05:00",
                                 "2023-01-13 15:00"))  # fmt: skip
    axis = time_axis(equity, [us_hours()], "minute")
    assert axis.intraday and axis.zone == "America/New_York" and axis.title == "Time (America/New_York)"
    drawn = axis.drawn(equity.index)
    # midnight samples move to the next open; the 15:00 NY sample (20:00 UTC) is in session
    assert list(drawn.strftime("%m-%d %H:%M")) == ["01-12 09:30", "01-12 10:00", "01-12 15:00", "01-13 09:30",
                                                   "01-13 10:00"]  # fmt: skip
    assert time_axis(equity, [us_hours()], "daily").intraday is False  # the run's resolution wins
    unknown = time_axis(equity, [], None, "no exchange")
    assert unknown.zone == "UTC" and unknown.closed == () and unknown.note == "no exchange"


def test_a_time_after_the_last_open_is_drawn_at_the_close_not_past_the_data() -> None:
    axis = TimeAxis(zone="America/New_York", intraday=True,
                    closed=((datetime(2023, 1, 12, 0), datetime(2023, 1, 12, 9, 30)),
                            (datetime(2023, 1, 12, 16), datetime(2023, 1, 13, 0))))  # fmt: skip
    assert list(axis.drawn(utc("2023-01-12 21:00", "2023-01-13 01:00")).strftime("%H:%M")) == ["16:00", "16:00"]
    assert axis.utc(datetime(2023, 7, 3, 9, 30)) == pd.Timestamp("2023-07-03 13:30", tz="UTC")  # summer time


def test_equity_figure_draws_both_panels_on_one_exchange_time_axis_with_times_as_text() -> None:
    equity = pd.Series([100.0, 101, 99, 98, 103],
                       index=utc("2023-01-12 15:00", "2023-01-12 20:00", "2023-01-13 05:00", "2023-01-13 15:00",
                                 "2023-01-13 20:00"))  # fmt: skip
    axis = time_axis(equity, [us_hours()], "minute")
    figure = charts.equity_figure(equity, axis, None, None, worst_drawdowns(equity, 5))
    layout = figure.layout
    # one x axis under both panels, so the closed spans are laid out once per redraw
    assert {trace.xaxis or "x" for trace in figure.data} == {"x"} and "xaxis2" not in figure.to_dict()["layout"]
    assert {trace.name: trace.yaxis or "y" for trace in figure.data}["Drawdown %"] == "y2"
    assert layout.xaxis.anchor == "y2" and layout.xaxis.title.text == "Time (America/New_York)"
    assert layout.yaxis2.domain[1] < layout.yaxis.domain[0]  # the drawdown panel below, apart from the equity
    assert [b.bounds[0] for b in layout.xaxis.rangebreaks][:2] == [datetime(2023, 1, 12, 0), datetime(2023, 1, 12, 16)]
    # x are the exchange's wall-clock times as text (a number would be read in the browser's zone): 15:00 UTC is
    # 10:00 in New York; the midnight sample is drawn at the next open, the one after the 13:00 early close at
    # the close
    assert list(figure.data[0].x) == ["2023-01-12T10:00", "2023-01-12T15:00", "2023-01-13T09:30",
                                      "2023-01-13T10:00", "2023-01-13T13:00"]  # fmt: skip
    assert [shape.yref for shape in layout.shapes] == ["y domain"]  # the worst drawdown shaded on the equity panel


def test_a_zoomed_figure_carries_only_the_closed_spans_of_its_range() -> None:
    """Plotly tests every point against every rangebreak on each redraw: a window's axis holds the spans that reach
    into its range (a night cut by the range's edge included), the whole run's axis all of them."""
    index = pd.date_range("2023-01-09 14:30", "2023-01-20 21:00", freq="30min", tz="UTC")
    minutes = index.hour * 60 + index.minute
    index = index[(index.day_of_week < 5) & (minutes >= 14 * 60 + 30) & (minutes <= 21 * 60)]  # the regular session
    equity = pd.Series([100.0 + step % 7 for step in range(len(index))], index=index)
    axis = time_axis(equity, [us_hours()], "minute")
    whole = charts.equity_figure(equity, axis)
    assert len(whole.layout.xaxis.rangebreaks) == len(axis.closed) >= 8
    window = (pd.Timestamp("2023-01-12 18:00", tz="UTC"), pd.Timestamp("2023-01-13 15:00", tz="UTC"))
    zoomed = charts.equity_figure(equity, axis, window)
    assert list(zoomed.layout.xaxis.range) == ["2023-01-12T13:00", "2023-01-13T10:00"]
    bounds = [tuple(b.bounds) for b in zoomed.layout.xaxis.rangebreaks]
    assert bounds == [(datetime(2023, 1, 12, 16), datetime(2023, 1, 13, 9, 30))]  # the one night in the window
    shown = pd.to_datetime(zoomed.data[0].x)
    assert shown.min() >= pd.Timestamp("2023-01-12 13:00") and shown.max() <= pd.Timestamp("2023-01-13 10:00")


def test_an_intraday_window_holds_the_benchmark_s_last_daily_sample_to_its_end() -> None:
    index = pd.date_range("2023-01-10 14:30", "2023-01-11 21:00", freq="30min", tz="UTC")
    index = index[(index.hour * 60 + index.minute >= 14 * 60 + 30) & (index.hour < 21)]
    equity = pd.Series([100.0 + step for step in range(len(index))], index=index)
    benchmark = pd.Series([50.0, 49.0], index=utc("2023-01-10 05:00", "2023-01-11 05:00"))  # LEAN's midnights
    axis = time_axis(equity, [us_hours()], "minute")
    figure = charts.equity_figure(equity, axis, None, benchmark)
    [drawn] = [trace for trace in figure.data if trace.name.startswith("Benchmark")]
    assert drawn.name == DAILY_BENCHMARK  # the legend says these are daily samples
    assert drawn.line.shape == "hv" and drawn.x[-1] == "2023-01-11T15:30"  # the window's last equity point
    assert drawn.y[-1] == pytest.approx(100.0 * 49 / 50)  # the last sample, held
    hourly = pd.Series([50.0 + step % 3 for step in range(len(index))], index=index)  # sampled within the day
    [line] = [trace for trace in charts.equity_figure(equity, axis, None, hourly).data if trace.name.startswith("Ben")]
    assert line.name == "Benchmark (rebased)" and line.line.shape == "linear" and len(line.x) == len(index)
    daily = pd.Series([100.0, 101, 102], index=utc("2023-01-10 05:00", "2023-01-11 05:00", "2023-01-12 05:00"))
    daily_figure = charts.equity_figure(daily, time_axis(daily, [us_hours()], "daily"), None, benchmark)
    assert [trace.name for trace in daily_figure.data].count("Benchmark (rebased)") == 1  # daily: drawn as is


def test_drawdown_periods_on_a_hand_made_curve() -> None:
    index = pd.date_range("2023-01-01", periods=9, freq="D", tz="UTC")
    equity = pd.Series([100, 110, 99, 88, 110, 121, 120, 115, 118.0], index=index)
    periods = drawdown_periods(equity)
    assert len(periods) == 2
    first, second = periods.iloc[0], periods.iloc[1]
    assert first["start"] == index[1] and first["trough"] == index[3] and first["recovery"] == index[4]
    assert first["depth"] == pytest.approx(88 / 110 - 1) and first["length"] == timedelta(days=3)
    assert first["to_trough"] == timedelta(days=2) and first["to_recover"] == timedelta(days=1)
    assert second["start"] == index[5] and second["trough"] == index[7] and pd.isna(second["recovery"])
    assert second["depth"] == pytest.approx(115 / 121 - 1) and second["length"] == timedelta(days=3)
    assert worst_drawdowns(equity, 1)["depth"].tolist() == [pytest.approx(-0.2)]
    assert drawdown_periods(pd.Series([1.0, 2, 3], index=index[:3])).empty


def test_a_curve_that_never_recovers_keeps_its_time_types_and_draws_its_table() -> None:
    index = pd.date_range("2023-01-02 21:00", periods=4, freq="D", tz="UTC")
    equity = pd.Series([100, 90, 80, 85.0], index=index)
    periods = drawdown_periods(equity)
    assert periods["recovery"].dtype == index.dtype and pd.isna(periods["recovery"].iloc[0])
    assert periods["to_recover"].dtype == periods["length"].dtype
    table = drawdowns_table(periods, time_axis(equity, [], "daily"))
    assert table["length"].tolist() == [3.0] and pd.isna(table["to_recover"].iloc[0])
    shown = drawdowns_shown(periods, time_axis(equity, [], "daily"))  # what the page's grid gets: no None
    assert shown[["recovery", "to_recover"]].iloc[0].tolist() == [NOT_RECOVERED, NOT_RECOVERED]
    assert shown["length"].tolist() == [3.0]


def test_shown_drawdowns_give_recovery_as_sortable_text_and_days() -> None:
    index = pd.date_range("2023-01-02", periods=9, freq="D", tz="UTC")
    equity = pd.Series([100, 90, 100, 50, 60, 120, 110, 100, 105.0], index=index)
    shown = drawdowns_shown(drawdown_periods(equity), time_axis(equity, [], "daily"))
    assert shown["depth"].tolist() == pytest.approx([-0.5, -1 / 6, -0.1])
    assert shown["recovery"].tolist() == ["2023-01-07 00:00", NOT_RECOVERED, "2023-01-04 00:00"]
    assert sorted(shown["recovery"]) == ["2023-01-04 00:00", "2023-01-07 00:00", NOT_RECOVERED]  # as times sort
    assert shown["to_recover"].tolist() == ["2.0", NOT_RECOVERED, "1.0"]


def test_worst_drawdown_of_lean_results_is_lean_s_printed_drawdown(lean_fixtures: Path) -> None:
    for name, printed in (("cli2025-spy-daily-13y", 0.335), ("cli2025-spy-minute-sma-301orders", 0.031)):
        result = load_result(lean_fixtures / name)
        assert round(-worst_drawdowns(result.equity, 1)["depth"].iloc[0], 3) == printed, name


def trades_frame(profits: list[float]) -> pd.DataFrame:
    exits = pd.date_range("2023-01-02 15:00", periods=len(profits), freq="h", tz="UTC")
    return pd.DataFrame({"symbol": ["SPY"] * len(profits), "direction": ["Long"] * len(profits),
                         "entry_time": exits - pd.Timedelta(minutes=30), "exit_time": exits,
                         "profit_loss": profits})  # fmt: skip


def test_streaks_and_summary_by_hand() -> None:
    trades = trades_frame([10, 20, -5, -5, -5, 30, -10])
    runs = trade_analytics.streaks(trades)
    assert runs["win"].tolist() == [True, False, True, False]
    assert runs["length"].tolist() == [2, 3, 1, 1]
    assert runs["profit_loss"].tolist() == [30, -15, 30, -10]
    figures = trade_analytics.summary(trades)
    assert (figures.trades, figures.wins, figures.losses) == (7, 3, 4)
    assert figures.win_rate == pytest.approx(3 / 7) and figures.net_profit == pytest.approx(35)
    assert figures.average_win == pytest.approx(20) and figures.average_loss == pytest.approx(-6.25)
    assert figures.profit_factor == pytest.approx(60 / 25)
    assert (figures.longest_winning_streak, figures.longest_losing_streak) == (2, 3)
    assert figures.median_holding == pd.Timedelta(minutes=30)
    assert trade_analytics.summary(trades.iloc[:0]).trades == 0


def test_trade_summary_matches_lean_s_trade_statistics(lean_fixtures: Path) -> None:
    result = load_result(lean_fixtures / "cli2025-spy-minute-sma-301orders")
    figures = trade_analytics.summary(result.closed_trades)
    lean = result.trade_statistics
    assert figures.trades == lean["totalNumberOfTrades"] and figures.wins == lean["numberOfWinningTrades"]
    assert figures.longest_winning_streak == lean["maxConsecutiveWinningTrades"]
    assert figures.longest_losing_streak == lean["maxConsecutiveLosingTrades"]
    assert figures.profit_factor == pytest.approx(float(lean["profitFactor"]), abs=5e-5)
    assert figures.net_profit == pytest.approx(float(lean["totalProfitLoss"]), abs=0.01)


def test_holding_time_reads_in_days_from_a_day_up_and_in_hours_below() -> None:
    # 60 days once read "600:00:00" (the text "0 days " cut out of "60 days 00:00:00")
    spans = [pd.Timedelta(days=60), pd.Timedelta(days=1), pd.Timedelta(hours=36), pd.Timedelta(hours=5, minutes=3)]
    assert [holding_text(span) for span in spans] == ["60 days", "1 day", "1.5 days", "5h 03m"]
    assert holding_text(None) == holding_text(pd.NaT) == "–"


def test_windows_and_filters_of_trades_and_orders(lean_fixtures: Path) -> None:
    result = load_result(lean_fixtures / "cli2025-spy-minute-sma-301orders")
    trades = result.closed_trades
    start, end = pd.Timestamp("2023-01-10", tz="UTC"), pd.Timestamp("2023-01-20", tz="UTC")
    inside = trade_analytics.closed_between(trades, start, end)
    assert len(inside) == ((trades["exit_time"] > start) & (trades["exit_time"] <= end)).sum() > 0
    assert set(inside.columns) == set(trades.columns)
    sells = trade_analytics.filtered(result.orders, symbol=["SPY"], direction=["Sell"], tag=None)
    assert len(sells) == (result.orders["direction"] == "Sell").sum() and len(sells) > 0
    events = trade_analytics.order_events(result.order_events, 1)
    assert events["status"].tolist() == ["Submitted", "Filled"]


def test_benchmark_rebased_to_the_equity_at_its_first_point() -> None:
    benchmark = pd.Series([0.0, 200, 220, 242], index=utc("2023-01-01", "2023-01-02", "2023-01-03", "2023-01-04"))
    equity = pd.Series([50_000.0, 51_000], index=utc("2023-01-02 15:00", "2023-01-03 15:00"))
    rebased = rebased_benchmark(benchmark, equity)
    assert rebased.index.tolist() == utc("2023-01-02 15:00", "2023-01-03 00:00").tolist()
    assert rebased.tolist() == pytest.approx([50_000.0, 55_000.0])  # 200 → 220 is +10%; the zero sample is no price


def test_security_identifiers_say_type_and_market() -> None:
    assert listing("SPY R735QTJ8XC9X") == ("Equity", "usa")
    assert listing("QQQ 2ZXD1HD4YPXIE|QQQ RIWIV7K5Z9LX") == ("Option", "usa")
    assert listing("not an identifier") is None


def test_exchange_of_the_imported_results(lean_fixtures: Path, lean_data: Path) -> None:
    from backtest_core.result_views import exchange_hours, result_time_axis

    options = load_result(lean_fixtures / "cloud2025-qqq-options-449orders")
    hours = exchange_hours(options, lean_data)
    assert len(hours) == 2 and all(h.exchange_tz == NEW_YORK for h in hours)  # QQQ options and QQQ shares
    axis = result_time_axis(options, None, lean_data)
    # one closed span per trading night of 2015 (this database's option entry lists no holidays: open on them)
    assert axis.intraday and 245 < len(axis.closed) < 270
    crypto = result_time_axis(load_result(lean_fixtures / "cli2025-btcusd-minute-supertrend"), "minute", lean_data)
    assert crypto.intraday and crypto.closed == () and crypto.zone == "UTC"
    daily = result_time_axis(load_result(lean_fixtures / "cli2025-spy-daily-13y"), "daily", lean_data)
    assert not daily.intraday and daily.title == "Date (America/New_York)"
    hours_db = LeanDataFolder(lean_data).market_hours("Option", "usa", "QQQ")
    assert hours_db.regular_session(date(2015, 1, 2)) == (datetime(2015, 1, 2, 9, 30), datetime(2015, 1, 2, 16))
    assert (
        LeanDataFolder(lean_data).market_hours(SecurityKind.EQUITY, "usa", "SPY").is_trading_day(date(2015, 1, 1))
        is False
    )


def minute_curve() -> tuple[pd.Series, TimeAxis]:
    index = utc("2023-01-03 05:00", "2023-01-03 15:00", "2023-01-03 18:00", "2023-01-03 21:00", "2023-01-04 15:00",
                "2023-01-04 21:00", "2023-01-05 21:00")  # fmt: skip
    equity = pd.Series([100.0, 100, 110, 99, 99, 120, 108], index=index)
    return equity, time_axis(equity, [us_hours()], "minute")


def test_zoom_windows_from_buttons_boxes_and_urls() -> None:
    from backtest_core import result_views as rv
    from backtest_core.errors import InvalidRequest

    equity, axis = minute_curve()
    assert rv.range_window("All", equity, axis) == rv.full_window(equity)
    assert rv.range_window("1M", equity, axis) == rv.full_window(equity)  # never before the first point
    assert rv.range_window("YTD", equity, axis)[0] == equity.index[0]
    # Plotly reports a box's x bounds as exchange times in text, in either order
    box = rv.window_from_box(["2023-01-04 10:00", "2023-01-03 13:45:30.5"], axis, equity)
    assert box == (pd.Timestamp("2023-01-03 18:45:30.5", tz="UTC"), pd.Timestamp("2023-01-04 15:00", tz="UTC"))
    assert rv.window_texts(box, axis) == ("2023-01-03T13:45", "2023-01-04T10:00")
    assert rv.window_from_texts("2023-01-03T13:45", "2023-01-04T10:00", axis, equity)[1] == box[1]
    assert rv.window_from_texts("2020-01-01", "2020-02-01", axis, equity) == rv.full_window(equity)  # misses
    with pytest.raises(InvalidRequest, match="from"):
        rv.window_from_texts("yesterday", "2023-01-04", axis, equity)
    with pytest.raises(InvalidRequest, match="selection"):
        rv.window_from_box(["x", "y"], axis, equity)


def test_window_figures_by_hand(lean_data: Path) -> None:
    from backtest_core import result_views as rv
    from backtest_core.analysis.calendar import daily_closes
    from backtest_core.compare_runs import trading_calendar

    equity, _ = minute_curve()
    calendar = trading_calendar(lean_data, crypto_only=False)
    closes = daily_closes(equity, calendar)
    window = (pd.Timestamp("2023-01-03 15:00", tz="UTC"), pd.Timestamp("2023-01-04 21:00", tz="UTC"))
    figures = rv.window_figures(equity, trades_frame([5.0, -1]), window, closes, calendar, lambda day: 0.0)
    assert figures.total_return == pytest.approx(0.2)  # 100 at the start to 120 at the end
    assert figures.max_drawdown == pytest.approx(1 - 99 / 110)  # the peak inside the window, every point
    assert figures.trading_days == 2 and figures.daily is not None
    assert figures.daily.total_return == pytest.approx(120 / 100 - 1)  # from the close before the window
    assert figures.trades.trades == 0  # the made-up trades closed on 2 January, before the window
