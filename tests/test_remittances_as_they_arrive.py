"""Remittances as they really arrive (issue 29, 7–11): a reversal whose original was paid
before the period, file names in any order, the same 835 twice, lines dated only at claim
level, a line without a procedure code, and an 835 wrapped at 80 columns.

The hand-worked client's Alpha Dental (PPO) allows D0120 40 and D2391 160 (test_engine.py).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd

from era_make import Claim, Line, Payment, remittance
from xlfees import Client, analyze, load_client
from xlfees.sources.era import parse_era, reconcile

ALPHA = "ALPHA DENTAL INSURANCE CO"
ORIGINAL = Claim("C7", [Line("D2391", 250, 120, 150, [("CO", "45", 100), ("PR", "2", 30)])])
# The correction pays D2391 as contracted and denies D0120 (timely filing, CO-29).
CORRECTION = Claim("C7", [Line("D2391", 250, 128, 160, [("CO", "45", 90), ("PR", "2", 32)]),
                          Line("D0120", 60, 0, None, [("CO", "29", 60)])])


def _with_eras(handworked_dir: Path, tmp_path: Path, eras: dict[str, bytes]) -> Path:
    folder = tmp_path / "handworked"
    shutil.copytree(handworked_dir, folder)
    (folder / "era").mkdir()
    for name, data in eras.items():
        (folder / "era" / name).write_bytes(data)
    return folder


def _reversal_and_correction() -> bytes:
    return remittance([Payment(ALPHA, [Claim("C7", ORIGINAL.lines, status="22"), CORRECTION],
                               paid_on=date(2026, 11, 1), trace="2002")])


def _figures(monitoring) -> tuple:
    """Alpha's claims, lines, paid, denied lines and underpaid lines."""
    [alpha] = monitoring.payers.to_dict("records")
    return (alpha["claims"], alpha["lines"], alpha["paid"], alpha["denied_lines"],
            alpha["underpaid_lines"])


def test_a_reversal_of_a_claim_paid_before_the_period(handworked_dir: Path,
                                                      tmp_path: Path) -> None:
    """Only the reversal and its correction are in era/: the correction counts (160, as
    contracted: no underpayment), the reversal takes back nothing, and a note says so."""
    folder = _with_eras(handworked_dir, tmp_path, {"nov.835": _reversal_and_correction()})
    monitoring = analyze(load_client(folder)).monitoring
    # one claim (C7 as corrected): D2391 paid 128 as contracted, D0120 denied
    assert _figures(monitoring) == (1, 2, 128.0, 1, 0)
    assert monitoring.underpayments.empty
    assert [n.reason for n in monitoring.notes if "reverses" in n.reason] == [
        "Alpha Dental (PPO): claim C7 (PC7) reverses a claim paid before this period: it "
        "takes back nothing here"]


def test_the_figures_do_not_depend_on_the_file_names(handworked_dir: Path,
                                                     tmp_path: Path) -> None:
    """The original (paid 10-15, underpaid 160 − 150 = 10) then reversed and corrected
    (11-01): named so they sort either way, the figures are the same: the correction
    counts, the original does not, nothing is underpaid."""
    original = remittance([Payment(ALPHA, [ORIGINAL], paid_on=date(2026, 10, 15),
                                   trace="2001")])
    results = []
    for first, second in (("a.835", "b.835"), ("b.835", "a.835")):
        folder = _with_eras(handworked_dir, tmp_path / first,
                            {first: original, second: _reversal_and_correction()})
        monitoring = analyze(load_client(folder)).monitoring
        results.append((monitoring.payers.to_dict("records"), _figures(monitoring)))
    assert results[0] == results[1]
    # the reversed original left out: the correction's two lines, 128 paid, one denial
    assert results[0][1] == (1, 2, 128.0, 1, 0) and results[0][0][0]["reversals"] == 1


