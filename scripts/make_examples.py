"""Regenerate examples/lakeside-dental and examples/riverbend-family-dental (synthetic amounts).

The shapes are the ones practices receive: a consultant's wide comparison
sheet, a practice-management procedures report without a payer column, a text
PDF schedule, an Open Dental export, a workbook with an alternate-benefit
sheet, a Windows-1252 decimal-comma CSV. examples/smile-studio is the simple
canonical layout and is kept as it is, but for its era/ folder of remittances (X12 835,
written by tests/era_make.py).

    pip install openpyxl reportlab
    python scripts/make_examples.py
"""

from __future__ import annotations

import io
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlfees.written import normalised_zip  # noqa: E402

EXAMPLES = ROOT / "examples"

# (code, description, office fee, annual volume) for a typical general practice.
CODES = [
    ("D0120", "Periodic oral evaluation - established patient", 62, 1450),
    ("D0140", "Limited oral evaluation - problem focused", 95, 210),
    ("D0150", "Comprehensive oral evaluation", 110, 390),
    ("D0210", "Intraoral - comprehensive series of radiographic images", 150, 157),
    ("D0274", "Bitewings - four radiographic images", 76, 654),
    ("D0330", "Panoramic radiographic image", 130, 120),
    ("D1110", "Prophylaxis - adult", 118, 1263),
    ("D1120", "Prophylaxis - child", 85, 360),
    ("D1206", "Topical application of fluoride varnish", 52, 410),
    ("D1351", "Sealant - per tooth", 62, 95),
    ("D2140", "Amalgam - one surface, primary or permanent", 165, 77),
    ("D2150", "Amalgam - two surfaces, primary or permanent", 205, 90),
    ("D2160", "Amalgam - three surfaces, primary or permanent", 245, 25),
    ("D2330", "Resin-based composite - one surface, anterior", 185, 140),
    ("D2391", "Resin-based composite - one surface, posterior", 250, 430),
    ("D2392", "Resin-based composite - two surfaces, posterior", 310, 380),
    ("D2393", "Resin-based composite - three surfaces, posterior", 375, 120),
    ("D2740", "Crown - porcelain/ceramic", 1325, 174),
    ("D2750", "Crown - porcelain fused to high noble metal", 1290, 64),
    ("D2751", "Crown - porcelain fused to predominantly base metal", 1150, 12),
    ("D2791", "Crown - full cast predominantly base metal", 1100, 5),
    ("D2950", "Core buildup, including any pins when required", 360, 182),
    ("D3310", "Endodontic therapy, anterior tooth", 980, 24),
    ("D3330", "Endodontic therapy, molar tooth", 1380, 49),
    ("D4341", "Periodontal scaling and root planing - four or more teeth per quadrant",
     295, 150),
    ("D4910", "Periodontal maintenance", 150, 324),
    ("D6010", "Surgical placement of implant body: endosteal implant", 2450, 18),
    ("D7140", "Extraction, erupted tooth or exposed root", 215, 92),
    ("D7210", "Extraction, erupted tooth requiring removal of bone", 365, 52),
    ("D9110", "Palliative treatment of dental pain - per visit", 130, 40),
]


def allowed(rng: random.Random, fee: float, rate: float) -> float:
    return round(fee * rate * rng.uniform(0.9, 1.1), 2)


def save_workbook(book, path: Path) -> None:
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(normalised_zip(buffer.getvalue()))


