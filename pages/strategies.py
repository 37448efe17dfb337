"""Reached only by Streamlit's first run on a fresh server (legacy router): see ui.enter_through_dashboard."""

from backtest_core import ui

ui.enter_through_dashboard()
