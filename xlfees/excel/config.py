"""The add-in's xlwings settings file: which Python runs the ribbon and the functions.

The add-in's xlwings module reads ``%USERPROFILE%\\.xlfees\\xlfees.conf`` (on a Mac
``~/Library/Containers/com.microsoft.Excel/Data/xlfees.conf``), one ``"KEY","value"``
line per setting. ``xlfees addin --configure`` writes the interpreter it runs in there,
so the buttons use the environment xlfees is installed in, not whatever ``python`` is
first on PATH. No xlwings needed: this runs from the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..written import write_atomically

UDF_MODULES = "xlfees.excel.udfs"


def user_config_path(home: Path | None = None, platform: str = sys.platform) -> Path:
    """Where the add-in's xlwings module looks for its user settings."""
    home = home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlfees.conf"
    return home / ".xlfees" / "xlfees.conf"


def interpreter_setting(executable: str = sys.executable,
                        platform: str = sys.platform) -> tuple[str, str]:
    """(key, path): on Windows pythonw.exe beside python.exe when there is one, so no
    console window flashes up at every click."""
    if platform == "darwin":
        return "INTERPRETER_MAC", executable
    windowless = Path(executable).with_name("pythonw.exe")
    return "INTERPRETER_WIN", str(windowless) if windowless.exists() else executable


def write_user_config(executable: str = sys.executable, home: Path | None = None,
                      platform: str = sys.platform) -> Path:
    """Set the interpreter and the UDF module in the user settings file, keeping any other
    line already there; gives the file's path."""
    path = user_config_path(home, platform)
    key, interpreter = interpreter_setting(executable, platform)
    settings = {key: interpreter, "UDF MODULES": UDF_MODULES}
    kept = []
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            name = line.split(",", 1)[0].strip().strip('"').upper()
            if line.strip() and name not in settings:
                kept.append(line)
    lines = kept + [f'"{name}","{value}"' for name, value in settings.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, ("\r\n".join(lines) + "\r\n").encode("utf-8"))