def lakeside() -> None:
    """A comparison sheet that gives office fees and five payers; volume without payers."""
    import openpyxl

    folder = EXAMPLES / "lakeside-dental"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    payers = [("Delta Dental PPO", 0.66), ("Cigna DPPO", 0.58), ("Aetna PPO", 0.60),
              ("Guardian DentalGuard", 0.68), ("United Concordia", 0.57)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Compare"
    sheet.append(["Fee comparison - Lakeside Dental Group (prepared by the billing office)"])
    sheet.append([None, None, None, "PPO allowed amounts"])
    sheet.merge_cells(start_row=2, start_column=4, end_row=2, end_column=3 + len(payers))
    sheet.append(["Code", "Description", "Office Fee", *[name for name, _ in payers]])
    for code, description, fee, _ in CODES:
        row = [code, description, fee]
        for name, rate in payers:
            if name == "Aetna PPO" and code == "D6010":
                row.append("Not covered")
            elif name == "Guardian DentalGuard" and code == "D9110":
                row.append(None)
            else:
                row.append(allowed(rng, fee, rate))
        sheet.append(row)
    sheet.append([])
    sheet.append(["Source: 2026 carrier schedules on file; amounts before patient coinsurance."])
    save_workbook(book, folder / "Lakeside fee comparison 2026.xlsx")
    lines = ["Procedures By Procedure Code,,,,,", "Date Range: 01/01/2025 - 12/31/2025,,,,,",
             "Category,Code,Description,Quantity,Average Fee,Total Fees"]
    total = 0
    for code, description, fee, volume in CODES:
        total += volume
        description = f'"{description}"' if "," in description else description
        lines.append(f'{code[:2]}000s,{code},{description},{volume},{fee:.2f},'
                     f'"{fee * volume:,.2f}"')
    lines.append(f",,Total,{total},,")
    (folder / "Procedures by code 2025.csv").write_bytes(
        ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    (folder / "client.toml").write_text(
        '# Lakeside: one comparison sheet, and a volume report without a payer column.\n'
        'name = "Lakeside Dental Group"\n'
        'owner_email = "owner@lakeside-dental.example"\n\n'
        "[settings]\nask = 0.08\nalt_ask = 0.15\nbenchmark = \"p75\"\n\n"
        "# The practice-management report has no payer column: split it by payer mix.\n"
        "[payer_shares]\n"
        '"Delta Dental PPO" = 0.30\n"Cigna DPPO" = 0.20\n"Aetna PPO" = 0.15\n'
        '"Guardian DentalGuard" = 0.10\n"United Concordia" = 0.10\n', encoding="utf-8")


def riverbend() -> None:
    """Office fees in Excel; one payer per file in five shapes; volume by carrier."""
    import openpyxl
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    folder = EXAMPLES / "riverbend-family-dental"
    payers = folder / "payers"
    payers.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1123)
    fees = {code: fee * 1.04 for code, _, fee, _ in CODES}   # Riverbend charges a bit more

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "UCR"
    sheet.append(["Riverbend Family Dental — Office Fee Schedule 2026"])
    sheet.append([])
    sheet.append(["CDT Code", "Description", "UCR Fee"])
    for code, description, _, _ in CODES:
        sheet.append([code, description, round(fees[code], 0)])
    save_workbook(book, folder / "office fees 2026.xlsx")

    # A text PDF over two pages, with page headers and footers.
    pdf = canvas.Canvas(str(payers / "ameritas_ppo_2026.pdf"), pagesize=letter, invariant=1)
    rows = [(code, description[:52], f"${allowed(rng, fees[code], 0.61):,.2f}")
            for code, description, _, _ in CODES]
    rows[21] = (rows[21][0], rows[21][1], "By Report")     # D2950
    pages = [rows[:18], rows[18:]]
    for number, lines in enumerate(pages, start=1):
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(50, 740, "Ameritas Dental PPO - Provider Fee Schedule (effective "
                                "03/01/2026)")
        pdf.setFont("Helvetica", 9)
        pdf.drawString(50, 715, "CDT Code")
        pdf.drawString(110, 715, "Description")
        pdf.drawString(480, 715, "Allowance")
        for i, (code, description, amount) in enumerate(lines):
            y = 697 - 16 * i
            pdf.drawString(50, y, code)
            pdf.drawString(110, y, description)
            pdf.drawRightString(530, y, amount)
        pdf.drawString(270, 40, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()

    # Open Dental's Fee Tools export: no header, tab separated, CRLF, an empty amount.
    lines = []
    for code, description, _, _ in CODES:
        amount = "" if code == "D6010" else f"{allowed(rng, fees[code], 0.57):,.2f}"
        lines.append(f"{code}\t{amount}\t{description[:10]}\t{description}")
    (payers / "opendental_export_united_concordia.txt").write_bytes(
        ("\r\n".join(lines) + "\r\n").encode("utf-8"))

    # Delta Dental: title rows, the payer merged over its PPO and Premier networks.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2026"
    sheet.append(["Delta Dental of Illinois — Fee Schedule"])
    sheet.append(["Effective 01/01/2026"])
    sheet.append(["Code", "Description", "Delta Dental", None])
    sheet.append([None, None, "PPO", "Premier"])
    for cells in ("A3:A4", "B3:B4", "C3:D3"):
        sheet.merge_cells(cells)
    for code, description, _, _ in CODES:
        sheet.append([code, description, allowed(rng, fees[code], 0.64),
                      allowed(rng, fees[code], 0.72)])
    save_workbook(book, payers / "Delta Dental 2026.xlsx")

    # MetLife: the schedule and its alternate benefits on separate sheets.
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Read me"
    readme.append(["MetLife PDP Plus schedule for Riverbend Family Dental."])
    schedule = book.create_sheet("Fee Schedule")
    schedule.append(["MetLife PDP Plus Fee Schedule"])
    schedule.append([])
    schedule.append(["Code", "Description", "Allowance"])
    metlife = {}
    for code, description, _, _ in CODES:
        metlife[code] = allowed(rng, fees[code], 0.62)
        schedule.append([code, description, metlife[code]])
    alternates = book.create_sheet("Alternate Benefits")
    alternates.append(["Procedure Code", "Alternate Code", "Alternate Benefit"])
    for code, alt in (("D2391", "D2140"), ("D2392", "D2150"), ("D2393", "D2160"),
                      ("D2740", "D2791"), ("D2750", "D2751"), ("D6010", "D2751")):
        # Alternate amounts set years ago: below today's allowed for the alternate code.
        alternates.append([code, alt, round(metlife[alt] * 0.9, 2)])
    save_workbook(book, payers / "metlife-pdp.xlsx")

    # Guardian from a portal: Windows-1252, semicolons, decimal commas.
    lines = ["Guardian DentalGuard Preferred – Schedule of Allowances",
             "Code;Description;Allowance"]
    for code, description, _, _ in CODES:
        amount = f"{allowed(rng, fees[code], 0.66):,.2f}".replace(",", " ").replace(".", ",")
        lines.append(f"{code};{description};{'N/C' if code == 'D9110' else amount}")
    (payers / "guardian_dentalguard.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))

    # Volume by carrier, with subtotals, as a PM system's report.
    shares = {"Delta Dental PPO": 0.26, "Delta Dental Premier": 0.08, "Ameritas Dental PPO": 0.1,
              "United Concordia": 0.12, "MetLife PDP Plus": 0.18,
              "Guardian DentalGuard Preferred": 0.12, "Cash patients": 0.14}
    lines = ["Procedure Count by Carrier, 01/01/2025 - 12/31/2025", "Code,Carrier,Count"]
    for code, _, _, volume in CODES:
        for carrier, share in shares.items():
            lines.append(f"{code},{carrier},{round(volume * share * rng.uniform(0.8, 1.2))}")
    lines.append(f"Grand Total,,{sum(v for *_, v in CODES)}")
    (folder / "volume by carrier 2025.csv").write_text("\n".join(lines) + "\n",
                                                       encoding="utf-8")
    (folder / "client.toml").write_text(RIVERBEND_TOML, encoding="utf-8")


# With the letterhead, signer and one payer's addressee, as a practice fills them in.
RIVERBEND_TOML = '''# Riverbend: every payer's schedule in the shape the payer sent it.
name = "Riverbend Family Dental"
owner_email = "office@riverbend-dental.example"

# The letterhead and signature of the request letters (xlfees letters).
address = """1420 River Road, Suite 200
Riverbend, OR 97000"""
phone = "(541) 555-0142"
tin = "93-1234567"
npi = "1234567893"
signer = "Maria Alvarez"
signer_title = "Office Manager"

# Who each payer's letter goes to; payers not named get "Provider Relations".
[payers."Delta Dental"]
contact = "Jordan Lee"
title = "Professional Relations Representative"
department = "Professional Relations"
address = """PO Box 997330
Sacramento, CA 95899"""

[contracts]
"Delta Dental" = "DD-OR-55102"

[settings]
ask = 0.10
alt_ask = 0.20
benchmark = "median"
balance_basis = "office"

# MetLife's own sheet gives its downgrades; build-ups by contract:
[payer_alt_map."MetLife PDP Plus"]
D2950 = "D2150"
'''


def paid_claims(rng: random.Random, amounts: dict, fees: dict, count: int, first: date,
                spread: int, claim_id, days_before: int, below_contract: float = 0.0) -> list:
    """``count`` claims received from ``first`` over ``spread`` days, one to three lines each,
    allowed as the schedule says (or, ``below_contract`` of the time, 5-10 % below it)
    and 80 % paid, the rest the patient's coinsurance."""
    from era_make import Claim, Line

    codes = sorted(amounts)
    claims = []
    for number in range(count):
        received = first + timedelta(days=rng.randint(0, spread))
        lines = []
        for _ in range(rng.randint(1, 3)):
            code = rng.choice(codes)
            charge, allowed = float(fees[code]), float(amounts[code])
            if below_contract and rng.random() < below_contract:
                allowed = round(allowed * rng.choice([0.9, 0.95]), 2)
            paid = round(allowed * 0.8, 2)
            lines.append(Line(code, charge, paid, allowed,
                              [("CO", "45", round(charge - allowed, 2)),
                               ("PR", "2", round(allowed - paid, 2))],
                              service_date=received - timedelta(days=days_before)))
        claims.append(Claim(claim_id(number), lines, received=received))
    return claims


def smile_studio_eras() -> None:
    """Two months of Delta Dental and Aetna remittances for examples/smile-studio/era/,
    paid mostly as contracted, with what monitoring is for: a few lines allowed below
    the schedule, denials (timely filing, frequency, benefit maximum), a reversed and
    re-paid claim, and a claim paid 45 days after it was received."""
    sys.path.insert(0, str(ROOT / "tests"))
    from era_make import Claim, Line, Payment, remittance

    import pandas as pd

    schedules = pd.read_csv(EXAMPLES / "smile-studio" / "schedules.csv")
    office = pd.read_csv(EXAMPLES / "smile-studio" / "office_fees.csv")
    fees = dict(zip(office["code"], office["office_fee"]))
    rng = random.Random(835)
    folder = EXAMPLES / "smile-studio" / "era"
    folder.mkdir(exist_ok=True)
    for payer, network, era_name, file in (
            ("Delta Dental", "PPO", "DELTA DENTAL INSURANCE CO", "delta-dental-2026-10.835"),
            ("Aetna", "PPO", "AETNA LIFE INSURANCE COMPANY", "aetna-2026-10.txt")):
        mine = schedules[(schedules["payer"] == payer) & (schedules["network"] == network)]
        amounts = dict(zip(mine["code"], mine["allowed"]))
        claims = paid_claims(rng, amounts, fees, 40, date(2026, 9, 1), 40,
                             lambda number, payer=payer: f"{payer[:2].upper()}{number:04d}",
                             days_before=2, below_contract=0.06)
        # Denials with known reasons.
        for number, (code, carc) in enumerate((("D1110", "151"), ("D2740", "29"),
                                               ("D6010", "119"))):
            if code in amounts:
                claims.append(Claim(f"{payer[:2].upper()}D{number}", [
                    Line(code, float(fees[code]), 0, None, [("CO", carc, float(fees[code]))],
                         service_date=date(2026, 9, 20))], received=date(2026, 9, 22)))
        late = claims[0]
        late.received = date(2026, 8, 31)              # paid 45 days after receipt
        first = Payment(era_name, claims[:25], paid_on=date(2026, 10, 15), trace="9001")
        reversed_claim = claims[1]
        again = Claim(reversed_claim.claim_id, reversed_claim.lines,
                      received=reversed_claim.received)
        second = Payment(era_name, [Claim(reversed_claim.claim_id, reversed_claim.lines,
                                          status="22", received=reversed_claim.received),
                                    again] + claims[25:],
                         paid_on=date(2026, 10, 29), trace="9002")
        (folder / file).write_bytes(remittance([first, second], crlf=file.endswith(".txt")))


# Cascade Dental Partners: a small DSO. Three locations, the same four PPO payers, each
# location's own fees and volume; the group's contracts pay a location alike but for
# Northgate's older Cigna schedule. Eastside receives ERAs (835s) from Delta and MetLife.
CASCADE = "Cascade Dental Partners"
CASCADE_PAYERS = (("Delta Dental", "PPO", 0.64), ("Cigna", "DPPO", 0.58),
                  ("MetLife", "PDP Plus", 0.61), ("Aetna", "PPO", 0.56))
CASCADE_LOCATIONS = (
    # folder, name, fee level, volume level, payer mix (same order as CASCADE_PAYERS)
    ("cascade-downtown", "Cascade Dental - Downtown", 1.08, 1.2, (0.34, 0.22, 0.18, 0.16)),
    ("cascade-eastside", "Cascade Dental - Eastside", 1.00, 0.9, (0.30, 0.15, 0.25, 0.20)),
    ("cascade-northgate", "Cascade Dental - Northgate", 0.97, 0.6, (0.38, 0.28, 0.12, 0.12)),
)


def cascade() -> None:
    """Three location folders with group = "Cascade Dental Partners" in client.toml."""
    rng = random.Random(503)
    contract = {(payer, network): {code: round(fee * rate * rng.uniform(0.92, 1.08), 2)
                                   for code, _, fee, _ in CODES}
                for payer, network, rate in CASCADE_PAYERS}
    for folder_name, name, fee_level, volume_level, mix in CASCADE_LOCATIONS:
        folder = EXAMPLES / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        fees = {code: round(fee * fee_level) for code, _, fee, _ in CODES}
        lines = ["code,description,office_fee"]
        for code, description, _, _ in CODES:
            description = f'"{description}"' if "," in description else description
            lines.append(f"{code},{description},{fees[code]:.2f}")
        (folder / "office_fees.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        lines = ["payer,network,code,allowed"]
        for (payer, network, _), _share in zip(CASCADE_PAYERS, mix):
            for code, _, _, _ in CODES:
                amount = contract[(payer, network)][code]
                if folder_name == "cascade-northgate" and payer == "Cigna":
                    amount = round(amount * 0.95, 2)     # the older schedule, not yet moved
                # A location pays no more than its own fee (the office charges less).
                lines.append(f"{payer},{network},{code},{min(amount, fees[code]):.2f}")
        (folder / "schedules.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        lines = ["code,payer,count"]
        for code, _, _, volume in CODES:
            for (payer, network, _), share in zip(CASCADE_PAYERS, mix):
                count = round(volume * volume_level * share * rng.uniform(0.85, 1.15))
                if count:
                    lines.append(f"{code},{payer} {network},{count}")
        (folder / "volume.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / "client.toml").write_text(
            f"# {name}: one location of {CASCADE}.\n"
            f'name = "{name}"\n'
            f'group = "{CASCADE}"\n'
            f'owner_email = "{folder_name.removeprefix("cascade-")}@cascadedental.example"\n\n'
            "[settings]\nask = 0.10\nalt_ask = 0.15\nbenchmark = \"median\"\n"
            + (EASTSIDE_ALIASES if folder_name == "cascade-eastside" else ""),
            encoding="utf-8")
    cascade_eras()


# MetLife's remittances name its insurer, not the plan.
EASTSIDE_ALIASES = """
# The name each payer's remittances (era/) give it → the schedule it pays by.
[payer_aliases]
"METROPOLITAN LIFE INSURANCE CO" = "MetLife"
"""


def cascade_eras() -> None:
    """Eastside's remittances: Delta and MetLife, one month, mostly paid as contracted."""
    sys.path.insert(0, str(ROOT / "tests"))
    from era_make import Claim, Line, Payment, remittance

    import pandas as pd

    location = EXAMPLES / "cascade-eastside"
    schedules = pd.read_csv(location / "schedules.csv")
    office = pd.read_csv(location / "office_fees.csv")
    fees = dict(zip(office["code"], office["office_fee"]))
    rng = random.Random(9835)
    folder = location / "era"
    folder.mkdir(exist_ok=True)
    for payer, network, era_name, file, slow in (
            ("Delta Dental", "PPO", "DELTA DENTAL OF WASHINGTON", "delta-2026-10.835", 0),
            ("MetLife", "PDP Plus", "METROPOLITAN LIFE INSURANCE CO", "metlife-2026-10.835", 9)):
        mine = schedules[(schedules["payer"] == payer) & (schedules["network"] == network)]
        amounts = dict(zip(mine["code"], mine["allowed"]))
        claims = paid_claims(rng, amounts, fees, 30, date(2026, 9, 10), 20,
                             lambda number, payer=payer: f"E{payer[:2].upper()}{number:03d}",
                             days_before=1)
        code = "D1110" if "D1110" in amounts else sorted(amounts)[0]
        claims.append(Claim(f"E{payer[:2].upper()}D1", [
            Line(code, float(fees[code]), 0, None, [("CO", "16", float(fees[code]))],
                 service_date=date(2026, 9, 15))], received=date(2026, 9, 17)))
        payment = Payment(era_name, claims, paid_on=date(2026, 10, 12 + slow), trace="7001",
                          payee="CASCADE DENTAL EASTSIDE")
        (folder / file).write_bytes(remittance([payment]))


# Willamette Dental Partners: Riverbend and Lakeside named as one group by a group.toml
# in the clients folder; the two name three shared payers differently.
GROUP_TOML = """# A group of locations whose client folders say nothing about it: named here.
name = "Willamette Dental Partners"
locations = ["riverbend-family-dental", "lakeside-dental"]

# The same payer, as each location's schedules name it → the name in the roll-up.
[payer_aliases]
"Delta Dental PPO" = "Delta Dental (PPO)"
"Guardian DentalGuard" = "Guardian DentalGuard Preferred"
"""


if __name__ == "__main__":
    lakeside()
    riverbend()
    smile_studio_eras()
    cascade()
    (EXAMPLES / "group.toml").write_text(GROUP_TOML, encoding="utf-8")
    print("examples written")
