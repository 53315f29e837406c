"""Reading money and counts written the way people write them (``$1,105.00``, ``1 105,00``)."""

from __future__ import annotations

import functools
import math
import re
from typing import Iterable

_CURRENCY = re.compile(r"^(usd|us\$|\$|€|£)|(usd|\$|€|£)$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}([ .]\d{3})*,\d{1,2}$|^[+-]?\d+,\d{1,2}$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d{1,3}(,\d{3})*\.\d{1,2}$|^[+-]?\d+\.\d{1,2}$")

# No dental fee is a million dollars, and no practice performs ten million of one
# procedure a year: past these a number is a typo or an attack, and summing it would
# overflow what a workbook cell and Excel's ROUND can hold.
MAX_FEE = 1_000_000.0
MAX_COUNT = 10_000_000.0


def implausible(value: float, count: bool = False) -> str | None:
    """Why ``value`` cannot be a fee (or, with ``count``, a procedure count), else None."""
    limit = MAX_COUNT if count else MAX_FEE
    if value < 0:
        return f"{value:,g} is negative: not a {'procedure count' if count else 'fee'}"
    if abs(value) > limit:
        what = "procedure count" if count else "fee"
        return f"{value:,.6g} is not a plausible {what} (over {limit:,.0f})"
    return None


def _strip(text: str) -> str:
    cleaned = text.strip()
    cleaned = _CURRENCY.sub("", cleaned).strip()
    return cleaned


def parse_amount(text: object, decimal_comma: bool = False) -> float | None:
    """A number from a cell (``1105``, ``$1,105.00``, ``1,105.00 ``), or None if it is not one.

    With ``decimal_comma`` the file writes ``1 105,00`` or ``1.105,00``. Non-
    amounts such as ``BR``, ``N/C`` or an empty cell give None; the caller
    reports the row. Negative numbers (``-5`` or ``(5.00)``) are returned as
    they are, for the validation to refuse with the row named.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        number = float(text)
        return number if math.isfinite(number) else None
    if not isinstance(text, str):
        return None
    return _parse_text(text, decimal_comma)


@functools.lru_cache(maxsize=65_536)   # detection and reading parse the same cells again
def _parse_text(text: str, decimal_comma: bool) -> float | None:
    cleaned = _strip(text)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = _strip(cleaned[1:-1])
    parsed = _number(cleaned, decimal_comma)
    if parsed is None:
        return None
    return -parsed if negative else parsed


def _number(cleaned: str, decimal_comma: bool) -> float | None:
    if decimal_comma:
        compact = _SPACES.sub(" ", cleaned)
        if _DECIMAL_COMMA.match(compact):
            return float(compact.replace(" ", "").replace(".", "").replace(",", "."))
        compact = compact.replace(" ", "")
        if re.match(r"^[+-]?\d{1,3}(\.\d{3})+$", compact):   # 1.105 = one thousand …
            return float(compact.replace(".", ""))
        return float(compact) if re.match(r"^[+-]?\d+$", compact) else None
    compact = _SPACES.sub("", cleaned)
    if _PLAIN.match(compact):
        return float(compact)
    if _THOUSANDS.match(compact):
        return float(compact.replace(",", ""))
    return None


# What schedules write where there is no fixed amount.
NON_AMOUNT_WORDS = frozenset({"br", "by report", "n/c", "nc", "not covered", "n/a", "na", "—",
                              "–", "-", "none", "no fee", "not a benefit", "excluded"})


def is_non_amount_word(text: object) -> bool:
    """True for ``BR``, ``By Report``, ``N/C``, ``Not covered``, ``—`` and the like."""
    return isinstance(text, str) and " ".join(text.lower().split()) in NON_AMOUNT_WORDS


def non_amount_reason(text: object) -> str:
    """Why a cell is not an amount: 'no amount' when blank, else 'not an amount' (BR, N/C, …)."""
    if text is None or not str(text).strip():
        return "no amount"
    return "not an amount"


def looks_decimal_comma(texts: Iterable[str]) -> bool:
    """True when amounts are clearly written with a decimal comma (``105,50``) and none with a
    dot."""
    comma = 0
    for text in texts:
        cleaned = _SPACES.sub(" ", _strip(text))
        if _DECIMAL_COMMA.match(cleaned):
            comma += 1
        elif _DOT_DECIMAL.match(cleaned.replace(" ", "")):
            return False   # one amount with a decimal dot settles it (no need to read on)
    return comma > 0
