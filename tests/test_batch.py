"""`xlfees batch`: many clients, one broken never stops the others, nothing half-written."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlfees.cli import cli

ROOT = Path(__file__).parent.parent
READERS = Path(__file__).parent / "data" / "readers"


@pytest.fixture
def clients(handworked_dir: Path, tmp_path: Path) -> Path:
    """Two good clients and three broken ones."""
    folder = tmp_path / "clients"
    folder.mkdir()
    shutil.copytree(handworked_dir, folder / "alpha-good")
    shutil.copytree(ROOT / "examples" / "smile-studio", folder / "beta-good")
    shutil.copytree(handworked_dir, folder / "damaged-file")
    (folder / "damaged-file" / "payers").mkdir()
    (folder / "damaged-file" / "payers" / "cigna.xlsx").write_bytes(b"PK\x03\x04broken")
    shutil.copytree(handworked_dir, folder / "bad-toml")
    (folder / "bad-toml" / "client.toml").write_text("[payer_shares]\nDelta = 1.7\n")
    (folder / "no-schedules").mkdir()
    shutil.copy(handworked_dir / "office_fees.csv", folder / "no-schedules")
    (folder / ".hidden").mkdir()
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_broken_clients_never_stop_the_others(clients: Path, tmp_path: Path) -> None:
    """Exit 1; the good clients' workbooks are written; the summary says what failed and why."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    summary = result.output[result.output.index("5 clients:"):]
    assert summary == (
        f"5 clients: 2 written, 3 failed. Index: {out / 'index.xlsx'}\n"
        "Failed:\n"
        f"  bad-toml: {clients / 'bad-toml' / 'client.toml'}: setting 'payer_shares.Delta' is "
        "1.7; use a fraction between 0 and 1 (0.8 = 80 %)\n"
        "  damaged-file: payers/cigna.xlsx: is a damaged workbook (not a readable zip); open "
        "it in Excel and save it again\n"
        f"  no-schedules: {clients / 'no-schedules'}: no payer schedules found: put each "
        "payer's schedule in payers/, or pin a file in client.toml with role = \"schedule\"\n")
    assert sorted(p.name for p in out.iterdir()) == ["alpha-good.xlsx", "beta-good.xlsx",
                                                     "index.xlsx", "xlfees-batch.json"]
    lines = result.output.splitlines()
    assert lines[0] == (f"[1/5] ok      alpha-good → {out / 'alpha-good.xlsx'} (4 payers, "
                        + lines[0].split("(4 payers, ")[1])
    assert lines[3].startswith("[4/5] FAILED  damaged-file: payers/cigna.xlsx: is a damaged")


def test_index_lists_every_client(clients: Path, tmp_path: Path) -> None:
    """index.xlsx has one row per client, failures included, with a link to each workbook."""
    out = tmp_path / "out"
    CliRunner().invoke(cli, ["batch", str(clients), "-o", str(out), "--jobs", "1"])
    sheet = openpyxl.load_workbook(out / "index.xlsx")["Clients"]
    headers = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(headers, row)) for row in sheet.iter_rows(min_row=2)}
    assert sorted(rows) == ["Hand-worked Dental", "Smile Studio Family Dentistry", "bad-toml",
                            "damaged-file", "no-schedules"]
    good = rows["Hand-worked Dental"]
    assert [good[h].value for h in ("Status", "Payers", "Codes")] == ["ok", 4, 5]
    # The hand-worked write-off: 10500 + 5080 + 2200 + 720
    assert good["Annual write-off"].value == pytest.approx(18500)
    # Each payer's ask package: Alpha 10 × 100 + 50 × 15 + 100 × 4, Delta 60 × 4
    assert good["Value of the ask by payer"].value == (
        "Alpha Dental (PPO) $2,150.00; Beta Health $0.00; Delta Care (PDP) $240.00; "
        "Gamma Plan (PPO) $0.00")
    assert good["Won this round"].value is None   # no schedule with two dates
    assert good["Top target"].value == "Alpha Dental (PPO) D2740"
    assert good["Top target value"].value == 1000
    assert good["Workbook"].hyperlink.target == "alpha-good.xlsx"
    assert rows["bad-toml"]["Status"].value == "failed"
    assert "payer_shares.Delta" in rows["bad-toml"]["Error"].value


def test_all_good_exits_zero(handworked_dir: Path, tmp_path: Path) -> None:
    """Every client written: exit 0 and the closing line."""
    folder = tmp_path / "clients"
    shutil.copytree(handworked_dir, folder / "one")
    shutil.copytree(ROOT / "examples" / "lakeside-dental", folder / "two")
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (f"2 clients: 2 written, 0 failed. Index: "
                                              f"{tmp_path / 'out' / 'index.xlsx'}")


@pytest.mark.parametrize(("arguments", "message"), [
    (["batch", "{empty}", "-o", "{out}"], "holds no client folders"),
    (["batch", "{empty}"], "Missing option '-o' / '--output'"),
    (["batch", "{empty}", "-o", "{out}", "--jobs", "0"], "0 is not in the range x>=1"),
    (["batch", "{missing}", "-o", "{out}"], "does not exist"),
])
def test_usage_errors_exit_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    """Usage errors exit with status 2 and say what is wrong."""
    (tmp_path / "empty").mkdir()
    names = {"empty": tmp_path / "empty", "out": tmp_path / "out",
             "missing": tmp_path / "missing"}
    result = CliRunner().invoke(cli, [a.format(**names) for a in arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_output_folder_inside_the_clients_folder_is_not_a_client(handworked_dir: Path,
                                                                 tmp_path: Path) -> None:
    """`xlfees batch clients -o clients/out` twice: out is never taken for a client."""
    folder = tmp_path / "clients"
    shutil.copytree(handworked_dir, folder / "one")
    for _ in range(2):
        result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(folder / "out")])
        assert result.exit_code == 0, result.output
        assert "1 client: 1 written" in result.output


