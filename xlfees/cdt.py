"""CDT procedure codes: normalisation to ``D`` + 4 digits and category by range."""

from __future__ import annotations

import functools
import re

# A code at the start of a cell, in the forms schedules use: D2391, d2391,
# 2391, "D2391 - Resin composite…", "D2391.", with stray spaces.
_CODE_AT_START = re.compile(r"^\s*[Dd]?\s?(\d{4})(?![\d])")

# (first code number, last code number, category name), from the CDT ranges.
CATEGORY_RANGES: tuple[tuple[int, int, str], ...] = (
    (100, 999, "Diagnostic"),
    (1000, 1999, "Preventive"),
    (2000, 2999, "Restorative"),
    (3000, 3999, "Endodontics"),
    (4000, 4999, "Periodontics"),
    (5000, 5899, "Removable prosthodontics"),
    (5900, 5999, "Maxillofacial prosthetics"),
    (6000, 6199, "Implant services"),
    (6200, 6999, "Fixed prosthodontics"),
    (7000, 7999, "Oral and maxillofacial surgery"),
    (8000, 8999, "Orthodontics"),
    (9000, 9999, "Adjunctive general services"),
)

CATEGORIES: tuple[str, ...] = tuple(name for _, _, name in CATEGORY_RANGES)


def normalize_code(text: object) -> str | None:
    if text.__class__ is str:   # a big sheet repeats its codes: each text parsed once
        return _normalize_text(text)
    return _normalize(text)


@functools.lru_cache(maxsize=65_536)
def _normalize_text(text: str) -> str | None:
    return _normalize(text)


def _normalize(text: object) -> str | None:
    """Return the CDT code in ``D`` + 4 digits form, or None when ``text`` is not one.

    Accepts ``D2391``, ``d2391``, ``2391``, ``D2391 - description``, ``D2391.``
    and numbers read from spreadsheets (``2391.0``). Codes below D0100 do not
    exist in CDT and are refused.
    """
    if text is None:
        return None
    if isinstance(text, float):
        if text != text or not text.is_integer():  # NaN or 2391.5
            return None
        text = int(text)
    if isinstance(text, int) and not isinstance(text, bool):
        # A spreadsheet stores D0120 typed as 0120 as the number 120: three digits too.
        return f"D{text:04d}" if 100 <= text <= 9999 else None
    if not isinstance(text, str):
        return None
    match = _CODE_AT_START.match(text)
    if match is None:
        return None
    rest = text[match.end():].strip()
    # "2391" alone is a code; "2391 apples" is not, unless the code carried its D; and
    # "1390.63" is an amount, never D1390 ("D2391." keeps its full stop).
    has_d = text.lstrip()[:1] in ("D", "d")
    if rest[:1] in (".", ",") and rest[1:2].isdigit():
        return None
    if rest and not has_d and not rest.startswith(("-", "–", "—", ":", ".", ",")):
        return None
    number = int(match.group(1))
    if number < 100:
        return None
    return f"D{number:04d}"


def category(code: str) -> str:
    """The CDT category of a normalised code (``D2391`` → ``Restorative``)."""
    if not (len(code) == 5 and code[0] == "D" and code[1:].isdigit()):
        raise ValueError(f"not a normalised CDT code: {code!r}")
    number = int(code[1:])
    for low, high, name in CATEGORY_RANGES:
        if low <= number <= high:
            return name
    raise ValueError(f"{code} is outside the CDT ranges")


# Other procedure-code sets a payer's table may list beside CDT (a state Medicaid schedule
# lists physician, supply and dental codes in one table): CPT (five digits, or four and
# F, T, U or M: 99213, 0019T) and HCPCS Level II (a letter and four digits: J0120; its D
# codes are CDT).
_CPT = re.compile(r"^\d{4}[0-9FTUM]$")
_HCPCS = re.compile(r"^[A-CE-VX-Z]\d{4}$")


def other_code_set(value: object) -> str | None:
    """"CPT" or "HCPCS" for a code of those sets (never a CDT code), else None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return "CPT" if 10_000 <= value <= 99_999 else None
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    if _CPT.match(text):
        return "CPT"
    if _HCPCS.match(text):
        return "HCPCS"
    return None
