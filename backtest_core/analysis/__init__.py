"""Analysis of results as pure functions over pandas: one curve's derived series, returns by period, and
the comparison of several runs (windows, statistics on a window, significance, diffs, trade matching).

Nothing here reads files or draws: callers load results (``backtest_core.results``) and pages draw.
"""
