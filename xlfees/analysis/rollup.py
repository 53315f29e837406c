"""Multi-location groups (a DSO): each location's figures per payer, rolled up per payer.

A location is an ordinary client folder; the group is named by ``group = "…"`` in its
client.toml, or by a ``group.toml`` in the clients folder (``name``, ``locations``,
optional ``[payer_aliases]``). ``location_figures`` keeps, from one location's
analysis, exactly the sums its workbook shows (per payer and CDT category), so the
roll-up's totals are the sum of the locations' workbooks to the cent. Pure: the
standard library and pandas.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, cast

from . import Analysis
from ..cdt import CATEGORIES
from .engine import VOLUME_BY_SHARES, VOLUME_PER_100
from ..labels import schedule_label
from ..money import excel_round
from .monitoring import ClaimTiming
from ..wording import name_words, plural


@dataclass(frozen=True)
class PayerCategory:
    """One location's figures for one payer's schedule on the codes of one CDT category."""

    payer: str          # the schedule, as the location's workbook names it
    category: str
    procedures: float   # Σ volume on the codes the schedule lists
    allowed: float      # Σ volume × allowed: what the plan pays for them a year
    office: float       # Σ volume × office fee
    write_off: float    # Σ volume × (office fee − allowed), where the fee is the larger
    ask_value: float    # Σ volume × (proposed − allowed): the value of the ask a year


@dataclass(frozen=True)
class PayerClaims:
    """One location's ERAs for one payer's schedule."""

    payer: str
    timing: ClaimTiming
    paid: float


@dataclass(frozen=True)
class LocationFigures:
    """What a group's roll-up needs from one location (small: it crosses processes)."""

    location: str           # the practice's name
    folder: str
    group: str | None       # client.toml's group, if it names one
    volume_basis: str
    oon_collection: float
    rows: tuple[PayerCategory, ...]
    claims: tuple[PayerClaims, ...] = ()


def location_figures(analysis: Analysis, folder: str | Path = "") -> LocationFigures:
    """The per payer × category sums of one location's analysis (its Targets rows)."""
    gaps = analysis.gaps
    rows = []
    for group_key, part in gaps.groupby(["payer", "network", "category"], sort=True):
        # pandas types a group's key as Hashable; these three columns hold text
        payer, network, group_category = cast(tuple[str, str, str], group_key)
        volume = part["volume"]
        rows.append(PayerCategory(
            payer=schedule_label(payer, network), category=group_category,
            procedures=math.fsum(volume), allowed=math.fsum(volume * part["allowed"]),
            office=math.fsum(volume * part["office_fee"]),
            write_off=math.fsum(part["write_off"]), ask_value=math.fsum(part["impact"])))
    claims = []
    monitoring = analysis.monitoring
    if monitoring is not None:
        paid = {(p, n): float(v) for p, n, v in
                monitoring.payers[["payer", "network", "paid"]].itertuples(index=False)}
        for key, timing in sorted(monitoring.timing.items()):
            claims.append(PayerClaims(schedule_label(*key), timing, paid.get(key, 0.0)))
    client = analysis.client
    return LocationFigures(location=client.name, folder=str(folder), group=client.group,
                           volume_basis=analysis.volume_basis,
                           oon_collection=client.settings.oon_collection,
                           rows=tuple(rows), claims=tuple(claims))


# --- which folders form which group --------------------------------------------------------


# --- the roll-up ---------------------------------------------------------------------------

DETAIL_KEYS = ("location", "payer", "category", "procedures", "allowed", "office", "write_off",
               "ask_value", "collectible")
LOCATION_TOTALS = DETAIL_KEYS[3:]   # what a location × payer sums from its Detail rows


@dataclass(frozen=True)
class GroupPayer:
    """One payer across the group's locations."""

    payer: str
    locations: tuple[str, ...]
    procedures: float
    allowed: float
    office: float
    write_off: float
    ask_value: float
    collectible: float           # Σ office fees × each location's oon_collection
    effective_rate: float | None
    others_rate: float | None    # the group's other payers together
    break_even_retention: float | None
    categories: dict[str, float]
    claims: int = 0
    clean_claims: int = 0
    paid: float = 0.0
    median_days: float | None = None
    era_locations: int = 0       # locations whose remittances are on file

    @property
    def clean_claim_rate(self) -> float | None:
        return self.clean_claims / self.claims if self.claims else None

    @property
    def has_eras(self) -> bool:
        return self.claims > 0


