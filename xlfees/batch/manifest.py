"""xlfees-batch.json, the manifest: what a batch wrote for each client (workbook, letters,
the owner's addresses, the headline figures), written by the batch and read back by
`xlfees send` as one type (Delivery), checked entry by entry: anyone may edit the file."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import SettingsError, XlfeesError
from ..files import read_limited
from ..mailboxes import Mailbox, parse_mailboxes
from ..wording import one_line, printable
from ..written import write_atomically

if TYPE_CHECKING:
    from .results import BatchResult, ClientResult


class ManifestError(XlfeesError):
    """No manifest, or not one xlfees wrote: nothing can be sent from that folder."""


# What `xlfees send` reads: each client's files, owner's addresses and headline figures.
MANIFEST_NAME = "xlfees-batch.json"


def write_manifest(batch: BatchResult, path: Path) -> Path:
    """The run as `xlfees send` reads it: per client its workbook and letters (relative to
    the output folder), the owner's addresses and the headline figures."""
    out_dir = path.parent.resolve()

    def relative(file: str | None) -> str | None:
        return None if file is None else Path(file).resolve().relative_to(out_dir).as_posix()
    clients = [Delivery.from_result(r, relative).to_json() for r in batch.results]
    groups = [{"group": g.group, "ok": g.ok, "error": g.error,
               "locations": [Path(f).name for f in g.locations],
               "workbook": relative(g.workbook), "files": [relative(f) for f in g.files],
               "rollup": g.rollup.to_dict() if g.rollup is not None else None}
              for g in batch.groups]
    # ASCII with \u escapes: a folder name that is not UTF-8 (caf\xe9) is a lone
    # surrogate here, which UTF-8 cannot hold but JSON's escape keeps, byte for byte.
    text = json.dumps({"version": 1, "clients": clients, "groups": groups}, indent=1,
                      ensure_ascii=True)
    return write_atomically(path, (text + "\n").encode("utf-8"))


def is_earlier_output(folder: Path) -> bool:
    """A folder an earlier batch wrote, known by the manifest it left. A client folder
    that merely holds a file named index.xlsx is not one."""
    try:
        manifest = json.loads(read_limited(folder / MANIFEST_NAME, 16 * 1024 * 1024))
    except (OSError, ValueError, XlfeesError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("clients"), list)


MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def read_manifest(out_dir: Path) -> list[Any]:
    """The manifest's list of clients; what each holds is checked client by client."""
    path = out_dir / MANIFEST_NAME
    if not path.exists():
        raise ManifestError(f"{out_dir}: no {MANIFEST_NAME}, so no batch output to send: run "
                        f"`xlfees batch CLIENTS_DIR -o {out_dir}` first")
    damaged = f"{path}: not a manifest xlfees wrote: run `xlfees batch` again"
    try:
        clients = json.loads(read_limited(path, MAX_MANIFEST_BYTES).decode("utf-8"))["clients"]
    except (ValueError, KeyError, TypeError, IndexError):
        raise ManifestError(damaged) from None
    except XlfeesError as error:
        raise ManifestError(str(error)) from None
    if not isinstance(clients, list):
        raise ManifestError(damaged)
    return clients


@dataclass(frozen=True)
class Delivery:
    """One client's entry of the manifest, checked: the manifest is a file anyone may edit."""

    client: str
    ok: bool
    error: str
    workbook: str
    files: tuple[str, ...]
    owners: tuple[Mailbox, ...]
    cc: tuple[Mailbox, ...]
    annual_writeoff: float
    impact_at_ask: float
    patient_savings: float
    top_targets: tuple[tuple[str, float], ...]
    folder: str = ""
    payer_asks: tuple[tuple[str, float], ...] = ()   # each payer's value of the ask
    # The recovery worklist by payer: open, appealed, recovered, written off, due soon.
    worklist: tuple[tuple[str, float, float, float, float, int], ...] = ()

    @classmethod
    def from_result(cls, result: ClientResult,
                    relative: Callable[[str | None], str | None]) -> "Delivery":
        """What the batch writes of one client (its files relative to the output folder)."""
        return cls(client=result.client, ok=result.ok, error=result.error or "",
                   workbook=relative(result.workbook) or "",
                   files=tuple(relative(f) or "" for f in result.files),
                   owners=parse_mailboxes(list(result.owner_email), "owner_email"),
                   cc=parse_mailboxes(list(result.cc), "cc"),
                   annual_writeoff=result.annual_writeoff,
                   impact_at_ask=result.impact_at_ask,
                   patient_savings=result.patient_savings,
                   top_targets=tuple(result.top_targets), folder=result.folder,
                   payer_asks=tuple(result.payer_asks), worklist=tuple(result.worklist))

    def to_json(self) -> dict[str, Any]:
        """The manifest entry, as ``delivery`` reads it back."""
        return {"client": self.client, "folder": self.folder, "ok": self.ok,
                "error": self.error or None, "workbook": self.workbook or None,
                "files": list(self.files), "owner_email": [str(m) for m in self.owners],
                "cc": [str(m) for m in self.cc], "annual_writeoff": self.annual_writeoff,
                "impact_at_ask": self.impact_at_ask, "patient_savings": self.patient_savings,
                "top_targets": [[label, value] for label, value in self.top_targets],
                "payer_asks": [[label, value] for label, value in self.payer_asks],
                "worklist": [list(row) for row in self.worklist]}

    @property
    def recipients(self) -> tuple[Mailbox, ...]:
        return self.owners + self.cc

    @property
    def needs_smtputf8(self) -> bool:
        return any(m.needs_smtputf8 for m in self.recipients)


