"""Letters (.docx), the leave-behind (.pdf) and the proposed schedules, read back and checked."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from docx import Document

from xlfees import Client, analyze, load_client, read_schedule
from xlfees.cli import cli
from xlfees.client import Practice
from xlfees.deliverables import write_deliverables

DAY = date(2026, 11, 23)


@pytest.fixture
def written(handworked_dir: Path, tmp_path: Path):
    analysis = analyze(load_client(handworked_dir))
    return analysis, write_deliverables(analysis, tmp_path / "letters", day=DAY)


def _letter(paths: list[Path], label: str) -> tuple[str, list[list[list[str]]]]:
    path = next(p for p in paths if p.name == f"{label} - fee review request.docx")
    document = Document(path)
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows]
              for table in document.tables]
    return text, tables


def test_letter_figures_by_hand(written) -> None:
    """Alpha's letter: the hand-worked impact, volume, rates and alternate benefit."""
    _, files = written
    text, tables = _letter(files.letters, "Alpha Dental (PPO)")
    assert "November 23, 2026" in text
    assert "adjust the allowances below by an increase of 10%" in text
    # impact 700 + 800 + 400 + 300 + 0 (test_engine.py)
    assert "At our current volume the adjustment amounts to $2,200.00 a year." in text
    # volume 100 + 50 + 10 + 2
    assert "In the last twelve months we performed 162 procedures for your members." in text
    # 22000/32500; others: Delta 1080/1800, Beta 14720/19800, Gamma 6400/8600
    assert ("your schedule pays 67.7% of our usual fees; the other plans we participate in pay "
            "between 60.0% and 74.4% (median 74.3%)") in text
    codes, alternates = tables
    assert codes[0] == ["Code", "Description", "Annual volume", "Current allowed",
                        "Peer benchmark", "Office fee", "Proposed fee", "Increase"]
    assert codes[1] == ["D2740", "Crown - porcelain/ceramic", "10", "$700.00", "$800.00",
                        "$1,000.00", "$770.00", "10.0%"]
    assert codes[4] == ["D6010", "Endosteal implant", "2", "$1,500.00", "—", "$2,000.00",
                        "$1,650.00", "10.0%"]
    # D2391 paid as D2140: 100 → 115, 0.8 × 15 = 12 per patient, 50 a year
    assert alternates[1] == ["D2391", "D2140", "$100.00", "$115.00", "$12.00", "$600.00"]


def test_letter_numbers_match_analyze_json(written, handworked_dir: Path) -> None:
    """Every row of every letter equals the corresponding target in `analyze --json`."""
    analysis, files = written
    result = CliRunner().invoke(cli, ["analyze", str(handworked_dir), "--json"])
    targets = json.loads(result.output)["targets"]
    for record in analysis.payers.to_dict("records"):
        label = (f"{record['payer']} ({record['network']})" if record["network"]
                 else record["payer"])
        _, tables = _letter(files.letters, label)
        for row in tables[0][1:]:
            target = next(t for t in targets if t["payer"] == record["payer"]
                          and t["network"] == record["network"] and t["code"] == row[0])
            assert row[3] == f"${target['allowed']:,.2f}"
            assert row[5] == f"${target['office_fee']:,.2f}"
            assert row[6] == f"${target['proposed']:,.2f}"
            assert row[4] == (f"${target['benchmark']:,.2f}" if target["benchmark"] is not None
                              else "—")


def test_summary_pdf(written) -> None:
    """The one page names the practice and carries the hand-worked totals."""
    _, files = written
    with pdfplumber.open(files.summary) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert "Hand-worked Dental" in text
    assert "$18,500.00" in text      # write-off 10500 + 5080 + 2200 + 720
    assert "$4,420.00" in text       # the ask: 2200 + 1472 + 640 + 108
    assert "$1,380.00" in text       # alternate benefits: 600 + 528 + 252
    assert "Alpha Dental (PPO) 67.7% $10,500.00 $2,200.00" in text
    assert "Alpha Dental (PPO) D2740 $1,000.00 a year" in text


