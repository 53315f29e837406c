"""The request letters (.docx), the one-page leave-behind (.pdf), the import-ready schedules."""

from __future__ import annotations

import io
from datetime import datetime, time
from pathlib import Path

from ..analysis import Analysis
from ..engine import schedule_label
from ..workbook.xlsx import normalised_zip, write_atomically
from .content import Letter, Summary, count, long_date, money, percent


# --- request letter ----------------------------------------------------------------------

def letter_paragraphs(letter: Letter) -> list[str]:
    """The letter's running text (the tables are added beside it)."""
    plan = f"{letter.payer} {letter.network}".strip()
    ids = []
    if letter.tin:
        ids.append(f"TIN {letter.tin}")
    if letter.npi:
        ids.append(f"NPI {letter.npi}")
    if letter.contract:
        ids.append(f"contract {letter.contract}")
    subject = f"Re: request for a fee schedule review — {letter.practice}"
    if ids:
        subject += " (" + ", ".join(ids) + ")"
    opening = (f"{letter.practice} has been a participating provider in the {plan} network. "
               f"We ask that you review our fee schedule and adjust the allowances below by "
               f"{letter.ask}, limited in each case to our usual fee.")
    paragraphs = [subject, "Dear Provider Relations,", opening]
    if letter.codes and letter.has_volume:
        paragraphs.append(
            f"The codes below are those where the gap to the other plans we participate in, "
            f"multiplied by the number of procedures we perform for your members, is largest. "
            f"At our current volume the adjustment amounts to {money(letter.annual_impact)} a "
            "year.")
    elif letter.codes:
        paragraphs.append("The codes below are those where your allowance lags the other plans "
                          "we participate in the most.")
    return paragraphs


def case_paragraphs(letter: Letter) -> list[str]:
    """The supporting case: volume with the plan, effective rate against the others."""
    lines = []
    if letter.has_volume and letter.plan_volume > 0:
        estimated = "an estimated " if letter.volume_is_estimate else ""
        lines.append(f"In the last twelve months we performed {estimated}"
                     f"{count(letter.plan_volume)} "
                     f"procedure{'' if letter.plan_volume == 1 else 's'} "
                     "for your members.")
    if letter.effective_rate is not None:
        sentence = (f"Across the codes we perform, your schedule pays "
                    f"{percent(letter.effective_rate)} of our usual fees")
        median = letter.peer_median
        if median is not None and len(letter.peer_rates) > 1:
            sentence += (f"; the other plans we participate in pay between "
                         f"{percent(min(letter.peer_rates))} and {percent(max(letter.peer_rates))}"
                         f" (median {percent(median)})")
        elif median is not None:
            sentence += f"; the other plan we participate in pays {percent(median)}"
        lines.append(sentence + ".")
    return lines


def _add_table(document, headers: list[str], rows: list[list[str]]) -> None:
    """A plain grid table with a bold header row (Word's own "Table Grid" style)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text


def write_letter(letter: Letter, path: Path) -> Path:
    """A short, formal, editable request letter as .docx."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    document.add_paragraph(letter.practice).runs[0].bold = True
    for address_line in (letter.address or "").splitlines():
        document.add_paragraph(address_line.strip())
    if letter.phone:
        document.add_paragraph(letter.phone)
    document.add_paragraph(long_date(letter.day))
    document.add_paragraph(f"Provider Relations\n{letter.payer}"
                           + (f" — {letter.network}" if letter.network else ""))
    subject, *body = letter_paragraphs(letter)
    document.add_paragraph(subject).runs[0].bold = True
    for paragraph in body:
        document.add_paragraph(paragraph)
    if letter.codes:
        headers = ["Code", "Description"]
        if letter.has_volume:
            headers.append("Annual volume")
        headers += ["Current allowed", "Peer benchmark", "Office fee", "Proposed fee",
                    "Increase"]
        rows = []
        for line in letter.codes:
            values = [line.code, line.description]
            if letter.has_volume:
                values.append(count(line.volume))
            values += [money(line.allowed),
                       money(line.benchmark) if line.benchmark is not None else "—",
                       money(line.office_fee), money(line.proposed), percent(line.increase)]
            rows.append(values)
        _add_table(document, headers, rows)
    if letter.alternates:
        document.add_paragraph(
            "Alternate benefits. Your plan pays the procedures below at the allowance of a "
            "less costly alternate, and your members pay the difference. We ask that the "
            "alternate allowances be raised as shown; the last columns are what each patient "
            "would save.")
        headers = ["Code", "Paid as", "Current alternate", "Proposed alternate",
                   "Patient saves per procedure"]
        if letter.has_volume:
            headers.append("Patients save a year")
        rows = []
        for alternate in letter.alternates:
            values = [alternate.code, alternate.alt_code or "—", money(alternate.alt_before),
                      money(alternate.alt_after), money(alternate.savings)]
            if letter.has_volume:
                values.append(money(alternate.annual_savings))
            rows.append(values)
        _add_table(document, headers, rows)
    for paragraph in case_paragraphs(letter):
        document.add_paragraph(paragraph)
    document.add_paragraph("We would welcome a revised schedule, or a call to discuss it. "
                           "Thank you for your consideration.")
    document.add_paragraph("Sincerely,")
    document.add_paragraph(letter.contact or "")
    document.add_paragraph(letter.practice)
    properties = document.core_properties
    # Word keeps at most 255 characters in each document property.
    properties.author = letter.practice[:255]
    properties.title = f"Fee schedule review request — {letter.label}"[:255]
    stamp = datetime.combine(letter.day, time())
    properties.created = properties.modified = stamp
    properties.last_modified_by = letter.practice[:255]
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return write_atomically(path, normalised_zip(buffer.getvalue()))


