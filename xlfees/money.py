"""Money rounding that agrees with Excel's ROUND to the cent."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def excel_round(value: float, digits: int = 2) -> float:
    """Round half away from zero as Excel's ROUND does: 2.675 → 2.68, 1.005 → 1.01.

    Python's ``round`` works on the binary value (2.675 is stored as
    2.67499…, so it gives 2.67). Excel first reads the number to 15
    significant digits, which is what we do here before rounding in decimal.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot round {value!r}")
    if 0 <= digits <= 6:
        scaled = abs(value) * _SCALES[digits]
        # Below a billion (a value under $10 million, in cents), binary error and the 15
        # digits Excel reads are both under 1e-6 of a unit: only a fraction within 1e-4 of
        # a half can round otherwise, and n / 10**digits is the float the decimal gives.
        if scaled < 1e9 and abs(scaled - math.floor(scaled) - 0.5) > 1e-4:
            return math.copysign(math.floor(scaled + 0.5) / _SCALES[digits], value)
    return decimal_round(value, digits)


_SCALES = tuple(10.0 ** digits for digits in range(7))


def decimal_round(value: float, digits: int = 2) -> float:
    """:func:`excel_round` done in decimal every time (the definition; slow)."""
    if not math.isfinite(value):
        raise ValueError(f"cannot round {value!r}")
    as_excel_sees_it = Decimal(format(value, ".15g"))
    quantum = Decimal(1).scaleb(-digits)
    with localcontext() as context:
        context.prec = 400   # room for the cents of any finite float (up to 1.8e308)
        return float(as_excel_sees_it.quantize(quantum, rounding=ROUND_HALF_UP))


def cents(value: float) -> float:
    """Round a money amount to whole cents, Excel style."""
    return excel_round(value, 2)


# --- the one way a figure is shown -----------------------------------------------------
# The terminal, the e-mail, the index, letters and PDFs all print figures through these, so
# each shows what the workbook's cell shows: Excel's rounding, never Python's (2.675 → 2.68).

def amount(value: float) -> str:
    """1,234.56: a money figure without a currency sign (terminal tables); a rounded zero
    shows no minus."""
    return f"{excel_round(value, 2) + 0.0:,.2f}"   # + 0.0: -0.0 becomes 0.0


def money(value: float) -> str:
    """$1,234.56, or -$1,234.56, as Excel's "$"#,##0.00 shows it (rounded to the cent)."""
    shown = amount(value)   # one rounding: the sign goes before the "$"
    return "-$" + shown[1:] if shown.startswith("-") else "$" + shown


def percent(value: float, places: int = 1) -> str:
    """54.2% for 0.54150008 (Excel's 0.0% format)."""
    return f"{excel_round(value * 100, places):.{places}f}%"


def count(value: float) -> str:
    """A number of procedures: a whole number, rounded half up (2,267.5 → "2,268")."""
    return f"{excel_round(value, 0):,.0f}"


def ask_percent(value: float) -> str:
    """An ask as the settings wrote it: 10% (0.10), 12.5% (0.125)."""
    return percent(value).replace(".0%", "%")


def excel_round_array(values: "np.ndarray", digits: int = 2) -> "np.ndarray":
    """:func:`excel_round` over a float array, fast: exact on the few values near a half."""
    import numpy as np

    scale = 10.0 ** digits
    scaled = np.abs(values) * scale
    rounded = np.floor(scaled + 0.5)
    fraction = scaled - np.floor(scaled)
    # Only a value within a hair of .5 can round differently from Excel's 15 digits.
    # Past the quick range (a billion units) the binary scaling itself may err: decimal.
    near_half = (np.abs(fraction - 0.5) < 1e-4) | (scaled >= 1e9)
    result = np.sign(values) * rounded / scale
    for index in np.flatnonzero(near_half):
        result.flat[index] = excel_round(float(values.flat[index]), digits)
    return result
