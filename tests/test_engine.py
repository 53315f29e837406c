"""The engine against figures worked by hand (see the comments beside each number).

The hand-worked client (tests/data/clients/handworked):

    office fees  D0120 60, D2140 150, D2391 250, D2740 1000, D6010 2000
    allowed      Alpha PPO   D0120 40, D2140 100, D2391 160, D2740 700, D6010 1500
                 Beta        D0120 44, D2140 110, D2391 180, D2740 800, D6010 BR
                 Gamma PPO   D0120 50, D2140 105, D2391 170
                 Delta PDP   D0120 36, D2140  90
    volume       Alpha  D0120 100, D2391 50, D2740 10, D6010 2
                 Beta   D0120 80,  D2391 40, D2740 5
                 Gamma  D0120 60,  D2391 20
                 Delta  D0120 30
    ask 10 %, alt_ask 15 %, benchmark median, balance basis office
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlfees import Client, Settings, SettingsError, analyze, load_client
from xlfees.analysis.engine import percentile, percentile_without

ALPHA, BETA, GAMMA, DELTA = (("Alpha Dental", "PPO"), ("Beta Health", ""),
                             ("Gamma Plan", "PPO"), ("Delta Care", "PDP"))


def _row(frame: pd.DataFrame, key: tuple[str, str], code: str) -> pd.Series:
    match = frame[(frame["payer"] == key[0]) & (frame["network"] == key[1])
                  & (frame["code"] == code)]
    assert len(match) == 1, (key, code)
    return match.iloc[0]


@pytest.fixture
def analysis(handworked_dir: Path):
    return analyze(load_client(handworked_dir))


# (payer, code) → gap, write-off, median benchmark, shortfall, proposed, impact. Proposed
# is what the payer's ask package requests (DESIGN "The ask", to the benchmark by default):
# min(office fee, benchmark) on a performed code allowed below it, else today's amount.
HAND_GAPS = [
    # Alpha D0120: 60−40 = 20; 100×20; others 44,50,36 → median 44; 44−40; 44; 100×4
    (ALPHA, "D0120", 20.0, 2000.0, 44.0, 4.0, 44.0, 400.0),
    # Alpha D2391: 250−160; 50×90; others 180,170 → (170+180)/2; 175−160; 175; 50×15
    (ALPHA, "D2391", 90.0, 4500.0, 175.0, 15.0, 175.0, 750.0),
    # Alpha D2740: 300; 10×300; only Beta 800; 100; 800; 10×100
    (ALPHA, "D2740", 300.0, 3000.0, 800.0, 100.0, 800.0, 1000.0),
    # Alpha D6010: alone on the code (Beta is BR) → no benchmark, nothing asked: 1500; 0
    (ALPHA, "D6010", 500.0, 1000.0, None, 0.0, 1500.0, 0.0),
    # Beta D0120: 16; 80×16; others 40,50,36 → 40; 44 > 40 → 0; nothing asked: 44; 0
    (BETA, "D0120", 16.0, 1280.0, 40.0, 0.0, 44.0, 0.0),
    # Beta D2391: 70; 40×70; others 160,170 → 165; 0; 180; 0
    (BETA, "D2391", 70.0, 2800.0, 165.0, 0.0, 180.0, 0.0),
    # Beta D2740: 200; 5×200; Alpha 700; 0; 800; 0
    (BETA, "D2740", 200.0, 1000.0, 700.0, 0.0, 800.0, 0.0),
    # Gamma D0120: 10; 60×10; others 40,44,36 → 40; 0; 50; 0
    (GAMMA, "D0120", 10.0, 600.0, 40.0, 0.0, 50.0, 0.0),
    # Gamma D2391: 80; 20×80; others 160,180 → 170; 0; 170; 0
    (GAMMA, "D2391", 80.0, 1600.0, 170.0, 0.0, 170.0, 0.0),
    # Delta D0120: 24; 30×24; others 40,44,50 → 44; 8; 44; 30×8
    (DELTA, "D0120", 24.0, 720.0, 44.0, 8.0, 44.0, 240.0),
    # Delta D2140 (no volume): 150−90; 0; others 100,110,105 → 105; 15; not performed, so
    # not asked: 90; 0
    (DELTA, "D2140", 60.0, 0.0, 105.0, 15.0, 90.0, 0.0),
]


@pytest.mark.parametrize(("key", "code", "gap", "write_off", "benchmark", "shortfall",
                          "proposed", "impact"), HAND_GAPS)
def test_gaps_benchmarks_proposals_by_hand(analysis, key, code, gap, write_off, benchmark,
                                           shortfall, proposed, impact) -> None:
    """Each payer × code figure equals the hand-worked value."""
    row = _row(analysis.gaps, key, code)
    assert row["gap"] == pytest.approx(gap)
    assert row["write_off"] == pytest.approx(write_off)
    if benchmark is None:
        assert math.isnan(row["benchmark"])
    else:
        assert row["benchmark"] == pytest.approx(benchmark)
    assert row["shortfall"] == pytest.approx(shortfall)
    assert row["proposed"] == pytest.approx(proposed)
    assert row["impact"] == pytest.approx(impact)


def test_gap_percent_and_allowed_percent(analysis) -> None:
    """Gap % = (O−A)/O and allowed % = A/O: Alpha D0120 is 20/60 and 40/60."""
    row = _row(analysis.gaps, ALPHA, "D0120")
    assert row["gap_pct"] == pytest.approx(1 / 3)
    assert row["allowed_pct"] == pytest.approx(2 / 3)


def test_payer_summary_by_hand(analysis) -> None:
    """Effective rate ΣVA/ΣVO, write-off and impact per payer, and missing codes."""
    payers = {(r.payer, r.network): r for r in analysis.payers.itertuples()}
    # Alpha: ΣVA = 4000+8000+7000+3000 = 22000; ΣVO = 6000+12500+10000+4000 = 32500
    assert payers[ALPHA].effective_rate == pytest.approx(22000 / 32500)
    assert payers[ALPHA].annual_writeoff == pytest.approx(2000 + 4500 + 3000 + 1000)
    # its ask package: D2740 to 800, D2391 to 175, D0120 to 44 (D6010 has no benchmark)
    assert payers[ALPHA].impact_at_ask == pytest.approx(1000 + 750 + 400)
    assert payers[ALPHA].missing_codes == []
    # Beta: ΣVA = 3520+7200+4000 = 14720; ΣVO = 4800+10000+5000 = 19800; D6010 was BR
    assert payers[BETA].effective_rate == pytest.approx(14720 / 19800)
    assert payers[BETA].annual_writeoff == pytest.approx(1280 + 2800 + 1000)
    assert payers[BETA].impact_at_ask == 0.0   # at or above the benchmark everywhere
    assert payers[BETA].missing_codes == ["D6010"]
    assert payers[BETA].codes == 4
    # Gamma: 6400 / 8600
    assert payers[GAMMA].effective_rate == pytest.approx(6400 / 8600)
    assert payers[GAMMA].missing_codes == ["D2740", "D6010"]
    # Delta: 1080 / 1800
    assert payers[DELTA].effective_rate == pytest.approx(0.6)
    assert payers[DELTA].missing_codes == ["D2391", "D2740", "D6010"]


def test_targets_ranked_with_cumulative_share(analysis) -> None:
    """Priority = volume × shortfall, descending; ties by impact, then payer, then code."""
    order = [(r.payer, r.code) for r in analysis.targets.itertuples()]
    assert order[:11] == [
        ("Alpha Dental", "D2740"),  # 10 × 100 = 1000
        ("Alpha Dental", "D2391"),  # 50 × 15 = 750
        ("Alpha Dental", "D0120"),  # 100 × 4 = 400
        ("Delta Care", "D0120"),    # 30 × 8 = 240
        # priority 0 and, outside the packages, impact 0: by payer, then code
        ("Alpha Dental", "D2140"),
        ("Alpha Dental", "D6010"),
        ("Beta Health", "D0120"),
        ("Beta Health", "D2140"),
        ("Beta Health", "D2391"),
        ("Beta Health", "D2740"),
        ("Delta Care", "D2140"),
    ]
    shares = analysis.targets["cumulative_share"].tolist()
    # total priority 1000 + 750 + 400 + 240 = 2390
    assert shares[:4] == pytest.approx([1000 / 2390, 1750 / 2390, 2150 / 2390, 1.0])
    assert analysis.targets["rank"].tolist() == list(range(1, len(order) + 1))


def test_alt_benefits_default_map_by_hand(analysis) -> None:
    """D2391 paid as D2140 at 80 %: balance, proposed alternate, savings per payer."""
    alt = analysis.alt_benefits
    alpha = _row(alt, ALPHA, "D2391")
    # F = 100 (Alpha's D2140); balance 250 − 0.8×100 = 170; F′ = min(160, 115) = 115
    assert (alpha.alt_code, alpha.base, alpha.alt_before, alpha.alt_after) == \
        ("D2140", 250.0, 100.0, 115.0)
    assert alpha.balance_before == pytest.approx(170.0)
    assert alpha.balance_after == pytest.approx(158.0)      # 250 − 0.8 × 115
    assert alpha.savings == pytest.approx(12.0)             # 0.8 × 15
    assert alpha.savings_pct == pytest.approx(12 / 170)
    assert alpha.annual_savings == pytest.approx(600.0)     # 50 × 12
    beta = _row(alt, BETA, "D2391")
    # F = 110; F′ = 126.5; savings 0.8 × 16.5 = 13.2; 40 a year
    assert beta.alt_after == 126.5
    assert beta.savings == pytest.approx(13.2)
    assert beta.annual_savings == pytest.approx(528.0)
    gamma = _row(alt, GAMMA, "D2391")
    # F = 105; F′ = 120.75; 0.8 × 15.75 = 12.6; 20 a year
    assert gamma.alt_after == 120.75
    assert gamma.annual_savings == pytest.approx(252.0)
    # Delta has no D2391: no alternate benefit row
    assert alt[alt["payer"] == "Delta Care"].empty


def test_alternates_asked_travel_with_the_letter(analysis) -> None:
    """Only Alpha, which gets a letter, is asked to raise its alternates: the Payers'
    alt savings are 600 for Alpha and 0 for Beta and Gamma (asked no fee, no letter)."""
    alt = analysis.alt_benefits
    assert alt[alt["asked"]][["payer", "code"]].values.tolist() == [["Alpha Dental", "D2391"]]
    savings = dict(zip(analysis.payers["payer"], analysis.payers["alt_savings"]))
    assert savings == {"Alpha Dental": 600.0, "Beta Health": 0.0, "Delta Care": 0.0,
                       "Gamma Plan": 0.0}


def test_alt_benefit_without_alternate_amount_is_noted(analysis) -> None:
    """D2740 → D2791, which no payer lists: noted for Alpha and Beta, never guessed."""
    reasons = [n.reason for n in analysis.notes]
    assert any(r.startswith("Alpha Dental (PPO) pays D2740 as D2791") for r in reasons)
    assert any(r.startswith("Beta Health pays D2740 as D2791") for r in reasons)
    assert analysis.alt_benefits[analysis.alt_benefits["code"] == "D2740"].empty


def test_rejected_br_row_reaches_the_notes(analysis) -> None:
    """Beta's D6010 'BR' is reported with file, row and text."""
    note = next(n for n in analysis.notes if n.text == "BR")
    assert (note.file, note.row, note.reason) == ("schedules.csv", 11, "not an amount")


