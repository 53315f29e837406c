"""The X12 835 reader on real payers' files, on several transactions and interchanges,
and on hostile files: one Error line naming the file and segment, never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlfees.cli import cli
from xlfees.sources.era import EraError, parse_era, read_era, reconcile

ERA = Path(__file__).parent / "data" / "era"


def test_justin_smith_dental_4010_reads_and_reconciles_to_the_cent() -> None:
    """Delta Dental's ERA: payer, payee, check, 3 claims, 10 AD: lines, lines = claims = $353."""
    [payment] = read_era(ERA / "JustinSmithERA.txt").payments
    assert (payment.payer, payment.payee, payment.payee_id) == (
        "Delta Dental Insurance Co", "Chirag R Vaid Dds Dental Corp", "123456789")
    assert (payment.trace, payment.method, payment.payment_date, payment.total_paid) == (
        "0045284538", "CHK", date(2017, 10, 4), 353.0)
    assert payment.version == "004010X091A1"
    first = payment.claims[0]
    assert (first.claim_id, first.status, first.charge, first.paid, first.received) == (
        "217308827", "1", 158.0, 102.0, date(2017, 9, 27))
    line = first.lines[0]
    assert (line.qualifier, line.code, line.charge, line.paid, line.allowed,
            line.service_date) == ("AD", "D0120", 43.0, 25.0, 25.0, date(2017, 9, 26))
    assert [(a.group, a.carc, a.amount) for a in line.adjustments] == [("PI", "45", 18.0)]
    assert sum(len(c.lines) for c in payment.claims) == 10
    check = reconcile(payment)
    assert check.claims_off == [] and check.check_difference == 0
    # charge − CO/PI-45 = paid on every line, as the corpus README says
    for claim in payment.claims:
        for line in claim.lines:
            assert round(line.charge - sum(a.amount for a in line.adjustments), 2) == line.paid


@pytest.mark.parametrize("name, codes", [
    ("managed-care.835", ["99211", "93555"]),
    ("cob-contractural-adjustment.835", ["55669"]),
    ("secondary-payment.835", ["12345", "66543"]),
])
def test_medical_5010_samples_read(name: str, codes: list[str]) -> None:
    """5010 files, including ISA16 ':' with '>' in the lines, read their procedure codes."""
    remittance = read_era(ERA / name)
    assert [line.code for p in remittance.payments for c in p.claims for line in c.lines] == codes
    assert all(p.version == "005010X221A1" for p in remittance.payments)


def test_claim_adjustments_and_provider_adjustments_reconcile() -> None:
    """Claim-level CAS and PLB amounts are part of the balance, as X12 balances them."""
    for name in ("managed-care.835", "medicare-part-a.835"):
        for payment in read_era(ERA / name).payments:
            check = reconcile(payment)
            assert check.claims_off == [] and check.check_difference == 0, name


def test_a_service_line_with_no_code_is_a_note() -> None:
    """SVC*HC*24599 (the code in the wrong element) is noted with its segment, not guessed."""
    remittance = read_era(ERA / "tertiary-payment.835")
    assert remittance.notes == [(20, "service line 'HC' has no procedure code: left out")]


def _isa(element: str = "*", component: str = ":", terminator: str = "~") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "PAYER".ljust(15), "ZZ",
              "PRACTICE".ljust(15), "261101", "1200", "^", "00501", "000000001", "0", "P",
              component]
    return element.join(fields) + terminator


def _transaction(control: str, paid: str, terminator: str = "~", e: str = "*",
                 c: str = ":") -> str:
    body = [f"ST{e}835{e}{control}", f"BPR{e}I{e}{paid}{e}C{e}ACH" + e * 12 + "20261105",
            f"TRN{e}1{e}EFT{control}{e}1234567890", f"N1{e}PR{e}DELTA DENTAL",
            f"N1{e}PE{e}SMILE STUDIO{e}XX{e}1234567893", f"LX{e}1",
            f"CLP{e}PCN{control}{e}1{e}100{e}{paid}{e}20{e}12{e}PAYER{control}",
            f"SVC{e}AD{c}D2391{e}100{e}{paid}", f"DTM{e}472{e}20261020",
            f"CAS{e}CO{e}45{e}{100 - float(paid) - 20:.2f}", f"CAS{e}PR{e}2{e}20",
            f"AMT{e}B6{e}{float(paid) + 20:.2f}"]
    body.append(f"SE{e}{len(body) + 1}{e}{control}")
    return terminator.join(body) + terminator


