"""The ribbon's actions through the workbook adapter: the same workbook as the batch."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import xlwings_standin
from era_make import Claim, Line, Payment, remittance
from libreoffice import formula_cells, recalculate, same, values
from xlfees import analyze, load_client, write_workbook
from xlfees.excel import actions, ribbon
from xlfees.excel.book import OpenpyxlBook
from xlfees.workbook import spec, template_path

ROOT = Path(__file__).parent.parent
EXAMPLES = ["smile-studio", "lakeside-dental", "riverbend-family-dental"]


def _cells(path: Path) -> dict[tuple[str, str], object]:
    book = openpyxl.load_workbook(path)
    return {(sheet.title, cell.coordinate): cell.value for sheet in book
            for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")}


def _ribbon_book(tmp_path: Path, client: Path) -> OpenpyxlBook:
    path = tmp_path / "coordinator.xlsx"
    shutil.copy(template_path(), path)
    book = OpenpyxlBook(path)
    book.book["Settings"]["B12"] = str(client)
    return book


@pytest.mark.parametrize("example", EXAMPLES)
def test_import_then_analyze_writes_what_the_batch_writes(example: str, tmp_path: Path) -> None:
    """Import + Analyze on a real workbook file: every input and formula equals the batch's."""
    client = ROOT / "examples" / example
    book = _ribbon_book(tmp_path, client)
    assert actions.import_schedules(book).startswith("Imported ")
    assert actions.analyze_book(book).startswith("Analysed ")
    ribbon_made = book.save()
    batch_made = write_workbook(analyze(load_client(client)), tmp_path / "batch.xlsx")
    ours, theirs = _cells(ribbon_made), _cells(batch_made)
    assert ours.pop(("Settings", "B12")) == str(client)   # the one cell the coordinator set
    assert ours == theirs


@pytest.mark.usefixtures("needs_libreoffice")
def test_ribbon_workbook_recalculates_to_the_batch_values(tmp_path: Path) -> None:
    """LibreOffice recalculating the ribbon-made workbook gets the batch's stored values."""
    client = ROOT / "examples" / "riverbend-family-dental"
    book = _ribbon_book(tmp_path, client)
    actions.import_schedules(book)
    actions.analyze_book(book)
    recalculated = values(recalculate(book.save(), tmp_path))
    batch_made = write_workbook(analyze(load_client(client)), tmp_path / "batch.xlsx")
    stored = formula_cells(batch_made)
    assert len(stored) > 1000   # every formula cell of a five-payer workbook
    differing = [(s, r, value, recalculated[s][r].value) for (s, r), (_, value) in stored.items()
                 if not same(value, recalculated[s][r].value)]
    assert differing == []


def test_edits_in_the_sheets_reach_the_analysis(tmp_path: Path) -> None:
    """A coordinator's new office fee and ask are what Analyze computes with."""
    book = _ribbon_book(tmp_path, ROOT / "tests" / "data" / "clients" / "handworked")
    actions.import_schedules(book)
    fees = book.book["Office Fees"]
    for row in fees.iter_rows(min_row=4):
        if row[0].value == "D2391":
            row[2].value = 300
    book.book["Settings"]["B4"] = "ask"     # the percentage, not up to the benchmark
    book.book["Settings"]["B5"] = 0.2
    client = actions.read_client(book)
    assert client.office_fees.set_index("code").loc["D2391", "office_fee"] == 300
    assert client.settings.ask == 0.2
    alpha = analyze(client).gaps.set_index(["payer", "code"]).loc[("Alpha Dental", "D2391")]
    assert alpha["gap"] == 140.0             # 300 − 160
    assert alpha["proposed"] == 192.0        # min(300, 160 × 1.2)


