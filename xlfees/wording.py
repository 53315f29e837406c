"""Counted nouns for messages people read: "1 payer", "3 payers", "2.5 procedures"."""

from __future__ import annotations

import re


def plural(count: float, noun: str, many: str | None = None) -> str:
    """``count`` and the noun, singular only for exactly one (``many`` for irregular plurals)."""
    number = f"{count:,.0f}" if float(count).is_integer() else f"{count:,g}"
    return f"{number} {noun if count == 1 else (many or noun + 's')}"


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def printable(text: str) -> str:
    """Text every output can hold: lone surrogates become U+FFFD, control characters go.

    XML (xlsx, docx) and UTF-8 refuse both; they reach us from broken PDFs, ``\\u0001``
    escapes in client.toml, and file names that are not UTF-8.
    """
    if _UNPRINTABLE.search(text) is None:   # nearly always: one scan, no copy
        return text
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def needs_cleaning(rows: list[list[object]]) -> bool:
    """Whether any text cell of ``rows`` holds what ``printable`` takes out: one scan of
    all the text joined (C speed), not a call per cell of a 5-million-cell sheet."""
    from itertools import chain

    text = "\n".join(c for c in chain.from_iterable(rows) if isinstance(c, str))
    return _UNPRINTABLE.search(text) is not None


def folded(name: str) -> str:
    """A name with case and spacing set aside: how payer names are matched to schedules."""
    return " ".join(name.casefold().split())


def name_words(name: str) -> list[str]:
    """A name's words with case and punctuation set aside ("Delta Dental (PPO)" →
    delta, dental, ppo): how ERA payers, and a group's payers and locations, are matched."""
    return re.sub(r"[^0-9a-z]+", " ", name.casefold()).split()


def slug(text: str) -> str:
    """Lower-case letters and digits joined by hyphens, for a file or folder name ("" when
    nothing is left): "Delta Dental (PPO)" → "delta-dental-ppo"."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


# Bidirectional overrides and isolates: "txt.exe" shown as "exe.txt" (U+202E).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def readable_name(name: str) -> str:
    """A file name as a person reads it: the bytes of a non-UTF-8 name (``caf\\xe9``) as
    Windows-1252 (``café``), which is what such names almost always are; no bidi
    override can reorder it."""
    if not _SURROGATE.search(name):
        return _BIDI.sub("", printable(name))
    raw = name.encode("utf-8", "surrogateescape")
    try:
        return _BIDI.sub("", printable(raw.decode("utf-8")))
    except UnicodeDecodeError:
        return _BIDI.sub("", printable(raw.decode("cp1252", errors="replace")))


_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e"
                               "\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text fit for one terminal line: line breaks become spaces, escape sequences and
    other control characters are dropped (a file name cannot recolour the terminal)."""
    text = _SURROGATE.sub("\ufffd", str(text))
    text = re.sub(r"[\r\n\t]+", " ", text)
    return _TERMINAL_CONTROL.sub("", text)


SHORT_DESCRIPTION = 70   # characters: at most two lines of the letter's description column


def short_description(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    """A procedure's description cut at a word to fit the letter's table ("…" if cut)."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—/") + "…"
