"""Negotiation deliverables: request letters, a one-page leave-behind, proposed schedules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..analysis import Analysis
from . import content, documents
from .content import DEFAULT_TOP, safe_filename


LETTER_SUFFIX = " - fee review request.docx"
SUMMARY_SUFFIX = " - fee schedule summary.pdf"
SCHEDULE_MARK = " - proposed fees ("


def is_deliverable(name: str) -> bool:
    """A file name xlfees gives its letters, summaries and proposed schedules."""
    return (name.endswith((LETTER_SUFFIX, SUMMARY_SUFFIX))
            or (SCHEDULE_MARK in name and name.endswith((").txt", ").csv"))))


@dataclass
class Deliverables:
    """The files written for one client."""

    letters: list[Path] = field(default_factory=list)
    summary: Path | None = None
    schedules: list[Path] = field(default_factory=list)

    @property
    def all(self) -> list[Path]:
        return [*self.letters, *([self.summary] if self.summary else []), *self.schedules]


def write_deliverables(analysis: Analysis, out_dir: str | Path, *, day: date | None = None,
                       top: int = DEFAULT_TOP) -> Deliverables:
    """Write one request letter per payer, the leave-behind PDF and the proposed schedules.

    ``day`` dates the letters (default: today); the same inputs and day give
    the same files.
    """
    out_dir = Path(out_dir)
    day = day or date.today()
    written = Deliverables()
    for letter in content.letters(analysis, day, top):
        name = safe_filename(f"{letter.label}{LETTER_SUFFIX}")
        written.letters.append(documents.write_letter(letter, out_dir / name))
    name = safe_filename(f"{analysis.client.name}{SUMMARY_SUFFIX}")
    written.summary = documents.write_summary_pdf(content.summary(analysis, day),
                                                  out_dir / name)
    for payer, network, label in documents.labels(analysis):
        rows = documents.proposed_schedule(analysis, payer, network)
        base = safe_filename(f"{label}{SCHEDULE_MARK.rstrip(' (')}")
        written.schedules.append(documents.write_open_dental(
            rows, out_dir / f"{base} (Open Dental).txt"))
        written.schedules.append(documents.write_dentrix_ascend(
            rows, out_dir / f"{base} (Dentrix Ascend).csv"))
    return written
