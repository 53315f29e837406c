"""The 835 reader checked against an independent one: pyx12's X12 reader (the HIPAA X12
toolkit) splits every file into segments, and the figures are added up here from its
segments, by the 835 guide's element positions, with none of xlfees' code. Every 835 in
data/era, and generated files with several transactions, a reversal, provider-level
adjustments (PLB) and an 80-column wrap, must give the same payments, claims, lines and
money."""

from __future__ import annotations

import io
import math
import re
from datetime import date
from pathlib import Path

import pytest

from era_make import Claim, Line, Payment, remittance
from xlfees.sources.era import parse_era

pyx12_file = pytest.importorskip("pyx12.x12file")   # in the test extras: CI fails without it

ERA = Path(__file__).parent / "data" / "era"
FILES = sorted(p for p in ERA.iterdir() if p.suffix in (".835", ".txt"))


def _number(value: str | None) -> float:
    return float(value) if value not in (None, "") else 0.0


def _by_pyx12(data: bytes) -> list[dict]:
    """Each transaction's figures, from pyx12's segments."""
    payments: list[dict] = []
    # A byte-order mark is no part of X12 (pyx12 wants the ISA first).
    reader = pyx12_file.X12Reader(io.StringIO(data.removeprefix(b"\xef\xbb\xbf")
                                              .decode("latin-1")))
    current: dict | None = None
    for segment in reader:
        tag = segment.get_seg_id()
        if tag == "ST":
            current = {"payer": "", "trace": "", "total": 0.0, "claims": 0, "charge": 0.0,
                       "paid": 0.0, "reversals": 0, "lines": 0, "line_paid": 0.0, "plb": 0.0}
            payments.append(current)
        elif current is None:
            continue
        elif tag == "BPR":
            current["total"] = _number(segment.get_value("BPR02"))
        elif tag == "TRN":
            current["trace"] = segment.get_value("TRN02") or ""
        elif tag == "N1" and segment.get_value("N101") == "PR":
            current["payer"] = segment.get_value("N102") or ""
        elif tag == "CLP":
            current["claims"] += 1
            current["charge"] += _number(segment.get_value("CLP03"))
            current["paid"] += _number(segment.get_value("CLP04"))
            current["reversals"] += segment.get_value("CLP02") == "22"
        elif tag == "SVC" and (segment.get_value("SVC01-2") is not None or re.match(
                r"^[A-Z]{2}[>:^|]\S", segment.get_value("SVC01") or "")):
            # A qualifier and a code; a public file joins them with ">" where its ISA16
            # says ":", which pyx12 leaves as one element and payers' readers accept.
            current["lines"] += 1
            current["line_paid"] += _number(segment.get_value("SVC03"))
        elif tag == "PLB":
            for position in range(4, 16, 2):
                current["plb"] += _number(segment.get_value(f"PLB{position:02d}"))
    return payments


def _by_xlfees(data: bytes) -> list[dict]:
    return [{"payer": p.payer, "trace": p.trace, "total": p.total_paid,
             "claims": len(p.claims), "charge": sum(c.charge for c in p.claims),
             "paid": sum(c.paid for c in p.claims),
             "reversals": sum(c.reversal for c in p.claims),
             "lines": sum(len(c.lines) for c in p.claims),
             "line_paid": sum(line.paid for c in p.claims for line in c.lines),
             "plb": p.provider_adjustments} for p in parse_era(data).payments]


def _same(ours: list[dict], theirs: list[dict]) -> None:
    assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs):
        assert mine.keys() == other.keys()
        for key, value in mine.items():
            if isinstance(value, float):
                assert math.isclose(value, other[key], abs_tol=0.005), key
            else:
                assert value == other[key], key


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_public_835_reads_as_pyx12_splits_it(path: Path) -> None:
    """The public files in data/era: every payment's figures agree."""
    data = path.read_bytes()
    assert _by_pyx12(data)            # pyx12 found transactions to compare
    _same(_by_xlfees(data), _by_pyx12(data))


def _generated() -> bytes:
    line = Line("D2391", 250, 128, 160, [("CO", "45", 90), ("PR", "2", 32)])
    return remittance([
        Payment("DELTA DENTAL", [Claim("C1", [line, Line("D0120", 60, 40, 40,
                                                         [("CO", "45", 20)])])],
                trace="1001"),
        Payment("DELTA DENTAL", [Claim("C1", [line], status="22"),
                                 Claim("C1", [Line("D2391", 250, 124, 155,
                                                   [("CO", "45", 95), ("PR", "2", 31)])])],
                paid_on=date(2026, 11, 1), trace="1002")])


def _with_plb(data: bytes) -> bytes:
    """A provider-level adjustment (an interest payment back, a forwarding balance) before
    the second transaction's SE, the check reduced by it."""
    text = data.decode("ascii")
    second = text.index("ST*835*0002")
    end = text.index("~SE*", second)
    count_at = end + len("~SE*")
    count = int(text[count_at:text.index("*", count_at)])
    text = (text[:end] + "~PLB*1234567893*20261231*L6:INT*-2.5*FB:ACCT1*10" + "~SE*"
            + str(count + 1) + text[text.index("*", count_at):])
    return text.encode("ascii")


@pytest.mark.parametrize("shape", ["several transactions and a reversal", "a PLB",
                                   "wrapped at 80 columns"])
def test_generated_835s_read_as_pyx12_splits_them(shape: str) -> None:
    """Several transactions, a reversal, a PLB, a wrap: the same figures as pyx12's."""
    data = _generated()
    if shape == "a PLB":
        data = _with_plb(data)
    theirs = _by_pyx12(data)
    if shape == "wrapped at 80 columns":   # pyx12 reads the unwrapped file; we, the wrap
        data = b"\r\n".join(data[i:i + 80] for i in range(0, len(data), 80))
    _same(_by_xlfees(data), theirs)
    if shape == "a PLB":
        assert theirs[1]["plb"] == pytest.approx(7.5)    # −2.50 interest, 10.00 balance
