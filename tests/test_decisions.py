"""Decisions with the numbers: break-even retention of leaving a network, by hand.

r* = Σ V·A ÷ (Σ V·O × oon_collection) = effective rate ÷ oon_collection. The
hand-worked client's rates (test_engine.py): Alpha 22000/32500, Beta 14720/19800,
Gamma 6400/8600, Delta 1080/1800.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from docx import Document

from xlfees import analyze, load_client
from xlfees.cli import cli
from xlfees.deliverables import write_deliverables


def _client(handworked_dir: Path, tmp_path: Path, settings: str) -> Path:
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text('name = "Hand-worked Dental"\n\n[settings]\n'
                                        + settings, encoding="utf-8")
    return folder


def test_break_even_retention_by_hand(handworked_dir: Path) -> None:
    """With the default oon_collection 0.9: Alpha 0.7521, Beta 0.8260, Gamma 0.8269,
    Delta 0.6667."""
    result = CliRunner().invoke(cli, ["analyze", str(handworked_dir), "--json"])
    payers = {p["payer"]: p["break_even_retention"] for p in json.loads(result.output)["payers"]}
    assert payers == {"Alpha Dental": round(22000 / 32500 / 0.9, 4),     # 0.7521
                      "Beta Health": round(14720 / 19800 / 0.9, 4),      # 0.8260
                      "Gamma Plan": round(6400 / 8600 / 0.9, 4),         # 0.8269
                      "Delta Care": round(1080 / 1800 / 0.9, 4)}         # 0.6667


def test_the_summary_sheet_names_the_payer_easiest_to_leave(handworked_dir: Path,
                                                           tmp_path: Path) -> None:
    """Summary row 12: the lowest break-even retention, Delta's 1080/1800 ÷ 0.9 = 66.7 %,
    and its schedule in the label (LibreOffice recalculates both in the oracle test)."""
    from xlfees import write_workbook
    import openpyxl

    path = write_workbook(analyze(load_client(handworked_dir)), tmp_path / "hw.xlsx")
    summary = openpyxl.load_workbook(path, data_only=True)["Summary"]
    assert summary["A12"].value == "Lowest break-even retention: Delta Care (PDP)"
    assert summary["B12"].value == pytest.approx(1080 / 1800 / 0.9)


def test_over_one_hundred_percent_means_leaving_never_pays(handworked_dir: Path,
                                                           tmp_path: Path) -> None:
    """oon_collection 0.7: Gamma's 74.4 % ÷ 0.7 = 106.3 %; the summary says it in words."""
    folder = _client(handworked_dir, tmp_path, "oon_collection = 0.7\n")
    analysis = analyze(load_client(folder))
    gamma = analysis.payers[analysis.payers["payer"] == "Gamma Plan"].iloc[0]
    assert gamma["break_even_retention"] == pytest.approx(6400 / 8600 / 0.7)
    files = write_deliverables(analysis, tmp_path / "out", day=date(2026, 11, 23))
    with pdfplumber.open(files.summary) as pdf:
        text = pdf.pages[0].extract_text()
    # Gamma allows at least the benchmark on every code it is used for: its ask is 0
    assert "Gamma Plan (PPO) 74.4% 106.3%* $2,200.00 $0.00" in text
    assert ("* over 100%: leaving that network never pays at this out-of-network collection "
            "rate.") in text


def test_letters_mention_leaving_only_when_the_practice_chooses(handworked_dir: Path,
                                                                tmp_path: Path) -> None:
    """letter_mentions_leaving = true adds the sentence; by default no letter says it."""
    def alpha_letter(settings: str, out: str) -> str:
        folder = _client(handworked_dir, tmp_path / out, settings)
        files = write_deliverables(analyze(load_client(folder)), tmp_path / out / "letters",
                                   day=date(2026, 11, 23))
        path = next(p for p in files.letters if p.name.startswith("Alpha"))
        return "\n".join(p.text for p in Document(path).paragraphs)
    sentence = ("Were we to leave your network, keeping 75.2% of your members as patients at "
                "our usual fees would collect what we collect today.")
    assert sentence not in alpha_letter("", "default")
    assert sentence in alpha_letter("letter_mentions_leaving = true\n", "chosen")


