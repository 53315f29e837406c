"""Guards against hostile files: size, zip bombs, page counts, disguised or locked files."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import XlfeesError
from ..cells import column_number
from ..files import MB, human_size


class ReadError(XlfeesError):
    """A whole file cannot be read; the message names the file and what to do."""

    def __init__(self, path: str | Path, problem: str, fix: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path}: {problem}; {fix}")


@dataclass(frozen=True)
class Limits:
    """How large an input may be before it is refused rather than read."""

    max_file_bytes: int = 50 * MB
    max_unzipped_bytes: int = 400 * MB   # all parts of an xlsx, uncompressed
    max_zip_ratio: float = 150.0         # uncompressed / compressed, over the whole xlsx
    max_pdf_pages: int = 200
    max_rows: int = 250_000              # rows of one sheet or text file
    max_cells: int = 5_000_000           # rows × columns of one sheet
    # What one PDF page draws, decompressed: laying out text keeps an object per character,
    # so a page past 160 KB (twice the densest fee schedule page seen) is refused unread.
    max_pdf_page_bytes: int = 160 * 1024
    max_line_chars: int = 100_000        # one line of a text file
    # What reading one workbook or PDF may take (a child process enforces both); a PDF
    # gets max_seconds and pdf_seconds_per_page for each of its pages (200: 40 s).
    max_memory_bytes: int = 1024 * MB
    max_seconds: float = 10.0
    pdf_seconds_per_page: float = 0.15


# Signatures of the formats we read; the extension is only believed when they agree.
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF = b"%PDF-"
# Encrypted (password-protected) xlsx files are OLE2 containers with this stream.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")

EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", ".tab")
SUPPORTED = (*EXCEL_EXTENSIONS, ".xls", ".pdf", *TEXT_EXTENSIONS)


def unsupported_reason(path: Path) -> str | None:
    """Why a file's extension is not one xlfees reads ("has no extension (…)"), else None."""
    extension = path.suffix.lower()
    if extension in SUPPORTED:
        return None
    what = f"is a {extension} file" if extension else "has no extension"
    return f"{what} (xlfees reads {', '.join(SUPPORTED[:-1])} and {SUPPORTED[-1]} files)"


def file_kind(path: Path, limits: Limits, display: str | None = None) -> str:
    """'xlsx', 'xls', 'pdf' or 'text', from the file's content; refuses what it cannot read.

    ``display`` is how errors name the file (the path inside a client folder).
    """
    shown = display or str(path)
    extension = path.suffix.lower()
    reason = unsupported_reason(path)
    if reason:
        raise ReadError(shown, reason, "save it as .xlsx, .xls, .csv, .txt or a text .pdf")
    if not path.is_file():   # a FIFO would block the read forever, /dev/zero never end
        raise ReadError(shown, "is not a regular file (a folder, pipe or device)",
                        "give the path of a schedule, office-fee or volume file")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ReadError(shown, f"is {human_size(size)}, over the "
                               f"{human_size(limits.max_file_bytes)} limit",
                        "split the file, or raise [limits] max_file_mb in client.toml if it "
                        "is genuine")
    if size == 0:
        raise ReadError(shown, "is empty", "export the schedule again")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP):
        kind = "xlsx"
        _check_zip(path, limits, shown)
    elif head.startswith(_OLE2):
        if _ENCRYPTION_INFO in path.read_bytes():
            raise ReadError(shown, "is a password-protected workbook",
                            "open it in Excel and save a copy without a password")
        kind = "xls"
    elif head.startswith(_PDF):
        kind = "pdf"
    else:
        kind = "text"
    expected = {"xlsx": EXCEL_EXTENSIONS, "xls": (".xls",), "pdf": (".pdf",),
                "text": TEXT_EXTENSIONS}[kind]
    if extension not in expected:
        # A .xls that is really xlsx (or the reverse) is common and harmless.
        if {kind, extension} <= {"xlsx", "xls", ".xls", ".xlsx", ".xlsm"}:
            return kind
        what = {"xlsx": "an Excel workbook (.xlsx)", "xls": "an Excel 97-2003 workbook (.xls)",
                "pdf": "a PDF", "text": "a text file"}[kind]
        raise ReadError(shown, f"is {what} with the extension {extension}",
                        f"rename it to {expected[0]}")
    return kind


