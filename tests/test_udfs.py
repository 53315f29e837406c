"""Worksheet functions called as Excel calls them: a cell, a row, a column, a block, blanks."""

from __future__ import annotations

import pytest

from xlfees.excel.udfs import (ALL, FEES_ALTSAVINGS, FEES_BENCHMARK, FEES_CODE, FEES_GAP,
                               FEES_GAPPCT, FEES_IMPACT, FEES_PATIENTBALANCE, FEES_TARGETS)


def test_gap_on_one_cell_and_on_a_column() -> None:
    """One cell gives one number; a column gives a column (blanks stay blank)."""
    assert FEES_GAP(275, 200) == 75.0
    assert FEES_GAP([[60], [250], [None]], [[40], [160], [100]]) == [[20.0], [90.0], [""]]


def test_broadcast_one_office_fee_over_a_row_of_payers() -> None:
    """A single office fee against a row of four payers' amounts (the matrix layout)."""
    assert FEES_GAP([[60]], [[40, 44, 50, 36]]) == [[20.0, 16.0, 10.0, 24.0]]


def test_bad_arguments_give_excel_errors_not_tracebacks() -> None:
    """Text gives #VALUE!, a zero office fee #DIV/0!, mismatched shapes #VALUE!."""
    assert FEES_GAP([["BR"], [100]], [[40], [60]]) == [["#VALUE!"], [40.0]]
    assert FEES_GAPPCT([[0], [60]], [[10], [40]]) == [["#DIV/0!"], [pytest.approx(1 / 3)]]
    assert FEES_GAP([[1], [2], [3]], [[1], [2]]) == "#VALUE!"


def test_gap_percent() -> None:
    """(60 − 40) ÷ 60."""
    assert FEES_GAPPCT(60, 40) == pytest.approx(1 / 3)


def test_benchmark_rows() -> None:
    """Median of 44, 50, 36 is 44; of 180, 170 (even) 175; a row of blanks has none."""
    assert FEES_BENCHMARK([[44, 50, 36], [180, 170, None], [None, "BR", None]]) == \
        [[44.0], [175.0], ["#N/A"]]
    assert FEES_BENCHMARK([[44, 50, 36]], "max") == 50.0
    assert FEES_BENCHMARK([[44, 50, 36]], "p75") == 47.0     # halfway between 44 and 50
    assert FEES_BENCHMARK([[44, 50, 36]], "average") == "#VALUE!"


def test_design_worked_example() -> None:
    """Office 275, contracted 200, alternate 120 → 160 at 100 %: 155 → 115, saving 40."""
    assert FEES_PATIENTBALANCE(275, 1, 120) == 155.0
    assert FEES_PATIENTBALANCE(275, 1, 160) == 115.0
    assert FEES_ALTSAVINGS(120, 200, 1, 1 / 3) == 40.0


def test_alt_savings_column_default_ask() -> None:
    """+15 %: 100 → 115 at 80 % saves 12; an alternate above allowed is capped (no saving)."""
    assert FEES_ALTSAVINGS([[100], [250]], [[160], [200]], [[0.8], [0.8]]) == \
        [[pytest.approx(12.0)], [0.0]]


def test_impact_rounds_like_excel_and_caps_at_the_office_fee() -> None:
    """10 × (26.68 − 24.25); allowed 260 of 275: +10 % capped at 275 → 10 × 15; no negative."""
    assert FEES_IMPACT([[10], [10], [10]], [[24.25], [260], [300]], [[100], [275], [275]],
                       0.1) == [[pytest.approx(24.3)], [pytest.approx(150.0)], [0.0]]
    assert FEES_IMPACT(100, 40, 60) == pytest.approx(400.0)   # default ask 10 %: 44 − 40


def test_code_normalisation() -> None:
    """Codes in every form; what is not a code is #N/A; blanks stay blank."""
    assert FEES_CODE([["d2391"], ["2391."], ["D2391 - Resin"], ["Total"], [None]]) == \
        [["D2391"], ["D2391"], ["D2391"], ["#N/A"], [""]]
    assert FEES_CODE(2391) == "D2391"


def test_targets_table() -> None:
    """The ranked targets of three payers on D0120 (hand-worked: medians 47, 45, 42)."""
    table = FEES_TARGETS([["D0120"], ["D0120"], ["D0120"]], [["A"], ["B"], ["C"]],
                         [[10], [10], [10]], [[40], [44], [50]], [[60], [60], [60]], 2)
    assert table[0][:3] == ["Rank", "Payer", "Code"]
    # A: others 44, 50 → 47, shortfall 7, priority 70; B: others 40, 50 → 45, 1 → 10
    assert [row[:9] for row in table[1:]] == [
        [1, "A", "D0120", 10.0, 40.0, 60.0, 47.0, 7.0, 70.0],
        [2, "B", "D0120", 10.0, 44.0, 60.0, 45.0, 1.0, 10.0]]
    assert FEES_TARGETS([["X"]], [["A"]], [[1]], [[1]], [[1]]) == [["#VALUE!"]]


@pytest.mark.parametrize("function", ALL, ids=[f.__name__ for f in ALL])
def test_every_function_has_help(function) -> None:
    """A docstring (Excel's function help) with an example call."""
    assert function.__doc__ and f"={function.__name__}(" in function.__doc__
