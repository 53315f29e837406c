"""The batch's index workbook: one row per client, with a link to its workbook."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..money import money, percent
from ..written import normalised_zip, write_atomically

if TYPE_CHECKING:
    from .results import BatchResult

# The figures first, the long text after: a page holds the first PRINTED columns at a
# readable size (the rest are on screen, not on paper).
COLUMNS = (("Client", 34), ("Status", 9), ("Payers", 8), ("Codes", 8),
           ("Effective rate", 13), ("Annual write-off", 16), ("Value of the ask", 16),
           ("Patient savings", 15),
           # A schedule with two dated versions: what the round won a year.
           ("Won this round", 15), ("Top target", 30), ("Top target value", 16), ("Notes", 8),
           ("Workbook", 30), ("Effective rate by payer", 60), ("Value of the ask by payer", 60),
           ("Error", 80), ("No ask, and why", 80))
PRINTED = 12      # Client … Notes: landscape, one page wide, text no smaller than 7 pt
MONEY = '"$"#,##0.00'
# How a column's numbers show, by header.
FORMATS = {"Effective rate": "0.0%", "Annual write-off": MONEY, "Value of the ask": MONEY,
           "Patient savings": MONEY, "Won this round": MONEY, "Top target value": MONEY,
           "Allowed a year": MONEY, "Write-off a year": MONEY, "Value of the asks": MONEY}
LINK_COLOUR = "0563C1"


def _write_row(sheet, number: int, columns: tuple[tuple[str, float], ...],
               values: dict[str, object], links: tuple[str, ...], ok: bool) -> None:
    """One row, each value under its header: text stays text (a name "=cmd" is never
    parsed), numbers take their column's format, ``links`` columns link to their text."""
    from openpyxl.styles import Font

    for column, (header, _) in enumerate(columns, start=1):
        value = values[header]
        cell = sheet.cell(row=number, column=column)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if header in FORMATS:
            cell.number_format = FORMATS[header]
        if header in links and value:
            # Relative (the index sits beside its targets), percent-encoded: a URI, so
            # "50% Family Dental" and "Smith #2 Dental" link to their own files.
            cell.hyperlink = quote(str(value))
            cell.font = Font(name="Calibri", color=LINK_COLOUR, underline="single")
        if header == "Status" and not ok:
            cell.font = Font(name="Calibri", bold=True, color="C00000")


def write_index(batch: "BatchResult", path: Path) -> Path:
    """Write ``index.xlsx`` listing every client (atomically, the same bytes each run)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Clients"
    _header(sheet, COLUMNS)
    for number, result in enumerate(batch.results, start=2):
        rates = "; ".join(f"{label} {percent(rate)}" if rate is not None else f"{label} —"
                          for label, rate in result.payer_rates)
        workbook = Path(result.workbook).name if result.workbook else None
        ok = result.ok
        _write_row(sheet, number, COLUMNS, {
            "Client": result.client, "Status": "ok" if ok else "failed",
            "Payers": result.payers if ok else None, "Codes": result.codes if ok else None,
            "Effective rate": result.effective_rate, "Effective rate by payer": rates or None,
            "Annual write-off": result.annual_writeoff if ok else None,
            "Value of the ask": result.impact_at_ask if ok else None,
            "Value of the ask by payer": "; ".join(f"{label} {money(value)}" for label, value
                                                   in result.payer_asks) or None,
            "Patient savings": result.patient_savings if ok else None,
            "Won this round": result.won_this_round if ok else None,
            "Top target": result.top_target,
            "Top target value": result.top_target_value if ok else None,
            "Notes": result.notes if ok else None, "Workbook": workbook,
            "Error": result.error,
            "No ask, and why": "; ".join(result.no_ask) or None}, links=("Workbook",), ok=ok)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(batch.results), 1) + 1}"
    _print_setup(sheet, PRINTED, max(len(batch.results), 1) + 1)
    if batch.groups:
        _groups_sheet(book.create_sheet("Groups"), batch)
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomically(path, normalised_zip(buffer.getvalue()))
    return path


GROUP_COLUMNS = (("Group", 34), ("Status", 9), ("Locations", 10), ("Payers", 8),
                 ("Allowed a year", 16), ("Write-off a year", 16), ("Value of the asks", 16),
                 ("Workbook", 34), ("Network value summaries", 34), ("Notes or error", 80))


def _print_setup(sheet, columns: int, rows: int) -> None:
    """On paper: landscape, the first ``columns`` one page wide, the header on every page."""
    from openpyxl.utils import get_column_letter

    sheet.print_area = f"A1:{get_column_letter(columns)}{rows}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _groups_sheet(sheet, batch: "BatchResult") -> None:
    """One row per multi-location group: its totals and links to its workbook and folder."""
    _header(sheet, GROUP_COLUMNS)
    for number, group in enumerate(batch.groups, start=2):
        rollup = group.rollup
        workbook = Path(group.workbook).name if group.workbook else None
        folder = Path(group.workbook).stem + "/" if group.workbook else None
        _write_row(sheet, number, GROUP_COLUMNS, {
            "Group": group.group, "Status": "ok" if group.ok else "failed",
            "Locations": len(rollup.locations) if rollup else None,
            "Payers": len(rollup.payers) if rollup else None,
            "Allowed a year": rollup.total("allowed") if rollup else None,
            "Write-off a year": rollup.total("write_off") if rollup else None,
            "Value of the asks": rollup.total("ask_value") if rollup else None,
            "Workbook": workbook, "Network value summaries": folder,
            "Notes or error": group.error or ("; ".join(rollup.notes) if rollup else None)
            or None}, links=("Workbook", "Network value summaries"), ok=group.ok)
    sheet.freeze_panes = "B2"
    _print_setup(sheet, 7, max(len(batch.groups), 1) + 1)   # Group … Value of the asks


def _header(sheet, columns: tuple[tuple[str, float], ...]) -> None:
    """The header row: white bold names on the dark blue, each column its width."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append([name for name, _ in columns])
    for column, (_, width) in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=column)
        header.font = Font(name="Calibri", bold=True, color="FFFFFF")   # named: no serif
        header.fill = PatternFill("solid", fgColor="1F4E79")
        # "Value of the ask" on two lines in its column, never cut off.
        header.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[1].height = 30   # two lines of the header's text
