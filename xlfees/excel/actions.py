"""The ribbon's actions: the batch's code path, through a workbook adapter.

Import reads a client folder into the input sheets; Analyze reads the input
sheets back, runs the engine and writes the same analysis sheets, with the
same formulas, that ``xlfees batch`` writes; Letters and Export PDF call the
same functions as ``xlfees letters``.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis import Analysis, analyze
from ..client import Client
from ..notes import Note
from ..written import SUMMARY_SUFFIX
from ..deliverables import FileNames, write_deliverables
from ..deliverables.content import summary
from ..deliverables.documents import write_summary_pdf
from ..analysis.engine import ANALYSIS, VOLUME_PER_100
from ..errors import XlfeesError
from ..sources.folder import CLIENT_TOML, read_toml, remittances_in
from ..client import build_client, load_client, superseded_versions
from ..analysis.monitoring import MONITORING
from ..sources.client_toml import DEFAULT_ASK, EXTERNAL, PEER, PERCENT, TO_BENCHMARK, Settings
from ..wording import plural
from ..workbook import (gap_matrix_cells, peer_matrix_cells, peer_share_cells, peers_cells,
                        settings_cells, spec, summary_cells, table_cells, table_last_rows,
                        table_records)
from ..cells import column_letter
from .book import Book, _split_ref

CLIENT_FOLDER_CELL = "B" + str(next(cell.row for cell in spec.SETTINGS_CELLS
                                     if cell.name == "ClientFolder"))


class ActionError(XlfeesError):
    """An action cannot run on this workbook (an input sheet is missing or empty)."""


# --- writing ---------------------------------------------------------------------------

def _write_table(book: Book, table: spec.TableSpec, records: list[dict[str, Any]],
                 last_rows: dict[str, int]) -> None:
    first_row = table.header_row + 1
    if table.sheet != "Settings":   # only the table's own columns: another may sit beside
        book.clear_from(table.sheet, first_row,
                        (table.first_column, table.first_column + len(table.columns) - 1))
    book.write(table.sheet, first_row, table.first_column,
               table_cells(table, records, last_rows))
    last_column = column_letter(table.first_column + len(table.columns) - 1)
    last_row = first_row + max(len(records), 1) - 1
    book.resize_table(table.sheet, table.name,
                      f"{column_letter(table.first_column)}{table.header_row}:"
                      f"{last_column}{last_row}")


def _write_cells(book: Book, sheet: str, cells: dict[str, tuple[Any, str | None]]) -> None:
    for ref, cell in cells.items():
        row, column = _split_ref(ref)
        book.write(sheet, row, column, [[cell]])


def write_inputs(book: Book, analysis: Analysis) -> None:
    """Office Fees, Schedules, Volume, Settings and Import Notes from a client folder's reading."""
    records = table_records(analysis)
    last_rows = table_last_rows(records)
    for table in (spec.OFFICE_FEES, spec.SCHEDULES, spec.COPAYS, spec.VOLUME, spec.COVERAGE):
        _write_table(book, table, records[table.name], last_rows)
    # Settings from client.toml; the folder the coordinator chose stays as it is.
    settings = {ref: cell for ref, cell in settings_cells(analysis).items()
                if ref != CLIENT_FOLDER_CELL}
    _write_cells(book, "Settings", settings)
    # Payers carries one input, each schedule's share of volume without a payer.
    for table in (spec.NOTES, spec.PAYERS):
        _write_table(book, table, records[table.name], last_rows)


def write_analysis(book: Book, analysis: Analysis) -> None:
    """Targets, Alt Benefits, Payers, Asks, Gaps and Summary: what the batch writes, the
    same way."""
    records = table_records(analysis)
    last_rows = table_last_rows(records)
    for table in (spec.TARGETS, spec.ALT_BENEFITS, spec.PAYERS, spec.ASKS, spec.NOTES,
                  spec.PAYMENTS, spec.PAID_ON, spec.UNDERPAYMENTS, spec.DENIALS,
                  spec.CHANGES, spec.REALIZED, spec.WORKLIST):
        _write_table(book, table, records[table.name], last_rows)
    book.clear_from(spec.GAPS_SHEET, spec.GAPS_HEADER_ROW)
    book.write(spec.GAPS_SHEET, spec.GAPS_HEADER_ROW, 1, gap_matrix_cells(analysis, last_rows))
    book.clear_from(spec.PEERS_SHEET, spec.PEERS_SHARE_ROW)   # the shares, then the matrix
    book.write(spec.PEERS_SHEET, spec.PEERS_HEADER_ROW, 1, peer_matrix_cells(analysis, last_rows))
    _write_cells(book, spec.PEERS_SHEET, {**peers_cells(analysis),
                                          **peer_share_cells(analysis, last_rows)})
    _write_cells(book, "Summary", summary_cells(analysis))
    volume_basis = next(f"B{cell.row}" for cell in spec.SETTINGS_CELLS
                        if cell.name == "VolumeBasis")
    _write_cells(book, "Settings", {volume_basis: settings_cells(analysis)[volume_basis]})


