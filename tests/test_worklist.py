"""The recovery worklist: three runs over growing remittances, a person's edits between
them, bad edits refused, packets, and two runs at once. By hand.

The hand-worked client (test_engine.py): Alpha Dental (PPO) allows D0120 40, D2140 100,
D2391 160, D2740 700; client.toml gives Alpha an appeal window of 90 days.

Run 1, 2026-11-01, ERA r1 (paid 2026-10-15, service 2026-10-01):
  A1 line 1 D0120 allowed 35 (5 below 40: underpaid), line 2 D2391 160 (in full);
  A2 line 1 D2740 denied (CO-29, paid 0, allowed 0: owed 700).
  → 2 rows, open, found 2026-11-01, deadline 2026-10-15 + 90 = 2027-01-13.
Between: the coordinator sets A1's owner "Maria", marks A2 appealed with a note.
Run 2, 2026-11-20, + ERA r2 (paid 2026-11-10): A3 line 1 D2140 allowed 90 (10 below).
  → A3 added (deadline 2027-02-08); then, in the workbook, A3's owner "Devon" and note
  "resubmit with x-ray", imported.
Run 3, 2026-12-05, + ERA r3 (paid 2026-12-01): A1 reprocessed, D0120 allowed 40.
  → A1 recovered, 5.00, updated 2026-12-05; Maria stays its owner. Nothing lost or
  doubled: 3 rows.
"""

from __future__ import annotations

import csv
import io
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from era_make import Claim, Line, Payment, remittance
from xlfees import analyze, load_client
from xlfees.cli import cli
from xlfees.sources import recovery

KEY_A1 = "Alpha Dental (PPO) | A1 | D0120 | 2026-10-01"
KEY_A2 = "Alpha Dental (PPO) | A2 | D2740 | 2026-10-01"
KEY_A3 = "Alpha Dental (PPO) | A3 | D2140 | 2026-11-02"


def _era(number: int) -> bytes:
    if number == 1:
        payment = Payment("ALPHA DENTAL", [
            Claim("A1", [Line("D0120", 60, 28, allowed=35,
                              adjustments=[("CO", "45", 25), ("PR", "2", 7)]),
                         Line("D2391", 250, 128, allowed=160,
                              adjustments=[("CO", "45", 90), ("PR", "2", 32)])]),
            Claim("A2", [Line("D2740", 1000, 0, allowed=0,
                              adjustments=[("CO", "29", 1000)])])],
            paid_on=date(2026, 10, 15), trace="R1")
    elif number == 2:
        payment = Payment("ALPHA DENTAL", [
            Claim("A3", [Line("D2140", 150, 72, allowed=90, service_date=date(2026, 11, 2),
                              adjustments=[("CO", "45", 60), ("PR", "2", 18)])],
                  received=date(2026, 11, 3))], paid_on=date(2026, 11, 10), trace="R2")
    else:
        payment = Payment("ALPHA DENTAL", [
            Claim("A1", [Line("D0120", 60, 32, allowed=40,
                              adjustments=[("CO", "45", 20), ("PR", "2", 8)]),
                         Line("D2391", 250, 128, allowed=160,
                              adjustments=[("CO", "45", 90), ("PR", "2", 32)])],
                  received=date(2026, 11, 25))], paid_on=date(2026, 12, 1), trace="R3")
    return remittance([payment])


