"""LEAN's ``SymbolCache``: the tickers the algorithm's securities were added under, and their symbols.

LEAN keeps one static cache per process: ``SecurityService`` sets ``symbol.Value -> symbol`` for each security the
algorithm adds, and the date and time rules set a ticker they had to create an equity symbol for. The benchmark's
security is not added to it, nor is a symbol only made with ``Symbol.create``. Tickers are looked up ignoring case;
``TryGetSymbol`` returns its ``out`` symbol with the result, as pythonnet does. The engine clears it at the start of
each backtest (one LEAN process runs one algorithm). LEAN's fall-back search for custom data tickers
(``BTC`` for ``BTC.Bitcoin``) has nothing to find here: the engine has no custom data.
"""

from __future__ import annotations

from typing import Any, ClassVar

from backtest_core.errors import UnsupportedApi


class SymbolCache:
    _symbols: ClassVar[dict[str, Any]] = {}
    _tickers: ClassVar[dict[Any, str]] = {}

    @classmethod
    def set(cls, ticker: str, symbol: Any) -> None:
        cls._symbols[ticker.upper()] = symbol
        cls._tickers[symbol] = ticker

    @classmethod
    def try_get_symbol(cls, ticker: str, symbol: Any = None) -> tuple[bool, Any]:
        found = cls._symbols.get(str(ticker).upper())
        return found is not None, found

    @classmethod
    def get_symbol(cls, ticker: str) -> Any:
        found, symbol = cls.try_get_symbol(ticker)
        if not found:
            raise KeyError(f"Unable to locate ticker '{ticker}'.")  # LEAN's InvalidOperationException text
        return symbol

    @classmethod
    def try_get_ticker(cls, symbol: Any, ticker: Any = None) -> tuple[bool, str | None]:
        found = cls._tickers.get(symbol)
        return found is not None, found

    @classmethod
    def get_ticker(cls, symbol: Any) -> str:
        return cls._tickers.get(symbol) or str(symbol.id)

    @classmethod
    def clear(cls) -> None:
        cls._symbols.clear()
        cls._tickers.clear()

    Set, TryGetSymbol, GetSymbol, TryGetTicker, GetTicker = set, try_get_symbol, get_symbol, try_get_ticker, get_ticker

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise UnsupportedApi("a class deriving from SymbolCache")
