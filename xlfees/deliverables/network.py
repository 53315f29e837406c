"""The network value summary: one page per payer that a group hands that payer.

What the group's locations bring the payer's members (procedures by CDT category,
locations), what the payer pays the group, its rate against the group's other payers,
the break-even retention, and from the ERAs the clean-claim rate and days to payment.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Sequence

from ..analysis.rollup import GroupPayer, GroupRollup
from ..written import write_atomically
from ..money import count, money, percent
from .content import long_date
from .documents import pdf_page
from ..wording import slug

MOST_LOCATIONS = 10   # rows of the locations table; the rest are summed in one line
PREFIX = "network-value-"


def network_file_names(rollup: GroupRollup) -> dict[str, str]:
    """Each payer's file name, ``network-value-delta-dental-ppo.pdf``: lower case, no
    spaces, never the same twice."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for payer in rollup.payers:
        stem = slug(payer.payer)[:80] or "payer"
        name, number = stem, 1
        while name in taken:
            number += 1
            name = f"{stem}-{number}"
        taken.add(name)
        names[payer.payer] = f"{PREFIX}{name}.pdf"
    return names


def write_network_summaries(rollup: GroupRollup, out_dir: str | Path,
                            day: date | None = None) -> list[Path]:
    """One PDF page per payer of ``rollup`` in ``out_dir`` (dated ``day``, default today)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    day = day or date.today()
    names = network_file_names(rollup)
    return [write_network_summary(rollup, payer, out_dir / names[payer.payer], day)
            for payer in rollup.payers]


def _locations_rows(rollup: GroupRollup, payer: GroupPayer) -> list[tuple[str, float, float,
                                                                           float]]:
    """(location, procedures, allowed, office fees) of one payer at each location."""
    rows = [(e["location"], e["procedures"], e["allowed"], e["office"])
            for e in rollup.location_payers if e["payer"] == payer.payer]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def write_network_summary(rollup: GroupRollup, payer: GroupPayer, path: Path,
                          day: date) -> Path:
    """The one-page summary of what ``rollup``'s group brings ``payer``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter as letter_size

    buffer = io.BytesIO()
    page = pdf_page(buffer, f"{rollup.name}: network value for {payer.payer}", rollup.name,
                    "Network value summary", day)
    width, height = letter_size
    left, right = 54, width - 54
    plan = prose_name(payer.payer)
    y = height - 60
    page.setFont("Helvetica-Bold", 18)
    page.drawString(left, y, _fit(rollup.name, 60))
    y -= 22
    page.setFont("Helvetica", 12)
    page.drawString(left, y, _fit(f"What our locations bring {plan}'s members", 80))
    y -= 16
    page.setFont("Helvetica", 10)
    page.setFillColor(colors.HexColor("#555555"))
    page.drawString(left, y, f"Network value summary, {long_date(day)}")
    page.setFillColor(colors.black)
    y -= 30

    figures = [
        (f"Procedures a year for {_fit(plan, 40)}'s members", count(payer.procedures)),
        ("Locations treating them", f"{len(payer.locations)} of {len(rollup.locations)}"),
        (f"What {_fit(plan, 40)} allows us a year", money(payer.allowed)),
        ("Its allowed amounts as a share of our usual fees",
         percent(payer.effective_rate) if payer.effective_rate is not None else "—"),
        ("The same for our other payers together",
         percent(payer.others_rate) if payer.others_rate is not None else "—"),
    ]
    if payer.has_eras:
        rate = payer.clean_claim_rate
        figures += [
            (f"Paid on {count(payer.claims)} claims in the remittances on file "
             f"({payer.era_locations} of {len(payer.locations)} locations)", money(payer.paid)),
            ("Claims paid on the first pass (clean-claim rate)",
             percent(rate) if rate is not None else "—"),
            ("Median days from claim received to payment",
             f"{payer.median_days:.1f}" if payer.median_days is not None else "—"),
        ]
    even = payer.break_even_retention
    figures.append(("Break-even retention (see the note below)",
                    "—" if even is None else percent(even) + ("*" if even > 1 else "")))
    for label, value in figures:
        page.setFont("Helvetica", 11)
        page.drawString(left, y, label)
        page.setFont("Helvetica-Bold", 12)
        page.drawRightString(right, y, value)
        y -= 20
    if not payer.has_eras:
        page.setFont("Helvetica-Oblique", 9)
        page.drawString(left, y + 4, "No remittances (ERAs) from this payer are on file: "
                                     "clean-claim rate and days to payment not shown.")
        y -= 12

    y -= 14
    y = _table(page, left, right, y, "Procedures a year by location",
               ("Location", "Procedures", "Allowed a year", "Effective rate"),
               _location_lines(rollup, payer))
    y -= 30
    total = payer.procedures
    y = _table(page, left, right, y, "Procedures a year by CDT category",
               ("Category", "Procedures", "Share", ""),
               [(category, count(n), percent(n / total) if total > 0 else "—", "")
                for category, n in payer.categories.items()])

    page.setFont("Helvetica-Oblique", 8.5)
    notes = ["Break-even retention: the share of these patients the group would have to keep, "
             "paying our usual fee out of network, to",
             "collect what it collects from this plan today."
             + ("  * Over 100%: leaving this network never pays." if even and even > 1 else "")]
    y = max(y - 18, 70)
    for line in notes:
        page.drawString(left, y, line)
        y -= 11
    page.setFont("Helvetica", 8)
    page.drawString(left, 34, "Prepared with xlfees. Annual figures at the locations' "
                              "procedure volume of the last twelve months, at this payer's "
                              "current allowed amounts.")
    page.showPage()
    page.save()
    return write_atomically(path, buffer.getvalue())


def _location_lines(rollup: GroupRollup, payer: GroupPayer) -> list[tuple[str, str, str, str]]:
    rows = _locations_rows(rollup, payer)
    lines = [(location, count(n), money(allowed),
              percent(allowed / office) if office > 0 else "—")
             for location, n, allowed, office in rows[:MOST_LOCATIONS]]
    rest = rows[MOST_LOCATIONS:]
    if rest:
        n = sum(r[1] for r in rest)
        allowed = sum(r[2] for r in rest)
        office = sum(r[3] for r in rest)
        lines.append((f"{len(rest)} more locations", count(n), money(allowed),
                      percent(allowed / office) if office > 0 else "—"))
    return lines


def _table(page, left: float, right: float, y: float, title: str, headers: tuple[str, ...],
           rows: Sequence[tuple[str, ...]]) -> float:
    """A small table: the first column from the left, the others right-aligned."""
    from reportlab.lib import colors

    page.setFont("Helvetica-Bold", 11)
    page.drawString(left, y, title)
    y -= 16
    edges = (right - 230, right - 120, right)
    page.setFont("Helvetica-Bold", 9)
    page.drawString(left, y, headers[0])
    for x, header in zip(edges, headers[1:]):
        page.drawRightString(x, y, header)
    page.setStrokeColor(colors.HexColor("#1F4E79"))
    page.line(left, y - 4, right, y - 4)
    page.setFont("Helvetica", 9.5)
    for row in rows:
        y -= 14
        page.drawString(left, y, _fit(row[0], 46))
        for x, text in zip(edges, row[1:]):
            page.drawRightString(x, y, text)
    return y


def prose_name(label: str) -> str:
    """A schedule's label as a sentence names it: "Delta Dental (PPO)" → "Delta Dental PPO"."""
    return re.sub(r" \((.+)\)$", r" \1", label)


def _fit(text: str, characters: int) -> str:
    return text if len(text) <= characters else text[:characters - 1] + "…"
