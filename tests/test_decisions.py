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
    assert "Gamma Plan (PPO) 74.4% 106.3%* $2,200.00 $640.00" in text
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
