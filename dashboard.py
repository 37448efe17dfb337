"""Backtest Studio dashboard: `streamlit run dashboard.py`. Layout and navigation only."""

import streamlit as st

from backtest_core import ui

st.set_page_config(page_title="Backtest Studio", page_icon=":material/monitoring:", layout="wide")
ui.startup()

PAGES = {
    "Backtests": [
        st.Page(
            "app_pages/strategies.py", title="Strategies", icon=":material/code:", url_path="strategies", default=True
        ),
        st.Page("app_pages/run.py", title="Run", icon=":material/play_arrow:", url_path="run"),
        st.Page("app_pages/monitor.py", title="Monitor", icon=":material/speed:", url_path="monitor"),
    ],
    "Results": [
        st.Page("app_pages/results.py", title="History", icon=":material/history:", url_path="results"),
        st.Page("app_pages/result.py", title="Result", icon=":material/insights:", url_path="result"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    ],
}

st.navigation(PAGES).run()
