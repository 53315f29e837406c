"""Regenerate the reader fixture corpus in this folder (deterministically).

Each input is written byte for byte here, so its encoding, delimiter and
quirks are reviewable as code; the expected outputs beside them
(``*.expected.json``) are written by hand, not by xlfees.

    pip install openpyxl xlwt reportlab msoffcrypto-tool
    python tests/data/readers/make_fixtures.py

openpyxl writes the same XML with or without spaces before "/>" depending on
whether lxml is installed; readers do not care, git does: keep the committed
xlsx files unless their content changes.

Files that must be refused (password-protected, damaged, disguised) go to
``hostile/``: they have no expected rows, only an expected error.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def text(name: str, content: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes(content.replace("\n", newline).encode(encoding))


def normalise_zip(path: Path) -> None:
    """Rewrite an xlsx with fixed timestamps so regenerating gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = data.replace(data[data.find(b"<dcterms:created"):
                                         data.find(b"</cp:coreProperties>")], b"")
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    path.write_bytes(out.getvalue())


def workbook(name: str, sheets: dict[str, list[list[object]]],
             merged: dict[str, list[str]] | None = None) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(title, []):
            sheet.merge_cells(cells)
    path = HERE / name
    book.save(path)
    normalise_zip(path)


def main() -> None:
    # 1. UTF-8 with BOM, CRLF, a title-less header, codes and money in every form.
    text("Delta Dental PPO 2026.csv",
         "Procedure Code,Description,Maximum Plan Allowance\n"
         "D0120,Periodic oral evaluation,$36.00\n"
         'd1110,"Prophylaxis, adult",  $72.50\n'
         '2391,Resin composite one surface,"$151.00 "\n'
         '"D2740 - Crown, porcelain/ceramic",,"$1,105.00"\n'
         "D2950.,Core buildup,BR\n"
         "D4910 ,Periodontal maintenance,98\n",
         encoding="utf-8-sig", newline="\r\n")
    # 2. Windows-1252, semicolons, decimal comma, the payer in a title line.
    text("guardian_dentalguard.csv",
         "Guardian DentalGuard Preferred – Schedule of Allowances\n"
         "Code;Description;Allowance\n"
         "D0120;Évaluation périodique;36,50\n"
         "D0150;Comprehensive evaluation;64,00\n"
         "D2740;Crown – porcelain;1 105,00\n"
         "D2750;Crown PFM;1.020,75\n"
         "D7140;Extraction;N/C\n",
         encoding="cp1252")
    # 3. UTF-16 (Excel's "Unicode text"), tab separated, a generic "Fee" column.
    text("cigna_dppo.txt",
         "CDT\tDescription\tFee\n"
         "D0120\tPeriodic eval\t34.83\n"
         "D0274\tBitewings – four\t42.55\n"
         "D1110\tProphy adult\t64.49\n",
         encoding="utf-16")
    # 4. Tilde separated, the tilde also inside unquoted amounts.
    text("humana_ppo.txt",
         "Code~Description~Allowed\n"
         "D0120~Periodic eval~$35.00\n"
         "D2740~Crown porcelain~$2~021.00\n"
         "D2750~Crown PFM~$1~980.50\n"
         "D6010~Implant body~$2~450.00\n"
         "D1110~Prophy~$70.00\n"
         "D1120~Prophy child~$51.00\n")
    # 5. Pipe separated, every field quoted, a pipe inside a description, dates.
    text("principal_ppo.txt",
         '"Proc Code"|"Description"|"Max Allowable"|"Effective Date"\n'
         '"D0120"|"Periodic | limited"|"35.10"|"01/01/2026"\n'
         '"D0140"|"Limited eval"|"55.00"|"01/01/2026"\n'
         '"D9110"|"Palliative"|"60.25"|"01/01/2026"\n')
    # 6. Open Dental Fee Tools export: no header, tab, CRLF, an empty amount.
    text("opendental_export_united_concordia.txt",
         "D0120\t36.28\tPeriodic o\tPeriodic oral evaluation\n"
         "D2740\t1,234.00\tCrown - po\tCrown - porcelain/ceramic\n"
         "D2950\t\tCore build\tCore buildup, including any pins when required\n"
         "D3330\t865.89\tEndodontic\tEndodontic therapy, molar tooth\n",
         newline="\r\n")
    # 7. Title rows, then a two-row header: the payer merged over its networks.
    workbook("Delta Dental 2026.xlsx", {"2026": [
        ["Delta Dental of Illinois — Fee Schedule", None, None, None],
        ["Effective 01/01/2026", None, None, None],
        ["Code", "Description", "Delta Dental", None],
        [None, None, "PPO", "Premier"],
        ["D0120", "Periodic oral evaluation", 40.11, 44.5],
        ["D1110", "Prophylaxis - adult", 70.86, 78.0],
        ["D2391", "Resin composite", 152.2, "By Report"],
    ]}, merged={"2026": ["A1:D1", "A3:A4", "B3:B4", "C3:D3"]})
    # 8. A consultant's comparison sheet: title, group header, office fee, payers.
    workbook("lakeside comparison.xlsx", {"Compare": [
        ["Fee comparison - Lakeside Dental Group", None, None, None, None],
        [None, None, None, "PPO allowed amounts", None],
        ["Code", "Description", "Office Fee", "Delta Dental PPO", "Cigna DPPO"],
        ["D0120", "Periodic oral evaluation", 62, 40.11, 34.83],
        ["D2740", "Crown - porcelain/ceramic", 1325, 871.19, None],
        ["D7210", "Surgical extraction", 365, 235.22, "Not covered"],
        [None, None, None, None, None],
        ["Source: carrier schedules on file.", None, None, None, None],
    ]}, merged={"Compare": ["D2:E2"]})
    # 9. Several sheets: a read-me, the schedule, its alternate benefits.
    workbook("metlife-pdp.xlsx", {
        "Read me": [["This workbook holds the 2026 MetLife schedule."], ["Questions: call."]],
        "Fee Schedule": [
            ["MetLife PDP Plus Fee Schedule"], [],
            ["Code", "Description", "Allowance"],
            ["D2140", "Amalgam - one surface", 94.0],
            ["D2391", "Resin composite - one surface", 151.43],
            ["D2740", "Crown - porcelain", 814.73],
            ["D2791", "Crown - full cast base metal", 640.0],
        ],
        "Alternate Benefits": [
            ["Procedure Code", "Alternate Code", "Alternate Benefit"],
            ["D2391", "D2140", 94.0],
            ["D2740", "D2791", None],
            ["D9999", "D9998", 10.0],
        ],
    })
    # 10. Effective dates as real Excel dates, and an identical repeated row.
    workbook("aetna.xlsx", {"Sheet1": [
        ["Code", "Allowed", "Effective Date"],
        ["D0120", 40, dt.datetime(2025, 1, 1)],
        ["D0120", 42, dt.datetime(2026, 1, 1)],
        ["D1110", 70, dt.datetime(2026, 1, 1)],
        ["D1110", 70, dt.datetime(2026, 1, 1)],
    ]})
    # 11. Conflicting duplicates that nothing distinguishes.
    text("cigna_conflicts.csv",
         "Code,Allowed\nD0120,35\nD0120,36\nD1110,64\nD1110,64\nD2391,140\n")
    # 12. A legacy .xls with a title row and codes stored as numbers.
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Careington")
    for r, row in enumerate([
        ["Careington Care 500 Series - Fee Schedule"],
        ["ADA Code", "Description", "Member Fee"],
        [2391, "Resin composite", 98.0],
        ["D2740", "Crown porcelain", 610.5],
        [7140, "Extraction", 77.0],
    ]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(HERE / "Careington 500.xls"))
    # 13. A two-page text PDF: title, column titles and footer on every page.
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pages = [[("D0120", "Periodic oral evaluation", "$35.45"),
              ("D2740", "Crown - porcelain/ceramic", "$1,105.00"),
              ("D2950", "Core buildup, including any pins", "By Report")],
             [("D6010", "Surgical placement of implant body", "$1,301.67"),
              ("D9110", "Palliative treatment of dental pain", "BR")]]
    pdf = canvas.Canvas(str(HERE / "Ameritas PPO 2026.pdf"), pagesize=letter,
                        invariant=1)
    for number, lines in enumerate(pages, start=1):
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(50, 740, "Ameritas Dental PPO - Provider Fee Schedule "
                                "(effective 03/01/2026)")
        pdf.setFont("Helvetica", 10)
        pdf.drawString(50, 715, "CDT Code")
        pdf.drawString(120, 715, "Description")
        pdf.drawString(450, 715, "Allowance")
        for i, (code, description, amount) in enumerate(lines):
            y = 695 - 18 * i
            pdf.drawString(50, y, code)
            pdf.drawString(120, y, description)
            pdf.drawRightString(520, y, amount)
        pdf.drawString(270, 40, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    # 13b. A PDF whose long descriptions wrap onto a second line, amount on the second.
    pdf = canvas.Canvas(str(HERE / "Principal wrapped 2026.pdf"), pagesize=letter, invariant=1)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, 740, "Principal Financial Group PPO - Fee Schedule")
    pdf.drawString(50, 715, "Code    Description    Max Allowable")
    lines = [("D0120", "Periodic oral evaluation", "$35.10"),
             ("D4341", "Periodontal scaling and root planing - four or more teeth per", None),
             (None, "quadrant", "$177.32"),
             ("D9110", "Palliative treatment of dental pain", "$60.25")]
    for i, (code, description, amount) in enumerate(lines):
        y = 695 - 16 * i
        if code:
            pdf.drawString(50, y, code)
        pdf.drawString(110, y, description)
        if amount:
            pdf.drawRightString(530, y, amount)
    pdf.showPage()
    pdf.save()
    # 14. Volume by carrier with subtotal and grand-total lines.
    text("volume_by_carrier.csv",
         "Procedure Count by Carrier\n"
         "Code,Carrier,Count\n"
         "D0120,Delta Dental PPO,120\n"
         "D0120,Cigna DPPO,80\n"
         'D2391,Delta Dental PPO,"1,045"\n'
         "D2391,,12\n"
         "Subtotal,,1257\n"
         "D1110,Cigna DPPO,abc\n"
         "Grand Total,,1257\n")
    # 15. A practice-management "Procedures By Procedure Code" report.
    text("procedures_by_code.csv",
         "Procedures By Procedure Code,,,,,\n"
         "Date Range: 01/01/2025 - 12/31/2025,,,,,\n"
         "Category,Code,Description,Quantity,Average Fee,Total Fees\n"
         'D0000s,D0120,Periodic oral evaluation,633,62.00,"39,246.00"\n'
         'D2000s,D2391,"Resin-based composite - one surface, posterior",130,250.00,"32,500.00"\n'
         'D2000s,D2740,Crown - porcelain/ceramic,874,"1,325.00","1,158,050.00"\n'
         ",,Total,,,\n",
         newline="\r\n")
    # 16. The office's own fees: title, UCR header, a code stored as a number.
    workbook("office fees.xlsx", {"UCR": [
        ["Smile Studio — Office Fee Schedule"], [],
        ["CDT Code", "Description", "UCR Fee"],
        ["D0120", "Periodic oral evaluation", 62],
        [2391, "Resin composite", 250],
        ["D2740", "Crown", "$1,325.00"],
        ["D9110", "Palliative", "N/C"],
    ]})
    # 17. Every way of writing "no amount".
    text("sunlife_ppo.csv",
         "Code,Description,Allowance\n"
         "D0120,Exam,35.00\n"
         "D2950,Build-up,BR\n"
         "D2951,Pin retention,By Report\n"
         "D7140,Extraction,N/C\n"
         "D7210,Surgical extraction,Not covered\n"
         "D9110,Palliative,—\n"
         "D9230,Nitrous,\n")

    hostile()


