"""Reading one file of any supported shape into canonical rows, with every rejected row kept."""

from __future__ import annotations

import operator
import re
from collections import Counter
from datetime import date, datetime
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..amounts import MAX_FEE, implausible, looks_decimal_comma, non_amount_reason, parse_amount
from ..cdt import normalize_code, other_code_set
from ..money import amount as shown_amount
from ..notes import Note
from ..resources import GROUP_SHEETS, RESULT_SHEETS
from .pins import FILE_ROLES as ROLES
from .pins import ADULT_AGE, FilePins
from ..wording import needs_cleaning, printable, readable_name
from .grids import Cell, Grid, read_pdf, read_text, read_workbook
from .layout import Layout, find_layout, is_totals, map_header
from .limits import Limits, ReadError, check_sheet_extents, file_kind
from .names import CARRIERS, effective_date, iso_date, payer_from_filename, payer_from_title

SCHEDULE_ROW_KEYS = ("payer", "network", "code", "allowed", "alt_code", "alt_allowed",
                     "effective", "sheet", "row")
# Kept on a schedule row only when the file has a dimension column (modifier, tier …).
DIMENSION = "dimension"
OFFICE_ROW_KEYS = ("code", "description", "office_fee", "benchmark", "sheet", "row")
VOLUME_ROW_KEYS = ("code", "payer", "count", "sheet", "row")
COPAY_ROW_KEYS = ("payer", "network", "code", "copay", "effective", "sheet", "row")
# A procedure log's status words for a procedure done (Open Dental's ProcStatus 2 is "C").
COMPLETED = frozenset({"c", "2", "complete", "completed", "done", "posted"})


# A file that rejects more rows than this is not a schedule xlfees can use as it is;
# listing every one would cost more than the file (a sheet of 5 million conflicting
# amounts): the rest are counted by reason, as frictionless' limit_errors does.
MAX_LISTED_REJECTED = 100_000   # as many as the workbook's Import Notes sheet lists


class RejectedRows(list[Note]):
    """A file's rejected-row notes: the first MAX_LISTED_REJECTED listed, the rest
    counted by the kind of reason (``unlisted``)."""

    def __init__(self, notes: Any = ()) -> None:
        super().__init__()
        self.unlisted: Counter[str] = Counter()
        self.extend(notes)

    def append(self, note: Note) -> None:
        if len(self) < MAX_LISTED_REJECTED:
            super().append(note)
        else:
            self.unlisted[_reason_kind(note.reason)] += 1

    def extend(self, notes: Any) -> None:
        for note in notes:
            self.append(note)

    @property
    def total(self) -> int:
        """Every rejected row, listed or not."""
        return len(self) + sum(self.unlisted.values())

    def full(self) -> bool:
        return len(self) >= MAX_LISTED_REJECTED


def _reason_kind(reason: str) -> str:
    """'conflicting amounts for D0120: row 3 (…)' → 'conflicting amounts'."""
    return re.split(r" for |: | \(|;", reason, maxsplit=1)[0][:60]


@dataclass
class FileRead:
    """How one file was read (the ``xlfees inspect`` answer) and the rows it gave."""

    file: str
    role: str
    sheet: str | None
    header_row: int | None
    columns: dict[str, Any]
    schedules: list[dict[str, Any]] = field(default_factory=list)
    office_fees: list[dict[str, Any]] = field(default_factory=list)
    volume: list[dict[str, Any]] = field(default_factory=list)
    survey: list[dict[str, Any]] = field(default_factory=list)
    copays: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Note] = field(default_factory=RejectedRows)
    notes: list[Note] = field(default_factory=list)   # about the file, not one row
    encoding: str | None = None
    delimiter: str | None = None
    headers: list[str] = field(default_factory=list)   # every column header, as written
    why: dict[str, str] = field(default_factory=dict)  # header (or "column N") → role: reason
    header_place: str | None = None   # "page 1" when a PDF's column titles gave the header
    key: str = ""   # its name in client.toml's [files."…"] (the path inside the folder)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return {"schedule": self.schedules, "office_fees": self.office_fees,
                "volume": self.volume, "survey": self.survey, "copay": self.copays}[self.role]

    @property
    def rejected_count(self) -> int:
        """Every rejected row, those past the listed ones included."""
        return getattr(self.rejected, "total", len(self.rejected))

    def to_dict(self) -> dict[str, Any]:
        """The ``xlfees inspect --json`` document."""
        document: dict[str, Any] = {
            "file": self.file, "role": self.role, "sheet": self.sheet,
            "header_row": self.header_row,
            **({"header_page": self.header_place} if self.header_place else {}),
            "columns": self.columns,
            "why": dict(self.why),
            "rows": [dict(r) for r in self.rows],
            "rejected": [{"sheet": n.sheet, "row": n.row, "text": n.text, "reason": n.reason}
                         for n in self.rejected],
        }
        if self.rejected_count > len(self.rejected):   # past the first MAX_LISTED_REJECTED
            document["rejected_not_listed"] = self.rejected_count - len(self.rejected)
        if self.role == "schedule" and self.office_fees:
            document["office_fees"] = [dict(r) for r in self.office_fees]
        return document

    def column_mapping(self) -> str:
        """"code ← 'Code', allowed ← 2 payer columns": which header became which column."""
        return ", ".join(f"{name} ← {header!r}" if isinstance(header, str)
                         else f"{name} ← {len(header)} payer columns"
                         for name, header in self.columns.items())

    def frame(self, table: str) -> pd.DataFrame:
        """Rows of one table as a DataFrame for :meth:`xlfees.Client.from_frames`."""
        rows = getattr(self, table)
        keys = {"schedules": SCHEDULE_ROW_KEYS, "office_fees": OFFICE_ROW_KEYS,
                "volume": VOLUME_ROW_KEYS, "copays": COPAY_ROW_KEYS}[table]
        frame = pd.DataFrame([{k: r.get(k) for k in keys} for r in rows], columns=list(keys),
                             dtype=object)
        frame["source"] = self.file
        return frame


