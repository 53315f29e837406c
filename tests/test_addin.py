"""The built add-in: a VBA project Excel loads (MS-OVBA, read back with olefile, oletools
and LibreOffice), its ribbon, its VBA callback and the Python dispatch table agree."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from libreoffice import unavailable
from xlfees.excel import ribbon

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "workbook_templates"
ADDIN = TEMPLATES / "xlfees.xlam"
RIBBON_PART = "customUI/customUI14.xml"
NS = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}
UNO_PYTHON = "/usr/bin/python3"


def _buttons(custom_ui: bytes) -> list[ElementTree.Element]:
    return ElementTree.fromstring(custom_ui).findall(".//ui:button", NS)


def _modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _procedure(code: str, name: str) -> str:
    match = re.search(rf"^Sub {name}\(control As IRibbonControl\)\s*$(.*?)^End Sub",
                      code, re.MULTILINE | re.DOTALL)
    assert match, f"no Sub {name}(control As IRibbonControl)"
    return match.group(1)


def _vba_project() -> olefile.OleFileIO:
    with zipfile.ZipFile(ADDIN) as archive:
        return olefile.OleFileIO(archive.read("xl/vbaProject.bin"))


def _dir_modules(ole: olefile.OleFileIO) -> list[tuple[str, str, int, int]]:
    """(name, stream name, type record id, text offset) of each module in VBA/dir,
    walked record by record as MS-OVBA 2.3.4.2 lays them out."""
    data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    modules, position, current = [], 0, {}
    while position < len(data):
        record, size = struct.unpack_from("<HI", data, position)
        if record == 0x0009:      # PROJECTVERSION: its size field is a reserved 4, then 6 bytes
            position += 6 + 6
            continue
        value = data[position + 6:position + 6 + size]
        position += 6 + size
        if record == 0x0019:
            current = {"name": value.decode("cp1252")}
        elif record == 0x001A:
            current["stream"] = value.decode("cp1252")
        elif record == 0x0031:
            current["offset"] = struct.unpack("<I", value)[0]
        elif record in (0x0021, 0x0022):
            current["type"] = record
        elif record == 0x002B:
            modules.append((current["name"], current["stream"], current["type"],
                            current["offset"]))
        elif record == 0x0010:
            break
    return modules


def _project_modules(ole: olefile.OleFileIO) -> dict[str, str]:
    """Module name → Document/Class/Module, as the PROJECT stream lists them."""
    text = ole.openstream("PROJECT").read().decode("cp1252")
    found = {}
    for line in text.split("\r\n"):
        if line.startswith("["):
            break
        key, _, value = line.partition("=")
        if key in ("Document", "Class", "Module"):
            found[value.split("/")[0]] = key
    return found


def test_project_and_dir_streams_list_the_same_modules() -> None:
    """MS-OVBA: PROJECT names exactly the modules VBA/dir has, each with a source stream."""
    ole = _vba_project()
    listed = _project_modules(ole)
    modules = _dir_modules(ole)
    assert {name for name, *_ in modules} == set(listed) == {
        "ThisWorkbook", "Sheet2", "Dictionary", "xlwings", "RibbonFees"}
    kinds = {"Document": 0x0022, "Class": 0x0022, "Module": 0x0021}
    for name, stream, record, _ in modules:
        assert stream == name and ole.exists(f"VBA/{stream}")
        assert record == kinds[listed[name]], name
    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="xlfees"' in text
    # Source only: _VBA_PROJECT version 0xFFFF tells Excel to compile from the source.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000000")


def test_every_module_decompresses_to_vba_source() -> None:
    """Each module stream holds compressed VBA source: no LibreOffice Basic, its name first."""
    ole = _vba_project()
    for name, stream, _, offset in _dir_modules(ole):
        raw = ole.openstream(f"VBA/{stream}").read()
        source = bytes(decompress_stream(bytearray(raw[offset:]))).decode("cp1252")
        assert source.startswith(f'Attribute VB_Name = "{name}"\r\n'), name
        assert "Option ClassModule" not in source and "VBASupport" not in source, name
        assert "\n" not in source.replace("\r\n", ""), name       # CRLF lines, as VBA has them
    dictionary = _modules(ADDIN)["Dictionary"]
    # The class keeps its attributes, the default member on Item among them.
    assert "Attribute Item.VB_UserMemId = 0" in dictionary


def test_protection_fields_decode_to_an_open_project() -> None:
    """CMG, DPB and GC decode (MS-OVBA 2.4.3.3) to: not protected, no password, visible."""
    text = _vba_project().openstream("PROJECT").read().decode("cp1252")
    fields = dict(re.findall(r'^(ID|CMG|DPB|GC)="([^"]*)"', text, re.MULTILINE))

    def decrypt(value: str) -> bytes:
        data = bytes.fromhex(value)
        seed, version_enc, key_enc = data[:3]
        assert seed ^ version_enc == 2
        key = seed ^ key_enc
        assert key == sum(fields["ID"].encode("ascii")) & 0xFF
        unencrypted, encrypted_1, encrypted_2 = key, key_enc, version_enc
        plain = bytearray()
        for byte in data[3:]:
            decoded = byte ^ ((encrypted_2 + unencrypted) & 0xFF)
            plain.append(decoded)
            encrypted_2, encrypted_1, unencrypted = encrypted_1, byte, decoded
        plain = plain[(seed & 6) // 2:]
        length = struct.unpack_from("<I", plain)[0]
        assert length == len(plain) - 4
        return bytes(plain[4:])
    assert decrypt(fields["CMG"]) == bytes(4)
    assert decrypt(fields["DPB"]) == b"\x00"
    assert decrypt(fields["GC"]) == b"\xff"


def test_every_button_calls_a_procedure_that_hands_its_id_to_dispatch() -> None:
    """onAction → an existing VBA Sub, which passes control.Id to xlfees.excel.ribbon.dispatch."""
    with zipfile.ZipFile(ADDIN) as archive:
        buttons = _buttons(archive.read(RIBBON_PART))
    modules = _modules(ADDIN)
    assert len(buttons) == 4
    for button in buttons:
        module, procedure = button.get("onAction").split(".")
        body = _procedure(modules[module], procedure)
        assert re.search(r"""RunPython "import xlfees\.excel\.ribbon as r; """
                         r"""r\.dispatch\('" & control\.Id & "'\)\"""", body), body
    assert "Function RunPython" in modules["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "xlfees"' in modules["xlwings"]


def test_every_button_is_handled_and_every_action_has_a_button() -> None:
    """The ribbon's ids and the dispatch table are the same set."""
    with zipfile.ZipFile(ADDIN) as archive:
        ids = {b.get("id") for b in _buttons(archive.read(RIBBON_PART))}
    assert ids == set(ribbon.ACTIONS) == {"FeesImport", "FeesAnalyze", "FeesLetters",
                                          "FeesExportPdf"}
    labels = {b.get("label") for b in _buttons((TEMPLATES / "customUI.xml").read_bytes())}
    assert labels == {"Import schedules", "Analyze", "Letters", "Export PDF"}


def test_ribbon_part_and_relationship_pair_as_microsoft_documents() -> None:
    """Office 2010's pair: customUI14.xml, the 2009/07 namespace, the 2007 relationship."""
    with zipfile.ZipFile(ADDIN) as archive:
        assert archive.read(RIBBON_PART) == (TEMPLATES / "customUI.xml").read_bytes()
        assert "customUI/customUI.xml" not in archive.namelist()
        types = archive.read("[Content_Types].xml").decode()
        rels = ElementTree.fromstring(archive.read("_rels/.rels"))
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    ribbon_rels = [r for r in rels if "ui/extensibility" in r.get("Type")]
    assert [(r.get("Type"), r.get("Target")) for r in ribbon_rels] == [
        ("http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
         RIBBON_PART)]


def test_no_quickstart_placeholder_is_left() -> None:
    """No "MyAddin" or "_myaddin" in any part, the VBA source included; names say xlfees."""
    with zipfile.ZipFile(ADDIN) as archive:
        for name in archive.namelist():
            if name != "xl/vbaProject.bin":
                text = archive.read(name).decode("utf-8").lower()
                assert "myaddin" not in text and "felix" not in text, name
        workbook = archive.read("xl/workbook.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    for name, code in _modules(ADDIN).items():
        assert "myaddin" not in code.lower(), name
    assert '<sheet name="_xlfees.conf"' in workbook
    # The document modules keep their code names (ThisWorkbook, the config sheet).
    assert 'codeName="ThisWorkbook"' in workbook and '<sheetPr codeName="Sheet2"' in sheet


def test_addin_is_built_from_the_text_sources() -> None:
    """RibbonFees.bas is in the add-in as written (CRLF lines, as VBA stores them)."""
    source = (TEMPLATES / "RibbonFees.bas").read_text().splitlines()
    assert _modules(ADDIN)["RibbonFees"].splitlines() == source


def test_xlwings_pin_is_the_version_of_the_vba_module() -> None:
    """The add-in's xlwings module calls the xlwings DLL of its own version: pyproject pins it."""
    version = re.search(r"^'Version: (\S+)", _modules(ADDIN)["xlwings"], re.MULTILINE).group(1)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["optional-dependencies"]["excel"] == [f"xlwings=={version}"]


@pytest.mark.usefixtures("needs_libreoffice")
def test_libreoffice_reads_the_same_project(tmp_path: Path) -> None:
    """A second reader, LibreOffice's VBA import: library xlfees, the five modules, their kinds."""
    if not _can_run_uno():
        unavailable("LibreOffice's Python (python3-uno) is not installed")
    book = tmp_path / "addin.xlsm"   # LibreOffice opens it as a macro-enabled workbook
    with zipfile.ZipFile(ADDIN) as source, zipfile.ZipFile(book, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            target.writestr(name, data)
    result = subprocess.run([UNO_PYTHON, str(ROOT / "tests" / "libreoffice_vba.py"), str(book)],
                            check=True, capture_output=True, text=True, timeout=300)
    found = json.loads(result.stdout)
    assert found["libraries"] == ["xlfees"]
    # com.sun.star.script.ModuleType: 1 normal, 2 class, 4 document
    assert {name: module["type"] for name, module in found["modules"].items()} == {
        "ThisWorkbook": 4, "Sheet2": 4, "Dictionary": 2, "xlwings": 1, "RibbonFees": 1}
    assert "r.dispatch(" in found["modules"]["RibbonFees"]["source"]


def test_unknown_button_is_refused() -> None:
    """An id the table does not know is an error, not a silent no-op."""
    with pytest.raises(KeyError, match="no action for ribbon button 'FeesNope'"):
        ribbon.run("FeesNope", book=None)  # type: ignore[arg-type]


def _can_run_uno() -> bool:
    if shutil.which("soffice") is None or not Path(UNO_PYTHON).exists():
        return False
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


def test_build_script_rebuilds_the_same_addin(tmp_path: Path) -> None:
    """scripts/build_addin.py, run again with the pinned xlwings, gives the same bytes."""
    rebuilt = tmp_path / "xlfees.xlam"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_addin.py"), "-o",
                    str(rebuilt)], check=True, timeout=300, capture_output=True)
    assert rebuilt.read_bytes() == ADDIN.read_bytes()


def test_cli_writes_the_packaged_addin(tmp_path: Path) -> None:
    """`xlfees addin -o PATH` writes the add-in that ships in the package."""
    from click.testing import CliRunner

    from xlfees.cli import cli
    out = tmp_path / "xlfees.xlam"
    result = CliRunner().invoke(cli, ["addin", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes() == ADDIN.read_bytes()


def test_lite_scripts_run_the_ribbon_actions(tmp_path: Path) -> None:
    """The xlwings Lite scripts are the ribbon's actions on the book Lite passes."""
    import xlwings_standin
    from xlfees.excel import lite
    from xlfees.workbook import template_path

    path = tmp_path / "lite.xlsx"
    shutil.copy(template_path(), path)
    book = xlwings_standin.Book(path)
    book.sheets["Settings"].cells[(12, 2)] = str(ROOT / "examples" / "smile-studio")
    lite.fees_import(book)
    lite.fees_analyze(book)
    assert book.sheets["Targets"].cells[(4, 4)] == "MetLife (PDP Plus)"   # rank 1
    assert book.sheets["Summary"].cells[(3, 2)] == "Smile Studio Family Dentistry"


def test_configure_points_the_addin_at_this_python(tmp_path: Path) -> None:
    """--configure writes pythonw.exe beside python.exe and the UDF module; other keys stay."""
    from xlfees.excel.config import user_config_path, write_user_config

    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").write_bytes(b"")
    (scripts / "pythonw.exe").write_bytes(b"")
    path = user_config_path(tmp_path, "win32")
    assert path == tmp_path / ".xlfees" / "xlfees.conf"
    path.parent.mkdir()
    path.write_text('"SHOW CONSOLE","True"\r\n"INTERPRETER_WIN","C:\\old\\python.exe"\r\n')
    write_user_config(str(scripts / "python.exe"), tmp_path, "win32")
    assert path.read_bytes().decode().split("\r\n") == [
        '"SHOW CONSOLE","True"', f'"INTERPRETER_WIN","{scripts / "pythonw.exe"}"',
        '"UDF MODULES","xlfees.excel.udfs"', ""]


def test_cli_addin_needs_an_output_or_configure() -> None:
    """`xlfees addin` alone says what to give."""
    from click.testing import CliRunner

    from xlfees.cli import cli
    result = CliRunner().invoke(cli, ["addin"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == \
        "Error: give -o PATH for the add-in, --configure, or both"


def test_engine_and_lite_scripts_import_without_native_readers(tmp_path: Path) -> None:
    """In a clean interpreter with calamine, pdfium, pdfminer and reportlab (and openpyxl, click)
    blocked, as in xlwings Lite's Pyodide, the engine, functions and scripts import and run."""
    script = tmp_path / "lite.py"
    script.write_text(
        "import importlib.abc, sys\n"
        "BLOCKED = {'python_calamine', 'pdfplumber', 'pypdfium2', 'pdfminer', 'reportlab',"
        " 'openpyxl',"
        " 'click'}\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in BLOCKED:\n"
        "            raise ImportError(name + ' is not in Pyodide')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import pandas as pd\n"
        "import xlfees.excel.lite, xlfees.excel.udfs\n"
        "from xlfees import Client, analyze\n"
        "office = pd.DataFrame({'code': ['D0120'], 'description': ['Exam'],"
        " 'office_fee': [60.0]})\n"
        "schedules = pd.DataFrame({'payer': ['A', 'B'], 'network': ['', ''],"
        " 'code': ['D0120', 'D0120'], 'allowed': [40.0, 50.0]})\n"
        "targets = analyze(Client.from_frames('Lite', office, schedules)).targets\n"
        "print(list(targets['benchmark']))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED))\n")
    result = subprocess.run([sys.executable, "-I", str(script)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[50.0, 40.0]", "[]"]


def test_lite_installs_without_the_native_readers() -> None:
    """On Pyodide (emscripten) the package needs neither calamine, pdfium, pdfminer nor
    reportlab."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pyodide = {"sys_platform": "emscripten", "platform_system": "Emscripten",
               "python_version": "3.12", "implementation_name": "cpython"}
    needed = {Requirement(r).name for r in project["dependencies"]
              if Requirement(r).marker is None or Requirement(r).marker.evaluate(pyodide)}
    # XlsxWriter is pure Python (a wheel for every platform), as are the others
    assert needed == {"pandas", "numpy", "openpyxl", "XlsxWriter", "python-docx", "click"}
    assert {Requirement(r).name for r in project["dependencies"]} >= {
        "python-calamine", "pypdfium2", "pdfminer.six", "reportlab"}