def _one_code_client(settings: Settings, allowed: float = 200.0, office_fee: float = 275.0,
                     alt_allowed: float | None = 120.0, volume: float = 10.0) -> Client:
    """A single payer, single code client for alternate-benefit checks."""
    return Client.from_frames(
        name="one",
        office_fees=pd.DataFrame({"code": ["D2391"], "description": ["composite"],
                                  "office_fee": [office_fee]}),
        schedules=pd.DataFrame({"payer": ["P"], "network": [""], "code": ["D2391"],
                                "allowed": [allowed], "alt_code": ["D2140"],
                                "alt_allowed": [alt_allowed]}),
        volume=pd.DataFrame({"code": ["D2391"], "payer": ["P"], "count": [volume]}),
        settings=settings,
    )


def test_design_worked_example() -> None:
    """DESIGN: office 275, contracted 200, alternate 120 → 160 at 100 %: 155 → 115, saves 40
    (25.8 %)."""
    coverage = dict(Settings().coverage, Restorative=1.0)
    analysis = analyze(_one_code_client(Settings(alt_ask=1 / 3, coverage=coverage)))
    row = analysis.to_dict()["alt_benefits"][0]
    assert (row["alt_before"], row["alt_after"]) == (120.0, 160.0)
    assert (row["balance_before"], row["balance_after"], row["savings"]) == (155.0, 115.0, 40.0)
    assert row["savings_pct"] == 0.2581                       # 40 / 155 = 25.8 %
    assert row["annual_savings"] == 400.0                     # 10 a year


