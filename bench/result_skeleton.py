"""The Result page's skeleton with nothing to compute: the same widgets in the same places (header, headline,
then the window's fragment that a range change reruns: range buttons and slider, the window's line, and in it the
tabs' fragment that a tab change reruns, the Trades tab's filters in a fragment inside that), no result, no chart.
bench_result times a widget change here as the bare Streamlit rerun the real page is measured against.

    streamlit run bench/result_skeleton.py   (bench.bench_result starts it)
"""

from datetime import datetime, timedelta

import streamlit as st

from backtest_core.result_views import RANGES

TABS = ["Equity", "Trades", "Exposure", "Returns", "Custom charts", "Statistics", "Log", "Request & code", "Downloads"]
FIRST, LAST = datetime(2019, 1, 2, 9, 31), datetime(2019, 12, 31, 16, 0)

st.title("Result skeleton")
st.caption("run id · strategy · completed")
with st.container(horizontal=True):
    st.button("Run again")
    st.button("Clone into the Run page")
with st.container(horizontal=True, gap="medium"):
    for label in ("Net Profit", "CAR", "Sharpe", "Drawdown", "PSR", "Orders", "End Equity", "Fees"):
        st.metric(label, "1.0%", width="content")


@st.fragment
def trades_view() -> None:
    left, middle, right = st.columns(3)
    chosen = left.multiselect("Symbols", ["SPY"], placeholder="every symbol")
    middle.multiselect("Direction", ["buy", "sell"], placeholder="both")
    right.multiselect("Order tag", [], placeholder="every tag", disabled=True)
    st.subheader(f"Closed trades in the window ({len(chosen)})")
    st.selectbox("Fills on the price of", chosen or ["SPY"])


@st.fragment
def tab_view() -> None:
    for name, tab in zip(TABS, st.tabs(TABS, key="tab", on_change="rerun", bind="query-params"), strict=True):
        if tab.open:
            with tab:
                if name == "Trades":
                    trades_view()
                else:
                    st.write(name)


@st.fragment
def window_view() -> None:
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        st.segmented_control("Range", RANGES, key="range", default="All")
        st.slider("Window", min_value=FIRST, max_value=LAST, value=(FIRST, LAST), step=timedelta(minutes=1), width=520)
        st.button("Reset zoom")
        st.toggle("Log scale")
    st.markdown(f"**Window** {st.session_state.get('range')} · **return** 1.00%")
    tab_view()


window_view()
