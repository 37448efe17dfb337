"""Backtest Studio core: strategies, engines, runs, storage and LEAN result parsing."""