class Refused(Exception):
    """This client's entry cannot be sent as it stands (the reason in words)."""


def client_name(entry: Any, number: int) -> str:
    """The client an entry names, fit for one line; its place in the manifest otherwise."""
    name = entry.get("client") if isinstance(entry, dict) else None
    return one_line(printable(name)).strip() if isinstance(name, str) and name.strip() \
        else f"client {number} of {MANIFEST_NAME}"


def _text(entry: dict[str, Any], key: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str):
        raise Refused(f"{MANIFEST_NAME} gives no {key}: run the batch again")
    return value


def _amount(entry: dict[str, Any], key: str) -> float:
    value = entry.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise Refused(f"{MANIFEST_NAME} gives {key} as {value!r}, not an amount: run the "
                       "batch again")
    return float(value)


def _mailboxes(entry: dict[str, Any], key: str) -> tuple[Mailbox, ...]:
    try:
        return parse_mailboxes(entry.get(key) or [], key)
    except SettingsError as error:
        raise Refused(f"not sent: {key} {error.problem}; {error.fix} in its client.toml, "
                       "then run the batch again") from None


def delivery(entry: Any, number: int) -> Delivery:
    """The entry as a Delivery, or Refused saying what is wrong with it."""
    if not isinstance(entry, dict):
        raise Refused(f"{MANIFEST_NAME} holds no client here: run the batch again")
    ok = entry.get("ok")
    error = entry.get("error")
    if ok is not True:   # its workbook failed in the batch: nothing of it is sent
        return Delivery(client=client_name(entry, number), ok=False,
                        error=one_line(error) if isinstance(error, str) else "", workbook="",
                        files=(), owners=(), cc=(), annual_writeoff=0.0, impact_at_ask=0.0,
                        patient_savings=0.0, top_targets=())
    files = entry.get("files") or []
    targets = entry.get("top_targets") or []
    asks = entry.get("payer_asks") or []
    worklist = entry.get("worklist") or []
    if not isinstance(worklist, list) or not all(
            isinstance(w, list) and len(w) == 6 and isinstance(w[0], str) for w in worklist):
        raise Refused(f"{MANIFEST_NAME} lists its worklist wrongly: run the batch again")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise Refused(f"{MANIFEST_NAME} lists its files wrongly: run the batch again")
    if not isinstance(targets, list) or not all(
            isinstance(t, list) and len(t) == 2 and isinstance(t[0], str) for t in targets):
        raise Refused(f"{MANIFEST_NAME} lists its targets wrongly: run the batch again")
    if not isinstance(asks, list) or not all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) for a in asks):
        raise Refused(f"{MANIFEST_NAME} lists its payers' asks wrongly: run the batch again")
    return Delivery(
        client=client_name(entry, number), ok=True, error="",
        workbook=_text(entry, "workbook"),
        files=tuple(files), owners=_mailboxes(entry, "owner_email"),
        cc=_mailboxes(entry, "cc"), annual_writeoff=_amount(entry, "annual_writeoff"),
        impact_at_ask=_amount(entry, "impact_at_ask"),
        patient_savings=_amount(entry, "patient_savings"),
        top_targets=tuple((one_line(printable(label)), _amount({"target": value}, "target"))
                          for label, value in targets),
        folder=entry["folder"] if isinstance(entry.get("folder"), str) else "",
        payer_asks=tuple((one_line(printable(label)), _amount({"ask": value}, "ask"))
                         for label, value in asks),
        worklist=tuple(_worklist_row(w) for w in worklist))


def _worklist_row(row: list[Any]) -> tuple[str, float, float, float, float, int]:
    """(payer, open, appealed, recovered, written off, due soon) of a manifest entry."""
    open_, appealed, recovered, written_off = (_amount({"amount": v}, "amount")
                                               for v in row[1:5])
    return (one_line(printable(row[0])), open_, appealed, recovered, written_off,
            int(_amount({"due": row[5]}, "due")))
