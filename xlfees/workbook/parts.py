"""A template's parts read as XML (ElementTree), whoever saved them.

Excel, LibreOffice and the Open XML SDK write the same elements with their attributes in
other orders, other namespace prefixes and other quotes: what the filler looks up (sheets,
relationships, defined names, tables and their columns) is read through a parser, never
matched as text. Writing stays string splicing (sheet data, a few attribute values), so
every byte the filler does not change stays as the template had it.

Every part is checked here before it is parsed (well-formed, no document type), whatever
its name says: no entity is ever expanded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"


def well_formed(data: bytes) -> bool:
    """XML a parser reads to its end, with no document type (no entity expansion)."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise ValueError("a document type")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except (xml.parsers.expat.ExpatError, ValueError):
        return False
    return True


def _root(xml: str) -> ElementTree.Element:
    """The part's root element; a part with a document type (entities) or that is not
    well-formed is refused here, whatever its name, before ElementTree reads it."""
    data = xml.encode("utf-8")
    if not well_formed(data):
        raise ValueError("a part is not well-formed XML without a document type")
    return ElementTree.fromstring(data)


@dataclass(frozen=True)
class SheetEntry:
    """A ``<sheet>`` of workbook.xml: its name and the relationship to its part."""

    name: str
    relationship: str


def sheets(workbook_xml: str) -> list[SheetEntry]:
    """The workbook's sheets, in tab order."""
    return [SheetEntry(sheet.get("name", ""), sheet.get(f"{{{RELATIONSHIPS}}}id", ""))
            for sheet in _root(workbook_xml).iter(f"{{{MAIN}}}sheet")]


def defined_names(workbook_xml: str) -> dict[str, str]:
    """Workbook-level defined names → what each refers to (names local to one sheet, such
    as a print area, are not the filler's)."""
    return {name.get("name", ""): name.text or ""
            for name in _root(workbook_xml).iter(f"{{{MAIN}}}definedName")
            if name.get("localSheetId") is None}


@dataclass(frozen=True)
class Relationship:
    """One ``<Relationship>`` of a .rels part."""

    id: str
    target: str
    external: bool


def relationships(rels_xml: str) -> list[Relationship]:
    return [Relationship(rel.get("Id", ""), rel.get("Target", ""),
                         rel.get("TargetMode") == "External")
            for rel in _root(rels_xml).iter(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship")]


def table_name(table_xml: str) -> str:
    """A table part's displayName (what formulas call it)."""
    return _root(table_xml).get("displayName", "")


def table_columns(table_xml: str) -> list[str]:
    """A table part's column names, in order."""
    return [column.get("name", "")
            for column in _root(table_xml).iter(f"{{{MAIN}}}tableColumn")]


# Attributes may hold ">" inside their quotes: matched quote by quote.
_DEFINED_NAME = re.compile(r"""<((?:\w+:)?)definedName\b((?:[^>"']|"[^"]*"|'[^']*')*)>"""
                           r"([^<]*)</(?:\w+:)?definedName>")
_ATTRIBUTE = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def set_defined_names(workbook_xml: str, refs: dict[str, str]) -> str:
    """Workbook-level defined names given new references (escaped text), their
    attributes whatever their order; every other byte as it was."""
    done: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        attributes = {found.group(1): found.group(2) if found.group(2) is not None
                      else found.group(3) for found in _ATTRIBUTE.finditer(match.group(2))}
        name = attributes.get("name")
        if name not in refs or "localSheetId" in attributes:
            return match.group(0)
        done.add(name)
        prefix = match.group(1)
        return f"<{prefix}definedName{match.group(2)}>{refs[name]}</{prefix}definedName>"
    result = _DEFINED_NAME.sub(replace, workbook_xml)
    missing = sorted(set(refs) - done)
    if missing:   # written some other way (an empty element): never left at the old size
        raise ValueError("defined names not rewritten: " + ", ".join(missing))
    return result
