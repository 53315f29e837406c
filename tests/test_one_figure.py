"""One figure, one value: every money figure and rate of the example clients reads the same
in the terminal, the workbook, the summary PDF, the e-mail and the batch index.

The workbook's stored values are formatted here the way Excel shows them (15 significant
digits, then half away from zero, in decimal): a second method, not xlfees.money.
"""

from __future__ import annotations

import email
import json
import re
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from email import policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from xlfees.cli import cli
from xlfees.labels import schedule_label

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())


def _as_excel_shows_money(value: float) -> str:
    """What "$"#,##0.00 shows, without the sign."""
    shown = Decimal(format(value, ".15g")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{shown:,.2f}"


def _as_excel_shows_percent(value: float) -> str:
    """What 0.0% shows."""
    shown = (Decimal(format(value, ".15g")) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{shown}%"


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("figures") / "out"
    result = CliRunner().invoke(cli, ["batch", str(ROOT / "examples"), "-o", str(out),
                                      "--letters", "--date", "2026-01-15", "--send",
                                      "--from", "office@consultant.example"])
    assert result.exit_code == 0, result.output
    return out


def _terminal(client: str) -> tuple[dict[str, tuple[str, ...]], list[tuple[str, ...]], str]:
    """The summary's payer lines (name → rate, write-off, ask), target lines and savings."""
    result = CliRunner().invoke(cli, ["analyze", str(ROOT / "examples" / client)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    payers = {}
    for line in lines[3:]:
        if not line.strip():
            break
        match = re.fullmatch(r"(.{32}) +\d+ +(\S+) +([\d,.-]+) +([\d,.-]+)", line)
        assert match, line
        payers[match.group(1).strip()] = match.groups()[1:]
    targets = [match.groups() for line in lines
               if (match := re.fullmatch(r" *\d+\. (.{28}) (D\d{4})  allowed +[\d,.]+  peer +"
                                         r"\S+  worth +([\d,.]+)/yr", line))]
    savings = re.search(r"patients would save ([\d,.]+) a year", result.output)
    assert savings
    return payers, targets, savings.group(1)


def _sheet_rows(book: Any, sheet: str) -> list[dict[str, Any]]:
    rows = list(book[sheet].iter_rows(min_row=3, values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:] if row[0] is not None]


@pytest.mark.parametrize("client", EXAMPLES)
def test_every_output_shows_the_same_figures(batch_out: Path, client: str) -> None:
    """Per payer: rate, write-off and ask value; the client's totals; the top targets."""
    book = openpyxl.load_workbook(batch_out / f"{client}.xlsx", data_only=True)
    pdf_path = next((batch_out / client).glob("*summary.pdf"))
    pdf = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True,
                         text=True, check=True).stdout
    message = email.message_from_bytes((batch_out / "outbox" / f"{client}.eml").read_bytes(),
                                       policy=policy.default)
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    terminal_payers, terminal_targets, terminal_savings = _terminal(client)
    compared = 0
    no_ask = []

    carried: dict[str, list[dict[str, Any]]] = {}
    for row in _sheet_rows(book, "Asks"):
        if row["Carried"]:
            carried.setdefault(row["Schedule"], []).append(row)
    for payer in _sheet_rows(book, "Payers"):
        label = payer["Schedule"]
        rate = _as_excel_shows_percent(payer["Effective rate"])
        alt_savings = _as_excel_shows_money(payer["Alt savings"])
        write_off = _as_excel_shows_money(payer["Annual write off"])
        ask = _as_excel_shows_money(payer["Impact at ask"])
        assert terminal_payers[label[:32]] == (rate, write_off, ask), label
        pdf_line = next(line for line in pdf.splitlines()   # the table's, not the chart's
                        if line.startswith(label + " ") and "$" in line)
        assert re.findall(r"\S+%|\$[\d,.]+", pdf_line)[0] == rate, label
        assert [f"${write_off}", f"${ask}"] == re.findall(r"\$[\d,.]+", pdf_line)[-2:], label
        # The Asks sheet's carried package is the one the Payers sheet values.
        assert _as_excel_shows_money(carried[label][0]["Package value"]) == ask, label
        compared += 6
        letter = batch_out / client / f"{label} - fee review request.docx"
        if letter.exists():   # its package's value, in words, and its alternates'
            document = Document(str(letter))
            words = "\n".join(p.text for p in document.paragraphs)
            assert f"the change comes to ${ask} a year" in words, label
            # the letter's table: the carried package's codes and requested amounts
            assert [(row.cells[0].text, row.cells[4].text) for row in document.tables[0].rows[1:]] \
                == [(r["Code"], "$" + _as_excel_shows_money(r["Requested"]))
                    for r in carried[label]], label
            if alt_savings != "0.00":
                assert f"would pay ${alt_savings} a year less" in words, label
            else:
                assert "would pay $" not in words, label
            compared += 2
        else:                 # no package: nothing asked, and no proposed-fee files
            assert ask == "0.00" and alt_savings == "0.00", label
            assert not list((batch_out / client).glob(f"{label} - proposed fees*")), label
            assert f"{label}: no ask: " in " ".join(pdf.split())   # and why
            no_ask.append(label)

    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=5, max_row=12,
                                                                   values_only=True)}
    totals = {"Written off a year": "Annual write-off (office fee − allowed)",
              "Value of the ask a year": "Value of the ask a year",
              "Patients save a year": "Patient savings a year from the alternate-benefit ask"}
    for in_email, in_workbook in totals.items():
        shown = _as_excel_shows_money(summary[in_workbook])
        match = re.search(re.escape(in_email) + r".*?: \$([\d,.]+)", body)
        assert match and match.group(1) == shown, (in_email, shown)
        compared += 1
    savings = _as_excel_shows_money(summary[totals["Patients save a year"]])
    assert terminal_savings == savings
    assert f"${savings}" in pdf
    index = {row[0]: row for row in openpyxl.load_workbook(
        batch_out / "index.xlsx", data_only=True)["Clients"].iter_rows(min_row=2,
                                                                       values_only=True)}
    name = book["Summary"]["B2"].value if book["Summary"]["B2"].value else None
    row = index[name] if name in index else next(r for r in index.values()
                                                 if r[0] and client in str(r))
    headers = [c.value for c in openpyxl.load_workbook(batch_out / "index.xlsx")["Clients"][1]]
    rates = dict(re.findall(r"(.+?) (\d+\.\d%|—)(?:; |$)",
                            row[headers.index("Effective rate by payer")]))
    asks = dict(re.findall(r"(.+?) \$([\d,.]+)(?:; |$)",
                           row[headers.index("Value of the ask by payer")]))
    assert all(f"{label}: " in (row[-1] or "") for label in no_ask)   # the index says why
    for payer in _sheet_rows(book, "Payers"):
        assert rates[payer["Schedule"]] == _as_excel_shows_percent(payer["Effective rate"])
        # each payer's value of the ask: the index and the e-mail
        ask = _as_excel_shows_money(payer["Impact at ask"])
        assert asks[payer["Schedule"]] == ask
        assert f"- {payer['Schedule']}: ${ask}\r\n" in body
        compared += 3

    top = [(label, value) for label, value in (
        (book["Summary"][f"V{r}"].value, book["Summary"][f"W{r}"].value) for r in range(4, 19))
           if label]
    in_email = re.findall(r"^\d+\. (.+?): \$([\d,.]+) a year", body, re.MULTILINE)
    assert [value for _, value in in_email] == [_as_excel_shows_money(v) for _, v in
                                                top[:len(in_email)]]
    assert [value for _, _, value in terminal_targets] == [
        _as_excel_shows_money(v) for _, v in top[:len(terminal_targets)]]
    compared += len(in_email) + len(terminal_targets)
    assert compared >= 15   # every example has payers, totals and targets to compare


def test_the_json_rounds_each_figure_as_the_workbook_shows_it() -> None:
    """--json: each payer's write-off and ask value to the cent of the workbook's display."""
    result = CliRunner().invoke(cli, ["analyze", str(ROOT / "examples" / "smile-studio"),
                                      "--json"])
    document = json.loads(result.output)
    from xlfees import analyze, load_client
    analysis = analyze(load_client(ROOT / "examples" / "smile-studio"))
    raw = {schedule_label(p, n): (w, a) for p, n, w, a in zip(
        analysis.payers["payer"], analysis.payers["network"],
        analysis.payers["annual_writeoff"], analysis.payers["impact_at_ask"])}
    for payer in document["payers"]:
        write_off, ask = raw[schedule_label(payer["payer"], payer["network"])]
        assert f"{payer['annual_writeoff']:,.2f}" == _as_excel_shows_money(write_off)
        assert f"{payer['impact_at_ask']:,.2f}" == _as_excel_shows_money(ask)