def test_alternate_amount_never_above_allowed() -> None:
    """A schedule alternate of 250 on a code allowed at 200 is taken as 200."""
    analysis = analyze(_one_code_client(Settings(), alt_allowed=250.0))
    row = analysis.to_dict()["alt_benefits"][0]
    assert (row["alt_before"], row["alt_after"], row["savings"]) == (200.0, 200.0, 0.0)


def test_contracted_balance_basis() -> None:
    """With balance_basis contracted the patient owes A(c) − k·F: 200 − 0.8×120 = 104."""
    analysis = analyze(_one_code_client(Settings(balance_basis="contracted")))
    row = analysis.to_dict()["alt_benefits"][0]
    assert row["base"] == 200.0
    assert row["balance_before"] == 104.0
    # F′ = min(200, round(120 × 1.15)) = 138; 200 − 0.8 × 138 = 89.6
    assert row["balance_after"] == 89.6


def test_payer_override_switches_a_downgrade_off_and_on() -> None:
    """payer_alt_map can remove the default D2391 downgrade or add a build-up one."""
    settings = Settings(payer_alt_map={"P": {"D2391": ""}})
    client = _one_code_client(settings, alt_allowed=None)
    client = Client.from_frames("one", client.office_fees,
                                client.schedules.assign(alt_code=None), client.volume,
                                settings)
    assert analyze(client).alt_benefits.empty
    added = Settings(payer_alt_map={"P": {"D2950": "D2150"}})
    assert added.alternate_for("P", "D2950") == ("D2150", "client.toml")
    assert Settings().alternate_for("P", "D2950") == (None, None)   # never guessed by default


