"""``python -m backtest_core``: the command line."""

import sys

from backtest_core.cli import main

sys.exit(main())
