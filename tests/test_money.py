"""Rounding to the cent the way Excel's ROUND does."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlfees import excel_round
from xlfees.money import decimal_round
from xlfees.analysis.engine import proposed_fee


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


@given(st.floats(min_value=-1e10, max_value=1e10, allow_nan=False),
       st.integers(min_value=0, max_value=6))
@settings(max_examples=3000, deadline=None)
def test_excel_round_fast_path_agrees_with_decimal(value: float, digits: int) -> None:
    """The quick path gives the decimal rounding's float, sign of zero included."""
    expected = decimal_round(value, digits)
    got = excel_round(value, digits)
    assert (got, math.copysign(1, got)) == (expected, math.copysign(1, expected))


def test_excel_round_of_every_near_half_amount() -> None:
    """Amounts near a half cent (the decimal's ties, 0.005 and 0.00499999 past a cent) and
    just clear of it (0.0049 and 0.0051: the arithmetic path), below $1,000 and on both
    sides of the arithmetic path's $10 million edge, round as the decimal does."""
    from xlfees import money

    offsets = (0.005, 0.00499999, 0.0049, 0.0051)
    values = [sign * (cents / 100 + offset)
              for cents in (*range(0, 100_000, 7), *range(999_990_000, 1_000_010_000, 3))
              for offset in offsets for sign in (1, -1)]
    arithmetic = [value for value in values
                  if abs(value) * 100 < 1e9
                  and abs(abs(value) * 100 % 1 - 0.5) > 1e-4]
    assert len(arithmetic) > len(values) // 3    # the quick path is what is tested here
    assert money.excel_round is excel_round
    differing = [value for value in values if excel_round(value, 2) != decimal_round(value, 2)]
    assert differing == []


@pytest.mark.parametrize(("value", "shown"), [
    (-5.0, "-$5.00"), (-0.001, "$0.00"), (-1234.565, "-$1,234.57"), (0.005, "$0.01"),
])
def test_money_shows_negatives_as_excel_does(value: float, shown: str) -> None:
    """"$"#,##0.00 puts the minus before the dollar sign, and a rounded zero has none."""
    from xlfees.money import money

    assert money(value) == shown


def test_the_array_rounding_agrees_past_the_quick_range() -> None:
    """excel_round_array takes the decimal way for values its arithmetic cannot hold."""
    import numpy as np

    from xlfees.money import excel_round_array

    values = np.array([12345678901.2349996, 2.675, -1.005, 1e12 + 0.125])
    assert excel_round_array(values).tolist() == [decimal_round(v, 2) for v in values]
