"""The ribbon's actions as xlwings Lite scripts (Excel on Mac and on the web).

In xlwings Lite, put ``xlfees`` in requirements.txt and
``from xlfees.excel.lite import *`` plus ``from xlfees.excel.udfs import *`` in
main.py: the functions and these four scripts appear in the Lite task pane.
Lite runs in the browser, with no access to folders on disk, so Import,
Letters and Export PDF need the desktop add-in; Analyze works everywhere.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from .book import XlwingsBook
from .ribbon import run


def _run(control_id: str, book: xw.Book) -> None:
    message = run(control_id, XlwingsBook(book))
    print(message)  # Lite shows printed output in its task pane


@script
def fees_analyze(book: xw.Book) -> None:
    """Analyse the input sheets and write every analysis sheet (the ribbon's Analyze)."""
    _run("FeesAnalyze", book)


@script
def fees_import(book: xw.Book) -> None:
    """Read the client folder into the input sheets (desktop Excel only: Lite has no folders)."""
    _run("FeesImport", book)


@script
def fees_letters(book: xw.Book) -> None:
    """Write the request letters beside the workbook (desktop Excel only)."""
    _run("FeesLetters", book)


@script
def fees_export_pdf(book: xw.Book) -> None:
    """Write the one-page summary PDF beside the workbook (desktop Excel only)."""
    _run("FeesExportPdf", book)
