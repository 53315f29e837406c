"""Reading money and counts written the way people write them (``$1,105.00``)."""

from __future__ import annotations

import math
import re

_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_amount(text: object) -> float | None:
    """A number from a cell (``1105``, ``$1,105.00``, ``1,105.00 ``), or None if it is not one.

    Non-amounts such as ``BR``, ``N/C`` or an empty cell give None; the caller
    reports the row. Negative numbers are returned as they are, for the
    validation to refuse with the row named.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        number = float(text)
        return number if math.isfinite(number) else None
    if not isinstance(text, str):
        return None
    cleaned = text.strip().replace("$", "").replace("\u00a0", "").strip()
    if _PLAIN.match(cleaned):
        return float(cleaned)
    if _THOUSANDS.match(cleaned):
        return float(cleaned.replace(",", ""))
    return None