# --- which role a file plays -----------------------------------------------------------

_OFFICE_HINT = re.compile(r"office|ucr|usual|our[ _-]?fees|practice[ _-]?fees|fee[ _-]?list",
                          re.IGNORECASE)
_VOLUME_HINT = re.compile(r"volume|procedures|production|utilization|frequenc|proc[ _-]?count"
                          r"|quantit", re.IGNORECASE)
_PUBLIC_PAYER = re.compile(r"medicaid|chip\b|denti-?cal|medi-?cal|tricare|state plan",
                           re.IGNORECASE)
_SCHEDULE_HINT = re.compile(
    r"ppo|pdp|hmo|schedule|allow|payer|carrier|delta|cigna|aetna|metlife|guardian|united|"
    r"concordia|ameritas|humana|principal|sun ?life|careington|uhc|bcbs|blue ?cross|anthem|"
    r"geha|connection|dentemax|premier|assurant|lincoln|mutual|renaissance", re.IGNORECASE)


def name_hint(relative: str) -> str | None:
    """The role a file's name or folder suggests; content decides, this breaks ties."""
    parts = Path(relative).parts
    if len(parts) > 1 and parts[0].lower() in ("payers", "schedules", "payer", "carriers"):
        return "schedule"
    name = Path(relative).stem
    if CARRIERS.search(name.replace("_", " ")) or _PUBLIC_PAYER.search(name):
        return "schedule"   # a payer's name outweighs "fee list" or "fees" beside it
    for role, pattern in (("office_fees", _OFFICE_HINT), ("volume", _VOLUME_HINT),
                          ("schedule", _SCHEDULE_HINT)):
        if pattern.search(name):
            return role
    return None


def _sheet_role(layout: Layout) -> str | None:
    """The role a table's columns prove, 'alt' for an alternate-benefit sheet, None if unsure."""
    columns = layout.columns
    if layout.survey:
        return "survey"
    if "count" in columns:
        return "volume"
    if "copay" in columns:
        return "copay"
    if "service_date" in columns and not layout.wide and not any(
            n in columns for n in ("allowed", "office_fee", "alt_code", "alt_allowed")):
        return "volume"   # a procedure log: one row per procedure performed, on its date
    if "allowed" in columns or layout.wide:
        return "schedule"
    if "alt_code" in columns or "alt_allowed" in columns:
        return "alt"
    if "office_fee" in columns:
        return "office_fees"
    return None  # only a generic "Fee"/"Amount" column: the name or a pin must say


class AmbiguousFile(ReadError):
    """Content and name do not settle a file's role; the message gives the client.toml line."""


class XlfeesWorkbook(ReadError):
    """A workbook xlfees itself wrote: a result, not an input."""


# --- reading -----------------------------------------------------------------------------

def read_file(path: str | Path, pins: FilePins | None = None, *, display: str | None = None,
              hint: str | None = None, limits: Limits | None = None,
              key: str | None = None) -> FileRead:
    """Read any supported file: detect the format, the table, the role and every row.

    ``display`` is the name used in notes (the path inside the client folder);
    ``hint`` the role the folder or file name suggests; ``key`` the file's name as
    client.toml's ``[files."…"]`` wants it, in every pin a message suggests (default
    ``display``).
    """
    path = Path(path)
    pins = pins or FilePins()
    limits = limits or Limits()
    display = display or readable_name(str(path))
    key = key or display
    kind = file_kind(path, limits, display)
    if kind == "text":
        grids = [rejoin_split_amounts(read_text(path, limits, display))]
    elif kind == "pdf":
        grids = [read_pdf(path, limits, display)]
    else:
        try:
            grids = read_workbook(path, limits, display)
        except ReadError as error:
            if kind == "xlsx" and error.problem.startswith("could not be read within"):
                check_sheet_extents(path, limits, display)   # a far cell, named
            raise
        sheet_names = {g.sheet for g in grids}
        if pins == FilePins() and RESULT_SHEETS <= sheet_names:
            raise XlfeesWorkbook(display, "is a workbook xlfees wrote (its Summary, Targets and "
                                          "Payers sheets are results, not inputs)",
                                 "inspect the files it was made from: the office fees, the "
                                 "payer schedules and the volume report")
        if pins == FilePins() and GROUP_SHEETS <= sheet_names:
            raise XlfeesWorkbook(display, "is a group's roll-up xlfees wrote (its Payers, "
                                          "Locations and Detail sheets are results, not inputs)",
                                 "inspect the locations' own files: each client folder's "
                                 "office fees, payer schedules and volume report")
    notes: list[Note] = [Note(reason="a hidden sheet (lookups, not the schedule): not read",
                              file=display, sheet=g.sheet) for g in grids if g.hidden]
    grids = [g for g in grids if not g.hidden]
    for grid in grids:   # text every writer can hold, whatever the file had in it
        if needs_cleaning(grid.rows):   # one scan of all the text; rarely anything to do
            grid.rows = [[printable(c) if isinstance(c, str) else c for c in row]
                         for row in grid.rows]
    if hint is None:
        hint = name_hint(display)

    if pins.sheet is not None:
        names = [g.sheet for g in grids]
        if pins.sheet not in names:
            raise ReadError(display, f"has no sheet '{pins.sheet}'",
                            "pin one of its sheets: " + ", ".join(f"'{n}'" for n in names))
        grids = [g for g in grids if g.sheet == pins.sheet]
    found: list[tuple[Grid, Layout, str | None]] = []
    for grid in grids:
        layout = find_layout(grid, pins.columns, pins.header_row)
        if layout is None:
            if grid.sheet is not None and any(any(_text(c) for c in r) for r in grid.rows):
                notes.append(Note(reason="holds no table of CDT codes; not read",
                                  file=display, sheet=grid.sheet))
            continue
        found.append((grid, layout, _sheet_role(layout)))
    if not found:
        raise _no_table(display, key, grids, pins)

    alternates = [f for f in found if f[2] == "alt"]
    primary = [f for f in found if f[2] != "alt"]
    if not primary:
        primary, alternates = alternates[:1], alternates[1:]
    if len(primary) > 1:
        sheets = ", ".join(f"'{g.sheet}'" for g, _, _ in primary)
        raise AmbiguousFile(display, f"holds tables on several sheets ({sheets})",
                            f'pin one in client.toml: [files."{key}"] sheet = '
                            f'"{primary[0][0].sheet}"')
    grid, layout, role = primary[0]
    role = _settle_role(display, layout, role, pins.role, hint, key)
    if role == "volume" and "count" not in layout.columns:
        _procedure_log_columns(layout)
    result = FileRead(file=display, role=role, sheet=grid.sheet,
                      header_row=(grid.row_numbers[layout.header_index]
                                  if layout.header_index is not None else None),
                      columns=_column_names(layout), notes=notes,
                      encoding=grid.encoding, delimiter=grid.delimiter,
                      headers=[layout.headers[c] for c in sorted(layout.headers)],
                      why={layout.headers.get(c, f"column {c + 1}"): reason
                           for c, reason in sorted(layout.why.items())}, key=key)
    if grid.row_sheets and layout.header_index is not None:
        result.header_place = grid.sheet_of(layout.header_index)   # "page 1" of a PDF
    reader = _RowReader(result, grid, layout, pins, display)
    # A wide sheet's repeated codes are set aside as they are read (no alternate sheet or
    # modifier column can change them later): a hostile sheet of 5 million cells that
    # repeat 25 times over would otherwise be 5 million rows held until the end.
    reader.compact = bool(layout.wide) and DIMENSION not in layout.columns and not alternates
    reader.read()
    if grid.rejected:   # lines the text reader could not make rows of, in line order
        result.rejected.extend(Note(reason=reason, file=display, row=row, text=text)
                               for row, text, reason in grid.rejected)
        result.rejected.sort(key=lambda note: note.row or 0)
    for alt_grid, alt_layout, _ in alternates:
        if role == "schedule":
            _merge_alternates(result, alt_grid, alt_layout, pins, display)
    _choose_dimension(result, pins)
    _resolve_duplicates(result)
    unlisted = getattr(result.rejected, "unlisted", None)
    if unlisted:
        result.notes.append(Note(
            reason=f"{sum(unlisted.values()):,} more rejected rows are not listed (the first "
                   f"{MAX_LISTED_REJECTED:,} are): " + ", ".join(
                       f"{kind} {count:,}" for kind, count in unlisted.most_common())
                   + "; check this is the file meant", file=display))
    return result


