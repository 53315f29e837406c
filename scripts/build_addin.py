"""Build workbook_templates/xlfees.xlam: the xlwings ribbon add-in with the "Fees" ribbon.

Starts from the add-in `xlwings quickstart NAME --addin --ribbon` creates (its
xlwings VBA module does RunPython), replaces its ribbon with
workbook_templates/customUI.xml and its ribbon module with
workbook_templates/RibbonFees.bas (written into vbaProject.bin by LibreOffice,
see scripts/libreoffice_vba.py), and normalises the package so rebuilding
gives an equivalent add-in: the same parts, ribbon and VBA source (LibreOffice
gives each saved VBA project a random ID, so vbaProject.bin differs in those bytes).

Needs xlwings (pip install "xlfees[excel]") and LibreOffice with python3-uno:

    python scripts/build_addin.py [--uno-python /usr/bin/python3]
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlfees.workbook.xlsx import normalised_zip  # noqa: E402

TEMPLATES = ROOT / "workbook_templates"
ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


def quickstart_addin(folder: Path) -> Path:
    """The ribbon add-in xlwings' quickstart makes."""
    xlwings = Path(sys.executable).with_name("xlwings")
    command = ([str(xlwings)] if xlwings.exists()
               else [sys.executable, "-c", "from xlwings.cli import main; main()"])
    subprocess.run([*command, "quickstart", "xlfees_addin", "--addin", "--ribbon"],
                   cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return folder / "xlfees_addin" / "xlfees_addin.xlam"


def _repack(source: bytes, replace: dict[str, bytes]) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(source))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = archive.namelist()
        for name in names:
            target.writestr(name, replace.get(name, archive.read(name)))
        for name, data in replace.items():
            if name not in names:
                target.writestr(name, data)
    return out.getvalue()


def _with_ribbon(package: bytes) -> bytes:
    """Our customUI.xml, its relationship, and the add-in content type."""
    archive = zipfile.ZipFile(io.BytesIO(package))
    types = archive.read("[Content_Types].xml").replace(MACRO_WORKBOOK.encode(), ADDIN.encode())
    rels = archive.read("_rels/.rels").decode()
    if RIBBON_REL not in rels:
        rels = rels.replace("</Relationships>",
                            f'<Relationship Id="rIdRibbon" Type="{RIBBON_REL}" '
                            'Target="customUI/customUI.xml"/></Relationships>')
    return _repack(package, {"[Content_Types].xml": types, "_rels/.rels": rels.encode(),
                             "customUI/customUI.xml": (TEMPLATES / "customUI.xml").read_bytes()})


def build(output: Path, uno_python: str) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        base = quickstart_addin(folder)
        # LibreOffice opens macro-enabled workbooks, not add-ins: the same package, other type.
        data = base.read_bytes()
        types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
        workbook = folder / "addin.xlsm"
        workbook.write_bytes(_repack(data, {"[Content_Types].xml":
                                            types.replace(ADDIN.encode(),
                                                          MACRO_WORKBOOK.encode())}))
        with_module = folder / "with_module.xlsm"
        subprocess.run([uno_python, str(ROOT / "scripts" / "libreoffice_vba.py"),
                        str(workbook), str(with_module), str(TEMPLATES / "RibbonFees.bas"),
                        "--remove", "RibbonMyAddin"], check=True, timeout=300)
        output.write_bytes(normalised_zip(_with_ribbon(with_module.read_bytes())))
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=TEMPLATES / "xlfees.xlam")
    parser.add_argument("--uno-python", default=shutil.which("python3", path="/usr/bin")
                        or "python3", help="a Python with LibreOffice's uno module")
    args = parser.parse_args()
    print(f"wrote {build(args.output, args.uno_python)}")


if __name__ == "__main__":
    main()