def test_open_dental_export_reads_back_as_the_proposed_schedule(written) -> None:
    """xlfees' own reader reads the Open Dental export back to the proposed fees."""
    analysis, files = written
    path = next(p for p in files.schedules
                if p.name == "Alpha Dental (PPO) - proposed fees (Open Dental).txt")
    assert path.read_bytes().startswith(b"D0120\t44.00\tPeriodic o\tPeriodic oral evaluation\r\n")
    read = read_schedule(path, payer="Alpha Dental", network="PPO")
    proposed = {r["code"]: r["allowed"] for r in read.schedules}
    targets = analysis.targets[analysis.targets["payer"] == "Alpha Dental"]
    assert proposed == dict(zip(targets["code"], targets["proposed"]))
    assert proposed == {"D0120": 44.0, "D2140": 110.0, "D2391": 176.0, "D2740": 770.0,
                        "D6010": 1650.0}
    dentrix = path.with_name("Alpha Dental (PPO) - proposed fees (Dentrix Ascend).csv")
    assert dentrix.read_text().splitlines() == ["Procedure Code,Fee", "D0120,44.00",
                                                "D2140,110.00", "D2391,176.00", "D2740,770.00",
                                                "D6010,1650.00"]


def test_missing_fields_say_less_never_none(handworked_dir: Path, tmp_path: Path) -> None:
    """No TIN, no volume: a shorter letter without 'None' or 'nan' anywhere."""
    client = load_client(handworked_dir)
    bare = Client.from_frames(client.name, client.office_fees, client.schedules, None,
                              client.settings)
    files = write_deliverables(analyze(bare), tmp_path, day=DAY)
    for path in files.letters:
        text, tables = _letter(files.letters, path.name.split(" - ")[0])
        everything = text + json.dumps(tables)
        assert "None" not in everything and "nan" not in everything.lower().split()
        assert "procedures for your members" not in text
        assert "TIN" not in text
        if tables:
            assert "Annual volume" not in tables[0][0]
    with pdfplumber.open(files.summary) as pdf:
        assert "None" not in pdf.pages[0].extract_text()


def test_practice_identifiers_in_the_letter(handworked_dir: Path, tmp_path: Path) -> None:
    """TIN, NPI and the payer's contract number from client.toml head the letter."""
    client = load_client(handworked_dir)
    practice = Practice(tin="12-3456789", npi="1234567893", address="1 Main St\nSpringfield",
                        contact="Dr. Ada Molar", contracts={"Beta Health": "BH-778"})
    named = Client.from_frames(client.name, client.office_fees, client.schedules, client.volume,
                               client.settings, practice=practice)
    files = write_deliverables(analyze(named), tmp_path, day=DAY)
    text, _ = _letter(files.letters, "Beta Health")
    assert ("Re: request for a fee schedule review — Hand-worked Dental (TIN 12-3456789, "
            "NPI 1234567893, contract BH-778)") in text
    assert "1 Main St\nSpringfield" in text and "Dr. Ada Molar" in text


def test_client_toml_practice_fields(handworked_dir: Path, tmp_path: Path) -> None:
    """tin, npi, contact and [contracts] are read from client.toml."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text('name = "Hand-worked Dental"\ntin = "98-7654321"\n'
                                        'contact = "Dr. B"\n\n[contracts]\n'
                                        '"Alpha Dental" = "AD-1"\n')
    practice = load_client(folder).practice
    assert (practice.tin, practice.contact) == ("98-7654321", "Dr. B")
    assert practice.contract_for("Alpha Dental", "Alpha Dental (PPO)") == "AD-1"


def test_same_inputs_same_files(handworked_dir: Path, tmp_path: Path) -> None:
    """Two runs on the same day write byte-identical letters, PDF and schedules."""
    analysis = analyze(load_client(handworked_dir))
    digests = []
    for run in ("a", "b"):
        files = write_deliverables(analysis, tmp_path / run, day=DAY)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files.all})
    assert digests[0] == digests[1]


def test_cli_letters(handworked_dir: Path, tmp_path: Path) -> None:
    """`xlfees letters DIR -o OUT --date` writes and lists every file."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["letters", str(handworked_dir), "-o", str(out),
                                      "--date", "2026-12-01", "--top", "2"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 4 + 1 + 8
    text, tables = _letter(sorted(out.glob("*.docx")), "Alpha Dental (PPO)")
    assert "December 1, 2026" in text
    assert len(tables[0]) == 3          # header + the top 2 codes


def test_batch_letters(handworked_dir: Path, tmp_path: Path) -> None:
    """`batch --letters` puts each client's package in OUT_DIR/<client>/."""
    clients = tmp_path / "clients"
    shutil.copytree(handworked_dir, clients / "hw")
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out"),
                                      "--letters", "--date", "2026-11-23"])
    assert result.exit_code == 0, result.output
    package = sorted(p.name for p in (tmp_path / "out" / "hw").iterdir())
    assert "Hand-worked Dental - fee schedule summary.pdf" in package
    assert len(package) == 4 + 1 + 8
