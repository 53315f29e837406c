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
from cli_run import one_error_line, run
from xlfees import analyze, load_client, read_schedule
from xlfees.batch.run import run_batch
from xlfees.cli import cli
from xlfees.errors import XlfeesError
from xlfees.readers import Limits, ReadError
from xlfees.readers.grids import read_workbook

ROOT = Path(__file__).resolve().parent.parent
SMILE = ROOT / "examples" / "smile-studio"
CAREINGTON = Path(__file__).parent / "data" / "readers" / "Careington 500.xls"


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
    """A worker that aborts or is killed fails its client alone; the index is written."""
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
    # 256 MB: far less than the 3.3 billion cells calamine asks for, on any machine.
    with pytest.raises(ReadError, match=r"could not be read within 256 MB of memory "
                                        r"\(at sheet 'Fees'\)"):
        read_workbook(far, Limits(max_memory_bytes=256 * 1024 * 1024), "far.xlsx")


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
        read = read_schedule(path, role="schedule")
    except XlfeesError as error:
        assert str(error).startswith(f"{path}: ")
        assert "\n" not in str(error)
    else:   # read: every row it kept is a schedule row, every other one is named
        assert read.rows and all(row["code"].startswith("D") and row["allowed"] >= 0
                                 for row in read.rows)
        assert all(note.row is not None or note.sheet for note in read.rejected)


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
    volume = smile / "volume.csv"   # its procedures follow it: the long-named payer is asked
    volume.write_text(volume.read_text().replace(",Delta Dental PPO,", f",{'Delta' * 60} PPO,"))
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


# 8 ------------------------------------------------------------------------------------------

