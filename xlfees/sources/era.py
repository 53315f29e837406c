"""Electronic remittance advice: X12 835 files (4010 and 5010) read into payments,
claims and service lines.

A small strict reader of our own rather than a general X12 library: an 835 needs a
few dozen segment types, and what matters here is saying precisely where a file goes
wrong (the file and the segment number) and refusing what is not an 835. pyx12, the
well-known validator, validates against full implementation-guide maps and reports
problems as a validation report rather than stopping at the first one; it is more
than reading remittances needs, and its error reports are not a user's one line.

Separators come from the ISA segment as declared (element, component, repetition,
segment terminator); line breaks between segments, a UTF-8 byte-order mark, several
ST transactions and several interchanges per file are all accepted. Stdlib only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

from ..money import excel_round, money
from ..errors import XlfeesError
from ..files import NotAFileError, TooLargeError, read_limited

# An 835 segment is at most a few hundred characters; a much longer one means the
# declared segment terminator is missing (a whole file read as one "segment").
LONGEST_SEGMENT = 4096
MAX_FILE_BYTES = 50 * 1024 * 1024     # as for every other input (README)
MAX_AMOUNT = 100_000_000.0
# Transaction sets a practice's folder may hold that are not remittances.
OTHER_TRANSACTIONS = {"837": "a claim (837)", "277": "a claim status response (277)",
                      "276": "a claim status request (276)", "270": "an eligibility inquiry "
                      "(270)", "271": "an eligibility response (271)", "999": "an "
                      "acknowledgment (999)", "997": "an acknowledgment (997)",
                      "834": "an enrollment file (834)", "820": "a premium payment (820)"}


class EraError(XlfeesError):
    """An 835 file that cannot be read: which file, which segment, what is wrong."""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason: group (CO, PR, OA, PI), claim adjustment reason code, amount."""

    group: str
    carc: str
    amount: float
    quantity: float | None = None


@dataclass(slots=True)
class ServiceLine:
    qualifier: str            # AD (CDT), HC (CPT/HCPCS)…
    code: str
    charge: float
    paid: float
    units: float
    service_date: date | None = None
    allowed: float | None = None       # AMT*B6
    adjustments: list[Adjustment] = field(default_factory=list)
    segment: int = 0
    control: str = ""          # REF*6R: the practice's line item control number
    rate_code: str = ""        # REF*RB: the rate code the payer priced the line by
    remarks: list[str] = field(default_factory=list)   # LQ*HE: remittance remark codes

    def adjusted(self, group: str) -> float:
        return sum(a.amount for a in self.adjustments if a.group == group)


@dataclass(slots=True)
class Claim:
    claim_id: str             # CLP01: the practice's patient control number
    status: str               # CLP02: 1 primary, 2 secondary, 4 denied, 22 reversal…
    charge: float
    paid: float
    patient_responsibility: float
    payer_claim_id: str = ""  # CLP07
    received: date | None = None       # DTM*050
    # DTM*232: the claim's statement period start, the service date of lines that carry
    # none of their own (the 5010 guide lets a claim date its lines once).
    statement_from: date | None = None
    patient: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: list[ServiceLine] = field(default_factory=list)
    segment: int = 0
    class_of_contract: str = ""        # REF*CE: the contract the payer says it applied
    # REF*9A / REF*9C: a repricer (a rental or umbrella network) priced the claim.
    repriced: str = ""

    @property
    def reversal(self) -> bool:
        return self.status == "22"


@dataclass(slots=True)
class Payment:
    """One ST/SE transaction: one check or EFT from one payer to one payee."""

    version: str
    payer: str = ""
    payer_id: str = ""
    payee: str = ""
    payee_id: str = ""
    total_paid: float = 0.0           # BPR02
    method: str = ""                  # BPR04: CHK, ACH, NON…
    payment_date: date | None = None  # BPR16
    trace: str = ""                   # TRN02: the check or EFT number
    provider_adjustments: float = 0.0  # Σ PLB amounts (positive: money withheld)
    claims: list[Claim] = field(default_factory=list)
    segment: int = 0
    control: str = ""                 # ST02: the transaction's control number
    payee_tin: str = ""               # N104 when N103 is FI: the practice's tax id


@dataclass
class Remittance:
    file: str
    payments: list[Payment] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)   # (segment, what)


@dataclass(frozen=True)
class Separators:
    element: str
    component: str
    repetition: str | None
    segment: str