@pytest.mark.parametrize(("benchmark", "expected"), [
    ("median", {ALPHA: 44.0, BETA: 40.0, GAMMA: 40.0, DELTA: 44.0}),
    ("max", {ALPHA: 50.0, BETA: 50.0, GAMMA: 44.0, DELTA: 50.0}),
    # p75 of three sorted values x0 ≤ x1 ≤ x2 sits halfway between x1 and x2
    ("p75", {ALPHA: 47.0, BETA: 45.0, GAMMA: 42.0, DELTA: 47.0}),
])
def test_benchmark_settings_on_d0120(handworked_dir: Path, benchmark, expected) -> None:
    """D0120 benchmarks over the other payers: 44/40/40/44 median, max and p75."""
    client = load_client(handworked_dir)
    client = Client.from_frames(client.name, client.office_fees, client.schedules,
                                client.volume, Settings(benchmark=benchmark))
    gaps = analyze(client).gaps
    for key, value in expected.items():
        assert _row(gaps, key, "D0120")["benchmark"] == pytest.approx(value)


def test_percentile_even_count_takes_mean_of_middle_two() -> None:
    """Median of 10, 20, 30, 40 is 25; of one value is that value; of none, None."""
    assert percentile([40.0, 10.0, 30.0, 20.0], 0.5) == 25.0
    assert percentile([7.0], 0.75) == 7.0
    assert percentile([], 0.5) is None


def test_to_peer_strategy(handworked_dir: Path) -> None:
    """ask = "peer" proposes the benchmark, capped at the office fee, never a cut."""
    client = load_client(handworked_dir)
    client = Client.from_frames(client.name, client.office_fees, client.schedules,
                                client.volume, Settings(ask="peer"))
    gaps = analyze(client).gaps
    assert _row(gaps, DELTA, "D0120")["proposed"] == 44.0     # benchmark 44
    assert _row(gaps, DELTA, "D0120")["impact"] == pytest.approx(240.0)  # 30 × 8
    assert _row(gaps, BETA, "D0120")["proposed"] == 44.0      # benchmark 40 < 44: no cut
    assert _row(gaps, ALPHA, "D6010")["proposed"] == 1500.0   # no benchmark: unchanged
    assert _row(gaps, ALPHA, "D2740")["proposed"] == 800.0


def test_proposal_capped_at_office_fee() -> None:
    """Allowed 260 of an office fee 275: +10 % would be 286, capped at 275."""
    analysis = analyze(_one_code_client(Settings(ask_strategy="percent"), allowed=260.0))
    assert analysis.gaps.iloc[0]["proposed"] == 275.0
    assert analysis.gaps.iloc[0]["impact"] == pytest.approx(150.0)   # 10 × 15


