"""Readers: payer schedules, office fees and volume in the shapes practices actually receive.

The names below load on first use: client.toml's vocabulary (readers.pins) is read by
`xlfees --help` without pandas or a parser.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .limits import Limits, ReadError
    from .pins import FilePins
    from .reader import AmbiguousFile, FileRead, XlfeesWorkbook, name_hint, read_file, read_schedule

_EXPORTS = {"AmbiguousFile": ".reader", "FileRead": ".reader", "XlfeesWorkbook": ".reader",
            "name_hint": ".reader", "read_file": ".reader", "read_schedule": ".reader",
            "Limits": ".limits", "ReadError": ".limits", "FilePins": ".pins"}

__all__ = ["AmbiguousFile", "FilePins", "FileRead", "Limits", "ReadError", "XlfeesWorkbook",
           "name_hint", "read_file", "read_schedule"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'xlfees.readers' has no attribute {name!r}")