@pytest.mark.parametrize("setting, message", [
    ("oon_collection = 1.5", "setting 'settings.oon_collection' is 1.5"),
    ("oon_collection = 0", "setting 'settings.oon_collection' is 0"),
    ('letter_mentions_leaving = "yes"', "setting 'settings.letter_mentions_leaving' is 'yes'"),
])
def test_settings_mistakes(handworked_dir: Path, tmp_path: Path, setting: str,
                           message: str) -> None:
    """An impossible share or a word for a yes/no: one Error line naming the setting."""
    folder = _client(handworked_dir, tmp_path, setting + "\n")
    result = CliRunner().invoke(cli, ["analyze", str(folder), "--json"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {folder / 'client.toml'}: {message}")


def _round(folder: Path) -> Path:
    """The hand-worked client after a round: Alpha's schedule of 2026-01-01 and the one
    effective 2026-07-01 (D0120 40 → 42, D2140 100 → 95, D2391 160 → 176, the rest as
    they were)."""
    schedules = folder / "schedules.csv"
    rows = schedules.read_text().splitlines()
    header, body = rows[0] + ",effective", rows[1:]
    schedules.write_text("\n".join([header] + [
        row + (",2026-01-01" if row.startswith("Alpha Dental") else ",") for row in body])
        + "\n")
    (folder / "payers").mkdir(exist_ok=True)
    (folder / "payers" / "alpha-2026-07.csv").write_text(
        "payer,network,code,allowed,effective\n"
        "Alpha Dental,PPO,D0120,42.00,2026-07-01\nAlpha Dental,PPO,D2140,95.00,2026-07-01\n"
        "Alpha Dental,PPO,D2391,176.00,2026-07-01\nAlpha Dental,PPO,D2740,700.00,2026-07-01\n"
        "Alpha Dental,PPO,D6010,1500.00,2026-07-01\n")
    return folder


def test_schedule_change_across_two_dated_files_by_hand(handworked_dir: Path,
                                                        tmp_path: Path) -> None:
    """Old, new, change and its annual value at today's volume, what was asked (+10 % of
    the old amount, capped at the office fee) and the share of it won."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    analysis = analyze(load_client(_round(folder)))
    codes = analysis.changes.codes.set_index("code")
    # code   old    new  change  volume  annual   asked            asked value
    # D0120   40     42      2     100     200    44               100 × 4   =  400
    # D2140  100     95     −5       0       0   110                 0 × 10  =    0
    # D2391  160    176     16      50     800   176                50 × 16  =  800
    # D2740  700    700      0      10       0   770                10 × 70  =  700
    # D6010 1500   1500      0       2       0  1650                 2 × 150 =  300
    assert codes["change"].to_dict() == {"D0120": 2.0, "D2140": -5.0, "D2391": 16.0,
                                         "D2740": 0.0, "D6010": 0.0}
    assert codes["annual_value"].to_dict() == {"D0120": 200.0, "D2140": 0.0, "D2391": 800.0,
                                               "D2740": 0.0, "D6010": 0.0}
    assert codes["asked"].to_dict() == {"D0120": 44.0, "D2140": 110.0, "D2391": 176.0,
                                        "D2740": 770.0, "D6010": 1650.0}
    assert codes["asked_value"].to_dict() == {"D0120": 400.0, "D2140": 0.0, "D2391": 800.0,
                                              "D2740": 700.0, "D6010": 300.0}
    [alpha] = analysis.changes.to_dict()["payers"]
    assert alpha == {"payer": "Alpha Dental", "network": "PPO", "old_effective": "2026-01-01",
                     "new_effective": "2026-07-01", "codes": 5, "codes_raised": 2,
                     "codes_cut": 1, "annual_value": 1000.0, "asked_value": 2200.0,
                     "won_share": round(1000 / 2200, 4)}
    # The analysis itself runs on the newer schedule.
    targets = analysis.targets
    assert targets[(targets["payer"] == "Alpha Dental") & (targets["code"] == "D0120")][
        "allowed"].item() == 42.0


def test_the_batch_index_says_what_the_round_won(handworked_dir: Path, tmp_path: Path) -> None:
    """index.xlsx's "Won this round": $1,000.00 a year for the client after its round."""
    import openpyxl
    clients = tmp_path / "clients"
    shutil.copytree(handworked_dir, clients / "hw")
    _round(clients / "hw")
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out"),
                                      "--jobs", "1"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "out" / "index.xlsx")["Clients"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Won this round") + 1).value == 1000.0


def test_the_changes_sheet_recalculates_in_libreoffice(handworked_dir: Path,
                                                       tmp_path: Path) -> None:
    """The Changes sheet's formulas give what the engine stored, to the cent."""
    from libreoffice import formula_cells, recalculate, same, soffice, unavailable, values
    from xlfees import write_workbook
    if soffice() is None:
        unavailable("LibreOffice is not installed")
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    workbook = write_workbook(analyze(load_client(_round(folder))), tmp_path / "round.xlsx")
    stored = {k: v for k, v in formula_cells(workbook).items() if k[0] == "Changes"}
    assert len(stored) == 5 * 4
    got = values(recalculate(workbook, tmp_path))
    assert all(same(value, got["Changes"][ref].value) for (_, ref), (_, value) in stored.items())
