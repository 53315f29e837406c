"""The recovery worklist kept up to date in the client folder, a person's workbook edits
taken back into it, and the appeal packets sent to payers.

Every change to ``recovery.csv`` happens here, under the folder's lock: read (checked),
merged, and written only if the file is still what was read (a person who saved it in
the meantime has the run merge again over their edit, never lose it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable

from ..analysis import Analysis
from ..analysis.worklist import Worklist, apply_edits, merge
from ..money import excel_round, money
from ..sources import recovery
from ..sources.recovery import APPEALED, OPEN, WorkItem, WorklistError
from ..wording import plural
from ..written import PACKET_MARK
from .content import long_date

MERGE_ATTEMPTS = 5


def keeps_worklist(folder: Path) -> bool:
    """Whether the client folder keeps a recovery worklist (its recovery.csv exists)."""
    return recovery.path_in(folder).exists()


def _update(folder: Path, change: Callable[[list[WorkItem]], tuple[list[WorkItem], Any]],
            wait: float = recovery.LOCK_WAIT_SECONDS) -> Any:
    """Apply ``change`` to the folder's items and write them, under the lock; if the file
    changed between reading and writing (a person saved it), merge again over theirs."""
    path = recovery.path_in(folder)
    with recovery.locked(folder, wait):
        for _ in range(MERGE_ATTEMPTS):
            before = path.read_bytes() if path.exists() else None
            items, result = change(recovery.read_worklist(folder))
            now = path.read_bytes() if path.exists() else None
            if now == before:
                recovery.write_worklist(folder, items)
                return result
        raise WorklistError(f"{path}: kept changing while xlfees merged it ({MERGE_ATTEMPTS} "
                            "times): close it in Excel and run again")


def update_worklist(folder: str | Path, analysis: Analysis, day: date,
                    wait: float = recovery.LOCK_WAIT_SECONDS) -> Worklist:
    """Merge the client's remittances into its recovery.csv (started if it has none) and
    return the worklist as written."""
    folder = Path(folder)
    lines = analysis.monitoring.lines if analysis.monitoring is not None else None

    def change(items: list[WorkItem]) -> tuple[list[WorkItem], Worklist]:
        merged = merge(items, analysis.client, lines, day)
        return list(merged.items), merged
    result: Worklist = _update(folder, change, wait)
    return result


def with_worklist(analysis: Analysis, folder: str | Path, day: date,
                  start: bool = False) -> Analysis:
    """The analysis with its recovery worklist, merged into the folder's recovery.csv,
    when the folder keeps one (or ``start``: begin it). Otherwise as it was: nothing is
    written into a client folder unasked."""
    folder = Path(folder)
    if not (start or keeps_worklist(folder)):
        return analysis
    return replace(analysis, worklist=update_worklist(folder, analysis, day))


# --- a person's edits in the workbook -------------------------------------------------------

@dataclass(frozen=True)
class Imported:
    path: Path
    changed: int
    rows: int


PERSON_COLUMNS = {"status": "Status", "owner": "Owner", "notes": "Notes"}


def workbook_edits(rows: list[tuple[int, dict[str, Any]]], shown: str
                   ) -> dict[str, tuple[int, dict[str, tuple[str, str]]]]:
    """Key → (its row, field → (what a person set, what xlfees had written)) for each
    field of the workbook ``shown``'s Worklist a person changed; a status not in the
    list or a key twice is refused."""
    edits: dict[str, tuple[int, dict[str, tuple[str, str]]]] = {}
    for number, row in rows:
        cells = {name: "" if row.get(name) is None else str(row[name]).strip()
                 for name in row}
        key = cells.get("Key", "")
        if not key:
            continue
        if key in edits:
            raise WorklistError(f"{shown}: Worklist row {number}: the key {key!r} is also on "
                                f"row {edits[key][0]}: delete the copy")
        status = recovery.checked_status(cells["Status"], f"{shown}: Worklist row {number}")
        now = {"status": status, "owner": cells["Owner"], "notes": cells["Notes"]}
        changed = {field: (value, cells[f"{PERSON_COLUMNS[field]} as written"])
                   for field, value in now.items()
                   if value != cells[f"{PERSON_COLUMNS[field]} as written"]}
        edits[key] = (number, changed)
    return edits


def import_edits(edits: dict[str, tuple[int, dict[str, tuple[str, str]]]],
                 workbook: str | Path, folder: str | Path, day: date,
                 wait: float = recovery.LOCK_WAIT_SECONDS) -> Imported:
    """Take what a person changed in the workbook's Worklist (``workbook_edits``) into
    the client folder's recovery.csv. A field changed in the file too since the workbook
    was written (to something else) is a conflict, refused; so is a row the file lacks."""
    folder = Path(folder)
    path = recovery.path_in(folder)
    if not path.exists():
        raise WorklistError(f"{folder}: has no {recovery.FILE_NAME}: import into the client "
                            "folder whose workbook this is (xlfees worklist import WORKBOOK "
                            "--client FOLDER)")

    def change(items: list[WorkItem]) -> tuple[list[WorkItem], Imported]:
        by_key = {item.key: item for item in items}
        unknown = [key for key in edits if key not in by_key]
        if unknown:
            raise WorklistError(f"{workbook}: its Worklist row {edits[unknown[0]][0]} "
                                f"({unknown[0]!r}) is not in {path}: is this the client's "
                                "workbook?")
        wanted: dict[str, dict[str, str]] = {}
        for key, (number, fields) in edits.items():
            for field, (value, written) in fields.items():
                current = getattr(by_key[key], field)
                if current not in (written, value):
                    raise WorklistError(
                        f"{workbook}: Worklist row {number}: {field} is {value!r} here, but "
                        f"{path} changed it to {current!r} since this workbook was written: "
                        "set it in the file, or write a fresh workbook (xlfees analyze) "
                        "and edit that")
                wanted.setdefault(key, {})[field] = value
        changed_items, changed = apply_edits(items, wanted, day)
        return changed_items, Imported(path, changed, len(edits))
    result: Imported = _update(folder, change, wait)
    return result


# --- appeal packets --------------------------------------------------------------------------

@dataclass(frozen=True)
class Packet:
    payer: str
    items: tuple[WorkItem, ...]
    total: float
    contract: str | None


def packets(analysis: Analysis, items: list[WorkItem]) -> list[Packet]:
    """One packet per payer with open lines, the lines by service date."""
    practice = analysis.client.practice
    payers = {label: payer for payer, network, label in _labels(analysis)}
    out = []
    for payer in sorted({i.payer for i in items if i.status == OPEN}):
        mine = tuple(sorted((i for i in items if i.payer == payer and i.status == OPEN),
                            key=lambda i: (i.service_date or date.min, i.claim, i.key)))
        out.append(Packet(payer, mine, excel_round(math.fsum(i.difference for i in mine), 2),
                          practice.contract_for(payers.get(payer, payer), payer)))
    return out


def _labels(analysis: Analysis) -> list[tuple[str, str, str]]:
    from ..labels import schedule_label
    return [(p, n, schedule_label(p, n)) for p, n in
            zip(analysis.payers["payer"], analysis.payers["network"])]


PACKET_COLUMNS = ("Claim", "Patient control no.", "Service date", "Code", "Billed", "Paid",
                  "Contracted", "Difference", "CARC/RARC", "Trace number")


def packet_rows(packet: Packet) -> list[list[str]]:
    rows = [[i.claim, i.patient_control_number,
             i.service_date.strftime("%m/%d/%Y") if i.service_date else "", i.code,
             money(i.billed), money(i.paid),
             money(i.contracted) if i.contracted is not None else "—", money(i.difference),
             i.carc_rarc, i.trace] for i in packet.items]
    return rows + [["Total", "", "", "", "", "", "", money(packet.total), "", ""]]


def cover_letter(analysis: Analysis, packet: Packet, day: date) -> list[str]:
    """The cover letter's paragraphs."""
    client = analysis.client
    denied = sum(1 for i in packet.items if i.kind == "denied")
    under = len(packet.items) - denied
    what = " and ".join(filter(None, (
        plural(under, "line") + " allowed below the contracted fee" if under else "",
        plural(denied, "line") + " denied" if denied else "")))
    contract = f" under our contract {packet.contract}" if packet.contract else ""
    return [
        f"{client.name} asks that the claims below be reprocessed{contract}: {what}, "
        f"{money(packet.total)} in all, measured against the fee schedule in force on "
        "each date of service.",
        "Each line gives the claim, our patient control number, the date of service, the "
        "procedure code, what we billed, what your remittance paid, the contracted amount, "
        "the difference, the adjustment and remark codes, and the check or EFT trace "
        "number of the payment.",
        "Please send the corrected remittance, or the reason for each line you uphold, to "
        "the address above. Thank you.",
    ]


