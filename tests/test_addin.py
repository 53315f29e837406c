"""The built add-in: its ribbon, its VBA callback and the Python dispatch table agree."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from xlfees.excel import ribbon

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "workbook_templates"
ADDIN = TEMPLATES / "xlfees.xlam"
NS = {"ui": "http://schemas.microsoft.com/office/2006/01/customui"}
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


def test_every_button_calls_a_procedure_that_hands_its_id_to_dispatch() -> None:
    """onAction → an existing VBA Sub, which passes control.Id to xlfees.excel.ribbon.dispatch."""
    with zipfile.ZipFile(ADDIN) as archive:
        buttons = _buttons(archive.read("customUI/customUI.xml"))
    modules = _modules(ADDIN)
    assert len(buttons) == 4
    for button in buttons:
        module, procedure = button.get("onAction").split(".")
        body = _procedure(modules[module], procedure)
        assert re.search(r"""RunPython "import xlfees\.excel\.ribbon as r; """
                         r"""r\.dispatch\('" & control\.Id & "'\)\"""", body), body
    assert "Function RunPython" in modules["xlwings"]


def test_every_button_is_handled_and_every_action_has_a_button() -> None:
    """The ribbon's ids and the dispatch table are the same set."""
    with zipfile.ZipFile(ADDIN) as archive:
        ids = {b.get("id") for b in _buttons(archive.read("customUI/customUI.xml"))}
    assert ids == set(ribbon.ACTIONS) == {"FeesImport", "FeesAnalyze", "FeesLetters",
                                          "FeesExportPdf"}
    labels = {b.get("label") for b in _buttons((TEMPLATES / "customUI.xml").read_bytes())}
    assert labels == {"Import schedules", "Analyze", "Letters", "Export PDF"}


def test_addin_is_built_from_the_text_sources() -> None:
    """The add-in holds workbook_templates/customUI.xml and RibbonFees.bas as they are."""
    with zipfile.ZipFile(ADDIN) as archive:
        assert archive.read("customUI/customUI.xml") == (TEMPLATES / "customUI.xml").read_bytes()
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("_rels/.rels").decode()
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    assert 'Target="customUI/customUI.xml"' in rels
    source = [line for line in (TEMPLATES / "RibbonFees.bas").read_text().splitlines()
              if not line.startswith("Attribute ")]
    built = _modules(ADDIN)["RibbonFees"].splitlines()
    assert [line.strip() for line in source if line.strip()] == \
        [line.strip() for line in built if line.strip() and "VBASupport" not in line
         and not line.startswith("Attribute ")]


def test_unknown_button_is_refused() -> None:
    """An id the table does not know is an error, not a silent no-op."""
    with pytest.raises(KeyError, match="no action for ribbon button 'FeesNope'"):
        ribbon.run("FeesNope", book=None)  # type: ignore[arg-type]


def _can_build() -> bool:
    if shutil.which("soffice") is None or not Path(UNO_PYTHON).exists():
        return False
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.usefixtures("needs_libreoffice")
def test_build_script_rebuilds_an_equivalent_addin(tmp_path: Path) -> None:
    """scripts/build_addin.py, run again, gives the same ribbon and the same VBA modules."""
    if not _can_build():
        pytest.skip("LibreOffice's Python (python3-uno) is not installed")
    rebuilt = tmp_path / "xlfees.xlam"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_addin.py"), "-o",
                    str(rebuilt), "--uno-python", UNO_PYTHON], check=True, timeout=600,
                   capture_output=True)
    with zipfile.ZipFile(ADDIN) as shipped, zipfile.ZipFile(rebuilt) as fresh:
        assert shipped.namelist() == fresh.namelist()
        # The ribbon and the package's parts; not the sheets and styles LibreOffice writes,
        # whose default font and widths follow the fonts the machine has (DejaVu Sans, or
        # Calibri once Carlito is installed).
        for name in shipped.namelist():
            if not name.startswith("xl/"):
                assert shipped.read(name) == fresh.read(name), name
    assert _modules(ADDIN) == _modules(rebuilt)


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