def hostile() -> None:
    """Inputs that must be refused with one clear error."""
    import msoffcrypto.format.ooxml

    folder = HERE / "hostile"
    folder.mkdir(exist_ok=True)
    plain = folder / "_plain.xlsx"
    workbook("hostile/_plain.xlsx", {"S": [["Code", "Allowed"], ["D0120", 40]]})
    with plain.open("rb") as source, (folder / "locked.xlsx").open("wb") as target:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("secret", target)
    plain.unlink()
    (folder / "damaged.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 20)
    (folder / "really_a_pdf.xlsx").write_bytes((HERE / "Ameritas PPO 2026.pdf").read_bytes())
    (folder / "really_text.xls").write_bytes(b"Code,Allowed\nD0120,40\n")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "letter.docx").write_bytes(b"PK\x03\x04not really")


def _pdf(name: str, pages: list[list[str]], right: dict[int, str] | None = None) -> None:
    """A text PDF: each page a list of lines, drawn top down in Helvetica 10."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(HERE / name), pagesize=letter, invariant=1)
    for lines in pages:
        pdf.setFont("Helvetica", 10)
        for i, line in enumerate(lines):
            pdf.drawString(40, 750 - 16 * i, line)
        pdf.showPage()
    pdf.save()


def wild() -> None:
    """Shapes seen in real payer and survey files (issue 12), with our own numbers."""
    # A ~-delimited payer export: PROCEDURES holds the descriptions, two date columns,
    # the amount under "Max Pay Amt".
    text("cigna_dental_ppo_2026.txt",
         "CDT CODE~PROCEDURES~EFF DATE~END DATE~Max Pay Amt\n"
         "D0120~PERIODIC ORAL EVALUATION - ESTABLISHED PATIENT~01/01/2026~12/31/2026~$38.00\n"
         "D0140~LIMITED ORAL EVALUATION - PROBLEM FOCUSED~01/01/2026~12/31/2026~$52.00\n"
         "D0150~COMPREHENSIVE ORAL EVALUATION~01/01/2026~12/31/2026~$61.50\n"
         "D1110~PROPHYLAXIS - ADULT~01/01/2026~12/31/2026~$71.00\n"
         "D2391~RESIN-BASED COMPOSITE - ONE SURFACE, POSTERIOR~01/01/2026~12/31/2026~$118.00\n"
         "D2740~CROWN - PORCELAIN/CERAMIC~01/01/2026~12/31/2026~$721.00\n"
         "D9999~UNSPECIFIED ADJUNCTIVE PROCEDURE, BY REPORT~01/01/2026~12/31/2026~BR\n")
    # Office fees whose description column is headed "Procedure".
    text("office fees procedure header.csv",
         "Code,Procedure,Fee\n"
         "D0120,Periodic oral evaluation,62.00\n"
         "D0150,Comprehensive oral evaluation,98.00\n"
         "D1110,Prophylaxis - adult,112.00\n"
         'D2391,"Resin-based composite, one surface, posterior",215.00\n')
    # Office fees with the external benchmark column the README describes.
    text("ucr_with_benchmark.csv",
         "code,description,office_fee,benchmark\n"
         "D0120,Periodic oral evaluation,62.00,58.00\n"
         "D0150,Comprehensive oral evaluation,98.00,94.50\n"
         "D1110,Prophylaxis - adult,112.00,\n"
         "D2391,Resin composite one surface posterior,215.00,201.00\n")
    # An ADA-style fee survey: BOM, line breaks inside header cells and descriptions.
    text("ada_survey_2024.csv",
         "\ufeffCode,Description,\"Average\nFee\",\"Std\nDev\",\"10th\nPercentile\","
         "\"25th\nPercentile\",\"50th\nPercentile\",\"75th\nPercentile\","
         "\"90th\nPercentile\",\"95th\nPercentile\",Responses\n"
         "D0120,\"Periodic oral evaluation -\nestablished patient\",58.10,9.20,45.00,52.00,"
         "58.00,64.00,70.00,75.00,1234\n"
         "D0150,Comprehensive oral evaluation,96.40,14.80,75.00,86.00,95.00,106.00,118.00,"
         "125.00,1198\n"
         "D1110,Prophylaxis - adult,103.20,15.10,82.00,93.00,102.00,113.00,124.00,131.00,1301\n"
         "D2391,\"Resin-based composite - one surface,\nposterior\",197.50,30.40,155.00,"
         "176.00,195.00,218.00,238.00,250.00,1105\n"
         "D9999,Unspecified adjunctive procedure,n/a,,,,,,,,3\n")
    # A payer PDF: a form number in the corner, the company in the title, a line with
    # four amounts (child/adult, fee/per month), lines with an amount and no code, and
    # on its last page a second table with the code in the middle.
    _pdf("dental_select_plan_k1.pdf", [
        ["K1-09", "Dental Select PPO Plus - Schedule of Maximum Allowances",
         "Code Description Fee",
         "D0120 Periodic oral evaluation $33.00",
         "D0150 Comprehensive oral evaluation $52.00",
         "D1120 Prophylaxis - child $42.00 $3.50 $48.00 $4.00",
         "Additional prophylaxis (third per year) $65.00",
         "D2391 Resin-based composite - one surface, posterior $96.00",
         "Page 1 of 2"],
        ["K1-09", "Dental Select PPO Plus - Schedule of Maximum Allowances",
         "Code Description Fee",
         "D2740 Crown - porcelain/ceramic $612.00",
         "Holiday and weekend surcharge $25.00",
         "Procedure Code Amount",
         "Crown - porcelain fused to high noble metal D2750 $598.00",
         "Implant body, endosteal D6010 By Report",
         "Page 2 of 2"]])
    # A PDF that lists each code three times with a modifier, three different amounts.
    _pdf("concordia tiers 2026.pdf", [
        ["United Concordia Advantage Plus - Fee Schedule",
         "Code Description Modifier Fee",
         "D0120 Periodic oral evaluation $31.00",
         "D0120 Periodic oral evaluation Tier 1 $34.00",
         "D0120 Periodic oral evaluation CA $36.50",
         "D1110 Prophylaxis - adult $58.00",
         "Page 1 of 1"]])
    # A sheet whose second table further down has another column order.
    workbook("guardian two tables.xlsx", {"Fees": [
        ["Guardian Dental PPO 2026"],
        ["Code", "Description", "Allowance"],
        ["D0120", "Periodic oral evaluation", 36.0],
        ["D0150", "Comprehensive oral evaluation", 61.0],
        [],
        ["Description", "Code", "Allowance"],
        ["Prophylaxis - adult", "D1110", 68.0],
        ["Crown - porcelain/ceramic", "D2740", 690.0]]})


def wild_more() -> None:
    """More shapes: state Medicaid lists, dash-separated web lists, survey and office
    workbooks, and files that must be refused clearly."""
    # A state Medicaid-style list: prior authorization and age columns beside the fee.
    text("medicaid_dental_fee_list_2026.csv",
         "Procedure Code,Description,Max Fee,PA Required,Age Limit\n"
         "D0120,Periodic oral evaluation,28.50,N,0-20\n"
         "D0150,Comprehensive oral evaluation,41.00,N,0-20\n"
         "D1120,Prophylaxis - child,33.75,N,0-13\n"
         "D2930,Prefabricated stainless steel crown - primary tooth,118.20,N,0-20\n"
         "D8080,Comprehensive orthodontic treatment,2400.00,Y,0-20\n"
         "D9920,Behavior management,By Report,Y,0-20\n")
    # A practice's web fee list printed to PDF: "D0120 – Periodic Evaluation - $90".
    _pdf("midnight dental ucr 2025.pdf", [[
        "Midnight Dental LLC Fee Schedule 06/01/2025",
        "D0120 – Periodic Evaluation - $90",
        "D0140 – Limited Evaluation - $130",
        "D0150 – Comprehensive Evaluation - $160",
        "D0274 - Bitewing Four Images - $105",
        "D2740 – Crown Porcelain/Ceramic - $1,450"]])
    # A fee survey workbook with P50/P75/P90 headers and codes as numbers.
    workbook("survey percentiles.xlsx", {"Survey": [
        ["Regional fee survey 2025"],
        ["Code", "Description", "Mean", "P50", "P75", "P90", "N"],
        [120, "Periodic oral evaluation", 61.4, 60, 68, 75, 412],
        [150, "Comprehensive oral evaluation", 101.9, 100, 112, 125, 388],
        [2391, "Resin composite, one surface, posterior", 204.2, 200, 225, 248, 301]]})
    # Office fees in a workbook: title rows, a UCR header, a notes column of text.
    workbook("office ucr 2026.xlsx", {"Fees": [
        ["Lakeview Family Dental"],
        ["Usual and customary fees, effective 01/01/2026"],
        [],
        ["CDT", "Service", "UCR", "Notes"],
        ["D0120", "Periodic oral evaluation", 64, "raised 2026"],
        ["D1110", "Prophylaxis - adult", 118, ""],
        ["D2391", "Resin-based composite, one surface, posterior", 226.5, "posterior only"],
        ["D2740", "Crown - porcelain/ceramic", 1350, ""]]})
    # A schedule with its alternate benefits in the same sheet.
    text("metlife alternates 2026.csv",
         "Code,Description,Allowance,Alternate Code,Alternate Benefit\n"
         "D2140,Amalgam - one surface,88.00,,\n"
         "D2391,Resin - one surface posterior,121.00,D2140,88.00\n"
         "D2392,Resin - two surfaces posterior,158.00,D2150,\n"
         "D2740,Crown - porcelain/ceramic,760.00,D2791,655.00\n")
    # Codes written without the D and with leading zeros, amounts with $ and thousands.
    text("principal codes without d.csv",
         "Principal Dental PPO Schedule\n"
         "Proc,Desc,Allowed Amount\n"
         "0120,Periodic eval,\"$34.00\"\n"
         "0150,Comprehensive eval,\"$58.25\"\n"
         "2750,Crown PFM high noble,\"$1,020.00\"\n"
         "6010,Implant body,\"$1,480.00\"\n")
    # A volume report: Qty and money columns; the count comes from Qty.
    text("production by code 2025.csv",
         "Production by Procedure Code 01/01/2025 - 12/31/2025\n"
         "Code,Description,Qty,Fee,Total\n"
         "D0120,Periodic oral evaluation,1204,62.00,74648.00\n"
         "D1110,Prophylaxis - adult,980,112.00,109760.00\n"
         "D2391,Resin composite one surface posterior,212,215.00,45580.00\n"
         "Total,,2396,,229988.00\n")
    # A workbook holding two dated sheets of one schedule: which one is for the pin.
    workbook("aetna two years.xlsx", {
        "2025": [["Code", "Allowance"], ["D0120", 31.0], ["D1110", 60.0]],
        "2026": [["Code", "Allowance"], ["D0120", 32.3], ["D1110", 61.5]]})
    # A tab-separated export with a UTF-8 BOM and CRLF line ends.
    text("humana_ppo_export.txt",
         "\ufeffProcCode\tAbbrDesc\tFee\n"
         "D0120\tPerEval\t30.00\n"
         "D0140\tLimEval\t44.00\n"
         "D7140\tExtErupt\t92.00\n", newline="\r\n")
    # A PDF with PPO and Premier amounts on every line: the first is read, a note says so.
    _pdf("delta ppo premier 2026.pdf", [[
        "Delta Dental of Illinois - Fee Schedule 2026",
        "Code Description PPO Premier",
        "D0120 Periodic oral evaluation $36.00 $44.00",
        "D1110 Prophylaxis - adult $64.00 $78.00",
        "D2740 Crown - porcelain/ceramic $780.00 $905.00"]])


def wild_last() -> None:
    """Six more: a form number above the carrier, lookups on hidden sheets, a scanned PDF,
    a pipe file with padded amounts, volume by primary insurance, two effective dates."""
    text("spirit dental network.csv",
         "Form DS-2209\n"
         "Spirit Dental PPO Network Fee Schedule\n"
         "Code,Description,Fee\n"
         "D0120,Periodic oral evaluation,29.00\n"
         "D0150,Comprehensive oral evaluation,47.00\n"
         "D1110,Prophylaxis - adult,55.00\n")
    import openpyxl
    book = openpyxl.Workbook()
    lookup = book.active
    lookup.title = "Lookup"
    lookup.append(["Code", "Allowance"])
    lookup.append(["D0120", 999.0])
    lookup.sheet_state = "hidden"
    fees = book.create_sheet("Fee Schedule")
    for row in (["Anthem Blue Cross Dental Prime 2026"], ["Code", "Description", "Allowance"],
                ["D0120", "Periodic oral evaluation", 35.5],
                ["D2391", "Composite, 1s, post", 122.0]):
        fees.append(row)
    notes = book.create_sheet("Read me")
    notes.append(["Allowances apply to in-network dentists only."])
    book.save(HERE / "anthem dental prime.xlsx")
    normalise_zip(HERE / "anthem dental prime.xlsx")
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas
    pdf = canvas.Canvas(str(HERE / "scanned aetna schedule.pdf"), pagesize=letter, invariant=1)
    pdf.rect(40, 400, 500, 300, fill=1)   # an image of a page: no text at all
    pdf.showPage()
    pdf.save()
    text("geha_connection_ppo.txt",
         "Code|Description|Allowed\n"
         "D0120|Periodic oral evaluation|  36.00 \n"
         "D2740|Crown - porcelain/ceramic|\"  1,105.00 \"\n"
         "D2950|Core buildup|BR\n")
    text("volume by primary insurance.csv",
         "Code,Primary Insurance,Procedures\n"
         "D0120,Delta Dental PPO,\"1,045\"\n"
         "D0120,Self Pay,88\n"
         "D1110,Cigna DPPO,412\n")
    text("uhc regions 2026.csv",
         "UnitedHealthcare Dental PPO 2026\n"
         "Code,Description,Region,Allowance\n"
         "D0120,Periodic oral evaluation,,33.00\n"
         "D0120,Periodic oral evaluation,North,35.00\n"
         "D0120,Periodic oral evaluation,South,31.50\n"
         "D1110,Prophylaxis - adult,,60.00\n"
         "D2740,Crown - porcelain/ceramic,North,790.00\n")
    text("aetna_dmo_2026.csv",
         "Code,Allowed,Effective Date\n"
         "D0120,31.00,01/01/2025\n"
         "D0120,32.30,01/01/2026\n"
         "D1110,61.50,01/01/2026\n")


def round_three() -> None:
    """The shapes of issue 28: a state Medicaid table of CPT, HCPCS and CDT codes with age
    columns; procedure logs (no fees; ids, teeth and patients); a cost index whose `code`
    column holds states; a DHMO copay schedule."""
    # Colorado HCPF's Medicaid fee schedule (public CSV): title and blank rows, the header on
    # row 5, CPT and HCPCS rows first, ages padded (000, 020, 999 = no limit), text fees.
    cpt = [("0001F", "", "", "", "Not a benefit", "", "", "", ""),
           ("0010M", "", "23.71", "1.00", "$23.71", "000", "999", "000", "No"),
           ("00100", "", "5.00", "28.61", "Varies based on total anesthesia time", "000",
            "999", "000", "No"),
           ("0019T", "", "198.68", "7.74", '"$1,537.78"', "000", "999", "000", "No")]
    cpt += [(f"{99201 + n}", "", f"{20 + n}.28", "2.79", f"${(20 + n) * 2.79:.2f}", "000",
             "999", "000", "No") for n in range(40)]
    cpt += [(f"J{120 + n:04d}", "", "15.10", "1.00", "$15.10", "000", "999", "000", "No")
            for n in range(6)]
    dental = [("D0120", "", "21.36", "1.00", "$21.36", "000", "020", "000", "No"),
              ("D0120", "", "24.00", "1.00", "$24.00", "021", "999", "000", "No"),
              ("D0145", "", "30.44", "1.00", "$30.44", "000", "002", "000", "No"),
              ("D1110", "", "39.02", "1.00", "$39.02", "", "", "", "No"),
              ("D1120", "", "29.20", "1.00", "$29.20", "000", "020", "000", "No"),
              ("D2391", "", "61.50", "1.00", "$61.50", "000", "999", "000", "No"),
              ("D2740", "", "", "", "Not a benefit", "021", "999", "", "Yes"),
              ("D7140", "", "57.80", "1.00", '"$1,057.80"', "000", "999", "010", "No")]
    tail = [("V2785", "", "", "", "Code is manually priced", "", "", "", "")]
    lines = [",,,,,,,,,",
             '"The reimbursement rates listed in this fee schedule are valid for services '
             'rendered on or after January 1, 2026. Please refer to the Fee Schedule '
             'Instructions.",,,,,,,,,',
             ",,,,,,,,,", ",,,,,,,,,",
             "CPT or HCPCS Procedure Code,Procedure Code Modifier,Base Value,Conversion Factor,"
             "Total CO Medicaid Allowable (Base Value x Conversion Factor),Min Age,Max Age,"
             "Post Op Days,Prior Authorization Needed,"]
    lines += [",".join(row) + "," for row in cpt + dental + tail]
    lines += [",,,,,,,,,"] * 3
    text("colorado medicaid fee schedule 2026.csv", "\n".join(lines) + "\n", newline="\r\n")
    # A practice-management procedure log (one row per procedure done): ids, a patient, a
    # tooth and a provider beside the code and the date; no money at all.
    log = ["Service ID,Patient ID,Tooth,Provider ID,Code,Date"]
    entries = [("D0120", ""), ("D1110", ""), ("D2391", "30"), ("D0120", ""), ("D2740", "14"),
               ("D1110", ""), ("D0120", ""), ("D2391", "19"), ("D0274", ""), ("D0120", "")]
    for n, (code, tooth) in enumerate(entries):
        log.append(f"{5001 + n},{10002 + 7 * n},{tooth},{1 + n % 3},{code},"
                   f"2026-0{1 + n % 9}-{10 + n}")
    text("procedure log 2026.csv", "\n".join(log) + "\n")
    # Open Dental's Daily Procedures report (Reports, Daily Procedures: Date, Patient Name,
    # Code, Tooth, Area, Description, Prov, Clinic, Fee), exported with its title lines.
    daily = ["Daily Procedures", "Riverbend Family Dental", "01/01/2026 - 03/31/2026",
             "All Providers", "",
             "Date,Patient Name,Code,Tooth,Area,Description,Prov,Clinic,Fee",
             '01/05/2026,"Abbott, Ann",D0120,,,Periodic oral evaluation,DOC1,Main,62.00',
             '01/05/2026,"Abbott, Ann",D1110,,,Prophylaxis - adult,HYG1,Main,118.00',
             '01/06/2026,"Baker, Bo",D2391,30,MO,Resin composite - one surface,DOC1,Main,'
             '215.00',
             '01/06/2026,"Baker, Bo",D0120,,,Periodic oral evaluation,DOC1,Main,62.00',
             '01/07/2026,"Chen, Cy",D2740,14,,Crown - porcelain/ceramic,DOC2,Main,1250.00',
             '01/08/2026,"Diaz, Di",D0120,,,Periodic oral evaluation,DOC2,Main,62.00']
    text("daily procedures report.csv", "\n".join(daily) + "\n")
    # A cost index: state abbreviations in a `code` column, dollars beside them (the shape
    # of plotly's 2011_us_ag_exports.csv): no CDT code anywhere, a four-digit total or two.
    text("cost index by state.csv",
         "code,state,category,total exports,beef,pork\n"
         "AL,Alabama,state,1390.63,34.4,10.6\n"
         "AK,Alaska,state,13.31,0.2,0.1\n"
         "AZ,Arizona,state,1463.17,71.3,17.9\n"
         "CA, California, state,3759,228.7,11.1\n"
         "CO,Colorado,state,1851.33,261.4,66\n")
    # A DHMO's patient charge schedule (Cigna Dental Care's shape: Code, Procedure
    # Description, Patient Charge; a category line inside the table; No Charge).
    text("cigna dental care patient charges 2026.csv",
         "Cigna Dental Care (DHMO) Patient Charge Schedule 2026\n"
         "Code,Procedure Description,Patient Charge\n"
         "Diagnostic/Preventive,,\n"
         "D0120,Periodic oral evaluation,No Charge\n"
         "D1110,Prophylaxis - adult,$5.00\n"
         "D2391,Resin-based composite - one surface posterior,$45.00\n"
         "D2740,Crown - porcelain/ceramic,$395.00\n"
         "D7140,Extraction - erupted tooth,Not covered\n")
    # A state dental fee list whose amounts differ by an age-group column (DentaQuest-style
    # "0-20" and "21+" bands): the adult band is read, a blank band stands for every age.
    text("medicaid age groups 2026.csv",
         "Code,Description,Age Group,Max Fee\n"
         "D0120,Periodic oral evaluation,0-20,21.36\n"
         "D0120,Periodic oral evaluation,21+,24.00\n"
         "D1110,Prophylaxis - adult,21+,39.02\n"
         "D1120,Prophylaxis - child,0-20,29.20\n"
         "D2391,Composite,,61.50\n")
    _copay_two_tables()
    _three_listings()


def _copay_two_tables() -> None:
    """A DHMO copay schedule (Aetna Dental Low DMO's shape): two tables side by side on
    each page, each with Code, Description, General and Specialist; section titles in
    capitals; descriptions wrapping onto the next line; a footnote marker between a code
    and its description; the right table shorter than the left."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    left = [("D0120", "Periodic oral evaluation", "$0", "$0"),
            ("D0140", "Limited oral evaluation - problem", "$5", "$15"),
            ("", "focused", "", ""),
            ("D1110", "Prophylaxis - adult", "$10", "$10"),
            ("D2140", "Amalgam - one surface, primary or", "$12", "$20"),
            ("", "permanent", "", ""),
            ("D2391", "Resin-based composite - one surface,", "$45", "$60"),
            ("", "posterior", "", ""),
            ("D2740", "Crown - porcelain/ceramic", "$395", "$450"),
            ("D3110", "Pulp cap - direct (excluding final", "$6", "$12"),
            ("", "restoration)", "", "")]
    right = [("D3310", "Endodontic therapy, anterior tooth", "$135", "$175"),
             ("D3330", "(1) Endodontic therapy, molar tooth", "$290", "$350"),
             ("D4341", "Periodontal scaling and root planing", "$55", "$70"),
             ("", "- four or more teeth per quadrant", "", ""),
             ("D7140", "Extraction, erupted tooth", "$20", "$35"),
             ("D7210", "Extraction, surgical", "$65", "NC")]
    pdf = canvas.Canvas(str(HERE / "aetna dmo copays two tables 2026.pdf"), pagesize=letter,
                        invariant=1)
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(40, 760, "Aetna Dental Low DMO Plan 73 - Patient Charge Schedule")
    pdf.setFont("Helvetica", 8)
    pdf.drawString(40, 748, "Effective Date: 01-01-2026")
    for x, rows in ((40, left), (310, right)):
        pdf.drawString(x, 730, "Code")
        pdf.drawString(x + 32, 730, "Description")
        pdf.drawRightString(x + 225, 730, "General")
        pdf.drawRightString(x + 262, 730, "Specialist")
        for n, (code, description, general, specialist) in enumerate(rows):
            y = 716 - 12 * n
            if code:
                pdf.drawString(x, y, code)
            pdf.drawString(x + 32, y, description)
            if general:
                pdf.drawRightString(x + 225, y, general)
                pdf.drawRightString(x + 262, y, specialist)
    pdf.drawString(40, 560, "(1) Certain services may be covered under the Medical Plan.")
    pdf.drawString(40, 40, "GR-96150 (1-26)")
    pdf.showPage()
    pdf.save()