@pytest.mark.parametrize("example", EXAMPLES)
def test_xlwings_standin_gets_the_same_workbook(example: str, tmp_path: Path) -> None:
    """Through xlwings' Range API (a recorded stand-in) the sheets end up the same as on file."""
    client = ROOT / "examples" / example
    on_file = _ribbon_book(tmp_path, client)
    actions.import_schedules(on_file)
    actions.analyze_book(on_file)
    expected = _cells(on_file.save())

    path = tmp_path / "live.xlsx"
    shutil.copy(template_path(), path)
    live = xlwings_standin.Book(path)
    live.sheets["Settings"].cells[(12, 2)] = str(client)
    ribbon.dispatch("FeesImport", book=live)
    ribbon.dispatch("FeesAnalyze", book=live)
    got = {}
    for name in live.sheets:
        for (r, c), v in live.grid(name).items():
            got[(name, openpyxl.utils.get_column_letter(c) + str(r))] = v
    assert got == expected
    alerts = [call for call in live.calls if call[0] == "alert"]
    assert [a[2].split(" ")[0] for a in alerts] == ["Imported", "Analysed"]
    resized = {call[2]: call[3] for call in live.calls if call[0] == "resize"}
    targets = len(analyze(load_client(client)).targets)
    assert resized["Targets"] == (3, 1, 3 + targets, len(spec.TARGETS.columns))


def test_formula_like_text_reaches_excel_as_text(tmp_path: Path) -> None:
    """A description '=HYPERLINK(…)' is sent with Excel's text mark, never as a formula."""
    folder = tmp_path / "client"
    shutil.copytree(ROOT / "tests" / "data" / "clients" / "handworked", folder)
    fees = folder / "office_fees.csv"
    fees.write_text(fees.read_text().replace("Periodic oral evaluation",
                                             '"=HYPERLINK(""http://x"",""y"")"'))
    path = tmp_path / "live.xlsx"
    shutil.copy(template_path(), path)
    live = xlwings_standin.Book(path)
    live.sheets["Settings"].cells[(12, 2)] = str(folder)
    ribbon.dispatch("FeesImport", book=live)
    sent = [rows for call in live.calls if call[0] == "value" and call[1] == "Office Fees"
            for rows in call[3]]
    assert ["D0120", "'=HYPERLINK(\"http://x\",\"y\")", 60, None] in sent
    assert live.sheets["Office Fees"].cells[(4, 2)] == '=HYPERLINK("http://x","y")'


def test_errors_reach_the_user_as_an_alert(tmp_path: Path) -> None:
    """Analyze on an empty workbook: an Error alert, not a traceback."""
    path = tmp_path / "empty.xlsx"
    shutil.copy(template_path(), path)
    live = xlwings_standin.Book(path)
    ribbon.dispatch("FeesAnalyze", book=live)
    assert live.calls[-1] == ("alert", "xlfees", "Error: the Office Fees sheet is empty: run "
                              "Import schedules first, or type the office fees into its table")


def test_letters_and_pdf_buttons(tmp_path: Path) -> None:
    """Letters and Export PDF write the same files as `xlfees letters`, beside the workbook."""
    book = _ribbon_book(tmp_path, ROOT / "tests" / "data" / "clients" / "handworked")
    actions.import_schedules(book)
    message = actions.letters(book, day=date(2026, 11, 23))
    assert message == (f"Wrote 7 files to {tmp_path / 'letters'}. Beta Health: no letter: it "
                       "allows at least the benchmark on every code the practice performs for "
                       "it. Gamma Plan (PPO): no letter: it allows at least the benchmark on "
                       "every code the practice performs for it.")
    pdf = actions.export_pdf(book, day=date(2026, 11, 23))
    assert pdf == tmp_path / "Hand-worked Dental - fee schedule summary.pdf"
    assert pdf.read_bytes() == (tmp_path / "letters" / pdf.name).read_bytes()