def _procedure_log_columns(layout: Layout) -> None:
    """A procedure log counts its rows: what each procedure cost or where in the mouth it
    was done is not read (and is never a payer)."""
    for name, reason in (("amount", "what was charged; a procedure log counts procedures"),
                         ("dimension", "where each procedure was done; every one counts")):
        column = layout.columns.pop(name, None)
        if column is not None:
            layout.why[column] = (f"not used: {reason} (header "
                                  f"{layout.headers.get(column, column)!r})")


def _no_table(display: str, key: str, grids: list[Grid], pins: FilePins) -> ReadError:
    """Why no table was found, and the pin that makes it read (the row of its column
    names above the first CDT code, and that column's header), or that it holds no CDT
    code at all: not a file xlfees reads."""
    where = f"sheet '{pins.sheet}'" if pins.sheet else "it"
    for grid in grids:
        for index, row in enumerate(grid.rows):
            column = next((c for c, cell in enumerate(row) if isinstance(cell, str)
                           and cell.lstrip()[:1] in ("D", "d") and normalize_code(cell)), None)
            if column is None:
                continue
            # The header: the nearest row above with text in the code's column.
            above = next((i for i in range(index - 1, -1, -1)
                          if isinstance(_cell(grid.rows[i], column), str)
                          and _text(_cell(grid.rows[i], column))), None)
            sheet = f'sheet = "{grid.sheet}", ' if grid.sheet and len(grids) > 1 else ""
            if above is None:
                pin = f'{sheet}columns = {{ code = "column {column + 1}" }}'
            else:
                # The header as a TOML string (a quote or backslash in it escaped).
                header = json.dumps(_text(grid.rows[above][column]), ensure_ascii=False)
                pin = (f"{sheet}header_row = {grid.row_numbers[above]}, columns = {{ code = "
                       f'{header}, allowed = "<its amount column>" }}')
            return ReadError(display, f"no table of CDT codes found in {where} (a CDT code "
                             f"first appears at row {grid.row_numbers[index]})",
                             f'pin its header in client.toml: [files."{key}"] {pin}')
    return ReadError(display, f"holds no CDT code (D0120 and the like) anywhere in {where}: "
                     "not a fee schedule, office-fee list or volume report",
                     f'check it is the file meant, or leave it out: [files."{key}"] '
                     "skip = true")


