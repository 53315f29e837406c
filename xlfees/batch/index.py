"""The batch's index workbook: one row per client, with a link to its workbook."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from ..money import percent
from ..written import normalised_zip, write_atomically

if TYPE_CHECKING:
    from .run import BatchResult

COLUMNS = (("Client", 34), ("Status", 9), ("Payers", 8), ("Codes", 8),
           ("Effective rate", 13), ("Effective rate by payer", 60),
           ("Annual write-off", 16), ("Value of the ask", 16), ("Patient savings", 15),
           # A schedule with two dated versions: what the round won a year.
           ("Won this round", 15), ("Top target", 30), ("Top target value", 16), ("Notes", 8),
           ("Workbook", 30),
           ("Error", 80))
MONEY = '"$"#,##0.00'


def write_index(batch: "BatchResult", path: Path) -> Path:
    """Write ``index.xlsx`` listing every client (atomically, the same bytes each run)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Clients"
    _header(sheet, COLUMNS)
    for number, result in enumerate(batch.results, start=2):
        rates = "; ".join(f"{label} {percent(rate)}" if rate is not None else f"{label} —"
                          for label, rate in result.payer_rates)
        workbook = Path(result.workbook).name if result.workbook else None
        values = [result.client, "ok" if result.ok else "failed",
                  result.payers if result.ok else None, result.codes if result.ok else None,
                  result.effective_rate, rates or None,
                  result.annual_writeoff if result.ok else None,
                  result.impact_at_ask if result.ok else None,
                  result.patient_savings if result.ok else None,
                  result.won_this_round if result.ok else None, result.top_target,
                  result.top_target_value if result.ok else None,
                  result.notes if result.ok else None, workbook, result.error]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            # Set as data, never parsed: a client name "=cmd" stays text.
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
        sheet.cell(row=number, column=5).number_format = "0.0%"
        for column in (7, 8, 9, 10, 12):
            sheet.cell(row=number, column=column).number_format = MONEY
        if workbook:
            link = sheet.cell(row=number, column=14)
            link.hyperlink = workbook          # relative: the index sits beside the workbooks
            link.font = Font(color="0563C1", underline="single")
        if not result.ok:
            sheet.cell(row=number, column=2).font = Font(bold=True, color="C00000")
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(batch.results), 1) + 1}"
    if batch.groups:
        _groups_sheet(book.create_sheet("Groups"), batch)
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomically(path, normalised_zip(buffer.getvalue()))
    return path


GROUP_COLUMNS = (("Group", 34), ("Status", 9), ("Locations", 10), ("Payers", 8),
                 ("Allowed a year", 16), ("Write-off a year", 16), ("Value of the asks", 16),
                 ("Workbook", 34), ("Network value summaries", 34), ("Notes or error", 80))


def _groups_sheet(sheet, batch: "BatchResult") -> None:
    """One row per multi-location group: its totals and links to its workbook and folder."""
    from openpyxl.styles import Font

    _header(sheet, GROUP_COLUMNS)
    for number, group in enumerate(batch.groups, start=2):
        rollup = group.rollup
        workbook = Path(group.workbook).name if group.workbook else None
        folder = Path(group.workbook).stem + "/" if group.workbook else None
        values = [group.group, "ok" if group.ok else "failed",
                  len(rollup.locations) if rollup else None,
                  len(rollup.payers) if rollup else None,
                  rollup.total("allowed") if rollup else None,
                  rollup.total("write_off") if rollup else None,
                  rollup.total("ask_value") if rollup else None, workbook, folder,
                  group.error or ("; ".join(rollup.notes) if rollup else None) or None]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"    # a group named "=…" stays text
        for column in (5, 6, 7):
            sheet.cell(row=number, column=column).number_format = MONEY
        for column, target in ((8, workbook), (9, folder)):
            if target:
                link = sheet.cell(row=number, column=column)
                link.hyperlink = target      # relative: beside the index
                link.font = Font(color="0563C1", underline="single")
        if not group.ok:
            sheet.cell(row=number, column=2).font = Font(bold=True, color="C00000")
    sheet.freeze_panes = "B2"


def _header(sheet, columns: tuple[tuple[str, float], ...]) -> None:
    """The header row: white bold names on the dark blue, each column its width."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append([name for name, _ in columns])
    for column, (_, width) in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=column)
        header.font = Font(bold=True, color="FFFFFF")
        header.fill = PatternFill("solid", fgColor="1F4E79")
        sheet.column_dimensions[get_column_letter(column)].width = width
