"""Money rounding that agrees with Excel's ROUND to the cent."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def excel_round(value: float, digits: int = 2) -> float:
    """Round half away from zero as Excel's ROUND does: 2.675 → 2.68, 1.005 → 1.01.

    Python's ``round`` works on the binary value (2.675 is stored as
    2.67499…, so it gives 2.67). Excel first reads the number to 15
    significant digits, which is what we do here before rounding in decimal.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot round {value!r}")
    as_excel_sees_it = Decimal(format(value, ".15g"))
    quantum = Decimal(1).scaleb(-digits)
    return float(as_excel_sees_it.quantize(quantum, rounding=ROUND_HALF_UP))


def cents(value: float) -> float:
    """Round a money amount to whole cents, Excel style."""
    return excel_round(value, 2)