def _file(*transactions: str, e: str = "*", c: str = ":", t: str = "~") -> bytes:
    text = (_isa(e, c, t) + f"GS{e}HP{e}PAYER{e}PRACTICE{e}20261101{e}1200{e}1{e}X{e}"
            f"005010X221A1{t}" + "".join(transactions) + f"GE{e}{len(transactions)}{e}1{t}"
            f"IEA{e}1{e}000000001{t}")
    return text.encode("ascii")


def test_several_transactions_and_interchanges_with_any_separators() -> None:
    """Two ST in one interchange, two interchanges in one file, CRLF between segments, a BOM,
    and other declared separators (| ^ !) all read the same payments."""
    plain = _file(_transaction("0001", "60"), _transaction("0002", "70"))
    assert [p.total_paid for p in parse_era(plain).payments] == [60.0, 70.0]
    two = _file(_transaction("0001", "60")) + b"\r\n" + _file(_transaction("0003", "80"))
    assert [p.trace for p in parse_era(two).payments] == ["EFT0001", "EFT0003"]
    lines = b"\xef\xbb\xbf" + plain.replace(b"~", b"~\r\n")
    assert [p.total_paid for p in parse_era(lines).payments] == [60.0, 70.0]
    other = _file(_transaction("0001", "60", "!", "|", "^"), e="|", c="^", t="!")
    [payment] = parse_era(other).payments
    assert payment.claims[0].lines[0].code == "D2391"
    assert payment.claims[0].lines[0].allowed == 80.0


@pytest.mark.parametrize("data, message", [
    (_file(_transaction("0001", "60"))[:-40],
     "<835>: ends at segment 14 (AMT) without the IEA that closes an interchange: the file "
     "is cut short"),
    (b"hello, this is not a remittance\n" * 3,
     "<835>: not an X12 file (it does not start with an ISA segment): an 835 remittance "
     "starts 'ISA*'"),
    (_file(_transaction("0001", "60")).replace(b"ST*835*", b"ST*837*"),
     "<835>: is a claim (837), not an 835 remittance (segment 3: ST*837)"),
    (_file(_transaction("0001", "60")).replace(b"BPR*I*60*", b"BPR*I*6O*"),
     "<835>: segment 4 (BPR02): '6O' is not an amount"),
    (_isa()[:40].encode(), "<835>: segment 1 (ISA) is cut short: fewer than 16 elements"),
    (_isa().encode() + _file(_transaction("0001", "60")).split(b"~", 1)[1].replace(b"*", b"|"),
     "<835>: segment 2 starts 'GS|HP|PAYER|PRACTICE|202', not a segment id followed by the "
     "element separator '*' the ISA declares: the file mixes separators"),
])
def test_hostile_files_are_one_clear_error(data: bytes, message: str) -> None:
    """Truncated, not X12, not an 835, a letter O for a zero, a cut ISA, separators other
    than the ISA declares: EraError says where."""
    with pytest.raises(EraError) as raised:
        parse_era(data)
    assert str(raised.value) == message


def test_ten_megabytes_without_segment_terminators(tmp_path: Path) -> None:
    """A file whose declared terminator never comes: the CLI prints one Error line."""
    path = tmp_path / "flat.835"
    path.write_bytes(_isa().encode() + b"GS*HP*" + b"X" * (10 * 1024 * 1024))
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: segment 2 is 10,485,766 characters long, not "
                             "an X12 segment: is the segment terminator '~' the ISA declares "
                             "missing?\n")


def test_inspect_shows_what_was_read_and_reconciles() -> None:
    """`xlfees inspect FILE.835`: payer, payee, check, claims, lines, totals, reconciliation."""
    result = CliRunner().invoke(cli, ["inspect", str(ERA / "JustinSmithERA.txt")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "Payment 1 (004010X091A1, segment 3): Delta Dental Insurance Co → Chirag R Vaid Dds "
        "Dental Corp (123456789)",
        "  CHK 0045284538, 2017-10-04: $353.00",
        "  3 claims (0 reversed), 10 service lines: billed $605.00, claims paid $353.00",
        "  reconciles: lines = claims, claims = the payment $353.00"]


def test_inspect_says_where_the_money_does_not_add_up(tmp_path: Path) -> None:
    """A claim whose paid differs from its lines, and a check off by $5: both said."""
    data = _file(_transaction("0001", "60")).replace(b"BPR*I*60*", b"BPR*I*65*")
    data = data.replace(b"CLP*PCN0001*1*100*60*", b"CLP*PCN0001*1*100*61*")
    path = tmp_path / "off.835"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    import json
    [payment] = json.loads(result.output)["payments"]
    assert payment["reconciles"] is False
    assert payment["claims_off"] == [{"claim": "PCN0001", "segment": 9, "claim_paid": 61.0,
                                      "lines_paid": 60.0}]
    assert payment["check_difference"] == -4.0
