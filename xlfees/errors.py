"""Exceptions raised by xlfees; the CLI turns each into one ``Error: …`` line."""

from __future__ import annotations


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
    """An output path xlfees cannot write as asked (a wrong extension, a folder it cannot create)."""


def check_suffix(path: object, suffix: str, what: str) -> None:
    """Refuse to write ``what`` under a name whose extension says another format."""
    from pathlib import Path

    path = Path(str(path))
    if path.suffix.lower() != suffix:
        written = f"the extension {path.suffix}" if path.suffix else "no extension"
        raise OutputError(f"{path}: {what} is an {suffix} file, and this name has {written}; "
                          f"name it {path.stem or path.name}{suffix}")
