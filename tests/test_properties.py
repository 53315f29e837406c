"""Properties that hold for any client (hypothesis)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from xlfees import Client, Settings, analyze

CODES = ["D0120", "D1110", "D2140", "D2150", "D2391", "D2392", "D2740", "D2791", "D6010"]
PAYERS = ["Aetna", "Cigna", "Delta", "MetLife"]
MONEY_KEYS = {"office_fee", "allowed", "shortfall", "priority", "proposed", "impact",
              "annual_writeoff", "impact_at_ask", "base", "alt_before", "alt_after",
              "balance_before", "balance_after", "savings", "annual_savings"}

cents = st.integers(min_value=0, max_value=500_000).map(lambda c: c / 100)


@st.composite
def clients(draw, ask=st.floats(min_value=0, max_value=1)):  # noqa: B008 - a strategy
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=len(CODES),
                          unique=True))
    payers = draw(st.lists(st.sampled_from(PAYERS), min_size=1, max_size=4, unique=True))
    office = pd.DataFrame({"code": codes, "description": "",
                           "office_fee": [draw(cents) for _ in codes]})
    rows = [(p, c, draw(cents)) for p in payers for c in codes if draw(st.booleans())]
    if not rows:
        rows = [(payers[0], codes[0], draw(cents))]
    schedules = pd.DataFrame(rows, columns=["payer", "code", "allowed"])
    volume = pd.DataFrame([(c, p, float(draw(st.integers(0, 500))))
                           for p in payers for c in codes],
                          columns=["code", "payer", "count"])
    chosen = Settings(ask=draw(ask), alt_ask=draw(st.floats(0, 1)),
                      benchmark=draw(st.sampled_from(["median", "max", "p75", "p10"])),
                      balance_basis=draw(st.sampled_from(["office", "contracted"])))
    return office, schedules, volume, chosen


def _analyze(office, schedules, volume, chosen):
    return analyze(Client.from_frames("prop", office, schedules, volume, chosen))


common = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])


@common
@given(clients())
def test_gap_is_the_inputs_office_fee_less_allowed(case) -> None:
    """Every payer × code the inputs hold has a gap row, and its gap is the input office
    fee less the input allowed amount (read from the input frames, not the engine's)."""
    office, schedules, _, _ = case
    fees = dict(zip(office["code"], office["office_fee"]))
    given = {(p, c): a for p, c, a in zip(schedules["payer"], schedules["code"],
                                          schedules["allowed"])}
    gaps = _analyze(*case).gaps
    found = {(p, c): g for p, c, g in zip(gaps["payer"], gaps["code"], gaps["gap"])}
    assert set(found) == set(given)
    for (payer, code), gap in found.items():
        assert gap == pytest.approx(fees[code] - given[(payer, code)], abs=1e-9)


@common
@given(clients())
def test_impact_never_negative_when_ask_is_not(case) -> None:
    """With ask ≥ 0 every impact and every proposal-minus-allowed is ≥ 0."""
    gaps = _analyze(*case).gaps
    assert (gaps["impact"] >= 0).all()
    assert (gaps["proposed"] >= gaps["allowed"]).all()
    assert (gaps["proposed"] <= gaps[["office_fee", "allowed"]].max(axis=1)).all()


@common
@given(clients(), st.randoms(use_true_random=False))
def test_results_independent_of_row_order(case, random) -> None:
    """Shuffling the input rows changes nothing in the output."""
    office, schedules, volume, chosen = case
    shuffled = [frame.sample(frac=1, random_state=random.randint(0, 2**31))
                for frame in (office, schedules, volume)]
    assert _analyze(*shuffled, chosen).to_dict() == _analyze(*case).to_dict()


@common
@given(clients(), st.integers(min_value=2, max_value=50))
def test_volume_times_k_scales_every_annual_figure(case, k) -> None:
    """Multiplying every volume by k multiplies write-off, impact, priority, savings by k."""
    office, schedules, volume, chosen = case
    base = _analyze(office, schedules, volume, chosen)
    scaled = _analyze(office, schedules, volume.assign(count=volume["count"] * k), chosen)
    for table, columns in (("gaps", ["write_off", "impact", "priority"]),
                           ("alt_benefits", ["annual_savings"]),
                           ("payers", ["annual_writeoff", "impact_at_ask"])):
        before, after = getattr(base, table), getattr(scaled, table)
        for column in columns:
            assert after[column].tolist() == pytest.approx(
                [k * value for value in before[column]], rel=1e-9, abs=1e-9)
    rates_before = base.payers["effective_rate"].tolist()
    rates_after = scaled.payers["effective_rate"].tolist()
    assert rates_after == pytest.approx(rates_before, nan_ok=True)


@common
@given(clients())
def test_no_nan_reaches_a_money_field(case) -> None:
    """Every money field of the --json document is a finite number."""
    document = _analyze(*case).to_dict()
    for section in ("payers", "targets", "alt_benefits"):
        for record in document[section]:
            for key, value in record.items():
                if key in MONEY_KEYS:
                    assert isinstance(value, float) and math.isfinite(value), (key, value)