def _settle_role(display: str, layout: Layout, proven: str | None, pinned: str | None,
                 hint: str | None, key: str) -> str:
    if pinned:
        if pinned not in ROLES:
            raise ReadError(display, f"role '{pinned}' is not a role",
                            "use " + ", ".join(ROLES[:-1]) + " or " + ROLES[-1])
        if pinned == "survey" and not layout.survey:
            raise ReadError(display, "is pinned as a survey but no column names a percentile "
                            "or an average" + _columns_seen(layout),
                            'check the pin: a survey has columns such as "50th", "75th", '
                            '"90th" and "Average"')
        if pinned == "volume" and "count" not in layout.columns \
                and "service_date" not in layout.columns:
            raise ReadError(display, "is pinned as volume but has no count column"
                            + _columns_seen(layout), 'map it in client.toml: [files."'
                            + key + '"] columns = { count = "<header>" }')
        _rename_amount(layout, pinned)
        needed = {"office_fees": "office_fee", "schedule": "allowed", "copay": "copay"}.get(pinned)
        if needed and needed not in layout.columns and not layout.wide:
            what = {"office_fee": "the office fee", "allowed": "the allowed amount",
                    "copay": "what the patient pays"}[needed]
            raise ReadError(display, f"is pinned as {pinned} but no column holds {what}"
                            + _columns_seen(layout), 'map it in client.toml: [files."'
                            + key + f'"] columns = {{ {needed} = "<header>" }}')
        return pinned
    if proven == "alt":
        proven = "schedule"
    if proven is None and "amount" in layout.columns and any(
            _COPAY_TITLE.search(title) for title in layout.title_lines[:8]):
        proven = "copay"      # "Patient Charge Schedule": what the patient pays
    if proven is None and "amount" in layout.columns and hint in ("schedule", "office_fees"):
        proven = hint
    if proven is None and "amount" in layout.columns and any(
            CARRIERS.search(title) for title in layout.title_lines[:8]):
        proven = "schedule"   # the title names a dental carrier: its schedule
    if proven is None:
        raise AmbiguousFile(display, "could be a payer schedule or the office's fees (its only "
                                     "amount column has a generic name)",
                            f'say which in client.toml: [files."{key}"] role = "schedule"'
                            ' (or "office_fees"), or pass inspect --role')
    _rename_amount(layout, proven)
    return proven


def _columns_seen(layout: Layout) -> str:
    if not layout.headers:
        return " (it has no header row)"
    names = ", ".join(repr(layout.headers[c]) for c in sorted(layout.headers))
    return f" (its columns: {names})"


def _rename_amount(layout: Layout, role: str) -> None:
    """A generic 'Fee' column is the allowed amount in a schedule, the fee in office fees."""
    if "amount" in layout.columns:
        target = {"schedule": "allowed", "office_fees": "office_fee", "copay": "copay"}.get(role)
        if target and target not in layout.columns:
            _rename_column(layout, "amount", target)
    if role == "office_fees" and "office_fee" not in layout.columns and \
            "allowed" in layout.columns:
        _rename_column(layout, "allowed", "office_fee")


def _rename_column(layout: Layout, old: str, new: str) -> None:
    column = layout.columns.pop(old)
    layout.columns[new] = column
    reason = layout.why.get(column, "")
    if reason.startswith(f"{old}:"):
        layout.why[column] = f"{new}:{reason[len(old) + 1:]}"


def _column_names(layout: Layout) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for name, column in sorted(layout.columns.items(), key=lambda item: item[1]):
        names[name] = layout.headers.get(column, f"column {column + 1}")
    if layout.wide:
        names["allowed"] = [layout.headers[c] for c, _, _ in layout.wide]
    return names


def _text(cell: Cell) -> str:
    if cell.__class__ is str:   # most cells, by far
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _row_text(row: list[Cell]) -> str:
    """A row as one line of text: its non-blank cells, space separated."""
    return " ".join(_text(c) for c in row if _text(c))


