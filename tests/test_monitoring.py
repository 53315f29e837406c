"""Monitoring from ERAs against the hand-worked client's schedules: every planted
underpayment and denial found, nothing else flagged, figures to the cent by hand.

The hand-worked client (test_engine.py): Alpha Dental (PPO) allows D0120 40, D2140 100,
D2391 160, D2740 700, D6010 1500. Its ERAs (tests/era_make.py), paid 2026-10-15 and
2026-11-01:

    claim  received  line   billed  allowed  paid  adjustments          what
    C1     10-01     D0120      60       40    40  CO-45 20             as contracted
                     D2391     250      150   120  CO-45 100, PR-2 30   underpaid 160 − 150 = 10
                     D9999      50       50    50                       not in the schedule: a note
    C2     09-01     D2740    1000      700   350  CO-45 300, PR-2 350  as contracted
                     D2140     150        0     0  CO-29 150            denied: timely filing
    C3     10-01     D6010    2000        0     0  CO-119 2000          denied: benefit maximum
    C4     10-01     D0120      60       40     0  CO-45 20, PR-1 40    the deductible: no denial
    C5     10-01     D2391     250      160   128  (then reversed, CLP02 22, and re-paid:)
    C5     10-01     D2391     250      155   124  CO-45 95, PR-2 31    underpaid 160 − 155 = 5
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from era_make import Claim, Line, Payment, remittance
from xlfees import Client, analyze, load_client
from xlfees.cli import cli

ALPHA = "ALPHA DENTAL INSURANCE CO"


def _eras() -> list[bytes]:
    c5 = [Line("D2391", 250, 128, 160, [("CO", "45", 90), ("PR", "2", 32)])]
    first = Payment(ALPHA, [
        Claim("C1", [Line("D0120", 60, 40, 40, [("CO", "45", 20)]),
                     Line("D2391", 250, 120, 150, [("CO", "45", 100), ("PR", "2", 30)]),
                     Line("D9999", 50, 50, 50)]),
        Claim("C2", [Line("D2740", 1000, 350, 700, [("CO", "45", 300), ("PR", "2", 350)]),
                     Line("D2140", 150, 0, None, [("CO", "29", 150)])],
              received=date(2026, 9, 1)),
        Claim("C3", [Line("D6010", 2000, 0, None, [("CO", "119", 2000)])]),
        Claim("C4", [Line("D0120", 60, 0, 40, [("CO", "45", 20), ("PR", "1", 40)])]),
        Claim("C5", c5)], paid_on=date(2026, 10, 15), trace="1001")
    second = Payment(ALPHA, [
        Claim("C5", c5, status="22"),
        Claim("C5", [Line("D2391", 250, 124, 155, [("CO", "45", 95), ("PR", "2", 31)])])],
        paid_on=date(2026, 11, 1), trace="1002")
    stranger = Payment("ZETA HEALTH PLAN", [Claim("Z1", [Line("D0120", 60, 30, 30)])])
    return [remittance([first]), remittance([second], crlf=True), remittance([stranger])]


@pytest.fixture
def client_with_eras(handworked_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "handworked"
    shutil.copytree(handworked_dir, folder)
    (folder / "era").mkdir()
    for number, data in enumerate(_eras(), start=1):
        (folder / "era" / f"remit-{number}.txt").write_bytes(data)
    return folder


def test_payer_figures_by_hand(client_with_eras: Path) -> None:
    """Alpha's lines, claims, money, underpayments, denials, days and clean claims."""
    monitoring = analyze(load_client(client_with_eras)).monitoring
    assert monitoring is not None
    [alpha] = monitoring.payers.to_dict("records")
    assert alpha == {
        "payer": "Alpha Dental", "network": "PPO",
        "claims": 5,                 # C1–C5, C5 once
        "lines": 8,                  # the reversed C5 and its reversal left out
        "billed": 3820.0,            # 60 + 250 + 50 + 1000 + 150 + 2000 + 60 + 250
        "allowed": 1135.0,           # 40 + 150 + 50 + 700 + 0 + 0 + 40 + 155
        "paid": 684.0,               # 40 + 120 + 50 + 350 + 0 + 0 + 0 + 124
        "underpaid_lines": 2, "underpaid_amount": 15.0,      # 10 + 5
        "denied_lines": 2, "denial_rate": 0.25,              # 2 of 8
        "median_days_to_payment": 14.0,   # 14, 44, 14, 14 and 31 (C5 re-paid 11-01)
        "p90_days_to_payment": 38.8,      # 31 + 0.6 × (44 − 31)
        "clean_claim_rate": 0.2,          # C1 only: C2 and C3 denied, C4 paid 0, C5 reversed
        "reversals": 1}


