"""A recorded stand-in for the part of xlwings' Book/Sheet/Range API the add-in uses.

Excel cannot run here; this object behaves like it for what the adapter asks:
a grid of cells per sheet, Range values (a formula when a string starts with
"=", text when it starts with "'"), clear_contents, Table.resize, app.alert.
Every call is recorded so tests can check what would have been sent to Excel.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def _parse(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match, ref
    column = 0
    for char in match.group(1):
        column = column * 26 + ord(char) - 64
    return int(match.group(2)), column


class Cell:
    def __init__(self, row: int, column: int) -> None:
        self.row, self.column = row, column


class Range:
    def __init__(self, sheet: "Sheet", first: tuple[int, int], last: tuple[int, int] | None):
        self.sheet, self.first, self.last = sheet, first, last or first

    def options(self, **options: Any) -> "Range":
        self.sheet.book.calls.append(("options", self.sheet.name, options))
        return self

    @property
    def value(self) -> Any:
        (r1, c1), (r2, c2) = self.first, self.last
        return [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1)]

    @value.setter
    def value(self, rows: Any) -> None:
        self.sheet.book.calls.append(("value", self.sheet.name, self.first, rows))
        if not isinstance(rows, list):
            rows = [[rows]]
        r1, c1 = self.first
        for r, line in enumerate(rows):
            for c, value in enumerate(line):
                if isinstance(value, str) and value.startswith("'"):
                    value = value[1:]          # Excel keeps the text, drops the mark
                self.sheet.cells[(r1 + r, c1 + c)] = value

    def clear_contents(self) -> None:
        self.sheet.book.calls.append(("clear_contents", self.sheet.name, self.first, self.last))
        (r1, c1), (r2, c2) = self.first, self.last
        for key in [k for k in self.sheet.cells if r1 <= k[0] <= r2 and c1 <= k[1] <= c2]:
            del self.sheet.cells[key]


class Table:
    def __init__(self, sheet: "Sheet", name: str, ref: str) -> None:
        self.sheet, self.name, self.ref = sheet, name, ref

    def resize(self, target: Range) -> None:
        (r1, c1), (r2, c2) = target.first, target.last
        self.ref = (r1, c1, r2, c2)
        self.sheet.book.calls.append(("resize", self.sheet.name, self.name, self.ref))


class UsedRange:
    def __init__(self, sheet: "Sheet") -> None:
        self.sheet = sheet

    @property
    def last_cell(self) -> Cell:
        keys = [k for k, v in self.sheet.cells.items() if v not in (None, "")] or [(1, 1)]
        return Cell(max(k[0] for k in keys), max(k[1] for k in keys))


class Sheet:
    def __init__(self, book: "Book", name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.tables: dict[str, Table] = {}

    def range(self, first: Any, last: Any = None) -> Range:
        if isinstance(first, str):
            if ":" in first:
                a, b = first.split(":")
                return Range(self, _parse(a), _parse(b))
            return Range(self, _parse(first), None)
        return Range(self, tuple(first), tuple(last) if last else None)

    @property
    def used_range(self) -> UsedRange:
        return UsedRange(self)


class App:
    def __init__(self, book: "Book") -> None:
        self.book = book

    def alert(self, prompt: str, title: str | None = None, **_: Any) -> None:
        self.book.calls.append(("alert", title, prompt))


class Book:
    """Built from a workbook file, as if Excel had opened it."""

    def __init__(self, path: Path) -> None:
        import openpyxl

        self.fullname = str(path)
        self.calls: list[tuple[Any, ...]] = []
        self.app = App(self)
        source = openpyxl.load_workbook(path)
        self.sheets: dict[str, Sheet] = {}
        for worksheet in source:
            sheet = Sheet(self, worksheet.title)
            for row in worksheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        sheet.cells[(cell.row, cell.column)] = cell.value
            for name, ref in worksheet.tables.items():
                sheet.tables[name] = Table(sheet, name, ref)
            self.sheets[worksheet.title] = sheet

    def grid(self, sheet: str) -> dict[tuple[int, int], Any]:
        return {k: v for k, v in self.sheets[sheet].cells.items() if v not in (None, "")}
