"""Exceptions raised by xlfees; the CLI turns each into one ``Error: …`` line."""

from __future__ import annotations

import errno
from pathlib import Path

from .wording import one_line


class XlfeesError(Exception):
    """Base class: something about the inputs or settings must be fixed by the user."""


class InputError(XlfeesError):
    """A row of an input table (office fees, schedules, volume) is unusable.

    Names the table, the source file and row so the user can find it.
    """

    def __init__(self, table: str, row: int | None, problem: str, fix: str,
                 source: str | None = None) -> None:
        self.table = table
        self.row = row
        self.problem = problem
        self.fix = fix
        self.source = source
        where = table
        if source:
            where += f" ({source}"
            where += f", row {row})" if row is not None else ")"
        elif row is not None:
            where += f" row {row}"
        super().__init__(f"{where}: {problem}; {fix}")


class SettingsError(XlfeesError):
    """A key of ``client.toml`` (or a settings mapping) is unknown or impossible."""

    def __init__(self, key: str, problem: str, fix: str, source: str | None = None) -> None:
        self.key = key
        self.problem = problem
        self.fix = fix
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}setting '{key}' {problem}; {fix}")


class ClientFolderError(XlfeesError):
    """A client folder is missing a required file or cannot be read."""


class OutputError(XlfeesError):
    """An output path xlfees will not write as asked (a wrong extension, an input file)."""


def check_suffix(path: object, suffix: str, what: str) -> None:
    """Refuse to write ``what`` under a name whose extension says another format."""
    path = Path(str(path))
    if path.suffix.lower() != suffix:
        written = f"the extension {path.suffix}" if path.suffix else "no extension"
        raise OutputError(f"{path}: {what} is an {suffix} file, and this name has {written}; "
                          f"name it {path.stem or path.name}{suffix}")


_OS_FIXES = {
    # Raised for a read as for a write: the fix names both.
    errno.EACCES: "check its permissions (xlfees reads its inputs and writes its outputs "
                  "as you), or choose another folder",
    errno.EPERM: "check its permissions (xlfees reads its inputs and writes its outputs "
                 "as you), or choose another folder",
    errno.EROFS: "that disk is read-only: choose another folder",
    errno.ENOSPC: "the disk is full: free some space or choose another disk",
    errno.EDQUOT: "the disk quota is used up: free some space or choose another disk",
    errno.ENAMETOOLONG: "use a shorter name or a shorter folder path",
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "that is a folder: give a file name",
}


def describe_error(error: BaseException) -> str:
    """One line a person can act on, for any exception (the CLI prints it after "Error: ")."""
    if isinstance(error, XlfeesError):
        text = str(error)
    elif isinstance(error, OSError):
        what = error.strerror or str(error)
        where = error.filename
        fix = _OS_FIXES.get(error.errno or 0, "check the path and try again")
        text = f"{where}: {what.lower()}; {fix}" if where else f"{what}; {fix}"
    elif isinstance(error, MemoryError):
        text = ("ran out of memory; check the inputs are what they seem (xlfees inspect "
                "each file), or run fewer clients at once (--jobs 1)")
    elif isinstance(error, RecursionError):
        text = "an input is nested too deeply to read; check client.toml and the inputs"
    else:
        text = (f"unexpected {type(error).__name__}: {error}; this is a bug in xlfees: run "
                "again with `xlfees --debug …` to see where, and report it")
    return one_line(text)
