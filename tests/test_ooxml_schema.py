"""Every xlsx xlfees writes is valid as ISO/IEC 29500 defines it: each XML part of the
client workbooks, the template, index.xlsx and a group roll-up validated against the
transitional schemas (data/ooxml, vendored unmodified; README there), after removing what
Markup Compatibility (ECMA-376 Part 3) tells a reader to ignore, as Excel reads it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlfees.cli import cli
from xlfees.workbook import template_path

etree = pytest.importorskip("lxml.etree")   # python-docx's dependency: always installed

SCHEMAS = Path(__file__).parent / "data" / "ooxml"
ROOT = Path(__file__).parent.parent
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML = "http://www.w3.org/XML/1998/namespace"
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "xlsx.xsd")))


def _as_excel_reads(root):
    """The part as a Markup-Compatibility reader sees it (a copy is changed, never a file):
    AlternateContent as its Fallback, ignorable namespaces and mc: attributes gone, and
    xml:space off SpreadsheetML's <t> (a simple type in the schema; Excel writes it)."""
    for choice in list(root.iter(f"{{{MC}}}AlternateContent")):
        parent, place = choice.getparent(), choice.getparent().index(choice)
        fallback = choice.find(f"{{{MC}}}Fallback")
        parent.remove(choice)
        for child in reversed(list(fallback) if fallback is not None else []):
            parent.insert(place, child)
    ignorable = {element.nsmap.get(prefix) for element in root.iter()
                 for prefix in (element.get(f"{{{MC}}}Ignorable") or "").split()}
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if etree.QName(name).namespace in ignorable | {MC}:
                del element.attrib[name]
        if etree.QName(element).namespace in ignorable and element.getparent() is not None:
            element.getparent().remove(element)
    for text in root.iter(f"{{{SML}}}t"):
        text.attrib.pop(f"{{{XML}}}space", None)
    return root


def _invalid(schema, path: Path) -> dict[str, list[str]]:
    """Each XML part that does not validate, with its first errors."""
    wrong = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            root = _as_excel_reads(etree.fromstring(package.read(name)))
            if not schema.validate(root):
                wrong[name] = [error.message for error in list(schema.error_log)[:3]]
    return wrong


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The examples' batch (workbooks, index, group roll-ups), once."""
    out = tmp_path_factory.mktemp("ooxml") / "out"
    result = CliRunner().invoke(cli, ["batch", str(ROOT / "examples"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_schemas_catch_an_invalid_part(schema, tmp_path: Path) -> None:
    """The check can fail: a sheet with a cell outside <row> is refused."""
    root = etree.fromstring(f'<worksheet xmlns="{SML}"><sheetData><c r="A1"/></sheetData>'
                            "</worksheet>".encode())
    assert not schema.validate(root)


def test_the_template_is_valid(schema) -> None:
    """The template xlfees fills, part by part."""
    assert _invalid(schema, template_path()) == {}


def test_every_batch_output_is_valid(schema, written: Path) -> None:
    """Six client workbooks, two group roll-ups and the index: every part valid."""
    books = sorted(written.glob("*.xlsx"))
    assert len(books) == 9   # 6 clients, 2 groups, the index
    assert {book.name: _invalid(schema, book) for book in books} == {
        book.name: {} for book in books}


def test_an_index_of_awkward_folder_names_is_valid(schema, handworked_dir: Path,
                                                   tmp_path: Path) -> None:
    """Folders named with %, &, [ ] and #: the index's links are URIs, so valid."""
    import shutil

    clients = tmp_path / "clients"
    for name in ("50% Family Dental", "A&B [Dental]", "Smith #2 Dental"):
        shutil.copytree(handworked_dir, clients / name)
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert _invalid(schema, tmp_path / "out" / "index.xlsx") == {}


def test_a_workbook_with_every_table_filled_is_valid(schema, tmp_path: Path) -> None:
    """Paid On, the Realized table beside the Changes, and the Worklist filled (the
    contract-check client, its worklist started): every part valid."""
    from test_paid_on import make_client

    client = make_client(tmp_path / "contract-check")
    path = tmp_path / "filled.xlsx"
    result = CliRunner().invoke(cli, ["analyze", str(client), "-o", str(path), "--worklist",
                                      "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert _invalid(schema, path) == {}
