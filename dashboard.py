"""Backtest Studio dashboard: `streamlit run dashboard.py`. Layout and navigation only."""

from pathlib import Path

import streamlit as st

from backtest_core import ui

st.set_page_config(
    page_title="Backtest Studio", page_icon=str(Path(__file__).parent / "assets" / "favicon.png"), layout="wide"
)
ui.startup()

# the default page is served at / only; its url_path here names it apart from the /strategies alias below
STRATEGIES = st.Page(
    ui.PAGE_FILES["strategies"], title="Strategies", icon=":material/code:", url_path="catalogue", default=True
)


def strategies_bookmark() -> None:
    """/strategies, the Strategies page under its own name (a bookmark, a link): st.navigation serves the default
    page at / only and answered /strategies with "Page not found". Sent on to the page, its query kept."""
    st.switch_page(STRATEGIES, query_params=st.query_params.to_dict())


PAGES = {
    "Backtests": [
        STRATEGIES,
        st.Page(strategies_bookmark, title="Strategies", url_path="strategies", visibility="hidden"),
        st.Page(ui.PAGE_FILES["run"], title="Run", icon=":material/play_arrow:", url_path="run"),
        st.Page(ui.PAGE_FILES["monitor"], title="Monitor", icon=":material/speed:", url_path="monitor"),
    ],
    "Results": [
        st.Page(ui.PAGE_FILES["history"], title="History", icon=":material/history:", url_path="results"),
        st.Page(ui.PAGE_FILES["result"], title="Result", icon=":material/insights:", url_path="result"),
        st.Page(ui.PAGE_FILES["compare"], title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page(ui.PAGE_FILES["sweep"], title="Sweeps", icon=":material/grid_on:", url_path="sweep"),
    ],
}

st.navigation(PAGES).run()
