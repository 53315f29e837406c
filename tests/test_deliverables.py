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
from xlfees.client import PayerContact, Practice
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
    """Alpha's letter: the hand-worked codes below the benchmark, volume, rates and ask."""
    _, files = written
    text, tables = _letter(files.letters, "Alpha Dental (PPO)")
    assert "November 23, 2026" in text
    assert "Provider Relations\nAlpha Dental" in text and "Dear Provider Relations team," in text
    assert "for the 3 procedure codes below" in text
    # volume 100 + 50 + 10 + 2
    assert "In the last twelve months we performed 162 procedures for your members." in text
    # 22000/32500; others: Delta 1080/1800, Beta 14720/19800, Gamma 6400/8600
    assert ("your schedule pays 67.7% of our usual fees; the other plans we participate in pay "
            "60.0% to 74.4% (median 74.3%)") in text
    # its ask package, each code to the benchmark: 10 × 100 + 50 × 15 + 100 × 4 = 2,150
    # of Σ volume × allowed 22,000 (9.77 %)
    assert ("We ask that each allowance be raised to the benchmark shown, and never above our "
            "usual fee. At our current volume the change comes to $2,150.00 a year, 9.8% of "
            "the $22,000.00 a year your plan allows us") in text
    codes, alternates = tables
    assert codes[0] == ["Code", "Description", "Current allowed", "Peer benchmark",
                        "Requested", "Change"]
    # The package, most valuable first: D2740 10 × 100 (+14.3 %), D2391 50 × 15 (+9.4 %),
    # D0120 100 × 4; D2140 is not performed for Alpha, D6010 has no benchmark (Beta: BR).
    assert codes[1:] == [
        ["D2740", "Crown - porcelain/ceramic", "$700.00", "$800.00", "$800.00", "+14.3%"],
        ["D2391", "Resin-based composite - one surface, posterior", "$160.00", "$175.00",
         "$175.00", "+9.4%"],
        ["D0120", "Periodic oral evaluation", "$40.00", "$44.00", "$44.00", "+10.0%"]]
    # D2391 paid as D2140: 100 → 115, 0.8 × 15 = 12 per patient, 50 a year = 600
    assert alternates[1:] == [["D2391", "Resin-based composite - one surface, posterior",
                               "D2140", "$100.00", "$115.00", "$12.00"]]
    assert "your members would pay $600.00 a year less." in text


def test_comparable_plans_only_when_every_request_is_within_the_benchmark(
        written, handworked_dir: Path, tmp_path: Path) -> None:
    """Asking for the benchmark itself (the default), every letter may say the raise
    matches comparable plans. +10 % (ask_strategy = "percent"): Alpha's letter asks 176
    against a benchmark of 175 (D2391), so it does not say so."""
    _, files = written
    for path in files.letters:
        text = "\n".join(p.text for p in Document(path).paragraphs)
        assert "It brings these codes in line with what comparable plans already pay" in text
    folder = tmp_path / "percent"
    shutil.copytree(handworked_dir, folder)
    toml = folder / "client.toml"
    toml.write_text(toml.read_text().replace("ask = 0.10", 'ask = 0.10\nask_strategy = "percent"'))
    percent = write_deliverables(analyze(load_client(folder)), tmp_path / "percent-letters",
                                 day=DAY)
    text, tables = _letter(percent.letters, "Alpha Dental (PPO)")
    assert ["D2391", "Resin-based composite - one surface, posterior", "$160.00", "$175.00",
            "$176.00", "+10.0%"] in tables[0]
    assert "comparable plans" not in text
    assert "It would let us keep seeing your members on the same terms." in text


def test_payers_at_or_above_the_benchmark_get_no_letter(written) -> None:
    """Beta and Gamma pay at least the median of the others on every code: no letter, a note."""
    _, files = written
    assert sorted(p.name for p in files.letters) == [
        "Alpha Dental (PPO) - fee review request.docx",
        "Delta Care (PDP) - fee review request.docx"]
    assert files.passed_over == [
        "Beta Health: no letter: it allows at least the benchmark on every code the practice "
        "performs for it",
        "Gamma Plan (PPO): no letter: it allows at least the benchmark on every code the "
        "practice performs for it"]
    text, tables = _letter(files.letters, "Delta Care (PDP)")
    # D0120 36 against the median of 40, 44, 50, asked up to it; D2140 (90 against 105)
    # is not performed for Delta: not asked
    assert [row[:5] for row in tables[0][1:]] == [
        ["D0120", "Periodic oral evaluation", "$36.00", "$44.00", "$44.00"]]
    assert "Alternate benefits" not in text