def _check_zip(path: Path, limits: Limits, shown: str) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReadError(shown, "is a damaged workbook (not a readable zip)",
                        "open it in Excel and save it again") from None
    with archive:
        _check_archive(archive, limits, shown)


def _check_archive(archive: zipfile.ZipFile, limits: Limits, shown: str) -> None:
    entries = archive.infolist()
    unzipped = sum(entry.file_size for entry in entries)
    zipped = sum(entry.compress_size for entry in entries) or 1
    if unzipped > limits.max_unzipped_bytes or unzipped / zipped > limits.max_zip_ratio:
        raise ReadError(shown, f"unpacks to {human_size(unzipped)} ({unzipped / zipped:.0f}× "
                               "its size), which looks like a zip bomb",
                        "refuse the file, or save the schedule again from its source")
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise ReadError(shown, "is a zip file but not an Excel workbook",
                        "save the schedule as .xlsx")


def check_sheet_extents(path: Path, limits: Limits, shown: str) -> None:
    """Why a workbook's reader ran out of memory, when a far cell is the reason: a
    ReadError naming the sheet and the cell. Run only after the reader failed (the
    reader's child process is what holds memory in check), since scanning every cell
    reference of a 5-million-cell sheet costs as much as reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            _check_sheet_extents(archive, limits, shown)
    except (zipfile.BadZipFile, OSError, KeyError):
        pass


# A cell's or the dimension's reference inside a worksheet's XML ("XFD200000").
_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|dimension)\b[^>]*?\s(?:r|ref)="(?:[A-Z]{1,3}\d{1,7}:)?'
                       rb'([A-Z]{1,3})(\d{1,7})"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b([^>]*)>')
_RELATIONSHIP = re.compile(rb'<(?:\w+:)?Relationship\b([^>]*)>')
_ATTRIBUTE = re.compile(rb'(?:^|\s)(?:\w+:)?(\w+)="([^"]*)"')
_CHUNK = 4 * MB


def _check_sheet_extents(archive: zipfile.ZipFile, limits: Limits, shown: str) -> None:
    """Refuse a sheet whose farthest cell makes it huge (one cell at XFD200000 is 3.3
    billion cells to a reader), before any reader allocates for it."""
    for name, part in _worksheet_parts(archive):
        rows = columns = 0
        tail = b""
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                text = tail + chunk
                found = _CELL_REF.findall(text)
                if found:
                    # Whole chunks at C speed (a 5-million-cell sheet in a second): the
                    # farthest row, and the farthest of the few distinct column letters.
                    letters, numbers = zip(*found)
                    rows = max(rows, max(map(int, numbers)))
                    columns = max(columns, max(column_number(c.decode())
                                               for c in set(letters)))
                tail = text[-512:]   # a reference cut in two by the chunk boundary
        if rows * columns > limits.max_cells:
            raise ReadError(shown, f"sheet '{name}' reaches row {rows:,}, column "
                                   f"{columns:,} ({rows * columns:,} cells), over the "
                                   f"{limits.max_cells:,}-cell limit",
                            "delete the stray cells far from the table, or copy the "
                            "table to a new workbook")


def _worksheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) for each worksheet the workbook lists."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return []
    targets = {}
    for attributes in _RELATIONSHIP.findall(rels):
        found = dict(_ATTRIBUTE.findall(attributes))
        targets[found.get(b"Id", b"")] = found.get(b"Target", b"").decode("utf-8", "replace")
    parts = []
    names = set(archive.namelist())
    for attributes in _SHEET.findall(workbook):
        found = dict(_ATTRIBUTE.findall(attributes))   # r:id is read as "id"
        target = targets.get(found.get(b"id", b""), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if part in names:
            parts.append((found.get(b"name", b"").decode("utf-8", "replace"), part))
    return parts


