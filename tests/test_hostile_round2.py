"""The second hostile-input campaign (issue 25), one test per finding, as a user meets it.

Each ends in one `Error:` line naming the file and the fix, or in a correct result,
with the inputs untouched. Commands that could hang (pipes, devices) run in a child
process with a timeout, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cli_run import one_error_line, run
from era_make import Claim, Line, Payment, remittance
from xlfees.batch.run import output_names, run_batch
from xlfees.sources.era import EraError, read_era
from xlfees.errors import describe_error
from xlfees.files import BusyError, folder_lock
from xlfees.readers import Limits, read_schedule

ROOT = Path(__file__).resolve().parent.parent
SMILE = ROOT / "examples" / "smile-studio"


def run_child(*args: object, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`python -m xlfees …` in a child process: a hang is a failed test, not a stuck run."""
    return subprocess.run([sys.executable, "-m", "xlfees", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def smile(tmp_path: Path) -> Path:
    folder = tmp_path / "smile"
    shutil.copytree(SMILE, folder)
    return folder


# 6: pipes and devices are refused at once -------------------------------------------------

def test_6_a_pipe_as_client_toml(smile: Path) -> None:
    """client.toml a named pipe: one Error line at once, not a hang."""
    (smile / "client.toml").unlink()
    os.mkfifo(smile / "client.toml")
    process = run_child("analyze", smile)
    assert process.returncode == 1
    assert process.stderr == (f"Error: {smile / 'client.toml'}: a named pipe, not a file; "
                              "xlfees reads only regular files: save it as a file and point "
                              "to that\n")


def test_6_dev_zero_as_client_toml(smile: Path) -> None:
    """client.toml a link to /dev/zero: refused before a byte is read (as a link out of the
    folder); a device inside the folder, as a device."""
    (smile / "client.toml").unlink()
    (smile / "client.toml").symlink_to("/dev/zero")
    process = run_child("analyze", smile)
    assert process.returncode == 1
    assert process.stderr.startswith(f"Error: {smile / 'client.toml'}: a link to a file "
                                     f"outside {smile}")
    if os.geteuid() != 0:
        return   # making a device takes root (CI runs as root)
    (smile / "client.toml").unlink()
    os.mknod(smile / "client.toml", 0o644 | stat.S_IFCHR, os.makedev(1, 5))   # /dev/zero's
    process = run_child("analyze", smile)
    assert process.returncode == 1
    assert process.stderr.startswith(f"Error: {smile / 'client.toml'}: a device, not a file")


@pytest.mark.parametrize("kind", ["pipe", "zero"])
def test_6_a_pipe_or_device_as_the_template(smile: Path, tmp_path: Path, kind: str) -> None:
    """--template a pipe or /dev/zero: one Error line, nothing written."""
    template = tmp_path / "template.xlsx"
    if kind == "pipe":
        os.mkfifo(template)
    else:
        template.symlink_to("/dev/zero")
    process = run_child("analyze", smile, "-o", tmp_path / "out.xlsx", "--template", template)
    assert process.returncode == 1
    what = "a named pipe" if kind == "pipe" else "a device"
    assert process.stderr.startswith(f"Error: {template}: {what}, not a file"), process.stderr
    assert len(process.stderr.splitlines()) == 1
    assert not (tmp_path / "out.xlsx").exists()


def test_6_a_pipe_as_group_toml(smile: Path, tmp_path: Path) -> None:
    """group.toml a named pipe in the clients folder: the batch stops with one Error line."""
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.move(smile, clients / "smile")
    os.mkfifo(clients / "group.toml")
    process = run_child("batch", clients, "-o", tmp_path / "out", "--jobs", "1")
    assert process.returncode == 1
    assert process.stderr.splitlines()[-1].startswith(
        f"Error: {clients / 'group.toml'}: a named pipe, not a file")


# 7: 835 size and amounts --------------------------------------------------------------------

def _era(charge: str = "100", paid: str = "56") -> bytes:
    claim = Claim("P1", [Line("D1110", 100.0, 56.0, 70.0, [("CO", "45", 30.0),
                                                          ("PR", "2", 14.0)])])
    text = remittance([Payment("DELTA DENTAL", [claim])]).decode("ascii")
    return text.replace("CLP*P1*1*100*56", f"CLP*P1*1*{charge}*{paid}", 1).encode("ascii")


def test_7_an_835_over_the_file_limit_is_refused_unread(tmp_path: Path) -> None:
    """An 835 over 50 MB: refused by its size, as every other input is."""
    path = tmp_path / "big.835"
    path.write_bytes(_era() + b" " * (50 * 1024 * 1024))
    with pytest.raises(EraError, match=r"big\.835: 50\.0 MB, more than the 50\.0 MB xlfees "
                                       r"reads; split it or leave it out"):
        read_era(path)


@pytest.mark.parametrize(("charge", "shown"), [("1e308", "'1e308'"),
                                                ("100000000.01", "'100000000.01'"),
                                                ("9" * 400, "'" + "9" * 24 + "…'"),
                                                ("nan", "'nan'"), ("-1e9", "'-1e9'")])
def test_7_amounts_past_any_payment_name_the_segment(tmp_path: Path, charge: str,
                                                     shown: str) -> None:
    """A claim charge over $100 million or not finite: one Error naming segment and element."""
    assert b"CLP*P1*1*100*56" in _era()
    path = tmp_path / "x.835"
    path.write_bytes(_era(charge=charge))
    code, output = run("inspect", path)
    assert code == 1
    message = one_error_line(output)
    assert message.startswith(f"{path}: segment ") and "(CLP03)" in message, message
    assert f"{shown} is not " in message


# 9: an unclosed quote ------------------------------------------------------------------------

def test_9_an_unclosed_quote_before_the_code_column(tmp_path: Path) -> None:
    """Description first, code second: the rows after the quote are kept, the quote's row
    named."""
    path = tmp_path / "fees.csv"
    path.write_text("Description,Code,Office Fee\nPeriodic eval,D0120,40\n"
                    '"Limited eval,D0140,50\nComprehensive eval,D0150,95\n'
                    "Full mouth xrays,D0210,120\n")
    read = read_schedule(path, role="office_fees")
    assert [r["code"] for r in read.rows] == ["D0120", "D0150", "D0210"]
    assert [(r.row, r.reason) for r in read.rejected] == [
        (3, "a quote opened on this line is never closed; the lines after it are read on "
            "their own")]


# 10: the output folder inside a client's ---------------------------------------------------

def test_10_out_dir_that_is_a_client_with_an_index_xlsx(tmp_path: Path) -> None:
    """-o CLIENTS/a where a holds an input named index.xlsx: refused before anything is
    written; a's files are untouched."""
    clients = tmp_path / "clients"
    shutil.copytree(SMILE, clients / "a")
    shutil.copytree(SMILE, clients / "b")
    (clients / "a" / "index.xlsx").write_bytes(b"the practice's own index")
    before = {p.name: p.read_bytes() for p in (clients / "a").iterdir() if p.is_file()}
    code, output = run("batch", clients, "-o", clients / "a", "--jobs", "1")
    assert code == 2   # a usage error: the command line names a folder it cannot use
    assert output.splitlines()[-1] == (
        f"Error: the output folder {clients / 'a'} is the client folder {clients / 'a'}: write to "
        f"a folder of its own (e.g. {clients / 'out'})")
    assert {p.name: p.read_bytes() for p in (clients / "a").iterdir() if p.is_file()} == before


# 11: templates checked as packages ---------------------------------------------------------

def _template_with(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "fresh.xlsx"
    assert run("template", "-o", fresh)[0] == 0
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(fresh) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
        extra = change(None, b"")
        if extra:
            target.writestr(*extra)
    return bad


def _refusal(smile: Path, tmp_path: Path, template: Path) -> str:
    """`analyze --template TEMPLATE`'s one Error line (exit 1, no workbook written)."""
    code, output = run("analyze", smile, "-o", tmp_path / "out.xlsx", "--template", template)
    assert code == 1 and not (tmp_path / "out.xlsx").exists()
    return one_error_line(output)


def test_11_a_template_with_malformed_xml(smile: Path, tmp_path: Path) -> None:
    """workbook.xml cut short: refused, not copied into a workbook Excel cannot open."""
    bad = _template_with(tmp_path, lambda name, data: (data[:-40] if name == "xl/workbook.xml"
                                                       else data))
    assert _refusal(smile, tmp_path, bad) == (
        f"{bad}: its part xl/workbook.xml is not well-formed XML (Excel would not open the "
        "workbook); use `xlfees template -o PATH` for a fresh one")


@pytest.mark.parametrize("part", ["../../evil.txt", "/abs/evil.txt", "xl/../../evil.txt",
                                  "C:/evil.txt"])
def test_11_a_template_with_zip_slip_part_names(smile: Path, tmp_path: Path,
                                                part: str) -> None:
    """A part named to climb out of the package: refused by name, never copied."""
    bad = _template_with(tmp_path, lambda name, data: (part, b"evil") if name is None
                         else data)
    with zipfile.ZipFile(bad) as archive:
        assert part in archive.namelist()
    assert _refusal(smile, tmp_path, bad) == (
        f"{bad}: holds {part!r}, not a part name of an xlsx package (ISO/IEC 29500-2); use "
        "`xlfees template -o PATH` for a fresh one")


# 12: names with line breaks ------------------------------------------------------------------

def test_12_a_damaged_payer_file_named_with_line_breaks(smile: Path, tmp_path: Path) -> None:
    """A damaged workbook named 'evil\\nTraceback…\\n.xlsx' in payers/: every line printed
    is one line, in analyze and in batch."""
    payers = smile / "payers"
    payers.mkdir(exist_ok=True)
    (payers / "evil\nTraceback (most recent call last):\n.xlsx").write_bytes(b"PK\x03\x04junk")
    code, output = run("analyze", smile)
    assert "Traceback (most recent call last):\n" not in output
    assert all(not line.startswith(".xlsx") for line in output.splitlines())
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.move(smile, clients / "smile")
    code, output = run("batch", clients, "-o", tmp_path / "out", "--jobs", "1")
    assert "Traceback (most recent call last):\n" not in output
    assert all(not line.startswith(".xlsx") for line in output.splitlines()), output


# 13: two batches on one output folder ----------------------------------------------------------

def test_13_a_second_batch_on_the_same_out_dir_is_locked_out(smile: Path,
                                                            tmp_path: Path) -> None:
    """While one batch writes OUT, another is refused at once with the reason; once the
    first is done, the next runs."""
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.move(smile, clients / "smile")
    out = tmp_path / "out"
    with folder_lock(out, "a batch"):
        code, output = run("batch", clients, "-o", out, "--jobs", "1")
        assert code == 1
        assert one_error_line(output) == (f"{out}: another xlfees command is writing there "
                                          "(a batch); wait for it to finish, or write to "
                                          "another folder")
        with pytest.raises(BusyError):
            with folder_lock(out, "a send"):
                pass
    assert not run_batch(clients, out, jobs=1).failed


# 16: limits exact, names that collide, bidi, pipes closed early -------------------------------

def test_16_a_file_of_exactly_the_line_limit_is_read(tmp_path: Path) -> None:
    """max_rows lines (the last with its line end) are within the limit; one more is not."""
    path = tmp_path / "fees.csv"
    path.write_text("code,office fee\n" + "".join(f"D{1000 + n},{n + 1}\n" for n in range(9)))
    assert len(read_schedule(path, role="office_fees", limits=Limits(max_rows=10)).rows) == 9
    path.write_text(path.read_text() + "D2000,5\n")
    with pytest.raises(Exception, match="has 11 lines, over the 10 limit"):
        read_schedule(path, role="office_fees", limits=Limits(max_rows=10))


def test_16_group_names_never_land_on_a_client_or_the_batch_files() -> None:
    """A group 'a.xlsx' beside client a, a group 'outbox' (send's folder), 'index.xlsx'."""
    names = output_names([Path("a"), Path("outbox")], ["a.xlsx", "Outbox", "index.xlsx",
                                                       "a"])
    outputs = list(names.values())
    files = [f"{n}.xlsx".casefold() for n in outputs]
    folders = [n.casefold() for n in outputs]
    assert len(set(files + folders)) == 2 * len(outputs)
    assert not {"outbox", "index.xlsx", "index"} & set(files + folders)


def test_16_bidi_controls_never_reach_the_terminal(tmp_path: Path) -> None:
    """A file named with U+202E: the Error line shows it without the override."""
    odd = tmp_path / "fees\u202excod.docx"
    odd.write_text("x")
    code, output = run("inspect", odd)
    assert code == 1 and "\u202e" not in output
    assert one_error_line(output).startswith(f"{tmp_path}/feesxcod.docx: ")


def test_16_a_closed_pipe_is_no_error(smile: Path, tmp_path: Path) -> None:
    """`xlfees letters … | head -1`: the first line, and no 'Error: Broken pipe'."""
    reader = subprocess.Popen([sys.executable, "-m", "xlfees", "letters", str(smile), "-o",
                               str(tmp_path / "letters")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    first = reader.stdout.readline()
    reader.stdout.close()     # as `head -1` does
    errors = reader.stderr.read().decode()
    reader.stderr.close()
    reader.wait(timeout=60)
    assert first.startswith(b"Wrote ")
    assert "Error" not in errors and "Broken pipe" not in errors


def test_16_an_unreadable_input_gets_advice_about_reading() -> None:
    """Permission denied (for a read as for a write): the advice names both, not only
    writing. (As root every file is readable, so the OS error itself is made here.)"""
    error = PermissionError(errno.EACCES, "Permission denied", "/clients/a/office_fees.csv")
    assert describe_error(error) == (
        "/clients/a/office_fees.csv: permission denied; check its permissions (xlfees reads "
        "its inputs and writes its outputs as you), or choose another folder")


def test_16_a_legal_200_page_pdf_is_read(tmp_path: Path) -> None:
    """200 pages of 40 code lines each: every row read within the PDF's time budget
    (10 s and 0.15 s a page), where a flat 10 s refused it."""
    import hostile_make as make

    pages = [make.text_page([f"D{1000 + p * 40 + i:04d} Procedure {i} on page {p} "
                             f"${50 + i}.00" for i in range(40)]) for p in range(200)]
    path = make.pdf(tmp_path / "long.pdf", pages, compress=True)
    read = read_schedule(path, role="schedule")
    assert len(read.rows) == 8000 and read.rejected == []
    assert read.rows[-1]["code"] == "D8999" and read.rows[-1]["allowed"] == 89.0


def test_16_a_page_just_under_the_content_limit_is_read(tmp_path: Path) -> None:
    """A page drawing just under 160 KB reads within memory and time; just over, refused."""
    import hostile_make as make

    lines = [f"D{1000 + i:04d} Procedure {i} with a longer description ${50 + i % 900}.00"
             for i in range(2000)]
    page = make.text_page(lines)
    path = make.pdf(tmp_path / "dense.pdf", [page], compress=True)
    read = read_schedule(path, role="schedule")
    assert len(read.rows) == 2000
    over = make.pdf(tmp_path / "denser.pdf", [make.text_page(lines * 2)], compress=True)
    with pytest.raises(Exception, match=r"page 1 draws .* of content, over the 160.0 KB"):
        read_schedule(over, role="schedule")


def test_8_rejected_rows_past_the_listing_are_counted_by_reason(tmp_path: Path) -> None:
    """110,000 'BR' rows: the first 100,000 listed with their rows, the rest counted in one
    note by reason; inspect's count is every one of them."""
    path = tmp_path / "schedule.csv"
    path.write_text("code,allowed\nD0120,40\n" + "D0140,BR\n" * 110_000)
    read = read_schedule(path, role="schedule")
    assert len(read.rejected) == 100_000 and read.rejected_count == 110_000
    assert read.rejected[-1].row == 100_002
    assert read.notes[-1].reason == ("10,000 more rejected rows are not listed (the first "
                                     "100,000 are): not an amount 10,000; check this is the "
                                     "file meant")
    assert read.to_dict()["rejected_not_listed"] == 10_000


def test_6_a_client_toml_linked_from_outside_the_folder(smile: Path, tmp_path: Path) -> None:
    """client.toml a link to a file elsewhere: refused by name, never read."""
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text('name = "Someone Else"\n')
    (smile / "client.toml").unlink()
    (smile / "client.toml").symlink_to(elsewhere)
    code, output = run("analyze", smile)
    assert code == 1
    assert one_error_line(output) == (
        f"{smile / 'client.toml'}: a link to a file outside {smile}; xlfees reads only files "
        "inside the folder: copy the file in")


def test_a_reader_answer_that_names_code_is_refused() -> None:
    """The parent reads the reader child's answer as plain data: a pickle that would call
    os.system is refused, never run (a child subverted by a parser bug gains nothing)."""
    import io
    import pickle

    from xlfees.readers.isolation import _PlainData

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, ("echo owned > /dev/null",))
    with pytest.raises(pickle.UnpicklingError, match="posix.system is not plain data"):
        _PlainData(io.BytesIO(pickle.dumps({"sheets": [Evil()]}))).load()
    from datetime import date, datetime
    plain = {"sheets": [{"rows": [["D0120", 40.5, None, True, datetime(2026, 1, 2),
                                   date(2026, 3, 4)]]}]}
    assert _PlainData(io.BytesIO(pickle.dumps(plain, protocol=5))).load() == plain
