"""The group's roll-up workbook: each payer across a DSO's locations.

Laid out by openpyxl (sheets, Tables, styles), then every cell's content written as
the main workbook's are (``xlsx.set_cells``): text as text, never a formula; each
figure a formula over the Detail table, found by its key with SUMIFS/COUNTIFS (Excel
2010 functions), with the roll-up's own value stored beside it. The Detail rows are
the locations' sums, so the workbook recalculates the roll-up from them, and sorting
or filtering any Table changes no figure.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cdt import CATEGORIES
from ..errors import check_suffix
from .. import written
from ..analysis.rollup import GroupPayer, GroupRollup
from . import xlsx
from .spec import FORMATS, sheet_prefix

HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
DAYS = "0.0"
FONT = "Calibri"   # named: a font without a name prints as a serif in LibreOffice


@dataclass(frozen=True)
class GroupColumn:
    """A Table column: header, format, width, and its formula (or none).

    In a formula ``[Header]`` is this row's cell of the same Table and
    ``Table[Header]`` that Table's whole column (written as plain references).
    """

    header: str
    style: str
    width: float
    formula: str | None = None


# Payers and locations are matched by number, not by name: a name is a criterion to
# SUMIFS, where "Delta*" would be a wildcard and "<Aetna" a comparison.
DETAIL = (
    GroupColumn("Location no.", "integer", 9), GroupColumn("Location", "text", 30),
    GroupColumn("Payer no.", "integer", 9), GroupColumn("Payer", "text", 30),
    GroupColumn("Category", "text", 28), GroupColumn("Procedures", "count", 12),
    GroupColumn("Allowed a year", "money", 15), GroupColumn("Office fees a year", "money", 16),
    GroupColumn("Write-off a year", "money", 15), GroupColumn("Value of the ask", "money", 15),
    GroupColumn("Out-of-network collectible", "money", 18),
)


# The same two ratios on the Locations and Payers sheets, over each row's own sums.
EFFECTIVE_RATE = GroupColumn("Effective rate", "percent", 12,
                             'IF([Office fees a year]>0,[Allowed a year]/[Office fees a year],"")')
BREAK_EVEN = GroupColumn("Break-even retention", "percent", 14,
                         'IF([Out-of-network collectible]>0,'
                         '[Allowed a year]/[Out-of-network collectible],"")')


def _by_location(column: str) -> str:
    return (f"SUMIFS(Detail[{column}],Detail[Location no.],[Location no.],"
            f"Detail[Payer no.],[Payer no.])")


LOCATIONS = (
    GroupColumn("Location no.", "integer", 9), GroupColumn("Location", "text", 30),
    GroupColumn("Payer no.", "integer", 9), GroupColumn("Payer", "text", 30),
    GroupColumn("Schedule there", "text", 30),
    GroupColumn("Procedures", "count", 12, _by_location("Procedures")),
    GroupColumn("Allowed a year", "money", 15, _by_location("Allowed a year")),
    GroupColumn("Office fees a year", "money", 16, _by_location("Office fees a year")),
    EFFECTIVE_RATE,
    GroupColumn("Write-off a year", "money", 15, _by_location("Write-off a year")),
    GroupColumn("Value of the ask", "money", 15, _by_location("Value of the ask")),
    GroupColumn("Out-of-network collectible", "money", 18,
                _by_location("Out-of-network collectible")),
    BREAK_EVEN,
    GroupColumn("ERA claims", "count", 11), GroupColumn("Clean claims", "count", 11),
    GroupColumn("Paid (ERAs)", "money", 14),
    GroupColumn("Median days to payment", DAYS, 14),
)


def _by_payer(column: str, table: str = "Detail") -> str:
    return f"SUMIFS({table}[{column}],{table}[Payer no.],[Payer no.])"


PAYERS = (
    GroupColumn("Payer no.", "integer", 9), GroupColumn("Payer", "text", 30),
    GroupColumn("Locations", "integer", 10,
                "COUNTIF(LocationPayers[Payer no.],[Payer no.])"),
    GroupColumn("Procedures", "count", 12, _by_payer("Procedures")),
    GroupColumn("Share of procedures", "percent", 12,
                'IF(SUM(Detail[Procedures])>0,[Procedures]/SUM(Detail[Procedures]),"")'),
    GroupColumn("Allowed a year", "money", 15, _by_payer("Allowed a year")),
    GroupColumn("Office fees a year", "money", 16, _by_payer("Office fees a year")),
    EFFECTIVE_RATE,
    # The group's other payers together: every Detail row but this payer's.
    GroupColumn("Other payers' rate", "percent", 13,
                'IF(SUM(Detail[Office fees a year])-[Office fees a year]>0,'
                '(SUM(Detail[Allowed a year])-[Allowed a year])'
                '/(SUM(Detail[Office fees a year])-[Office fees a year]),"")'),
    GroupColumn("Write-off a year", "money", 15, _by_payer("Write-off a year")),
    GroupColumn("Value of the ask", "money", 15, _by_payer("Value of the ask")),
    GroupColumn("Out-of-network collectible", "money", 18,
                _by_payer("Out-of-network collectible")),
    BREAK_EVEN,
    GroupColumn("ERA claims", "count", 11, _by_payer("ERA claims", "LocationPayers")),
    GroupColumn("Clean-claim rate", "percent", 12,
                f'IF([ERA claims]>0,{_by_payer("Clean claims", "LocationPayers")}'
                '/[ERA claims],"")'),
    GroupColumn("Paid (ERAs)", "money", 14,
                f'IF([ERA claims]>0,{_by_payer("Paid (ERAs)", "LocationPayers")},"")'),
    # A median of claims from several locations: the roll-up computes it (no Excel 2010
    # formula takes a median by key without an array formula).
    GroupColumn("Median days to payment", DAYS, 14),
)
TABLE_SHEETS = {"GroupPayers": ("Payers", PAYERS), "LocationPayers": ("Locations", LOCATIONS),
                "Detail": ("Detail", DETAIL)}


def _category_columns(categories: list[str]) -> tuple[GroupColumn, ...]:
    def procedures(name: str) -> str:
        quoted = name.replace('"', '""')
        return (f'SUMIFS(Detail[Procedures],Detail[Payer no.],[Payer no.],'
                f'Detail[Category],"{quoted}")')
    total = (f"SUM([{categories[0]}]:[{categories[-1]}])" if categories else "0")
    return ((GroupColumn("Payer no.", "integer", 9), GroupColumn("Payer", "text", 30))
            + tuple(GroupColumn(name, "count", 13, procedures(name)) for name in categories)
            + (GroupColumn("Total", "count", 12, total),))


_THIS_ROW = re.compile(r"(?<![A-Za-z0-9_\]])\[([^\[\]]+)\]")
_WHOLE_COLUMN = re.compile(r"\b([A-Za-z]+)\[([^\[\]]+)\]")


def _formula(formula: str, columns: tuple[GroupColumn, ...], row: int,
             last_rows: dict[str, int]) -> str:
    """A column's formula for one row, its references written as plain ones."""
    def whole(match: re.Match[str]) -> str:
        sheet, table_columns = TABLE_SHEETS[match.group(1)]
        letter = _letter(table_columns, match.group(2))
        return (f"{sheet_prefix(sheet)}${letter}${FIRST_ROW}:"
                f"${letter}${last_rows[match.group(1)]}")
    formula = _WHOLE_COLUMN.sub(whole, formula)
    return _THIS_ROW.sub(lambda m: f"${_letter(columns, m.group(1))}{row}", formula)


