"""A person's edits read back from a workbook xlfees wrote: one Table's rows by header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import XlfeesError
from .spec import TableSpec


class WorkbookReadError(XlfeesError):
    """A workbook whose table cannot be read: which file, sheet and row, and the fix."""


def table_rows(path: str | Path, table: TableSpec,
               headers: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(row number, values by header) of each row under ``table``'s header on its sheet,
    reading the ``headers`` columns (each must be there, wherever a person moved it)."""
    import zipfile

    import openpyxl

    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise WorkbookReadError(f"{path}: cannot be read as an xlsx workbook ({error}): give "
                                "the workbook xlfees wrote") from None
    try:
        if table.sheet not in book.sheetnames:
            raise WorkbookReadError(f"{path}: has no {table.sheet} sheet: give the workbook "
                                    "xlfees wrote for this client")
        rows = book[table.sheet].iter_rows(min_row=table.header_row, values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        missing = [h for h in headers if h not in header]
        if missing:
            raise WorkbookReadError(f"{path}: {table.sheet} row {table.header_row}: the columns "
                                    f"{', '.join(missing)} are missing: keep the headers "
                                    "xlfees wrote")
        at = {h: header.index(h) for h in headers}
        return [(number, {h: row[i] if i < len(row) else None for h, i in at.items()})
                for number, row in enumerate(rows, start=table.header_row + 1)]
    finally:
        book.close()