# --- one-page leave-behind ------------------------------------------------------------------

def write_summary_pdf(summary: Summary, path: Path) -> Path:
    """One page for the practice owner: rates by payer (chart), write-off, the ask, savings."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter as letter_size
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter_size, invariant=1)
    page.setTitle(f"{summary.practice}: PPO fee schedule review")
    page.setAuthor(summary.practice)
    width, height = letter_size
    y = height - 60
    page.setFont("Helvetica-Bold", 18)
    page.drawString(50, y, summary.practice)
    y -= 22
    page.setFont("Helvetica", 11)
    page.drawString(50, y, f"PPO fee schedule review, {long_date(summary.day)}")
    y -= 40
    headlines = [("Annual write-off (office fee - allowed)", money(summary.annual_writeoff)),
                 (f"The ask: {summary.ask}, worth a year", money(summary.ask_value)),
                 (f"Patients save a year with alternate benefits +{percent(summary.alt_ask)}",
                  money(summary.alt_savings))]
    for label, value in headlines:
        page.setFont("Helvetica", 11)
        page.drawString(50, y, label)
        page.setFont("Helvetica-Bold", 13)
        page.drawRightString(width - 50, y, value)
        y -= 24
    rated = [(label, rate) for label, rate, _, _ in summary.payers if rate is not None]
    if rated:
        y -= 10
        page.setFont("Helvetica-Bold", 12)
        page.drawString(50, y, "Effective rate by payer (share of usual fees paid)")
        chart_height = 24 * len(rated) + 30
        drawing = Drawing(width - 100, chart_height)
        chart = HorizontalBarChart()
        chart.x, chart.y = 170, 20
        chart.width, chart.height = width - 300, chart_height - 30
        chart.data = [[round(rate * 100, 1) for _, rate in rated]]
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
    columns = (50, 300, 390, 480)
    for x, text in zip(columns, ("Payer", "Effective rate", "Write-off / yr", "Ask / yr")):
        page.drawString(x, y, text)
    page.setFont("Helvetica", 10)
    for label, payer_rate, writeoff, ask_value in summary.payers:
        y -= 16
        page.drawString(columns[0], y, label[:40])
        page.drawString(columns[1], y, percent(payer_rate) if payer_rate is not None else "—")
        page.drawString(columns[2], y, money(writeoff))
        page.drawString(columns[3], y, money(ask_value))
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


# --- import-ready proposed schedules --------------------------------------------------------

def proposed_schedule(analysis: Analysis, payer: str, network: str) -> list[tuple[str, float, str]]:
    """(code, proposed fee, description) for every code of one payer's schedule."""
    targets = analysis.targets
    mine = targets[(targets["payer"] == payer) & (targets["network"] == network)]
    return sorted((r["code"], float(r["proposed"]), r["description"])
                  for r in mine.to_dict("records"))


def write_open_dental(rows: list[tuple[str, float, str]], path: Path) -> Path:
    """Open Dental's Fee Tools layout: code, amount, abbreviation, description; tabs, CRLF."""
    lines = [f"{code}\t{fee:.2f}\t{_clean(description)[:10]}\t{_clean(description)}"
             for code, fee, description in rows]
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
