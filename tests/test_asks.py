"""The ask: one package per payer, worked by hand for three payers and six codes.

Office fees: D0120 60, D1110 110, D2391 250, D2740 1,200, D4341 280, D0274 80.

        allowed                                      volume a year
        D0120 D1110 D2391 D2740 D4341 D0274          D0120 D1110 D2391 D2740 D4341 D0274
Alpha     40    70   150   700   180    50             100   150    40    10    20     0
Beta      45    80   170   800   190    55              80   100    30     5    10    50
Gamma     50    90   160   760   200    60              60    90    20     8    12    40

The benchmark is the median of the other two payers. Alpha (performed codes, D0274 has
no volume): allowed a year Σ V·A = 4,000 + 10,500 + 6,000 + 7,000 + 3,600 = 31,100.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xlfees import Settings, SettingsError, analyze, load_client
from xlfees.analysis.asks import NO_CANDIDATE

CODES = ("D0120", "D1110", "D2391", "D2740", "D4341", "D0274")
OFFICE = (60, 110, 250, 1200, 280, 80)
ALLOWED = {"Alpha": (40, 70, 150, 700, 180, 50), "Beta": (45, 80, 170, 800, 190, 55),
           "Gamma": (50, 90, 160, 760, 200, 60)}
VOLUME = {"Alpha": (100, 150, 40, 10, 20, 0), "Beta": (80, 100, 30, 5, 10, 50),
          "Gamma": (60, 90, 20, 8, 12, 40)}


def _client(tmp_path: Path, settings: str = "") -> Path:
    folder = tmp_path / "three-payers"
    folder.mkdir(parents=True)
    (folder / "office_fees.csv").write_text("code,description,office_fee\n" + "".join(
        f"{code},Procedure {code},{fee}\n" for code, fee in zip(CODES, OFFICE)))
    (folder / "schedules.csv").write_text("payer,network,code,allowed\n" + "".join(
        f"{payer},PPO,{code},{amount}\n" for payer, amounts in ALLOWED.items()
        for code, amount in zip(CODES, amounts)))
    (folder / "volume.csv").write_text("code,payer,count\n" + "".join(
        f"{code},{payer} (PPO),{count}\n" for payer, counts in VOLUME.items()
        for code, count in zip(CODES, counts)))
    (folder / "client.toml").write_text(f"[settings]\n{settings}\n")
    return folder


def _packages(tmp_path: Path, settings: str = ""):
    analysis = analyze(load_client(_client(tmp_path, settings)))
    assert analysis.asks is not None
    return {payer: analysis.asks.by_schedule[(payer, "PPO")] for payer in ALLOWED}


def _lines(package) -> list[tuple[str, float, float]]:
    return [(line.code, line.requested, round(line.annual_value, 2)) for line in package.lines]


def test_target_asks_up_to_the_peer_median(tmp_path: Path) -> None:
    """Alpha: R = the others' median on each performed code (all under the office fee),
    ranked by V × (R − A): D1110 150 × 15, D2740 10 × 80, D0120 100 × 7.5, D2391 40 × 15,
    D4341 20 × 15 = 4,700 a year, 4,700 / 31,100 = 15.11 % more."""
    alpha = _packages(tmp_path)["Alpha"]["target"]
    assert _lines(alpha) == [("D1110", 85.0, 2250.0), ("D2740", 780.0, 800.0),
                             ("D0120", 47.5, 750.0), ("D2391", 165.0, 600.0),
                             ("D4341", 195.0, 300.0)]
    assert alpha.annual_value == pytest.approx(4700.0)
    assert alpha.weighted_increase == pytest.approx(4700 / 31100)
    assert alpha.within_benchmark


def test_payers_at_the_benchmark_get_no_package_and_the_reason(tmp_path: Path) -> None:
    """Beta and Gamma allow at least the median of the others on every code: no package."""
    packages = _packages(tmp_path)
    for payer in ("Beta", "Gamma"):
        target = packages[payer]["target"]
        assert target.lines == () and target.annual_value == 0
        assert target.reason == NO_CANDIDATE


def test_conservative_asks_half_the_percentage(tmp_path: Path) -> None:
    """+5 % (half of the default 10 %): Alpha D1110 73.50 (525), D2740 735 (350), D2391
    157.50 (300), D0120 42 (200), D4341 189 (180) = 1,555; Beta, D0274 included (50 a
    year): 1,267.50."""
    packages = _packages(tmp_path)
    assert _lines(packages["Alpha"]["conservative"]) == [
        ("D1110", 73.5, 525.0), ("D2740", 735.0, 350.0), ("D2391", 157.5, 300.0),
        ("D0120", 42.0, 200.0), ("D4341", 189.0, 180.0)]
    assert packages["Beta"]["conservative"].annual_value == pytest.approx(1267.5)


def test_stretch_asks_the_others_75th_percentile(tmp_path: Path) -> None:
    """Two others: low + 0.75 × (high − low). Alpha: 48.75, 87.50, 167.50, 790, 197.50 =
    875 + 2,625 + 700 + 900 + 350 = 5,450. Gamma: D2391 165 (20 × 5) and D2740 775
    (8 × 15) = 220."""
    packages = _packages(tmp_path)
    assert packages["Alpha"]["stretch"].annual_value == pytest.approx(5450.0)
    assert _lines(packages["Gamma"]["stretch"]) == [("D2740", 775.0, 120.0),
                                                    ("D2391", 165.0, 100.0)]


def test_a_cap_binds_and_cuts_the_last_code(tmp_path: Path) -> None:
    """ask_cap = 0.05: 5 % of 31,100 = 1,555 to spend, the largest raise first: D2740
    (+80 × 10 = 800), then D1110 takes what is left, 755 / 150 = 5.033… → 75.03 (754.50).
    1,554.50 a year, 4.998 % — the cap holds."""
    alpha = _packages(tmp_path, "ask_cap = 0.05")["Alpha"]["target"]
    assert _lines(alpha) == [("D2740", 780.0, 800.0), ("D1110", 75.03, 754.5)]
    assert alpha.weighted_increase <= 0.05
    assert alpha.annual_value == pytest.approx(1554.5)


def test_codes_and_minimum_volume_narrow_the_package(tmp_path: Path) -> None:
    """ask_codes = 2: D1110 and D2740 (3,050). ask_min_volume = 50: only D0120 and D1110
    are asked on (3,000), the weighted rise still over all Alpha's procedures (31,100)."""
    two = _packages(tmp_path, "ask_codes = 2")["Alpha"]["target"]
    assert [line.code for line in two.lines] == ["D1110", "D2740"]
    assert two.annual_value == pytest.approx(3050.0)
    often = _packages(tmp_path / "often", "ask_min_volume = 50")["Alpha"]["target"]
    assert [line.code for line in often.lines] == ["D1110", "D0120"]
    assert often.allowed_a_year == pytest.approx(31100.0)


