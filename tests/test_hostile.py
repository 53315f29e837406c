"""Hostile files: each refused with one clear error naming the file and the fix."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlfees import ReadError, read_schedule
from xlfees.cli import cli
from xlfees.readers import Limits

HOSTILE = Path(__file__).parent / "data" / "readers" / "hostile"
CORPUS = HOSTILE.parent


@pytest.mark.parametrize(("name", "message"), [
    ("locked.xlsx", "locked.xlsx: is a password-protected workbook; open it in Excel and save "
                    "a copy without a password"),
    ("damaged.xlsx", "damaged.xlsx: is a damaged workbook (not a readable zip); open it in "
                     "Excel and save it again"),
    ("really_a_pdf.xlsx", "really_a_pdf.xlsx: is a PDF with the extension .xlsx; rename it to "
                          ".pdf"),
    ("really_text.xls", "really_text.xls: is a text file with the extension .xls; rename it "
                        "to .csv"),
    ("empty.csv", "empty.csv: is empty; export the schedule again"),
    ("letter.docx", "letter.docx: is a .docx file (xlfees reads .xlsx, .xlsm, .xls, .pdf, "
                    ".csv, .tsv, .txt and .tab files); save it as .xlsx, .xls, .csv, .txt or "
                    "a text .pdf"),
])
def test_refused_with_one_clear_error(name: str, message: str) -> None:
    """`xlfees inspect` prints exactly one Error line and exits 1, never a traceback."""
    result = CliRunner().invoke(cli, ["inspect", str(HOSTILE / name)])
    assert result.exit_code == 1
    assert result.output == f"Error: {HOSTILE / name}: {message.split(': ', 1)[1]}\n"


def test_size_cap(tmp_path: Path) -> None:
    """A file over the size limit is refused before it is read."""
    big = tmp_path / "big.csv"
    big.write_text("Code,Allowed\n" + "D0120,40\n" * 200)
    with pytest.raises(ReadError,
                       match=r"big\.csv: is 1\.8 KB, over the 1\.0 KB limit; split the file"):
        read_schedule(big, limits=Limits(max_file_bytes=1024))


def test_zip_bomb_guard(tmp_path: Path) -> None:
    """An xlsx that unpacks to hundreds of times its size is refused unread."""
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ReadError, match=r"bomb\.xlsx: unpacks to 20\.0 MB \(\d+× its size\), "
                                        r"which looks like a zip bomb"):
        read_schedule(bomb)


def test_pdf_page_cap() -> None:
    """A PDF over the page limit is refused."""
    with pytest.raises(ReadError, match=r"has 2 pages, over the 1 page limit"):
        read_schedule(CORPUS / "Ameritas PPO 2026.pdf", limits=Limits(max_pdf_pages=1))


def test_row_cap(tmp_path: Path) -> None:
    """A text file with more lines than the row limit is refused."""
    long = tmp_path / "long.csv"
    long.write_text("Code,Allowed\n" + "D0120,40\n" * 50)
    with pytest.raises(ReadError, match=r"has 51 lines, over the 10 limit"):
        read_schedule(long, limits=Limits(max_rows=10))


def test_formula_text_is_kept_as_text(tmp_path: Path) -> None:
    """A description that looks like a formula is read as plain text, not evaluated."""
    hostile = tmp_path / "aetna.csv"
    hostile.write_text('Code,Description,Allowed\nD0120,"=HYPERLINK(""http://x"",""y"")",40\n'
                       "D1110,+cmd|' /C calc'!A0,70\nD2391,@SUM(1+1),150\n")
    read = read_schedule(hostile)
    assert [r["allowed"] for r in read.schedules] == [40.0, 70.0, 150.0]


def test_a_file_without_extension_says_so(tmp_path: Path) -> None:
    """A file with no extension is 'has no extension', not 'no extension is not a format'."""
    bare = tmp_path / "schedule"
    bare.write_text("Code,Allowed\nD0120,40\n")
    result = CliRunner().invoke(cli, ["inspect", str(bare)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {bare}: has no extension (xlfees reads .xlsx, .xlsm, "
                             ".xls, .pdf, .csv, .tsv, .txt and .tab files); save it as .xlsx, "
                             ".xls, .csv, .txt or a text .pdf\n")
