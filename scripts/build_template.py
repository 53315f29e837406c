"""Build workbook_templates/xlfees_template.xlsx from xlfees.workbook.spec, deterministically.

The template is reviewable as code: sheets, Excel Tables with one styled
placeholder row, number formats, widths, frozen headers, named settings
cells, the heat map and the charts. Regenerating gives the same bytes.

    python scripts/build_template.py [-o PATH]
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import textwrap
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlfees.cdt import CATEGORIES  # noqa: E402
from xlfees.sources.client_toml import DEFAULT_COVERAGE  # noqa: E402
from xlfees.workbook import spec  # noqa: E402
# Column widths (in characters) a landscape page holds with its text at 7 pt or more.
from xlfees.workbook.fresh import PAGE_CHARACTERS  # noqa: E402
from xlfees.written import normalised_zip  # noqa: E402

DEFAULT_OUTPUT = ROOT / "workbook_templates" / "xlfees_template.xlsx"
BRAND = "1F4E79"
# Every font is named: a nameless one renders as a serif in LibreOffice.
FONT = "Calibri"
TITLE_FONT = Font(name=FONT, bold=True, size=14, color=BRAND)


def build(path: Path, *, brand: str = BRAND, logo: bytes | None = None,
          extra_sheet: str | None = None) -> None:
    """Write the template; ``brand``, ``logo`` and ``extra_sheet`` make a restyled variant."""
    book = Workbook()
    book.remove(book.active)
    sheets = {name: book.create_sheet(name) for name in spec.SHEET_ORDER}
    title_font = Font(name=FONT, bold=True, size=14, color=brand)
    for table in spec.TABLES:
        _table(sheets[table.sheet], table, brand, title_font)
    _settings(sheets["Settings"], title_font)
    _gaps(sheets[spec.GAPS_SHEET], title_font)
    _peers(book, sheets[spec.PEERS_SHEET], title_font)
    _summary(book, sheets["Summary"], title_font)
    if logo is not None:
        from openpyxl.drawing.image import Image

        image = Image(io.BytesIO(logo))
        sheets["Summary"].add_image(image, "H1")
    if extra_sheet:
        extra = book.create_sheet(extra_sheet)
        extra["A1"] = "Consultant's own notes"
        extra["A1"].font = title_font
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalised_zip(_numbers_as_text_allowed(buffer.getvalue())))


# Codes are text on purpose (a CARC "45", a code "0120"): Excel's green "number stored as
# text" triangle is switched off on every sheet. <ignoredErrors> goes where CT_Worksheet
# puts it: before drawing, legacyDrawing, tableParts and extLst.
IGNORED_ERRORS = ('<ignoredErrors><ignoredError sqref="A1:XFD1048576" '
                  'numberStoredAsText="1"/></ignoredErrors>')


def _numbers_as_text_allowed(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet") and b"<ignoredErrors" not in part:
                text = part.decode("utf-8")
                at = min((i for i in (text.find(tag) for tag in (
                    "<drawing", "<legacyDrawing", "<tableParts", "<extLst", "</worksheet>"))
                    if i >= 0))
                part = (text[:at] + IGNORED_ERRORS + text[at:]).encode("utf-8")
            target.writestr(info, part)
    return out.getvalue()


def _style(cell, style: str) -> None:
    cell.number_format = spec.FORMATS[style]


def _table(sheet, table: spec.TableSpec, brand: str, title_font: Font) -> None:
    first = table.first_column
    last = first + len(table.columns) - 1
    if table.sheet != "Settings":
        sheet.cell(row=1, column=first, value=table.title).font = title_font
    header = table.header_row
    for offset, column in enumerate(table.columns):
        letter = get_column_letter(first + offset)
        cell = sheet.cell(row=header, column=first + offset, value=column.header)
        cell.font = Font(name=FONT, bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=brand)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        # The placeholder data row carries each column's style for the filler to copy:
        # text wraps in its column (a long payer name or description is never cut off;
        # the filler gives such a row its height), every cell of a row at its top.
        body = sheet.cell(row=header + 1, column=first + offset)
        _style(body, column.style)
        body.alignment = Alignment(wrap_text=column.style == "text", vertical="top")
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.hidden:
            dimension.hidden = True
            dimension.outlineLevel = 1
    # Wrapped headers need the height of their longest wrap: neither Excel nor LibreOffice
    # grows a row for wrapped text in a file it opens, so a short row clips them.
    lines = max(len(textwrap.wrap(c.header, max(4, int(c.width * 0.85))))
                for c in table.columns if not c.hidden)
    sheet.row_dimensions[header].height = 15 * lines
    ref = f"{get_column_letter(first)}{header}:{get_column_letter(last)}{header + 1}"
    excel_table = Table(displayName=table.name, ref=ref)
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(excel_table)
    if table.sheet != "Settings" and not spec.beside(table):
        sheet.freeze_panes = sheet.cell(row=header + 1, column=first)
    if table.sheet != "Settings":
        # Every table of the sheet on paper (a table beside another: both, and the gap).
        mine = [t for t in spec.TABLES if t.sheet == table.sheet]
        _print_wide(sheet, header, sum(c.width for t in mine for c in t.columns
                                       if not c.hidden) + 8 * (len(mine) - 1))




def _print_wide(sheet, header_row: int, width: float = 0.0) -> None:
    """Landscape, the header repeated on every printed page, and as many pages wide as
    keep the text at 7 pt or more (a wide table split across pages, its first column
    repeated on each, rather than shrunk to 4 pt on one)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = max(1, math.ceil(width / PAGE_CHARACTERS))
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    if width > PAGE_CHARACTERS:
        sheet.print_title_cols = "A:A"


