"""The batch's index workbook: one row per client, with a link to its workbook."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..money import money, percent
from ..workbook import fresh

if TYPE_CHECKING:
    from .results import BatchResult

# The figures first, the long text after: a page holds the first PRINTED columns at a
# readable size (the rest are on screen, not on paper).
COLUMNS = (("Client", 30), ("Status", 9), ("Payers", 8), ("Codes", 8),
           ("Effective rate", 11), ("Annual write-off", 15), ("Value of the ask", 14),
           ("Patient savings", 14),
           # A schedule with two dated versions: what the round won a year, and what the
           # payers' remittances still paid below the new schedule since it took effect.
           ("Won this round", 13), ("Missed since the raise", 14), ("Top target", 26),
           ("Top target value", 14), ("Notes", 8),
           # The recovery worklist (a client keeping recovery.csv): open dollars, and the
           # appeal deadlines in the next 30 days.
           ("Open to recover", 14), ("Appeal deadlines in 30 days", 14),
           ("Workbook", 30), ("Effective rate by payer", 60), ("Value of the ask by payer", 60),
           ("Error", 80), ("No ask, and why", 80))
PRINTED = 13      # Client … Notes: landscape, one page wide, text no smaller than 7 pt
MONEY = '"$"#,##0.00'
# How a column's numbers show, by header.
FORMATS = {"Effective rate": "0.0%", "Annual write-off": MONEY, "Value of the ask": MONEY,
           "Patient savings": MONEY, "Won this round": MONEY, "Missed since the raise": MONEY,
           "Open to recover": MONEY,
           "Top target value": MONEY,
           "Allowed a year": MONEY, "Write-off a year": MONEY, "Value of the asks": MONEY}


def _write_row(book: fresh.Book, sheet: Any, row: int,
               columns: tuple[tuple[str, float], ...], values: dict[str, object],
               links: tuple[str, ...], ok: bool) -> None:
    """One row (0-based), each value under its header: text stays text (a name "=cmd" is
    never parsed), numbers take their column's format, ``links`` columns link to their
    text."""
    for column, (header, _) in enumerate(columns):
        value = values[header]
        if header in links and value:
            target = str(value).rstrip("/")   # a folder: Excel opens it by its name
            fresh.write_link(sheet, row, column, target, book.format(
                font_color=fresh.LINK_COLOUR, underline=1), shown=str(value))
        elif header == "Status" and not ok:
            fresh.write_value(sheet, row, column, value,
                              book.format(bold=True, font_color="#C00000"))
        else:
            fresh.write_value(sheet, row, column, value,
                              book.format(num_format=FORMATS[header]) if header in FORMATS
                              else None)


def write_index(batch: "BatchResult", path: Path) -> Path:
    """Write ``index.xlsx`` listing every client (atomically, the same bytes each run)."""
    book = fresh.Book()
    sheet = book.sheet("Clients")
    _header(book, sheet, COLUMNS)
    for row, result in enumerate(batch.results, start=1):
        rates = "; ".join(f"{label} {percent(rate)}" if rate is not None else f"{label} —"
                          for label, rate in result.payer_rates)
        workbook = Path(result.workbook).name if result.workbook else None
        ok = result.ok
        _write_row(book, sheet, row, COLUMNS, {
            "Client": result.client, "Status": "ok" if ok else "failed",
            "Payers": result.payers if ok else None, "Codes": result.codes if ok else None,
            "Effective rate": result.effective_rate, "Effective rate by payer": rates or None,
            "Annual write-off": result.annual_writeoff if ok else None,
            "Value of the ask": result.impact_at_ask if ok else None,
            "Value of the ask by payer": "; ".join(f"{label} {money(value)}" for label, value
                                                   in result.payer_asks) or None,
            "Patient savings": result.patient_savings if ok else None,
            "Won this round": result.won_this_round if ok else None,
            "Missed since the raise": result.missed_since_raise if ok else None,
            "Open to recover": (math.fsum(w[1] for w in result.worklist)
                                if ok and result.worklist else None),
            "Appeal deadlines in 30 days": (sum(w[5] for w in result.worklist)
                                            if ok and result.worklist else None),
            "Top target": result.top_target,
            "Top target value": result.top_target_value if ok else None,
            "Notes": result.notes if ok else None, "Workbook": workbook,
            "Error": result.error,
            "No ask, and why": "; ".join(result.no_ask) or None}, links=("Workbook",), ok=ok)
    rows = max(len(batch.results), 1)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, rows, len(COLUMNS) - 1)
    _print_setup(sheet, PRINTED, rows)
    if batch.groups:
        _groups_sheet(book, book.sheet("Groups"), batch)
    return book.save(path)


GROUP_COLUMNS = (("Group", 34), ("Status", 9), ("Locations", 10), ("Payers", 8),
                 ("Allowed a year", 16), ("Write-off a year", 16), ("Value of the asks", 16),
                 ("Workbook", 34), ("Network value summaries", 34), ("Notes or error", 80))


def _print_setup(sheet: Any, columns: int, rows: int) -> None:
    """On paper: landscape, the first ``columns`` one page wide, the header on every page."""
    fresh.print_setup(sheet, landscape=True, title_rows=0, area=(0, 0, rows, columns - 1))


def _groups_sheet(book: fresh.Book, sheet: Any, batch: "BatchResult") -> None:
    """One row per multi-location group: its totals and links to its workbook and folder."""
    _header(book, sheet, GROUP_COLUMNS)
    for row, group in enumerate(batch.groups, start=1):
        rollup = group.rollup
        workbook = Path(group.workbook).name if group.workbook else None
        folder = Path(group.workbook).stem + "/" if group.workbook else None
        _write_row(book, sheet, row, GROUP_COLUMNS, {
            "Group": group.group, "Status": "ok" if group.ok else "failed",
            "Locations": len(rollup.locations) if rollup else None,
            "Payers": len(rollup.payers) if rollup else None,
            "Allowed a year": rollup.total("allowed") if rollup else None,
            "Write-off a year": rollup.total("write_off") if rollup else None,
            "Value of the asks": rollup.total("ask_value") if rollup else None,
            "Workbook": workbook, "Network value summaries": folder,
            "Notes or error": group.error or ("; ".join(rollup.notes) if rollup else None)
            or None}, links=("Workbook", "Network value summaries"), ok=group.ok)
    sheet.freeze_panes(1, 1)
    _print_setup(sheet, 7, max(len(batch.groups), 1))   # Group … Value of the asks


def _header(book: fresh.Book, sheet: Any, columns: tuple[tuple[str, float], ...]) -> None:
    """The header row: white bold names on the dark blue, each column its width; "Value
    of the ask" wraps to two lines in its column, never cut off."""
    header = book.format(bold=True, font_color="#FFFFFF", bg_color=fresh.HEADER_BLUE,
                         text_wrap=True, valign="top")
    for column, (name, width) in enumerate(columns):
        sheet.write_string(0, column, name, header)
        sheet.set_column(column, column, width)
    sheet.set_row(0, 30)   # two lines of the header's text