@dataclass(frozen=True)
class GroupRollup:
    """A group's payers across its locations, the rows they are summed from, and notes."""

    name: str
    locations: tuple[str, ...]          # the locations rolled up, in folder order
    payers: tuple[GroupPayer, ...]      # most procedures first
    detail: tuple[dict[str, Any], ...]  # location × payer × category (DETAIL_KEYS)
    # location × payer: its schedule's name there, its LOCATION_TOTALS, its ERAs
    location_payers: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = ()

    @property
    def procedures(self) -> float:
        return math.fsum(p.procedures for p in self.payers)

    def total(self, attribute: str) -> float:
        return math.fsum(getattr(p, attribute) for p in self.payers)

    def to_dict(self) -> dict[str, Any]:
        """The roll-up as data (the batch's JSON manifest carries it): money to the cent,
        rates to 4 places, as ``analyze --json``."""
        def cents(value: float) -> float:
            return excel_round(value, 2)

        def ratio(value: float | None) -> float | None:
            return None if value is None else excel_round(value, 4)
        return {"group": self.name, "locations": list(self.locations),
                "payers": [{"payer": p.payer, "locations": list(p.locations),
                            "procedures": excel_round(p.procedures, 2),
                            "allowed": cents(p.allowed), "office": cents(p.office),
                            "write_off": cents(p.write_off), "ask_value": cents(p.ask_value),
                            "effective_rate": ratio(p.effective_rate),
                            "others_rate": ratio(p.others_rate),
                            "break_even_retention": ratio(p.break_even_retention),
                            "categories": {c: excel_round(n, 2)
                                           for c, n in p.categories.items()},
                            "claims": p.claims, "clean_claim_rate": ratio(p.clean_claim_rate),
                            "paid": cents(p.paid), "median_days_to_payment": p.median_days}
                           for p in self.payers],
                "notes": list(self.notes)}


def _identity(name: str) -> str:
    return " ".join(name_words(name))