def test_fewer_codes_than_top_qualify(handworked_dir: Path, tmp_path: Path) -> None:
    """Packages of 15 codes list Alpha's 3; of 2 (--top 2) two, and the letter and the
    summary PDF both value that package: D2740 10 × 100 + D2391 50 × 15 = 1,750."""
    client = load_client(handworked_dir)
    for codes, rows, value in ((15, 3, "$2,150.00"), (2, 2, "$1,750.00")):
        files = write_deliverables(analyze(client.asking_on(codes)), tmp_path / str(codes),
                                   day=DAY)
        text, tables = _letter(files.letters, "Alpha Dental (PPO)")
        assert len(tables[0]) - 1 == rows
        assert f"the change comes to {value} a year" in text
        with pdfplumber.open(files.summary) as pdf:
            page = pdf.pages[0].extract_text()
        row = next(line for line in page.splitlines()
                   if line.startswith("Alpha Dental (PPO)") and line.count("$") == 2)
        assert row.split()[-1] == value     # the payer table's "Ask a year"


def test_letter_numbers_match_analyze_json(written, handworked_dir: Path) -> None:
    """Every row of every letter equals its target in `analyze --json`, below the benchmark."""
    analysis, files = written
    result = CliRunner().invoke(cli, ["analyze", str(handworked_dir), "--json"])
    targets = json.loads(result.output)["targets"]
    checked = 0
    for path in files.letters:
        label = path.name.split(" - ")[0]
        record = next(r for r in analysis.payers.to_dict("records")
                      if label in (f"{r['payer']} ({r['network']})", r["payer"]))
        _, tables = _letter(files.letters, label)
        for row in tables[0][1:]:
            target = next(t for t in targets if t["payer"] == record["payer"]
                          and t["network"] == record["network"] and t["code"] == row[0])
            assert row[2] == f"${target['allowed']:,.2f}"
            assert row[3] == f"${target['benchmark']:,.2f}"
            assert row[4] == f"${target['proposed']:,.2f}"
            assert target["allowed"] < target["benchmark"]
            checked += 1
    assert checked == 4   # Alpha's three codes, Delta's one


def test_summary_pdf(written) -> None:
    """The one page names the practice and carries the hand-worked totals."""
    _, files = written
    with pdfplumber.open(files.summary) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert "Hand-worked Dental" in text
    assert "$18,500.00" in text      # write-off 10500 + 5080 + 2200 + 720
    assert "$2,390.00" in text       # the ask packages: Alpha 2,150 + Delta 240
    # alternate benefits asked: Alpha's 600; Beta's 528 and Gamma's 252 would be saved too,
    # but the ask travels in the letter and they are asked nothing
    assert "$600.00" in text and "$1,380.00" not in text
    # effective rate 22000/32500; break-even 67.7 % ÷ 0.9 (oon_collection) = 75.2 %
    assert "Alpha Dental (PPO) 67.7% 75.2% $10,500.00 $2,150.00" in text
    assert "Alpha Dental (PPO) D2740 $1,000.00 a year" in text
    assert "The ask (up to the benchmark), worth a year" in text
    # Beta and Gamma: nothing to ask, and why
    assert ("Beta Health: no ask: it allows at least the benchmark on every code the practice "
            "performs for it.") in " ".join(text.split())
    assert "Patients save a year with alternate benefits +15%" in text


def test_summary_pdf_metadata_and_alignment(written) -> None:
    """The practice is the PDF's author, the run's day its date; money ends at one edge."""
    _, files = written
    with pdfplumber.open(files.summary) as pdf:
        assert pdf.metadata["Author"] == "Hand-worked Dental"
        assert pdf.metadata["CreationDate"] == "D:20261123000000+00'00'"
        words = pdf.pages[0].extract_words()
    write_offs = [w for w in words if w["text"] in ("$10,500.00", "$720.00")]
    assert len(write_offs) == 2 and round(write_offs[0]["x1"]) == round(write_offs[1]["x1"])