def test_every_planted_underpayment_and_denial_and_nothing_else(
        client_with_eras: Path) -> None:
    """The list a biller appeals from, and denials by category and CARC with their class."""
    monitoring = analyze(load_client(client_with_eras)).monitoring
    underpaid = monitoring.underpayments[["patient_control_number", "code", "service_date",
                                          "contracted", "allowed", "difference"]]
    assert underpaid.to_dict("records") == [
        {"patient_control_number": "C1", "code": "D2391", "service_date": date(2026, 10, 1),
         "contracted": 160.0, "allowed": 150.0, "difference": 10.0},
        {"patient_control_number": "C5", "code": "D2391", "service_date": date(2026, 10, 1),
         "contracted": 160.0, "allowed": 155.0, "difference": 5.0}]
    assert monitoring.denials.drop(columns=["payer", "network"]).to_dict("records") == [
        {"category": "Implant services", "carc": "119",
         "reason": "the benefit maximum for the period has been reached", "group": "CO",
         "class": "clinical/benefit", "lines": 1, "amount": 2000.0},
        {"category": "Restorative", "carc": "29",
         "reason": "the time limit for filing has passed", "group": "CO",
         "class": "administrative", "lines": 1, "amount": 150.0}]


def test_unmatched_payers_and_codes_outside_the_schedule_are_notes(
        client_with_eras: Path) -> None:
    """Zeta matches no schedule; D9999 is not in Alpha's: notes, never guesses."""
    notes = [n.reason for n in analyze(load_client(client_with_eras)).notes]
    assert ("ERA payer 'ZETA HEALTH PLAN' matches no schedule: add it to [payer_aliases] in "
            "client.toml; its lines were not compared") in notes
    assert "Alpha Dental (PPO): 1 ERA line for D9999, a code its schedule lacks: not compared" \
        in notes


def test_an_alias_names_the_schedule(client_with_eras: Path) -> None:
    """[payer_aliases] maps the ERA's spelling to a payer: Zeta's line is compared as Beta's."""
    (client_with_eras / "client.toml").write_text(
        (client_with_eras / "client.toml").read_text()
        + '\n[payer_aliases]\n"Zeta Health Plan" = "Beta Health"\n')
    monitoring = analyze(load_client(client_with_eras)).monitoring
    beta = monitoring.payers[monitoring.payers["payer"] == "Beta Health"].iloc[0]
    # Beta allows D0120 44: the ERA's 30 is 14 short
    assert (beta["lines"], beta["underpaid_lines"], beta["underpaid_amount"]) == (1, 1, 14.0)


