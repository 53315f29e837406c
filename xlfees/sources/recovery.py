"""The recovery worklist a client folder keeps: ``recovery.csv``, read, checked, written.

One row per underpaid or denied remittance line (DESIGN, "Recovery worklist"). xlfees
adds rows and fills the figures; a person owns status, owner and notes; no row is ever
removed. The file is a plain CSV a person opens in Excel, so every read checks it: a
status not in the list, a date that is not a date, a key twice, a row gone (against
the last copy xlfees wrote, kept in ``.xlfees/``) is refused with one error naming
the row and the fix, and nothing is written.

Writes are atomic, and one run at a time holds the folder's lock (``.xlfees/
recovery.lock``); a run that finds it held waits for it, then says so.
"""

from __future__ import annotations

import csv
import io
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..csvtext import neutralised, restored
from ..errors import XlfeesError
from ..written import write_atomically

FILE_NAME = "recovery.csv"
STATE_FOLDER = ".xlfees"
LAST_COPY = "recovery-last.csv"   # the file as xlfees last wrote it: what a row is held to
LOCK = "recovery.lock"
OPEN, APPEALED, RECOVERED, WRITTEN_OFF, DISMISSED = (
    "open", "appealed", "recovered", "written off", "dismissed")
STATUSES = (OPEN, APPEALED, RECOVERED, WRITTEN_OFF, DISMISSED)
KINDS = ("underpaid", "denied")
LOCK_WAIT_SECONDS = 30.0


class WorklistError(XlfeesError):
    """recovery.csv cannot be read or written as it is: which row, what, and the fix."""


@dataclass(frozen=True)
class WorkItem:
    """One remittance line to recover: its figures as found, and a person's word on it."""

    key: str                        # payer | claim | line | service date
    payer: str                      # the schedule's label, "Delta Dental (PPO)"
    kind: str                       # underpaid | denied
    claim: str                      # the payer's claim number (CLP07)
    patient_control_number: str     # the practice's (CLP01)
    service_date: date | None
    code: str
    billed: float
    allowed: float
    paid: float
    contracted: float | None
    difference: float               # contracted − allowed: what is owed
    carc_rarc: str
    trace: str                      # the check or EFT number of the payment (TRN02)
    paid_on: date | None            # the payment's date (BPR16)
    found: date
    deadline: date | None           # the payment date + the payer's appeal window
    status: str = OPEN
    owner: str = ""
    notes: str = ""
    recovered: float = 0.0          # how much more a later remittance allowed
    updated: date | None = None
    # Columns a person added after the last, by header: kept as they wrote them.
    extra: tuple[tuple[str, str], ...] = ()


COLUMNS = tuple(f.name for f in fields(WorkItem) if f.name != "extra")
_DATES = ("service_date", "paid_on", "found", "deadline", "updated")
_MONEY = ("billed", "allowed", "paid", "contracted", "difference", "recovered")


def path_in(folder: Path) -> Path:
    return folder / FILE_NAME


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    # A person's note "=1+1" or "@x" stays text when Excel opens the file.
    return neutralised(str(value))