def test_summary_pdf_says_volume_in_words(tmp_path: Path) -> None:
    """Volume split by [payer_shares] is described in words, never by the settings key."""
    root = Path(__file__).resolve().parent.parent
    files = write_deliverables(analyze(load_client(root / "examples" / "lakeside-dental")),
                               tmp_path, day=DAY)
    with pdfplumber.open(files.summary) as pdf:
        text = pdf.pages[0].extract_text()
    assert "payer_shares" not in text and "split across payers by estimated shares" not in text
    assert ("Volume: the practice's procedures without a payer, split across the payers by "
            "their estimated shares of patients.") in text


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
    # the package's three codes at their requested amounts, the rest as allowed today
    assert proposed == {"D0120": 44.0, "D2140": 100.0, "D2391": 175.0, "D2740": 800.0,
                        "D6010": 1500.0}
    dentrix = path.with_name("Alpha Dental (PPO) - proposed fees (Dentrix Ascend).csv")
    assert dentrix.read_text().splitlines() == ["Procedure Code,Fee", "D0120,44.00",
                                                "D2140,100.00", "D2391,175.00", "D2740,800.00",
                                                "D6010,1500.00"]


def test_missing_fields_say_less_never_none(handworked_dir: Path, tmp_path: Path) -> None:
    """No TIN, no volume: a shorter letter without 'None' or 'nan' anywhere."""
    client = load_client(handworked_dir)
    bare = Client.from_frames(client.name, client.office_fees, client.schedules, None,
                              client.settings)
    files = write_deliverables(analyze(bare), tmp_path, day=DAY)
    assert files.letters
    for path in files.letters:
        text, tables = _letter(files.letters, path.name.split(" - ")[0])
        everything = text + json.dumps(tables)
        assert "None" not in everything and "nan" not in everything.lower().split()
        assert "procedures for your members" not in text
        assert "TIN" not in text and "a year" not in text
    with pdfplumber.open(files.summary) as pdf:
        assert "None" not in pdf.pages[0].extract_text()


def test_letterhead_addressee_and_signature(handworked_dir: Path, tmp_path: Path) -> None:
    """The practice's letterhead, the payer's contact from client.toml, the signer."""
    client = load_client(handworked_dir)
    practice = Practice(tin="12-3456789", npi="1234567893", address="1 Main St\nSpringfield",
                        phone="(555) 010-2030", signer="Dr. Ada Molar", signer_title="Owner",
                        contracts={"Alpha Dental": "AD-778"},
                        payer_contacts={"Alpha Dental (PPO)": PayerContact(
                            name="Jordan Lee", title="Network Manager",
                            address="PO Box 1\nAlphaville, CA 90000")})
    named = Client.from_frames(client.name, client.office_fees, client.schedules, client.volume,
                               client.settings, practice=practice)
    files = write_deliverables(analyze(named), tmp_path, day=DAY)
    text, _ = _letter(files.letters, "Alpha Dental (PPO)")
    assert text.startswith("Hand-worked Dental\n1 Main St, Springfield\n"
                           "Phone (555) 010-2030  ·  TIN 12-3456789  ·  NPI 1234567893\n")
    assert ("Jordan Lee\nNetwork Manager\nProvider Relations\nAlpha Dental\nPO Box 1\n"
            "Alphaville, CA 90000") in text
    assert ("Re: Fee schedule review, Hand-worked Dental, Alpha Dental (PPO) "
            "(contract AD-778)") in text
    assert "Dear Jordan Lee," in text
    assert "or a call to discuss it at (555) 010-2030." in text
    assert text.endswith("Sincerely,\nDr. Ada Molar\nOwner\nHand-worked Dental")
    # Delta has no contact in client.toml: a neutral salutation.
    text, _ = _letter(files.letters, "Delta Care (PDP)")
    assert "Provider Relations\nDelta Care\n" in text and "Dear Provider Relations team," in text


