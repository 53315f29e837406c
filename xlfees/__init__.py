"""xlfees: dental PPO fee-schedule analysis for negotiations.

The public API: :func:`read_schedule` reads one file, :func:`load_client` a
client folder, :func:`analyze` computes the analysis, and :class:`Client` can
be built from DataFrames.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .analysis import Analysis, analyze
from .cdt import category, normalize_code
from .client import Client, Note
from .errors import ClientFolderError, InputError, SettingsError, XlfeesError
from .folder import load_client
from .money import excel_round
from .readers import FileRead, ReadError, read_schedule
from .settings import Settings
from .workbook import write_workbook

try:
    __version__ = version("xlfees")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Analysis",
    "Client",
    "ClientFolderError",
    "FileRead",
    "InputError",
    "Note",
    "ReadError",
    "Settings",
    "SettingsError",
    "XlfeesError",
    "__version__",
    "analyze",
    "category",
    "excel_round",
    "load_client",
    "normalize_code",
    "read_schedule",
    "write_workbook",
]
