"""Write a VBA module into a macro-enabled workbook with LibreOffice (UNO). Run with the
Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with python3-uno).

    /usr/bin/python3 scripts/libreoffice_vba.py IN.xlsm OUT.xlsm MODULE.bas [--remove NAME]

LibreOffice keeps a workbook's VBA as Basic libraries; a module inserted there and
registered with insertModuleInfo is written into vbaProject.bin when the file is
saved in the "Calc MS Excel 2007 VBA XML" format.
"""

from __future__ import annotations

import argparse
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
from com.sun.star.script import ModuleInfo  # type: ignore[import-not-found]
from com.sun.star.script.ModuleType import NORMAL  # type: ignore[import-not-found]


def _property(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def basic_source(bas: str) -> str:
    """A .bas export as LibreOffice's Basic IDE holds it: no Attribute lines, VBA mode on."""
    lines = [line for line in bas.splitlines() if not line.startswith("Attribute ")]
    return "Option VBASupport 1\n" + "\n".join(lines).strip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("module", type=Path)
    parser.add_argument("--remove", action="append", default=[])
    args = parser.parse_args()
    name = args.module.stem
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
        project = next(n for n in libraries.getElementNames() if n != "Standard")
        libraries.loadLibrary(project)
        library = libraries.getByName(project)
        for old in [*args.remove, name]:
            if library.hasByName(old):
                library.removeByName(old)
            if library.hasModuleInfo(old):
                library.removeModuleInfo(old)
        library.insertByName(name, basic_source(args.module.read_text(encoding="utf-8")))
        info = ModuleInfo()
        info.ModuleType = NORMAL
        library.insertModuleInfo(name, info)
        document.storeToURL(args.target.resolve().as_uri(),
                            (_property("FilterName", "Calc MS Excel 2007 VBA XML"),))
        document.close(True)
    finally:
        os.killpg(office.pid, signal.SIGKILL)
        office.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
