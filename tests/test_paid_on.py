"""Which contract paid each remittance line, and did the raise arrive: by hand.

The client: office fees D0120 60, D1110 120, D2391 200. Acme Dental (PPO) has a
schedule effective 2025-01-01 (D0120 40, D1110 80, D2391 150) and one effective
2026-07-01 (D0120 40, D1110 88, D2391 165); the practice also keeps DenteMax's rental
schedule (D0120 36, D1110 72, D2391 140) and Beacon Health (PPO)'s (D0120 45, D1110 85,
D2391 150: the same D2391 as Acme's 2025). Acme's volume: D0120 80, D1110 100, D2391 40.

Acme's ERAs, line by line (allowed; what priced it; contracted in force; below by):
  L1  C1 2026-04-10 D1110  80  Acme 2025 (in force)          80   0
  L2  C1 2026-04-10 D0120  40  Acme 2025 (in force)          40   0
  L3  C2 2026-05-12 D2391 150  Acme 2025 or Beacon: May has 2 Acme-2025 lines, 1 Beacon
                                 → Acme 2025 (in force)      150   0
  L4  C2 2026-05-12 D1110  80  Acme 2025 (in force)          80   0
  L5  C3 2026-07-15 D1110  88  Acme 2026 (in force)          88   0
  L6  C3 2026-07-15 D2391 165  Acme 2026 (in force)         165   0
  L7  C4 2026-08-03 D1110  80  Acme 2025: an older version    88   8
  L8  C4 2026-08-03 D2391 150  Acme 2025 or Beacon: August 2 to 1 → older version
                                                             165  15
  L9  C5 2026-09-09 D1110  72  DenteMax                       88  16
  L10 C5 2026-09-09 D2391 140  DenteMax                      165  25
  L11 C6 2026-09-20 D0120  36  DenteMax                       40   4
  L12 C6 2026-09-20 D1110  75  none known                     88  13
  L13 C7 2026-10-05 D2391 150  Acme 2025 or Beacon, one line each in October: ambiguous
                                                             165  15
Acme: 13 lines, 6 contracted, 2 older, 3 other, 1 ambiguous, 1 none; lost 96 over
April–October (7 months): 96 × 12 / 7 = 164.57 a year.
The raise (2026-07-01), lines L5–L13: at new L5 L6 (2); at old L7 L8 L13 (3); other
L9–L12 (4; L11's D0120 is 40 old and new, paid 36). Promised 100 × 8 + 40 × 15 + 80 × 0
= 1,400. Realized Σ(allowed − old) = 8 + 15 + 0 + 0 − 8 − 10 − 4 − 5 + 0 = −4. Missed
Σ(new − allowed) below new = 8 + 15 + 16 + 25 + 4 + 13 + 15 = 96. Last line at the old
rate: 2026-10-05.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from era_make import Claim, Line, Payment, remittance
from xlfees import analyze, load_client
from xlfees.cli import cli

FEES = {"D0120": 60.0, "D1110": 120.0, "D2391": 200.0}
ACME_2025 = "Acme Dental (PPO), effective 2025-01-01"
ACME_2026 = "Acme Dental (PPO), effective 2026-07-01"


def _line(code: str, allowed: float, day: date, **evidence) -> Line:
    """A line as a payer pays it: billed the office fee, CO-45 down to the allowed amount,
    the patient's 20 % coinsurance (PR-2), the rest paid."""
    paid = round(allowed * 0.8, 2)
    return Line(code, FEES[code], paid, allowed=allowed, service_date=day,
                adjustments=[("CO", "45", round(FEES[code] - allowed, 2)),
                             ("PR", "2", round(allowed - paid, 2))], **evidence)


def _payments() -> tuple[Payment, Payment]:
    spring = Payment("ACME DENTAL", [
        Claim("C1", [_line("D1110", 80, date(2026, 4, 10)),
                     _line("D0120", 40, date(2026, 4, 10))], received=date(2026, 4, 12)),
        Claim("C2", [_line("D2391", 150, date(2026, 5, 12)),
                     _line("D1110", 80, date(2026, 5, 12))], received=date(2026, 5, 13))],
        paid_on=date(2026, 5, 20), trace="T-SPRING")
    autumn = Payment("ACME DENTAL", [
        Claim("C3", [_line("D1110", 88, date(2026, 7, 15)),
                     _line("D2391", 165, date(2026, 7, 15))], received=date(2026, 7, 16)),
        Claim("C4", [_line("D1110", 80, date(2026, 8, 3), rate_code="2025STD"),
                     _line("D2391", 150, date(2026, 8, 3), rate_code="2025STD")],
              received=date(2026, 8, 4), class_of_contract="ACME-PPO-2025"),
        Claim("C5", [_line("D1110", 72, date(2026, 9, 9)),
                     _line("D2391", 140, date(2026, 9, 9))], received=date(2026, 9, 10),
              repriced="DMX445566"),
        Claim("C6", [_line("D0120", 36, date(2026, 9, 20)),
                     _line("D1110", 75, date(2026, 9, 20))], received=date(2026, 9, 21)),
        Claim("C7", [_line("D2391", 150, date(2026, 10, 5))], received=date(2026, 10, 6))],
        paid_on=date(2026, 10, 15), trace="T-AUTUMN")
    return spring, autumn


