"""A lock that keeps two ticks on one machine from acting at once.

It is an operating-system lock on a file (``flock`` on Linux and macOS,
``msvcrt.locking`` on Windows), so it is released when the process ends, even
when it is killed: a crash never leaves a stale lock behind.

The lock files live in a folder of the user's own (``$XDG_RUNTIME_DIR`` or
``~/.cache/automation`` on Linux and macOS, ``%LOCALAPPDATA%\\automation`` on
Windows), made readable by its owner only: no other user of the machine can
hold the lock to stop the service, nor plant a link where the lock file goes.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from automation.i18n import Text
from automation.ports import InputError

UNSAFE_FOLDER = Text(
    "Thư mục khóa {folder} không an toàn ({why}). Hãy xóa nó (hoặc sửa quyền chỉ chủ sở hữu "
    "được đọc, ghi) rồi chạy lại.",
    "The lock folder {folder} is not safe ({why}). Delete it (or make it readable and "
    "writable by its owner only) and run again.",
)


class AlreadyRunning(Exception):
    """Another tick holds the lock for the same spreadsheet."""


def lock_folder(language: str = "vi") -> Path:
    """The user's own folder for lock files (created, owner only, when missing)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        folder = base / "automation" / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = Path(runtime) if runtime and Path(runtime).is_dir() else Path.home() / ".cache"
    folder = base / "automation"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_private(folder, language)
    return folder


def _check_private(folder: Path, language: str) -> None:
    """The folder is a real folder of this user's that nobody else may write in."""
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise InputError(UNSAFE_FOLDER(language, folder=folder, why="not a folder / link"))
    if info.st_uid != os.getuid():
        raise InputError(UNSAFE_FOLDER(language, folder=folder, why="owned by another user"))
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)


def lock_path(owner: str, language: str = "vi") -> Path:
    """Where the lock of one spreadsheet (its path or id) lives."""
    digest = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]
    return lock_folder(language) / f"tick-{digest}.lock"


@contextmanager
def exclusive(path: Path, language: str = "vi") -> Iterator[None]:
    """Hold the lock at ``path`` for the block, or raise :class:`AlreadyRunning`.

    A link at ``path`` is never followed (the open fails instead).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        why = f"{path.name}: {exc.strerror}"
        raise InputError(UNSAFE_FOLDER(language, folder=path.parent, why=why)) from exc
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
