"""Negotiation deliverables: request letters, a one-page leave-behind, proposed schedules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..analysis import Analysis
from . import content, documents
from ..written import (EXHIBIT_SUFFIX, LETTER_SUFFIX, SCHEDULE_MARK, SUMMARY_SUFFIX,
                       safe_filename)

__all__ = ["Deliverables", "FileNames", "is_deliverable", "write_deliverables"]


@dataclass
class Deliverables:
    """The files written for one client."""

    letters: list[Path] = field(default_factory=list)
    summary: Path | None = None
    schedules: list[Path] = field(default_factory=list)
    # Per payer paid below the schedule in force: the lines, for its provider relations.
    exhibits: list[Path] = field(default_factory=list)
    # Payers that get no letter, and why: "Alpha Dental (PPO): no letter: it allows …"
    passed_over: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[Path]:
        return [*self.letters, *([self.summary] if self.summary else []), *self.schedules,
                *self.exhibits]


def write_deliverables(analysis: Analysis, out_dir: str | Path, *,
                       day: date | None = None) -> Deliverables:
    """Write one request letter per payer, the leave-behind PDF, the proposed schedules
    and, per payer paid below the schedule in force, the exhibit of those lines.

    ``day`` dates the letters (default: today); the same inputs and day give
    the same files.
    """
    out_dir = Path(out_dir)
    day = day or date.today()
    written = Deliverables()
    names = FileNames()
    plan = content.letters(analysis, day)
    for letter in plan.letters:
        written.letters.append(documents.write_letter(
            letter, out_dir / names.give(letter.label, LETTER_SUFFIX)))
    written.passed_over = [f"{label}: no letter: {why}" for label, why in plan.passed_over]
    written.summary = documents.write_summary_pdf(
        content.summary(analysis, day), out_dir / names.give(analysis.client.name,
                                                             SUMMARY_SUFFIX))
    for exhibit in content.exhibits(analysis, day):
        written.exhibits.append(documents.write_exhibit_pdf(
            exhibit, out_dir / names.give(exhibit.label, EXHIBIT_SUFFIX)))
    for payer, network, label in documents.labels(analysis):
        # A payer with nothing to ask (its package is empty) gets no proposed schedule.
        if not analysis.asks.chosen_for((payer, network)).lines:
            continue
        rows = documents.proposed_schedule(analysis, payer, network)
        written.schedules.append(documents.write_open_dental(
            rows, out_dir / names.give(label, f"{SCHEDULE_MARK}Open Dental).txt")))
        written.schedules.append(documents.write_dentrix_ascend(
            rows, out_dir / names.give(label, f"{SCHEDULE_MARK}Dentrix Ascend).csv")))
    return written


class FileNames:
    """File names for one folder: safe on every OS, short enough, never the same twice.

    Payers "Aetna/Dental", "Aetna:Dental" and "Aetna?Dental" all clean to "Aetna
    Dental": the second and third get " (2)" and " (3)" instead of overwriting the first.
    """

    LONGEST_STEM = 120   # with the suffix, well under the 255 bytes a file name may have

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def give(self, stem: str, suffix: str) -> str:
        base = safe_filename(stem)
        while len(base.encode("utf-8")) > self.LONGEST_STEM:
            base = base[:-1].rstrip(" .")
        name, number = f"{base}{suffix}", 1
        while name.casefold() in self.taken:
            number += 1
            name = f"{base} ({number}){suffix}"
        self.taken.add(name.casefold())
        return name
