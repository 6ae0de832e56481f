"""A lock that keeps two ticks on one machine from acting at once.

It is an operating-system lock on a file (``flock`` on Linux and macOS,
``msvcrt.locking`` on Windows), so it is released when the process ends, even
when it is killed: a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(Exception):
    """Another tick holds the lock for the same spreadsheet."""


def lock_path(owner: str) -> Path:
    """Where the lock of one spreadsheet (its path or id) lives."""
    digest = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"automation-{digest}.lock"


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` for the block, or raise :class:`AlreadyRunning`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            _lock(fd)
        except OSError as exc:
            raise AlreadyRunning(str(path)) from exc
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
