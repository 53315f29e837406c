"""Reading a file a person (or an attacker) placed: only a regular file, only so much.

A named pipe blocks whoever opens it for reading, ``/dev/zero`` never ends and a link
can lead anywhere; so a file is opened without blocking, checked to be a regular file
on the descriptor actually opened (no window between the check and the read), and
read no further than its limit.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Iterator

from .errors import XlfeesError

MB = 1024 * 1024


class NotAFileError(XlfeesError):
    """A path that is a pipe, a device, a folder or a link out of its folder."""


class TooLargeError(XlfeesError):
    """A file over the size xlfees reads."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_a_file(shown: str, mode: int) -> NotAFileError:
    return NotAFileError(f"{shown}: {_kind(mode)}, not a file; xlfees reads only regular "
                         "files: save it as a file and point to that")


def outside(path: Path, root: Path) -> bool:
    """Whether ``path``, its links followed, lies outside the folder ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    return False


def check_regular(path: Path, shown: str | None = None, root: Path | None = None) -> int:
    """The size of ``path`` when it is a regular file (inside ``root`` when given), else a
    NotAFileError naming it; checked before it is opened."""
    shown = shown or str(path)
    if root is not None and outside(path, root):
        raise NotAFileError(f"{shown}: a link to a file outside {root}; xlfees reads only "
                            "files inside the folder: copy the file in")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise NotAFileError(f"{shown}: no such file; check the path") from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file(shown, info.st_mode)
    return info.st_size


def read_limited(path: Path, max_bytes: int, shown: str | None = None,
                 root: Path | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; NotAFileError or
    TooLargeError (both name the file and the fix) otherwise."""
    shown = shown or str(path)
    check_regular(path, shown, root)
    # O_NONBLOCK: should the file have been swapped for a pipe since the check,
    # opening it still returns at once, and fstat below refuses it.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _not_a_file(shown, info.st_mode)
        if info.st_size > max_bytes:
            raise TooLargeError(f"{shown}: {human_size(info.st_size)}, more than the "
                                f"{human_size(max_bytes)} xlfees reads; split it or "
                                "leave it out")
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(descriptor, min(MB, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:   # it grew while we read it
            raise TooLargeError(f"{shown}: more than the {human_size(max_bytes)} xlfees "
                                "reads; split it or leave it out")
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def human_size(size: float) -> str:
    """312 bytes, 4.0 KB, 52.3 MB."""
    if size < 1024:
        return f"{size:.0f} bytes"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"


class BusyError(XlfeesError):
    """Another xlfees process holds the lock on the same folder."""


@contextlib.contextmanager
def folder_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` while ``what`` runs; another xlfees process
    on the same folder gets a BusyError at once.

    The lock is the operating system's (flock on the folder itself), so nothing is left
    in the folder and it is released when the process ends, however it ends."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:   # Windows: no flock; the folder is not locked
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BusyError(f"{folder}: another xlfees command is writing there ({what}); "
                            "wait for it to finish, or write to another folder") from None
        yield
    finally:
        os.close(descriptor)   # closing releases the lock
