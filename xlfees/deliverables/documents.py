"""The request letters (.docx), the one-page leave-behind (.pdf), the import-ready schedules."""

from __future__ import annotations

import functools
import io
import math
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..analysis import Analysis
from ..csvtext import neutralised
from ..labels import schedule_label
from ..written import normalised_zip, write_atomically
from ..money import excel_round, money, percent
from .content import Exhibit, Letter, Summary, long_date


# --- request letter ----------------------------------------------------------------------

# Inches. The text is 6.5" wide on US Letter; each table's columns add up to it, the
# money columns wide enough for "$12,345.67" on one line at 10 pt.
PAGE_MARGIN = 1.0
CODE_COLUMNS = (("Code", 0.65, "left"), ("Description", 2.35, "left"),
                ("Current allowed", 0.95, "right"), ("{benchmark}", 0.95, "right"),
                ("Requested", 0.95, "right"), ("Change", 0.65, "right"))
ALT_COLUMNS = (("Code", 0.65, "left"), ("Description", 1.95, "left"),
               ("Paid as", 0.7, "left"), ("Current alternate", 1.0, "right"),
               ("Requested alternate", 1.0, "right"), ("Patient saves", 1.2, "right"))
UNDERPAID_COLUMNS = (("Claim", 1.15, "left"), ("Patient control no.", 1.25, "left"),
                     ("Service date", 0.95, "left"), ("Code", 0.65, "left"),
                     ("Contracted", 0.85, "right"), ("Allowed", 0.8, "right"),
                     ("Difference", 0.85, "right"))
INK = "1F3864"          # the letterhead's dark blue
HEADER_FILL = "DCE6F1"  # the tables' header row


def code_rows(letter: Letter) -> list[list[str]]:
    """The requested codes as the letter's table prints them."""
    return [[line.code, line.description, money(line.allowed),
             # a percentage ask may take a code no other plan lists: no benchmark to show
             "—" if line.benchmark is None or math.isnan(line.benchmark)
             else money(line.benchmark),
             money(line.requested), f"+{percent(line.change)}"] for line in letter.codes]


def alternate_rows(letter: Letter) -> list[list[str]]:
    """The alternate-benefit requests as the letter's table prints them."""
    return [[a.code, a.description, a.alt_code or "—", money(a.alt_before), money(a.alt_after),
             money(a.savings)] for a in letter.alternates]


def underpaid_rows(letter: Letter) -> list[list[str]]:
    """The underpaid claims appendix as the letter prints it."""
    return [[line.claim, line.patient_control_number,
             line.service_date.strftime("%m/%d/%Y") if line.service_date else "",
             line.code, money(line.contracted), money(line.allowed), money(line.difference)]
            for line in letter.underpaid]


def _set(element, tag: str, **attributes: str):
    """Add (or find) child ``w:tag`` of ``element`` and set its ``w:`` attributes."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    child = element.find(qn(f"w:{tag}"))
    if child is None:
        child = OxmlElement(f"w:{tag}")
        element.append(child)
    for name, value in attributes.items():
        child.set(qn(f"w:{name}"), value)
    return child


def _font(style, name: str) -> None:
    """A font for every script, so Writer and Word agree on it (Calibri; Carlito in Writer)."""
    style.font.name = name
    _set(style.element.get_or_add_rPr(), "rFonts", ascii=name, hAnsi=name, cs=name,
         eastAsia=name)


def _table(document, columns, header_text: dict[str, str], rows: list[list[str]],
           keep_last_with_next: bool = False) -> None:
    """A fixed-width table: its header row repeats on every page, no row splits across a
    page, money right-aligned, 10 pt; with ``keep_last_with_next`` its last row goes to
    the next page with what follows (the closing), never leaving that alone."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt

    table = document.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    properties = table._tbl.tblPr
    _set(properties, "tblLayout", type="fixed")
    margins = _set(properties, "tblCellMar")
    for side in ("left", "right"):
        _set(margins, side, w="80", type="dxa")
    for column, (_, width, _) in zip(table._tbl.tblGrid.gridCol_lst, columns):
        column.w = Inches(width)
    for number, row in enumerate(table.rows):
        row_properties = row._tr.get_or_add_trPr()
        _set(row_properties, "cantSplit")
        if number == 0:
            _set(row_properties, "tblHeader")
        texts = ([header_text.get(title, title) for title, _, _ in columns] if number == 0
                 else rows[number - 1])
        for cell, (_, width, align), text in zip(row.cells, columns, texts):
            cell.width = Inches(width)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_before = Pt(1)
            paragraph.paragraph_format.space_after = Pt(1)
            if align == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(text)
            run.font.size = Pt(10)
            if number == 0:
                run.bold = True
                _set(cell._tc.get_or_add_tcPr(), "shd", val="clear", color="auto",
                     fill=HEADER_FILL)
                paragraph.paragraph_format.keep_with_next = True
            elif number == len(rows) and keep_last_with_next:
                paragraph.paragraph_format.keep_with_next = True


