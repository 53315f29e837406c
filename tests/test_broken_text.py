"""Text that breaks its own encoding, and names that are not UTF-8: one clear error, or read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from xlfees import analyze, load_client, write_workbook
from xlfees.cli import cli

SCHEDULE = "Code,Allowed\nD0120,40\nD1110,70\n"
FIX = "the file was cut short or damaged: export it again, or save it as UTF-8 text"

BROKEN = [
    # a UTF-16 byte-order mark and an odd number of bytes: the last character is cut in half
    ("odd.csv", b"\xff\xfe" + SCHEDULE.encode("utf-16-le") + b"D",
     "starts with a UTF-16 byte-order mark but ends in the middle of a character at byte "
     "64 (line 4)"),   # 2 + 31 × 2
    # a lone high surrogate inside UTF-16 text
    ("surrogate.csv", b"\xff\xfe" + "Code,Allowed\n".encode("utf-16-le") + b"\x00\xd8"
     + "D0120,40\n".encode("utf-16-le"),
     "starts with a UTF-16 byte-order mark but has bytes that are not UTF-16 (illegal UTF-16 "
     "surrogate) at byte 28 (line 2)"),
    # a UTF-8 BOM followed by a Windows-1252 é
    ("mixed.csv", b"\xef\xbb\xbf" + b"Code,Allowed,Note\nD0120,40,caf\xe9\n",
     "starts with a UTF-8 byte-order mark but has bytes that are not UTF-8 (invalid "
     "continuation byte) at byte 33 (line 2)"),   # 3 + 18 + 12
    # a UTF-8 BOM and a multi-byte character cut off at the end
    ("cut.csv", b"\xef\xbb\xbf" + SCHEDULE.encode() + "D1120,55,é".encode()[:-1],
     "starts with a UTF-8 byte-order mark but ends in the middle of a character at byte 43 "
     "(line 4)"),   # 3 + 31 + 9
    # UTF-16 without a BOM whose last character is cut in half
    ("nobom.csv", SCHEDULE.encode("utf-16-le") + b"D",
     "looks like UTF-16 text (every other byte is 0) but ends in the middle of a character "
     "at byte 62 (line 4)"),   # 31 × 2
]


@pytest.mark.parametrize(("name", "data", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
def test_inspect_refuses_broken_text_with_one_line(tmp_path: Path, name: str, data: bytes,
                                                   problem: str) -> None:
    """inspect: one Error line naming the file, the byte and the line; no traceback."""
    path = tmp_path / name
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: {problem}; {FIX}\n"


@pytest.mark.parametrize(("name", "data", "problem"), BROKEN[:2], ids=[b[0] for b in BROKEN[:2]])
def test_analyze_and_batch_name_the_broken_file(handworked_dir: Path, tmp_path: Path,
                                                name: str, data: bytes, problem: str) -> None:
    """analyze and batch name the file inside the client folder; the batch goes on."""
    clients = tmp_path / "clients"
    broken = clients / "broken"
    shutil.copytree(handworked_dir, broken)
    shutil.copytree(handworked_dir, clients / "fine")
    (broken / "payers").mkdir()
    (broken / "payers" / name).write_bytes(data)
    result = CliRunner().invoke(cli, ["analyze", str(broken)])
    assert result.exit_code == 1
    assert result.output == f"Error: payers/{name}: {problem}; {FIX}\n"
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out"),
                                      "--jobs", "1"])
    assert result.exit_code == 1
    assert f"  broken: payers/{name}: {problem}; {FIX}" in result.output
    assert (tmp_path / "out" / "fine.xlsx").exists()


def test_names_that_are_not_utf8_and_control_characters(handworked_dir: Path,
                                                        tmp_path: Path) -> None:
    """A Windows-1252 file name and a \\u0001 in client.toml reach the workbook and letters."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    payers = os.fsencode(folder / "payers")
    os.mkdir(payers)
    with open(payers + b"/Caf\xe9 Dental PPO.csv", "wb") as handle:   # é in Windows-1252
        handle.write(b"Code,Allowed\nD0120,41\nD2391,\x01165\n")
    (folder / "client.toml").write_text('name = "Hand\\u0001worked"\ncontact = "Dr. A\\u0007"\n')
    with (folder / "volume.csv").open("a", encoding="utf-8") as volume:   # so it is asked
        volume.write("D0120,Café Dental PPO,12\n")
    client = load_client(folder)
    assert client.name == "Handworked"
    assert "Café Dental PPO" in set(client.schedules["payer"])
    analysis = analyze(client)
    write_workbook(analysis, tmp_path / "out.xlsx")
    result = CliRunner().invoke(cli, ["letters", str(folder), "-o", str(tmp_path / "letters"),
                                      "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    letter = tmp_path / "letters" / "Café Dental PPO - fee review request.docx"
    text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert "Dr. A" in text and "\x07" not in text
