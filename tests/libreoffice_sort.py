"""Sort ranges of a workbook in LibreOffice as a user would (Data › Sort), recalculate
everything and save it as xlsx. Run with the Python that has LibreOffice's `uno` module;
tests/test_workbook_sort.py uses it.

    /usr/bin/python3 tests/libreoffice_sort.py IN.xlsx OUT.xlsx "Targets!A4:AE900:18:desc" …

Each sort is SHEET!RANGE:COLUMN:asc|desc, COLUMN counted from 0 within the range.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uno  # type: ignore[import-not-found]  # noqa: F401 - loads the com.sun.star types
from com.sun.star.table import TableSortField  # type: ignore[import-not-found]

from uno_office import load, office, prop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("sorts", nargs="+")
    args = parser.parse_args()
    with office() as desktop:
        document = load(desktop, args.source)
        for sort in args.sorts:
            where, column, order = sort.rsplit(":", 2)
            sheet_name, cells = where.split("!")
            cell_range = document.Sheets.getByName(sheet_name).getCellRangeByName(cells)
            field = TableSortField()
            field.Field = int(column)
            field.IsAscending = order == "asc"
            descriptor = cell_range.createSortDescriptor()
            for item in descriptor:
                if item.Name == "SortFields":
                    item.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
                elif item.Name == "ContainsHeader":
                    item.Value = False
            cell_range.sort(descriptor)
        document.calculateAll()
        document.storeToURL(args.target.resolve().as_uri(),
                            (prop("FilterName", "Calc MS Excel 2007 XML"),))
        document.close(True)


if __name__ == "__main__":
    main()
