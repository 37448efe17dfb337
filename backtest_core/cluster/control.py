"""Starting the cluster relay and reading its state, without importing Dask.

The relay is one detached process per store (``python -m backtest_core.cluster.relay``). It holds
``<home>/cluster-relay/supervisor.lock`` for its life, so "is it running" is one non-blocking ``flock``;
a dispatcher that finds work for the cluster and no relay starts one. The relay writes what it sees
(connected or not, and why) into ``state.json`` beside the lock, for pages and ``cluster status``.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import psutil
from pydantic import BaseModel

from backtest_core.cluster.protocol import EXECUTOR
from backtest_core.runs import ownership
from backtest_core.runs.dispatch import settings_environment
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.store.folders import write_atomic

STATE_FILE = "state.json"
SPAWNED_FILE = "spawned"


class RelayState(BaseModel):
    """What the relay last saw of the cluster."""

    pid: int
    connected: bool
    scheduler: str | None = None  # the address it connected to (or tried)
    message: str = ""  # e.g. why the scheduler cannot be reached, and what to do
    since: datetime  # when this state began
    updated_at: datetime


def relay_folder(settings: Settings) -> Path:
    folder = settings.home / "cluster-relay"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def relay_running(settings: Settings) -> bool:
    """True while a relay process holds the store's relay lock."""
    return bool(ownership.is_owned(relay_folder(settings)))


def ensure_relay(settings: Settings, store: RunStore) -> None:
    """Start the relay if there is cluster work (a queued run, or a cluster run to follow) and none runs."""
    if relay_running(settings) or _just_spawned(settings):
        return
    if store.has_queued() or store.running_ids(EXECUTOR):
        start_relay(settings)


def start_relay(settings: Settings) -> None:
    """A detached relay (new session, output in relay.txt); a second one exits at once on the lock."""
    folder = relay_folder(settings)
    with (folder / "relay.txt").open("ab") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "backtest_core.cluster.relay"],
            cwd=str(PROJECT_ROOT),
            env=settings_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    with contextlib.suppress(psutil.NoSuchProcess):  # ended already (another relay held the lock)
        write_atomic(folder / SPAWNED_FILE, f"{child.pid} {psutil.Process(child.pid).create_time()}\n")
    threading.Thread(target=child.wait, daemon=True).start()  # no zombie while this process lives


def _just_spawned(settings: Settings) -> bool:
    """True while the relay started last is alive but has not taken the lock yet (its imports take seconds)."""
    try:
        pid, started = (relay_folder(settings) / SPAWNED_FILE).read_text().split()
        process = psutil.Process(int(pid))
        return abs(process.create_time() - float(started)) < 1.0 and process.status() != psutil.STATUS_ZOMBIE
    except (OSError, ValueError, psutil.Error):
        return False


def read_state(settings: Settings) -> RelayState | None:
    """The relay's last written state, or None when no relay ever ran for this store."""
    path = relay_folder(settings) / STATE_FILE
    try:
        return RelayState.model_validate_json(path.read_text())
    except (OSError, ValueError):
        return None


def write_state(settings: Settings, state: RelayState) -> None:
    write_atomic(relay_folder(settings) / STATE_FILE, state.model_dump_json(indent=2))