def _letter(columns: tuple[GroupColumn, ...], header: str) -> str:
    return xlsx.column_letter(1 + [c.header for c in columns].index(header))


def _payer_values(payer: GroupPayer, number: int, total_procedures: float) -> dict[str, Any]:
    eras = payer.has_eras
    return {"Payer no.": number, "Payer": payer.payer, "Locations": len(payer.locations),
            "Procedures": payer.procedures,
            "Share of procedures": (payer.procedures / total_procedures
                                    if total_procedures > 0 else ""),
            "Allowed a year": payer.allowed, "Office fees a year": payer.office,
            "Effective rate": payer.effective_rate, "Other payers' rate": payer.others_rate,
            "Write-off a year": payer.write_off, "Value of the ask": payer.ask_value,
            "Out-of-network collectible": payer.collectible,
            "Break-even retention": payer.break_even_retention,
            "ERA claims": payer.claims, "Clean-claim rate": payer.clean_claim_rate if eras else "",
            "Paid (ERAs)": payer.paid if eras else "",
            "Median days to payment": payer.median_days}


def _location_values(entry: dict[str, Any], numbers: dict[str, int],
                     locations: dict[str, int]) -> dict[str, Any]:
    allowed, office, collectible = entry["allowed"], entry["office"], entry["collectible"]
    days = entry["days"]
    return {"Location no.": locations[entry["location"]], "Location": entry["location"],
            "Payer no.": numbers[entry["payer"]], "Payer": entry["payer"],
            "Schedule there": entry["schedule"], "Procedures": entry["procedures"],
            "Allowed a year": allowed, "Office fees a year": office,
            "Effective rate": allowed / office if office > 0 else "",
            "Write-off a year": entry["write_off"], "Value of the ask": entry["ask_value"],
            "Out-of-network collectible": collectible,
            "Break-even retention": allowed / collectible if collectible > 0 else "",
            "ERA claims": entry["claims"], "Clean claims": entry["clean_claims"],
            "Paid (ERAs)": entry["paid"] if entry["claims"] else None,
            "Median days to payment": statistics.median(days) if days else None}