def _separators(text: str, file: str) -> tuple[Separators, int]:
    """The separators the ISA segment declares, and where the first segment starts."""
    start = text.find("ISA")
    if start < 0 or text[:start].strip():
        raise EraError(f"{file}: not an X12 file (it does not start with an ISA segment): "
                       "an 835 remittance starts 'ISA*'")
    element = text[start + 3:start + 4]
    if not element or element.isalnum() or element.isspace():
        raise EraError(f"{file}: segment 1 (ISA): no element separator after 'ISA'")
    # ISA is 16 elements; ISA16 (one character) is the component separator and the
    # character right after it ends the segment. Counting separators, rather than
    # trusting the fixed width, also reads ISAs whose fields are not padded.
    position = start
    for _ in range(16):
        position = text.find(element, position + 1)
        if position < 0:
            raise EraError(f"{file}: segment 1 (ISA) is cut short: fewer than 16 elements")
    component = text[position + 1:position + 2]
    terminator = text[position + 2:position + 3]
    if not component or not terminator or terminator == element:
        raise EraError(f"{file}: segment 1 (ISA) is cut short after ISA16")
    fields = text[start:position + 1].split(element)
    repetition = fields[11] if len(fields) > 11 and len(fields[11]) == 1 and fields[11] != "U" \
        else None
    return Separators(element, component, repetition, terminator), start


def segments(text: str, file: str) -> list[list[str]]:
    """Every segment as its elements (the segment id first), in file order."""
    return list(iter_segments(text, file))


def iter_segments(text: str, file: str) -> Iterator[list[str]]:
    """The segments one at a time: a 50 MB file is never held as a million lists."""
    separators, start = _separators(text, file)
    element = separators.element
    for number, raw in enumerate(text[start:].split(separators.segment), start=1):
        raw = raw.strip("\r\n\t ")
        if not raw:
            continue
        if len(raw) > LONGEST_SEGMENT:
            raise EraError(f"{file}: segment {number} is {len(raw):,} characters long, not "
                           f"an X12 segment: is the segment terminator "
                           f"{separators.segment!r} the ISA declares missing?")
        elements = raw.split(element)
        tag = elements[0].strip()
        # A segment id: a letter, then one or two letters or digits (not a regex: this
        # runs once per segment, a million times in a big file).
        if not (1 < len(tag) < 4 and tag.isascii() and tag.isalnum() and tag[0].isalpha()):
            raise EraError(f"{file}: segment {number} starts {raw[:24]!r}, not a segment id "
                           f"followed by the element separator {element!r} the ISA "
                           "declares: the file mixes separators")
        yield elements


def _last_segment_id(text: str, separators: Separators) -> str:
    """The id of the file's last segment, read from its end."""
    for raw in reversed(text.rsplit(separators.segment, 3)):
        raw = raw.strip("\r\n\t ")
        if raw:
            return raw.split(separators.element)[0].strip().upper()
    return ""


def _amount(value: str, file: str, number: int, name: str) -> float:
    shown = value if len(value) <= 24 else value[:24] + "…"
    try:
        amount = float(value)
    except ValueError:
        raise EraError(f"{file}: segment {number} ({name}): {shown!r} is not an "
                       "amount") from None
    if not math.isfinite(amount) or abs(amount) > MAX_AMOUNT:
        # No dental remittance pays a hundred million dollars on one line; such a
        # figure is a damaged or crafted file, and sums of it would overflow.
        raise EraError(f"{file}: segment {number} ({name}): {shown!r} is not a plausible "
                       f"amount (over ${MAX_AMOUNT:,.0f}); ask the payer for the file again")
    return amount


def _date(value: str, notes: list[tuple[int, str]], number: int) -> date | None:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8])) if len(value) == 8 \
            else None
    except ValueError:
        notes.append((number, f"{value!r} is not a date (CCYYMMDD): left blank"))
        return None


