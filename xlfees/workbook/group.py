"""The group's roll-up workbook: each payer across a DSO's locations.

Written by XlsxWriter (``fresh``): text as text, never a formula; each
figure a formula over the Detail table, found by its key with SUMIFS/COUNTIFS (Excel
2010 functions), with the roll-up's own value stored beside it. The Detail rows are
the locations' sums, so the workbook recalculates the roll-up from them, and sorting
or filtering any Table changes no figure.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cdt import CATEGORIES
from ..errors import check_suffix
from ..analysis.rollup import GroupPayer, GroupRollup
from . import fresh, xlsx
from .spec import FORMATS, sheet_prefix

HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
DAYS = "0.0"


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
    book = fresh.Book()
    summary = book.sheet("Summary")
    header = book.format(bold=True, font_color="#FFFFFF", bg_color=fresh.HEADER_BLUE,
                         text_wrap=True, valign="top")

    def table_sheet(title: str, table_name: str, heading: str,
                    columns: tuple[GroupColumn, ...]) -> None:
        sheet = book.sheet(title)
        records = rows[table_name]
        fresh.write_value(sheet, 0, 0, heading,   # the group's name: text, never a formula
                          book.format(bold=True, size=14, font_color=fresh.HEADER_BLUE))
        formats = [book.format(num_format=FORMATS.get(c.style, c.style),
                               # a key, apart from the name beside it
                               **({"align": "center"} if c.header.endswith(" no.") else {}))
                   for c in columns]
        first, last = FIRST_ROW - 1, last_rows[table_name] - 1   # 0-based
        sheet.add_table(first - 1, 0, last, len(columns) - 1, {
            "name": table_name, "style": "Table Style Medium 2",
            "columns": [{"header": c.header, "header_format": header, "format": f}
                        for c, f in zip(columns, formats)]})
        for number, column in enumerate(columns):
            sheet.set_column(number, number, column.width)
            for offset, values in enumerate(records):
                formula = (_formula(column.formula, columns, FIRST_ROW + offset, last_rows)
                           if column.formula else None)
                fresh.write_value(sheet, first + offset, number, values.get(column.header),
                                  formats[number], formula)
        # As many lines as the longest header wraps to (LibreOffice does not grow the row).
        lines = max(2, *(math.ceil(len(c.header) / max(c.width - 2, 1)) for c in columns))
        sheet.set_row(HEADER_ROW - 1, 15 * min(lines, 4) + 2)
        sheet.freeze_panes(FIRST_ROW - 1, 0)
        fresh.print_setup(sheet, landscape=len(columns) > 4,
                          width=sum(c.width for c in columns), title_rows=HEADER_ROW - 1)

    _summary(book, summary, rollup, last_rows)
    table_sheet("Payers", "GroupPayers", f"{rollup.name}: each payer across the locations",
                PAYERS)
    table_sheet("Categories", "PayerCategories", "Procedures a year by CDT category",
                _category_columns(categories))
    table_sheet("Locations", "LocationPayers", "Each payer at each location", LOCATIONS)
    table_sheet("Detail", "Detail", "The locations' figures by payer and CDT category "
                "(each location's workbook, summed)", DETAIL)
    table_sheet("Group Notes", "GroupNotes", "What the roll-up left out, and why",
                (GroupColumn("Note", "text", 120),))
    return book.save(path)


SUMMARY_FIGURES = (
    # label, Payers column, number format, GroupRollup total
    ("Procedures a year (on the payers' scheduled codes)", "Procedures", "count", "procedures"),
    ("What the plans allow a year", "Allowed a year", "money", "allowed"),
    ("Office fees for the same procedures", "Office fees a year", "money", "office"),
    ("Write-off a year (office fee – allowed)", "Write-off a year", "money", "write_off"),
    ("Value of the asks a year", "Value of the ask", "money", "ask_value"),
)


def _summary(book: fresh.Book, sheet: Any, rollup: GroupRollup,
             last_rows: dict[str, int]) -> None:
    """The Summary's labels and figures: totals over the Payers Table."""
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 42)
    fresh.print_setup(sheet, landscape=False)
    sheet.write_string(0, 0, "Network roll-up",
                       book.format(bold=True, size=16, font_color=fresh.HEADER_BLUE))
    label = book.format(bold=True)
    left = book.format(align="left")
    for row, (name, value) in enumerate((("Group", rollup.name), ("Payers", len(rollup.payers)),
                                         ("Locations", None)), start=2):
        sheet.write_string(row, 0, name, label)
        fresh.write_value(sheet, row, 1, value, left)
    row = 4   # 0-based: the Summary's row 5, the first location
    for location in rollup.locations or ("none",):
        fresh.write_value(sheet, row, 1, location)
        row += 1
    row += 1
    at: dict[str, int] = {}   # 1-based, as the formulas refer to them
    for text, column, style, total in SUMMARY_FIGURES:
        fresh.write_value(sheet, row, 0, text)
        fresh.write_value(sheet, row, 1, rollup.total(total),
                          book.format(num_format=FORMATS[style], align="left"),
                          _formula(f"SUM(GroupPayers[{column}])", PAYERS, row + 1, last_rows))
        at[total] = row + 1
        row += 1
    office = rollup.total("office")
    fresh.write_value(sheet, row, 0, "Effective rate (allowed ÷ office fees)")
    fresh.write_value(sheet, row, 1,
                      rollup.total("allowed") / office if office > 0 else "",
                      book.format(num_format=FORMATS["percent"], align="left"),
                      f'IF(B{at["office"]}>0,B{at["allowed"]}/B{at["office"]},"")')
    row += 2
    for note in rollup.notes:
        fresh.write_value(sheet, row, 0, note)
        row += 1
