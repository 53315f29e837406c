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
    assert list(document) == ["client", "payers", "targets", "alt_benefits", "notes"]
    assert document["client"] == "Hand-worked Dental"
    assert list(document["payers"][0]) == ["payer", "network", "codes", "missing_codes",
                                           "effective_rate", "annual_writeoff",
                                           "impact_at_ask"]
    assert list(document["targets"][0]) == ["payer", "network", "code", "volume", "allowed",
                                            "office_fee", "benchmark", "shortfall",
                                            "priority", "proposed", "impact",
                                            "cumulative_share"]
    assert list(document["alt_benefits"][0]) == [
        "payer", "network", "code", "alt_code", "base", "alt_before", "alt_after",
        "coverage", "balance_before", "balance_after", "savings", "savings_pct", "volume",
        "annual_savings"]
    assert document["targets"][0] == {
        "payer": "Alpha Dental", "network": "PPO", "code": "D2740", "volume": 10.0,
        "allowed": 700.0, "office_fee": 1000.0, "benchmark": 800.0, "shortfall": 100.0,
        "priority": 1000.0, "proposed": 770.0, "impact": 700.0,
        "cumulative_share": 0.4184}            # 1000 / 2390
    alpha = document["payers"][0]
    assert alpha == {"payer": "Alpha Dental", "network": "PPO", "codes": 5,
                     "missing_codes": [], "effective_rate": 0.6769,   # 22000 / 32500
                     "annual_writeoff": 10500.0, "impact_at_ask": 2200.0}
    assert {"file": "schedules.csv", "sheet": None, "row": 11, "text": "BR",
            "reason": "not an amount"} in document["notes"]


def test_analyze_summary(runner: CliRunner, handworked_dir: Path) -> None:
    """Without --json a readable summary lists each payer's rate and the top target."""
    result = runner.invoke(cli, ["analyze", str(handworked_dir)])
    assert result.exit_code == 0, result.output
    assert "Alpha Dental PPO" in result.output and "67.7%" in result.output
    assert "  1. Alpha Dental PPO             D2740" in result.output


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
                             "\"p75\", or \"external\"\n")


def test_negative_fee_names_file_and_row(runner: CliRunner, handworked_dir: Path,
                                         tmp_path: Path) -> None:
    """A negative office fee stops with the file and row to fix."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    fees = folder / "office_fees.csv"
    fees.write_text(fees.read_text().replace("D0120,Periodic oral evaluation,60.00",
                                             "D0120,Periodic oral evaluation,-60.00"))
    result = runner.invoke(cli, ["analyze", str(folder)])
    assert result.exit_code == 1
    assert result.output == ("Error: office fees (office_fees.csv, row 2): office_fee -60 is "
                             "negative or infinite; enter the amount as a positive number\n")


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