# --- reading -----------------------------------------------------------------------------

def _table_frame(book: Book, table: spec.TableSpec) -> pd.DataFrame:
    rows = book.values(table.sheet)
    width = len(table.columns)
    first = table.first_column - 1
    data = [row[first:first + width] + [None] * (width - len(row[first:first + width]))
            for row in rows[table.header_row:]]
    data = [row for row in data if any(v not in (None, "") for v in row)]
    return pd.DataFrame(data, columns=[c.header for c in table.columns], dtype=object)


def _cell(rows: list[list[Any]], ref: str) -> Any:
    row, column = _split_ref(ref)
    if row > len(rows) or column > len(rows[row - 1]):
        return None
    return rows[row - 1][column - 1]


def client_folder(book: Book) -> Path:
    """The folder Import reads: Settings!B12 if filled in, else the workbook's own folder."""
    value = _cell(book.values("Settings"), CLIENT_FOLDER_CELL)
    if value not in (None, ""):
        folder = Path(str(value)).expanduser()
        return folder if folder.is_absolute() else book.folder() / folder
    return book.folder()


def _settings(book: Book, toml: dict[str, Any]) -> Settings:
    rows = book.values("Settings")
    named = {cell.name: _cell(rows, f"B{cell.row}") for cell in spec.SETTINGS_CELLS}
    q = named["BenchmarkQ"]
    if str(named["Benchmark"] or "").strip().lower() == EXTERNAL:
        benchmark = EXTERNAL
    elif q in (None, "") or float(q) == 0.5:
        benchmark = "median"
    elif float(q) == 1:
        benchmark = "max"
    else:
        benchmark = f"p{round(float(q) * 100)}"
    coverage = {row["Category"]: float(row["Coverage"])
                for row in _table_frame(book, spec.COVERAGE).to_dict("records")
                if row["Category"]}
    shares: dict[str, float] = {}
    if named["VolumeBasis"] != VOLUME_PER_100:
        payers = _table_frame(book, spec.PAYERS)
        split = spec.NO_PAYER_SPLIT
        shares = {row["Schedule"]: float(row[split]) for row in payers.to_dict("records")
                  if row["Schedule"] and row[split] not in (None, "") and float(row[split]) > 0}
    from_toml = Settings.from_toml(toml)   # what the sheets do not show: alternate maps
    strategy = (TO_BENCHMARK if str(named["Strategy"] or "").strip().lower() == PEER
                else PERCENT)
    ask = float(named["Ask"]) if named["Ask"] not in (None, "") else DEFAULT_ASK
    return Settings(ask=ask, ask_strategy=strategy, ask_codes=from_toml.ask_codes,
                    ask_min_volume=from_toml.ask_min_volume, ask_cap=from_toml.ask_cap,
                    ask_package=from_toml.ask_package,
                    alt_ask=float(named["AltAsk"] or 0.0), benchmark=benchmark,
                    balance_basis=str(named["BalanceBasis"] or "office").strip().lower(),
                    coverage=coverage or dict(from_toml.coverage), payer_shares=shares,
                    alt_map=from_toml.alt_map, default_alt_map=from_toml.default_alt_map,
                    payer_alt_map=from_toml.payer_alt_map,
                    oon_collection=(from_toml.oon_collection if named["OonCollection"]
                                    in (None, "") else float(named["OonCollection"])),
                    letter_mentions_leaving=from_toml.letter_mentions_leaving)


