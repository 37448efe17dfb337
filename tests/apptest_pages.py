"""Opening one dashboard page through Streamlit's AppTest, the way every page test does."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from backtest_core.settings import PROJECT_ROOT
from backtest_core.ui import PAGE_FILES

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
TIMEOUT = 60


def page(name: str, **query: str) -> AppTest:
    """The page ``name`` (a key of ``PAGE_FILES``) with ``query`` in its URL, run once, without exceptions."""
    app = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    app.run()
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page(PAGE_FILES[name]).run()
    assert not app.exception, [e.value for e in app.exception]
    return app