def _cell(row: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(row):
        return None
    return row[index]


class _RowReader:
    """Turns the data rows of one table into canonical rows and rejected-row notes."""

    def __init__(self, result: FileRead, grid: Grid, layout: Layout, pins: FilePins,
                 display: str) -> None:
        self.result, self.grid, self.layout, self.pins, self.display = (
            result, grid, layout, pins, display)
        self.is_pdf = bool(grid.row_sheets)
        amount_columns = [layout.columns.get(n) for n in ("allowed", "office_fee",
                                                           "alt_allowed", "count")]
        amount_columns += [c for c, _, _ in layout.wide]
        # Lazily: the first amount written with a decimal dot settles it.
        texts = (row[c] for row in grid.rows[layout.data_start:] for c in amount_columns
                 if c is not None and c < len(row) and isinstance(row[c], str))
        self.decimal_comma = looks_decimal_comma(texts)
        title_payer = payer_from_title(layout.title_lines)
        self.payer = pins.payer or title_payer or payer_from_filename(display)
        self.network = pins.network or ""
        self.effective = next((d for d in map(effective_date, layout.title_lines) if d), None)
        # Each payer column of a wide sheet, with the label its rejected cells carry.
        self.wide_columns = [(column, payer, network, f"{payer} {network}".strip())
                             for column, payer, network in layout.wide]
        self.compact = False
        # A state Medicaid table's CPT and HCPCS rows: counted by code set, one note.
        self.other_codes: Counter[str] = Counter()
        # A procedure log's procedures, counted per code and payer (its first row's place).
        self.logged: dict[tuple[str, str], dict[str, Any]] = {}
        self.age = pins.age if pins.age is not None else ADULT_AGE
        self.first_by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.repeats: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}

    def reject(self, index: int, text: Cell, reason: str) -> None:
        rejected = self.result.rejected
        if isinstance(rejected, RejectedRows) and rejected.full():
            rejected.unlisted[_reason_kind(reason)] += 1   # past the listing: counted
            return
        # A blank cell: show the row, so the note can be found and read.
        shown = _text(text) or _row_text(self.grid.rows[index])
        self.result.rejected.append(Note(reason=reason, file=self.display,
                                         sheet=self.grid.sheet_of(index),
                                         row=self.grid.row_numbers[index], text=shown))

    def benchmark(self, index: int, row: list[Cell]) -> dict[str, Any]:
        """An office-fee file's own benchmark column (a survey or UCR figure), if it has one.

        A blank is no benchmark for that code, not a rejected row.
        """
        if "benchmark" not in self.layout.columns:
            return {}
        cell = _cell(row, self.layout.columns["benchmark"])
        if not _text(cell):
            return {"benchmark": None}
        return {"benchmark": self.amount(index, cell, "benchmark")}

    def amount(self, index: int, cell: Cell, what: str | None = None,
               count: bool = False) -> float | None:
        value = parse_amount(cell, self.decimal_comma)
        reason = non_amount_reason(cell) if value is None else implausible(value, count)
        if reason:
            self.reject(index, cell, f"{reason} ({what})" if what else reason)
            return None
        return value

    def read(self) -> None:
        layout, grid = self.layout, self.grid
        code_column = layout.columns["code"]
        header = grid.rows[layout.header_index] if layout.header_index is not None else None
        for index in range(layout.header_index or 0):
            cell = _cell(grid.rows[index], code_column)
            if normalize_code(cell) and not self.is_pdf:
                self.reject(index, _row_text(grid.rows[index]), f"above the header (row "
                            f"{grid.row_numbers[layout.header_index or 0]}): put the header "
                            "first, or delete the row")
        # A PDF line's cells are code, description and its amounts: the usual count of
        # amounts is the table's; a line with more holds figures we cannot tell apart.
        usual = 0
        if self.is_pdf:
            widths = Counter(len(r) for r in grid.rows[layout.data_start:]
                             if len(r) > 1 and normalize_code(_cell(r, code_column)))
            usual = min(widths, key=lambda w: (-widths[w], w)) if widths else 0
        if usual > 3 and not layout.wide:
            # The column titles' last words name the amounts ("General Specialist").
            titles = layout.title_lines[-1].split()[-(usual - 2):] if layout.title_lines \
                else []
            first = f" ({titles[0]})" if len(titles) == usual - 2 else ""
            what = ("what the patient pays" if self.result.role == "copay"
                    else "the allowed amount")
            self.result.notes.append(Note(
                reason=f"its lines carry {usual - 2} amounts each: the first{first} is read as "
                       f"{what}; ask the payer which is which, or for Excel or CSV",
                file=self.display))
        for index in range(layout.data_start, len(grid.rows)):
            row = grid.rows[index]
            if not any(_text(c) for c in row) or row == header:
                continue
            raw_code = _cell(row, self.layout.columns["code"])
            code = normalize_code(raw_code)
            if code is None and not self.is_pdf and self.second_header(index):
                continue
            if code is None and not self.is_pdf:
                system = other_code_set(raw_code)
                if system:
                    self.other_codes[system] += 1
                    continue
            if code is None:
                if self.is_pdf and len(row) == 1:
                    # Page headers, column titles and footers pass; a line with a dollar
                    # amount and no code (a surcharge, an extra cleaning) is reported.
                    if _MONEY_IN_TEXT.search(_text(row[0])):
                        self.reject(index, row[0], "an amount on a line with no CDT code")
                    continue
                if is_totals(row):
                    self.reject(index, next(_text(c) for c in row if _text(c)), "totals row")
                else:
                    text = _text(raw_code) or next(_text(c) for c in row if _text(c))
                    self.reject(index, text, "not a CDT code")
                continue
            if usual and len(row) > usual:
                self.reject(index, _row_text(row),
                            f"{len(row) - 2} amounts on one line where the table's lines have "
                            f"{usual - 2}: which is the allowed amount cannot be told")
                continue
            self.read_row(index, row, code)
        if self.repeats:
            self.resolve_repeats()
        if self.other_codes:
            listing = ", ".join(f"{system} {count:,}" for system, count
                                in sorted(self.other_codes.items()))
            total = sum(self.other_codes.values())
            self.result.notes.append(Note(
                reason=(f"{total:,} rows hold" if total != 1 else "1 row holds")
                + f" codes of other code sets ({listing}): left out, only CDT codes are read",
                file=self.display, sheet=self.grid.sheet))
        self.result.volume.extend(self.logged.values())

    def resolve_repeats(self) -> None:
        """What ``_resolve_duplicates`` does, for the repeats a wide sheet set aside: the
        same notes, in the same order, from compact records."""
        rejected = self.result.rejected
        dropped: set[int] = set()
        for key, first in self.first_by_key.items():
            repeats = self.repeats.get(key)
            if not repeats:
                continue
            values = {(first["allowed"], first["alt_code"], first["alt_allowed"])}
            values.update(value for _, _, value in repeats)
            same = len(values) == 1
            if not same:
                dropped.add(id(first))
            if isinstance(rejected, RejectedRows) and rejected.full():
                rejected.unlisted["repeats" if same else "conflicting amounts"] += \
                    len(repeats) if same else len(repeats) + 1
                continue
            code = first["code"]
            places = [{"sheet": sheet, "row": row} for sheet, row, _ in repeats]
            if same:
                for place in places:
                    rejected.append(Note(
                        reason=f"repeats {_place(first, place)} (same amount); kept once",
                        file=self.result.file, sheet=place["sheet"], row=place["row"],
                        text=code))
                continue
            listing = ", ".join([f"{_place(first, first)} ({shown_amount(first['allowed'])})"] + [
                f"{_place(place, first)} ({shown_amount(value[0])})"
                for place, (_, _, value) in zip(places, repeats)])
            reason = (f"conflicting amounts for {code}: {listing}; remove the wrong row or "
                      "add a network or effective-date column")
            for place in [first, *places]:
                rejected.append(Note(reason=reason, file=self.result.file,
                                     sheet=place["sheet"], row=place["row"], text=code))
        if dropped:
            self.result.schedules = [r for r in self.result.schedules if id(r) not in dropped]

    def second_header(self, index: int) -> bool:
        """A header row further down (a second table, columns in another order): the rows
        below it are read by its columns, and a note says so."""
        row = self.grid.rows[index]
        names = [map_header(cell) for cell in row]
        if "code" not in names or sum(1 for n in names if n) < 2:
            return False
        below = Grid(sheet=self.grid.sheet, rows=self.grid.rows[index:],
                     row_numbers=self.grid.row_numbers[index:])
        layout = find_layout(below, header_row=1)
        if layout is None:
            return False
        _rename_amount(layout, self.result.role)
        self.layout = layout
        self.wide_columns = [(column, payer, network, f"{payer} {network}".strip())
                             for column, payer, network in layout.wide]
        if DIMENSION in layout.columns:   # its rows are chosen among later: none set aside
            self.compact = False
        self.result.notes.append(Note(
            reason=f"a second header at row {self.grid.row_numbers[index]}: the rows below it "
                   "are read by its columns (" + ", ".join(
                       f"{n} ← {layout.headers.get(c, c)!r}"
                       for n, c in sorted(layout.columns.items(), key=lambda i: i[1])) + ")",
            file=self.display, sheet=self.grid.sheet_of(index)))
        return True

    def read_row(self, index: int, row: list[Cell], code: str) -> None:
        columns, role = self.layout.columns, self.result.role
        where = {"sheet": self.grid.sheet_of(index), "row": self.grid.row_numbers[index]}
        description = " ".join(_text(_cell(row, columns.get("description"))).split())
        if role in ("schedule", "copay") and not self.for_the_age(index, row, code):
            return
        if role == "copay":
            cell = _cell(row, columns.get("copay"))
            # "No charge" is a copay of nothing: the plan pays it all.
            copay = 0.0 if _text(cell).lower().rstrip("*") in NO_CHARGE else \
                self.amount(index, cell, "copay")
            if copay is not None:
                record = self.schedule_row(code, copay, row, where)
                self.result.copays.append({k: record[k] for k in ("payer", "network", "code")}
                                          | {"copay": copay, "effective": record["effective"],
                                             **where})
            return
        if role == "volume" and "count" not in columns:
            self.log_procedure(index, row, code, where)
            return
        if role == "volume":
            count = self.amount(index, _cell(row, columns["count"]), count=True)
            if count is not None:
                self.result.volume.append({"code": code,
                                           "payer": _text(_cell(row, columns.get("payer"))),
                                           "count": count, **where})
            return
        if role == "survey":
            statistics = {}
            for statistic, column in self.layout.survey.items():
                cell = _cell(row, column)
                statistics[statistic] = (self.amount(index, cell, statistic,
                                                     count=statistic == "responses")
                                         if _text(cell) else None)
            self.result.survey.append({"code": code, "description": description,
                                       **statistics, **where})
            return
        if role == "office_fees":
            fee = self.amount(index, _cell(row, columns.get("office_fee")))
            if fee is not None:
                self.result.office_fees.append({"code": code, "description": description,
                                                "office_fee": fee,
                                                **self.benchmark(index, row), **where})
            return
        if "office_fee" in columns:  # a comparison sheet's office-fee column
            cell = _cell(row, columns["office_fee"])
            fee = self.amount(index, cell, "office fee")
            if fee is not None:
                self.result.office_fees.append({"code": code, "description": description,
                                                "office_fee": fee, **where})
        if self.layout.wide:
            # What the row's payers share (alternate code, dates, place) is read once per
            # row, not once per payer column: a wide sheet has millions of cells.
            base: dict[str, Any] | None = None
            width = len(row)
            for column, payer, network, label in self.wide_columns:
                cell = row[column] if column < width else None
                # A number in range (what a sheet's amounts are) needs no parsing.
                allowed = cell if cell.__class__ is float and 0.0 <= cell <= MAX_FEE \
                    else self.amount(index, cell, label)
                if allowed is not None:
                    if base is None:
                        base = self.schedule_row(code, allowed, row, where, payer=payer,
                                                 network=network)
                    payer_name = self.pins.payer or payer or base["payer"]
                    network_name = self.pins.network or network or base["network"]
                    if self.compact:
                        key = (payer_name, network_name, base["effective"], code)
                        if key in self.first_by_key:   # a repeat: kept compact
                            self.repeats.setdefault(key, []).append(
                                (where["sheet"], where["row"],
                                 (allowed, base["alt_code"], base["alt_allowed"])))
                            continue
                    record = {**base, "payer": payer_name, "network": network_name,
                              "allowed": allowed}
                    if self.compact:
                        self.first_by_key[key] = record
                    self.result.schedules.append(record)
            return
        if "allowed" not in columns:
            return
        allowed = self.amount(index, _cell(row, columns["allowed"]))
        if allowed is not None:
            self.result.schedules.append(self.schedule_row(code, allowed, row, where))

    def for_the_age(self, index: int, row: list[Cell], code: str) -> bool:
        """A row of a table with age columns: is its band the one read (an adult's, unless
        client.toml pins another age)? A row for other ages is rejected, and says how."""
        columns = self.layout.columns
        if "min_age" not in columns and "max_age" not in columns:
            return True
        low, high = (_age(_cell(row, columns.get(name))) for name in ("min_age", "max_age"))
        if (low is None or low <= self.age) and (high is None or self.age <= high):
            return True
        band = (f"ages {0 if low is None else low} and over" if high is None
                else f"ages {0 if low is None else low}–{high}")
        self.reject(index, code, f"{band}: not the band for age {self.age} read; to read it, "
                                 f'pin [files."{self.result.key}"] age = '
                                 f"{low if low is not None else 0}")
        return False

    def log_procedure(self, index: int, row: list[Cell], code: str,
                      where: dict[str, Any]) -> None:
        """One row of a procedure log: one procedure, when its status says it was done."""
        columns = self.layout.columns
        status = _text(_cell(row, columns.get("status")))
        if status and status.lower() not in COMPLETED:
            self.reject(index, code, f"status {status!r}: not a completed procedure; not "
                                     "counted")
            return
        payer = _text(_cell(row, columns.get("payer")))
        counted = self.logged.get((code, payer))
        if counted is None:
            self.logged[(code, payer)] = {"code": code, "payer": payer, "count": 1.0, **where}
        else:
            counted["count"] += 1.0

    def schedule_row(self, code: str, allowed: float, row: list[Cell], where: dict[str, Any],
                     payer: str | None = None, network: str | None = None) -> dict[str, Any]:
        columns = self.layout.columns
        alt_code_cell = _cell(row, columns.get("alt_code"))
        alt_code = normalize_code(alt_code_cell) if _text(alt_code_cell) else None
        alt_cell = _cell(row, columns.get("alt_allowed"))
        alt_allowed = None
        if _text(alt_cell):
            alt_allowed = parse_amount(alt_cell, self.decimal_comma)
            if alt_allowed is not None and implausible(alt_allowed):
                alt_allowed = None
            if alt_allowed is None:
                self.result.rejected.append(Note(
                    reason="alternate benefit is not an amount; the payer's allowed amount for "
                           "the alternate code is used", file=self.display, sheet=where["sheet"],
                    row=where["row"], text=_text(alt_cell)))
        if _text(alt_code_cell) and alt_code is None:
            self.result.rejected.append(Note(
                reason="alternate code is not a CDT code; ignored", file=self.display,
                sheet=where["sheet"], row=where["row"], text=_text(alt_code_cell)))
        effective = iso_date(_text(_cell(row, columns.get("effective")))) or self.effective
        return {
            "payer": (self.pins.payer or payer or _text(_cell(row, columns.get("payer")))
                      or self.payer),
            "network": (self.pins.network or network
                        or _text(_cell(row, columns.get("network"))) or self.network),
            "code": code, "allowed": allowed, "alt_code": alt_code, "alt_allowed": alt_allowed,
            "effective": effective or None,
            **({DIMENSION: _text(_cell(row, columns[DIMENSION]))} if DIMENSION in columns
               else {}),
            **where,
        }