def _settings(sheet, title_font: Font) -> None:
    sheet["A1"] = "Settings: the assumptions behind every figure (edit the blue cells)"
    sheet["A1"].font = title_font
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 22
    editable = PatternFill("solid", fgColor="DDEBF7")
    for setting in spec.SETTINGS_CELLS:
        sheet.cell(row=setting.row, column=1, value=setting.label)
        value = sheet.cell(row=setting.row, column=2)
        _style(value, setting.style)
        value.fill = editable
        sheet.parent.defined_names[setting.name] = DefinedName(
            setting.name, attr_text=f"Settings!$B${setting.row}")
    figure = spec.NO_PAYER_CELL
    sheet.cell(row=figure.row, column=1, value=figure.label)
    sheet.cell(row=figure.row, column=2, value=figure.formula)
    _style(sheet.cell(row=figure.row, column=2), "count")
    sheet.parent.defined_names[figure.name] = DefinedName(
        figure.name, attr_text=f"Settings!$B${figure.row}")
    choices = {"Strategy": '"ask,peer"', "BalanceBasis": '"office,contracted"',
               "Benchmark": '"percentile,external"'}
    for setting in spec.SETTINGS_CELLS:
        row, name = setting.row, setting.name
        if name in choices:
            validation = DataValidation(type="list", formula1=choices[name], allow_blank=False,
                                        showErrorMessage=True)
            sheet.add_data_validation(validation)
            validation.add(f"B{row}")
    sheet.cell(row=spec.COVERAGE.header_row - 1, column=1,
               value=spec.COVERAGE.title).font = Font(name=FONT, bold=True)
    # Coverage rows are settings, written here once: the filler replaces their values.
    for offset, category in enumerate(CATEGORIES):
        row = spec.COVERAGE.header_row + 1 + offset
        sheet.cell(row=row, column=1, value=category)
        cell = sheet.cell(row=row, column=2, value=DEFAULT_COVERAGE[category])
        _style(cell, "percent")
        cell.fill = editable
    coverage = sheet.tables["Coverage"]
    coverage.ref = f"A{spec.COVERAGE.header_row}:B{spec.COVERAGE.header_row + len(CATEGORIES)}"
    # One page wide: the values in column B print beside their labels, not on a page of
    # their own.
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _gaps(sheet, title_font: Font) -> None:
    sheet["A1"] = "Gap percent by code and payer: (office fee − allowed) ÷ office fee"
    sheet["A1"].font = title_font
    header = spec.GAPS_HEADER_ROW
    for column, text in ((1, "Code"), (2, "Description"), (3, "Payer")):
        sheet.cell(row=header, column=column, value=text).font = Font(name=FONT, bold=True)
    # Payer names wrap in their columns (the filler gives the row their height).
    sheet.cell(row=header, column=3).alignment = Alignment(wrap_text=True, vertical="bottom")
    _style(sheet.cell(row=header + 1, column=3), "percent")
    sheet.column_dimensions["A"].width = 9
    sheet.column_dimensions["B"].width = 50   # the longest CDT descriptions, uncut
    sheet.freeze_panes = "C4"
    _print_wide(sheet, header)
    # Green where a payer pays close to the office fee, red where the gap is widest.
    sheet.conditional_formatting.add(
        "C4:C4", ColorScaleRule(start_type="min", start_color="63BE7B",
                                mid_type="percentile", mid_value=50, mid_color="FFEB84",
                                end_type="max", end_color="F8696B"))