def test_an_alias_to_no_payer_is_an_error(client_with_eras: Path) -> None:
    """An alias whose payer the client does not have: one Error line naming the key."""
    (client_with_eras / "client.toml").write_text(
        '[payer_aliases]\n"Zeta Health Plan" = "Zeta"\n')
    result = CliRunner().invoke(cli, ["analyze", str(client_with_eras), "--json"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {client_with_eras / 'client.toml'}: setting "
                                    "'payer_aliases = 'Zeta'' names no payer of this client")


def test_the_schedule_in_force_on_the_service_date() -> None:
    """Two dated versions: a line before the change is held to the old amount, after to the new."""
    office = pd.DataFrame({"code": ["D2391"], "description": ["Composite"],
                           "office_fee": [250.0]})
    history = pd.DataFrame({"payer": ["Alpha", "Alpha"], "network": ["", ""],
                            "code": ["D2391", "D2391"], "allowed": [160.0, 170.0],
                            "effective": ["2026-01-01", "2026-10-15"]})
    from era_make import remittance as make
    from xlfees.sources.era import parse_era
    era = parse_era(make([Payment("ALPHA", [
        Claim("A", [Line("D2391", 250, 150, 160, service_date=date(2026, 10, 1)),
                    Line("D2391", 250, 150, 160, service_date=date(2026, 10, 20))])])]))
    client = Client.from_frames("Dated", office, history.tail(1), schedule_history=history,
                                remittances=[era])
    underpaid = analyze(client).monitoring.underpayments
    assert underpaid[["service_date", "contracted", "difference"]].to_dict("records") == [
        {"service_date": date(2026, 10, 20), "contracted": 170.0, "difference": 10.0}]


def test_analyze_json_has_the_monitoring_contract(client_with_eras: Path) -> None:
    """`analyze --json` gains monitoring: payers, underpayments, denials, as DESIGN lists."""
    result = CliRunner().invoke(cli, ["analyze", str(client_with_eras), "--json"])
    assert result.exit_code == 0, result.output
    monitoring = json.loads(result.output)["monitoring"]
    assert set(monitoring) == {"payers", "underpayments", "denials"}
    assert {"payer", "claims", "lines", "billed", "allowed", "paid", "underpaid_lines",
            "underpaid_amount", "denied_lines", "denial_rate", "median_days_to_payment",
            "clean_claim_rate"} <= set(monitoring["payers"][0])
    assert {"payer", "claim", "code", "service_date", "contracted", "allowed",
            "difference"} <= set(monitoring["underpayments"][0])
    assert monitoring["underpayments"][0]["service_date"] == "2026-10-01"
    assert {"payer", "category", "carc", "group", "class", "lines",
            "amount"} <= set(monitoring["denials"][0])


def test_a_broken_era_is_a_note_and_the_client_still_runs(client_with_eras: Path) -> None:
    """A cut 835 in era/: noted with the reason; the analysis and the other ERAs go on."""
    (client_with_eras / "era" / "cut.835").write_bytes(_eras()[0][:300])
    analysis = analyze(load_client(client_with_eras))
    assert analysis.monitoring.payers.iloc[0]["lines"] == 8
    assert any(n.file == "era/cut.835" and n.reason.startswith("remittance not read: ")
               and "the file is cut short" in n.reason for n in analysis.notes)


def test_the_letter_lists_the_underpaid_claims(client_with_eras: Path, tmp_path: Path) -> None:
    """Alpha's request letter gains an appendix: C1 and C5's D2391, $15.00 in all."""
    from docx import Document

    from xlfees.deliverables import write_deliverables
    files = write_deliverables(analyze(load_client(client_with_eras)), tmp_path / "letters",
                               day=date(2026, 11, 23))
    letter = next(p for p in files.letters if p.name.startswith("Alpha Dental"))
    document = Document(letter)
    rows = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]
    assert rows == [
        ["Claim", "Patient control no.", "Service date", "Code", "Contracted", "Allowed",
         "Difference"],
        ["PC1", "C1", "10/01/2026", "D2391", "$160.00", "$150.00", "$10.00"],
        ["PC5", "C5", "10/01/2026", "D2391", "$160.00", "$155.00", "$5.00"]]
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("Your remittances allowed the 2 service lines below less than the fee schedule in "
            "force on the date of service. We ask that these claims be reprocessed at the "
            "contracted amounts: $15.00 in all.") in text
