"""What LibreOffice's VBA import reads from a macro-enabled workbook: the project's
library and its modules, printed as JSON. Run with the Python that has LibreOffice's
`uno` module (Debian: /usr/bin/python3 with python3-uno); tests/test_addin.py uses it
as a second, independent reader of the add-in's vbaProject.bin.

    /usr/bin/python3 tests/libreoffice_vba.py BOOK.xlsm
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from uno_office import load, office


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    args = parser.parse_args()
    with office() as desktop:
        document = load(desktop, args.source)
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


if __name__ == "__main__":
    main()
