"""Reading a client folder in the canonical layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlfees import ClientFolderError, analyze, load_client


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
    """A non-CDT code, a blank amount and a bad alt amount each reach the notes."""
    schedules = folder / "schedules.csv"
    schedules.write_text(schedules.read_text()
                         + "Delta Care,PDP,Total,999,,\n"
                         + "Delta Care,PDP,D2391,,,\n"
                         + "\n"
                         + "Delta Care,PDP,D2740,650,D2791,N/C\n")
    notes = {(n.row, n.text, n.reason) for n in load_client(folder).notes}
    assert (17, "Total", "not a CDT code") in notes
    assert (18, "", "not an amount") in notes
    assert (20, "N/C", "alt_allowed is not an amount: the payer's allowed amount for the "
                       "alternate code is used") in notes


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


def test_header_without_required_columns(folder: Path) -> None:
    """A CSV without the expected header says which columns it must name."""
    (folder / "volume.csv").write_text("procedure,qty\nD0120,4\n")
    with pytest.raises(ClientFolderError,
                       match=r"volume\.csv has no column code, count: its header row must "
                             r"name code, count"):
        load_client(folder)


def test_not_utf8(folder: Path) -> None:
    """A file that is not UTF-8 is refused with the fix (the readers issue detects encodings)."""
    (folder / "office_fees.csv").write_bytes("code,description,office_fee\nD0120,Ex\xe4m,60\n"
                                             .encode("utf-16"))
    with pytest.raises(ClientFolderError, match=r"office_fees\.csv is not UTF-8 text"):
        load_client(folder)
