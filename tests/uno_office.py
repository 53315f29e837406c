"""A headless LibreOffice driven over UNO, for the scripts that need more than a
conversion (reading a VBA project, sorting a range as a user would). Run by the Python
that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with python3-uno)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    made = PropertyValue()
    made.Name, made.Value = name, value
    return made


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def office() -> Iterator[Any]:
    """A running LibreOffice in a throwaway profile: yields its Desktop, then stops it."""
    profile = Path(tempfile.mkdtemp(prefix="xlfees-lo-"))
    port = _free_port()
    process = subprocess.Popen(
        [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}",
         "--headless", "--invisible", "--norestore", "--nologo",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                context = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;"
                                           "StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.25)
        else:
            raise SystemExit("LibreOffice did not start")
        yield context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop",
                                                               context)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def load(desktop: Any, path: Path) -> Any:
    document = desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0,
                                            (prop("Hidden", True), prop("MacroExecutionMode", 0)))
    if document is None:
        raise SystemExit(f"LibreOffice could not open {path}")
    return document
