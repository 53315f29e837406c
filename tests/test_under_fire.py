"""The README's promises under fire: one finding of the fuzz campaign per test.

Each input is made here by a small generator; each test failed before the fix and
asserts the outcome a person sees: one `Error:` line naming the file and the fix, or
a run that finishes with every left-out row named.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile_make as make
from xlfees import analyze, load_client, read_schedule
from xlfees.batch import run_batch
from xlfees.cli import cli
from xlfees.errors import XlfeesError
from xlfees.readers import Limits, ReadError
from xlfees.readers.grids import read_workbook

ROOT = Path(__file__).resolve().parent.parent
SMILE = ROOT / "examples" / "smile-studio"
CAREINGTON = Path(__file__).parent / "data" / "readers" / "Careington 500.xls"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def one_error_line(output: str) -> str:
    """The output is exactly one line, `Error: …`; give it without the prefix."""
    lines = output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert "Traceback" not in output
    return lines[0][len("Error: "):]


@pytest.fixture
def smile(tmp_path: Path) -> Path:
    folder = tmp_path / "smile"
    shutil.copytree(SMILE, folder)
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# 1 ------------------------------------------------------------------------------------------

def test_1_amounts_past_any_fee_are_rejected_rows(smile: Path, tmp_path: Path) -> None:
    """A 27-digit allowed amount is a rejected row, not a crash of analyze, --json or letters."""
    _replace(smile / "schedules.csv", "Delta Dental,PPO,D0120,41.70",
             "Delta Dental,PPO,D0120,100000000000000000000000000")
    code, output = run("analyze", smile, "--json")
    assert code == 0, output
    note = next(n for n in json.loads(output)["notes"] if n["row"] == 2)
    assert note == {"file": "schedules.csv", "sheet": None, "row": 2,
                    "text": "100000000000000000000000000",
                    "reason": "1e+26 is not a plausible fee (over 1,000,000)"}
    assert run("letters", smile, "-o", tmp_path / "letters", "--date", "2026-12-01")[0] == 0
    big_cell = make.xlsx(tmp_path / "big.xlsx", [["Code", "Allowed"], ["D0120", 1e308],
                                                 ["D0140", 60.0]])
    read = read_schedule(big_cell, role="schedule")
    assert [r["code"] for r in read.rows] == ["D0140"]
    assert read.rejected[0].reason == "1e+308 is not a plausible fee (over 1,000,000)"


def test_1_a_crashing_client_never_stops_the_batch(smile: Path, tmp_path: Path) -> None:
    """Any failure of one client (here a worker that aborts) fails it alone; the index is written."""
    from worker_faults import abort_on_doomed, exit_on_doomed
    clients = tmp_path / "clients"
    for name in ("alpha", "doomed", "zulu"):
        shutil.copytree(smile, clients / name)
    for work, signal_name in ((abort_on_doomed, "SIGABRT"), (exit_on_doomed, "SIGKILL")):
        out = tmp_path / f"out-{signal_name}"
        batch = run_batch(clients, out, jobs=2, _work=work)
        assert [Path(r.folder).name for r in batch.succeeded] == ["alpha", "zulu"]
        [failed] = batch.failed
        assert failed.client == "doomed" and f"stopped by {signal_name}" in (failed.error or "")
        assert (out / "index.xlsx").exists() and (out / "zulu.xlsx").exists()


# 2 ------------------------------------------------------------------------------------------

def test_2_a_far_cell_is_refused_before_any_reader_allocates(tmp_path: Path) -> None:
    """One cell at XFD200000: one Error line naming the sheet and the cell, no abort."""
    far = make.xlsx(tmp_path / "far.xlsx", [["Code", "Allowed"], ["D0120", 40.0]],
                    extra_cells='<row r="200000"><c r="XFD200000"><v>1</v></c></row>')
    code, output = run("inspect", far)
    assert code == 1
    assert one_error_line(output) == (
        f"{far}: sheet 'Fees' reaches row 200,000, column 16,384 (3,276,800,000 cells), over "
        "the 5,000,000-cell limit; delete the stray cells far from the table, or copy the "
        "table to a new workbook")


def test_2_a_reader_that_aborts_fails_the_file_not_the_process(tmp_path: Path) -> None:
    """Past the checks, calamine's abort happens in a child: a ReadError, the caller lives on."""
    far = make.xlsx(tmp_path / "far.xlsx", [["Code", "Allowed"], ["D0120", 40.0]],
                    extra_cells='<row r="200000"><c r="XFD200000"><v>1</v></c></row>')
    with pytest.raises(ReadError, match=r"could not be read within 1,024 MB of memory "
                                        r"\(at sheet 'Fees'\)"):
        read_workbook(far, Limits(), "far.xlsx")


@pytest.mark.parametrize("seed", range(12))
def test_2_damaged_xls_files_read_or_refuse(tmp_path: Path, seed: int) -> None:
    """Byte-flipped or truncated real .xls: rows, or one ReadError; never an abort or panic."""
    import random
    rng = random.Random(seed)
    data = bytearray(CAREINGTON.read_bytes())
    for _ in range(8):
        data[rng.randrange(512, len(data))] = rng.randrange(256)
    if seed % 3 == 0:
        data = data[:rng.randrange(600, len(data))]
    path = tmp_path / "careington.xls"
    path.write_bytes(bytes(data))
    try:
        read_schedule(path, role="schedule")
    except XlfeesError as error:
        assert str(error).startswith(f"{path}: ")


