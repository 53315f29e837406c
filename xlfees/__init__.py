"""xlfees: dental PPO fee-schedule analysis for negotiations.

The public API: :func:`read_schedule` reads one file, :func:`load_client` a
client folder, :func:`analyze` computes the analysis, and :class:`Client` can
be built from DataFrames.

Names are imported on first use, so ``import xlfees`` (and the ``xlfees``
command, which installs its signal handlers first) starts without pandas.
"""

from __future__ import annotations

from importlib import import_module
# typing is not imported: 9 ms before the signal handlers are in place.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# public name → the module that defines it
_EXPORTS = {
    "Analysis": ".analysis", "analyze": ".analysis",
    "category": ".cdt", "normalize_code": ".cdt",
    "Client": ".client", "Note": ".notes",
    "ClientFolderError": ".errors", "InputError": ".errors", "OutputError": ".errors",
    "SettingsError": ".errors", "XlfeesError": ".errors",
    "load_client": ".client",
    "excel_round": ".money",
    "FileRead": ".readers", "ReadError": ".readers", "read_schedule": ".readers",
    "Settings": ".sources.client_toml",
    "write_workbook": ".workbook",
}

__all__ = ["Analysis", "Client", "ClientFolderError", "FileRead", "InputError", "Note",
           "OutputError", "ReadError", "Settings", "SettingsError", "XlfeesError",
           "__version__", "analyze", "category", "excel_round", "load_client",
           "normalize_code", "read_schedule", "write_workbook"]


def __getattr__(name: str) -> Any:
    if name == "__version__":   # a constant, not importlib.metadata (30 ms)
        from ._version import __version__
        return __version__
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'xlfees' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what type checkers and editors see
    __version__: str
    from .analysis import Analysis, analyze
    from .cdt import category, normalize_code
    from .client import Client
    from .notes import Note
    from .errors import ClientFolderError, InputError, OutputError, SettingsError, XlfeesError
    from .client import load_client
    from .money import excel_round
    from .readers import FileRead, ReadError, read_schedule
    from .sources.client_toml import Settings
    from .workbook import write_workbook