def roll_up(name: str, locations: Iterable[LocationFigures], *,
            payer_aliases: Mapping[str, str] | None = None,
            missing: Iterable[tuple[str, str]] = (),
            group_notes: Iterable[str] = ()) -> GroupRollup:
    """Each payer across ``locations`` (``missing``: locations that failed, and why).

    Payers are matched by name (case, spaces and punctuation aside) after
    ``payer_aliases`` (a location's name → the group's); ``group_notes`` are the batch's
    about the group. A location whose volume has no payer breakdown (each payer counted
    at 100 %) is left out with a note: summed, it would count every procedure once per
    payer.
    """
    aliases = {_identity(k): v for k, v in (payer_aliases or {}).items()}
    notes = [f"{location} is not in the roll-up: {why}" for location, why in missing]
    notes += group_notes
    kept: list[LocationFigures] = []
    for figures in locations:
        if figures.volume_basis == VOLUME_PER_100:
            notes.append(f"{figures.location} is not in the roll-up: its volume has no payer "
                         "breakdown (each payer would count every procedure); give its volume "
                         "report a payer column, or [payer_shares] in its client.toml")
            continue
        if figures.volume_basis == VOLUME_BY_SHARES:
            notes.append(f"{figures.location}: procedures by payer are estimated from its "
                         "[payer_shares]")
        kept.append(figures)
    # Two locations with one name (client.toml's) stay two: the folder tells them apart.
    names = [f.location for f in kept]
    kept = [replace(f, location=f"{f.location} ({Path(f.folder).name or number})")
            if names.count(f.location) > 1 else f for number, f in enumerate(kept, start=1)]

    display: dict[str, str] = {}   # identity → the name the roll-up shows

    def group_payer(label: str) -> str:
        target = aliases.get(_identity(label), label)
        return display.setdefault(_identity(target), target)

    detail: list[dict[str, Any]] = []
    location_payers: dict[tuple[str, str], dict[str, Any]] = {}
    entry: dict[str, Any] | None   # a location's sums for a payer; None: not in the roll-up
    order = {name_: number for number, name_ in enumerate(CATEGORIES)}
    for figures in kept:
        for row in figures.rows:
            payer = group_payer(row.payer)
            detail.append({"location": figures.location, "payer": payer,
                           "category": row.category, "procedures": row.procedures,
                           "allowed": row.allowed, "office": row.office,
                           "write_off": row.write_off, "ask_value": row.ask_value,
                           "collectible": row.office * figures.oon_collection})
            entry = location_payers.setdefault((figures.location, payer), {
                "location": figures.location, "payer": payer, "schedule": row.payer,
                "claims": 0, "clean_claims": 0, "paid": 0.0, "days": ()})
            if row.payer not in entry["schedule"].split("; "):
                notes.append(f"{figures.location}: schedules {entry['schedule']} and "
                             f"{row.payer} are both counted as {payer}")
                entry["schedule"] += f"; {row.payer}"
        for claim in figures.claims:
            payer = group_payer(claim.payer)
            entry = location_payers.get((figures.location, payer))
            if entry is None:
                continue
            entry["claims"] += claim.timing.claims
            entry["clean_claims"] += claim.timing.clean
            entry["paid"] += claim.paid
            entry["days"] += claim.timing.days
    detail.sort(key=lambda r: (_identity(r["payer"]), r["location"], order.get(r["category"], 99)))
    # Each payer's sums at each location, once: the Locations sheet and the one-pagers
    # show them.
    parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in detail:
        parts.setdefault((r["location"], r["payer"]), []).append(r)
    for key, entry in location_payers.items():
        entry.update({total: math.fsum(r[total] for r in parts.get(key, ()))
                      for total in LOCATION_TOTALS})

    payers = []
    totals = {key: math.fsum(r[key] for r in detail) for key in ("allowed", "office")}
    for identity in sorted(display):
        payer = display[identity]
        mine = [r for r in detail if r["payer"] == payer]
        where = [e for (loc, p), e in location_payers.items() if p == payer]
        sums = {key: math.fsum(r[key] for r in mine) for key in
                ("procedures", "allowed", "office", "write_off", "ask_value", "collectible")}
        others_office = totals["office"] - sums["office"]
        categories: dict[str, float] = {}
        for r in mine:
            categories[r["category"]] = categories.get(r["category"], 0.0) + r["procedures"]
        days = [d for e in where for d in e["days"]]
        payers.append(GroupPayer(
            payer=payer, locations=tuple(sorted({e["location"] for e in where})),
            procedures=sums["procedures"], allowed=sums["allowed"], office=sums["office"],
            write_off=sums["write_off"], ask_value=sums["ask_value"],
            collectible=sums["collectible"],
            effective_rate=sums["allowed"] / sums["office"] if sums["office"] > 0 else None,
            others_rate=((totals["allowed"] - sums["allowed"]) / others_office
                         if others_office > 0 else None),
            break_even_retention=(sums["allowed"] / sums["collectible"]
                                  if sums["collectible"] > 0 else None),
            categories={c: categories[c] for c in CATEGORIES if c in categories},
            claims=sum(e["claims"] for e in where),
            clean_claims=sum(e["clean_claims"] for e in where),
            paid=math.fsum(e["paid"] for e in where),
            median_days=statistics.median(days) if days else None,
            era_locations=sum(1 for e in where if e["claims"])))
    payers.sort(key=lambda p: (-p.procedures, _identity(p.payer)))
    if not kept:
        notes.append("no location could be rolled up")
    return GroupRollup(name=name, locations=tuple(f.location for f in kept),
                       payers=tuple(payers), detail=tuple(detail),
                       location_payers=tuple(location_payers[k] for k in
                                             sorted(location_payers, key=lambda k: (
                                                 _identity(k[1]), k[0]))),
                       notes=tuple(dict.fromkeys(notes)))   # each said once


def headline(rollup: GroupRollup) -> str:
    """One line for the batch's output: the group, its locations and payers."""
    return (f"{rollup.name}: {plural(len(rollup.locations), 'location')}, "
            f"{plural(len(rollup.payers), 'payer')}")