def _handles_sigterm(pid: int) -> bool:
    """Whether the process has installed its SIGTERM handler (Linux: /proc status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines()
                      if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _wait_for(condition, limit: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return False


def _big_client(folder: Path, payers: int = 8, codes: int = 700) -> Path:
    folder.mkdir(parents=True)
    numbers = range(1000, 1000 + codes)
    (folder / "office_fees.csv").write_text(
        "code,description,office_fee\n"
        + "".join(f"D{n},Procedure {n},{100 + n % 500}.00\n" for n in numbers))
    (folder / "schedules.csv").write_text(
        "payer,network,code,allowed\n"
        + "".join(f"Payer {p},PPO,D{n},{60 + (n * (p + 3)) % 300}.25\n"
                  for p in range(payers) for n in numbers))
    (folder / "volume.csv").write_text(
        "code,payer,count\n" + "".join(f"D{n},Payer {p},{1 + (n + p) % 40}\n"
                                       for p in range(payers) for n in numbers))
    return folder


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_8_sigterm_while_starting_is_a_clean_interrupt(smile: Path, tmp_path: Path) -> None:
    """SIGTERM as soon as the command can take it (imports still running): 130, no traceback."""
    process = subprocess.Popen([sys.executable, "-m", "xlfees", "analyze", str(smile)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path)
    assert _wait_for(lambda: _handles_sigterm(process.pid) or process.poll() is not None)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    assert "Traceback" not in errors and "Interrupted" in errors


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_8_sigterm_while_writing_leaves_no_partial_file(tmp_path: Path) -> None:
    """SIGTERM while `analyze -o` writes: exit 130, no *.partial, no half workbook."""
    client = _big_client(tmp_path / "big")
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "xlfees", "analyze", str(client), "-o",
                                str(out / "big.xlsx")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert _wait_for(lambda: any(out.glob(".*.partial")) or process.poll() is not None)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    assert "Traceback" not in errors
    assert list(out.iterdir()) == []


def test_8_ctrl_c_during_a_parallel_batch(smile: Path, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group) with --jobs 2: 130, no worker tracebacks."""
    clients = tmp_path / "clients"
    for number in range(30):
        shutil.copytree(smile, clients / f"client-{number:02d}")
    process = subprocess.Popen([sys.executable, "-m", "xlfees", "batch", str(clients), "-o",
                                str(tmp_path / "out"), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path, start_new_session=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    for line in process.stdout:
        if " ok " in line:
            os.killpg(process.pid, signal.SIGINT)
            break
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors
    assert not list((tmp_path / "out").rglob("*.partial"))


# 9 ------------------------------------------------------------------------------------------

def test_9_an_unclosed_quote_swallows_no_rows(tmp_path: Path) -> None:
    """The line with the stray quote is rejected by its text; the rows after it are read."""
    path = tmp_path / "aetna.csv"
    path.write_text('code,description,allowed\nD0120,Exam,50.00\nD0140,"Limited,51.00\n'
                    "D0150,Comp,52.00\nD0210,FMX,53.00\n")
    read = read_schedule(path, role="schedule")
    assert [(r["code"], r["allowed"], r["row"]) for r in read.rows] == [
        ("D0120", 50.0, 2), ("D0150", 52.0, 4), ("D0210", 53.0, 5)]
    assert [(n.row, n.text) for n in read.rejected] == [(3, 'D0140,"Limited,51.00')]
    assert "never closed" in read.rejected[0].reason


def test_9_quoted_descriptions_over_several_lines_still_read(tmp_path: Path) -> None:
    """A legitimate multi-line quoted description is one row, numbered by its first line."""
    path = tmp_path / "survey.csv"
    path.write_text('code,description,allowed\nD0120,"Periodic oral\nevaluation",50.00\n'
                    "D0150,Comp,52.00\n")
    read = read_schedule(path, role="schedule")
    assert [(r["code"], r["row"]) for r in read.rows] == [("D0120", 2), ("D0150", 4)]
    assert read.rejected == []


# 10 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_10_rows_above_a_later_header_are_rejected_not_a_title(tmp_path: Path,
                                                                kind: str) -> None:
    """Data rows above the header are named as rejected; they never become the payer."""
    rows = [["D0120", "Exam", 50.0], ["D0140", "Limited", 51.0], ["D0150", "Comp", 52.0],
            ["code", "description", "allowed"], ["D0210", "FMX", 53.0]]
    if kind == "csv":
        path = tmp_path / "guardian.csv"
        path.write_text("".join(",".join(str(c) for c in row) + "\n" for row in rows))
    else:
        path = make.xlsx(tmp_path / "guardian.xlsx", rows)   # type: ignore[arg-type]
    read = read_schedule(path, role="schedule")
    assert [(r["payer"], r["code"]) for r in read.rows] == [("Guardian", "D0210")]
    assert [n.row for n in read.rejected] == [1, 2, 3]
    assert all(n.reason.startswith("above the header (row 4)") for n in read.rejected)


# 11 -----------------------------------------------------------------------------------------

def test_11_pdf_lines_with_two_entries_or_markers(tmp_path: Path) -> None:
    """Two entries on one line are two rows; '*D1110' and '1. D0150' are read."""
    path = make.pdf(tmp_path / "acme.pdf", [make.text_page([
        "Acme Dental PPO Fee Schedule", "Code Description Allowance",
        "D0120 Exam $50.00   D0140 Limited exam $60.00", "*D1110 Prophylaxis adult $75.00",
        "1. D0150 Comprehensive exam $80.00"])])
    read = read_schedule(path)
    assert [(r["code"], r["allowed"]) for r in read.rows] == [
        ("D0120", 50.0), ("D0140", 60.0), ("D1110", 75.0), ("D0150", 80.0)]


# 12 -----------------------------------------------------------------------------------------

def test_12_odd_entries_in_a_client_folder_are_noted_never_read(smile: Path,
                                                                tmp_path: Path) -> None:
    """A pipe, a link to /dev/zero or out of the folder, a broken or looping link, a folder
    named like a file, a folder two levels down: each noted; nothing outside is read."""
    outside = tmp_path / "secret.csv"
    outside.write_text("code,description,allowed\nD0120,OUTSIDE TEXT,1.00\n")
    os.mkfifo(smile / "pipe.csv")
    (smile / "zero.csv").symlink_to("/dev/zero")
    (smile / "out.csv").symlink_to(outside)
    (smile / "broken.csv").symlink_to(smile / "nowhere.csv")
    (smile / "loop.csv").symlink_to(smile / "loop.csv")
    (smile / "x.csv").mkdir()
    (smile / "payers" / "deep").mkdir(parents=True)
    (smile / "same.csv").symlink_to(smile / "schedules.csv")
    client = load_client(smile)   # a FIFO read would block here forever
    notes = {n.file: n.reason for n in client.notes}
    assert notes["pipe.csv"] == "not a regular file (a pipe, socket or device): not read"
    outside_note = ("a link to a file outside the client folder: not followed; copy the file "
                    "into the folder instead")
    assert notes["zero.csv"] == notes["out.csv"] == outside_note
    assert notes["broken.csv"] == notes["loop.csv"] == "a broken or looping link: not read"
    assert notes["x.csv/"] == "a folder, not a file: not read"
    assert notes["payers/deep/"].startswith("a folder two levels down")
    assert notes["same.csv"] == "the same file as schedules.csv (a link to it): read once"
    assert "OUTSIDE TEXT" not in json.dumps([n.to_dict() for n in client.notes])
    assert "OUTSIDE TEXT" not in set(client.office_fees["description"])


def test_12_inspect_refuses_a_pipe(tmp_path: Path) -> None:
    """inspect of a FIFO is refused at once instead of blocking."""
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    code, output = run("inspect", pipe)
    assert code == 1
    assert one_error_line(output) == (f"{pipe}: is not a regular file (a folder, pipe or "
                                      "device); give the path of a schedule, office-fee or "
                                      "volume file")


# 13 -----------------------------------------------------------------------------------------

def test_13_a_payer_named_like_another_schedule_keeps_its_own_figures(smile: Path) -> None:
    """Payer "Delta Dental"/"PPO" and payer "Delta Dental (PPO)": two schedules, two labels."""
    schedules = smile / "schedules.csv"
    rows = schedules.read_text().splitlines()
    copies = [row.replace("Delta Dental,PPO,", "Delta Dental (PPO),,", 1)
              for row in rows if row.startswith("Delta Dental,PPO,")]
    schedules.write_text("\n".join(rows + copies) + "\n")
    analysis = analyze(load_client(smile))
    payers = analysis.to_dict()["payers"]
    labels = [(p["payer"], p["network"], p["codes"]) for p in payers]
    assert ("Delta Dental", "PPO", 28) in labels
    assert ("Delta Dental (PPO) #2", "", 28) in labels
    assert any("shown as 'Delta Dental (PPO) #2'" in n.reason for n in analysis.notes)


# 14 -----------------------------------------------------------------------------------------

def test_14_letters_for_payers_whose_names_clean_alike(smile: Path, tmp_path: Path) -> None:
    """Payers Aetna/Dental, Aetna:Dental and Aetna?Dental: three letters, none overwritten."""
    schedules = smile / "schedules.csv"
    rows = schedules.read_text().splitlines()
    extra = [row.replace("Aetna,PPO,", f"Aetna{mark}Dental,PPO,", 1)
             for mark in "/:?" for row in rows if row.startswith("Aetna,PPO,")]
    schedules.write_text("\n".join(rows + extra) + "\n")
    # each performs Aetna's procedures, so each has an ask and a letter
    volume = smile / "volume.csv"
    lines = volume.read_text().splitlines()
    volume.write_text("\n".join(lines + [line.replace(",Aetna PPO,", f",Aetna{mark}Dental PPO,")
                                         for mark in "/:?" for line in lines
                                         if ",Aetna PPO," in line]) + "\n")
    code, output = run("letters", smile, "-o", tmp_path / "l", "--date", "2026-12-01")
    assert code == 0, output
    wrote = [line for line in output.splitlines() if "fee review request" in line]
    # Each letter written once (a payer at or above the benchmark everywhere gets a note).
    notes = [line for line in output.splitlines() if line.startswith("Note: ")]
    assert len(wrote) == len(set(wrote)) and len(wrote) + len(notes) == 7
    assert {p.name for p in (tmp_path / "l").glob("Aetna Dental*request.docx")} == {
        "Aetna Dental (PPO) - fee review request.docx",
        "Aetna Dental (PPO) (2) - fee review request.docx",
        "Aetna Dental (PPO) (3) - fee review request.docx"}


def test_14_a_client_named_index_keeps_its_workbook(smile: Path, tmp_path: Path) -> None:
    """A client folder named index gets index (2).xlsx; index.xlsx is the batch's index."""
    clients = tmp_path / "clients"
    shutil.copytree(smile, clients / "index")
    shutil.copytree(smile, clients / "other")
    code, output = run("batch", clients, "-o", tmp_path / "out", "--jobs", "1")
    assert code == 0, output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "index (2).xlsx", "index.xlsx", "other.xlsx", "xlfees-batch.json"]