def write_letter(letter: Letter, path: Path) -> Path:
    """A fee review request a practice manager signs and sends, as an editable .docx."""
    from docx import Document
    from docx.shared import Inches, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(PAGE_MARGIN)
    section.top_margin, section.bottom_margin = Inches(0.7), Inches(0.8)
    normal = document.styles["Normal"]
    _font(normal, "Calibri")
    normal.font.size = Pt(11)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0

    paragraph = functools.partial(_paragraph, document)
    # Letterhead: the practice, its address, phone and identifiers, a rule beneath.
    last = _letterhead_paragraphs(document, letter.practice, letter.letterhead)
    _set(_set(last._p.get_or_add_pPr(), "pBdr"), "bottom", val="single", sz="8",
         space="4", color=INK)
    paragraph(long_date(letter.day), before=18, after=12)
    inside = paragraph(after=12)
    for number, line in enumerate(letter.addressee):
        run = inside.add_run(line)
        if number < len(letter.addressee) - 1:
            run.add_break()
    paragraph(letter.subject, bold=True, after=10)
    paragraph(letter.salutation)
    for text in letter.case:
        paragraph(text)
    last = paragraph(keep=True, after=0)  # the table follows straight after
    last.paragraph_format.space_after = Pt(4)
    _table(document, CODE_COLUMNS, {"{benchmark}": letter.benchmark_header},
           code_rows(letter), keep_last_with_next=not letter.alternates)
    after_table = 10
    if letter.alternates:
        paragraph("Alternate benefits", bold=True, before=after_table, after=4, keep=True)
        intro = paragraph(letter.alternates_intro or "", keep=True)
        intro.paragraph_format.space_after = Pt(4)
        _table(document, ALT_COLUMNS, {}, alternate_rows(letter), keep_last_with_next=True)
    # The closing sentence goes with the signature, and the table's last row with both.
    paragraph(letter.closing, before=after_table, keep=True)
    # The signature block stays together: a signer never signs alone on a page.
    paragraph("Sincerely,", keep=True, after=36)
    closing_lines = [line for line in (letter.signer, letter.signer_title, letter.practice)
                     if line]
    for number, line in enumerate(closing_lines):
        paragraph(line, bold=number == 0 and bool(letter.signer), after=0,
                  keep=number < len(closing_lines) - 1)
    if letter.underpaid:
        # An appendix on a page of its own: the request above stays two pages at most.
        heading = paragraph("Appendix: claims allowed below the contracted fee", bold=True,
                            size=13, after=6, keep=True, colour=INK)
        heading.paragraph_format.page_break_before = True
        intro = paragraph(letter.underpaid_intro or "", keep=True)
        intro.paragraph_format.space_after = Pt(4)
        _table(document, UNDERPAID_COLUMNS, {}, underpaid_rows(letter))
    return _save_docx(document, path, letter.practice,
                      f"Fee schedule review request: {letter.label}", letter.day)


def _paragraph(document: Any, text: str = "", *, bold: bool = False,
               size: float | None = None, after: float | None = None,
               before: float | None = None, keep: bool = False,
               colour: str | None = None) -> Any:
    """A paragraph of ``text`` (one run, as given), its spacing in points."""
    from docx.shared import Pt, RGBColor

    made = document.add_paragraph()
    if text:
        run = made.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)
    if after is not None:
        made.paragraph_format.space_after = Pt(after)
    if before is not None:
        made.paragraph_format.space_before = Pt(before)
    made.paragraph_format.keep_with_next = keep
    return made


