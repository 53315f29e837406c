"""The rough edges a new user met in the first hour, each with the message they now get."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlfees import ClientFolderError, analyze, load_client, write_workbook
from xlfees.cli import cli

READERS = Path(__file__).parent / "data" / "readers"
READS = "(xlfees reads .xlsx, .xlsm, .xls, .pdf, .csv, .tsv, .txt and .tab files)"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def client(handworked_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    return folder


@pytest.mark.parametrize(("command", "name", "message"), [
    (["analyze", "{client}", "-o"], "report.csv",
     "the workbook is an .xlsx file, and this name has the extension .csv; name it report.xlsx"),
    (["template", "-o"], "blank", "the template is an .xlsx file, and this name has no "
                                  "extension; name it blank.xlsx"),
    (["addin", "-o"], "fees.xlsx", "the add-in is an .xlam file, and this name has the "
                                   "extension .xlsx; name it fees.xlam"),
])
def test_output_with_another_extension_is_refused(runner: CliRunner, client: Path,
                                                  tmp_path: Path, command, name,
                                                  message) -> None:
    """-o report.csv never writes an xlsx under a .csv name: one Error line, nothing written."""
    target = tmp_path / name
    args = [a.format(client=client) for a in command] + [str(target)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.output == f"Error: {target}: {message}\n"
    assert not target.exists()


def test_the_library_refuses_the_wrong_extension_too(client: Path, tmp_path: Path) -> None:
    """write_workbook raises the same error the CLI prints."""
    with pytest.raises(Exception, match=r"name it out\.xlsx"):
        write_workbook(analyze(load_client(client)), tmp_path / "out.xls")


def test_office_fees_not_found_says_what_was_looked_for_and_found(client: Path) -> None:
    """An office-fee file read as a schedule: the error names it, what it was read as, the pin."""
    (client / "office_fees.csv").rename(client / "office fees.csv")
    text = (client / "office fees.csv").read_text()
    (client / "office fees.csv").write_text(text.replace("office_fee", "Allowed", 1))
    with pytest.raises(ClientFolderError) as caught:
        load_client(client)
    assert str(caught.value) == (
        f"{client}: no office fees found. Looked for a file whose columns hold CDT codes and "
        "the office's own fee (a header such as 'Office fee', 'UCR' or 'Usual fee', or 'Fee' "
        "in a file named for the office), or an office-fee column in a comparison sheet; "
        "found instead: office fees.csv (a payer schedule for 'Office'); schedules.csv "
        "(a payer schedule); volume.csv (a volume report). Fix: if office fees.csv holds the "
        'office fees, say so in client.toml: [files."office fees.csv"] role = "office_fees"')


def test_office_fee_file_giving_no_rows_is_an_error(client: Path) -> None:
    """A pinned office-fee file whose fee column is not recognised stops the run, naming it."""
    text = (client / "office_fees.csv").read_text()
    (client / "office_fees.csv").write_text(text.replace("office_fee", "Notes", 1))
    (client / "client.toml").write_text('[files."office_fees.csv"]\nrole = "office_fees"\n')
    with pytest.raises(ClientFolderError) as caught:
        load_client(client)
    assert str(caught.value) == (
        "office_fees.csv: read as the office fees, but no row gave a code and a fee (columns "
        "seen: 'code', 'description', 'Notes'; read as: code ← 'code', description ← "
        "'description'; its first rejected row, row 2 'D0120 Periodic oral evaluation 60.00': "
        "no amount). Fix: map the fee column "
        'in client.toml: [files."office_fees.csv"] columns = { office_fee = "<header>" }')


def test_a_file_without_extension_in_a_client_folder_is_noted(client: Path) -> None:
    """A file with no extension is noted as such, not as 'no extension is not a format'."""
    (client / "NOTES").write_text("call Delta on Monday\n")
    reasons = {n.file: n.reason for n in load_client(client).notes}
    assert reasons["NOTES"] == f"not read: it has no extension {READS}"


def test_inspect_a_pdf_names_the_line_its_column_titles_are_on(runner: CliRunner) -> None:
    """A PDF's header is its column-title line; inspect does not say 'no header row'."""
    result = runner.invoke(cli, ["inspect", str(READERS / "Ameritas PPO 2026.pdf")])
    assert result.exit_code == 0, result.output
    assert "  read from:  column titles on page 1, line 2" in result.output
    assert "no header row" not in result.output
    document = runner.invoke(cli, ["inspect", str(READERS / "Ameritas PPO 2026.pdf"),
                                   "--json"]).output
    assert '"header_page": "page 1"' in document


def test_inspect_a_workbook_xlfees_wrote(runner: CliRunner, client: Path,
                                         tmp_path: Path) -> None:
    """Inspecting a result says it is one, without advising a client.toml pin."""
    written = tmp_path / "result.xlsx"
    write_workbook(analyze(load_client(client)), written)
    result = runner.invoke(cli, ["inspect", str(written)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {written}: is a workbook xlfees wrote (its Summary, Targets and Payers sheets "
        "are results, not inputs); inspect the files it was made from: the office fees, the "
        "payer schedules and the volume report\n")


def test_counts_of_one_are_singular(runner: CliRunner, client: Path, tmp_path: Path) -> None:
    """One client, one code: '1 client', '1 code', never '1 clients'."""
    clients = tmp_path / "clients"
    shutil.copytree(client, clients / "only")
    result = runner.invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "(4 payers, " in result.output
    assert "\n1 client: 1 written, 0 failed." in result.output
    single = tmp_path / "one.csv"
    single.write_text("code,description,office_fee\nD0120,Periodic oral evaluation,60\n")
    inspected = runner.invoke(cli, ["inspect", str(single)])
    assert "  rows kept:  1" in inspected.output
    from xlfees.wording import plural
    assert [plural(1, "payer"), plural(2, "payer"), plural(0, "code"), plural(2.5, "procedure"),
            plural(1204, "procedure")] == ["1 payer", "2 payers", "0 codes", "2.5 procedures",
                                           "1,204 procedures"]
