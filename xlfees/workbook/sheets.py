"""What each sheet holds, cell by cell (value and formula), for the batch's writer and the
Excel add-in alike: one code path to the same workbook."""

from __future__ import annotations

from typing import Any, Callable

from ..analysis import Analysis
from ..labels import UNASSIGNED
from . import spec, tables, xlsx


def _records_for(table: spec.TableSpec) -> Callable[[Analysis], list[dict[str, Any]]]:
    return {
        "OfficeFees": tables.office_fee_rows, "Schedules": tables.schedule_rows,
        "Volume": tables.volume_rows, "Copays": tables.copay_rows, "Targets": tables.target_rows,
        "AltBenefits": tables.alt_rows, "Payers": tables.payer_rows, "Asks": tables.ask_rows,
        "Coverage": tables.coverage_rows, "ImportNotes": tables.note_rows,
        "Payments": tables.payment_rows, "Underpayments": tables.underpayment_rows,
        "Denials": tables.denial_rows, "Changes": tables.change_rows,
        "PaidOn": tables.paid_on_rows, "Realized": tables.realized_rows,
        "Worklist": tables.worklist_rows,
    }[table.name]


def _last_rows(row_counts: dict[str, int]) -> dict[str, int]:
    """Each table's last data row (a table without records keeps one empty row)."""
    return {table.name: table.header_row + max(row_counts[table.name], 1)
            for table in spec.TABLES}


