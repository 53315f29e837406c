"""Write real-shaped X12 835 remittances from plain Python data, for tests and examples.

Independent of xlfees' reader: it writes segments the way a payer's system does (ISA
fixed-width, GS/ST/SE/GE/IEA counts, BPR, TRN, N1 loops, CLP, REF, CAS, SVC, DTM, AMT,
LQ, in the order of the 5010 guide's loops), so
the reader is checked against files it did not write.

    remittance(payments=[Payment(...)]) -> bytes
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Line:
    code: str
    charge: float
    paid: float
    allowed: float | None = None           # AMT*B6
    adjustments: list[tuple[str, str, float]] = field(default_factory=list)  # group, CARC, $
    service_date: date = date(2026, 10, 1)
    units: int = 1
    rate_code: str = ""                     # REF*RB
    control: str = ""                       # REF*6R, the line item control number
    remarks: list[str] = field(default_factory=list)   # LQ*HE remark codes (RARC)


@dataclass
class Claim:
    claim_id: str                           # CLP01, the practice's patient control number
    lines: list[Line]
    status: str = "1"
    received: date | None = date(2026, 10, 1)
    patient: tuple[str, str] = ("DOE", "JANE")
    payer_claim_id: str = ""
    class_of_contract: str = ""             # REF*CE
    repriced: str = ""                      # REF*9A, a repricer's claim reference

    @property
    def charge(self) -> float:
        return round(sum(line.charge for line in self.lines), 2)

    @property
    def paid(self) -> float:
        return round(sum(line.paid for line in self.lines), 2)

    @property
    def patient_share(self) -> float:
        return round(sum(a for line in self.lines for g, _, a in line.adjustments
                         if g == "PR"), 2)


@dataclass
class Payment:
    payer: str
    claims: list[Claim]
    paid_on: date = date(2026, 10, 15)
    trace: str = "1001"
    payee: str = "SMILE STUDIO FAMILY DENTISTRY"


def _amount(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def transaction(payment: Payment, control: str) -> list[str]:
    """The segments of one ST/SE transaction."""
    # A reversal (CLP02 22) takes its money back: the check is the net.
    total = round(sum(-c.paid if c.status == "22" else c.paid for c in payment.claims), 2)
    out = [f"ST*835*{control}",
           f"BPR*I*{_amount(total)}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*"
           f"021000021*DA*987654321*{_day(payment.paid_on)}",
           f"TRN*1*{payment.trace}*1512345678", f"DTM*405*{_day(payment.paid_on)}",
           f"N1*PR*{payment.payer}", "N3*PO BOX 1809", "N4*ALPHARETTA*GA*30023",
           f"N1*PE*{payment.payee}*XX*1234567893", "LX*1"]
    for claim in payment.claims:
        sign = -1 if claim.status == "22" else 1
        out.append(f"CLP*{claim.claim_id}*{claim.status}*{_amount(sign * claim.charge)}*"
                   f"{_amount(sign * claim.paid)}*{_amount(sign * claim.patient_share)}*12*"
                   f"{claim.payer_claim_id or 'P' + claim.claim_id}*11")
        out.append(f"NM1*QC*1*{claim.patient[0]}*{claim.patient[1]}****MI*W12345678")
        if claim.class_of_contract:
            out.append(f"REF*CE*{claim.class_of_contract}")
        if claim.repriced:
            out.append(f"REF*9A*{claim.repriced}")
        if claim.received:
            out.append(f"DTM*050*{_day(claim.received)}")
        for line in claim.lines:
            units = f"**{line.units}" if line.units != 1 else ""
            out.append(f"SVC*AD:{line.code}*{_amount(sign * line.charge)}*"
                       f"{_amount(sign * line.paid)}{units}")
            out.append(f"DTM*472*{_day(line.service_date)}")
            for group, carc, amount in line.adjustments:
                out.append(f"CAS*{group}*{carc}*{_amount(sign * amount)}")
            if line.control:
                out.append(f"REF*6R*{line.control}")
            if line.rate_code:
                out.append(f"REF*RB*{line.rate_code}")
            if line.allowed is not None:
                out.append(f"AMT*B6*{_amount(sign * line.allowed)}")
            out += [f"LQ*HE*{remark}" for remark in line.remarks]
    out.append(f"SE*{len(out) + 1}*{control}")
    return out


def remittance(payments: list[Payment], crlf: bool = False) -> bytes:
    """A whole 835 file: one interchange, one functional group, a transaction per payment."""
    isa = ("ISA*00*          *00*          *ZZ*" + "DELTADENTAL".ljust(15) + "*ZZ*"
           + "SMILESTUDIO".ljust(15) + "*261101*1200*^*00501*000000001*0*P*:")
    segments = [isa, "GS*HP*DELTADENTAL*SMILESTUDIO*20261101*1200*1*X*005010X221A1"]
    for number, payment in enumerate(payments, start=1):
        segments += transaction(payment, f"{number:04d}")
    segments += [f"GE*{len(payments)}*1", "IEA*1*000000001"]
    return ("~\r\n" if crlf else "~").join(segments).encode("ascii") + b"~"
