"""What the request letters and the leave-behind say, as plain text and numbers.

Built from the analysis alone (no document library here), so the tests can
compare every figure a letter prints with ``analyze --json``.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from datetime import date

from ..analysis import Analysis
from ..engine import VOLUME_BY_PAYER, VOLUME_BY_SHARES, schedule_label
from ..money import excel_round
from ..settings import PEER

DEFAULT_TOP = 15


def money(value: float) -> str:
    """$1,234.56 (rounded to the cent as Excel shows it)."""
    return f"${excel_round(value, 2):,.2f}"


def percent(value: float, places: int = 1) -> str:
    return f"{excel_round(value * 100, places):.{places}f}%"


def count(value: float) -> str:
    """Volumes: whole numbers without decimals, estimates to one place."""
    rounded = excel_round(value, 1)
    return f"{rounded:,.0f}" if float(rounded).is_integer() else f"{rounded:,.1f}"


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def safe_filename(text: str) -> str:
    """A file name that Windows, macOS and Linux all accept."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", text)
    return " ".join(cleaned.split()).strip(" .") or "payer"


@dataclass(frozen=True)
class CodeLine:
    code: str
    description: str
    volume: float
    allowed: float
    benchmark: float | None
    office_fee: float
    proposed: float
    increase: float          # (proposed − allowed) ÷ allowed
    impact: float


@dataclass(frozen=True)
class AltLine:
    code: str
    alt_code: str | None
    alt_before: float
    alt_after: float
    savings: float           # per procedure, for the patient
    annual_savings: float


@dataclass(frozen=True)
class Letter:
    """One payer's request letter, every figure already computed."""

    payer: str
    network: str
    label: str
    practice: str
    day: date
    tin: str | None
    npi: str | None
    contract: str | None
    address: str | None
    phone: str | None
    contact: str | None
    ask: str                          # "an increase of 10%" / "the peer benchmark"
    has_volume: bool
    volume_is_estimate: bool
    codes: list[CodeLine] = field(default_factory=list)
    annual_impact: float = 0.0
    alternates: list[AltLine] = field(default_factory=list)
    plan_volume: float = 0.0
    effective_rate: float | None = None
    peer_rates: list[float] = field(default_factory=list)

    @property
    def peer_median(self) -> float | None:
        return statistics.median(self.peer_rates) if self.peer_rates else None


def _ask_phrase(analysis: Analysis) -> str:
    ask = analysis.client.settings.ask
    if ask == PEER:
        return "the benchmark of the other plans we participate in"
    return f"an increase of {percent(float(ask)).replace('.0%', '%')}"


def letters(analysis: Analysis, day: date, top: int = DEFAULT_TOP) -> list[Letter]:
    """One letter per payer schedule, in payer order."""
    client = analysis.client
    practice = client.practice
    has_volume = analysis.volume_basis in (VOLUME_BY_PAYER, VOLUME_BY_SHARES)
    rates = {(r["payer"], r["network"]): r["effective_rate"]
             for r in analysis.payers.to_dict("records")}
    result = []
    for key, rate in rates.items():
        label = schedule_label(*key)
        mine = analysis.targets[(analysis.targets["payer"] == key[0])
                                & (analysis.targets["network"] == key[1])]
        asked = mine[mine["proposed"] > mine["allowed"]].head(top)
        codes = [CodeLine(code=r["code"], description=r["description"], volume=r["volume"],
                          allowed=r["allowed"],
                          benchmark=None if math.isnan(r["benchmark"]) else r["benchmark"],
                          office_fee=r["office_fee"], proposed=r["proposed"],
                          increase=(r["proposed"] - r["allowed"]) / r["allowed"]
                          if r["allowed"] else 0.0,
                          impact=r["impact"])
                 for r in asked.to_dict("records")]
        alt = analysis.alt_benefits
        alt_mine = alt[(alt["payer"] == key[0]) & (alt["network"] == key[1])
                       & (alt["savings"] > 0)]
        alternates = [AltLine(code=r["code"], alt_code=r["alt_code"],
                              alt_before=r["alt_before"], alt_after=r["alt_after"],
                              savings=r["savings"], annual_savings=r["annual_savings"])
                      for r in alt_mine.to_dict("records")]
        others = [r for k, r in rates.items() if k != key and r is not None
                  and not (isinstance(r, float) and math.isnan(r))]
        result.append(Letter(
            payer=key[0], network=key[1], label=label, practice=client.name, day=day,
            tin=practice.tin, npi=practice.npi, contract=practice.contract_for(key[0], label),
            address=practice.address, phone=practice.phone, contact=practice.contact,
            ask=_ask_phrase(analysis), has_volume=has_volume,
            volume_is_estimate=analysis.volume_basis == VOLUME_BY_SHARES,
            codes=codes, annual_impact=math.fsum(c.impact for c in codes),
            alternates=alternates,
            plan_volume=math.fsum(mine["volume"]),
            effective_rate=None if rate is None or (isinstance(rate, float) and math.isnan(rate))
            else rate,
            peer_rates=others))
    return result


@dataclass(frozen=True)
class Summary:
    """The one-page leave-behind's figures."""

    practice: str
    day: date
    payers: list[tuple[str, float | None, float, float]]   # label, rate, write-off, ask value
    annual_writeoff: float
    ask: str
    ask_value: float
    alt_savings: float
    alt_ask: float
    top_targets: list[tuple[str, str, float]]              # label, code, value a year
    volume_note: str | None


def summary(analysis: Analysis, day: date) -> Summary:
    payers = [(schedule_label(r["payer"], r["network"]),
               None if r["effective_rate"] is None or (isinstance(r["effective_rate"], float)
                                                        and math.isnan(r["effective_rate"]))
               else r["effective_rate"], r["annual_writeoff"], r["impact_at_ask"])
              for r in analysis.payers.to_dict("records")]
    top = [(schedule_label(r["payer"], r["network"]), r["code"], r["priority"])
           for r in analysis.targets.head(5).to_dict("records") if r["priority"] > 0]
    note = None if analysis.volume_basis in (VOLUME_BY_PAYER,) else \
        f"Volume: {analysis.volume_basis}."
    return Summary(practice=analysis.client.name, day=day, payers=payers,
                   annual_writeoff=math.fsum(p[2] for p in payers), ask=_ask_phrase(analysis),
                   ask_value=math.fsum(p[3] for p in payers),
                   alt_savings=math.fsum(analysis.alt_benefits["annual_savings"]),
                   alt_ask=analysis.client.settings.alt_ask, top_targets=top,
                   volume_note=note)
