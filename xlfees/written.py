"""The files xlfees writes: atomically, as zips that give the same bytes for the same parts,
under names every system accepts, and recognisable as its own when it meets them again."""

from __future__ import annotations

import errno
import io
import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator


FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip entry times: same inputs, same bytes


BIG_PART = 8 * 1024 * 1024          # bytes of XML past which a part is deflated quickly


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Files are created with the permissions any other file would get (mkstemp makes them 0600).
FILE_MODE = 0o666 & ~_umask()


def zip_parts(parts: Iterable[tuple[str, bytes]], target: Any) -> None:
    """Write (name, bytes) parts as a zip with fixed times, so equal parts give equal bytes."""
    archive = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
    try:
        for name, data in parts:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if isinstance(data, list):   # a big sheet in pieces: streamed, never joined
                _write_pieces(archive, info, data)
                continue
            if isinstance(data, SpilledPart):   # a bigger one, from its temporary file
                _write_spilled(archive, info, data)
                continue
            # A big sheet compresses 3× faster at level 1 and a third larger: deflate's
            # default level spends seconds on a 100 MB sheet for little. Small parts, as
            # before. (The level is fixed by the size: same inputs, same bytes.)
            archive.writestr(info, data, compresslevel=1 if len(data) > BIG_PART else None)
    except BaseException:
        # An interrupt inside a part leaves that part's handle open, and closing the
        # archive (here or when it is collected) would raise ValueError over the
        # interrupt. The caller throws the half file away: let go of it unclosed (the
        # file object is the caller's, which closes it).
        archive.fp = None
        raise
    archive.close()


@dataclass(frozen=True)
class SpilledPart:
    """A part's text put in a temporary file while the rest of the workbook is made: a
    250,000-row sheet is 300 MB of text that need not sit in memory meanwhile."""

    path: Path
    size: int   # bytes


def _encoded(pieces: Iterable[str]) -> Iterator[bytes]:
    """Text pieces as UTF-8, about a megabyte at a time (not one call per row, nor all
    at once)."""
    batch: list[str] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += len(piece)
        if held > 1024 * 1024:
            yield "".join(batch).encode("utf-8")
            batch, held = [], 0
    yield "".join(batch).encode("utf-8")


def spill(pieces: Iterable[str]) -> SpilledPart:
    """Write text pieces, UTF-8, to a new temporary file (the caller removes it)."""
    handle, name = tempfile.mkstemp(prefix="xlfees-", suffix=".xml")
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in _encoded(pieces):
                size += out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return SpilledPart(Path(name), size)


def _set_level(info: zipfile.ZipInfo, big: bool) -> None:
    # zipfile takes the level for a streamed entry from the ZipInfo (private before 3.13).
    level = 1 if big else None
    info._compresslevel = level   # type: ignore[attr-defined]
    if hasattr(info, "compress_level"):
        info.compress_level = level


def _write_spilled(archive: zipfile.ZipFile, info: zipfile.ZipInfo, part: SpilledPart) -> None:
    """A spilled part streamed in from its file, at the level its size gives it (the same
    bytes as had it stayed in memory)."""
    _set_level(info, part.size > BIG_PART)
    with archive.open(info, "w", force_zip64=part.size > 2**30) as stream, \
            part.path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            stream.write(chunk)


def _write_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, pieces: list[str]) -> None:
    """A part given as text pieces, encoded and deflated a megabyte at a time, at the
    level ``zip_parts`` gives a part of its size (so the bytes equal a joined write's)."""
    size = sum(map(len, pieces))   # characters: at least a quarter of the bytes, at most all
    big = size > BIG_PART or (size * 4 > BIG_PART
                              and sum(len(p.encode("utf-8")) for p in pieces) > BIG_PART)
    _set_level(info, big)
    with archive.open(info, "w", force_zip64=size > 2**30) as stream:
        for chunk in _encoded(pieces):
            stream.write(chunk)


def normalised_zip(data: bytes) -> bytes:
    """An xlsx from openpyxl with fixed times and no creation date: rebuilding is byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for info in source.infolist():
        content = source.read(info.filename)
        if info.filename == "docProps/core.xml":
            start = content.find(b"<dcterms:created")
            end = content.find(b"</cp:coreProperties>")
            if start != -1:
                content = content[:start] + content[end:]
        parts.append((info.filename, content))
    out = io.BytesIO()
    zip_parts(parts, out)
    return out.getvalue()


def write_atomically(path: Path, data: bytes | None = None, *,
                     parts: Iterable[tuple[str, bytes]] | None = None) -> Path:
    """Write bytes (or zip ``parts``) to a temporary file beside ``path``, then rename it.

    An interruption (an exception, Ctrl-C, SIGTERM turned into one) removes the
    temporary file: there is never half a file under ``path``.
    """
    if len(path.name.encode("utf-8", "surrogateescape")) > 255:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)   # its error names the folder
    temporary = ""
    try:
        handle, temporary = _temporary_beside(path)
        with os.fdopen(handle, "wb") as raw:
            if parts is not None:
                zip_parts(parts, raw)
            else:
                raw.write(data or b"")
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except OSError as error:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        # Name the file the user asked for, not our temporary one beside it.
        raise OSError(error.errno, error.strerror, str(path)) from None
    except BaseException:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (descriptor, name), removed again if an
    interrupt lands while it is being made (tempfile.mkstemp could leave it behind: a
    signal between its open and its return)."""
    for _ in range(100):
        # A short prefix: a name near the 255-byte limit must still leave room for ours.
        temporary = str(path.parent / f".{path.name[:40]}.{secrets.token_hex(6)}.partial")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                           | getattr(os, "O_BINARY", 0), 0o600), temporary
        except FileExistsError:
            continue
        except OSError as error:
            raise OSError(error.errno, error.strerror, str(path)) from None
        except BaseException:
            # The name is new (O_EXCL): whatever is there now is ours.
            Path(temporary).unlink(missing_ok=True)
            raise
    raise OSError(errno.EEXIST, "no free temporary name", str(path))


# Characters no file name should hold: what Windows forbids, control characters, and the
# bidirectional overrides that make "cod.exe" read as "exe.doc" (U+202E).
_UNSAFE_IN_NAMES = re.compile('[<>:"/\\\\|?*\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029'
                              '\u202a-\u202e\u2066-\u2069]+')


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                     *(f"LPT{n}" for n in range(1, 10))}


def safe_filename(text: str) -> str:
    """A file name that Windows, macOS and Linux all accept, and that a spreadsheet
    listing it never reads as a formula (no leading =, +, -, @)."""
    cleaned = " ".join(_UNSAFE_IN_NAMES.sub(" ", text).split()).strip(" .")
    cleaned = cleaned.lstrip("=+-@ ").strip(" .")
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned or "payer"


LETTER_SUFFIX = " - fee review request.docx"


SUMMARY_SUFFIX = " - fee schedule summary.pdf"


SCHEDULE_MARK = " - proposed fees ("


EXHIBIT_SUFFIX = " - paid below contract.pdf"


PACKET_MARK = " - appeal packet"   # .pdf and .docx


def is_deliverable(name: str) -> bool:
    """A file name xlfees gives its letters, summaries, exhibits and proposed schedules."""
    return (name.endswith((LETTER_SUFFIX, SUMMARY_SUFFIX, EXHIBIT_SUFFIX,
                           PACKET_MARK + ".pdf", PACKET_MARK + ".docx"))
            or (SCHEDULE_MARK in name and name.endswith((").txt", ").csv"))))