def _client_after_a_round(handworked: Path, folder: Path) -> Path:
    """The hand-worked client after a round: Alpha's schedule of 2026-01-01 and the one
    effective 2026-07-01 (D2391 160 → 176), a group, and an ERA paying D2391 at 160 in
    June and at 160 and 176 in October."""
    shutil.copytree(handworked, folder)
    schedules = folder / "schedules.csv"
    header, *body = schedules.read_text().splitlines()
    schedules.write_text("\n".join([header + ",effective"] + [
        row + (",2026-01-01" if row.startswith("Alpha Dental") else ",") for row in body])
        + "\n")
    (folder / "payers").mkdir()
    (folder / "payers" / "alpha-2026-07.csv").write_text(
        "payer,network,code,allowed,effective\n"
        "Alpha Dental,PPO,D0120,42.00,2026-07-01\nAlpha Dental,PPO,D2391,176.00,2026-07-01\n")
    toml = folder / "client.toml"
    toml.write_text('group = "Cascade Dental Group"\n' + toml.read_text())
    (folder / "era").mkdir()
    (folder / "era" / "alpha.835").write_bytes(remittance([Payment(
        "ALPHA DENTAL INSURANCE CO",
        [Claim("J1", [Line("D2391", 250, 128, 160, [("CO", "45", 90), ("PR", "2", 32)],
                           service_date=date(2026, 6, 10))]),
         Claim("O1", [Line("D2391", 250, 128, 160, [("CO", "45", 90), ("PR", "2", 32)],
                           service_date=date(2026, 10, 2)),
                      Line("D2391", 250, 140.8, 176, [("CO", "45", 74), ("PR", "2", 35.2)],
                           service_date=date(2026, 10, 3))])],
        paid_on=date(2026, 10, 20), trace="7001")]))
    return folder


def test_ribbon_and_batch_agree_on_a_client_with_schedule_versions(handworked_dir: Path,
                                                                   tmp_path: Path) -> None:
    """Dated versions, a group and an ERA: Import + Analyze writes the batch's workbook,
    Changes rows and the October line held to the new amount (the June one to the old)."""
    client = _client_after_a_round(handworked_dir, tmp_path / "client")
    book = _ribbon_book(tmp_path, client)
    actions.import_schedules(book)
    actions.analyze_book(book)
    ours = _cells(book.save())
    analysis = analyze(load_client(client))
    theirs = _cells(write_workbook(analysis, tmp_path / "batch.xlsx"))
    assert ours.pop(("Settings", "B12")) == str(client)
    assert ours == theirs
    changed = {(sheet, ref): value for (sheet, ref), value in ours.items() if sheet == "Changes"}
    assert "D2391" in changed.values() and 176 in changed.values()
    assert analysis.monitoring is not None
    underpaid = analysis.monitoring.underpayments
    # era_make writes claim J1 as patient control number "PJ1"
    assert list(zip(underpaid["claim"], underpaid["code"])) == [("PO1", "D2391")]
    assert underpaid["contracted"].tolist() == [176.0]


def test_analyze_works_from_the_sheets_alone_in_any_folder(tmp_path: Path) -> None:
    """Imported, then Settings!B12 cleared: the workbook's own folder is no client folder
    (it holds only the workbook), and Analyze still runs on what the sheets hold."""
    book = _ribbon_book(tmp_path, ROOT / "tests" / "data" / "clients" / "handworked")
    actions.import_schedules(book)
    book.book["Settings"]["B12"] = None
    book.save()
    assert actions.analyze_book(book).startswith("Analysed 4 payer schedules")


def test_a_payer_renamed_in_the_sheet_does_not_come_back_from_the_folder(
        handworked_dir: Path, tmp_path: Path) -> None:
    """After a round, the coordinator renames Alpha Dental in the Schedules sheet: its older
    version in the folder is not read back as a payer of the old name."""
    client = _client_after_a_round(handworked_dir, tmp_path / "client")
    book = _ribbon_book(tmp_path, client)
    actions.import_schedules(book)
    sheet = book.book["Schedules"]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value == "Alpha Dental":
            row[0].value = "Alpha Dental Plan"
    read = actions.read_client(book)
    assert "Alpha Dental" not in set(read.schedules["payer"])
    assert "Alpha Dental Plan" in set(read.schedules["payer"])
    assert read.schedule_history is not None
    assert "Alpha Dental" not in set(read.schedule_history["payer"])
