"""Rounding to the cent the way Excel's ROUND does."""

from __future__ import annotations

import pytest

from xlfees import excel_round
from xlfees.engine import proposed_fee


@pytest.mark.parametrize(("value", "expected"), [
    (2.675, 2.68),     # stored as 2.67499999…; Python's round gives 2.67
    (1.005, 1.01),     # stored as 1.00499999…; Python's round gives 1.0
    (0.125, 0.13),     # exactly half: away from zero, not to even
    (-2.675, -2.68),   # half away from zero on the negative side too
    (137.99999999999997, 138.0),  # 120 × 1.15 in binary floating point
    (44.0, 44.0),
])
def test_excel_round_half_away_from_zero(value: float, expected: float) -> None:
    """excel_round gives what Excel's ROUND(value, 2) shows."""
    assert excel_round(value, 2) == expected


def test_python_round_differs_where_excel_round_matters() -> None:
    """The cases above are real: Python's round gives the other answer."""
    assert round(2.675, 2) == 2.67 and round(1.005, 2) == 1.0


def test_proposed_fee_is_rounded_like_excel() -> None:
    """24.25 × 1.10 = 26.675 is proposed as 26.68."""
    assert proposed_fee(allowed=24.25, office_fee=100.0, ask=0.10) == 26.68


def test_excel_round_refuses_nan() -> None:
    """NaN is never silently rounded into a money column."""
    with pytest.raises(ValueError):
        excel_round(float("nan"))