# 3 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [("inf", "inf"), ("nan", "nan"), ("-1", "-1")])
def test_3_limits_must_be_finite_positive_numbers(smile: Path, value: str, shown: str) -> None:
    """max_file_mb = inf or nan is an error naming the key, not an OverflowError."""
    (smile / "client.toml").write_text(f"[limits]\nmax_file_mb = {value}\n")
    code, output = run("analyze", smile)
    assert code == 1
    assert one_error_line(output) == (
        f"{smile / 'client.toml'}: setting 'limits.max_file_mb' is {shown}; use a number above "
        "0 and at most 1,024")


def test_3_a_client_toml_nested_5000_deep(smile: Path) -> None:
    """A RecursionError in the TOML parser is one Error line."""
    (smile / "client.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    code, output = run("analyze", smile)
    assert code == 1
    assert one_error_line(output) == (f"{smile / 'client.toml'} nests tables or arrays too "
                                      "deeply to read: client.toml needs at most three levels")


# 4 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "message"), [
    ("/proc/xlfees.xlsx", "{t}: no such file or directory; check the path"),
    ("{tmp}/" + "n" * 300 + ".xlsx", "{t}: file name too long; use a shorter name or a "
                                     "shorter folder path"),
])
def test_4_output_errors_are_one_line(smile: Path, tmp_path: Path, target: str,
                                      message: str) -> None:
    """An output that cannot be written names the path and the fix, without a traceback."""
    path = target.format(tmp=tmp_path)
    code, output = run("analyze", smile, "-o", path)
    assert code == 1
    assert one_error_line(output) == message.format(t=path)


def test_4_batch_output_errors_are_one_line(smile: Path, tmp_path: Path) -> None:
    """The batch's output folder or index that cannot be written: one Error line."""
    clients = tmp_path / "clients"
    shutil.copytree(smile, clients / "smile")
    code, output = run("batch", clients, "-o", "/proc/xlfees-out")
    assert code == 1 and one_error_line(output).startswith("/proc/xlfees-out: ")
    out = tmp_path / "out"
    (out / "index.xlsx").mkdir(parents=True)   # the index cannot replace a folder
    code, output = run("batch", clients, "-o", out, "--jobs", "1")
    assert code == 1
    assert output.splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in output and (out / "smile.xlsx").exists()


# 5 ------------------------------------------------------------------------------------------

def test_5_letters_with_long_names_and_control_characters(smile: Path, tmp_path: Path) -> None:
    """A 300-character practice and payer name, a \\x01 in a description: letters written."""
    long_name = "Smile " * 50
    (smile / "client.toml").write_text(f'name = "{long_name}"\n')
    schedules = smile / "schedules.csv"
    schedules.write_text(schedules.read_text().replace("Delta Dental,PPO,", f"{'Delta' * 60},PPO,"))
    _replace(smile / "office_fees.csv", "Periodic oral evaluation", "Periodic\x01 oral evaluation")
    code, output = run("letters", smile, "-o", tmp_path / "letters", "--date", "2026-12-01")
    assert code == 0, output
    names = [p.name for p in (tmp_path / "letters").iterdir()]
    assert all(len(n.encode()) <= 160 for n in names)
    assert sum(n.endswith(" - fee review request.docx") for n in names) == 4


# 6 ------------------------------------------------------------------------------------------

def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


import zipfile  # noqa: E402


@pytest.mark.parametrize("kind", ["no workbook part", "a docx", "a sheet without a name"])
def test_6_templates_that_are_not_templates(smile: Path, tmp_path: Path, kind: str) -> None:
    """--template of a zip without xl/workbook.xml, a .docx, a nameless <sheet>: one Error."""
    template = tmp_path / "t.xlsx"
    if kind == "no workbook part":
        with zipfile.ZipFile(template, "w") as archive:
            archive.writestr("hello.txt", "hi")
    elif kind == "a docx":
        _docx(template)
    else:
        make.xlsx(template, [["Code"]])
        with zipfile.ZipFile(template) as source:
            parts = {n: source.read(n) for n in source.namelist()}
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="Fees" ', b"")
        with zipfile.ZipFile(template, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    code, output = run("analyze", smile, "-o", tmp_path / "out.xlsx", "--template", template)
    assert code == 1
    assert one_error_line(output).startswith(f"{template}: ")
    assert "`xlfees template -o PATH`" in output


# 7 ------------------------------------------------------------------------------------------

def test_7_a_damaged_pdf_prints_only_the_error(tmp_path: Path) -> None:
    """pdfminer's warnings about a damaged file never come before the Error line."""
    good = make.pdf(tmp_path / "g.pdf", [make.text_page(["D0120 Exam $50.00"])])
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(good.read_bytes()[:300])
    process = subprocess.run([sys.executable, "-m", "xlfees", "inspect", str(damaged)],
                             capture_output=True, text=True, cwd=tmp_path)
    assert process.returncode == 1
    assert process.stdout == ""
    assert len(process.stderr.splitlines()) == 1 and process.stderr.startswith("Error: ")


def test_7_newlines_in_names_stay_on_one_line(smile: Path, tmp_path: Path) -> None:
    """A file name or a client.toml key with a line break: still one Error line."""
    odd = tmp_path / "a\nb.docx"
    odd.write_text("x")
    code, output = run("inspect", odd)
    assert code == 1 and one_error_line(output).startswith(f"{tmp_path}/a b.docx: ")
    (smile / "client.toml").write_text('"bad\\nkey" = 1\n')
    code, output = run("analyze", smile)
    assert code == 1 and "setting 'bad key' is not a known key" in one_error_line(output)