def test_14_output_inside_a_client_folder_is_a_usage_error(smile: Path, tmp_path: Path) -> None:
    """batch CLIENTS -o CLIENTS/<client> is refused (exit 2), not a silently skipped client."""
    clients = tmp_path / "clients"
    shutil.copytree(smile, clients / "smile")
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(clients / "smile")])
    assert result.exit_code == 2
    assert f"the output folder {clients / 'smile'} is the client folder" in result.output
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(clients / "smile" / "o")])
    assert result.exit_code == 2 and "is inside the client folder" in result.output


# 15 -----------------------------------------------------------------------------------------

def test_15_inputs_and_the_template_are_never_overwritten(smile: Path, tmp_path: Path) -> None:
    """-o an input file, or the --template itself: refused, every byte left as it was."""
    (smile / "payers").mkdir()
    payer_book = make.xlsx(smile / "payers" / "x.xlsx", [["Code", "Allowed"], ["D0120", 40.0]])
    before = {p: p.read_bytes() for p in smile.rglob("*") if p.is_file()}
    code, output = run("analyze", smile, "-o", smile / "office_fees.csv")
    assert code == 1 and "name it office_fees.xlsx" in one_error_line(output)
    code, output = run("analyze", smile, "-o", payer_book)
    assert code == 1
    assert one_error_line(output) == (
        f"{payer_book}: exists and is not a workbook xlfees wrote (an input, or someone's own "
        "file), so it is not overwritten; choose another name, or move that file first")
    template = tmp_path / "T.xlsx"
    assert run("template", "-o", template)[0] == 0
    template_bytes = template.read_bytes()
    code, output = run("analyze", smile, "-o", template, "--template", template)
    assert code == 1
    assert one_error_line(output) == (f"{template}: is the template being filled; write the "
                                      "workbook under another name")
    assert template.read_bytes() == template_bytes
    assert {p: p.read_bytes() for p in smile.rglob("*") if p.is_file()} == before
    # A workbook xlfees wrote is a result: writing it again is fine.
    assert run("analyze", smile, "-o", tmp_path / "r.xlsx")[0] == 0
    assert run("analyze", smile, "-o", tmp_path / "r.xlsx")[0] == 0