def _peers(book, sheet, title_font: Font) -> None:
    """The hidden code × schedule matrix of allowed amounts the peer benchmark reads."""
    sheet["A1"] = "Allowed amounts by code and schedule (what the peer benchmark compares)"
    sheet["A1"].font = title_font
    header = spec.PEERS_HEADER_ROW
    first = spec.PEERS_FIRST_SCHEDULE_COLUMN
    headers = ["Code", *[column.header for column in spec.PEER_CODE_COLUMNS]]
    for column, text in enumerate(headers, start=1):
        sheet.cell(row=header, column=column, value=text).font = Font(name=FONT, bold=True)
    sheet.cell(row=header, column=first).font = Font(name=FONT, bold=True)
    for column, peer_column in enumerate(spec.PEER_CODE_COLUMNS, start=2):
        _style(sheet.cell(row=header + 1, column=column), peer_column.style)
    _style(sheet.cell(row=header + 1, column=first), "money")
    _style(sheet.cell(row=spec.PEERS_SHARE_ROW, column=first), "percent")
    for name, ref in spec.peer_names(spec.PEERS_MAX_CODES, spec.PEERS_MAX_SCHEDULES).items():
        book.defined_names[name] = DefinedName(name, attr_text=ref)
    for named in spec.PEERS_CELLS:
        sheet[named.ref] = named.formula
        _style(sheet[named.ref], named.style)
        book.defined_names[named.name] = DefinedName(
            named.name, attr_text=f"{spec.PEERS_SHEET}!${named.ref[0]}${named.ref[1:]}")
    sheet.sheet_state = "hidden"


