"""A client folder in the shapes payers send: files found by content, pinned by client.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlfees import ClientFolderError, ReadError, SettingsError, analyze, load_client
from xlfees.readers import AmbiguousFile

READERS = Path(__file__).parent / "data" / "readers"


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """office fees.xlsx, a procedures report, and four payers in four formats."""
    folder = tmp_path / "lakeside-dental"
    (folder / "payers").mkdir(parents=True)
    shutil.copy(READERS / "office fees.xlsx", folder / "office fees.xlsx")
    shutil.copy(READERS / "procedures_by_code.csv", folder / "procedures_by_code.csv")
    for name in ("Delta Dental PPO 2026.csv", "Ameritas PPO 2026.pdf", "metlife-pdp.xlsx",
                 "aetna.xlsx"):
        shutil.copy(READERS / name, folder / "payers" / name)
    (folder / "payers" / "~$metlife-pdp.xlsx").write_bytes(b"lock file")
    (folder / "payers" / "cover letter.docx").write_bytes(b"PK\x03\x04")
    return folder


def test_every_file_found_by_content(messy: Path) -> None:
    """Office fees, volume and four payers are read; payer names come from titles and names."""
    client = load_client(messy)
    assert sorted(set(client.schedules["payer"])) == [
        "Aetna", "Ameritas Dental PPO", "Delta Dental PPO", "MetLife PDP Plus"]
    assert dict(zip(client.office_fees["code"], client.office_fees["office_fee"])) == {
        "D0120": 62.0, "D2391": 250.0, "D2740": 1325.0}
    assert dict(zip(client.volume["code"], client.volume["count"])) == {
        "D0120": 633.0, "D2391": 130.0, "D2740": 874.0}
    assert client.name == "lakeside-dental"


READS = "(xlfees reads .xlsx, .xlsm, .xls, .pdf, .csv, .tsv, .txt and .tab files)"


def test_rejected_rows_reach_the_notes_with_their_file(messy: Path) -> None:
    """Each rejected row is a note naming the file inside the folder, sheet and row."""
    notes = {(n.file, n.sheet, n.row, n.text, n.reason) for n in load_client(messy).notes}
    assert ("payers/Delta Dental PPO 2026.csv", None, 6, "BR", "not an amount") in notes
    assert ("payers/Ameritas PPO 2026.pdf", "page 2", 4, "BR", "not an amount") in notes
    assert ("office fees.xlsx", "UCR", 7, "N/C", "not an amount") in notes
    assert ("procedures_by_code.csv", None, 7, "Total", "totals row") in notes
    assert ("payers/cover letter.docx", None, None, None,
            "not read: it is a .docx file " + READS) in notes


def test_newest_effective_date_applies(messy: Path) -> None:
    """Aetna's D0120 of 2025 is superseded by 2026's; the older row is noted, not used."""
    client = load_client(messy)
    aetna = client.schedules[client.schedules["payer"] == "Aetna"]
    assert dict(zip(aetna["code"], aetna["allowed"])) == {"D0120": 42.0, "D1110": 70.0}
    assert any(n.reason == "superseded by the schedule effective 2026-01-01" and n.row == 2
               for n in load_client(messy).notes)


def test_analysis_runs_end_to_end(messy: Path) -> None:
    """The messy folder analyses; D2391's alternate from MetLife's sheet is used."""
    analysis = analyze(load_client(messy))
    metlife = analysis.alt_benefits[analysis.alt_benefits["payer"] == "MetLife PDP Plus"]
    row = metlife[metlife["code"] == "D2391"].iloc[0]
    # MetLife's own alternate-benefit sheet: D2391 paid as D2140 at 94.00
    assert (row["alt_code"], row["alt_before"]) == ("D2140", 94.0)
    # 250 − 0.8 × 94 = 174.8
    assert row["balance_before"] == pytest.approx(174.8)


def test_ambiguous_file_names_the_pin_that_settles_it(messy: Path) -> None:
    """A root file with only a 'Fee' column and no telling name: the error gives the line."""
    (messy / "list.csv").write_text("Code,Fee\nD0120,40\nD1110,70\nD2391,150\n")
    with pytest.raises(AmbiguousFile, match=r'^list\.csv: could be a payer schedule or the '
                                            r"office's fees .*\[files\.\"list\.csv\"\] "
                                            r'role = "schedule"'):
        load_client(messy)
    (messy / "client.toml").write_text('[files."list.csv"]\nrole = "schedule"\n'
                                       'payer = "Guardian"\n')
    client = load_client(messy)
    guardian = client.schedules[client.schedules["payer"] == "Guardian"]
    assert list(guardian["code"]) == ["D0120", "D1110", "D2391"]


def test_pin_for_a_missing_file(messy: Path) -> None:
    """A [files."…"] entry naming no file in the folder is an error naming the key."""
    (messy / "client.toml").write_text('[files."payers/cigna.xlsx"]\nrole = "schedule"\n')
    with pytest.raises(SettingsError, match=r"setting 'files\.\"payers/cigna\.xlsx\"' names no "
                                            r"file in the folder"):
        load_client(messy)


def test_pinned_columns_and_header_row(messy: Path) -> None:
    """columns and header_row pins read a file whose headers nothing recognises."""
    (messy / "payers" / "odd.csv").write_text(
        "Guardian schedule\nItem,What,Pays\nD0120,Exam,41\nD1110,Cleaning,71\n")
    (messy / "client.toml").write_text(
        '[files."payers/odd.csv"]\npayer = "Guardian"\nheader_row = 2\n'
        'columns = { code = "Item", allowed = "Pays" }\n')
    client = load_client(messy)
    guardian = client.schedules[client.schedules["payer"] == "Guardian"]
    assert dict(zip(guardian["code"], guardian["allowed"])) == {"D0120": 41.0, "D1110": 71.0}


def test_bad_file_stops_the_client_with_its_name(messy: Path) -> None:
    """A damaged payer file stops the client with one error naming it."""
    (messy / "payers" / "cigna.xlsx").write_bytes(b"PK\x03\x04broken")
    with pytest.raises(ReadError, match=r"^payers/cigna\.xlsx: is a damaged workbook"):
        load_client(messy)


def test_wide_sheet_gives_office_fees_when_no_file_does(tmp_path: Path) -> None:
    """A comparison sheet alone is a whole client: office fees and payers."""
    shutil.copy(READERS / "lakeside comparison.xlsx", tmp_path / "comparison.xlsx")
    client = load_client(tmp_path)
    assert dict(zip(client.office_fees["code"], client.office_fees["office_fee"])) == {
        "D0120": 62.0, "D2740": 1325.0, "D7210": 365.0}
    assert sorted(set(client.schedules["payer"])) == ["Cigna DPPO", "Delta Dental PPO"]


def test_limits_from_client_toml(messy: Path) -> None:
    """[limits] max_pdf_pages applies to the folder's files."""
    (messy / "client.toml").write_text("[limits]\nmax_pdf_pages = 1\n")
    with pytest.raises(ReadError, match=r"payers/Ameritas PPO 2026\.pdf: has 2 pages"):
        load_client(messy)