def make_client(folder: Path, names: tuple[str, str] = ("a-spring.835", "b-autumn.835"),
                twice: bool = False) -> Path:
    """The client folder of the module docstring; its two ERAs under ``names``."""
    (folder / "payers").mkdir(parents=True)
    (folder / "era").mkdir()
    (folder / "client.toml").write_text('name = "Contract Check Dental"\n', encoding="utf-8")
    (folder / "office_fees.csv").write_text(
        "code,description,office_fee\nD0120,Periodic oral evaluation,60.00\n"
        "D1110,Prophylaxis - adult,120.00\nD2391,Resin-based composite - one surface,200.00\n")

    def schedule(name: str, payer: str, network: str, amounts: tuple[float, float, float],
                 effective: str = "") -> None:
        (folder / "payers" / name).write_text(
            "payer,network,code,allowed,effective\n" + "".join(
                f"{payer},{network},{code},{amount:.2f},{effective}\n"
                for code, amount in zip(("D0120", "D1110", "D2391"), amounts)))
    schedule("acme-2025.csv", "Acme Dental", "PPO", (40, 80, 150), "2025-01-01")
    schedule("acme-2026.csv", "Acme Dental", "PPO", (40, 88, 165), "2026-07-01")
    schedule("dentemax.csv", "DenteMax", "", (36, 72, 140))
    schedule("beacon.csv", "Beacon Health", "PPO", (45, 85, 150))
    (folder / "volume.csv").write_text("code,payer,count\nD0120,Acme Dental PPO,80\n"
                                       "D1110,Acme Dental PPO,100\nD2391,Acme Dental PPO,40\n")
    spring, autumn = _payments()
    (folder / "era" / names[0]).write_bytes(remittance([spring]))
    (folder / "era" / names[1]).write_bytes(remittance([autumn], crlf=True))
    if twice:
        (folder / "era" / ("copy of " + names[1])).write_bytes(remittance([autumn]))
    return folder


@pytest.fixture
def client(tmp_path: Path) -> Path:
    return make_client(tmp_path / "contract-check")


EXPECTED_LINES = [
    # claim, code, service date, schedule matched, matched as, contracted, difference
    ("C1", "D1110", "2026-04-10", ACME_2025, "contracted", 80, 0),
    ("C1", "D0120", "2026-04-10", ACME_2025, "contracted", 40, 0),
    ("C2", "D2391", "2026-05-12", ACME_2025, "contracted", 150, 0),
    ("C2", "D1110", "2026-05-12", ACME_2025, "contracted", 80, 0),
    ("C3", "D1110", "2026-07-15", ACME_2026, "contracted", 88, 0),
    ("C3", "D2391", "2026-07-15", ACME_2026, "contracted", 165, 0),
    ("C4", "D1110", "2026-08-03", ACME_2025, "older version", 88, 8),
    ("C4", "D2391", "2026-08-03", ACME_2025, "older version", 165, 15),
    ("C5", "D1110", "2026-09-09", "DenteMax", "other schedule", 88, 16),
    ("C5", "D2391", "2026-09-09", "DenteMax", "other schedule", 165, 25),
    ("C6", "D0120", "2026-09-20", "DenteMax", "other schedule", 40, 4),
    ("C6", "D1110", "2026-09-20", "", "none known", 88, 13),
    ("C7", "D2391", "2026-10-05", f"{ACME_2025} or Beacon Health (PPO)", "ambiguous", 165, 15),
]


def _attributed(folder: Path) -> list[tuple]:
    lines = analyze(load_client(folder)).paid_on.lines
    return sorted((r.patient_control_number, r.code, r.service_date.isoformat(),
                   r.schedule_matched, r.matched_as, r.contracted, r.difference)
                  for r in lines.itertuples())


def test_every_line_is_attributed_as_built(client: Path) -> None:
    """Each of the 13 lines: the schedule that priced it, and what it lost."""
    assert _attributed(client) == sorted(EXPECTED_LINES)