# 16 -----------------------------------------------------------------------------------------

def test_16_json_never_holds_infinity(tmp_path: Path) -> None:
    """A count of 10^307 is a rejected row; the JSON stays valid (no Infinity)."""
    path = tmp_path / "volume.csv"
    path.write_text("code,count\nD0120,1" + "0" * 307 + "\nD0140,12\n")
    code, output = run("inspect", path, "--json")
    assert code == 0, output
    document = json.loads(output, parse_constant=lambda name: pytest.fail(name))
    assert [r["code"] for r in document["rows"]] == ["D0140"]
    assert "not a plausible procedure count" in document["rejected"][0]["reason"]


def test_16_workbook_cells_and_sheets_stay_within_excel(smile: Path, tmp_path: Path) -> None:
    """A 40,000-character description is cut to 32,767; 150,000 notes are capped in one row."""
    import openpyxl

    _replace(smile / "office_fees.csv", "Periodic oral evaluation - established patient",
             "x" * 40_000)
    with (smile / "schedules.csv").open("a") as handle:   # 150,000 rows left out
        handle.write("Aetna,PPO,D0120,BR,,\n" * 150_000)
    out = tmp_path / "big.xlsx"
    code, output = run("analyze", smile, "-o", out)
    assert code == 0, output
    book = openpyxl.load_workbook(out, read_only=True)
    descriptions = [row[1] for row in book["Office Fees"].iter_rows(min_row=4, values_only=True)]
    assert max(len(d or "") for d in descriptions) == 32_767
    notes = list(book["Import Notes"].iter_rows(min_row=4, values_only=True))
    assert len(notes) == 100_001
    assert notes[-1][4].startswith("… and ")


def test_16_too_many_payer_schedules(smile: Path) -> None:
    """600 payers (17,000 would pass column XFD) is one Error naming the count."""
    with (smile / "schedules.csv").open("a") as handle:
        handle.write("".join(f"Payer {n},PPO,D0120,40.00,,\n" for n in range(600)))
    code, output = run("analyze", smile)
    assert code == 1
    assert "hold 604 payer schedules, more than the 500 one workbook can compare" in \
        one_error_line(output)


# 17 -----------------------------------------------------------------------------------------

