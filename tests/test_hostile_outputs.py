"""Hostile text reaching the files a person opens (issue 25, items 4, 5, 12, 16).

Every text field of a CSV/TXT xlfees writes is made inert for a spreadsheet (OWASP's
CSV-injection advice: a leading apostrophe before =, +, -, @, tab, CR) and reads back
unchanged through xlfees; names that become file names are made safe; no input text
becomes a formula in a workbook.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from xlfees.cli import cli
from xlfees.csvtext import FORMULA_START, csv_bytes, neutralised, restored
from xlfees.readers import read_schedule

HANDWORKED = Path(__file__).parent / "data" / "clients" / "handworked"
EXAMPLES = Path(__file__).parent.parent / "examples"
FORMULA = '=HYPERLINK("http://x.example","FZQ")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-5", "@SUM(A1)", "\tx", "\rx", "'=x",
                                  "plain", "", "'plain", "D2391"])
def test_neutralised_then_restored_is_the_same_text(text: str) -> None:
    """What xlfees writes, it reads back as it was; formula starts never lead a field."""
    written = neutralised(text)
    assert not written.startswith(FORMULA_START)
    assert restored(written) == text


def test_a_written_csv_reads_back_unchanged(tmp_path: Path) -> None:
    """A schedule CSV with formula-like payer names, written and read by xlfees."""
    path = tmp_path / "schedules.csv"
    path.write_bytes(csv_bytes(["payer", "network", "code", "allowed"],
                               [("=Delta", "-PPO", "D0120", "40.00"),
                                ("@Cigna", "", "D0120", "38.00")]))
    raw = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert raw[1][:2] == ["'=Delta", "'-PPO"] and raw[2][0] == "'@Cigna"
    read = read_schedule(path)
    assert sorted((r["payer"], r["network"], r["allowed"]) for r in read.rows) == [
        ("=Delta", "-PPO", 40.0), ("@Cigna", "", 38.0)]


def test_proposed_fee_import_files_hold_no_formula(tmp_path: Path) -> None:
    """An office-fee description that is a formula: the Open Dental import file starts
    that field with an apostrophe; no field of any import file starts a formula."""
    folder = tmp_path / "client"
    shutil.copytree(HANDWORKED, folder)
    rows = list(csv.reader(io.StringIO((folder / "office_fees.csv").read_text("utf-8"))))
    for row in rows:
        if row[0] == "D2740":
            row[1] = FORMULA
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (folder / "office_fees.csv").write_text(buffer.getvalue(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["letters", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    imports = [p for p in (tmp_path / "out").rglob("*") if p.suffix in (".txt", ".csv")]
    assert imports
    seen = False
    for path in imports:
        delimiter = "\t" if path.suffix == ".txt" else ","
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")),
                              delimiter=delimiter):
            assert not any(field.startswith(FORMULA_START) for field in row), (path, row)
            seen |= any(field == "'" + FORMULA for field in row)
    assert seen, "the description is written, made inert"


def test_a_group_named_as_a_formula_is_text_and_a_safe_file_name(tmp_path: Path) -> None:
    """group = '=HYPERLINK(…)': the roll-up's file name starts with a letter, and no
    formula of any workbook holds the name."""
    clients = tmp_path / "clients"
    for name in ("cascade-downtown", "cascade-eastside"):
        shutil.copytree(EXAMPLES / name, clients / name)
        toml = clients / name / "client.toml"
        # A TOML literal string: the name exactly as written, quotes and all.
        toml.write_text(re.sub(r"(?m)^group = .*$", lambda _: f"group = '{FORMULA}'",
                               toml.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rollups = [p for p in out.glob("*.xlsx") if p.name.startswith("HYPERLINK")]
    assert [p.name for p in rollups] == ["HYPERLINK( http x.example , FZQ ).xlsx"]
    assert not any(p.name.startswith(FORMULA_START) for p in out.rglob("*"))
    for book in out.glob("*.xlsx"):
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = archive.read(name).decode("utf-8")
                    assert not re.search(r"<f>[^<]*HYPERLINK", xml), (book.name, name)
    # The Payers heading, as Excel reads it back: a text cell, the name in it whole.
    payers = openpyxl.load_workbook(rollups[0])["Payers"]["A1"]
    assert payers.data_type == "s"
    assert payers.value == f"{FORMULA}: each payer across the locations"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab ,\"D0"), max_size=8))
def test_any_text_survives_the_guard(text: str) -> None:
    """Property: restored(neutralised(t)) == t, and the written form never starts a formula."""
    assert restored(neutralised(text)) == text
    assert not neutralised(text).startswith(FORMULA_START)