def table_records(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """Every table's data rows for ``analysis``, by table name (built once per workbook)."""
    return {table.name: _records_for(table)(analysis) for table in spec.TABLES}


def table_last_rows(records: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Each table's last data row once ``records`` are written: where the plain
    references of every formula end."""
    return _last_rows({name: len(rows) for name, rows in records.items()})


def formula_templates(table: spec.TableSpec, last_rows: dict[str, int]) -> list[str | None]:
    return [spec.row_formula(c.formula, table, last_rows) if c.formula else None
            for c in table.columns]


def table_cells(table: spec.TableSpec, records: list[dict[str, Any]],
                last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """(value, formula) for every cell of a table's data rows, in column order.

    The batch's writer and the Excel add-in both write these formulas: one code path
    (the batch stores each column's as one shared formula).
    """
    templates = formula_templates(table, last_rows)
    first_row = table.header_row + 1
    return [[(record.get(column.header),
              None if template is None else xlsx.at_row(template, first_row + n))
             for column, template in zip(table.columns, templates)]
            for n, record in enumerate(records)]


def settings_cells(analysis: Analysis) -> dict[str, tuple[Any, str | None]]:
    """The named settings cells on the Settings sheet."""
    values = tables.settings_values(analysis)
    cells: dict[str, tuple[Any, str | None]] = {
        f"B{cell.row}": (values[cell.name], None) for cell in spec.SETTINGS_CELLS}
    no_payer = spec.NO_PAYER_CELL
    volume = analysis.client.volume
    cells[f"B{no_payer.row}"] = (
        float(volume.loc[[s == UNASSIGNED for s in analysis.volume_schedules], "count"].sum()),
        no_payer.formula)
    return cells


def summary_cells(analysis: Analysis) -> dict[str, tuple[Any, str | None]]:
    """The Summary sheet's client name, headline formulas (with values) and volume note."""
    cells: dict[str, tuple[Any, str | None]] = {
        spec.SUMMARY_CLIENT_CELL: (analysis.client.name, None),
        # A note in words, in the labels' column: never read as one of the figures.
        f"A{spec.SUMMARY_VOLUME_NOTE_ROW}": (f"Volume: {analysis.volume_basis}", None),
    }
    for headline, value in zip(spec.SUMMARY_HEADLINES, tables.summary_values(analysis)):
        cells[f"B{headline.row}"] = (value, headline.formula)
    label, lowest = tables.lowest_break_even(analysis)
    cells[f"A{spec.SUMMARY_BREAK_EVEN_ROW}"] = (label, spec.BREAK_EVEN_LABEL)
    cells[f"B{spec.SUMMARY_BREAK_EVEN_ROW}"] = (lowest, spec.LOWEST_BREAK_EVEN)
    for headline, value in zip(spec.MONITORING_HEADLINES,
                               tables.monitoring_values(analysis)):
        cells[f"B{headline.row}"] = (value, headline.formula)
    for headline, value in zip(spec.WORKLIST_HEADLINES, tables.worklist_values(analysis)):
        cells[f"B{headline.row}"] = (value, headline.formula)
    for rank, (label, value) in enumerate(tables.top_targets(analysis), start=1):
        row = spec.TOP_FIRST_ROW + rank - 1
        label_formula, value_formula = spec.top_target_formulas(row)
        cells[f"{spec.TOP_RANK_COLUMN}{row}"] = (rank, None)
        cells[f"{spec.TOP_LABEL_COLUMN}{row}"] = (label, label_formula)
        cells[f"{spec.TOP_VALUE_COLUMN}{row}"] = (value, value_formula)
    return cells


def gap_matrix_templates(analysis: Analysis,
                last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    labels, matrix = tables.gap_matrix(analysis)

    def formula(column: str) -> str:
        row = spec.GAPS_HEADER_ROW
        allowed = spec.peer_lookup(f"$A{xlsx.ROW}", f"{column}${row}")
        office = spec.plain_references(
            f"INDEX(OfficeFees[Office fee],MATCH($A{xlsx.ROW},OfficeFees[Code],0))",
            spec.GAPS_SHEET, last_rows)
        return f'=IF({office}>0,({office}-{allowed})/{office},"")'
    return _matrix_cells(labels, matrix, formula)


def gap_matrix_cells(analysis: Analysis,
                     last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """The Gaps sheet from its header row down: codes × schedules, gap percent formulas
    that find their Targets row by key (a sorted Targets changes nothing).

    A payer with no amount for a code gets an empty cell (None, None).
    """
    return _numbered(gap_matrix_templates(analysis, last_rows), spec.GAPS_HEADER_ROW)


def peer_matrix_templates(analysis: Analysis,
                 last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """The Peers sheet from its header row down: Code, the per-code columns, then a column
    per schedule, each cell the schedule's amount for the code found in Schedules by key
    (a binary search while Schedules is in key order)."""
    labels, matrix = tables.peer_matrix(analysis)
    first = spec.PEERS_FIRST_SCHEDULE_COLUMN
    last = xlsx.column_letter(first + max(len(labels), 1) - 1)
    code_row = f"${xlsx.column_letter(first)}{xlsx.ROW}:${last}{xlsx.ROW}"
    per_code = [spec.plain_references(column.formula.replace("{row}", code_row),
                                      spec.PEERS_SHEET, last_rows)
                for column in spec.PEER_CODE_COLUMNS]

    def amount(number: int) -> str:
        # The schedule's place is the column's: a number, not a MATCH per cell.
        key = f"({number}*10000+MID($A{xlsx.ROW},2,4))"
        found = f"MATCH({key},Schedules[Key],1)"
        return spec.plain_references(
            f"=IF(SchedulesInKeyOrder=1,IFERROR(IF(INDEX(Schedules[Key],{found})={key},"
            f'INDEX(Schedules[Allowed],{found}),""),""),'
            f'IFERROR(INDEX(Schedules[Allowed],MATCH({key},Schedules[Key],0)),""))',
            spec.PEERS_SHEET, last_rows)
    by_column = [amount(number) for number in range(1, len(labels) + 1)]
    rows: list[list[tuple[Any, str | None]]] = [
        [("Code", None), *[(column.header, None) for column in spec.PEER_CODE_COLUMNS],
         *[(label, None) for label in labels]]]
    for (code, _, amounts), values in zip(matrix, tables.peer_code_values(analysis, matrix)):
        rows.append([(code, None),
                     *[(values[column.header], formula)
                       for column, formula in zip(spec.PEER_CODE_COLUMNS, per_code)],
                     *[(None, None) if value is tables.MISSING else (value, template)
                       for value, template in zip(amounts, by_column)]])
    return rows


def peer_matrix_cells(analysis: Analysis,
                      last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """The hidden Peers sheet from its header row down: every code × schedule, the
    allowed amount looked up in Schedules by key ("" where the schedule has none)."""
    return _numbered(peer_matrix_templates(analysis, last_rows), spec.PEERS_HEADER_ROW)


def peer_share_cells(analysis: Analysis,
                     last_rows: dict[str, int]) -> dict[str, tuple[Any, str | None]]:
    """The Peers row above the schedules: each one's share of volume without a payer."""
    first = spec.PEERS_FIRST_SCHEDULE_COLUMN
    cells: dict[str, tuple[Any, str | None]] = {
        f"A{spec.PEERS_SHARE_ROW}": (spec.NO_PAYER_SPLIT, None)}
    for offset, share in enumerate(tables.peer_shares(analysis)):
        column = xlsx.column_letter(first + offset)
        formula = spec.plain_references(spec.PEER_SHARE.replace("{column}", column),
                                        spec.PEERS_SHEET, last_rows)
        cells[f"{column}{spec.PEERS_SHARE_ROW}"] = (share, formula)
    return cells


def peers_cells(analysis: Analysis) -> dict[str, tuple[Any, str | None]]:
    """The single cells on the Peers sheet the formulas share, formula and value."""
    values = tables.peers_cells(analysis)
    return {cell.ref: (values[cell.name], cell.formula) for cell in spec.PEERS_CELLS}


def _matrix_cells(labels: list[str], matrix: list[tuple[str, str, list[Any]]],
                  formula: Callable[[str], str]) -> list[list[tuple[Any, str | None]]]:
    """The header row, then a row per code: (value, formula template) for each cell."""
    by_column = [formula(xlsx.column_letter(3 + offset)) for offset in range(len(labels))]
    rows: list[list[tuple[Any, str | None]]] = [
        [("Code", None), ("Description", None), *[(label, None) for label in labels]]]
    for code, description, values in matrix:
        rows.append([(code, None), (description, None), *[
            (None, None) if value is tables.MISSING else (value, template)
            for value, template in zip(values, by_column)]])
    return rows


def _numbered(cells: list[list[tuple[Any, str | None]]],
              first_row: int) -> list[list[tuple[Any, str | None]]]:
    """Formula templates with their row numbers filled in (the first row is ``first_row``)."""
    return [[(value, None if formula is None else xlsx.at_row(formula, first_row + n))
             for value, formula in row] for n, row in enumerate(cells)]