def _merge_alternates(result: FileRead, grid: Grid, layout: Layout, pins: FilePins,
                      display: str) -> None:
    """An alternate-benefit sheet adds alt_code / alt_allowed to the schedule's rows."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for row in result.schedules:
        by_code.setdefault(row["code"], []).append(row)
    reader = _RowReader(result, grid, layout, pins, display)
    code_column = layout.columns["code"]
    for index in range(layout.data_start, len(grid.rows)):
        cells = grid.rows[index]
        if not any(_text(c) for c in cells):
            continue
        code = normalize_code(_cell(cells, code_column))
        if code is None:
            if not (layout.header_index is not None and cells == grid.rows[layout.header_index]):
                reader.reject(index, _cell(cells, code_column) or cells[0], "not a CDT code")
            continue
        if code not in by_code:
            reader.reject(index, code, "alternate benefit for a code the schedule does not "
                                       "list")
            continue
        where = {"sheet": grid.sheet_of(index), "row": grid.row_numbers[index]}
        extra = reader.schedule_row(code, 0.0, cells, where)
        for target in by_code[code]:
            target["alt_code"] = extra["alt_code"] or target["alt_code"]
            if extra["alt_allowed"] is not None:
                target["alt_allowed"] = extra["alt_allowed"]
    result.columns["alternate_sheet"] = grid.sheet


def _choose_dimension(result: FileRead, pins: FilePins) -> None:
    """Rows told apart by a modifier, tier or region column: with a pin, its value is kept
    (the blank, base rows stand for codes it does not list); without one, a code with
    amounts under several values keeps none of them, and the note says how to choose."""
    rows = [r for r in result.schedules if DIMENSION in r]
    if not rows:
        return
    header = result.columns.get(DIMENSION, DIMENSION)
    bands = {value: age_band(value) for value in {r[DIMENSION] for r in rows}}
    other = "not the {value!r} pinned in client.toml"
    if pins.dimension is None and all(band is not None for value, band in bands.items()
                                      if value):
        # An age-group column ("0-20", "21+"): the band of the age read (an adult's
        # unless client.toml pins another), as a Medicaid table's age columns are read.
        age = pins.age if pins.age is not None else ADULT_AGE
        band_read = next((value for value, band in sorted(bands.items()) if value
                          and band is not None and band[0] <= age <= band[1]), None)
        if band_read is not None:
            pins = dataclasses.replace(pins, dimension=band_read)
            other = (f"not the band for age {age} read ({{value!r}}); to read it, pin "
                     f'[files."{result.key}"] age = {{low}}')
    kept: list[dict[str, Any]] = [r for r in result.schedules if DIMENSION not in r]
    by_code: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        by_code.setdefault((row["payer"], row["network"], row["code"]), []).append(row)
    for group in by_code.values():
        values = list(dict.fromkeys(r[DIMENSION] for r in group))
        if pins.dimension is not None:
            chosen = [r for r in group if r[DIMENSION] == pins.dimension] or \
                [r for r in group if r[DIMENSION] == ""]
            for row in group:
                if row in chosen:
                    kept.append(row)
                else:
                    result.rejected.append(Note(
                        reason=f"{header} {row[DIMENSION] or '(blank)'}: "
                               + other.format(value=pins.dimension, low=(
                                   bands.get(row[DIMENSION]) or (0, 0))[0]),
                        file=result.file, sheet=row["sheet"], row=row["row"],
                        text=row["code"]))
            continue
        if len(values) == 1:
            kept.extend(group)
            continue
        # A national export lists hundreds of regions: name a few and count the rest.
        listing = ", ".join(repr(v) if v else "(blank)" for v in values[:_VALUES_SHOWN])
        if len(values) > _VALUES_SHOWN:
            listing += f", … {len(values) - _VALUES_SHOWN} more"
        for row in group:
            result.rejected.append(Note(
                reason=f"{row['code']} has amounts for several {header} values ({listing}): "
                       f'choose one in client.toml: [files."{result.key}"] dimension = '
                       f'"{next((v for v in values if v), "")}"', file=result.file,
                sheet=row["sheet"],
                row=row["row"], text=row["code"]))
    # Back in reading order (not by sheet name: "page 10" would come before "page 2").
    order = {id(row): number for number, row in enumerate(result.schedules)}
    kept.sort(key=lambda r: order[id(r)])
    result.schedules = kept


_VALUES_SHOWN = 6
_AGE_RANGE = re.compile(r"^(?:ages?\s*)?(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})(?:\s*(?:years?|yrs?))?$")
_AGE_FROM = re.compile(r"^(?:ages?\s*)?(\d{1,3})\s*(?:\+|and (?:older|over|up)|or older)$")
_AGE_UNDER = re.compile(r"^(?:under|below|<)\s*(\d{1,3})$")


def age_band(text: str) -> tuple[int, int] | None:
    """``"0-20"`` → (0, 20), ``"21+"`` / ``"21 and older"`` → (21, 150), ``"under 21"`` →
    (0, 20), ``"Adult"`` → (21, 150), ``"Child"`` → (0, 20); None for anything else."""
    key = " ".join(text.lower().split())
    if key in ("adult", "adults"):
        return (ADULT_AGE, 150)
    if key in ("child", "children", "pediatric", "paediatric"):
        return (0, ADULT_AGE - 1)
    for pattern, band in ((_AGE_RANGE, lambda m: (int(m[1]), int(m[2]))),
                          (_AGE_FROM, lambda m: (int(m[1]), 150)),
                          (_AGE_UNDER, lambda m: (0, int(m[1]) - 1))):
        match = pattern.match(key)
        if match:
            return band(match)
    return None
_COPAY_TITLE = re.compile(r"\b(patient\s+charges?|co-?pay(ment)?s?|member\s+charges?)\b",
                          re.IGNORECASE)
NO_CHARGE = frozenset({"no charge", "no cost", "free", "$0", "none"})


def _age(cell: Cell) -> int | None:
    """A minimum or maximum age: ``020`` is 20, ``999`` (no upper limit) and blank None."""
    value = parse_amount(cell)
    if value is None or not float(value).is_integer() or value >= 150:
        return None
    return int(value)


def _place(row: dict[str, Any], seen_from: dict[str, Any]) -> str:
    """'row 3', or 'page 2 row 3' / "sheet 'Fees' row 3" when it is on another page or
    sheet than the row the note is about, or on a PDF page."""
    sheet = row.get("sheet")
    if sheet and (sheet.startswith("page ") or sheet != seen_from.get("sheet")):
        return f"{sheet} row {row['row']}"
    return f"row {row['row']}"


def _resolve_duplicates(result: FileRead) -> None:
    """Identical repeats are kept once; conflicting amounts are rejected, never chosen."""
    for table, key_fields, value_fields in (
            ("schedules", ("payer", "network", "effective", "code"),
             ("allowed", "alt_code", "alt_allowed")),
            ("office_fees", ("code",), ("office_fee",)),
    ):
        rows = getattr(result, table)
        key_of = operator.itemgetter(*key_fields)
        value_of = operator.itemgetter(*value_fields)
        groups: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            key = key_of(row)
            group = groups.get(key)
            if group is None:
                groups[key] = [row]
            else:
                group.append(row)
        if len(groups) == len(rows):   # no code twice: nothing to resolve (the usual case)
            continue
        kept = []
        rejected = result.rejected
        for group in groups.values():
            first = group[0]
            if len(group) == 1:
                kept.append(first)
                continue
            same = len({value_of(r) for r in group}) == 1
            if same:
                kept.append(first)
            if isinstance(rejected, RejectedRows) and rejected.full():
                # Past the listing: counted, no note made (millions in a hostile sheet).
                rejected.unlisted["repeats" if same else "conflicting amounts"] += \
                    len(group) - 1 if same else len(group)
                continue
            if same:
                for repeat in group[1:]:
                    rejected.append(Note(
                        reason=f"repeats {_place(first, repeat)} (same amount); kept once",
                        file=result.file, sheet=repeat["sheet"], row=repeat["row"],
                        text=repeat["code"]))
                continue
            column = value_fields[0]
            listing = ", ".join(f"{_place(r, first)} ({shown_amount(r[column])})" for r in group)
            reason = (f"conflicting amounts for {first['code']}: {listing}; remove the wrong "
                      "row or add a network or effective-date column")
            for row in group:
                rejected.append(Note(reason=reason, file=result.file, sheet=row["sheet"],
                                     row=row["row"], text=row["code"]))
        # Each group's first row, in the order the groups began: reading order (a PDF's
        # "page 10" after "page 9"), with no sort.
        setattr(result, table, kept)


_MONEY_IN_TEXT = re.compile(r"\$\s?\d[\d,]*(?:\.\d{2})?|\b\d{1,3}(?:,\d{3})*\.\d{2}\b")
_SPLIT_HEAD = re.compile(r"^\s*\$?\s?\d{1,3}$")
_SPLIT_TAIL = re.compile(r"^\d{3}(\.\d{1,2})?\s*$")


def rejoin_split_amounts(grid: Grid) -> Grid:
    """Undo a delimiter inside an unquoted amount: ``$2~021.00`` in a ``~`` file.

    A row with more fields than the file's usual count, where two neighbours
    read as the halves of a thousands-separated amount, is joined again.
    """
    widths = Counter(len(row) for row in grid.rows if len(row) > 1)
    if not widths:
        return grid
    # The usual width; on a tie the narrower one, since split rows are the wider ones.
    usual = min(widths, key=lambda width: (-widths[width], width))
    for number, row in enumerate(grid.rows):
        excess = len(row) - usual
        if excess <= 0:
            continue
        # One pass, left to right, joining pairs while the row is still too wide
        # (linear: a row of 20,000 split amounts takes no longer than it is long).
        joined: list[Cell] = []
        i = 0
        while i < len(row):
            left = row[i]
            right = row[i + 1] if i + 1 < len(row) else None
            if excess > 0 and isinstance(left, str) and isinstance(right, str) and \
                    _SPLIT_HEAD.match(left) and _SPLIT_TAIL.match(right):
                joined.append(f"{left.strip()},{right.strip()}")
                excess -= 1
                i += 2
            else:
                joined.append(left)
                i += 1
        grid.rows[number] = joined
    return grid


def read_schedule(path: str | Path, *, role: str | None = None, payer: str | None = None,
                  network: str | None = None, sheet: str | None = None,
                  dimension: str | None = None, limits: Limits | None = None,
                  key: str | None = None) -> FileRead:
    """Read one file as xlfees sees it: role, sheet, header row, columns, rows, rejected rows.

    ``role``, ``payer``, ``network``, ``sheet`` and ``dimension`` do what the same keys
    of ``[files."…"]`` in client.toml do.
    """
    pins = FilePins(role=role, payer=payer, network=network, sheet=sheet, dimension=dimension)
    return read_file(path, pins, limits=limits, key=key)
