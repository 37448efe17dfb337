"""Order prices on the tick grid as LEAN's price variation models set them, and the normalisation modes the
engine refuses rather than run with silently different prices."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.broker import Security, round_to_tick
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.model import Resolution, SecurityType, Symbol
from backtest_core.engines.embedded.runner import run_backtest


def security(lean_data: Path, kind: SecurityKind, market: str, ticker: str) -> Security:
    folder = LeanDataFolder(lean_data)
    kinds = {SecurityKind.EQUITY: SecurityType.EQUITY, SecurityKind.CRYPTO: SecurityType.CRYPTO,
             SecurityKind.FOREX: SecurityType.FOREX}  # fmt: skip
    return Security(
        Symbol.create(ticker.upper(), kinds[kind], market), kind, Resolution.MINUTE,
        folder.market_hours(kind, market, ticker), folder.symbol_properties(kind, market, ticker), 1.0, True, False,
    )  # fmt: skip


def test_crypto_and_forex_prices_go_to_their_minimum_price_variation(lean_data: Path) -> None:
    btc = security(lean_data, SecurityKind.CRYPTO, "coinbase", "btcusd")
    eur = security(lean_data, SecurityKind.FOREX, "oanda", "eurusd")
    assert btc.symbol_properties.minimum_price_variation == 0.01
    assert eur.symbol_properties.minimum_price_variation == 0.00001
    assert round_to_tick(btc, 123.456) == 123.46
    assert round_to_tick(btc, 100.125) == 100.12  # banker's rounding, in decimal: no binary-float surprises
    assert round_to_tick(eur, 1.2345678) == 1.23457
    assert round_to_tick(eur, 1.234565) == 1.23456  # a tie goes to the even last digit


def test_equity_prices_stay_as_given_on_adjusted_data(lean_data: Path) -> None:
    spy = security(lean_data, SecurityKind.EQUITY, "usa", "spy")
    assert round_to_tick(spy, 145.015173352) == 145.015173352  # LEAN's AdjustedPriceVariationModel: no minimum
    assert round_to_tick(spy, 0.123456) == 0.123456


@pytest.mark.parametrize("mode", ["RAW", "SPLIT_ADJUSTED"])
def test_unadjusted_equity_data_is_refused_by_name(lean_data: Path, tmp_path: Path, mode: str) -> None:
    project = tmp_path / "raw_prices"
    project.mkdir()
    (project / "main.py").write_text(
        textwrap.dedent(f"""
        from AlgorithmImports import *

        class RawPrices(QCAlgorithm):
            def initialize(self):
                self.set_start_date(2013, 10, 7)
                self.set_end_date(2013, 10, 8)
                self.add_equity("SPY", Resolution.MINUTE, data_normalization_mode=DataNormalizationMode.{mode})
        """)
    )
    outcome = run_backtest(EngineJob("test-run", "1", project, lean_data, tmp_path / "out", RunOverrides()))
    assert outcome.status == "failed"
    assert f"data_normalization_mode={mode}" in outcome.error and "not supported" in outcome.error
