"""Workbooks written from nothing (the batch index, the group roll-up), by XlsxWriter.

The client workbook is the consultant's template filled in place (``xlsx``); these two
have no template, so a writer made for writing lays them out: text always as text
(``write_string``: a name "=cmd" or "@SUM(…)" is never a formula), each formula with
its value, Tables, formats and print setup as Excel writes them. The bytes are the
same for the same content: no creation time is kept (``written.normalised_zip``).
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any
from urllib.parse import quote

import xlsxwriter

from .. import written
from . import xlsx

FONT = "Calibri"   # named: a font without a name prints as a serif in LibreOffice
HEADER_BLUE = "#1F4E79"
LINK_COLOUR = "#0563C1"
# Column widths (in characters) a landscape page holds with its text at 7 pt or more
# (11 pt shrunk to 64 %), as the template's tables print (scripts/build_template.py).
PAGE_CHARACTERS = 190


class Book:
    """An XlsxWriter workbook in memory, its formats made once each, saved atomically."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        # Nothing is guessed from a string: text, numbers, formulas and links are each
        # written by their own call.
        self.book = xlsxwriter.Workbook(self._buffer, {
            "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False})
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def format(self, **properties: Any) -> Any:
        """The one Format with these properties (Calibri unless told otherwise)."""
        properties.setdefault("font_name", FONT)
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(properties)
        return self._formats[key]

    def sheet(self, title: str) -> Any:
        return self.book.add_worksheet(title)

    def save(self, path: Path) -> Path:
        self.book.close()
        return written.write_atomically(path, written.normalised_zip(self._buffer.getvalue()))


def write_value(sheet: Any, row: int, column: int, value: Any, cell_format: Any = None,
                formula: str | None = None) -> None:
    """One cell (0-based ``row`` and ``column``): text as text, a number as a number, a
    formula with its value stored beside it, nothing at all for None or NaN."""
    if formula is not None:
        stored = "" if xlsx.is_blank(value) else value
        sheet.write_formula(row, column, "=" + formula, cell_format, stored)
    elif xlsx.is_blank(value):
        if cell_format is not None:
            sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, column, xlsx.cell_text(value), cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    else:
        sheet.write_number(row, column, value, cell_format)


def write_link(sheet: Any, row: int, column: int, target: str, cell_format: Any,
               shown: str | None = None) -> None:
    """A link relative to the workbook's folder (it sits beside its targets),
    percent-encoded: "50% Family Dental" and "Smith #2 Dental" reach their own files."""
    # "./": XlsxWriter reads a one-letter name ("A") as a drive; it writes the link as
    # Excel does, without the "./".
    sheet.write_url(row, column, "external:./" + quote(target), cell_format,
                    string=xlsx.cell_text(shown if shown is not None else target))


def print_setup(sheet: Any, *, landscape: bool, width: float = 0.0, title_rows: int | None = None,
                area: tuple[int, int, int, int] | None = None) -> None:
    """Printed as a person expects: as many pages wide as keep the text at 7 pt or more
    (the first column repeated on each), as many pages down as it takes, the header row
    (0-based ``title_rows``) on every page."""
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(max(1, math.ceil(width / PAGE_CHARACTERS)), 0)
    if width > PAGE_CHARACTERS:
        sheet.repeat_columns(0, 0)
    if title_rows is not None:
        sheet.repeat_rows(title_rows)
    if area is not None:
        sheet.print_area(*area)
