"""Child process of the embedded engine: ``python -m backtest_core.engines.embedded.worker '<job JSON>'``.

Reports JSON lines on a private copy of stdout; the algorithm's own ``print`` output becomes LEAN ``Debug``
messages, as LEAN forwards console output. SIGINT asks the backtest to stop after the current time step.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import traceback
from typing import IO, Any

from backtest_core.engines.base import EngineOutcome
from backtest_core.engines.embedded.engine import job_from_json
from backtest_core.engines.embedded.runner import run_backtest


class _Protocol:
    """Serialised writes of one JSON object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, kind: str, value: Any) -> None:
        line = json.dumps({kind: value}, default=str)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


def main(argv: list[str]) -> int:
    job = job_from_json(json.loads(argv[1]))
    protocol = _Protocol(os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1))
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol stream
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        outcome = run_backtest(
            job,
            progress=lambda report: protocol.send("progress", report.model_dump(mode="json")),
            log_line=lambda line: protocol.send("log", line),
            should_stop=stop.is_set,
        )
    except Exception as error:  # outside the backtest itself (e.g. the output folder): still an outcome
        outcome = EngineOutcome(status="failed", error=f"Backtest Studio engine error: {type(error).__name__}: "
                                f"{error}", traceback=traceback.format_exc())  # fmt: skip
    protocol.send("outcome", outcome.model_dump(mode="json"))
    return 0


def _exit_now(code: int) -> None:
    """End without the interpreter's teardown: the result files are written and the outcome sent, and tearing
    down pandas, numpy and the algorithm's objects cost 0.4-0.5 s of every run, which its supervisor spent
    waiting for this process to end. A thread the algorithm left running ends with it, as it would in LEAN."""
    sys.stderr.flush()
    sys.__stdout__.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main(sys.argv))