def test_an_empty_package_says_why(tmp_path: Path) -> None:
    """No other payer: no benchmark to ask against. A cap of 0.0001 (3.11 a year for
    Alpha) cannot raise any code by a cent per procedure times its volume: no room."""
    from xlfees.analysis.asks import NO_BENCHMARK, NO_ROOM, AskLine, Strategy, package

    alone = _client(tmp_path)
    (alone / "schedules.csv").write_text("payer,network,code,allowed\n" + "".join(
        f"Alpha,PPO,{code},{amount}\n" for code, amount in zip(CODES, ALLOWED["Alpha"])))
    target = analyze(load_client(alone)).asks.by_schedule[("Alpha", "PPO")]["target"]
    assert (target.lines, target.reason) == ((), NO_BENCHMARK)
    lines = [AskLine("D1110", 150.0, 110.0, 70.0, 85.0, 85.0)]
    capped = package("Alpha", "PPO", Strategy("target", "to_benchmark", 0.1, 15), lines,
                     allowed_a_year=31100.0, cap=0.00001)
    assert (capped.lines, capped.reason) == ((), NO_ROOM)


def test_percent_strategy_asks_the_percentage_capped_at_the_office_fee(tmp_path: Path) -> None:
    """ask_strategy = "percent", ask = 0.5: Alpha D0120 60 (not 60 × … : the office fee),
    D2391 225, D4341 270; Beta's D0120 60 (67.50 capped at 60)."""
    packages = _packages(tmp_path, 'ask_strategy = "percent"\nask = 0.5')
    alpha = {line.code: line.requested for line in packages["Alpha"]["target"].lines}
    assert alpha["D0120"] == 60.0 and alpha["D2391"] == 225.0 and alpha["D4341"] == 270.0
    beta = {line.code: line.requested for line in packages["Beta"]["target"].lines}
    assert beta["D0120"] == 60.0
    assert not packages["Alpha"]["target"].within_benchmark


