"""The engine benchmark's (a)-(d), this tree against an earlier commit, measured side by side.

The machine's speed drifts by tens of percent within minutes, so two separate benchmark runs cannot show a
change of a few percent. Here one long-lived process per tree (the earlier commit checked out in a temporary
git worktree) runs single measurements in turn, alternating which tree goes first, and the fastest of each
counts.

    .venv/bin/python -m bench.bench_engine_ab REV [--rounds 8]   (from the project root)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from backtest_core.settings import PROJECT_ROOT

MEASURES = ("a", "b", "c", "d")
# Runs inside each tree with that tree's code; uses only what bench_engine has had since session 3.
SERVER = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, ".")
import pandas as pd
from bench.bench_engine import CROSSOVER, EMPTY, backtesting_py, decode, engine, project, synthetic_minutes
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.models import Resolution
root = Path(tempfile.mkdtemp())
data = root / "data"
start, end = synthetic_minutes(data, 1)
raw = LeanDataFolder(data).read_bars(SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "trade", start, end)
frame = pd.DataFrame(
    {"Open": raw.open, "High": raw.high, "Low": raw.low, "Close": raw.close, "Volume": raw.volume},
    index=pd.to_datetime(raw.end_ns, utc=True).tz_localize(None),
)
empty, cross = project(root, "empty", EMPTY), project(root, "cross", CROSSOVER)
runs = {
    "a": lambda: decode(data, start, end),
    "b": lambda: engine(empty, data, root / "out-b", start, end),
    "c": lambda: engine(cross, data, root / "out-c", start, end),
    "d": lambda: backtesting_py(frame),
}
print("ready", flush=True)
for line in sys.stdin:
    began = time.perf_counter()
    runs[line.strip()]()
    print(time.perf_counter() - began, flush=True)
"""


def start_server(tree: Path) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready", f"{tree}: server failed"
    return server


def measure(server: subprocess.Popen[str], name: str) -> float:
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(name + "\n")
    server.stdin.flush()
    return float(server.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rev", help="the earlier commit to compare with")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        earlier = Path(scratch) / "earlier"
        subprocess.run(["git", "worktree", "add", "--detach", str(earlier), args.rev], cwd=PROJECT_ROOT, check=True)
        try:
            trees = {args.rev: earlier, "this tree": PROJECT_ROOT}
            servers = {label: start_server(tree) for label, tree in trees.items()}
            best = {label: dict.fromkeys(MEASURES, float("inf")) for label in trees}
            for round_number in range(args.rounds):
                order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
                for name in MEASURES:
                    for label in order:
                        best[label][name] = min(best[label][name], measure(servers[label], name))
            for server in servers.values():
                server.communicate("")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(earlier)], cwd=PROJECT_ROOT, check=True)
    print(f"fastest of {args.rounds} alternating rounds, seconds (101,790 synthetic SPY minute bars)")
    for label, seconds in best.items():
        figures = "  ".join(f"({name}) {value:.3f}" for name, value in seconds.items())
        print(
            f"{label:>12}: {figures}  (c)/(d) = {seconds['d'] / seconds['c']:.2f}  "
            f"(b)/(a) = {seconds['a'] / seconds['b']:.2f}"
        )


if __name__ == "__main__":
    main()
