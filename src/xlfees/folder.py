"""Reading a client folder in the canonical layout (CSV tables and ``client.toml``)."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .amounts import parse_amount
from .cdt import normalize_code
from .client import Client, Note
from .errors import ClientFolderError
from .settings import Settings

OFFICE_FEES_FILE = "office_fees.csv"
SCHEDULES_FILE = "schedules.csv"
VOLUME_FILE = "volume.csv"
CLIENT_TOML = "client.toml"


def load_client(folder: str | Path) -> Client:
    """Read a client folder: ``office_fees.csv``, ``schedules.csv``, ``volume.csv``, ``client.toml``.

    Rows that cannot be read (a code that is not CDT, ``BR`` instead of an
    amount) are kept out of the tables and reported in the client's notes.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ClientFolderError(f"{folder} is not a folder: pass a client folder "
                                f"holding {OFFICE_FEES_FILE} and {SCHEDULES_FILE}")
    document = _read_toml(folder / CLIENT_TOML)
    settings = Settings.from_toml(document, source=str(folder / CLIENT_TOML))
    notes: list[Note] = []
    office_fees = _read_table(folder / OFFICE_FEES_FILE, notes, required=True, columns={
        "code": _code, "description": _as_text, "office_fee": parse_amount,
        "benchmark": _optional_amount})
    schedules = _read_table(folder / SCHEDULES_FILE, notes, required=True, columns={
        "payer": _as_text, "network": _as_text, "code": _code, "allowed": parse_amount,
        "alt_code": _optional_code, "alt_allowed": _optional_amount, "effective": _as_text})
    volume = _read_table(folder / VOLUME_FILE, notes, required=False, columns={
        "code": _code, "payer": _as_text, "count": parse_amount})
    return Client.from_frames(
        name=document.get("name") or folder.resolve().name,
        office_fees=office_fees, schedules=schedules, volume=volume,
        settings=settings, notes=notes, owner_email=document.get("owner_email"),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ClientFolderError(f"{path} is not valid TOML ({error}): fix the line named") \
            from None
    except UnicodeDecodeError:
        raise ClientFolderError(f"{path} is not UTF-8 text: save it as UTF-8") from None


class _Reject(Exception):
    """A cell that makes its row unusable; the message is the reason."""


def _code(text: str) -> str:
    code = normalize_code(text)
    if code is None:
        raise _Reject("not a CDT code")
    return code


def _optional_code(text: str) -> str | None:
    return _code(text) if text.strip() else None


def _optional_amount(text: str) -> float | None:
    if not text.strip():
        return None
    return parse_amount(text)


def _as_text(text: str) -> str:
    return text.strip()


# Optional cells whose row is still usable without them: what is done instead.
_IGNORED_IF_UNREADABLE = {
    "alt_allowed": "alt_allowed is not an amount: the payer's allowed amount for the "
                   "alternate code is used",
    "benchmark": "benchmark is not an amount: this code has no external benchmark",
}

_REQUIRED_IN = {
    OFFICE_FEES_FILE: ("code", "office_fee"),
    SCHEDULES_FILE: ("payer", "code", "allowed"),
    VOLUME_FILE: ("code", "count"),
}


def _read_table(path: Path, notes: list[Note], required: bool,
                columns: dict[str, Callable[[str], Any]]) -> pd.DataFrame | None:
    if not path.exists():
        if required:
            raise ClientFolderError(f"{path} is missing: every client folder needs "
                                    f"{OFFICE_FEES_FILE} and {SCHEDULES_FILE}")
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise ClientFolderError(f"{path} is not UTF-8 text: save it as CSV UTF-8") from None
    if not lines:
        raise ClientFolderError(f"{path} is empty: it needs a header row")
    header = [h.strip().lower() for h in lines[0]]
    needed = _REQUIRED_IN[path.name]
    absent = [c for c in needed if c not in header]
    if absent:
        raise ClientFolderError(f"{path} has no column {', '.join(absent)}: its header row "
                                f"must name {', '.join(needed)}")
    position = {name: header.index(name) for name in columns if name in header}
    records = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        record: dict[str, Any] = {"source": path.name, "row": number}
        try:
            for name, parse in columns.items():
                index = position.get(name)
                text = cells[index] if index is not None and index < len(cells) else ""
                value = parse(text)
                if name in needed and (value is None or value == ""):
                    raise _Reject("no payer name" if name == "payer" else "not an amount")
                if name in _IGNORED_IF_UNREADABLE and value is None and text.strip():
                    notes.append(Note(reason=_IGNORED_IF_UNREADABLE[name],
                                      file=path.name, row=number, text=text))
                record[name] = value
        except _Reject as reject:
            notes.append(Note(reason=str(reject), file=path.name, row=number, text=text))
            continue
        records.append(record)
    return pd.DataFrame(records, columns=["source", "row", *columns])
