"""Folders as compressed bytes for the trip to a worker and back (the code out, the result folder home)."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

COMPRESS_LEVEL = 3  # LEAN's JSON shrinks ~8x at level 3; higher levels cost more time than the bytes save


def pack(folder: Path, skip: frozenset[str] = frozenset()) -> bytes:
    """``folder``'s entries (except the names in ``skip``) as a gzip-compressed tar archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=COMPRESS_LEVEL) as archive:
        for entry in sorted(folder.iterdir()):
            if entry.name not in skip:
                archive.add(entry, arcname=entry.name)
    return buffer.getvalue()


def unpack(data: bytes, folder: Path) -> list[str]:
    """Put the archive's entries into ``folder``, each whole: extracted beside it first, then renamed into
    place (a reader, or a crash, never meets half a file); returns the names placed."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".incoming-") as staging:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            archive.extractall(staging, filter="data")  # no absolute paths, links out, or devices
        names = sorted(entry.name for entry in Path(staging).iterdir())
        for name in names:
            target = folder / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(Path(staging) / name, target)
    return names