def test_jobs_1_and_jobs_2_write_identical_files(tmp_path: Path) -> None:
    """Parallel or not, every workbook and the index are byte for byte the same."""
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = CliRunner().invoke(cli, ["batch", str(ROOT / "examples"), "-o", str(out),
                                          "--jobs", jobs])
        assert result.exit_code == 0, result.output
        outputs.append(_digests(out))
    assert outputs[0] == outputs[1]
    clients = ["cascade-downtown", "cascade-eastside", "cascade-northgate", "lakeside-dental",
               "riverbend-family-dental", "smile-studio"]
    groups = {"Cascade Dental Partners": ["aetna-ppo", "cigna-dppo", "delta-dental-ppo",
                                          "metlife-pdp-plus"],
              "Willamette Dental Partners": [
                  "aetna-ppo", "ameritas-dental-ppo", "cigna-dppo", "delta-dental-ppo",
                  "delta-dental-premier", "guardian-dentalguard-preferred", "metlife-pdp-plus",
                  "united-concordia"]}
    assert sorted(outputs[0]) == sorted(
        ["index.xlsx", "xlfees-batch.json"] + [f"{c}.xlsx" for c in clients]
        + [f"{g}.xlsx" for g in groups]
        + [f"{g}/network-value-{p}.pdf" for g, payers in groups.items() for p in payers])


def test_sigterm_mid_run_leaves_no_partial_file(tmp_path: Path) -> None:
    """SIGTERM while workers write: exit 130, only whole workbooks, no temporary files."""
    folder = tmp_path / "clients"
    for number in range(80):
        shutil.copytree(ROOT / "examples" / "riverbend-family-dental",
                        folder / f"client-{number:02d}")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "xlfees", "batch", str(folder), "-o", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    written = 0
    assert process.stdout is not None
    for line in process.stdout:
        written += " ok " in line
        if written == 3:
            process.send_signal(signal.SIGTERM)
            break
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert "Interrupted" in errors
    names = sorted(p.name for p in out.iterdir())
    assert names and not any(n.startswith(".") or n.endswith(".partial") for n in names)
    assert "index.xlsx" not in names
    assert 3 <= len(names) < 80
    for name in names:
        with zipfile.ZipFile(out / name) as archive:
            assert archive.testzip() is None
        assert openpyxl.load_workbook(out / name, read_only=True).sheetnames[0] == "Summary"


def test_index_keeps_formula_like_names_as_text(handworked_dir: Path, tmp_path: Path) -> None:
    """A client named '=HYPERLINK(…)' is a string in index.xlsx, not a formula."""
    folder = tmp_path / "clients"
    shutil.copytree(handworked_dir, folder / "odd")
    (folder / "odd" / "client.toml").write_text('name = "=HYPERLINK(\\"http://x\\",\\"y\\")"\n')
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "index.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    cell = openpyxl.load_workbook(tmp_path / "out" / "index.xlsx")["Clients"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_index_links_are_uris(handworked_dir: Path, tmp_path: Path) -> None:
    """Client folders named with %, &, [ ] and #: each link percent-encoded, and it names
    its own workbook (not "Smith " for "Smith #2 Dental")."""
    from urllib.parse import unquote

    clients = tmp_path / "clients"
    names = ["50% Family Dental", "A&B [Dental]", "Smith #2 Dental"]
    for name in names:
        shutil.copytree(handworked_dir, clients / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / "index.xlsx")["Clients"]
    column = [cell.value for cell in sheet[1]].index("Workbook")
    targets = sorted(row[column].hyperlink.target for row in sheet.iter_rows(min_row=2))
    assert targets == ["50%25%20Family%20Dental.xlsx", "A%26B%20%5BDental%5D.xlsx",
                       "Smith%20%232%20Dental.xlsx"]
    assert all((out / unquote(target)).is_file() for target in targets)


@pytest.mark.usefixtures("needs_libreoffice")
def test_the_index_of_six_clients_prints_on_two_pages_at_most(tmp_path: Path) -> None:
    """The six example clients' index, printed by LibreOffice: at most 2 pages, landscape,
    no text below 7 pt."""
    import pdfplumber

    from libreoffice import to_pdf

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(ROOT / "examples"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [printed] = to_pdf([out / "index.xlsx"], tmp_path)
    with pdfplumber.open(printed) as pdf:
        assert 1 <= len(pdf.pages) <= 2
        assert all(page.width > page.height for page in pdf.pages)
        sizes = [char["size"] for page in pdf.pages for char in page.chars]
        assert sizes and min(sizes) >= 7.0, min(sizes)
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Riverbend Family Dental" in text and "Value of the" in text


@pytest.mark.parametrize(("target", "link"), [
    ("A", "A"), ("A.xlsx", "A.xlsx"), ("Smith #2 Dental.xlsx", "Smith%20%232%20Dental.xlsx"),
    ("50% Family Dental", "50%25%20Family%20Dental")])
def test_links_beside_the_index_are_relative_uris(target: str, link: str,
                                                  tmp_path: Path) -> None:
    """A link to a file or folder beside the index, a one-letter group's included: a
    relative URI, percent-encoded."""
    from xlfees.workbook import fresh

    book = fresh.Book()
    sheet = book.sheet("Links")
    fresh.write_link(sheet, 0, 0, target, book.format(underline=1))
    path = book.save(tmp_path / "links.xlsx")
    cell = openpyxl.load_workbook(path)["Links"]["A1"]
    assert (cell.value, cell.hyperlink.target) == (target, link)