def _letterhead_paragraphs(document: Any, practice: str, lines: list[str]) -> Any:
    """The practice's name, then its address, phone and identifiers; the last paragraph."""
    last = _paragraph(document, practice, bold=True, size=16, after=2, colour=INK)
    for line in lines:
        last = _paragraph(document, line, size=9.5, after=0, colour="404040")
    return last


def _save_docx(document: Any, path: Path, author: str, title: str, day: date) -> Path:
    """Saved atomically, authored, titled and dated ``day`` (the same bytes each run)."""
    properties = document.core_properties
    # Word keeps at most 255 characters in each document property.
    properties.author = author[:255]
    properties.title = title[:255]
    properties.created = properties.modified = datetime.combine(day, time())
    properties.last_modified_by = author[:255]
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return write_atomically(path, normalised_zip(buffer.getvalue()))


# --- one-page leave-behind ------------------------------------------------------------------

def pdf_page(buffer: io.BytesIO, title: str, author: str, subject: str, day: date) -> Any:
    """A letter-size reportlab canvas writing to ``buffer``: titled, authored by the
    practice (or group), created by xlfees, dated ``day``."""
    from reportlab.lib.pagesizes import letter as letter_size
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(buffer, pagesize=letter_size, invariant=1)
    page.setTitle(title)
    page.setAuthor(author)
    page.setCreator("xlfees")
    page.setSubject(subject)
    # Dated the run's day (invariant=1 keeps the rest of the file the same for the same
    # inputs; by itself it would date every PDF 2000-01-01).
    stamp = f"D:{day:%Y%m%d}000000+00'00'"
    page.setDateFormatter(lambda *_: stamp)
    return page


