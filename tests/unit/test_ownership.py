"""Run ownership by lock file, including the moments when a check and a starting supervisor meet."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from backtest_core.runs import ownership


def test_owned_while_held_and_orphaned_after(tmp_path: Path) -> None:
    assert ownership.is_owned(tmp_path) is None  # never started
    handle = ownership.hold(tmp_path)
    assert ownership.is_owned(tmp_path) is True
    assert (tmp_path / ownership.LOCK_NAME).read_text() == f"{os.getpid()}\n"
    handle.close()  # as when the supervisor dies
    assert ownership.is_owned(tmp_path) is False


def test_a_lock_file_not_locked_yet_is_not_an_orphan(tmp_path: Path) -> None:
    (tmp_path / ownership.LOCK_NAME).touch()  # the supervisor has created the file but not locked it
    assert ownership.is_owned(tmp_path) is None


def test_a_supervisor_waits_out_a_check_holding_the_lock(tmp_path: Path) -> None:
    checker = os.open(tmp_path / ownership.LOCK_NAME, os.O_RDONLY | os.O_CREAT)
    fcntl.flock(checker, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a check that holds the lock at that very moment
    threading.Timer(0.2, os.close, [checker]).start()
    handle = ownership.hold(tmp_path)
    assert ownership.is_owned(tmp_path) is True
    handle.close()


def test_a_second_supervisor_gives_way_to_the_owner(tmp_path: Path) -> None:
    owner = ownership.hold(tmp_path)
    with pytest.raises(BlockingIOError):
        ownership.hold(tmp_path)
    assert ownership.is_owned(tmp_path) is True
    owner.close()