def test_17_escape_sequences_never_reach_the_terminal(smile: Path, tmp_path: Path) -> None:
    """Payer and file names carrying ESC sequences print without them."""
    _replace(smile / "schedules.csv", "Aetna,PPO,D0120", "\x1b[31mAetna\x1b[0m,PPO,D0120")
    code, output = run("analyze", smile)
    assert code == 0 and "\x1b" not in output and "[31mAetna" in output
    odd = tmp_path / "\x1b]0;owned\x07fees.docx"
    odd.write_text("x")
    code, output = run("inspect", odd)
    assert code == 1 and "\x1b" not in output and "\x07" not in output


# 18 -----------------------------------------------------------------------------------------

def test_18_a_page_of_60000_lines_is_refused_before_it_is_laid_out(tmp_path: Path) -> None:
    """The page's decompressed content is measured first: refused in a second, not 63 s."""
    page = make.text_page([f"D{1000 + n % 9000} Exam ${n % 500}.00" for n in range(60_000)])
    path = make.pdf(tmp_path / "huge.pdf", [page], compress=True)
    with pytest.raises(ReadError, match=r"page 1 draws .* of content, over the 160.0 KB a page"):
        read_schedule(path)


def test_18_a_stream_that_inflates_far_is_refused(tmp_path: Path) -> None:
    """A small PDF whose page stream inflates to 64 MB of operators is refused by size."""
    path = make.pdf(tmp_path / "inflate.pdf", [b"q Q " * (16 * 1024 * 1024)], compress=True)
    assert path.stat().st_size < 200_000
    with pytest.raises(ReadError, match=r"page 1 draws 64.0 MB of content"):
        read_schedule(path)


def test_18_a_slow_pdf_is_stopped_at_the_time_budget(tmp_path: Path) -> None:
    """A PDF over its time budget is stopped between pages with one clear error. The
    budget here is 0 s, so the test holds on any machine: the first page is already late."""
    page = make.text_page([f"D{1000 + n} Exam ${n}.00" for n in range(10)])
    path = make.pdf(tmp_path / "slow.pdf", [page] * 6, compress=True)
    with pytest.raises(ReadError, match=r"took more than 0 s to read \(at page 1\), so it "
                                        r"was stopped"):
        read_schedule(path, limits=Limits(max_seconds=0.0, pdf_seconds_per_page=0.0))


def test_18_a_row_of_20000_split_amounts_is_joined_pair_by_pair(tmp_path: Path) -> None:
    """`1~021.00` pairs split by a ~ delimiter: each of 20,000 pairs joined, none across
    pairs (how fast is scripts/bench_read.py's concern, not a test's)."""
    from xlfees.readers.grids import Grid
    from xlfees.readers.reader import rejoin_split_amounts
    row = ["D0120", "Exam"] + ["1", "021.00"] * 20_000
    grid = Grid(sheet=None, rows=[["D0110", "Exam", "1,000.00"]] * 3 + [row],
                row_numbers=[1, 2, 3, 4])
    joined = rejoin_split_amounts(grid).rows[-1]
    assert joined == ["D0120", "Exam"] + ["1,021.00"] * 20_000


def test_18_a_merged_range_to_xfd_fills_only_the_table(tmp_path: Path) -> None:
    """A merge D1:XFD20000 over a three-row table reads the table, without gigabytes."""
    path = make.xlsx(tmp_path / "merged.xlsx",
                     [["Code", "Allowed"], ["D0120", 40.0], ["D0140", 50.0]],
                     after_data='<mergeCells count="1"><mergeCell ref="D1:XFD20000"/>'
                                "</mergeCells>")
    read = read_schedule(path, role="schedule")
    assert [r["code"] for r in read.rows] == ["D0120", "D0140"]


def test_18_a_template_that_inflates_to_gigabytes(smile: Path, tmp_path: Path) -> None:
    """A --template zip that would inflate to 3 GB is refused before it is unpacked."""
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("padding.bin", b"\0" * (200 * 1024 * 1024))
    code, output = run("analyze", smile, "-o", tmp_path / "out.xlsx", "--template", bomb)
    assert code == 1
    assert "more than a template holds" in one_error_line(output)


def test_12_an_unreadable_payers_folder_is_noted(smile: Path, monkeypatch) -> None:
    """payers/ that cannot be opened (permissions; root here ignores chmod) is a note."""
    (smile / "payers").mkdir()
    real = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]
        if self.name == "payers":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    notes = {n.file: n.reason for n in load_client(smile).notes}
    assert notes["payers/"] == ("this folder cannot be opened (Permission denied): its files "
                                "were not read; check its permissions")