def test_client_toml_practice_fields(handworked_dir: Path, tmp_path: Path) -> None:
    """tin, signer, [contracts] and [payers."Name"] are read from client.toml."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text(
        'name = "Hand-worked Dental"\ntin = "98-7654321"\nsigner = "Dr. B"\n'
        'signer_title = "Owner"\n\n[contracts]\n"Alpha Dental" = "AD-1"\n\n'
        '[payers."Alpha Dental"]\ncontact = "Jo"\naddress = """PO Box 1\nTown"""\n')
    practice = load_client(folder).practice
    assert (practice.tin, practice.signer, practice.signer_title) == ("98-7654321", "Dr. B",
                                                                      "Owner")
    assert practice.contract_for("Alpha Dental", "Alpha Dental (PPO)") == "AD-1"
    assert practice.contact_for("Alpha Dental", "Alpha Dental (PPO)") == PayerContact(
        name="Jo", address="PO Box 1\nTown")


def test_contact_is_the_older_name_of_signer(handworked_dir: Path, tmp_path: Path) -> None:
    """A client.toml written before `signer` existed still signs its letters."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text('contact = "Dr. Old"\n')
    assert load_client(folder).practice.signer == "Dr. Old"


@pytest.mark.parametrize("toml, key, problem", [
    ('[payers."Alpha Dental"]\nphone = "1"\n', "payers.Alpha Dental.phone",
     "is not a known key; known keys: contact, title, department, address, appeal_days"),
    ('[payers."Alpha Dental"]\ncontact = 5\n', "payers.Alpha Dental.contact",
     'is not text; write it in quotes: contact = "…"'),
    ('[payers."Alfa Dental"]\ncontact = "Jo"\n', "payers.Alfa Dental",
     "names no payer of this client; write it as a payer or schedule is named: Alpha Dental, "
     "Alpha Dental (PPO), Beta Health, Delta Care, Delta Care (PDP), Gamma Plan, "
     "Gamma Plan (PPO)"),
])
def test_payer_contact_mistakes_are_errors(handworked_dir: Path, tmp_path: Path, toml: str,
                                           key: str, problem: str) -> None:
    """A misspelt key, a number for a name, a payer that is not there: one Error line each."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text(toml)
    result = CliRunner().invoke(cli, ["letters", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == f"Error: {folder / 'client.toml'}: setting '{key}' {problem}\n"


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
    lines = result.output.splitlines()
    # letters, summary, the schedules of the two payers with a package; two payers without
    assert len(lines) == 2 + 1 + 4 + 2
    assert lines[-1] == ("Note: Gamma Plan (PPO): no letter: it allows at least the benchmark "
                         "on every code the practice performs for it")
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
    assert len(package) == 2 + 1 + 4   # no proposed schedules for the payers without a package
    assert result.output.splitlines()[-2:] == [
        "  hw: Beta Health: no letter: it allows at least the benchmark on every code the "
        "practice performs for it",
        "  hw: Gamma Plan (PPO): no letter: it allows at least the benchmark on every code the "
        "practice performs for it"]


@pytest.mark.parametrize("value, printed", [(2267.1, "2,267"), (2267.5, "2,268"),
                                            (0.5, "1"), (19.2, "19"), (1131.0, "1,131")])
def test_counts_are_whole_numbers_rounded_half_up(value: float, printed: str) -> None:
    """Procedure counts print whole, half up: never "2,267.1 procedures"."""
    from xlfees.deliverables.content import count
    assert count(value) == printed


def test_estimated_volume_says_about(tmp_path: Path) -> None:
    """Volume split by payer shares is an estimate: "about 1,131 procedures", a whole number."""
    root = Path(__file__).resolve().parent.parent
    analysis = analyze(load_client(root / "examples" / "lakeside-dental"))
    files = write_deliverables(analysis, tmp_path, day=DAY)
    text, _ = _letter(files.letters, "Aetna PPO")
    aetna = analysis.targets[analysis.targets["payer"] == "Aetna PPO"]["volume"].sum()
    assert f"we performed about {round(aetna):,} procedures for your members" in text
    assert not float(aetna).is_integer()     # an estimate, printed whole