def _three_listings() -> None:
    """Fifteen codes listed three times (three pages), each time with other amounts and
    nothing telling the listings apart: every row of every code conflicts (one code has
    the same amount in two listings, one wraps its description)."""
    codes = ["D0120", "D0140", "D0150", "D0210", "D0220", "D0274", "D1110", "D1120",
             "D1206", "D2140", "D2150", "D2391", "D2740", "D2750", "D3310"]
    pages = []
    for listing, factor in enumerate((1.0, 1.1, 1.25)):
        lines = ["Guardian Dental PPO Schedule of Allowances", "Code Description Allowance"]
        for n, code in enumerate(codes):
            amount = (40 + 17 * n) * (1.1 if code == "D0140" and listing == 2 else factor)
            if code == "D2740" and listing == 1:
                lines += [f"{code} Crown - porcelain/ceramic substrate, including",
                          f"preparation ${amount:,.2f}"]
            else:
                lines.append(f"{code} Procedure {code} ${amount:,.2f}")
        pages.append(lines)
    _pdf("guardian three listings.pdf", pages)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["wild"]:
        wild()
        wild_more()
        wild_last()
        round_three()
    elif sys.argv[1:] == ["three"]:
        round_three()
    else:
        main()
        wild()
        wild_more()
        wild_last()
        round_three()