def test_a_saved_xlfees_workbook_is_not_taken_for_an_input(messy: Path) -> None:
    """The workbook of an earlier run, saved in the client folder, is passed over with a note."""
    from xlfees import write_workbook

    write_workbook(analyze(load_client(messy)), messy / "lakeside-dental.xlsx")
    client = load_client(messy)
    assert ("lakeside-dental.xlsx", "an xlfees workbook (a result, not an input): not read") in {
        (n.file, n.reason) for n in client.notes}
    assert sorted(set(client.schedules["payer"])) == [
        "Aetna", "Ameritas Dental PPO", "Delta Dental PPO", "MetLife PDP Plus"]


def test_letters_written_into_the_client_folder_are_not_inputs(messy: Path) -> None:
    """`xlfees letters acme -o acme/letters`, then analyse acme again: the same client."""
    from datetime import date

    from xlfees.deliverables import write_deliverables

    before = load_client(messy)
    files = write_deliverables(analyze(before), messy / "letters", day=date(2026, 11, 23))
    after = load_client(messy)
    assert after.schedules.equals(before.schedules)
    skipped = {n.file for n in after.notes if n.reason.startswith("an xlfees letter")}
    assert skipped == {f"letters/{p.name}" for p in files.all}


def test_a_dimension_pin_chooses_the_region(handworked_dir: Path, tmp_path: Path) -> None:
    """dimension = "North": North's amount where it has one, the base (blank) row elsewhere."""
    import shutil

    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "payers").mkdir()
    source = Path(__file__).parent / "data" / "readers" / "uhc regions 2026.csv"
    shutil.copy(source, folder / "payers" / "uhc.csv")
    (folder / "client.toml").write_text('[files."payers/uhc.csv"]\ndimension = "North"\n')
    client = load_client(folder)
    uhc = client.schedules[client.schedules["payer"] == "UnitedHealthcare Dental PPO"]
    assert dict(zip(uhc["code"], uhc["allowed"])) == {"D0120": 35.0, "D1110": 60.0,
                                                      "D2740": 790.0}
    notes = {(n.row, n.reason) for n in client.notes if n.file == "payers/uhc.csv"}
    assert (3, "Region (blank): not the 'North' pinned in client.toml") in notes
    assert (5, "Region South: not the 'North' pinned in client.toml") in notes


def test_a_folder_whose_only_schedule_needs_a_region_says_so(tmp_path: Path) -> None:
    """A national export (10 regions × 2 codes) alone: the error names the file, counts its
    rows, shows six regions and the count of the rest, and gives the client.toml line."""
    folder = tmp_path / "client"
    (folder / "payers").mkdir(parents=True)
    (folder / "office_fees.csv").write_text("code,description,office_fee\n"
                                            "D0120,Periodic exam,60\nD1110,Prophy,110\n")
    (folder / "payers" / "Delta national.csv").write_text(
        "region,code,allowed\n" + "".join(f"R{r},{code},{40 + r}\n" for r in range(10)
                                          for code in ("D0120", "D1110")))
    with pytest.raises(ClientFolderError) as raised:
        load_client(folder)
    assert str(raised.value) == (
        f"{folder}: no payer schedules found: every row of payers/Delta national.csv was left "
        "out (20 rows); row 2: D0120 has amounts for several region values ('R0', 'R1', "
        "'R2', 'R3', 'R4', 'R5', … 4 more): choose one in client.toml: "
        '[files."payers/Delta national.csv"] dimension = "R0"')


def test_client_toml_column_names_are_the_columns_readers_know() -> None:
    """[files."…"] columns = {…} accepts exactly the columns a reader finds by header."""
    from xlfees.readers.layout import SYNONYMS
    from xlfees.readers.pins import COLUMN_NAMES

    assert sorted(SYNONYMS) == sorted(COLUMN_NAMES)