def read_client(book: Book) -> Client:
    """The client as the input sheets now say (after the coordinator's edits), with what
    the sheets do not show from its folder: the older dated versions of each schedule,
    the ERAs and client.toml (built as ``load_client`` builds one)."""
    folder = client_folder(book)
    toml_path = folder / CLIENT_TOML
    toml = read_toml(toml_path)
    office = _table_frame(book, spec.OFFICE_FEES).rename(columns={
        "Code": "code", "Description": "description", "Office fee": "office_fee",
        "Benchmark": "benchmark"})
    if office.empty:
        raise ActionError("the Office Fees sheet is empty: run Import schedules first, or "
                          "type the office fees into its table")
    schedules = _table_frame(book, spec.SCHEDULES).rename(columns={
        "Payer": "payer", "Network": "network", "Code": "code", "Allowed": "allowed",
        "Alt code": "alt_code", "Alt allowed": "alt_allowed", "Effective": "effective",
        "Source": "source", "Row": "row"})
    copays = _table_frame(book, spec.COPAYS).rename(columns={
        "Plan": "payer", "Network": "network", "Code": "code", "Patient pays": "copay",
        "Effective": "effective", "Source": "source", "Row": "row"})
    volume = _table_frame(book, spec.VOLUME).rename(columns={
        "Code": "code", "Payer": "payer", "Count": "count"})[["code", "payer", "count"]]
    volume["payer"] = volume["payer"].fillna("")
    office["benchmark"] = office["benchmark"].map(
        lambda v: math.nan if v in (None, "") else v)
    schedules["alt_allowed"] = schedules["alt_allowed"].map(
        lambda v: math.nan if v in (None, "") else v)
    schedules["effective"] = schedules["effective"].map(lambda v: None if v in (None, "") else v)
    name = _cell(book.values("Summary"), spec.SUMMARY_CLIENT_CELL)
    # Rows left out when the files were read stay noted; the analysis notes are made anew.
    notes = [Note(reason=str(r["Reason"]), file=r["File"], sheet=r["Sheet"],
                  row=None if r["Row"] in (None, "") else int(r["Row"]),
                  text=None if r["Text"] is None else str(r["Text"]))
             for r in _table_frame(book, spec.NOTES).to_dict("records")
             if r["Stage"] not in (ANALYSIS, MONITORING) and r["Reason"]]
    # The ERAs and the replaced schedule versions stay in the client folder: read anew.
    remittances, era_notes = remittances_in(folder) if folder.is_dir() else ([], [])
    older_notes: list[Note] = []
    older = superseded_versions(folder, older_notes) if folder.is_dir() else None
    history = schedules if older is None else pd.concat(
        [schedules, _replaced_in_the_sheet(older, schedules)], ignore_index=True)
    return build_client(folder, toml, toml_path, settings=_settings(book, toml),
                        office_fees=office, schedule_history=history, volume=volume,
                        notes=notes + era_notes + older_notes, remittances=remittances,
                        name=str(name) if name not in (None, "") else None,
                        copays=copays if len(copays) else None)


def _replaced_in_the_sheet(older: pd.DataFrame, sheet: pd.DataFrame) -> pd.DataFrame:
    """The folder's older versions of codes the sheet still lists with a newer effective
    date: a payer the coordinator renamed, or a code removed from the sheet, does not come
    back from the folder."""
    newest: dict[tuple[str, str, str], str] = {}
    for payer, network, code, effective in zip(sheet["payer"], sheet["network"],
                                               sheet["code"], sheet["effective"]):
        if isinstance(effective, str):
            key = (str(payer), "" if network is None else str(network), str(code))
            newest[key] = max(newest.get(key, effective), effective)
    keep = [isinstance(effective, str)
            and effective < newest.get((str(payer), "" if network is None else str(network),
                                        str(code)), "")
            for payer, network, code, effective in zip(older["payer"], older["network"],
                                                       older["code"], older["effective"])]
    return older.loc[keep, [c for c in older.columns if c in sheet.columns]]


# --- the four buttons ------------------------------------------------------------------------

def import_schedules(book: Book) -> str:
    """Read the client folder into Office Fees, Schedules, Volume and Settings."""
    folder = client_folder(book)
    analysis = analyze(load_client(folder))
    write_inputs(book, analysis)
    _write_cells(book, "Summary", {spec.SUMMARY_CLIENT_CELL: (analysis.client.name, None)})
    return (f"Imported {plural(len(analysis.payers), 'payer schedule')} and "
            f"{plural(len(analysis.client.office_fees), 'office fee')} from {folder}; "
            f"{plural(len(analysis.notes), 'note')}. Press Analyze next.")


def analyze_book(book: Book) -> str:
    """Analyse what the input sheets hold and write every analysis sheet."""
    analysis = analyze(read_client(book))
    write_analysis(book, analysis)
    return (f"Analysed {plural(len(analysis.payers), 'payer schedule')}, "
            f"{plural(len(analysis.targets), 'target')}.")


def letters(book: Book, day: date | None = None) -> str:
    """Letters, summary and proposed schedules into a 'letters' folder beside the workbook."""
    analysis = analyze(read_client(book))
    out = book.folder() / "letters"
    written = write_deliverables(analysis, out, day=day)
    return " ".join([f"Wrote {plural(len(written.all), 'file')} to {out}.",
                     *[f"{note}." for note in written.passed_over]])


def export_pdf(book: Book, day: date | None = None) -> Path:
    """The one-page summary PDF beside the workbook."""
    analysis = analyze(read_client(book))
    path = book.folder() / FileNames().give(analysis.client.name, SUMMARY_SUFFIX)
    return write_summary_pdf(summary(analysis, day or date.today()), path)
