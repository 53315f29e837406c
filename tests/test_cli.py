"""The command line, through Click's CliRunner: exit codes and exact messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import xlfees
from xlfees.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version_from_package_metadata(runner: CliRunner) -> None:
    """--version prints the installed distribution's version."""
    from importlib.metadata import version
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"xlfees, version {version('xlfees')}\n"
    assert xlfees.__version__ == version("xlfees")


def test_analyze_json_contract(runner: CliRunner, handworked_dir: Path) -> None:
    """--json prints exactly the DESIGN contract's keys, with the hand-worked figures."""
    result = runner.invoke(cli, ["analyze", str(handworked_dir), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert list(document) == ["client", "payers", "targets", "alt_benefits", "monitoring",
                              "changes", "paid_on", "realized", "asks", "worklist", "notes"]
    assert document["monitoring"] is None      # no era/ folder
    assert document["worklist"] is None        # the folder keeps no recovery.csv
    assert document["paid_on"] == document["realized"] == []
    assert document["changes"] is None         # no schedule in two dated versions
    assert document["client"] == "Hand-worked Dental"
    assert list(document["payers"][0]) == ["payer", "network", "codes", "missing_codes",
                                           "effective_rate", "annual_writeoff",
                                           "impact_at_ask", "volume_share",
                                           "break_even_retention", "alt_savings"]
    assert list(document["targets"][0]) == ["payer", "network", "code", "volume", "allowed",
                                            "office_fee", "benchmark", "shortfall",
                                            "priority", "proposed", "impact",
                                            "cumulative_share"]
    assert list(document["alt_benefits"][0]) == [
        "payer", "network", "code", "alt_code", "base", "alt_before", "alt_after",
        "coverage", "balance_before", "balance_after", "savings", "savings_pct", "volume",
        "annual_savings", "alt_source", "asked"]
    assert document["targets"][0] == {
        "payer": "Alpha Dental", "network": "PPO", "code": "D2740", "volume": 10.0,
        "allowed": 700.0, "office_fee": 1000.0, "benchmark": 800.0, "shortfall": 100.0,
        "priority": 1000.0, "proposed": 800.0, "impact": 1000.0,   # asked up to 800
        "cumulative_share": 0.4184}            # 1000 / 2390
    alpha = document["payers"][0]
    assert alpha == {"payer": "Alpha Dental", "network": "PPO", "codes": 5,
                     "missing_codes": [], "effective_rate": 0.6769,   # 22000 / 32500
                     "annual_writeoff": 10500.0, "impact_at_ask": 2150.0,   # its package
                     "volume_share": 0.4081,   # 162 of the 397 procedures
                     "break_even_retention": 0.7521,   # 0.6769… ÷ 0.9 (oon_collection)
                     "alt_savings": 600.0}   # D2391 50 × 0.8 × (115 − 100), asked
    assert {"file": "schedules.csv", "sheet": None, "row": 11, "text": "BR",
            "reason": "not an amount"} in document["notes"]


def test_analyze_summary(runner: CliRunner, handworked_dir: Path) -> None:
    """Without --json a readable summary lists each payer's rate and the top target."""
    result = runner.invoke(cli, ["analyze", str(handworked_dir)])
    assert result.exit_code == 0, result.output
    assert "Alpha Dental (PPO)" in result.output and "67.7%" in result.output
    assert "  1. Alpha Dental (PPO)           D2740" in result.output


def test_missing_required_file(runner: CliRunner, handworked_dir: Path,
                               tmp_path: Path) -> None:
    """A folder without any schedule: one Error line naming the folder and the fix, exit 1."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "schedules.csv").unlink()
    result = runner.invoke(cli, ["analyze", str(folder)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {folder}: no payer schedules found: put each payer's "
                             "schedule in payers/, or pin a file in client.toml with "
                             "role = \"schedule\"\n")


def test_bad_toml_key(runner: CliRunner, handworked_dir: Path, tmp_path: Path) -> None:
    """An unknown client.toml key is named, with the file."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text('[settings]\nask = 0.1\nbenchmark = "mean"\n')
    result = runner.invoke(cli, ["analyze", str(folder)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {folder / 'client.toml'}: setting 'settings.benchmark' "
                             "is 'mean'; use \"median\", \"max\", a percentile such as "
                             "\"p75\", \"external\", or a fee survey's column: "
                             "\"survey:p80\"\n")


def test_negative_fee_is_a_rejected_row_naming_file_and_row(runner: CliRunner,
                                                            handworked_dir: Path,
                                                            tmp_path: Path) -> None:
    """A negative office fee in a file is left out and named in the notes, like any bad row."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    fees = folder / "office_fees.csv"
    fees.write_text(fees.read_text().replace("D0120,Periodic oral evaluation,60.00",
                                             "D0120,Periodic oral evaluation,-60.00"))
    result = runner.invoke(cli, ["analyze", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert {"file": "office_fees.csv", "sheet": None, "row": 2, "text": "-60.00",
            "reason": "-60 is negative: not a fee"} in json.loads(result.output)["notes"]


def test_negative_fee_given_to_the_api_names_the_row() -> None:
    """Client.from_frames refuses a negative fee with the table and row to fix."""
    import pandas as pd

    from xlfees import Client, InputError
    office = pd.DataFrame({"code": ["D0120"], "description": ["exam"], "office_fee": [-60.0]})
    schedules = pd.DataFrame({"payer": ["P"], "code": ["D0120"], "allowed": [40.0]})
    with pytest.raises(InputError, match=r"office fees row 1: office_fee -60 is negative or "
                                         r"infinite; enter the amount as a positive number"):
        Client.from_frames("x", office, schedules)


def test_debug_shows_the_traceback(runner: CliRunner, tmp_path: Path) -> None:
    """--debug lets the exception through instead of the one-line error."""
    (tmp_path / "office_fees.csv").write_text("code,office_fee\nD0120,60\n")
    result = runner.invoke(cli, ["--debug", "analyze", str(tmp_path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, xlfees.ClientFolderError)


def test_not_a_folder_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist is a usage error (exit 2)."""
    result = runner.invoke(cli, ["analyze", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


READERS = Path(__file__).parent / "data" / "readers"


def test_inspect_summary(runner: CliRunner) -> None:
    """inspect prints role, payer, sheet, header row, columns, counts and each rejected row."""
    result = runner.invoke(cli, ["inspect", str(READERS / "metlife-pdp.xlsx")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "  role:       schedule",
        "  payers:     MetLife PDP Plus (4 codes)",
        "  read from:  sheet 'Fee Schedule', header row 3",
        "  columns:    code ← 'Code', description ← 'Description', allowed ← 'Allowance', "
        "alternate_sheet ← 'Alternate Benefits'",
        "  why:        code: header 'Code'; 100 % CDT codes",
        "              description: header 'Description'; 100 % text",
        "              allowed: header 'Allowance'; 100 % amounts",
        "  rows kept:  4",
        "  rejected:   1",
        "    Alternate Benefits row 4: 'D9999': alternate benefit for a code the schedule "
        "does not list",
        "  note:       sheet 'Read me' holds no table of CDT codes; not read",
    ]


def test_inspect_json_shape(runner: CliRunner) -> None:
    """--json has the DESIGN contract's keys; rows and rejected rows carry theirs."""
    result = runner.invoke(cli, ["inspect", str(READERS / "guardian_dentalguard.csv"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert list(document) == ["file", "role", "sheet", "header_row", "columns", "why", "rows",
                              "rejected"]
    assert document["why"] == {"Code": "code: header 'Code'; 100 % CDT codes",
                               "Description": "description: header 'Description'; 100 % text",
                               "Allowance": "allowed: header 'Allowance'; 100 % amounts"}
    assert document["columns"] == {"code": "Code", "description": "Description",
                                   "allowed": "Allowance"}
    assert document["rows"][0] == {"payer": "Guardian DentalGuard Preferred", "network": "",
                                   "code": "D0120", "allowed": 36.5, "alt_code": None,
                                   "alt_allowed": None, "effective": None, "sheet": None,
                                   "row": 3}
    assert document["rejected"] == [{"sheet": None, "row": 7, "text": "N/C",
                                     "reason": "not an amount"}]


def test_inspect_volume_rows(runner: CliRunner) -> None:
    """Volume files' rows carry code, payer and count."""
    result = runner.invoke(cli, ["inspect", str(READERS / "volume_by_carrier.csv"), "--json"])
    rows = json.loads(result.output)["rows"]
    assert rows[0] == {"code": "D0120", "payer": "Delta Dental PPO", "count": 120.0,
                       "sheet": None, "row": 3}


def test_inspect_ambiguous_file_and_role_option(runner: CliRunner, tmp_path: Path) -> None:
    """A generic Fee column with no name hint: Error with the fix; --role settles it."""
    prices = tmp_path / "prices.csv"
    prices.write_text("Code,Fee\nD0120,40\nD1110,70\n")
    result = runner.invoke(cli, ["inspect", str(prices)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {prices}: could be a payer schedule or the office's fees (its only amount "
        # the pin names the file as client.toml does, not by the path typed
        f"column has a generic name); say which in client.toml: [files.\"prices.csv\"] "
        "role = \"schedule\" (or \"office_fees\"), or pass inspect --role\n")
    result = runner.invoke(cli, ["inspect", str(prices), "--role", "office_fees", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["rows"][1] == {"code": "D1110", "description": "",
                                                    "office_fee": 70.0, "sheet": None,
                                                    "row": 3}


def test_inspect_missing_sheet(runner: CliRunner) -> None:
    """--sheet naming a sheet that is not there lists the ones that are."""
    result = runner.invoke(cli, ["inspect", str(READERS / "aetna.xlsx"), "--sheet", "2027"])
    assert result.exit_code == 1
    assert result.output == (f"Error: {READERS / 'aetna.xlsx'}: has no sheet '2027'; pin one "
                             "of its sheets: 'Sheet1'\n")


def test_inspect_no_table(runner: CliRunner, tmp_path: Path) -> None:
    """A file with no CDT code anywhere says so in one line, --role or not."""
    memo = tmp_path / "memo.txt"
    memo.write_text("Dear doctor,\nplease find our new schedule attached.\n")
    for role in ([], ["--role", "schedule"]):
        result = runner.invoke(cli, ["inspect", str(memo), *role])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {memo}: holds no CDT code (D0120 and the like) anywhere in it: not a fee "
            "schedule, office-fee list or volume report; check it is the file meant, or "
            'leave it out: [files."memo.txt"] skip = true\n')


def test_inspect_names_the_pin_as_client_toml_wants_it(runner: CliRunner,
                                                       tmp_path: Path) -> None:
    """A table xlfees cannot find names the header pin, keyed by the path inside the
    client folder (not the path typed), and writing that pin makes the file read."""
    client = tmp_path / "acme"
    (client / "payers").mkdir(parents=True)
    (client / "client.toml").write_text("")
    odd = client / "payers" / "odd.csv"
    # Column names no reader knows, above the codes.
    odd.write_text("Item,Money\nD0120,40.00\nD1110,70.00\nD2391,150.00\n"
                   + "".join(f"note {n},see the manual\n" for n in range(5)))
    result = runner.invoke(cli, ["inspect", str(odd)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {odd}: no table of CDT codes found in it (a CDT code first appears at row "
        '2); pin its header in client.toml: [files."payers/odd.csv"] header_row = 1, '
        'columns = { code = "Item", allowed = "<its amount column>" }\n')
    (client / "client.toml").write_text(
        '[files."payers/odd.csv"]\nheader_row = 1\ncolumns = { code = "Item", '
        'allowed = "Money" }\n')
    result = runner.invoke(cli, ["inspect", str(client)])
    assert result.exit_code == 0, result.output
    assert "payers/odd.csv" in result.output and "3 kept" in result.output


def test_inspect_a_folder_prints_one_line_per_file(runner: CliRunner, tmp_path: Path) -> None:
    """`xlfees inspect DIR`: each file's role, payer, rows and columns, or why it is not read."""
    folder = tmp_path / "client"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "smile-studio", folder)
    (folder / "notes.docx").write_text("x")
    (folder / "payers").mkdir()
    (folder / "payers" / "broken.xlsx").write_bytes(b"PK\x03\x04garbage")
    result = runner.invoke(cli, ["inspect", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    by_file = {line.split("  ")[0].strip(): line for line in lines}
    assert list(by_file) == ["era/aetna-2026-10.txt", "era/delta-dental-2026-10.835",
                             "notes.docx", "office_fees.csv", "payers/broken.xlsx",
                             "schedules.csv", "volume.csv"]
    assert by_file["era/delta-dental-2026-10.835"].endswith(
        "remittance   DELTA DENTAL INSURANCE CO; 93 kept, 0 rejected; 2 payments, 45 claims; "
        "the money reconciles")
    assert by_file["notes.docx"].endswith("not read: it is a .docx file (xlfees reads .xlsx, "
                                          ".xlsm, .xls, .pdf, .csv, .tsv, .txt and .tab files)")
    assert "refused: is a damaged workbook (not a readable zip)" in by_file["payers/broken.xlsx"]
    assert ("schedule     Delta Dental (PPO), Cigna (DPPO), MetLife (PDP Plus), Aetna (PPO); "
            "110 kept, 1 rejected; payer ← 'payer'") in by_file["schedules.csv"]
    assert "office_fees  28 kept, 0 rejected" in by_file["office_fees.csv"]
    document = json.loads(runner.invoke(cli, ["inspect", str(folder), "--json"]).output)
    assert {"file": "volume.csv", "role": "volume", "payers": [], "kept": 112, "rejected": 0,
            "why": "code ← 'code', payer ← 'payer', count ← 'count'"} in document


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["analyze", "--help"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    """--help and --version answer without pandas, numpy, the readers or the writers."""
    import subprocess
    import sys

    script = ("import runpy, sys\n"
              f"sys.argv = ['xlfees', *{args!r}]\n"
              "try:\n    runpy.run_module('xlfees', run_name='__main__')\n"
              "except SystemExit as end:\n    assert end.code in (0, None), end.code\n"
              "heavy = ['pandas', 'numpy', 'openpyxl', 'pypdfium2', 'python_calamine',\n"
              "         'xlfees.readers.reader', 'xlfees.workbook']\n"
              "print([name for name in heavy if name in sys.modules])\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines()[-1] == "[]"
