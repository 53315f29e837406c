"""The recovery worklist merged with what the remittances show now (pure).

Every underpaid or denied line of the ERAs is one item, keyed by payer, the
practice's claim id (CLP01, which a reprocessed claim keeps), the line and its
service date. A run adds the lines not yet on the list as ``open``; an item still
open or appealed whose line a later remittance allowed in full becomes ``recovered``
with the amount regained; a person's status, owner and notes are never touched, and
no item is ever dropped (DESIGN, "Recovery worklist").
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..client import Client
from .changes import present
from ..labels import schedule_label
from ..money import excel_round
from ..sources.recovery import (APPEALED, DISMISSED, OPEN, RECOVERED, STATUSES, WRITTEN_OFF,
                                WorkItem)

DUE_DAYS = 30      # "deadlines in the next 30 days"
PAYER_COLUMNS = ("payer", "items", "open", "open_amount", "appealed", "appealed_amount",
                 "recovered", "recovered_amount", "written_off", "written_off_amount",
                 "dismissed", "due_soon", "due_soon_amount", "past_deadline")


@dataclass(frozen=True)
class Worklist:
    """The merged items (the file's order, new ones after), what this run changed, and
    per payer what it comes to on ``day``."""

    items: tuple[WorkItem, ...]
    day: date
    added: int = 0
    recovered_now: int = 0

    @property
    def payers(self) -> pd.DataFrame:
        rows = []
        for payer in sorted({item.payer for item in self.items}):
            mine = [i for i in self.items if i.payer == payer]
            of = _by_status(mine)
            due = [i for i in self.due_soon() if i.payer == payer]
            rows.append({
                "payer": payer, "items": len(mine),
                "open": len(of(OPEN)), "open_amount": _total(of(OPEN)),
                "appealed": len(of(APPEALED)), "appealed_amount": _total(of(APPEALED)),
                "recovered": len(of(RECOVERED)),
                "recovered_amount": excel_round(math.fsum(i.recovered for i in of(RECOVERED)),
                                                2),
                "written_off": len(of(WRITTEN_OFF)),
                "written_off_amount": _total(of(WRITTEN_OFF)),
                "dismissed": len(of(DISMISSED)),
                "due_soon": len(due), "due_soon_amount": _total(due),
                "past_deadline": sum(1 for i in mine if i.status in (OPEN, APPEALED)
                                     and i.deadline is not None and i.deadline < self.day)})
        return pd.DataFrame(rows, columns=list(PAYER_COLUMNS))

    def total(self, column: str) -> float:
        return excel_round(math.fsum(self.payers[column]), 2) if len(self.items) else 0.0

    def still_open(self) -> list[WorkItem]:
        """Open and appealed items, the nearest deadline first (none known: last)."""
        return sorted((i for i in self.items if i.status in (OPEN, APPEALED)),
                      key=lambda i: (i.deadline or date.max, i.payer, i.key))

    def due_soon(self) -> list[WorkItem]:
        """Open or appealed items whose appeal deadline is within the next 30 days."""
        end = self.day + timedelta(days=DUE_DAYS)
        return [i for i in self.still_open()
                if i.deadline is not None and self.day <= i.deadline <= end]

    def by_deadline(self) -> list[WorkItem]:
        """Every item, the nearest deadline first: the workbook's Worklist order."""
        return sorted(self.items, key=lambda i: (i.deadline or date.max, i.payer, i.key))

    def to_dict(self) -> dict[str, Any]:
        """The ``worklist`` object of ``--json`` (docs/json.md)."""
        return {"day": self.day.isoformat(), "added": self.added,
                "recovered_now": self.recovered_now,
                "payers": [{k: present(v) for k, v in row.items()}
                           for row in self.payers.to_dict("records")],
                "items": [{k: dict(v) if k == "extra" else present(v)
                           for k, v in asdict(item).items()} for item in self.by_deadline()]}


def _by_status(items: list[WorkItem]):
    """status → the items of ``items`` with it."""
    def of(status: str) -> list[WorkItem]:
        return [i for i in items if i.status == status]
    return of


def _total(items: list[WorkItem]) -> float:
    return excel_round(math.fsum(i.difference for i in items), 2)


NO_DATE = "no date"   # a line without a service date: the key still ends in a word


def line_key(payer: str, claim: str, line: str, service_date: date | None) -> str:
    """payer | claim | line | service date: the same for a line in every remittance."""
    return " | ".join((payer, claim, line,
                       service_date.isoformat() if service_date else NO_DATE))


def _optional(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def _owed(record: dict[str, Any]) -> float:
    """What the line should have brought: the contracted amount (a denial of a code
    without one: its billed amount)."""
    contracted = _optional(record["contracted"])
    return contracted if contracted is not None else float(record["billed"])


def _received(record: dict[str, Any]) -> float:
    """What the payer's remittance counted for the line: its allowed amount, or nothing
    on a denial (whose "allowed", billed less the CO adjustments, was never paid)."""
    return 0.0 if record["status"] == "denied" else float(record["allowed"])


def _in_full(record: dict[str, Any], owed: float) -> bool:
    return record["status"] != "denied" and excel_round(owed - _received(record), 2) <= 0.01


def merge(items: list[WorkItem], client: Client, lines: pd.DataFrame | None,
          day: date) -> Worklist:
    """``items`` (the file's) with the underpaid and denied lines of ``lines`` (the
    Monitoring's) added, and the ones a later remittance paid in full recovered.

    A line is found again by its key (the line part is the 835's own line control
    number, else its code: a reprocessed claim may list its lines in another order).
    An item still open or appealed follows its line's latest remittance: paid in full
    makes it recovered with what that brought more; paid in part lowers what is owed."""
    if lines is None or lines.empty:
        return Worklist(tuple(items), day)
    settings, practice = client.settings, client.practice
    # The latest remittance of each line: what it stands at now.
    latest: dict[str, dict[str, Any]] = {}
    found: dict[str, dict[str, Any]] = {}
    ordered = lines.assign(_order=range(len(lines))).sort_values(
        ["payment_date", "_order"], kind="stable", na_position="first")
    for record in ordered.to_dict("records"):
        label = schedule_label(record["payer"], record["network"])
        day_of_service = record["service_date"] if isinstance(record["service_date"], date) \
            else None
        key = line_key(label, str(record["patient_control_number"]),
                       str(record["line_number"]), day_of_service)
        record["label"], record["key"] = label, key
        latest[key] = record
        if record["status"] in ("underpaid", "denied") and key not in found:
            found[key] = record
    merged: list[WorkItem] = []
    recovered_now = 0
    for item in items:
        now = latest.get(item.key)
        if now is not None and now["code"] == item.code and item.status in (OPEN, APPEALED):
            owed = item.contracted if item.contracted is not None else item.billed
            brought = owed - item.difference   # what the line had brought so far
            if _in_full(now, owed):
                item = replace(item, status=RECOVERED, updated=day,
                               recovered=excel_round(_received(now) - brought, 2))
                recovered_now += 1
            elif excel_round(_received(now) - brought, 2) > 0:   # paid in part since
                item = replace(item, allowed=float(now["allowed"]), paid=float(now["paid"]),
                               difference=excel_round(owed - _received(now), 2), updated=day)
        merged.append(item)
    known = {item.key for item in items}
    new = []
    for key, record in found.items():
        if key in known:
            continue
        owed = _owed(record)
        paid_on = record["payment_date"] if isinstance(record["payment_date"], date) else None
        window = practice.appeal_days_for(record["payer"], record["label"],
                                          settings.appeal_days)
        item = WorkItem(
            key=key, payer=record["label"],
            kind="denied" if record["status"] == "denied" else "underpaid",
            claim=str(record["claim"]),
            patient_control_number=str(record["patient_control_number"]),
            service_date=record["service_date"] if isinstance(record["service_date"], date)
            else None, code=str(record["code"]), billed=float(record["billed"]),
            allowed=float(record["allowed"]), paid=float(record["paid"]),
            contracted=_optional(record["contracted"]),
            difference=excel_round(owed - _received(record), 2),
            carc_rarc=" ".join(filter(None, (str(record["adjustments"]),
                                             str(record["rarc"])))),
            trace=str(record["trace"]), paid_on=paid_on, found=day,
            deadline=paid_on + timedelta(days=window) if paid_on else None,
            status=OPEN, updated=day)
        now = latest[key]
        if now is not record and _in_full(now, owed):
            # Paid in full by a later remittance before any run saw it: kept, recovered.
            item = replace(item, status=RECOVERED,
                           recovered=excel_round(_received(now) - _received(record), 2))
        new.append(item)
    new.sort(key=lambda i: (i.deadline or date.max, i.payer, i.key))
    return Worklist(tuple(merged + new), day, added=len(new), recovered_now=recovered_now)


def apply_edits(items: list[WorkItem], edits: dict[str, dict[str, str]],
                day: date) -> tuple[list[WorkItem], int]:
    """A person's status, owner and notes (by key) applied to ``items``; how many changed.
    Edits name only keys the items have and statuses of the list (checked by the caller's
    reader)."""
    changed = 0
    out = []
    for item in items:
        edit = edits.get(item.key)
        if edit:
            updated = replace(item, status=edit.get("status", item.status),
                              owner=edit.get("owner", item.owner),
                              notes=edit.get("notes", item.notes))
            if updated != item:
                assert updated.status in STATUSES
                item = replace(updated, updated=day)
                changed += 1
        out.append(item)
    return out, changed