def _summary(book, sheet, title_font: Font) -> None:
    sheet["A1"] = spec.SUMMARY_TITLE
    sheet["A1"].font = Font(name=FONT, bold=True, size=18, color=title_font.color)
    sheet["A3"] = "Practice"
    sheet["A3"].font = Font(name=FONT, bold=True)
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 18
    for headline in spec.SUMMARY_HEADLINES:
        sheet.cell(row=headline.row, column=1, value=headline.label)
        cell = sheet.cell(row=headline.row, column=2)
        _style(cell, headline.style)
        cell.font = Font(name=FONT, bold=True, size=12)
    note = sheet.cell(row=spec.SUMMARY_VOLUME_NOTE_ROW, column=1, value="Volume")
    note.font = Font(name=FONT, italic=True, color="595959")   # a note, not a figure
    cell = sheet.cell(row=spec.SUMMARY_BREAK_EVEN_ROW, column=2)
    _style(cell, "percent")
    cell.font = Font(name=FONT, bold=True, size=12)
    # Two blocks beside the charts: what the ERAs show, and the recovery worklist.
    for title_row, title_text, headlines in (
            (spec.MONITORING_TITLE_ROW, "What payers paid (remittances in era/)",
             spec.MONITORING_HEADLINES),
            (spec.WORKLIST_TITLE_ROW, "Recovery worklist (recovery.csv)",
             spec.WORKLIST_HEADLINES)):
        sheet.cell(row=title_row, column=1, value=title_text).font = Font(name=FONT, bold=True)
        for headline in headlines:
            sheet.cell(row=headline.row, column=1, value=headline.label)
            cell = sheet.cell(row=headline.row, column=2)
            _style(cell, headline.style)
            cell.font = Font(name=FONT, bold=True, size=12)
    # The top targets by rank (hidden, past the print area): the Top 15 chart's data.
    first = spec.TOP_FIRST_ROW
    sheet[f"{spec.TOP_RANK_COLUMN}{first - 1}"] = "Rank"
    sheet[f"{spec.TOP_LABEL_COLUMN}{first - 1}"] = "Target"
    sheet[f"{spec.TOP_VALUE_COLUMN}{first - 1}"] = "Volume × shortfall"
    for rank in range(1, spec.TOP_TARGETS + 1):
        row = first + rank - 1
        sheet[f"{spec.TOP_RANK_COLUMN}{row}"] = rank
        label, value = spec.top_target_formulas(row)
        sheet[f"{spec.TOP_LABEL_COLUMN}{row}"] = label
        sheet[f"{spec.TOP_VALUE_COLUMN}{row}"] = value
        _style(sheet[f"{spec.TOP_VALUE_COLUMN}{row}"], "money")
    for letter in (spec.TOP_RANK_COLUMN, spec.TOP_LABEL_COLUMN, spec.TOP_VALUE_COLUMN):
        sheet.column_dimensions[letter].hidden = True
    for title, source, label, value, anchor, (width, height) in spec.CHARTS:
        chart = BarChart()
        chart.type = "bar"
        chart.title = title
        chart.legend = None
        chart.width, chart.height = width, height
        if source == "Summary":
            values = Reference(sheet, range_string=f"Summary!${value}${first}:${value}$"
                               f"{first + spec.TOP_TARGETS - 1}")
            labels = Reference(sheet, range_string=f"Summary!${label}${first}:${label}$"
                               f"{first + spec.TOP_TARGETS - 1}")
            style = "money"
        else:
            table = next(t for t in spec.TABLES if t.sheet == source)
            data_sheet = book[source]
            first_row = table.header_row + 1
            values = Reference(data_sheet, min_col=table.first_column + table.index(value),
                               min_row=first_row, max_row=first_row)
            labels = Reference(data_sheet, min_col=table.first_column + table.index(label),
                               min_row=first_row, max_row=first_row)
            style = table.column(value).style
        chart.add_data(values, titles_from_data=False)
        chart.set_categories(labels)
        # The Top 15's data sits in hidden Summary columns: Excel plots hidden cells only
        # when the chart says so (plotVisOnly 0), or draws nothing.
        chart.visible_cells_only = False
        # Axis labels without cents: "$4,000", "60%"; a rate from 0 %, so a 68 % bar
        # is not drawn four times a 60 % one.
        # Thousands as "$5k" past $1,000: short enough to stand upright on a 10 cm chart.
        chart.y_axis.numFmt = {"money": '[<1000]"$"0;"$"#,##0,"k"',
                               "percent": "0%"}.get(style, "General")
        chart.y_axis.scaling.min = 0
        if style == "percent":
            chart.y_axis.scaling.max = 1
        # Both axes shown (newer Excel hides an axis that does not say so), the first
        # row on top, and the value axis along the bottom.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"   # the value axis meets the last (bottom) category
        # Axis labels at 11 pt: the one-page Summary prints them at 7 pt or more.
        for axis in (chart.x_axis, chart.y_axis):
            axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(
                defRPr=CharacterProperties(sz=1100)), endParaRPr=CharacterProperties())])
        sheet.add_chart(chart, anchor)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = spec.SUMMARY_PRINT_AREA


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    build(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
