"""The workbook: a template filled with a client's analysis, formulas and their values.

``write_workbook(analysis, path)`` copies the template part by part, replacing
only the data rows of each sheet, the tables' ranges, the charts' ranges and
cached values, and the settings and summary cells. Everything else a
template holds (a logo, colours, an extra sheet) passes through untouched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from ..analysis import Analysis
from ..errors import OutputError, check_suffix
from ..resources import template_path
from . import parts, spec, tables, xlsx
from .package import (TemplateError, Package, check_overwrite, copy_addin, copy_template,
                      is_xlfees_workbook)
from .sheets import (formula_templates, gap_matrix_cells, gap_matrix_templates,
                     peer_matrix_cells, peer_matrix_templates, peer_share_cells, peers_cells,
                     settings_cells, summary_cells, table_cells, table_last_rows,
                     table_records)

# What the ribbon (xlfees.excel) and the command line use of the filler.
__all__ = ["Package", "TemplateError", "check_overwrite", "copy_addin", "copy_template",
           "gap_matrix_cells", "is_xlfees_workbook", "peer_matrix_cells", "peer_share_cells",
           "peers_cells", "settings_cells", "spec", "summary_cells", "table_cells",
           "table_last_rows", "table_records", "template_path", "write_workbook"]


SHEET_ROWS = 1_048_576 - 10   # a worksheet's rows, less the title and header above a table


def write_workbook(analysis: Analysis, path: str | Path,
                   template: str | Path | None = None) -> Path:
    """Fill the template with ``analysis`` and write it to ``path`` (atomically).

    Every derived figure is a native formula that also stores the engine's
    value, so the file reads correctly in viewers that do not calculate.
    The template and the inputs are never modified.
    """
    path = Path(path)
    check_suffix(path, ".xlsx", "the workbook")
    check_overwrite(path, Path(template) if template else None)
    largest = max(len(analysis.targets), len(analysis.client.schedules),
                  len(analysis.client.volume))
    if largest > SHEET_ROWS:
        raise OutputError(f"{path}: the analysis has {largest:,} rows for one sheet, more than "
                          f"a worksheet holds ({SHEET_ROWS:,}); split the client's payers "
                          "or use `xlfees analyze --json`")
    package = Package(Path(template) if template else template_path())
    try:
        chart_values: dict[tuple[str, str], list[Any]] = {}
        records = table_records(analysis)
        last_rows = table_last_rows(records)
        # Each table's column styles, from the template's placeholder row, before any
        # table is filled (a table beside another shares its rows).
        styles = {table.name: _placeholder_styles(package, table) for table in spec.TABLES
                  if table.name in package.tables}
        for table in spec.TABLES:
            # Each table's records let go once its rows are XML: a big client's records are
            # half a gigabyte, and the sheets wait (in pieces, or on disk) for the zip.
            _fill_table(package, table, records.pop(table.name), last_rows, chart_values,
                        styles.get(table.name, {}))
        _fill_settings(package, analysis)
        _fill_matrix(package, spec.GAPS_SHEET, spec.GAPS_HEADER_ROW,
                     gap_matrix_templates(analysis, last_rows), heat_map=True)
        _fill_peers(package, analysis, last_rows)
        _fill_summary(package, analysis)
        top = tables.top_targets(analysis)
        chart_values[("Summary", spec.TOP_LABEL_COLUMN)] = [label for label, _ in top]
        chart_values[("Summary", spec.TOP_VALUE_COLUMN)] = [value for _, value in top]
        for name in package.order:
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
                package.put(name, xlsx.fill_chart(package.text(name),
                                                  _chart_lookup(chart_values)))
        package.put("xl/workbook.xml",
                    xlsx.ensure_full_calc_on_load(package.text("xl/workbook.xml")))
        package.save(path)
    finally:
        package.close()   # the spilled sheets' temporary files, however the write ended
    return path


def _chart_lookup(chart_values: dict[tuple[str, str], list[Any]]):
    def values(sheet: str, letter: str, first_row: int) -> list[Any]:
        return chart_values.get((sheet, letter), [])
    return values


def _placeholder_styles(package: Package, table: spec.TableSpec) -> dict[str, str]:
    """Column letter → the style the template's placeholder row gives a table's cells."""
    _, _, inner = xlsx.sheet_data(package.text(package.tables[table.name][0]))
    return xlsx.row_styles(dict(xlsx.rows_of(inner)).get(table.header_row + 1, ""))


def _fill_table(package: Package, table: spec.TableSpec, records: list[dict[str, Any]],
                last_rows: dict[str, int], chart_values: dict[tuple[str, str], list[Any]],
                styles: dict[str, str]) -> None:
    if table.name not in package.tables:
        raise TemplateError(f"{package.template}: has no table '{table.name}' on sheet "
                            f"'{table.sheet}'; use `xlfees template -o PATH` for a fresh one")
    sheet_part, table_part = package.tables[table.name]
    xml = package.text(sheet_part)
    first_row = table.header_row + 1
    letters = [xlsx.column_letter(table.first_column + i) for i in range(len(table.columns))]
    templates = formula_templates(table, last_rows)
    # Each formula column is one shared formula: its text on the first row, a pointer below.
    runs = xlsx.column_formulas(templates, len(records), first_row, table.first_column)
    columns = [(letter, column.header, styles.get(letter), first, below)
               for letter, column, (first, below) in zip(letters, table.columns, runs)]
    # Text columns wrap (the template's placeholder row says so): each row as tall as
    # its longest text's lines in its column.
    wrapped = {c.header: c.width for c in table.columns if c.style == "text" and not c.hidden}
    rows = xlsx.table_rows(records, columns, first_row, wrapped)
    if not records:  # a table keeps one (empty, styled) row
        rows.append(xlsx.row(first_row, [xlsx.cell(f"{letter}{first_row}", None,
                                                   styles.get(letter)) for letter in letters]))
    last_row = first_row + max(len(records), 1) - 1
    if spec.beside(table):
        # Beside another table on its sheet, written before it: the rows are shared.
        xml = xlsx.merge_rows(xml, rows)
        last_column = spec.sheet_last_column(table.sheet)
        package.put(sheet_part, xlsx.set_dimension(xml, last_column, max(
            last_row, *(last_rows[t.name] for t in spec.TABLES if t.sheet == table.sheet))))
    elif table.name == "Coverage":
        # Settings holds more than the table: replace only the coverage rows' cells.
        values = {f"{letters[i]}{first_row + n}": (record[c.header], None)
                  for n, record in enumerate(records) for i, c in enumerate(table.columns)}
        xml = xlsx.set_cells(xml, values)
        package.put(sheet_part, xml)
    else:
        head, kept, tail = xlsx.split_rows_from(xml, first_row)
        head = xlsx.set_dimension(head, table.first_column + len(table.columns) - 1, last_row)
        package.put_pieces(sheet_part, [head, *kept, *rows, tail])
    ref = f"{letters[0]}{table.header_row}:{letters[-1]}{last_row}"
    package.put(table_part, xlsx.set_table_ref(package.text(table_part), ref))
    for letter, column in zip(letters, table.columns):
        chart_values[(table.sheet, letter)] = [r.get(column.header) for r in records]


def _fill_settings(package: Package, analysis: Analysis) -> None:
    part = package.sheet("Settings")
    package.put(part, xlsx.set_cells(package.text(part), settings_cells(analysis)))


def _fill_peers(package: Package, analysis: Analysis, last_rows: dict[str, int]) -> None:
    cells = peer_matrix_templates(analysis, last_rows)
    _fill_matrix(package, spec.PEERS_SHEET, spec.PEERS_HEADER_ROW, cells, heat_map=False,
                 first=spec.PEERS_FIRST_SCHEDULE_COLUMN)
    part = package.sheet(spec.PEERS_SHEET)
    package.put(part, xlsx.set_cells(package.text(part), {
        **peers_cells(analysis), **peer_share_cells(analysis, last_rows)}))
    # The header row and then one row per code; Code and the per-code columns first.
    try:
        package.put("xl/workbook.xml", _peer_names(
            package.text("xl/workbook.xml"), len(cells) - 1,
            len(cells[0]) - spec.PEERS_FIRST_SCHEDULE_COLUMN + 1))
    except ValueError as error:   # a template's defined names the filler cannot resize
        raise TemplateError(f"{package.template}: {error}; write a fresh template with "
                            "`xlfees template -o PATH` and restyle that") from None


def _fill_matrix(package: Package, sheet: str, header: int,
                 matrix: list[list[tuple[Any, str | None]]], heat_map: bool,
                 first: int = spec.GAPS_FIRST_PAYER_COLUMN) -> None:
    part = package.sheet(sheet)
    xml = package.text(part)
    _, _, inner = xlsx.sheet_data(xml)
    rows_by_number = dict(xlsx.rows_of(inner))
    header_styles = xlsx.row_styles(rows_by_number.get(header, ""))
    data_styles = xlsx.row_styles(rows_by_number.get(header + 1, ""))
    value_style = data_styles.get(xlsx.column_letter(first))
    formulas = xlsx.shared_formulas([[formula for _, formula in cells] for cells in matrix],
                                    header)
    # Each column's letter and its data rows' style, worked out once (a matrix of 1,000
    # codes × 250 schedules is a quarter of a million cells).
    width = max((len(cells) for cells in matrix), default=0)
    letters = [xlsx.column_letter(column) for column in range(1, width + 1)]
    header_row_styles = [header_styles.get(letter if column < first
                                           else xlsx.column_letter(first))
                         for column, letter in enumerate(letters, start=1)]
    body_styles = [(data_styles.get(letter) if column > 1 else None) if column < first
                   else value_style for column, letter in enumerate(letters, start=1)]
    cell = xlsx.cell
    rows = []
    for offset, cells in enumerate(matrix):
        number = str(header + offset)
        styles = header_row_styles if offset == 0 else body_styles
        written = [cell(letter + number, value, style, formula)
                   for letter, style, (value, _), formula in zip(letters, styles, cells,
                                                                 formulas[offset])
                   # no amount for this code: the cell is left empty
                   if value is not None or formula is not None]
        # The header's payer names wrap in their columns (PAYER_COLUMN_WIDTH wide).
        lines = 1 if offset or not heat_map else max(
            (xlsx.lines_of(value, PAYER_COLUMN_WIDTH) for value, _ in cells[first - 1:]
             if isinstance(value, str)), default=1)
        rows.append(xlsx.row(int(number), written, lines))
    xml = xlsx.replace_rows_from(xml, header, rows)
    labels = len(matrix[0]) - (first - 1)
    last_column = first + max(labels, 1) - 1
    last_row = header + max(len(matrix) - 1, 1)
    area = f"{xlsx.column_letter(first)}{header + 1}:{xlsx.column_letter(last_column)}{last_row}"
    if heat_map:
        xml = re.sub(r'(<conditionalFormatting\b[^>]*?\bsqref=")[^"]*(")',
                     rf"\g<1>{area}\g<2>", xml, count=1)
    xml = xlsx.set_dimension(xml, last_column, last_row)
    if labels:
        xml = _payer_column_widths(xml, first, last_column)
    package.put(part, xml)


def _peer_names(workbook_xml: str, codes: int, schedules: int) -> str:
    """The Peers names sized to this client's matrix: a row of the matrix is then as wide
    as its schedules, not the 500 the template allows."""
    return parts.set_defined_names(workbook_xml, {
        name: escape(ref) for name, ref in spec.peer_names(codes, schedules).items()})


PAYER_COLUMN_WIDTH = 15


def _payer_column_widths(xml: str, first: int, last: int) -> str:
    column = f'<col min="{first}" max="{last}" width="{PAYER_COLUMN_WIDTH}" customWidth="1"/>'
    if re.search(rf'<col\b[^>]*\bmin="{first}"', xml):
        return xml
    if "<cols>" in xml:
        return xml.replace("</cols>", column + "</cols>", 1)
    return re.sub(r"(<sheetData)", f"<cols>{column}</cols>\\1", xml, count=1)


def _fill_summary(package: Package, analysis: Analysis) -> None:
    part = package.sheet("Summary")
    package.put(part, xlsx.set_cells(package.text(part), summary_cells(analysis)))