def test_ranking_ties_break_by_impact_then_payer_then_code() -> None:
    """Equal priorities order by impact; equal impact by payer name, then code."""
    office = pd.DataFrame({"code": ["D1110", "D1120"], "description": ["", ""],
                           "office_fee": [100.0, 100.0]})
    schedules = pd.DataFrame({
        "payer": ["Zed", "Zed", "Amy", "Amy", "Ref", "Ref"],
        "code": ["D1110", "D1120", "D1110", "D1120", "D1110", "D1120"],
        # Zed and Amy both 10 below Ref's 60 on each code
        "allowed": [50.0, 50.0, 50.0, 50.0, 60.0, 60.0]})
    volume = pd.DataFrame({"code": ["D1110", "D1120", "D1110", "D1120", "D1110"],
                           "payer": ["Zed", "Zed", "Amy", "Amy", "Ref"],
                           "count": [10.0, 10.0, 10.0, 10.0, 1.0]})
    # Zed and Amy see the others {50, 60} → median 55, shortfall 5: priority 10 × 5 = 50
    # on both codes; +10 % of 50 = 55, impact 10 × 5 = 50 everywhere: a four-way tie.
    client = Client.from_frames("ties", office, schedules, volume)
    order = [(r.payer, r.code) for r in analyze(client).targets.itertuples()][:4]
    assert order == [("Amy", "D1110"), ("Amy", "D1120"), ("Zed", "D1110"), ("Zed", "D1120")]


def test_volume_split_by_payer_shares(handworked_dir: Path) -> None:
    """Without a payer column, volume × share: Alpha 0.5 of 200 D0120 = 100."""
    client = load_client(handworked_dir)
    volume = pd.DataFrame({"code": ["D0120"], "payer": [""], "count": [200.0]})
    settings = Settings(payer_shares={"Alpha Dental": 0.5, "Beta Health": 0.25})
    analysis = analyze(Client.from_frames(client.name, client.office_fees, client.schedules,
                                          volume, settings))
    assert _row(analysis.gaps, ALPHA, "D0120")["volume"] == 100.0
    assert _row(analysis.gaps, BETA, "D0120")["volume"] == 50.0
    assert _row(analysis.gaps, GAMMA, "D0120")["volume"] == 0.0
    assert analysis.volume_basis == "split across payers by estimated shares"
    shares = dict(zip(analysis.payers["payer"], analysis.payers["volume_share"]))
    assert shares == {"Alpha Dental": 0.5, "Beta Health": 0.25, "Gamma Plan": 0.0,
                      "Delta Care": 0.0}


def test_volume_without_payers_or_shares_is_per_100_percent(handworked_dir: Path) -> None:
    """No payer column, no shares: every payer gets the whole volume, and a note says so."""
    client = load_client(handworked_dir)
    volume = pd.DataFrame({"code": ["D0120"], "count": [200.0]})
    analysis = analyze(Client.from_frames(client.name, client.office_fees, client.schedules,
                                          volume, client.settings))
    assert {_row(analysis.gaps, k, "D0120")["volume"] for k in (ALPHA, BETA, GAMMA, DELTA)} \
        == {200.0}
    assert analysis.volume_basis == "per 100 % of volume"
    assert any("per 100 % of volume" in n.reason for n in analysis.notes)
    assert set(analysis.payers["volume_share"]) == {1.0}


def test_volume_for_an_unknown_payer_is_noted_not_dropped(handworked_dir: Path) -> None:
    """Volume for a payer without a schedule is reported in the notes with its count."""
    client = load_client(handworked_dir)
    volume = pd.DataFrame({"code": ["D0120"], "payer": ["Cash patients"], "count": [12.0]})
    analysis = analyze(Client.from_frames(client.name, client.office_fees, client.schedules,
                                          volume, client.settings))
    assert any("'Cash patients' (12 procedures) matches no payer schedule" in n.reason
               for n in analysis.notes)