def write_summary_pdf(summary: Summary, path: Path) -> Path:
    """One page for the practice owner: rates by payer (chart), write-off, the ask, savings."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter as letter_size

    buffer = io.BytesIO()
    page = pdf_page(buffer, f"{summary.practice}: PPO fee schedule review", summary.practice,
                    "PPO fee schedule review", summary.day)
    width, height = letter_size
    y = height - 60
    page.setFont("Helvetica-Bold", 18)
    page.drawString(50, y, summary.practice)
    y -= 22
    page.setFont("Helvetica", 11)
    page.drawString(50, y, f"PPO fee schedule review, {long_date(summary.day)}")
    y -= 40
    headlines = [("Annual write-off (office fee – allowed)", money(summary.annual_writeoff)),
                 (f"The ask ({summary.ask}), worth a year", money(summary.ask_value)),
                 (f"Patients save a year with alternate benefits {summary.alt_ask}",
                  money(summary.alt_savings))]
    for label, value in headlines:
        page.setFont("Helvetica", 11)
        page.drawString(50, y, label)
        page.setFont("Helvetica-Bold", 13)
        page.drawRightString(width - 50, y, value)
        y -= 24
    rated = [(label, rate) for label, rate, *_ in summary.payers if rate is not None]
    if rated:
        y -= 10
        page.setFont("Helvetica-Bold", 12)
        page.drawString(50, y, "Effective rate by payer (share of usual fees paid)")
        chart_height = 24 * len(rated) + 30
        drawing = Drawing(width - 100, chart_height)
        chart = HorizontalBarChart()
        chart.x, chart.y = 170, 20
        chart.width, chart.height = width - 300, chart_height - 30
        chart.data = [[excel_round(rate * 100, 1) for _, rate in rated]]
        chart.categoryAxis.categoryNames = [label for label, _ in rated]
        chart.categoryAxis.reverseDirection = 1
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = 100
        chart.valueAxis.labelTextFormat = "%d%%"
        chart.bars[0].fillColor = colors.HexColor("#1F4E79")
        chart.barLabelFormat = "%.1f%%"
        chart.barLabels.nudge = 18
        drawing.add(chart)
        y -= chart_height + 6
        drawing.drawOn(page, 50, y)
    y -= 24
    page.setFont("Helvetica-Bold", 11)
    # The payer's name from the left; each figure ends at its column's right edge.
    right_edges = (300, 385, 475, width - 50)
    page.drawString(50, y, "Payer")
    for x, text in zip(right_edges, ("Effective rate", "Break-even", "Write-off a year",
                                     "Ask a year")):
        page.drawRightString(x, y, text)
    page.setFont("Helvetica", 10)
    never = False
    for label, payer_rate, writeoff, ask_value, even in summary.payers:
        y -= 16
        page.drawString(50, y, label if len(label) <= 34 else label[:33] + "…")
        never = never or (even is not None and even > 1)
        figures = (percent(payer_rate) if payer_rate is not None else "—",
                   "—" if even is None else percent(even) + ("*" if even > 1 else ""),
                   money(writeoff), money(ask_value))
        for x, text in zip(right_edges, figures):
            page.drawRightString(x, y, text)
    y -= 14
    page.setFont("Helvetica-Oblique", 8.5)
    page.drawString(50, y, "Break-even: the share of a payer's patients to keep, paying the "
                           "office fee out of network, to collect what the practice collects "
                           "today.")
    if never:
        y -= 11
        page.drawString(50, y, "* over 100%: leaving that network never pays at this "
                               "out-of-network collection rate.")
    from reportlab.lib.utils import simpleSplit
    for line in (part for why in summary.no_ask   # an ask of $0.00 says why
                 for part in simpleSplit(why, "Helvetica-Oblique", 8.5, width - 100)):
        y -= 11
        page.drawString(50, y, line)
    if summary.top_targets:
        y -= 30
        page.setFont("Helvetica-Bold", 11)
        page.drawString(50, y, "Largest targets (volume × shortfall against the other payers)")
        page.setFont("Helvetica", 10)
        for target_label, code, target_value in summary.top_targets:
            y -= 16
            page.drawString(60, y, f"{target_label} {code}")
            page.drawRightString(width - 50, y, f"{money(target_value)} a year")
    if summary.volume_note:
        y -= 28
        page.setFont("Helvetica-Oblique", 9)
        page.drawString(50, y, summary.volume_note)
    page.setFont("Helvetica", 8)
    page.drawString(50, 30, "Prepared with xlfees. Figures are annual, at the practice's "
                            "procedure volume of the last twelve months.")
    page.showPage()
    page.save()
    return write_atomically(path, buffer.getvalue())


# --- the exhibit for a payer's provider relations -------------------------------------------

EXHIBIT_COLUMNS = (("Claim", 78, "LEFT"), ("Patient control no.", 82, "LEFT"),
                   ("Service date", 60, "LEFT"), ("Code", 38, "LEFT"),
                   ("Paid at", 58, "RIGHT"), ("Should be", 58, "RIGHT"),
                   ("Difference", 58, "RIGHT"), ("Trace number", 80, "LEFT"))   # 512 pt


def exhibit_rows(exhibit: Exhibit) -> list[list[str]]:
    """The exhibit's lines as its table prints them, the total last."""
    rows = [[line.claim, line.patient_control_number,
             line.service_date.strftime("%m/%d/%Y") if line.service_date else "", line.code,
             money(line.paid_at), money(line.should_be), money(line.difference), line.trace]
            for line in exhibit.lines]
    return rows + [["Total", "", "", "", "", "", money(exhibit.total), ""]]


def write_exhibit_pdf(exhibit: Exhibit, path: Path) -> Path:
    """One page of summary for a payer's provider relations, then every line paid below
    the schedule in force (claim, patient control number, service date, code, paid at,
    should be, difference, trace number), the header repeated on each page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter as letter_size
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                    TableStyle)
    from xml.sax.saxutils import escape

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=letter_size, invariant=1, leftMargin=50, rightMargin=50,
        topMargin=50, bottomMargin=50, creator="xlfees", author=exhibit.practice,
        title=f"{exhibit.practice}: {exhibit.label} remittances below the contracted schedule",
        subject="Remittances below the contracted schedule")
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14,
                          spaceAfter=8)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=16, leading=20,
                           spaceAfter=6)
    small = ParagraphStyle("small", fontName="Helvetica", fontSize=9, leading=11)
    story: list[Any] = [
        Paragraph(escape(exhibit.practice), title),
        Paragraph(escape(long_date(exhibit.day)), body),
        Paragraph(escape(f"To {exhibit.label}, provider relations: remittances allowed below "
                         "the contracted schedule"), body)]
    if exhibit.contract:
        story.append(Paragraph(escape(f"Contract: {exhibit.contract}"), body))
    story.append(Spacer(1, 6))
    story += [Paragraph(escape(text), body) for text in exhibit.summary]
    shares = [["Priced at", "Lines"]] + [[Paragraph(escape(f"{name} ({kind})"), small),
                                          str(lines)] for name, kind, lines in exhibit.schedules]
    table = Table(shares, colWidths=[430, 82], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#" + HEADER_FILL)),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey)]))
    story += [Spacer(1, 4), table, PageBreak(),
              Paragraph(escape(f"{exhibit.label}: lines allowed below the schedule in force"),
                        ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold",
                                       fontSize=12))]
    story.append(lines_table(EXHIBIT_COLUMNS, exhibit_rows(exhibit)))
    build_pdf(document, story, exhibit.day, f"{exhibit.practice} · {exhibit.label}", 30)
    return write_atomically(path, buffer.getvalue())


def lines_table(columns: tuple[tuple[str, float, str], ...], rows: list[list[str]]) -> Any:
    """A PDF table of remittance lines: the header shaded and repeated on every page,
    each column aligned as given, the last row (the total) bold under a rule."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table([[name for name, _, _ in columns], *rows],
                  colWidths=[width for _, width, _ in columns], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#" + HEADER_FILL)),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
        *[("ALIGN", (i, 0), (i, -1), align) for i, (_, _, align) in enumerate(columns)]]))
    return table


