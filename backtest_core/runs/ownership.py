"""Who owns a run: the supervisor holds an exclusive lock on ``supervisor.lock`` in the run folder.

The kernel drops the lock the moment the process dies (``kill -9`` included), so checking ownership is one
non-blocking ``flock`` and needs no process table lookup, and a reused pid can never pass for the owner.
Checking takes the lock for an instant, so a supervisor that meets a held lock tries again for a moment
before it concludes that another supervisor owns the run; and it writes its pid into the file once it holds
the lock, so an empty file is one being created, not one left by a dead owner.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

LOCK_NAME = "supervisor.lock"
CHECK_GRACE_S = 1.0  # a check holds the lock for microseconds; an owner holds it for the whole run


def hold(folder: Path) -> IO[bytes]:
    """Take the run's lock for the life of this process (keep the returned handle open); BlockingIOError when
    another process owns the run."""
    handle = (folder / LOCK_NAME).open("ab")
    deadline = time.monotonic() + CHECK_GRACE_S
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise
            time.sleep(0.01)
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()
    return handle


def is_owned(folder: Path) -> bool | None:
    """True while a live process holds the run's lock, False when none does, None when never locked (no
    file, or a file whose supervisor has not locked it yet)."""
    try:
        descriptor = os.open(folder / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        if os.fstat(descriptor).st_size == 0:
            return None
    finally:
        os.close(descriptor)  # closing releases a lock we may have taken
    return False
