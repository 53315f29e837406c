"""Reading a client folder in the canonical layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlfees import ClientFolderError, analyze, load_client
from xlfees.readers.limits import ReadError


@pytest.fixture
def folder(handworked_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "acme-dental"
    shutil.copytree(handworked_dir, target)
    return target


def test_tables_are_canonical(handworked_dir: Path) -> None:
    """Codes in any form become D + 4 digits; money strings become numbers."""
    client = load_client(handworked_dir)
    gamma = client.schedules[client.schedules["payer"] == "Gamma Plan"]
    assert sorted(gamma["code"]) == ["D0120", "D2140", "D2391"]   # d0120, 2140, D2391.
    fees = dict(zip(client.office_fees["code"], client.office_fees["office_fee"]))
    assert fees["D2740"] == 1000.0                                   # "$1,000.00"
    assert client.name == "Hand-worked Dental"


def test_unreadable_rows_are_reported_not_dropped(folder: Path) -> None:
    """A non-CDT code, a totals row, a blank amount and a bad alt amount each reach the notes."""
    schedules = folder / "schedules.csv"
    schedules.write_text(schedules.read_text()
                         + "Delta Care,PDP,Exam,999,,\n"
                         + "Delta Care,PDP,D2391,,,\n"
                         + "\n"
                         + "Delta Care,PDP,D2740,650,D2791,N/C\n"
                         + "Total,,,4321,,\n")
    notes = {(n.file, n.row, n.text, n.reason) for n in load_client(folder).notes}
    assert ("schedules.csv", 17, "Exam", "not a CDT code") in notes
    assert ("schedules.csv", 18, "Delta Care PDP D2391", "no amount") in notes
    assert ("schedules.csv", 20, "N/C", "alternate benefit is not an amount; the payer's "
                                        "allowed amount for the alternate code is used") in notes
    assert ("schedules.csv", 21, "Total", "totals row") in notes


def test_name_defaults_to_folder(folder: Path) -> None:
    """Without a name in client.toml the folder's name is the client's."""
    (folder / "client.toml").unlink()
    assert load_client(folder).name == "acme-dental"


def test_without_volume_figures_are_zero_and_noted(folder: Path) -> None:
    """No volume.csv: annual figures are zero and a note says why."""
    (folder / "volume.csv").unlink()
    analysis = analyze(load_client(folder))
    assert analysis.gaps["write_off"].sum() == 0
    assert analysis.volume_basis == "no volume"
    assert any(n.reason.startswith("no volume") for n in analysis.notes)
    # unweighted effective rate for Delta: (36 + 90) / (60 + 150)
    delta = analysis.payers[analysis.payers["payer"] == "Delta Care"].iloc[0]
    assert delta["effective_rate"] == pytest.approx(126 / 210)


def test_toml_syntax_error(folder: Path) -> None:
    """A TOML syntax error names the file and the line."""
    (folder / "client.toml").write_text("name = \n")
    with pytest.raises(ClientFolderError, match=r"client\.toml is not valid TOML \(.*line 1"):
        load_client(folder)


def test_file_without_a_table(folder: Path) -> None:
    """A CSV with no recognisable table of codes is refused, naming the file."""
    (folder / "volume.csv").write_text("foo,bar\nhello,4\n")
    with pytest.raises(ReadError, match=r"^volume\.csv: holds no CDT code \(D0120 and the "
                                        r"like\) anywhere in it: .* skip = true$"):
        load_client(folder)


def test_utf16_office_fees(folder: Path) -> None:
    """A UTF-16 file (Excel's "Unicode text") is decoded, accents intact."""
    (folder / "office_fees.csv").write_bytes(
        "code,description,office_fee\nD0120,Exäm,60\nD2140,Amalgam,150\nD2391,Comp,250\n"
        "D2740,Crown,1000\nD6010,Implant,2000\n".encode("utf-16"))
    fees = load_client(folder).office_fees
    assert fees.loc[fees["code"] == "D0120", "description"].item() == "Exäm"