def build_pdf(document: Any, story: list[Any], day: date, footer: str, y: float) -> None:
    """Lay ``story`` out, each page footed "``footer`` · page N", the file dated ``day``."""
    stamp = f"D:{day:%Y%m%d}000000+00'00'"

    def dated(canvas: Any, _: Any) -> None:
        canvas.setDateFormatter(lambda *_: stamp)   # the run's day (see pdf_page)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(50, y, f"{footer} · page {canvas.getPageNumber()}")

    document.build(story, onFirstPage=dated, onLaterPages=dated)


# --- appeal packets (xlfees worklist packets) -------------------------------------------------

# Landscape: ten columns, 9" of text; the PDF's in points (692 pt between 50 pt margins).
PACKET_DOCX_COLUMNS = (("Claim", 0.95, "left"), ("Patient control no.", 0.95, "left"),
                       ("Service date", 0.8, "left"), ("Code", 0.55, "left"),
                       ("Billed", 0.8, "right"), ("Paid", 0.8, "right"),
                       ("Contracted", 0.85, "right"), ("Difference", 0.85, "right"),
                       ("CARC/RARC", 0.85, "left"), ("Trace number", 0.6, "left"))


def _packet_heading(analysis: Analysis, packet: Any, day: date) -> tuple[list[str], str, str]:
    """The packet's inside address, salutation and subject."""
    from .content import _addressee

    practice = analysis.client.practice
    addressee, salutation = _addressee(practice.contact_for(packet.payer, packet.payer),
                                       packet.payer)
    subject = (f"Re: Appeal of {len(packet.items)} claim line"
               f"{'s' if len(packet.items) != 1 else ''}, {analysis.client.name}, "
               f"{packet.payer}" + (f" (contract {packet.contract})" if packet.contract else ""))
    return addressee, salutation, subject