def _categories(rollup: GroupRollup) -> list[str]:
    present = {r["category"] for r in rollup.detail}
    return [c for c in CATEGORIES if c in present]


def write_group_workbook(rollup: GroupRollup, path: str | Path) -> Path:
    """Write the group's roll-up workbook to ``path`` (atomically, the same bytes each run)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from .package import check_overwrite

    path = Path(path)
    check_suffix(path, ".xlsx", "the group's workbook")
    check_overwrite(path)
    detail = list(rollup.detail)
    categories = _categories(rollup)
    numbers = {payer.payer: number for number, payer in enumerate(rollup.payers, start=1)}
    locations = {name: number for number, name in enumerate(rollup.locations, start=1)}
    rows = {
        "GroupPayers": [_payer_values(p, numbers[p.payer], rollup.procedures)
                        for p in rollup.payers],
        "PayerCategories": [{"Payer no.": numbers[p.payer], "Payer": p.payer,
                             **{c: p.categories.get(c, 0.0) for c in categories},
                             "Total": p.procedures} for p in rollup.payers],
        "LocationPayers": [_location_values(e, numbers, locations)
                           for e in rollup.location_payers],
        "Detail": [{"Location no.": locations[r["location"]], "Location": r["location"],
                    "Payer no.": numbers[r["payer"]], "Payer": r["payer"],
                    "Category": r["category"], "Procedures": r["procedures"],
                    "Allowed a year": r["allowed"], "Office fees a year": r["office"],
                    "Write-off a year": r["write_off"], "Value of the ask": r["ask_value"],
                    "Out-of-network collectible": r["collectible"]} for r in detail],
        "GroupNotes": [{"Note": note} for note in rollup.notes],
    }
    last_rows = {name: FIRST_ROW + max(len(records), 1) - 1 for name, records in rows.items()}
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    contents: dict[str, dict[str, tuple[Any, str | None]]] = {}

    def table_sheet(title: str, table_name: str, heading: str,
                    columns: tuple[GroupColumn, ...]) -> None:
        sheet = book.create_sheet(title)
        sheet["A1"].font = Font(name=FONT, bold=True, size=14, color="1F4E79")
        records = rows[table_name]
        # The heading holds the group's name: written as text by set_cells, never by
        # openpyxl, which takes a leading "=" for a formula.
        cells: dict[str, tuple[Any, str | None]] = {"A1": (heading, None)}
        for number, column in enumerate(columns, start=1):
            letter = xlsx.column_letter(number)
            header = sheet.cell(row=HEADER_ROW, column=number, value=column.header)
            header.font = Font(name=FONT, bold=True, color="FFFFFF")
            header.fill = PatternFill("solid", fgColor="1F4E79")
            header.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[letter].width = column.width
            for offset in range(max(len(records), 1)):
                body = sheet.cell(row=FIRST_ROW + offset, column=number)
                body.number_format = FORMATS.get(column.style, column.style)
                if column.header.endswith(" no."):   # a key, apart from the name beside it
                    body.alignment = Alignment(horizontal="center")
            for offset, values in enumerate(records):
                row = FIRST_ROW + offset
                formula = (_formula(column.formula, columns, row, last_rows)
                           if column.formula else None)
                cells[f"{letter}{row}"] = (values.get(column.header), formula)
        table = Table(displayName=table_name,
                      ref=f"A{HEADER_ROW}:{xlsx.column_letter(len(columns))}"
                          f"{last_rows[table_name]}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
        # As many lines as the longest header wraps to (LibreOffice does not grow the row).
        lines = max(2, *(math.ceil(len(c.header) / max(c.width - 2, 1)) for c in columns))
        sheet.row_dimensions[HEADER_ROW].height = 15 * min(lines, 4) + 2
        sheet.freeze_panes = f"A{FIRST_ROW}"
        _print_setup(sheet, landscape=len(columns) > 4,
                     width=sum(c.width for c in columns))
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"   # the header on every page
        contents[title] = cells

    table_sheet("Payers", "GroupPayers", f"{rollup.name}: each payer across the locations",
                PAYERS)
    table_sheet("Categories", "PayerCategories", "Procedures a year by CDT category",
                _category_columns(categories))
    table_sheet("Locations", "LocationPayers", "Each payer at each location", LOCATIONS)
    table_sheet("Detail", "Detail", "The locations' figures by payer and CDT category "
                "(each location's workbook, summed)", DETAIL)
    table_sheet("Group Notes", "GroupNotes", "What the roll-up left out, and why",
                (GroupColumn("Note", "text", 120),))
    contents["Summary"] = _summary(summary, rollup, last_rows)

    buffer = io.BytesIO()
    book.save(buffer)
    parts = _parts(written.normalised_zip(buffer.getvalue()))
    for number, sheet in enumerate(book.worksheets, start=1):
        name = f"xl/worksheets/sheet{number}.xml"
        parts[name] = xlsx.set_cells(parts[name].decode("utf-8"),
                                     contents[sheet.title]).encode("utf-8")
    parts["xl/workbook.xml"] = xlsx.ensure_full_calc_on_load(
        parts["xl/workbook.xml"].decode("utf-8")).encode("utf-8")
    return written.write_atomically(path, parts=parts.items())


SUMMARY_FIGURES = (
    # label, Payers column, number format, GroupRollup total
    ("Procedures a year (on the payers' scheduled codes)", "Procedures", "count", "procedures"),
    ("What the plans allow a year", "Allowed a year", "money", "allowed"),
    ("Office fees for the same procedures", "Office fees a year", "money", "office"),
    ("Write-off a year (office fee – allowed)", "Write-off a year", "money", "write_off"),
    ("Value of the asks a year", "Value of the ask", "money", "ask_value"),
)


def _summary(sheet: Any, rollup: GroupRollup,
             last_rows: dict[str, int]) -> dict[str, tuple[Any, str | None]]:
    """The Summary's labels and figures: totals over the Payers Table."""
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 42
    _print_setup(sheet, landscape=False)
    sheet["A1"] = "Network roll-up"
    sheet["A1"].font = Font(name=FONT, bold=True, size=16, color="1F4E79")
    cells: dict[str, tuple[Any, str | None]] = {
        "A3": ("Group", None), "B3": (rollup.name, None),
        "A4": ("Payers", None), "B4": (len(rollup.payers), None),
        "A5": ("Locations", None)}
    sheet["B4"].alignment = Alignment(horizontal="left")
    for ref in ("A3", "A4", "A5"):
        sheet[ref].font = Font(name=FONT, bold=True)
    row = 5
    for location in rollup.locations or ("none",):
        cells[f"B{row}"] = (location, None)
        row += 1
    row += 1
    first_figure = row
    at: dict[str, int] = {}
    for label, column, style, total in SUMMARY_FIGURES:
        cells[f"A{row}"] = (label, None)
        cells[f"B{row}"] = (rollup.total(total),
                            _formula(f"SUM(GroupPayers[{column}])", PAYERS, row, last_rows))
        sheet[f"B{row}"].number_format = FORMATS[style]
        at[total] = row
        row += 1
    office = rollup.total("office")
    cells[f"A{row}"] = ("Effective rate (allowed ÷ office fees)", None)
    cells[f"B{row}"] = (rollup.total("allowed") / office if office > 0 else "",
                        f'IF(B{at["office"]}>0,B{at["allowed"]}/B{at["office"]},"")')
    sheet[f"B{row}"].number_format = FORMATS["percent"]
    for number in range(first_figure, row + 1):
        sheet[f"B{number}"].alignment = Alignment(horizontal="left")
    row += 2
    for note in rollup.notes:
        cells[f"A{row}"] = (note, None)
        row += 1
    return cells


# Column widths (in characters) a landscape page holds with its text at 7 pt or more
# (11 pt shrunk to 64 %), as the template's tables print (scripts/build_template.py).
PAGE_CHARACTERS = 190


def _print_setup(sheet: Any, landscape: bool, width: float = 0.0) -> None:
    """Printed as a person expects: as many pages wide as keep the text at 7 pt or more
    (the first column repeated on each), as many pages down as it takes."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = max(1, math.ceil(width / PAGE_CHARACTERS))
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if width > PAGE_CHARACTERS:
        sheet.print_title_cols = "A:A"


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}
