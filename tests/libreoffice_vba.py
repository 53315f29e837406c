"""What LibreOffice's VBA import reads from a macro-enabled workbook: the project's
library and its modules, printed as JSON. Run with the Python that has LibreOffice's
`uno` module (Debian: /usr/bin/python3 with python3-uno); tests/test_addin.py uses it
as a second, independent reader of the add-in's vbaProject.bin.

    /usr/bin/python3 tests/libreoffice_vba.py BOOK.xlsm
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _property(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    args = parser.parse_args()
    profile = Path(tempfile.mkdtemp(prefix="xlfees-lo-"))
    port = _free_port()
    office = subprocess.Popen(
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
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(
            args.source.resolve().as_uri(), "_blank", 0,
            (_property("Hidden", True), _property("MacroExecutionMode", 0)))
        if document is None:
            raise SystemExit(f"LibreOffice could not open {args.source}")
        libraries = document.BasicLibraries
        projects = [n for n in libraries.getElementNames() if n != "Standard"]
        found: dict[str, object] = {"libraries": projects, "modules": {}}
        for project in projects:
            libraries.loadLibrary(project)
            library = libraries.getByName(project)
            for module in library.getElementNames():
                info = library.getModuleInfo(module) if library.hasModuleInfo(module) else None
                found["modules"][module] = {  # type: ignore[index]
                    "type": info.ModuleType if info is not None else None,
                    "source": library.getByName(module)}
        document.close(True)
        print(json.dumps(found))
    finally:
        os.killpg(office.pid, signal.SIGKILL)
        office.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
