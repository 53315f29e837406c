"""The files practices actually have (issue 28): a state Medicaid table of CPT, HCPCS and CDT
codes with age bands, a copay schedule of two tables side by side, procedure logs, and pins
that always win. Corpus files are under data/readers (tests/test_reader_corpus.py reads
each exactly); here they meet in a client folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlfees import analyze, load_client, read_schedule, write_workbook
from xlfees.readers.limits import ReadError

READERS = Path(__file__).parent / "data" / "readers"
MEDICAID = "colorado medicaid fee schedule 2026.csv"
COPAYS = "aetna dmo copays two tables 2026.pdf"


@pytest.fixture
def client(tmp_path: Path) -> Path:
    """Office fees, the Medicaid table, the two-table copay PDF and two payer files."""
    folder = tmp_path / "mixed"
    payers = folder / "payers"
    payers.mkdir(parents=True)
    for name in (MEDICAID, COPAYS, "Delta Dental PPO 2026.csv", "guardian_dentalguard.csv"):
        shutil.copy(READERS / name, payers / name)
    (folder / "office_fees.csv").write_text(
        "code,description,office_fee\n"
        "D0120,Periodic oral evaluation,60\nD0150,Comprehensive evaluation,95\n"
        "D1110,Prophylaxis - adult,110\nD2391,Composite 1s posterior,180\n"
        "D2740,Crown - porcelain/ceramic,1250\nD2750,Crown PFM,1150\nD4910,Perio maint,140\n"
        "D7140,Extraction,190\n")
    (folder / "procedures.csv").write_text(
        "Service ID,Patient ID,Tooth,Provider ID,Code,Date\n"
        "7001,10002,,1,D0120,2026-01-05\n7002,10009,,1,D1110,2026-01-05\n"
        "7003,10016,30,2,D2391,2026-01-06\n7004,10023,,1,D0120,2026-01-07\n")
    return folder


def test_a_mixed_folder_analyses_without_pins(client: Path, tmp_path: Path) -> None:
    """The Medicaid table gives its four adult CDT rows, the copay PDF its 12 copays (kept
    out of the rates: no schedule of its name), the log counts its procedures."""
    loaded = load_client(client)
    schedules = sorted(set(zip(loaded.schedules["payer"], loaded.schedules["network"])))
    assert schedules == [("Colorado Medicaid", ""), ("Delta Dental PPO", ""),
                         ("Guardian DentalGuard Preferred", "")]
    medicaid = loaded.schedules[loaded.schedules["payer"] == "Colorado Medicaid"]
    # D0120's adult band (21 and over) at 24.00, never the child band's 21.36
    assert dict(zip(medicaid["code"], medicaid["allowed"])) == {
        "D0120": 24.0, "D1110": 39.02, "D2391": 61.5, "D7140": 1057.8}
    assert len(loaded.copays) == 12
    assert set(loaded.copays["payer"]) == {"Aetna Dental Low DMO Plan 73"}
    assert dict(zip(loaded.volume["code"], loaded.volume["count"])) == {
        "D0120": 2.0, "D1110": 1.0, "D2391": 1.0}
    reasons = [note.reason for note in loaded.notes]
    assert ("51 rows hold codes of other code sets (CPT 44, HCPCS 7): left out, only CDT "
            "codes are read") in reasons
    assert ("a copay schedule (what patients pay under Aetna Dental Low DMO Plan 73): shown "
            "on the Copays sheet, kept out of effective rates and asks") in reasons
    analysis = analyze(loaded)
    assert "Aetna Dental Low DMO Plan 73" not in set(analysis.payers["payer"])
    import openpyxl
    book = openpyxl.load_workbook(write_workbook(analysis, tmp_path / "mixed.xlsx"))
    rows = list(book["Copays"].iter_rows(min_row=4, values_only=True))
    assert [r[3:5] for r in rows[:2]] == [("D0120", 0.0), ("D0140", 5.0)] and len(rows) == 12


def test_a_file_no_reader_handles_names_the_pin_that_makes_it_read(client: Path) -> None:
    """One unreadable payer file fails the client, naming the exact pin (by its path in
    the folder); written into client.toml, the pin makes it read."""
    (client / "payers" / "odd.csv").write_text(
        "Item,Money\nD0120,41.00\nD1110,71.00\nD2391,151.00\n"
        + "".join(f"note {n},see the manual\n" for n in range(5)))
    with pytest.raises(ReadError) as refused:
        load_client(client)
    assert str(refused.value) == (
        "payers/odd.csv: no table of CDT codes found in it (a CDT code first appears at row "
        '2); pin its header in client.toml: [files."payers/odd.csv"] header_row = 1, '
        'columns = { code = "Item", allowed = "<its amount column>" }')
    (client / "client.toml").write_text(
        '[files."payers/odd.csv"]\nheader_row = 1\npayer = "Odd Dental"\n'
        'columns = { code = "Item", allowed = "Money" }\n')
    loaded = load_client(client)
    odd = loaded.schedules[loaded.schedules["payer"] == "Odd Dental"]
    assert dict(zip(odd["code"], odd["allowed"])) == {"D0120": 41.0, "D1110": 71.0,
                                                      "D2391": 151.0}


def test_skip_leaves_a_file_out_on_purpose(client: Path) -> None:
    """skip = true: the file is not read, and a note says so."""
    (client / "payers" / "odd.csv").write_text("nothing to read here\n")
    (client / "client.toml").write_text('[files."payers/odd.csv"]\nskip = true\n')
    loaded = load_client(client)
    assert any(note.file == "payers/odd.csv" and note.reason ==
               "left out on purpose (skip = true in client.toml)" for note in loaded.notes)


def test_pins_read_a_medicaid_table_for_a_child(tmp_path: Path) -> None:
    """age = 10 reads the child band: D0120 at 21.36 and D1120 (children only), and the
    adult row of D0120 is the one rejected."""
    from xlfees.readers.pins import FilePins
    from xlfees.readers.reader import read_file

    read = read_file(READERS / MEDICAID, FilePins(age=10))
    amounts = {r["code"]: r["allowed"] for r in read.schedules}
    assert amounts == {"D0120": 21.36, "D1110": 39.02, "D1120": 29.2, "D2391": 61.5,
                       "D7140": 1057.8}
    assert [(n.row, n.reason.split(":")[0]) for n in read.rejected] == [
        (57, "ages 21 and over"), (58, "ages 0–2"), (62, "ages 21 and over")]


def test_an_id_column_is_never_money(tmp_path: Path) -> None:
    """A procedure log's service, patient and provider ids never become payers."""
    read = read_schedule(READERS / "procedure log 2026.csv")
    assert read.role == "volume" and read.schedules == []


def test_a_medical_schedule_is_refused_in_one_line_even_with_a_role(tmp_path: Path) -> None:
    """A physician fee schedule (CPT and HCPCS only): one line, --role or not."""
    from click.testing import CliRunner

    from xlfees.cli import cli

    medical = tmp_path / "physician fee schedule 2026.csv"
    medical.write_text("Procedure Code,Modifier,Max Allowable Fee\n"
                       + "".join(f"{99201 + n},,{40 + n}.00\n" for n in range(60))
                       + "J0120,,15.10\n")
    for role in ([], ["--role", "schedule"]):
        result = CliRunner().invoke(cli, ["inspect", str(medical), *role])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {medical}: holds no CDT code (D0120 and the like) anywhere in it: not a "
            "fee schedule, office-fee list or volume report; check it is the file meant, or "
            'leave it out: [files."physician fee schedule 2026.csv"] skip = true\n')