def to_csv(items: list[WorkItem]) -> bytes:
    """The file's bytes: a header, one row per item in the order given (UTF-8 with a BOM,
    so Excel opens it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    added = list(dict.fromkeys(name for item in items for name, _ in item.extra))
    writer.writerow([*COLUMNS, *added])
    for item in items:
        values = asdict(item)
        extra = dict(item.extra)
        writer.writerow([_text(values[name]) for name in COLUMNS]
                        + [neutralised(extra.get(name, "")) for name in added])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def checked_status(value: str, where: str) -> str:
    """A status a person wrote, as the list spells it; else the error naming ``where``."""
    status = value.strip().lower()
    if status not in STATUSES:
        raise WorklistError(f"{where}: status {value!r} is not one of {', '.join(STATUSES)}: "
                            "write one of them")
    return status


def _date(value: str, shown: str, row: int, column: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        pass
    try:   # as Excel saves a CSV in the United States: 12/1/2026
        return datetime.strptime(value.strip(), "%m/%d/%Y").date()
    except ValueError:
        raise WorklistError(f"{shown}: row {row}: {column} {value!r} is not a date: write it "
                            "as YYYY-MM-DD (e.g. 2026-12-01), or leave it empty") from None


def _money(value: str, shown: str, row: int, column: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value.replace("$", "").replace(",", "").strip())
    except ValueError:
        raise WorklistError(f"{shown}: row {row}: {column} {value!r} is not an amount: write "
                            "a number such as 12.50") from None


def parse(data: bytes, shown: str) -> list[WorkItem]:
    """The items of a recovery.csv's bytes, checked row by row (``shown`` names the file)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")   # saved by Excel as "CSV" (ANSI)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise WorklistError(f"{shown}: row 1: the columns {', '.join(missing)} are missing: "
                            "keep the header xlfees wrote (rename nothing; add columns only "
                            "after the last)")
    at = {name: header.index(name) for name in COLUMNS}
    added = [(i, name) for i, name in enumerate(header) if name and name not in COLUMNS]
    items: list[WorkItem] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: restored(row[i]) if i < len(row) else "" for name, i in at.items()}
        key = cells["key"].strip()
        if not key:
            raise WorklistError(f"{shown}: row {number}: the key is empty: xlfees finds each "
                                "line by it; put it back as it was")
        if key in seen:
            raise WorklistError(f"{shown}: row {number}: the key {key!r} is also on row "
                                f"{seen[key]}: one row per line; delete the copy you made")
        seen[key] = number
        status = checked_status(cells["status"], f"{shown}: row {number}")
        if cells["kind"] not in KINDS:
            raise WorklistError(f"{shown}: row {number}: kind {cells['kind']!r} is not "
                                "underpaid or denied: put back what xlfees wrote")
        dates = {name: _date(cells[name], shown, number, name) for name in _DATES}
        amounts = {name: _money(cells[name], shown, number, name) for name in _MONEY}
        found = dates["found"]
        if found is None:
            raise WorklistError(f"{shown}: row {number}: found is empty: put back the date "
                                "xlfees wrote")
        items.append(WorkItem(
            key=key, payer=cells["payer"], kind=cells["kind"], claim=cells["claim"],
            patient_control_number=cells["patient_control_number"],
            service_date=dates["service_date"], code=cells["code"],
            billed=amounts["billed"] or 0.0, allowed=amounts["allowed"] or 0.0,
            paid=amounts["paid"] or 0.0, contracted=amounts["contracted"],
            difference=amounts["difference"] or 0.0, carc_rarc=cells["carc_rarc"],
            trace=cells["trace"], paid_on=dates["paid_on"], found=found,
            deadline=dates["deadline"], status=status, owner=cells["owner"],
            notes=cells["notes"], recovered=amounts["recovered"] or 0.0,
            updated=dates["updated"],
            extra=tuple((name, restored(row[i]) if i < len(row) else "")
                        for i, name in added)))
    return items


def read_worklist(folder: Path) -> list[WorkItem]:
    """The folder's recovery.csv (none: no items), checked against the last copy xlfees
    wrote: every row it held is still there."""
    path = path_in(folder)
    shown = str(path)
    if not path.exists():
        last = folder / STATE_FOLDER / LAST_COPY
        if last.exists() and parse(last.read_bytes(), str(last)):
            raise WorklistError(f"{shown}: is gone, but xlfees wrote it before: rows are never "
                                f"deleted; copy {last} back to {path}")
        return []
    items = parse(path.read_bytes(), shown)
    last = folder / STATE_FOLDER / LAST_COPY
    if not last.exists():
        return items
    written = parse(last.read_bytes(), str(last))
    kept = {item.key for item in items}
    for number, item in enumerate(written, start=2):
        if item.key not in kept:
            raise WorklistError(
                f"{shown}: the row for {item.key!r} (row {number} when xlfees last wrote "
                "it) is gone: rows are never deleted; put it back from "
                f"{last}, or set its status to dismissed")
    # What a person owns (status, owner, notes, columns they added) from their file; the
    # rest are xlfees' figures, from its own copy (a spreadsheet may have rewritten them:
    # 9.87654E+11 for a claim number, 123 for "00123").
    ours = {item.key: item for item in written}
    return [replace(ours[item.key], status=item.status, owner=item.owner, notes=item.notes,
                    extra=item.extra) if item.key in ours else item for item in items]


def write_worklist(folder: Path, items: list[WorkItem]) -> Path:
    """recovery.csv (atomically), and the copy its rows are later held to."""
    data = to_csv(items)
    path = write_atomically(path_in(folder), data)
    write_atomically(folder / STATE_FOLDER / LAST_COPY, data)
    return path


def _try_lock(handle: Any) -> bool:
    """Take the operating system's exclusive lock on the open lock file, if free: it is
    let go when the holder closes it or its process ends, however it ends."""
    try:
        import fcntl
    except ImportError:   # Windows
        import msvcrt
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)   # type: ignore[attr-defined]
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _holder(lock: Path) -> str:
    try:
        return lock.read_text().split()[0]
    except (OSError, IndexError):   # Windows keeps a locked byte unreadable
        return "?"


@contextmanager
def locked(folder: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the folder's worklist lock: one run reads, merges and writes at a time; a
    run that finds it held waits up to ``wait`` seconds. The lock file stays (the lock
    is the operating system's on it, so a run that dies leaves nothing held)."""
    lock = folder / STATE_FOLDER / LOCK
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock, "a+")
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise WorklistError(
                    f"{path_in(folder)}: another xlfees run (process {_holder(lock)}) is "
                    f"updating it and still was after {wait:g} s: let it finish and run "
                    "again")
            time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")   # who holds it, for the message above
        handle.flush()
        yield
    finally:
        handle.close()   # closing lets the lock go