def test_external_benchmark_column(handworked_dir: Path) -> None:
    """benchmark = "external" takes the office-fee table's benchmark for every payer."""
    client = load_client(handworked_dir)
    office = client.office_fees.assign(
        benchmark=[52.0 if code == "D0120" else math.nan for code in client.office_fees["code"]])
    analysis = analyze(Client.from_frames(client.name, office, client.schedules,
                                          client.volume, Settings(benchmark="external")))
    alpha = _row(analysis.gaps, ALPHA, "D0120")
    assert (alpha["benchmark"], alpha["shortfall"], alpha["priority"]) == (52.0, 12.0, 1200.0)
    assert _row(analysis.gaps, GAMMA, "D0120")["shortfall"] == 2.0          # 52 − 50
    assert math.isnan(_row(analysis.gaps, ALPHA, "D2391")["benchmark"])
    assert any("no benchmark in the office fees" in n.reason and "D2391" in n.reason
               for n in analysis.notes)


def test_engine_never_imports_the_ui_layers(tmp_path: Path) -> None:
    """Importing xlfees (engine, analysis, folder) loads neither click, openpyxl nor xlwings."""
    import subprocess
    import sys
    code = ("import sys, xlfees, xlfees.analysis.engine, xlfees.analysis; "
            "print(sorted(m for m in ('click', 'openpyxl', 'xlwings') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=tmp_path)  # the installed package, not the checkout
    assert result.stdout.strip() == "[]"


def test_default_alt_map_is_labelled_assumed(handworked_dir: Path) -> None:
    """A downgrade from the default map says so: alt_source, and one note per schedule."""
    analysis = analyze(load_client(handworked_dir))
    rows = analysis.to_dict()["alt_benefits"]
    alpha = next(r for r in rows if r["payer"] == "Alpha Dental" and r["code"] == "D2391")
    assert (alpha["alt_code"], alpha["alt_source"]) == ("D2140", "assumed (default map)")
    notes = [n.reason for n in analysis.notes if "default map" in n.reason]
    assert any(n.startswith("Alpha Dental (PPO): alternate benefits assumed from the default "
                            "map (D2391→D2140)") for n in notes)
    assert len(notes) == 3    # Alpha, Beta, Gamma have D2140; Delta Care has no D2391


@pytest.mark.parametrize(("toml", "expected"), [
    ({}, {"Alpha Dental", "Beta Health", "Gamma Plan"}),
    ({"alt_map": "none"}, set()),
    ({"payer_alt_map": {"Beta Health": "none"}}, {"Alpha Dental", "Gamma Plan"}),
])
def test_default_alt_map_can_be_switched_off(handworked_dir: Path, toml, expected) -> None:
    """alt_map = "none" drops the assumed downgrades; payer_alt_map."X" = "none" for one payer."""
    client = load_client(handworked_dir)
    settings = Settings.from_toml(toml)
    analysis = analyze(Client.from_frames(client.name, client.office_fees, client.schedules,
                                          client.volume, settings))
    assert set(analysis.alt_benefits["payer"]) == expected


def test_alt_map_from_client_toml_is_labelled_as_such() -> None:
    """A downgrade client.toml maps is labelled client.toml, not assumed."""
    settings = Settings.from_toml({"alt_map": {"D2950": "D2150"}})
    assert settings.alternate_for("P", "D2950") == ("D2150", "client.toml")
    assert settings.alternate_for("P", "D2391") == ("D2140", "assumed (default map)")
    off = Settings.from_toml({"alt_map": "none", "payer_alt_map": {"P": {"D2391": "D2140"}}})
    assert off.alternate_for("P", "D2391") == ("D2140", "client.toml")
    assert off.alternate_for("Q", "D2391") == (None, None)


@pytest.mark.parametrize(("toml", "key"), [
    ({"alt_map": "off"}, "alt_map"),
    ({"payer_alt_map": {"P": 3}}, "payer_alt_map.P"),
])
def test_bad_alt_map_values_name_the_key(toml, key) -> None:
    """alt_map takes "none" or a table; anything else is an error naming the key."""
    with pytest.raises(SettingsError, match=f"setting '{key}'"):
        Settings.from_toml(toml)


@given(st.lists(st.floats(min_value=0, max_value=5000, allow_nan=False), min_size=1,
                max_size=30), st.data(), st.sampled_from([0.5, 0.75, 1.0, 0.0, 0.9, 0.33]))
def test_percentile_without_equals_percentile_of_the_others(amounts, data, q) -> None:
    """Second method: leaving one amount out of the sorted list gives exactly what
    percentile() gives over a list of the others."""
    own_index = data.draw(st.integers(min_value=0, max_value=len(amounts) - 1))
    others = amounts[:own_index] + amounts[own_index + 1:]
    assert percentile_without(sorted(amounts), amounts[own_index], q) == percentile(others, q)