def test_json_carries_every_package(tmp_path: Path) -> None:
    """--json "asks": per payer the chosen package's name and all three, to the cent."""
    document = analyze(load_client(_client(tmp_path))).to_dict()
    alpha = next(a for a in document["asks"] if a["payer"] == "Alpha")
    assert alpha["chosen"] == "target"
    assert [p["package"] for p in alpha["packages"]] == ["conservative", "target", "stretch"]
    target = alpha["packages"][1]
    assert target["annual_value"] == 4700.0 and target["weighted_increase"] == 0.1511
    assert target["codes"][0] == {"code": "D1110", "volume": 150.0, "allowed": 70.0,
                                  "requested": 85.0, "benchmark": 85.0, "office_fee": 110.0,
                                  "annual_value": 2250.0}


@pytest.mark.parametrize(("setting", "key"), [
    ('ask_strategy = "max"', r"settings\.ask_strategy"),
    ("ask_codes = 0", r"settings\.ask_codes"),
    ("ask_cap = 0", r"settings\.ask_cap"),
    ("ask_cap = 1.5", r"settings\.ask_cap"),
    ('ask_package = "bold"', r"settings\.ask_package"),
    ('ask_strategy = "percent"\nask = "peer"', r"settings\.ask\b(?!_)"),
])
def test_bad_ask_settings_are_refused(setting: str, key: str) -> None:
    """Each ask key is checked, the key named (the last: ask itself, not an ask_ key)."""
    import tomllib

    with pytest.raises(SettingsError, match=key):
        Settings.from_toml(tomllib.loads(f"[settings]\n{setting}\n"))


def test_the_alternates_asked_are_the_eight_worth_most(tmp_path: Path) -> None:
    """Ten restorative codes Low pays as a 50.00 alternate (80 % coverage, +15 %: 57.50,
    6.00 a procedure), performed 1 to 10 times: the 8 performed 3 to 10 times are asked,
    6 × 52 = 312 a year, in the Payers' alt savings and the letter alike; High, asked no
    fee (it pays above Low on every code), is asked no alternate either."""
    from datetime import date

    import pandas as pd
    from docx import Document

    from xlfees import Client
    from xlfees.deliverables import write_deliverables

    codes = ["D2140", "D2150", "D2160", "D2161", "D2330", "D2331", "D2332", "D2335", "D2391",
             "D2392"]
    office = pd.DataFrame({"code": codes, "description": [f"Filling {c}" for c in codes],
                           "office_fee": [200.0] * 10})
    schedules = pd.DataFrame({
        "payer": ["Low"] * 10 + ["High"] * 10, "network": ["PPO"] * 20, "code": codes * 2,
        "allowed": [100.0] * 10 + [150.0] * 10, "alt_code": [None] * 20,
        "alt_allowed": [50.0] * 20})
    volume = pd.DataFrame({"code": codes * 2, "payer": ["Low (PPO)"] * 10 + ["High (PPO)"] * 10,
                           "count": list(range(1, 11)) * 2})
    analysis = analyze(Client.from_frames("Ten Alternates", office, schedules, volume))
    alt = analysis.alt_benefits
    asked = alt[alt["asked"]]
    assert sorted(asked["code"]) == sorted(codes[2:]) and set(asked["payer"]) == {"Low"}
    savings = dict(zip(analysis.payers["payer"], analysis.payers["alt_savings"]))
    assert savings == {"High": 0.0, "Low": pytest.approx(312.0)}
    files = write_deliverables(analysis, tmp_path / "letters", day=date(2026, 12, 1))
    [letter] = files.letters
    document = Document(str(letter))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "the 8 with the largest savings for your members, of 10" in text
    assert "your members would pay $312.00 a year less" in text
    assert len(document.tables[1].rows) == 1 + 8


def test_a_payer_with_no_code_in_common_is_asked_nothing_and_why(tmp_path: Path) -> None:
    """C lists only D1110, which has no office fee: it gets an empty package with the
    reason, and the letters pass it over with that reason instead of failing."""
    from datetime import date

    import pandas as pd

    from xlfees import Client
    from xlfees.analysis.asks import NO_CODES
    from xlfees.deliverables import write_deliverables

    office = pd.DataFrame({"code": ["D0120"], "description": ["Exam"], "office_fee": [60.0]})
    schedules = pd.DataFrame({"payer": ["A", "B", "C"], "network": ["", "", ""],
                              "code": ["D0120", "D0120", "D1110"],
                              "allowed": [40.0, 50.0, 70.0]})
    analysis = analyze(Client.from_frames("No common code", office, schedules))
    assert analysis.asks.chosen_for(("C", "")).reason == NO_CODES
    files = write_deliverables(analysis, tmp_path / "letters", day=date(2026, 12, 1))
    assert f"C: no letter: {NO_CODES}" in files.passed_over
