"""Files → grids of cells: every format becomes rows of values with their sheet and row number."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..csvtext import restored
from .isolation import run_isolated
from .limits import Limits, ReadError, human_size

Cell = Any  # str | float | int | datetime | bool | None


@dataclass
class Grid:
    """One sheet (or text file, or PDF) as rows of cells, with where each row came from."""

    sheet: str | None
    rows: list[list[Cell]]
    row_numbers: list[int]                      # 1-based, as the user would find the row
    row_sheets: list[str | None] = field(default_factory=list)  # PDFs: the page of each row
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    hidden: bool = False    # a hidden sheet: named in the notes, never read
    # Lines that could not be made into a row: (row number, text, reason).
    rejected: list[tuple[int, str, str]] = field(default_factory=list)

    def sheet_of(self, index: int) -> str | None:
        return self.row_sheets[index] if self.row_sheets else self.sheet


# --- text files --------------------------------------------------------------------------

class UndecodableText(ValueError):
    """Text that declares (or plainly is) an encoding but breaks it: half a character, a lone
    surrogate. Reading on would garble descriptions silently, so the file is refused."""


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "a UTF-8"), (b"\xff\xfe", "utf-16", "a UTF-16"),
         (b"\xfe\xff", "utf-16", "a UTF-16"))


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding: BOMs first, then UTF-8, UTF-16 without BOM, Windows-1252.

    Raises :class:`UndecodableText` when a BOM (or a UTF-16 layout) promises an
    encoding the bytes then break.
    """
    for bom, name, what in _BOMS:
        if data.startswith(bom):
            return _strict(data, name, f"starts with {what} byte-order mark"), name
    sample = data[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: the NUL halves sit on the odd (LE) or even (BE) bytes.
        name = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        return _strict(data, name, "looks like UTF-16 text (every other byte is 0)"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _strict(data: bytes, encoding: str, promise: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        # utf-8-sig counts from after its BOM; say the offset a hex editor shows.
        start, end = (error.start + 3, error.end + 3) if encoding == "utf-8-sig" else (
            error.start, error.end)
        line = data[:start].decode(encoding, errors="replace").count("\n") + 1
        problem = ("ends in the middle of a character" if end >= len(data)
                   else f"has bytes that are not {encoding.split('-sig')[0].upper()} "
                        f"({error.reason})")
        raise UndecodableText(f"{promise} but {problem} at byte {start:,} "
                              f"(line {line:,})") from None


DELIMITERS = (",", "\t", ";", "|", "~")


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits most lines into the same number of fields."""
    best, best_score = ",", -1.0
    sample = [line for line in lines[:200] if line.strip()]
    for delimiter in DELIMITERS:
        counts = [_count_outside_quotes(line, delimiter) for line in sample]
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        modal = max(set(positive), key=lambda c: (positive.count(c), c))
        # Lines agreeing with the modal count, weighted by how many fields it makes.
        score = sum(1 for c in counts if c == modal) + 0.01 * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def read_text(path: Path, limits: Limits, shown: str) -> Grid:
    """A CSV/TSV/TXT file as one grid, with its encoding and delimiter detected."""
    try:
        text, encoding = decode(path.read_bytes())
    except UndecodableText as error:
        raise ReadError(shown, str(error), "the file was cut short or damaged: export it "
                                           "again, or save it as UTF-8 text") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()   # the end of the last line, not a line of its own
    if len(lines) > limits.max_rows:
        raise ReadError(shown, f"has {len(lines):,} lines, over the {limits.max_rows:,} limit",
                        "split the file")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    if len(lines[longest]) > limits.max_line_chars:
        raise ReadError(shown, f"line {longest + 1:,} has {len(lines[longest]):,} characters, "
                               f"over the {limits.max_line_chars:,} limit",
                        "check it is the schedule, and export it again")
    delimiter = sniff_delimiter(lines)
    grid = Grid(sheet=None, rows=[], row_numbers=[], encoding=encoding, delimiter=delimiter)
    try:
        _parse_delimited(lines, delimiter, grid)
    except csv.Error as error:
        raise ReadError(shown, f"cannot be read as delimited text ({error})",
                        "fix the quoting, or export the file again") from None
    return grid


def _parse_delimited(lines: list[str], delimiter: str, grid: Grid) -> None:
    """Records into ``grid``, each numbered by the line it starts on.

    A quote that is never closed makes the csv module read every following line
    into one field. Such a record, when the lines it swallowed start with CDT
    codes, is rejected by its first line and the lines after it are read anew.
    """
    start = 0
    while start < len(lines):
        reader = csv.reader((line + "\n" for line in lines[start:]), delimiter=delimiter)
        consumed = 0
        for cells in reader:
            first, consumed = start + consumed, reader.line_num
            last = start + consumed
            unclosed = last >= len(lines) and "".join(lines[first:last]).count('"') % 2 == 1
            if last - first > 1 and (unclosed
                                     or _swallows_rows(lines[first + 1:last], delimiter)):
                grid.rejected.append((first + 1, lines[first].strip(),
                                      "a quote opened on this line is never closed; the "
                                      "lines after it are read on their own"))
                start = first + 1
                break
            # Fields xlfees wrote with an apostrophe against formulas, read back as they were.
            grid.rows.append([restored(cell) for cell in cells] if "'" in "".join(cells)
                             else cells)
            grid.row_numbers.append(first + 1)
        else:
            return


def _swallows_rows(lines: list[str], delimiter: str) -> bool:
    """Lines inside one quoted field that look like records of their own: they start with
    a code, or hold a CDT code (D + 4 digits) as a field of their own anywhere."""
    field = re.compile(rf'(^|{re.escape(delimiter)})\s*"?[Dd]\d{{4}}\b')
    return any(delimiter in line and (_CODE_START.match(line) or field.search(line))
               for line in lines)


_CODE_START = re.compile(r'^\s*"?[Dd]?\d{4}\b')


# --- Excel -----------------------------------------------------------------------------

def read_workbook(path: Path, limits: Limits, shown: str) -> list[Grid]:
    """Every visible sheet of an xlsx/xlsm/xls workbook, read with calamine."""
    # calamine (the fast Rust reader) runs in a child process under a memory and time
    # budget: a hostile workbook can make it abort or allocate without bound.
    answer = run_isolated("workbook", path, [limits.max_rows, limits.max_cells], limits, shown)
    if answer.get("refused") == "rows":
        raise ReadError(shown, f"sheet '{answer['sheet']}' has {answer['rows']:,} rows, "
                               f"over the {limits.max_rows:,} limit",
                        "delete the empty rows or split the sheet")
    if answer.get("refused") == "cells":
        raise ReadError(shown, f"sheet '{answer['sheet']}' spans {answer['rows']:,} rows × "
                               f"{answer['columns']:,} columns, over the {limits.max_cells:,}-"
                               "cell limit", "delete the stray cells far from the table, or "
                               "copy the table to a new workbook")
    return [Grid(sheet=sheet["name"], rows=sheet["rows"],
                 row_numbers=list(range(1, len(sheet["rows"]) + 1)), merged=sheet["merged"])
            for sheet in answer["sheets"]] + [
        Grid(sheet=name, rows=[], row_numbers=[], hidden=True)
        for name in answer.get("hidden", [])]


# --- PDF ---------------------------------------------------------------------------------

# A schedule line: a code, a description, then one or more amounts (or non-amounts).
_PDF_LINE = re.compile(r"^(?P<code>[Dd]?\d{4})\.?\s+(?P<rest>.*?)\s*$")
# Amounts as PDFs print them: with a $, or with cents; a bare "3" may end a description.
_PDF_AMOUNT = re.compile(r"^\(?\$\s?-?[\d,]+(\.\d{1,2})?\)?$"
                         r"|^-?\d{1,3}(,\d{3})*\.\d{2}$|^-?\d+\.\d{2}$")
_PDF_NON_AMOUNTS = {"br", "n/c", "nc", "—", "by report", "not covered", "n/a"}


def read_pdf(path: Path, limits: Limits, shown: str) -> Grid:
    """A text PDF as one grid: code lines split into code, description and amounts.

    Page headers, column titles and footers are kept as one-cell rows: they
    never start with a code, so the table reader passes over them (and the
    title gives the payer name).
    """
    answer = run_isolated("pdf", path, [limits.max_pdf_pages, limits.max_pdf_page_bytes],
                          limits, shown)
    if answer.get("refused") == "pages":
        raise ReadError(shown, f"has {answer['pages']} pages, over the "
                               f"{limits.max_pdf_pages} page limit",
                        "split the PDF, or raise [limits] max_pdf_pages")
    if answer.get("refused") == "content":
        raise ReadError(shown, f"page {answer['page']} draws {human_size(answer['bytes'])} of "
                               f"content, over the {human_size(limits.max_pdf_page_bytes)} a "
                               "page of a fee schedule needs", "ask the payer for the schedule "
                               "as Excel or CSV, or print it to a new PDF")
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    pages: list[str | None] = []
    for page_number, lines in enumerate(answer["pages"], start=1):
        wrapped: int | None = None   # a code line still waiting for its amount
        for line_number, line, cells in (
                (number, entry, split_pdf_line(entry))
                for number, full_line in lines
                for entry in pdf_entries(full_line)):
            if wrapped is not None and len(cells) == 1:
                # "D4341 Periodontal scaling … per" / "quadrant $177.32": one row.
                joined = split_pdf_line(f"{rows[wrapped][0]} {rows[wrapped][1]} {line}")
                if joined[-1] != "":
                    rows[wrapped] = joined
                    wrapped = None
                    continue
            wrapped = len(rows) if len(cells) > 1 and cells[-1] == "" else None
            rows.append(cells)
            numbers.append(line_number)
            pages.append(f"page {page_number}")
    if not any(len(row) > 1 for row in rows):
        raise ReadError(shown, "has no text lines that start with a CDT code (a scanned image?)",
                        "ask the payer for a text PDF, Excel or CSV")
    return Grid(sheet=None, rows=rows, row_numbers=numbers, row_sheets=pages)


# A bullet, an asterisk or a list number before a code: "*D1110", "1. D0120", "• D0140".
_PDF_MARKER = re.compile(r"^\s*(?:[*•·▪◦-]+|\(?\d{1,3}[.)])\s*(?=[Dd]?\d{4}\b)")
_PDF_CODE_TOKEN = re.compile(r"^[Dd]\d{4}\.?$")
_SECOND_CODE = re.compile(r"[Dd]\d{4}.*\s[Dd]\d{4}\.?(?:\s|$)")
_PDF_CODE_INSIDE = re.compile(r"^(?P<description>\S.*?)\s+(?P<code>[Dd]\d{4})\.?\s+"
                              r"(?P<amounts>\S.*)$")


def pdf_entries(line: str) -> list[str]:
    """One PDF text line as the schedule entries it holds.

    Two-column layouts print two entries on one line ("D0120 Exam $50.00  D0140
    Exam $60.00"): a new entry starts where a code follows an amount. Markers
    before a code are dropped.
    """
    tokens = line.split()
    if not _SECOND_CODE.search(line):   # the usual line: one entry (no token loop)
        return [_PDF_MARKER.sub("", " ".join(tokens))] if tokens else [line]
    entries: list[list[str]] = [[]]
    for token in tokens:
        previous = entries[-1][-1] if entries[-1] else None
        if previous is not None and len(entries[-1]) > 2 and _PDF_CODE_TOKEN.match(token) \
                and (_PDF_AMOUNT.match(previous) or previous.lower() in _PDF_NON_AMOUNTS):
            entries.append([])
        entries[-1].append(token)
    return [_PDF_MARKER.sub("", " ".join(entry)) for entry in entries if entry] or [line]


def split_pdf_line(line: str) -> list[Cell]:
    """``D2391 Resin composite $151.43`` → ``['D2391', 'Resin composite', '$151.43']``.

    Lines that do not start with a code stay one cell (titles, column names, footers).
    """
    match = _PDF_LINE.match(line.strip())
    if match is None:
        # A table with the code in the middle ("Crown - porcelain  D2740  $812.00").
        inner = _PDF_CODE_INSIDE.match(line.strip())
        trailing = inner.group("amounts") if inner else ""
        if inner and " ".join(trailing.lower().split()) in _PDF_NON_AMOUNTS:
            return [inner.group("code"), inner.group("description"), trailing]
        if inner and all(_PDF_AMOUNT.match(t) or t.lower() in _PDF_NON_AMOUNTS
                         for t in trailing.split()):
            return [inner.group("code"), inner.group("description"), *trailing.split()]
        return [line.strip()]
    tokens = match.group("rest").split()
    amounts: list[str] = []
    while tokens:
        last_two = " ".join(tokens[-2:]).lower()
        if len(tokens) >= 2 and last_two in _PDF_NON_AMOUNTS:
            amounts.insert(0, " ".join(tokens[-2:]))
            del tokens[-2:]
        elif _PDF_AMOUNT.match(tokens[-1]) or tokens[-1].lower() in _PDF_NON_AMOUNTS:
            amounts.insert(0, tokens.pop())
        else:
            break
    # "D0120 – Periodic evaluation - $90": the dashes around the description are layout.
    description = " ".join(tokens).strip(" -–—:|")
    return [match.group("code"), description, *(amounts or [""])]
