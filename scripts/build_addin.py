"""Build workbook_templates/xlfees.xlam: the xlwings ribbon add-in with the "Fees" ribbon.

Starts from the add-in xlwings ships for `xlwings quickstart NAME --addin --ribbon`
(a package Excel wrote: its theme, its hidden config sheet, the code names that link
ThisWorkbook and the sheet to their VBA modules), and:

- writes a new vbaProject.bin (scripts/vba_project.py, by MS-OVBA and MS-CFB) holding
  xlwings' own modules unchanged (the `xlwings` module that does RunPython, with its
  project name set to xlfees as the quickstart instructions say; the `Dictionary`
  class it uses; ThisWorkbook and the config sheet's document modules) and
  workbook_templates/RibbonFees.bas, the one callback every button calls, in place of
  the quickstart's RibbonMyAddin;
- names the project, the config sheet (`_xlfees.conf`) and the ribbon for xlfees;
- replaces the ribbon with workbook_templates/customUI.xml as the Office 2010 pair
  Microsoft documents: part customUI/customUI14.xml, namespace
  http://schemas.microsoft.com/office/2009/07/customui, relationship type
  http://schemas.microsoft.com/office/2007/relationships/ui/extensibility;
- drops the quickstart author's name and folder from the package.

No Excel or LibreOffice involved; the same xlwings version gives the same bytes. The
xlwings module calls the xlwings DLL of its own version, so the add-in needs exactly
that xlwings in Python: pyproject.toml pins it (a test checks the two agree).

    python scripts/build_addin.py [-o workbook_templates/xlfees.xlam]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from vba_project import Module, vba_project  # noqa: E402

from xlfees.written import normalised_zip  # noqa: E402

TEMPLATES = ROOT / "workbook_templates"
PROJECT = "xlfees"
# The VBA project's identifier (fixed, so every build is the same project to Excel).
PROJECT_ID = "{6C0F5E2A-3B1D-4C7E-9A52-0D8E4F1B7A63}"
CONFIG_SHEET = "_xlfees.conf"          # rename to xlfees.conf to make it active
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
OLD_RIBBON_RELS = ("http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
                   "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility")
QUICKSTART_CONFIG_SHEET = "_myaddin.conf"
QUICKSTART_PROJECT_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'
# The quickstart's modules carried over, in the order its project lists them.
CARRIED = (("ThisWorkbook", "document"), ("Dictionary", "class"), ("Sheet2", "document"),
           ("xlwings", "procedural"))


def quickstart_addin() -> Path:
    """The ribbon add-in inside the installed xlwings package."""
    import xlwings

    return Path(xlwings.__file__).with_name("quickstart_addin_ribbon.xlam")


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def module_sources(vba_project_bin: bytes) -> dict[str, str]:
    """Each module's source, as Excel stored it, read with oletools (MS-OVBA decompression)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser("vbaProject.bin", data=vba_project_bin)
    try:
        return {name.rsplit(".", 1)[0]: code
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def modules(quickstart: zipfile.ZipFile) -> list[Module]:
    sources = module_sources(quickstart.read("xl/vbaProject.bin"))
    carried = []
    for name, kind in CARRIED:
        source = sources[name]
        if name == "xlwings":
            if source.count(QUICKSTART_PROJECT_LINE) != 1:
                raise SystemExit("xlwings' add-in module no longer sets PROJECT_NAME as "
                                 "this script expects: look at it before building")
            source = source.replace(QUICKSTART_PROJECT_LINE,
                                    QUICKSTART_PROJECT_LINE.replace("myaddin", PROJECT))
        carried.append(Module(name, kind, source))
    ribbon = (TEMPLATES / "RibbonFees.bas").read_text(encoding="utf-8")
    return [*carried, Module("RibbonFees", "procedural", ribbon)]


def _ribbon_xml() -> bytes:
    xml = (TEMPLATES / "customUI.xml").read_text(encoding="utf-8")
    if f'xmlns="{RIBBON_NAMESPACE}"' not in xml:
        raise SystemExit(f"workbook_templates/customUI.xml must use {RIBBON_NAMESPACE}")
    return xml.encode("utf-8")


def parts(quickstart: zipfile.ZipFile) -> dict[str, bytes]:
    """The add-in's package parts: the quickstart's, renamed and re-ribboned."""
    out: dict[str, bytes] = {}
    for name in quickstart.namelist():
        if name.startswith("customUI/"):
            continue
        data = quickstart.read(name)
        if name == "_rels/.rels":
            text = data.decode("utf-8")
            text = re.sub(r'<Relationship [^>]*Type="(?:%s)"[^>]*/>'
                          % "|".join(map(re.escape, OLD_RIBBON_RELS)), "", text)
            text = text.replace("</Relationships>",
                                f'<Relationship Id="rIdRibbon" Type="{RIBBON_REL}" '
                                f'Target="{RIBBON_PART}" /></Relationships>')
            data = text.encode("utf-8")
        elif name == "xl/workbook.xml":
            text = data.decode("utf-8").replace(f'name="{QUICKSTART_CONFIG_SHEET}"',
                                                f'name="{CONFIG_SHEET}"')
            # The folder the quickstart was saved in on its author's machine.
            text = re.sub(r"<mc:AlternateContent\b.*?</mc:AlternateContent>", "", text,
                          flags=re.DOTALL)
            data = text.encode("utf-8")
        elif name == "docProps/core.xml":
            text = data.decode("utf-8")
            text = re.sub(r"<dc:creator>[^<]*</dc:creator>", "<dc:creator>xlfees</dc:creator>",
                          text)
            text = re.sub(r"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>",
                          "<cp:lastModifiedBy>xlfees</cp:lastModifiedBy>", text)
            data = text.encode("utf-8")
        elif name == "xl/vbaProject.bin":
            data = vba_project(PROJECT, PROJECT_ID, modules(quickstart))
        out[name] = data
    out[RIBBON_PART] = _ribbon_xml()
    return out


def build(output: Path) -> Path:
    with zipfile.ZipFile(quickstart_addin()) as quickstart:
        package = parts(quickstart)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in package.items():
            archive.writestr(name, data)
    output.write_bytes(normalised_zip(buffer.getvalue()))
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=TEMPLATES / "xlfees.xlam")
    args = parser.parse_args()
    print(f"wrote {build(args.output)} (xlwings {xlwings_version()})")


if __name__ == "__main__":
    main()