def write_packet_docx(analysis: Analysis, packet: Any, letter: list[str], day: date,
                      path: Path) -> Path:
    """The appeal packet as an editable .docx: the cover letter, then the lines and total."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Inches, Pt

    from .content import _letterhead
    from .worklist import packet_rows

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(11), Inches(8.5)
    section.left_margin = section.right_margin = Inches(PAGE_MARGIN)
    section.top_margin, section.bottom_margin = Inches(0.7), Inches(0.7)
    normal = document.styles["Normal"]
    _font(normal, "Calibri")
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)

    paragraph = functools.partial(_paragraph, document)
    practice = analysis.client.practice
    _letterhead_paragraphs(document, analysis.client.name, _letterhead(practice))
    addressee, salutation, subject = _packet_heading(analysis, packet, day)
    paragraph(long_date(day), before=14)
    for line in addressee:
        paragraph(line, after=0)
    paragraph("")
    paragraph(subject, bold=True)
    paragraph(salutation)
    for text in letter:
        paragraph(text)
    paragraph("Sincerely,", after=24)
    for signed in (practice.signer, practice.signer_title, analysis.client.name):
        if signed:
            paragraph(signed, after=0)
    heading = paragraph(f"Claim lines appealed: {packet.payer}", bold=True, size=13,
                        colour=INK)
    heading.paragraph_format.page_break_before = True
    _table(document, PACKET_DOCX_COLUMNS, {}, packet_rows(packet))
    return _save_docx(document, path, analysis.client.name, f"Appeal packet: {packet.payer}",
                      day)


PACKET_PDF_COLUMNS = (("Claim", 72, "LEFT"), ("Patient control no.", 76, "LEFT"),
                      ("Service date", 58, "LEFT"), ("Code", 36, "LEFT"),
                      ("Billed", 62, "RIGHT"), ("Paid", 62, "RIGHT"),
                      ("Contracted", 64, "RIGHT"), ("Difference", 64, "RIGHT"),
                      ("CARC/RARC", 90, "LEFT"), ("Trace number", 108, "LEFT"))   # 692 pt


def write_packet_pdf(analysis: Analysis, packet: Any, letter: list[str], day: date,
                     path: Path) -> Path:
    """The appeal packet as a PDF: the cover letter on its page, then the lines (the
    header repeated on each page) and the total."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter as letter_size
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (PageBreak, Paragraph, SimpleDocTemplate, Spacer)

    from .content import _letterhead
    from .worklist import packet_rows

    practice = analysis.client.practice
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(letter_size), invariant=1, leftMargin=50, rightMargin=50,
        topMargin=45, bottomMargin=45, creator="xlfees", author=analysis.client.name,
        title=f"Appeal packet: {packet.payer}", subject="Appeal of claim lines")
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14,
                          spaceAfter=7)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=11, spaceAfter=0,
                           textColor=colors.HexColor("#404040"))
    addressee, salutation, subject = _packet_heading(analysis, packet, day)
    story: list[Any] = [Paragraph(escape(analysis.client.name), ParagraphStyle(
        "title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20,
        textColor=colors.HexColor("#" + INK)))]
    story += [Paragraph(escape(line), small) for line in _letterhead(practice)]
    story += [Spacer(1, 12), Paragraph(escape(long_date(day)), body)]
    story += [Paragraph("<br/>".join(escape(line) for line in addressee), body),
              Paragraph(f"<b>{escape(subject)}</b>", body), Paragraph(escape(salutation), body)]
    story += [Paragraph(escape(text), body) for text in letter]
    story += [Paragraph("Sincerely,", body), Spacer(1, 24)]
    story += [Paragraph(escape(line), body) for line in
              (practice.signer, practice.signer_title, analysis.client.name) if line]
    story += [PageBreak(), Paragraph(f"<b>Claim lines appealed: {escape(packet.payer)}</b>",
                                     body)]
    story.append(lines_table(PACKET_PDF_COLUMNS, packet_rows(packet)))
    build_pdf(document, story, day, f"{analysis.client.name} · appeal to {packet.payer}", 25)
    return write_atomically(path, buffer.getvalue())


# --- import-ready proposed schedules --------------------------------------------------------

def proposed_schedule(analysis: Analysis, payer: str, network: str) -> list[tuple[str, float, str]]:
    """(code, proposed fee, description) for every code of one payer's schedule."""
    targets = analysis.targets
    mine = targets[(targets["payer"] == payer) & (targets["network"] == network)]
    return sorted((r["code"], float(r["proposed"]), r["description"])
                  for r in mine.to_dict("records"))


def write_open_dental(rows: list[tuple[str, float, str]], path: Path) -> Path:
    """Open Dental's Fee Tools layout: code, amount, abbreviation, description; tabs, CRLF."""
    lines = [f"{code}\t{fee:.2f}\t{neutralised(_clean(description)[:10])}\t"
             f"{neutralised(_clean(description))}" for code, fee, description in rows]
    return write_atomically(path, ("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write_dentrix_ascend(rows: list[tuple[str, float, str]], path: Path) -> Path:
    """A Dentrix Ascend-style fee schedule import: Procedure Code, Fee."""
    lines = ["Procedure Code,Fee"] + [f"{code},{fee:.2f}" for code, fee, _ in rows]
    return write_atomically(path, ("\r\n".join(lines) + "\r\n").encode("utf-8"))


def _clean(text: str) -> str:
    return " ".join(str(text or "").replace("\t", " ").split())


def labels(analysis: Analysis) -> list[tuple[str, str, str]]:
    return [(p, n, schedule_label(p, n)) for p, n in
            analysis.payers[["payer", "network"]].itertuples(index=False)]