def _get(elements: list[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""


def read_era(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Remittance:
    """Read an 835 file; EraError names the file and the segment when it cannot."""
    path = Path(path)
    file = str(path)
    try:
        data = read_limited(path, max_bytes, file)
    except (NotAFileError, TooLargeError) as error:
        raise EraError(str(error)) from None
    except OSError as error:
        raise EraError(f"{file}: cannot read it ({error.strerror or error})") from None
    return parse_era(data, file)


def parse_era(data: bytes, file: str = "<835>") -> Remittance:
    """Read 835 bytes (see :func:`read_era`)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # X12's character set is ASCII; Latin-1 maps any stray byte without failing.
    text = _unwrapped(data.decode("latin-1"))
    separators, _ = _separators(text, file)
    remittance = Remittance(file=file)
    notes = remittance.notes
    payment: Payment | None = None
    claim: Claim | None = None
    line: ServiceLine | None = None
    in_transaction = in_interchange = False
    transaction_start = 0
    version = ""
    # N1 loops: 1000A is the payer (PR), 1000B the payee (PE); NM1 inside claims.
    if _last_segment_id(text, separators) != "IEA":
        # Checked first: a file cut mid-segment would otherwise fail on the cut segment.
        found = segments(text, file)
        last = found[-1][0].strip().upper() if found else ""
        raise EraError(f"{file}: ends at segment {len(found)} ({last or 'nothing'}) without "
                       "the IEA that closes an interchange: the file is cut short")
    for number, elements in enumerate(iter_segments(text, file), start=1):
        tag = elements[0].strip().upper()
        where = f"{file}: segment {number} ({tag})"
        if tag == "ISA":
            if in_interchange:
                raise EraError(f"{where}: a new interchange starts before the IEA of the "
                               "last one: the file is cut or two files were joined")
            in_interchange = True
            continue
        if not in_interchange:
            raise EraError(f"{where}: outside an interchange (after its IEA)")
        if tag == "IEA":
            if in_transaction:
                raise EraError(f"{where}: the interchange ends inside a transaction: SE is "
                               "missing")
            in_interchange = False
            continue
        if tag == "GS":
            version = _get(elements, 8)
            continue
        if tag == "GE":
            continue
        if tag == "ST":
            kind = _get(elements, 1)
            if kind != "835":
                what = OTHER_TRANSACTIONS.get(kind, f"an X12 {kind or '(unnamed)'} transaction")
                raise EraError(f"{file}: is {what}, not an 835 remittance (segment {number}: "
                               f"ST*{kind})")
            if in_transaction:
                raise EraError(f"{where}: a transaction starts before the last one's SE")
            in_transaction, transaction_start = True, number
            payment = Payment(version=version, segment=number, control=_get(elements, 2))
            remittance.payments.append(payment)
            claim = line = None
            continue
        if not in_transaction or payment is None:
            raise EraError(f"{where}: outside an ST/SE transaction")
        if tag == "SE":
            count = _get(elements, 1)
            if count.isdigit() and int(count) != number - transaction_start + 1:
                notes.append((number, f"SE says {count} segments, the transaction has "
                                      f"{number - transaction_start + 1}"))
            in_transaction = False
            payment = claim = line = None
            continue
        if tag == "BPR":
            payment.total_paid = _amount(_get(elements, 2), file, number, "BPR02")
            payment.method = _get(elements, 4)
            payment.payment_date = _date(_get(elements, 16), notes, number)
        elif tag == "TRN":
            payment.trace = _get(elements, 2)
        elif tag == "N1":
            role = _get(elements, 1)
            if role == "PR":
                payment.payer = _get(elements, 2)
            elif role == "PE":
                payment.payee, payment.payee_id = _get(elements, 2), _get(elements, 4)
                payment.payee_tin = _get(elements, 4) if _get(elements, 3) == "FI" else ""
        elif tag == "REF" and claim is None and _get(elements, 1) == "2U":
            payment.payer_id = _get(elements, 2)
        elif tag == "REF" and claim is None and _get(elements, 1) == "TJ":
            payment.payee_tin = payment.payee_tin or _get(elements, 2)   # the payee's TIN
        elif tag == "REF" and claim is not None:
            # The 835's own word on which contract priced the claim and its lines.
            qualifier, value = _get(elements, 1), _get(elements, 2)
            if line is None and qualifier == "CE":
                claim.class_of_contract = value
            elif line is None and qualifier in ("9A", "9C"):
                claim.repriced = "; ".join(filter(None, (claim.repriced, f"{qualifier} {value}")))
            elif line is not None and qualifier == "RB":
                line.rate_code = value
            elif line is not None and qualifier == "6R":
                line.control = value
        elif tag == "CLP":
            if len(elements) < 5 or not _get(elements, 1):
                raise EraError(f"{where}: a claim needs CLP01 to CLP04 (claim id, status, "
                               "charge, paid)")
            claim = Claim(claim_id=_get(elements, 1), status=_get(elements, 2),
                          charge=_amount(_get(elements, 3) or "0", file, number, "CLP03"),
                          paid=_amount(_get(elements, 4) or "0", file, number, "CLP04"),
                          patient_responsibility=_amount(_get(elements, 5) or "0", file,
                                                         number, "CLP05"),
                          payer_claim_id=_get(elements, 7), segment=number)
            payment.claims.append(claim)
            line = None
        elif tag == "NM1" and claim is not None and _get(elements, 1) == "QC":
            claim.patient = " ".join(p for p in (_get(elements, 4), _get(elements, 3)) if p)
        elif tag == "SVC":
            if claim is None:
                raise EraError(f"{where}: a service line before any claim (CLP)")
            composite = _get(elements, 1)
            parts = _composite(composite, separators)
            if len(parts) < 2:
                # "SVC*HC*24599*…": no composite, the code in the wrong element, so every
                # amount after it is out of place too: the line is left out.
                notes.append((number, f"service line {composite!r} has no procedure code: "
                                      "left out"))
                line = None
                continue
            if not parts[1]:
                # "SVC*AD:*120*100": a line without its code. Kept (its money and its
                # adjustments are part of the claim's balance), never compared.
                notes.append((number, f"service line {composite!r} has no procedure code: "
                                      "its amounts count in the claim, it is not compared"))
            line = ServiceLine(qualifier=parts[0].upper(), code=parts[1].upper(),
                               charge=_amount(_get(elements, 2) or "0", file, number, "SVC02"),
                               paid=_amount(_get(elements, 3) or "0", file, number, "SVC03"),
                               units=_amount(_get(elements, 5) or "1", file, number, "SVC05"),
                               segment=number)
            claim.lines.append(line)
        elif tag == "DTM":
            qualifier, value = _get(elements, 1), _get(elements, 2)
            if qualifier in ("472", "150") and line is not None:
                line.service_date = _date(value, notes, number)
            elif qualifier == "050" and claim is not None:
                claim.received = _date(value, notes, number)
            elif qualifier == "232" and claim is not None and line is None:
                claim.statement_from = _date(value, notes, number)
        elif tag == "CAS":
            owner = line.adjustments if line is not None else (
                claim.adjustments if claim is not None else None)
            if owner is None:
                notes.append((number, "an adjustment (CAS) outside any claim: left out"))
                continue
            group = _get(elements, 1)
            for index in range(2, len(elements), 3):
                carc = _get(elements, index)
                if not carc:
                    continue
                amount = _amount(_get(elements, index + 1) or "0", file, number, "CAS")
                quantity = _get(elements, index + 2)
                owner.append(Adjustment(group, carc, amount,
                                        _amount(quantity, file, number, "CAS quantity")
                                        if _is_number(quantity) else None))
        elif tag == "LQ" and line is not None and _get(elements, 1) == "HE":
            line.remarks.append(_get(elements, 2))
        elif tag == "AMT" and line is not None and _get(elements, 1) == "B6":
            line.allowed = _amount(_get(elements, 2), file, number, "AMT02")
        elif tag == "PLB":
            for index in range(3, len(elements), 2):
                if _get(elements, index + 1):
                    payment.provider_adjustments += _amount(_get(elements, index + 1), file,
                                                            number, "PLB")
    if in_transaction:
        raise EraError(f"{file}: ends inside a transaction (no SE after segment "
                       f"{transaction_start}): the file is cut short")
    if in_interchange:
        raise EraError(f"{file}: ends without its IEA: the file is cut short")
    if not remittance.payments:
        raise EraError(f"{file}: an X12 interchange with no 835 transaction in it")
    return remittance


def _unwrapped(text: str) -> str:
    """An 835 a clearinghouse wrapped at a fixed width (80 columns, say: every line as
    long as the first, the last shorter) as the one stream X12 is: its line breaks are
    not the segment terminator, so they go (X12's character set has no line breaks)."""
    lines = text.splitlines()
    if len(lines) < 3:
        return text
    width = len(lines[0])
    if width < 40 or any(len(line) != width for line in lines[1:-1]) \
            or len(lines[-1]) > width or not lines[0].startswith("ISA"):
        return text
    # A segment ending exactly at a line's end is the usual case for "~\n" files; a fixed
    # width with segments cut mid-line is a wrap.
    if all(line.endswith(("~", "\\", "'")) for line in lines[:-1]):
        return text
    return "".join(lines)


def _is_number(value: str) -> bool:
    if not value:
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _composite(value: str, separators: Separators) -> list[str]:
    """SVC01's qualifier and code. Some real files declare ':' in ISA16 and use '>':
    when the declared separator is absent, the other usual ones are tried."""
    for separator in (separators.component, ">", ":", "^", "<"):
        if separator and separator in value:
            return value.split(separator)
    return [value]


@dataclass(frozen=True)
class Reconciliation:
    """Whether a payment's figures add up: Σ line paid − claim-level adjustments = claim
    paid, Σ claim paid − provider adjustments = the check (BPR02)."""

    payment: Payment
    claims_paid: float
    claims_off: list[tuple[Claim, float]]   # claims that do not add up: (claim, Σ lines)

    @property
    def check_difference(self) -> float:
        return excel_round(self.claims_paid - self.payment.provider_adjustments
                     - self.payment.total_paid, 2)


def reconcile(payment: Payment) -> Reconciliation:
    off = []
    for claim in payment.claims:
        if claim.lines:
            lines = excel_round(sum(line.paid for line in claim.lines)
                          - sum(a.amount for a in claim.adjustments), 2)
            if abs(lines - claim.paid) > 0.005:
                off.append((claim, lines))
    return Reconciliation(payment, excel_round(sum(c.paid for c in payment.claims), 2), off)


def looks_like_x12(path: str | Path) -> bool:
    """The file starts (after a byte-order mark and blank space) with an ISA segment.

    Only a regular file is opened: a pipe or a device would block the read.
    """
    try:
        if not Path(path).is_file():
            return False
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"ISA")


def _money(value: float) -> str:
    return money(value)   # -$5.00, as the workbook shows it


def describe(remittance: Remittance) -> dict:
    """What ``xlfees inspect FILE.835 --json`` prints."""
    payments = []
    for payment in remittance.payments:
        check = reconcile(payment)
        lines = [line for claim in payment.claims for line in claim.lines]
        payments.append({
            "segment": payment.segment, "version": payment.version, "payer": payment.payer,
            "payer_id": payment.payer_id, "payee": payment.payee, "payee_id": payment.payee_id,
            "trace": payment.trace, "method": payment.method,
            "payment_date": payment.payment_date.isoformat() if payment.payment_date else None,
            "total_paid": payment.total_paid,
            "provider_adjustments": excel_round(payment.provider_adjustments, 2),
            "claims": len(payment.claims), "lines": len(lines),
            "billed": excel_round(sum(c.charge for c in payment.claims), 2),
            "claims_paid": check.claims_paid,
            "lines_paid": excel_round(sum(line.paid for line in lines), 2),
            "reversals": sum(c.reversal for c in payment.claims),
            "reconciles": not check.claims_off and check.check_difference == 0,
            "check_difference": check.check_difference,
            "claims_off": [{"claim": claim.claim_id, "segment": claim.segment,
                            "claim_paid": claim.paid, "lines_paid": lines_paid}
                           for claim, lines_paid in check.claims_off]})
    return {"file": remittance.file, "payments": payments,
            "notes": [{"segment": n, "note": text} for n, text in remittance.notes]}


def render(remittance: Remittance) -> str:
    """``xlfees inspect FILE.835``: what was read, and whether the money adds up."""
    described = describe(remittance)
    out = [f"{remittance.file}: X12 835 remittance, "
           f"{len(described['payments'])} payment{'s' if len(described['payments']) != 1 else ''}"]
    for number, p in enumerate(described["payments"], start=1):
        out.append(f"Payment {number} ({p['version'] or 'version not given'}, segment "
                   f"{p['segment']}): {p['payer'] or '(payer not named)'} → "
                   f"{p['payee'] or '(payee not named)'}"
                   + (f" ({p['payee_id']})" if p["payee_id"] else ""))
        out.append(f"  {p['method'] or 'payment'} {p['trace'] or '(no trace number)'}, "
                   f"{p['payment_date'] or 'no payment date'}: {_money(p['total_paid'])}")
        out.append(f"  {p['claims']} claim{'s' if p['claims'] != 1 else ''} "
                   f"({p['reversals']} reversed), {p['lines']} service "
                   f"line{'s' if p['lines'] != 1 else ''}: billed {_money(p['billed'])}, "
                   f"claims paid {_money(p['claims_paid'])}")
        if p["reconciles"]:
            adjustments = (f" − provider adjustments {_money(p['provider_adjustments'])}"
                           if p["provider_adjustments"] else "")
            out.append(f"  reconciles: lines = claims, claims{adjustments} = the payment "
                       f"{_money(p['total_paid'])}")
            continue
        for off in p["claims_off"]:
            out.append(f"  does not reconcile: claim {off['claim']} (segment {off['segment']}) "
                       f"paid {_money(off['claim_paid'])}, its lines "
                       f"{_money(off['lines_paid'])}")
        if p["check_difference"]:
            out.append(f"  does not reconcile: claims paid {_money(p['claims_paid'])} − "
                       f"provider adjustments {_money(p['provider_adjustments'])} = "
                       f"{_money(p['claims_paid'] - p['provider_adjustments'])}, the payment "
                       f"{_money(p['total_paid'])} (off by {_money(p['check_difference'])})")
    for note in described["notes"]:
        out.append(f"note: segment {note['segment']}: {note['note']}")
    return "\n".join(out)
