"""Sorting or filtering any table with its header buttons changes no figure elsewhere.

Each table's rows are reordered (reversed, and sorted by another column) or one is
hidden as a filter would, LibreOffice recalculates, and every formula outside that
table must still hold the value the engine stored, to the cent.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import get_column_letter, range_boundaries

from libreoffice import formula_cells, recalculate_many, same, unavailable, values
from xlfees import analyze, load_client, write_workbook
from xlfees.workbook import spec

ROOT = Path(__file__).resolve().parent.parent
TABLES = [spec.OFFICE_FEES, spec.SCHEDULES, spec.VOLUME, spec.TARGETS, spec.ALT_BENEFITS,
          spec.PAYERS, spec.PAYMENTS, spec.UNDERPAYMENTS, spec.DENIALS]
MODES = ("reversed", "sorted by its second column", "a row hidden")
ORDER_FLAGS = {(spec.PEERS_SHEET, cell.ref) for cell in spec.PEERS_CELLS
               if cell.name.endswith("Order")}


def _variant(source: Path, target: Path, table: spec.TableSpec, mode: str) -> tuple[int, int]:
    """Write ``target``: ``source`` with ``table``'s rows reordered or one hidden; give the
    first and last data rows."""
    book = openpyxl.load_workbook(source)
    sheet = book[table.sheet]
    min_col, min_row, max_col, max_row = range_boundaries(sheet.tables[table.name].ref)
    first = min_row + 1
    rows = [[(r, sheet.cell(row=r, column=c).value) for c in range(min_col, max_col + 1)]
            for r in range(first, max_row + 1)]
    if mode == "a row hidden":
        sheet.row_dimensions[first + len(rows) // 2].hidden = True
    else:
        if mode == "reversed":
            rows = rows[::-1]
        else:
            rows = sorted(rows, key=lambda row: (str(row[1][1]), str(row[0][1])), reverse=True)
        for offset, row in enumerate(rows):
            for column, (was, value) in enumerate(row, start=min_col):
                ref = sheet.cell(row=first + offset, column=column).coordinate
                if isinstance(value, str) and value.startswith("="):
                    # As a sort does: a moved formula's relative references move with it.
                    value = Translator(value, f"{get_column_letter(column)}{was}"
                                       ).translate_formula(ref)
                sheet.cell(row=first + offset, column=column).value = value
    book.save(target)
    return first, max_row


@pytest.mark.usefixtures("needs_libreoffice")
def test_sorting_or_filtering_any_table_changes_nothing_elsewhere(tmp_path: Path) -> None:
    """Reverse, sort by another column, or hide a row of each table: all else is unchanged."""
    original = write_workbook(analyze(load_client(ROOT / "examples" / "smile-studio")),
                              tmp_path / "original.xlsx")
    stored = formula_cells(original)
    variants = {}
    for table in TABLES:
        for number, mode in enumerate(MODES):
            path = tmp_path / f"{table.name}-{number}.xlsx"
            variants[path] = (table, mode, _variant(original, path, table, mode))
    recalculated = recalculate_many(list(variants), tmp_path)
    checked = 0
    for path, result in zip(variants, recalculated):
        table, mode, (first, last) = variants[path]
        _, _, max_col, _ = range_boundaries(
            openpyxl.load_workbook(original)[table.sheet].tables[table.name].ref)
        got = values(result)
        wrong = {}
        for (sheet, ref), (formula, value) in stored.items():
            if (sheet, ref) in ORDER_FLAGS:
                continue   # whether a table is still in written order: meant to change
            cell = got[sheet][ref]
            if sheet == table.sheet and first <= cell.row <= last and cell.column <= max_col:
                continue   # inside the reordered table the figures moved with their rows
            checked += 1
            if not same(value, cell.value):
                wrong[(sheet, ref)] = (formula, value, cell.value)
        assert wrong == {}, f"{table.name} {mode}: {len(wrong)} figures changed"
    assert checked > 1000


UNO_PYTHON = "/usr/bin/python3"


def _uno_ready() -> bool:
    import subprocess
    if not Path(UNO_PYTHON).exists():
        return False
    return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


@pytest.mark.usefixtures("needs_libreoffice")
@pytest.mark.parametrize("table, column, order", [
    (spec.TARGETS, "Priority", "asc"), (spec.TARGETS, "Payer", "desc"),
    (spec.PAYMENTS, "Code", "asc"), (spec.SCHEDULES, "Allowed", "desc"),
])
def test_a_sort_in_libreoffice_changes_nothing_elsewhere(tmp_path: Path, table: spec.TableSpec,
                                                         column: str, order: str) -> None:
    """Sorted by LibreOffice itself (Data › Sort, over UNO), then recalculated: every
    figure outside the table is what the engine stored, to the cent."""
    import subprocess

    if not _uno_ready():
        unavailable("LibreOffice's Python (python3-uno) is not installed")
    original = write_workbook(analyze(load_client(ROOT / "examples" / "smile-studio")),
                              tmp_path / "original.xlsx")
    stored = formula_cells(original)
    min_col, min_row, max_col, max_row = range_boundaries(
        openpyxl.load_workbook(original)[table.sheet].tables[table.name].ref)
    cells = (f"{get_column_letter(min_col)}{min_row + 1}:"
             f"{get_column_letter(max_col)}{max_row}")
    sorted_book = tmp_path / "sorted.xlsx"
    command = [UNO_PYTHON, str(ROOT / "tests" / "libreoffice_sort.py"), str(original),
               str(sorted_book), f"{table.sheet}!{cells}:{table.index(column)}:{order}"]
    done = subprocess.run(command, capture_output=True, timeout=300)
    if done.returncode < 0:
        # LibreOffice itself crashed (a signal, seen once in ~40 CI sorts): the sort is
        # run again once; its own error, or a second crash, still fails the test.
        done = subprocess.run(command, capture_output=True, timeout=300)
    done.check_returncode()
    got = values(sorted_book)

    def column_values(book: openpyxl.Workbook) -> list:
        return [book[table.sheet].cell(row=r, column=min_col + table.index(column)).value
                for r in range(min_row + 1, max_row + 1)]
    moved = column_values(got)
    # The table really was sorted, and that moved its rows.
    assert moved == sorted(moved, reverse=order == "desc")
    assert moved != column_values(values(original))
    wrong = {}
    for (sheet, ref), (formula, value) in stored.items():
        cell = got[sheet][ref]
        if (sheet, ref) in ORDER_FLAGS:
            continue
        if sheet == table.sheet and min_row < cell.row <= max_row and cell.column <= max_col:
            continue
        if not same(value, cell.value):
            wrong[(sheet, ref)] = (formula, value, cell.value)
    assert wrong == {}, f"{table.name} sorted by {column}: {len(wrong)} figures changed"