def test_the_same_835_twice_counts_once(handworked_dir: Path, tmp_path: Path) -> None:
    """The file copied into era/ under another name: its lines and money once, noted."""
    era = remittance([Payment(ALPHA, [Claim("C1", [Line("D0120", 60, 40, 40,
                                                        [("CO", "45", 20)])]),
                                      Claim("C2", [Line("D2140", 150, 0, None,
                                                        [("CO", "29", 150)])])],
                              trace="3003")])
    folder = _with_eras(handworked_dir, tmp_path, {"oct.835": era, "oct copy.835": era})
    monitoring = analyze(load_client(folder)).monitoring
    [alpha] = monitoring.payers.to_dict("records")
    assert _figures(monitoring) == (2, 2, 40.0, 1, 0)    # C1 paid 40, C2's D2140 denied
    assert alpha["clean_claim_rate"] == 0.5
    assert [(n.file, n.reason) for n in monitoring.notes if "repeats" in n.reason] == [
        ("era/oct.835", f"payment 3003 of {ALPHA} repeats the one in era/oct copy.835: "
                        "counted once")]


def _dated_at_claim_level(data: bytes) -> bytes:
    """The lines' DTM*472 removed, the claim dated by DTM*232 (the statement period)."""
    text = data.decode("ascii")
    segments = [s for s in text.split("~") if not s.startswith("DTM*472")]
    out = []
    for segment in segments:
        out.append(segment)
        if segment.startswith("CLP*"):
            out.append("DTM*232*20261001")
    return "~".join(out).encode("ascii")


def test_lines_dated_only_at_claim_level_take_the_claims_date() -> None:
    """Two versions of D2391 (160 from January, 170 from 10-15): a claim of 10-01 whose
    lines carry no date of their own is held to 160, not to the newest 170."""
    office = pd.DataFrame({"code": ["D2391"], "description": ["Composite"],
                           "office_fee": [250.0]})
    history = pd.DataFrame({"payer": ["Alpha", "Alpha"], "network": ["", ""],
                            "code": ["D2391", "D2391"], "allowed": [160.0, 170.0],
                            "effective": ["2026-01-01", "2026-10-15"]})
    era = parse_era(_dated_at_claim_level(remittance([Payment("ALPHA", [
        Claim("A", [Line("D2391", 250, 128, 160, [("CO", "45", 90), ("PR", "2", 32)])])])])))
    assert era.payments[0].claims[0].lines[0].service_date is None
    client = Client.from_frames("Dated", office, history.tail(1), schedule_history=history,
                                remittances=[era])
    monitoring = analyze(client).monitoring
    assert monitoring.underpayments.empty
    assert monitoring.lines["service_date"].tolist() == [date(2026, 10, 1)]


def test_a_line_without_a_code_keeps_its_money_in_the_claim() -> None:
    """SVC*AD:*…: the line is kept for the claim's balance (the file reconciles) and noted,
    never compared."""
    data = remittance([Payment(ALPHA, [Claim("C1", [
        Line("D0120", 60, 40, 40, [("CO", "45", 20)]),
        Line("D1110", 100, 70, 70, [("CO", "45", 30)])])], trace="4004")])
    era = parse_era(data.replace(b"SVC*AD:D1110*", b"SVC*AD:*"))
    [payment] = era.payments
    check = reconcile(payment)
    assert check.claims_off == [] and check.check_difference == 0
    assert [line.code for line in payment.claims[0].lines] == ["D0120", ""]
    assert any("has no procedure code: its amounts count in the claim" in text
               for _, text in era.notes)


def test_an_835_wrapped_at_80_columns_reads_as_the_unwrapped_one() -> None:
    """A clearinghouse's 80-column wrap (line breaks inside segments) reads as the file."""
    data = remittance([Payment(ALPHA, [ORIGINAL, Claim("C8", [Line("D0120", 60, 40, 40)])],
                               trace="5005")])
    wrapped = b"\r\n".join(data[i:i + 80] for i in range(0, len(data), 80))
    plain, folded = parse_era(data), parse_era(wrapped)
    assert folded.payments == plain.payments and len(folded.payments[0].claims) == 2
