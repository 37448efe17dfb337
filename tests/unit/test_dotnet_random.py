""".NET's seeded ``System.Random``: the sequence .NET's own tests pin, and its use from an algorithm."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.dotnet_random import INT_MAX, INT_MIN, Random
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.errors import UnsupportedApi

# dotnet/runtime's RandomTests.ExpectedValues: the first ten Next() of new Random(seed) for seeds 0, 1 and 2
DOTNET_NEXT = {
    0: [1559595546, 1755192844, 1649316166, 1198642031, 442452829, 1200195957, 1945678308, 949569752, 2099272109,
        587775847],
    1: [534011718, 237820880, 1002897798, 1657007234, 1412011072, 929393559, 760389092, 2026928803, 217468053,
        1379662799],
    2: [1655911537, 867932563, 356479430, 2115372437, 234085668, 658591161, 1722583523, 956804207, 483147644,
        24066104],
}  # fmt: skip
# int.MaxValue and int.MinValue give one array (Math.Abs of MinValue would overflow: .NET takes MaxValue)
DOTNET_NEXT_EXTREME = [1559595546, 1755192844, 1649316172, 1198642031, 442452829, 1200195955, 1945678308, 949569752,
                       2099272109, 587775835]  # fmt: skip


@pytest.mark.parametrize("seed", sorted(DOTNET_NEXT))
def test_next_gives_dotnets_sequence_for_the_seed(seed: int) -> None:
    generator = Random(seed)
    assert [generator.Next() for _ in range(10)] == DOTNET_NEXT[seed]


@pytest.mark.parametrize("seed", [INT_MAX, INT_MIN])
def test_the_int32_extremes_wrap_as_csharp_does(seed: int) -> None:
    generator = Random(seed)
    assert [generator.next() for _ in range(10)] == DOTNET_NEXT_EXTREME


def test_a_negative_seed_is_its_absolute_value() -> None:
    generator = Random(-1)
    assert [generator.next() for _ in range(10)] == DOTNET_NEXT[1]


def test_the_bounded_forms_scale_the_same_sample() -> None:
    """Next(max) = (int)(Sample() * max), Next(min, max) = (int)(Sample() * (max - min)) + min, NextDouble() =
    Sample(), with Sample() = InternalSample() / int.MaxValue, one draw each."""
    samples = [value / INT_MAX for value in DOTNET_NEXT[0]]
    generator = Random(0)
    drawn = [generator.next(10), generator.next(-5, 5), generator.next_double(), generator.NextDouble()]
    assert drawn == [int(samples[0] * 10), int(samples[1] * 10) - 5, samples[2], samples[3]]
    assert Random(0).next(0, 2 * 290) == int(samples[0] * 580)


def test_small_ranges_and_invalid_bounds() -> None:
    generator = Random(42)
    assert [generator.next(0), generator.next(0, 0), generator.next(1, 1), generator.next(1), generator.next(1, 2)] == [
        0,
        0,
        1,
        0,
        1,
    ]
    with pytest.raises(ValueError, match="maxValue"):
        generator.next(-1)
    with pytest.raises(ValueError, match="minValue"):
        generator.next(2, 1)


def test_a_range_wider_than_int32_takes_two_samples() -> None:
    """.NET's GetSampleForLargeRange: the second sample's parity gives the first one's sign."""
    first, second = DOTNET_NEXT[0][:2]
    signed = first if second % 2 else -first
    expected = int((signed + INT_MAX - 1) / (2 * INT_MAX - 1) * (INT_MAX - INT_MIN)) + INT_MIN
    generator = Random(0)
    assert generator.next(INT_MIN, INT_MAX) == expected
    assert generator.next() == DOTNET_NEXT[0][2]


def test_what_cannot_be_reproduced_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedApi, match=r"Random\(\) without a seed"):
        Random()
    with pytest.raises(UnsupportedApi, match=r"Random\.NextInt64"):
        Random(1).NextInt64()


def test_an_algorithm_draws_dotnets_sequence(lean_data: Path, tmp_path: Path) -> None:
    """Through AlgorithmImports and ``from System import Random``, as LEAN's Python algorithms write it."""
    project = tmp_path / "draws"
    project.mkdir()
    source = """
        from AlgorithmImports import *
        from System import Random as SystemRandom

        class Draws(QCAlgorithm):
            def initialize(self):
                self.set_start_date(2013, 10, 7)
                self.set_end_date(2013, 10, 8)
                self.add_equity("SPY", Resolution.DAILY)
                first, second = Random(0), SystemRandom(1)
                self.set_summary_statistic("draws", f"{first.next()} {second.Next()} {first.next(0, 10)}")
    """
    (project / "main.py").write_text(textwrap.dedent(source))
    outcome = run_backtest(EngineJob("test-run", "7", project, lean_data, tmp_path / "out", RunOverrides()))
    assert outcome.status == "completed", outcome.error
    statistics = json.loads((tmp_path / "out" / "7.json").read_text())["statistics"]
    assert statistics["draws"] == f"{DOTNET_NEXT[0][0]} {DOTNET_NEXT[1][0]} {int(DOTNET_NEXT[0][1] / INT_MAX * 10)}"
