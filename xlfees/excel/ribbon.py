"""The "Fees" ribbon: every button's id → one action (see workbook_templates/customUI.xml).

The add-in's VBA callback passes ``control.Id`` here:
``RunPython "import xlfees.excel.ribbon as r; r.dispatch('<id>')"``.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import XlfeesError
from . import actions
from .book import Book, XlwingsBook

ACTIONS: dict[str, Callable[[Book], Any]] = {
    "FeesImport": actions.import_schedules,
    "FeesAnalyze": actions.analyze_book,
    "FeesLetters": actions.letters,
    "FeesExportPdf": actions.export_pdf,
}


def run(control_id: str, book: Book) -> str:
    """Run the action of a button on a workbook adapter; returns what to tell the user."""
    if control_id not in ACTIONS:
        raise KeyError(f"no action for ribbon button {control_id!r}")
    result = ACTIONS[control_id](book)
    return str(result)


def dispatch(control_id: str, book: Any = None) -> None:
    """Entry point of the VBA callback: run the button's action on the calling workbook."""
    import xlwings as xw

    book = book or xw.Book.caller()
    try:
        message = run(control_id, XlwingsBook(book))
    except XlfeesError as error:
        book.app.alert(f"Error: {error}", title="xlfees")
        return
    book.app.alert(message, title="xlfees")