@pytest.fixture
def client(handworked_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "hand-worked"
    shutil.copytree(handworked_dir, folder)
    toml = folder / "client.toml"
    toml.write_text(toml.read_text() + '\n[payers."Alpha Dental"]\nappeal_days = 90\n'
                    '\n[contracts]\n"Alpha Dental" = "AD-PPO-1123"\n')
    (folder / "era").mkdir()
    (folder / "era" / "r1.835").write_bytes(_era(1))
    return folder


def _run(folder: Path, day: str, *more: str) -> str:
    result = CliRunner().invoke(cli, ["worklist", str(folder), "--date", day, *more])
    assert result.exit_code == 0, result.output
    return result.output


def _rows(folder: Path) -> list[dict[str, str]]:
    text = (folder / "recovery.csv").read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _row(key: str, **changes: str) -> dict[str, str]:
    """A row as the hand-worked expectation gives it."""
    base = {
        KEY_A1: dict(key=KEY_A1, payer="Alpha Dental (PPO)", kind="underpaid", claim="PA1",
                     patient_control_number="A1", service_date="2026-10-01", code="D0120",
                     billed="60.00", allowed="35.00", paid="28.00", contracted="40.00",
                     difference="5.00", carc_rarc="CO-45 PR-2", trace="R1",
                     paid_on="2026-10-15", found="2026-11-01", deadline="2027-01-13"),
        KEY_A2: dict(key=KEY_A2, payer="Alpha Dental (PPO)", kind="denied", claim="PA2",
                     patient_control_number="A2", service_date="2026-10-01", code="D2740",
                     billed="1000.00", allowed="0.00", paid="0.00", contracted="700.00",
                     difference="700.00", carc_rarc="CO-29", trace="R1",
                     paid_on="2026-10-15", found="2026-11-01", deadline="2027-01-13"),
        KEY_A3: dict(key=KEY_A3, payer="Alpha Dental (PPO)", kind="underpaid", claim="PA3",
                     patient_control_number="A3", service_date="2026-11-02", code="D2140",
                     billed="150.00", allowed="90.00", paid="72.00", contracted="100.00",
                     difference="10.00", carc_rarc="CO-45 PR-2", trace="R2",
                     paid_on="2026-11-10", found="2026-11-20", deadline="2027-02-08"),
    }[key]
    person = {"status": "open", "owner": "", "notes": "", "recovered": "0.00",
              "updated": base["found"]}
    return {**base, **person, **changes}


def _edit(folder: Path, key: str, **changes: str) -> None:
    """The coordinator edits recovery.csv (as a spreadsheet saves it: no BOM)."""
    rows = _rows(folder)
    for row in rows:
        if row["key"] == key:
            row.update(changes)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    (folder / "recovery.csv").write_text(out.getvalue(), encoding="utf-8")


def test_three_runs_keep_every_edit_and_lose_nothing(client: Path, tmp_path: Path) -> None:
    """Run 1 finds two lines; a person's edits; run 2 adds A3 and a workbook edit is
    imported; run 3 recovers A1: each file as worked by hand."""
    output = _run(client, "2026-11-01")
    assert output.splitlines()[0] == ("2 items to recover (open or appealed) ($705.00), as "
                                      "of November 1, 2026; 2 new")
    assert _rows(client) == [_row(KEY_A1), _row(KEY_A2)]

    _edit(client, KEY_A1, owner="Maria")
    _edit(client, KEY_A2, status="appealed", notes="called 11/3, =ref 55")

    (client / "era" / "r2.835").write_bytes(_era(2))
    _run(client, "2026-11-20")
    after_two = [_row(KEY_A1, owner="Maria"),
                 _row(KEY_A2, status="appealed", notes="called 11/3, =ref 55"),
                 _row(KEY_A3)]
    assert _rows(client) == after_two

    # The same edit in the workbook's Worklist, taken back into the file.
    book_path = tmp_path / "hand-worked.xlsx"
    result = CliRunner().invoke(cli, ["analyze", str(client), "-o", str(book_path),
                                      "--date", "2026-11-20"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(book_path)
    sheet = book["Worklist"]
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[header.index("Key")].value == KEY_A3:
            row[header.index("Owner")].value = "Devon"
            row[header.index("Notes")].value = "resubmit with x-ray"
    book.save(book_path)
    result = CliRunner().invoke(cli, ["worklist", "import", str(book_path), "--client",
                                      str(client), "--date", "2026-11-21"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{client / 'recovery.csv'}: 1 row changed of 3 rows in the workbook\n"
    after_import = after_two[:2] + [_row(KEY_A3, owner="Devon", notes="resubmit with x-ray",
                                         updated="2026-11-21")]
    assert _rows(client) == after_import

    (client / "era" / "r3.835").write_bytes(_era(3))
    output = _run(client, "2026-12-05")
    assert output.splitlines()[0] == ("2 items to recover (open or appealed) ($710.00), as "
                                      "of December 5, 2026; 1 recovered")
    assert _rows(client) == [_row(KEY_A1, owner="Maria", status="recovered", recovered="5.00",
                                  updated="2026-12-05")] + after_import[1:]


def test_what_it_comes_to_in_json_and_the_workbook(client: Path, tmp_path: Path) -> None:
    """On 2026-12-20, after run 2 with A2 appealed: open 15.00 (A1 5 + A3 10), appealed
    700.00; the two deadlines of 2027-01-13 fall within 30 days (to 2027-01-19), A3's
    2027-02-08 does not (analyze --json)."""
    import json

    _run(client, "2026-11-01")
    _edit(client, KEY_A2, status="appealed")
    (client / "era" / "r2.835").write_bytes(_era(2))
    result = CliRunner().invoke(cli, ["analyze", str(client), "--json", "--date",
                                      "2026-12-20"])
    assert result.exit_code == 0, result.output
    (payer,) = json.loads(result.output)["worklist"]["payers"]
    assert payer == {"payer": "Alpha Dental (PPO)", "items": 3, "open": 2, "open_amount": 15.0,
                     "appealed": 1, "appealed_amount": 700.0, "recovered": 0,
                     "recovered_amount": 0.0, "written_off": 0, "written_off_amount": 0.0,
                     "dismissed": 0, "due_soon": 2, "due_soon_amount": 705.0,
                     "past_deadline": 0}


@pytest.mark.usefixtures("needs_libreoffice")
def test_the_workbook_worklist_and_summary_recalculate(client: Path, tmp_path: Path) -> None:
    """The Worklist sheet, nearest deadline first, and the Summary's worklist block as
    LibreOffice recalculates them: open 15.00, appealed 700.00, 2 deadlines within 30
    days of 2026-12-20."""
    from libreoffice import recalculate, values

    _run(client, "2026-11-01")
    _edit(client, KEY_A2, status="appealed")
    (client / "era" / "r2.835").write_bytes(_era(2))
    book_path = tmp_path / "book.xlsx"
    result = CliRunner().invoke(cli, ["analyze", str(client), "-o", str(book_path),
                                      "--date", "2026-12-20"])
    assert result.exit_code == 0, result.output
    book = values(recalculate(book_path, tmp_path))
    summary = book["Summary"]
    assert [summary[f"B{row}"].value for row in range(20, 25)] == [15, 700, 0, 0, 2]
    sheet = book["Worklist"]
    assert [sheet[f"A{row}"].value for row in (4, 5, 6)] == ["2027-01-13", "2027-01-13",
                                                             "2027-02-08"]
    assert [sheet[f"O{row}"].value for row in (4, 5, 6)] == [5, 700, 10]


BAD_EDITS = [
    ("status", {"status": "pending"},
     "row 2: status 'pending' is not one of open, appealed, recovered, written off, "
     "dismissed: write one of them"),
    ("date", {"deadline": "13/45/2026"},
     "row 2: deadline '13/45/2026' is not a date: write it as YYYY-MM-DD (e.g. 2026-12-01), "
     "or leave it empty"),
]


@pytest.mark.parametrize(("what", "change", "message"), BAD_EDITS, ids=[b[0] for b in BAD_EDITS])
def test_a_bad_edit_is_refused_and_the_file_kept(client: Path, what: str, change: dict,
                                                 message: str) -> None:
    """A status not in the list, a date that is not one: one Error naming the row and
    the fix; recovery.csv byte for byte as it was."""
    _run(client, "2026-11-01")
    _edit(client, KEY_A1, **change)
    before = (client / "recovery.csv").read_bytes()
    result = CliRunner().invoke(cli, ["worklist", str(client), "--date", "2026-11-02"])
    assert result.exit_code == 1
    assert result.output == f"Error: {client / 'recovery.csv'}: {message}\n"
    assert (client / "recovery.csv").read_bytes() == before


def test_a_duplicated_key_is_refused(client: Path) -> None:
    """A row copied: the Error names both rows."""
    _run(client, "2026-11-01")
    path = client / "recovery.csv"
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["worklist", str(client), "--date", "2026-11-02"])
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: row 4: the key {KEY_A1!r} is also on row 2: "
                             "one row per line; delete the copy you made\n")
    assert path.read_bytes() == before


def test_a_deleted_row_is_refused(client: Path) -> None:
    """A row deleted: the Error names the line and where xlfees keeps the last copy."""
    _run(client, "2026-11-01")
    path = client / "recovery.csv"
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["worklist", str(client), "--date", "2026-11-02"])
    assert result.exit_code == 1
    last = client / ".xlfees" / "recovery-last.csv"
    assert result.output == (f"Error: {path}: the row for {KEY_A1!r} (row 2 when xlfees last "
                             f"wrote it) is gone: rows are never deleted; put it back from "
                             f"{last}, or set its status to dismissed\n")
    assert path.read_bytes() == before


def test_packets_one_per_payer_with_open_lines(client: Path, tmp_path: Path) -> None:
    """Run 2's three open lines: one packet (PDF and docx) for Alpha, its total 715.00 the
    worklist's, the contract number in the cover letter; the lines marked appealed."""
    import pdfplumber
    from docx import Document

    (client / "era" / "r2.835").write_bytes(_era(2))
    _run(client, "2026-11-20")
    out = tmp_path / "appeals"
    result = CliRunner().invoke(cli, ["worklist", "packets", str(client), "-o", str(out),
                                      "--date", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "Alpha Dental (PPO) - appeal packet.docx", "Alpha Dental (PPO) - appeal packet.pdf"]
    with pdfplumber.open(out / "Alpha Dental (PPO) - appeal packet.pdf") as pdf:
        cover = " ".join(pdf.pages[0].extract_text().split())   # its lines joined
        lines = "\n".join(page.extract_text() for page in pdf.pages[1:])
    assert "under our contract AD-PPO-1123" in cover
    assert ("2 lines allowed below the contracted fee and 1 line denied, $715.00 in all"
            in cover)
    assert "PA2 A2 10/01/2026 D2740 $1,000.00 $0.00 $700.00 $700.00 CO-29 R1" in lines
    assert "Total $715.00" in lines
    document = Document(out / "Alpha Dental (PPO) - appeal packet.docx")
    table = document.tables[0]
    assert [c.text for c in table.rows[-1].cells][7] == "$715.00"
    assert {row["status"] for row in _rows(client)} == {"appealed"}
    assert {row["updated"] for row in _rows(client)} == {"2026-11-22"}
    # Nothing left open: a second call writes nothing.
    again = CliRunner().invoke(cli, ["worklist", "packets", str(client), "-o", str(out),
                                     "--date", "2026-11-23"])
    assert again.output == "No open lines: no packet written.\n"


def test_two_runs_at_once_never_lose_an_edit(client: Path) -> None:
    """A run that finds the worklist locked waits for it, then merges over what the other
    wrote; a person's save between a run's read and write makes it merge again."""
    from xlfees.deliverables.worklist import update_worklist

    _run(client, "2026-11-01")
    (client / "era" / "r2.835").write_bytes(_era(2))
    analysis = analyze(load_client(client))
    done: list[object] = []
    with recovery.locked(client):
        worker = threading.Thread(target=lambda: done.append(
            update_worklist(client, analysis, date(2026, 11, 20))))
        worker.start()
        time.sleep(0.5)
        assert not done          # waiting for the lock
        _edit(client, KEY_A1, owner="Maria")   # the other holder writes meanwhile
    worker.join(10)
    assert done
    rows = {row["key"]: row for row in _rows(client)}
    assert rows[KEY_A1]["owner"] == "Maria" and KEY_A3 in rows


def test_an_edit_saved_while_a_run_merges_is_kept(client: Path) -> None:
    """The file changes between the run's read and its write: the run reads it again and
    merges over the edit."""
    from xlfees.deliverables import worklist as module

    _run(client, "2026-11-01")
    calls = []

    def change(items):
        calls.append(len(items))
        if len(calls) == 1:
            _edit(client, KEY_A2, notes="saved while the run merged")
        return items, None
    module._update(client, change)
    assert len(calls) == 2
    assert {row["key"]: row["notes"] for row in _rows(client)}[KEY_A2] == \
        "saved while the run merged"


def test_a_lock_held_too_long_is_a_clear_error(client: Path) -> None:
    """Another run holding the lock past the wait: one Error saying what to do."""
    from xlfees.deliverables.worklist import update_worklist
    from xlfees.sources.recovery import WorklistError

    analysis = analyze(load_client(client))
    with recovery.locked(client):
        with pytest.raises(WorklistError) as raised:
            update_worklist(client, analysis, date(2026, 11, 1), wait=0.2)
    import os
    assert str(raised.value) == (
        f"{client / 'recovery.csv'}: another xlfees run (process {os.getpid()}) is updating "
        "it and still was after 0.2 s: let it finish and run again")


def test_a_folder_without_a_worklist_is_left_alone(client: Path, tmp_path: Path) -> None:
    """`analyze` and `batch` write no recovery.csv into a folder that keeps none, unless
    asked (--worklist)."""
    out = tmp_path / "book.xlsx"
    assert CliRunner().invoke(cli, ["analyze", str(client), "-o", str(out)]).exit_code == 0
    assert not (client / "recovery.csv").exists()
    result = CliRunner().invoke(cli, ["analyze", str(client), "-o", str(out), "--worklist",
                                      "--date", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert [row["key"] for row in _rows(client)] == [KEY_A1, KEY_A2]


def test_the_batch_index_and_the_owners_email_show_it(client: Path, tmp_path: Path) -> None:
    """`batch --worklist`: the index's "Open to recover" (705.00) and "Appeal deadlines in
    30 days" (2, on 2027-01-01), and the owner's e-mail the figures by payer."""
    import email
    from email import policy

    toml = client / "client.toml"
    toml.write_text('owner_email = "owner@hand-worked.example"\n' + toml.read_text())
    clients = tmp_path / "clients"
    clients.mkdir()
    client.rename(clients / "hand-worked")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(out), "--jobs", "1",
                                      "--worklist", "--date", "2027-01-01"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / "index.xlsx")["Clients"]
    row = dict(zip([c.value for c in sheet[1]], (c.value for c in sheet[2])))
    assert (row["Open to recover"], row["Appeal deadlines in 30 days"]) == (705, 2)
    sent = CliRunner().invoke(cli, ["send", str(out), "--from", "pat@consult.example"])
    assert sent.exit_code == 0, sent.output
    message = email.message_from_bytes((out / "outbox" / "hand-worked.eml").read_bytes(),
                                       policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("Recovery worklist, by payer:\n- Alpha Dental (PPO): $705.00 open, $0.00 "
            "appealed, $0.00 recovered, $0.00 written off; 2 appeal deadlines in the next "
            "30 days\n") in text


def _import(book_path: Path, client: Path, day: str = "2026-11-21"):
    return CliRunner().invoke(cli, ["worklist", "import", str(book_path), "--client",
                                    str(client), "--date", day])


def _workbook(client: Path, path: Path, day: str) -> Path:
    result = CliRunner().invoke(cli, ["analyze", str(client), "-o", str(path), "--date", day])
    assert result.exit_code == 0, result.output
    return path


def _set_in_workbook(path: Path, key: str, **values: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Worklist"]
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[header.index("Key")].value == key:
            for name, value in values.items():
                row[header.index(name)].value = value
    book.save(path)


def test_an_older_workbook_changes_only_what_was_changed_in_it(client: Path,
                                                              tmp_path: Path) -> None:
    """A workbook written before the file moved on: importing it takes the one owner set
    in it, and leaves the appeal and note made in the file since; a field changed in
    both places is refused, the file kept."""
    _run(client, "2026-11-01")
    book = _workbook(client, tmp_path / "old.xlsx", "2026-11-01")
    _edit(client, KEY_A2, status="appealed", notes="called 11/3")
    _set_in_workbook(book, KEY_A1, Owner="Devon")
    result = _import(book, client)
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in _rows(client)}
    assert (rows[KEY_A1]["owner"], rows[KEY_A1]["updated"]) == ("Devon", "2026-11-21")
    assert (rows[KEY_A2]["status"], rows[KEY_A2]["notes"]) == ("appealed", "called 11/3")
    _set_in_workbook(book, KEY_A2, Status="written off")
    before = (client / "recovery.csv").read_bytes()
    result = _import(book, client)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {book}: Worklist row 5: status is 'written off' here, but "
        f"{client / 'recovery.csv'} changed it to 'appealed' since this workbook was written: "
        "set it in the file, or write a fresh workbook (xlfees analyze) and edit that\n")
    assert (client / "recovery.csv").read_bytes() == before


def test_a_persons_columns_are_kept_and_a_spreadsheets_rewrites_undone(client: Path) -> None:
    """A column added after the last stays; a claim number a spreadsheet turned into
    9.87654E+11 is xlfees' figure, put back from its last copy."""
    _run(client, "2026-11-01")
    path = client / "recovery.csv"
    rows = _rows(client)
    for row in rows:
        row["follow_up"] = "call Friday" if row["key"] == KEY_A1 else ""
        row["claim"] = "9.87654E+11"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    _run(client, "2026-11-02")
    rows = {row["key"]: row for row in _rows(client)}
    assert rows[KEY_A1]["follow_up"] == "call Friday" and rows[KEY_A2]["follow_up"] == ""
    assert (rows[KEY_A1]["claim"], rows[KEY_A2]["claim"]) == ("PA1", "PA2")


def test_lines_are_found_again_however_a_claim_is_reprocessed(handworked_dir: Path,
                                                              tmp_path: Path) -> None:
    """A line without a service date keeps one key (never doubled); a reprocessed claim
    that lists only its second line recovers that line, not the first; a denial with
    a PR adjustment owes the contracted amount (not a negative); a line paid in full by
    a later remittance before any run is kept, recovered."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "era").mkdir()
    first = Payment("ALPHA DENTAL", [
        Claim("B1", [Line("D0120", 60, 28, allowed=35, adjustments=[("CO", "45", 25)]),
                     Line("D2391", 250, 120, allowed=150, adjustments=[("CO", "45", 100)])]),
        Claim("B2", [Line("D2391", 250, 0, adjustments=[("PR", "204", 250)])]),
        Claim("B3", [Line("D2140", 150, 0, allowed=0, adjustments=[("CO", "29", 150)])])],
        paid_on=date(2026, 10, 15), trace="F1")
    data = remittance([first]).replace(b"DTM*472*20261001~", b"", 1)   # B1's D0120: no date
    (folder / "era" / "f1.835").write_bytes(data)
    later = Payment("ALPHA DENTAL", [
        Claim("B1", [Line("D2391", 250, 128, allowed=160, adjustments=[("CO", "45", 90)])]),
        Claim("B3", [Line("D2140", 150, 80, allowed=100, adjustments=[("CO", "45", 50)])])],
        paid_on=date(2026, 11, 1), trace="F2")
    (folder / "era" / "f2.835").write_bytes(remittance([later]))
    for day in ("2026-11-05", "2026-11-06"):
        _run(folder, day)
    rows = {row["key"]: row for row in _rows(folder)}
    assert sorted(rows) == ["Alpha Dental (PPO) | B1 | D0120 | no date",
                            "Alpha Dental (PPO) | B1 | D2391 | 2026-10-01",
                            "Alpha Dental (PPO) | B2 | D2391 | 2026-10-01",
                            "Alpha Dental (PPO) | B3 | D2140 | 2026-10-01"]
    assert rows["Alpha Dental (PPO) | B1 | D0120 | no date"]["status"] == "open"
    recovered = rows["Alpha Dental (PPO) | B1 | D2391 | 2026-10-01"]
    assert (recovered["status"], recovered["recovered"]) == ("recovered", "10.00")
    denied = rows["Alpha Dental (PPO) | B2 | D2391 | 2026-10-01"]
    assert (denied["kind"], denied["difference"]) == ("denied", "160.00")
    paid_later = rows["Alpha Dental (PPO) | B3 | D2140 | 2026-10-01"]
    assert (paid_later["status"], paid_later["recovered"]) == ("recovered", "100.00")


def test_packets_written_into_the_client_folder_are_not_read_as_inputs(client: Path) -> None:
    """`packets -o CLIENT/appeals`: the next run reads the folder as before."""
    _run(client, "2026-11-01")
    result = CliRunner().invoke(cli, ["worklist", "packets", str(client), "-o",
                                      str(client / "appeals"), "--date", "2026-11-02"])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(cli, ["worklist", "--json", str(client), "--date", "2026-11-03"])
    assert again.exit_code == 0, again.output
    assert again.output.startswith('{\n  "day": "2026-11-03"')
