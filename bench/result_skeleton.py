"""The Result page's skeleton with nothing to compute: the same widgets in the same places (header, headline,
then the window's controls' fragment: range buttons and slider, the window's line; the tabs' fragment that a tab
change reruns, the Equity tab's chart in a fragment of its own and the Trades tab's filters in another), no
result, no chart. A range change reruns the controls and the open tab's part, as on the page (on Equity its chart's
fragment, else the tabs'). bench_result times a widget change here as the bare Streamlit rerun the real page is
measured against.

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


@st.fragment(key="equity-chart")
def equity_chart() -> None:
    st.write(f"Equity chart of {st.session_state.get('range')}")


@st.fragment(key="tab-body")
def tab_view() -> None:
    for name, tab in zip(TABS, st.tabs(TABS, key="tab", on_change="rerun", bind="query-params"), strict=True):
        if tab.open:
            with tab:
                if name == "Trades":
                    trades_view()
                elif name == "Equity":
                    equity_chart()
                else:
                    st.write(name)


def rerun_window() -> None:
    st.rerun(["window-controls", "equity-chart" if st.session_state.get("tab", TABS[0]) == "Equity" else "tab-body"])


@st.fragment(key="window-controls")
def window_controls() -> None:
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        st.segmented_control("Range", RANGES, key="range", default="All", on_change=rerun_window)
        st.slider("Window", min_value=FIRST, max_value=LAST, value=(FIRST, LAST), step=timedelta(minutes=1), width=520)
        st.button("Reset zoom")
        st.toggle("Log scale")
    st.markdown(f"**Window** {st.session_state.get('range')} · **return** 1.00%")


window_controls()
tab_view()
