"""Who owns a run: the supervisor holds an exclusive lock on ``supervisor.lock`` in the run folder.

The kernel drops the lock the moment the process dies (``kill -9`` included), so checking ownership is one
non-blocking ``flock`` and needs no process table lookup, and a reused pid can never pass for the owner.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "supervisor.lock"


def hold(folder: Path) -> IO[bytes]:
    """Take the run's lock for the life of this process (keep the returned handle open)."""
    handle = (folder / LOCK_NAME).open("ab")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def is_owned(folder: Path) -> bool | None:
    """True while a live process holds the run's lock, False when none does, None when never locked."""
    try:
        descriptor = os.open(folder / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing releases a lock we may have taken
    return False