def test_per_payer_shares_and_what_was_lost(client: Path) -> None:
    """Acme: 6 of 13 lines on its contract; 96 lost over 7 months, 164.57 a year."""
    payers = analyze(load_client(client)).paid_on.payers
    (acme,) = payers[payers["payer"] == "Acme Dental"].to_dict("records")
    assert {k: acme[k] for k in ("lines", "contracted_lines", "older_lines", "other_lines",
                                 "ambiguous_lines", "unknown_lines", "lost", "months",
                                 "lost_a_year")} == {
        "lines": 13, "contracted_lines": 6, "older_lines": 2, "other_lines": 3,
        "ambiguous_lines": 1, "unknown_lines": 1, "lost": 96.0, "months": 7,
        "lost_a_year": 164.57}
    assert acme["contracted_share"] == pytest.approx(6 / 13)


def test_promised_realized_and_missed_by_hand(client: Path) -> None:
    """The raise of 2026-07-01: 2 lines at new, 3 at old, 4 other; promised 1,400,
    realized −4, missed 96, last at the old rate 2026-10-05 (analyze --json)."""
    result = CliRunner().invoke(cli, ["analyze", str(client), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["realized"] == [{
        "payer": "Acme Dental", "network": "PPO", "effective": "2026-07-01",
        "lines_since": 9, "lines_at_new": 2, "lines_at_old": 3, "lines_other": 4,
        "promised": 1400.0, "realized": -4.0, "missed": 96.0,
        "last_old_rate_date": "2026-10-05"}]
    august = [row for row in document["paid_on"] if row["month"] == "2026-08"]
    assert august == [
        {"payer": "Acme Dental", "network": "PPO", "code": "D1110", "month": "2026-08",
         "lines": 1, "schedule_matched": ACME_2025, "matched_as": "older version",
         "contracted": 88.0, "allowed": 80.0, "difference": 8.0},
        {"payer": "Acme Dental", "network": "PPO", "code": "D2391", "month": "2026-08",
         "lines": 1, "schedule_matched": ACME_2025, "matched_as": "older version",
         "contracted": 165.0, "allowed": 150.0, "difference": 15.0}]


def test_the_exhibit_lists_exactly_the_lines_paid_below_the_schedule_in_force(
        client: Path) -> None:
    """L7–L13, each with its trace number and the 835's evidence where it gave any."""
    exhibit = analyze(load_client(client)).paid_on.exhibit
    assert sorted((r.patient_control_number, r.code, r.allowed, r.contracted, r.difference,
                   r.trace) for r in exhibit.itertuples()) == sorted(
        (claim, code, float(contracted - below), float(contracted), float(below), "T-AUTUMN")
        for claim, code, _, _, _, contracted, below in EXPECTED_LINES if below)
    lines = analyze(load_client(client)).paid_on.lines
    c4 = lines[lines["patient_control_number"] == "C4"]
    assert set(c4["class_of_contract"]) == {"ACME-PPO-2025"}
    assert set(c4["rate_code"]) == {"2025STD"}
    assert set(lines[lines["patient_control_number"] == "C5"]["repriced"]) == {"9A DMX445566"}


def test_file_order_and_a_file_twice_change_nothing(client: Path, tmp_path: Path) -> None:
    """The ERAs named the other way round, and the autumn one twice: the same figures."""
    other = make_client(tmp_path / "other", names=("z-spring.835", "a-autumn.835"), twice=True)
    first, second = analyze(load_client(client)), analyze(load_client(other))
    assert first.paid_on.to_dict() == second.paid_on.to_dict()
    assert _attributed(other) == sorted(EXPECTED_LINES)


def test_a_tie_is_ambiguous_and_names_both_schedules(client: Path) -> None:
    """October's one D2391 at 150 is Acme's 2025 amount and Beacon's: neither prices more
    of Acme's October lines, so it is reported as ambiguous, not guessed."""
    groups = analyze(load_client(client)).paid_on.groups
    (october,) = groups[groups["month"] == "2026-10"].to_dict("records")
    assert october["matched_as"] == "ambiguous"
    assert october["schedule_matched"] == f"{ACME_2025} or Beacon Health (PPO)"


def test_the_835s_evidence_is_read(tmp_path: Path) -> None:
    """REF*CE and REF*9A on the claim, REF*RB, REF*6R and LQ*HE on the line, the payee's
    TIN (N1*PE*…*FI): read as the 5010 guide places them."""
    from era_make import transaction
    from xlfees.sources.era import parse_era

    payment = Payment("ACME", [Claim("C9", [Line("D1110", 120, 64, allowed=80,
                                                 rate_code="R1", control="LINE-1",
                                                 remarks=["N130", "M15"])],
                                     class_of_contract="CE1", repriced="RP1")])
    segments = transaction(payment, "0001")
    segments = [s.replace("*XX*1234567893", "*FI*123456789") for s in segments]
    isa = ("ISA*00*          *00*          *ZZ*" + "ACME".ljust(15) + "*ZZ*"
           + "PRACTICE".ljust(15) + "*261101*1200*^*00501*000000001*0*P*:")
    data = "~".join([isa, "GS*HP*ACME*PRACTICE*20261101*1200*1*X*005010X221A1", *segments,
                     "GE*1*1", "IEA*1*000000001"]) + "~"
    (read,) = parse_era(data.encode("ascii")).payments
    claim = read.claims[0]
    line = claim.lines[0]
    assert (read.payee_tin, claim.class_of_contract, claim.repriced) == (
        "123456789", "CE1", "9A RP1")
    assert (line.rate_code, line.control, line.remarks) == ("R1", "LINE-1", ["N130", "M15"])


@pytest.mark.usefixtures("needs_libreoffice")
def test_the_workbook_recalculates_the_paid_on_and_realized_figures(client: Path,
                                                                    tmp_path: Path) -> None:
    """Paid On and the Realized block, recalculated by LibreOffice from the Payments
    lines: the hand-worked figures (Acme's August rows; promised 1,400, realized −4,
    missed 96, 2 / 3 / 4 lines)."""
    from libreoffice import recalculate, values
    from xlfees import write_workbook
    from xlfees.workbook import spec

    path = write_workbook(analyze(load_client(client)), tmp_path / "contract-check.xlsx")
    book = values(recalculate(path, tmp_path))

    def table(name: str) -> list[dict]:
        spec_ = spec.TABLE_BY_NAME[name]
        sheet = book[spec_.sheet]
        rows = []
        for row in sheet.iter_rows(min_row=spec_.header_row + 1,
                                   min_col=spec_.first_column,
                                   max_col=spec_.first_column + len(spec_.columns) - 1):
            if row[0].value in (None, ""):
                break
            rows.append({c.header: cell.value for c, cell in zip(spec_.columns, row)})
        return rows

    august = [r for r in table("PaidOn") if r["Month"] == 202608]
    assert [(r["Code"], r["Schedule matched"], r["Matched as"], r["Lines"], r["Allowed"],
             r["Contracted"], r["Difference"]) for r in august] == [
        ("D1110", ACME_2025, "older version", 1, 80, 88, 8),
        ("D2391", ACME_2025, "older version", 1, 150, 165, 15)]
    (realized,) = table("Realized")
    assert {k: realized[k] for k in ("Schedule", "Effective", "At new", "At old", "Other",
                                     "Lines since", "Promised", "Realized", "Missed",
                                     "Last at old rate")} == {
        "Schedule": "Acme Dental (PPO)", "Effective": "2026-07-01", "At new": 2, "At old": 3,
        "Other": 4, "Lines since": 9, "Promised": 1400, "Realized": -4, "Missed": 96,
        "Last at old rate": "2026-10-05"}


def test_the_exhibit_pdf_and_the_letters_sentence(client: Path, tmp_path: Path) -> None:
    """`xlfees letters`: Acme's exhibit lists L7–L13 (paid at, should be, difference, trace)
    and the $96.00 total after a page of summary; its letter says the raise is not yet
    paid in full."""
    import pdfplumber
    from docx import Document

    out = tmp_path / "letters"
    result = CliRunner().invoke(cli, ["letters", str(client), "-o", str(out),
                                      "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out / 'Acme Dental (PPO) - paid below contract.pdf'}" in result.output
    with pdfplumber.open(out / "Acme Dental (PPO) - paid below contract.pdf") as pdf:
        first = pdf.pages[0].extract_text()
        table = [line for page in pdf.pages[1:] for line in
                 (page.extract_text() or "").splitlines()]
    assert "7 lines were allowed below it, $96.00 in all; at this pace $164.57 a year." in first
    assert "$1,400.00 a year" in first and "$96.00 below the new schedule" in first
    rows = [line for line in table if line.startswith("PC")]
    assert rows == [
        f"P{claim} {claim} {day[5:7]}/{day[8:]}/{day[:4]} {code} ${contracted - below:,.2f} "
        f"${contracted:,.2f} ${below:,.2f} T-AUTUMN"
        for claim, code, day, _, _, contracted, below in EXPECTED_LINES if below]
    assert "Total $96.00" in table
    letter = Document(out / "Acme Dental (PPO) - fee review request.docx")
    text = " ".join(p.text for p in letter.paragraphs)
    assert ("Your schedule effective July 1, 2026 is not yet paid in full: of 9 lines since, "
            "3 were paid at the earlier rates (the last on October 5, 2026). In all, 7 service "
            "lines were allowed below the schedule in force, $96.00 short") in text


def test_the_batch_index_shows_what_was_missed_since_the_raise(client: Path,
                                                               tmp_path: Path) -> None:
    """index.xlsx: "Missed since the raise" is Acme's 96.00."""
    import openpyxl

    clients = tmp_path / "clients"
    clients.mkdir()
    client.rename(clients / client.name)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / "index.xlsx")["Clients"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, (cell.value for cell in sheet[2])))
    assert row["Missed since the raise"] == 96
