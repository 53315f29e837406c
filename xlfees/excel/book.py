"""The small workbook adapter the ribbon actions write through.

Two implementations of the same few operations: ``XlwingsBook`` over a live
Excel workbook (xlwings' Book/Sheet/Range API) and ``OpenpyxlBook`` over a
workbook file. The actions never touch either library directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

from ..workbook.xlsx import column_index

Cells = list[list[tuple[Any, "str | None"]]]   # (value, formula) per cell
_FORMULA_LIKE = ("=", "+", "-", "@")


def _split_ref(ref: str) -> tuple[int, int]:
    """"B12" → (12, 2)."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match, ref
    return int(match.group(2)), column_index(match.group(1))


class Book(Protocol):
    """What an action may do to a workbook."""

    def values(self, sheet: str) -> list[list[Any]]:
        """Every value of a sheet from A1, as rows (formulas' results, not their text)."""

    def write(self, sheet: str, row: int, column: int, cells: Cells) -> None:
        """Write cells from (row, column): a formula where given, else the value as data."""

    def clear_from(self, sheet: str, row: int,
                   columns: tuple[int, int] | None = None) -> None:
        """Empty every cell from ``row`` down (formats stay); with ``columns`` (first, last,
        1-based) only those: a sheet may hold two tables side by side."""

    def resize_table(self, sheet: str, table: str, ref: str) -> None:
        """Point an Excel Table at a new range (A3:K40)."""

    def folder(self) -> Path:
        """The folder the workbook lives in."""


class OpenpyxlBook:
    """A workbook file, through openpyxl (tests, and working without Excel)."""

    def __init__(self, path: str | Path) -> None:
        import openpyxl

        self.path = Path(path)
        self.book = openpyxl.load_workbook(self.path)

    def values(self, sheet: str) -> list[list[Any]]:
        return [list(row) for row in self.book[sheet].iter_rows(values_only=True)]

    def write(self, sheet: str, row: int, column: int, cells: Cells) -> None:
        target = self.book[sheet]
        for r, line in enumerate(cells):
            for c, (value, formula) in enumerate(line):
                cell = target.cell(row=row + r, column=column + c)
                if formula is not None:
                    cell.value = formula
                else:
                    cell.value = value
                    if isinstance(value, str):
                        cell.data_type = "s"   # data, even when it starts with "="

    def clear_from(self, sheet: str, row: int,
                   columns: tuple[int, int] | None = None) -> None:
        target = self.book[sheet]
        first, last = columns or (None, None)
        for line in target.iter_rows(min_row=row, min_col=first, max_col=last):
            for cell in line:
                cell.value = None

    def resize_table(self, sheet: str, table: str, ref: str) -> None:
        excel_table = self.book[sheet].tables[table]
        excel_table.ref = ref
        if excel_table.autoFilter is not None:
            excel_table.autoFilter.ref = ref

    def folder(self) -> Path:
        return self.path.parent

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path else self.path
        self.book.save(target)
        return target


class XlwingsBook:
    """A live Excel workbook, through xlwings' Book/Sheet/Range API."""

    def __init__(self, book: Any) -> None:
        self.book = book

    def values(self, sheet: str) -> list[list[Any]]:
        target = self.book.sheets[sheet]
        last = target.used_range.last_cell
        value = target.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [list(row) for row in value]

    def write(self, sheet: str, row: int, column: int, cells: Cells) -> None:
        if not cells:
            return
        rows = []
        for line in cells:
            out = []
            for value, formula in line:
                if formula is not None:
                    out.append(formula)
                elif isinstance(value, str) and value.startswith(_FORMULA_LIKE):
                    out.append("'" + value)    # Excel's mark for "this is text"
                else:
                    out.append(value)
            rows.append(out)
        # Assigning "=…" through .value enters a formula; data was escaped above.
        self.book.sheets[sheet].range((row, column)).value = rows

    def clear_from(self, sheet: str, row: int,
                   columns: tuple[int, int] | None = None) -> None:
        target = self.book.sheets[sheet]
        last = target.used_range.last_cell
        first_column, last_column = columns or (1, last.column)
        if last.row >= row:
            target.range((row, first_column), (last.row, last_column)).clear_contents()

    def resize_table(self, sheet: str, table: str, ref: str) -> None:
        target = self.book.sheets[sheet]
        target.tables[table].resize(target.range(ref))

    def folder(self) -> Path:
        return Path(self.book.fullname).parent