def write_packets(analysis: Analysis, folder: str | Path, out_dir: str | Path, day: date,
                  wait: float = recovery.LOCK_WAIT_SECONDS) -> list[Path]:
    """Per payer with open lines, a PDF and a .docx appeal packet; those lines are then
    marked appealed on ``day`` in the folder's recovery.csv."""
    from .documents import write_packet_docx, write_packet_pdf
    from . import FileNames

    folder, out_dir = Path(folder), Path(out_dir)

    def change(items: list[WorkItem]) -> tuple[list[WorkItem], list[Path]]:
        names = FileNames()
        written: list[Path] = []
        made = packets(analysis, items)
        sent = {i.key for packet in made for i in packet.items}
        for packet in made:
            letter = cover_letter(analysis, packet, day)
            stem = names.give(packet.payer, PACKET_MARK + ".pdf")[:-4]
            written.append(write_packet_pdf(analysis, packet, letter, day,
                                            out_dir / f"{stem}.pdf"))
            written.append(write_packet_docx(analysis, packet, letter, day,
                                             out_dir / f"{stem}.docx"))
        return ([replace(i, status=APPEALED, updated=day) if i.key in sent else i
                 for i in items], written)
    result: list[Path] = _update(folder, change, wait)
    return result


def open_items_text(worklist: Worklist) -> str:
    """`xlfees worklist CLIENT`: the open items, nearest deadline first."""
    items = worklist.still_open()
    lines = [f"{len(items)} item{'s' if len(items) != 1 else ''} to recover (open or appealed) "
             f"({money(excel_round(math.fsum(i.difference for i in items), 2))}), "
             f"as of {long_date(worklist.day)}"
             + (f"; {worklist.added} new" if worklist.added else "")
             + (f"; {worklist.recovered_now} recovered" if worklist.recovered_now else "")]
    if items:
        lines.append(f"{'Deadline':<11} {'Status':<9} {'Payer':<24} {'Claim':<14} "
                     f"{'Service':<10} {'Code':<5} {'Owed':>10}  Owner")
    for i in items:
        lines.append(f"{i.deadline.isoformat() if i.deadline else '—':<11} {i.status:<9} "
                     f"{i.payer[:24]:<24} {i.claim[:14]:<14} "
                     f"{i.service_date.isoformat() if i.service_date else '':<10} "
                     f"{i.code:<5} {money(i.difference):>10}  {i.owner}")
    return "\n".join(lines)
