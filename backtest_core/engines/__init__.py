"""Engines behind one interface (:mod:`backtest_core.engines.base`)."""
