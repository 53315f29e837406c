"""Readers: payer schedules, office fees and volume in the shapes practices actually receive."""

from __future__ import annotations

from pathlib import Path

from .limits import Limits, ReadError
from .reader import AmbiguousFile, FilePins, FileRead, XlfeesWorkbook, name_hint, read_file

__all__ = ["AmbiguousFile", "FilePins", "FileRead", "Limits", "ReadError", "XlfeesWorkbook",
           "name_hint", "read_file", "read_schedule"]


def read_schedule(path: str | Path, *, role: str | None = None, payer: str | None = None,
                  network: str | None = None, sheet: str | None = None,
                  dimension: str | None = None, limits: Limits | None = None) -> FileRead:
    """Read one file as xlfees sees it: role, sheet, header row, columns, rows, rejected rows.

    ``role``, ``payer``, ``network``, ``sheet`` and ``dimension`` do what the same keys
    of ``[files."…"]`` in client.toml do.
    """
    pins = FilePins(role=role, payer=payer, network=network, sheet=sheet, dimension=dimension)
    return read_file(path, pins, limits=limits)
