"""The computations: gaps, peer benchmarks, proposals, impact, effective rates, alt benefits.

Pure functions over the canonical tables of a :class:`~xlfees.client.Client`;
nothing here imports click, openpyxl or xlwings, so the batch, the workbook
writer and the Excel add-in all share this one code path.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple, Sequence

import pandas as pd

from ..cdt import category
from ..client import Client, columns
from ..notes import Note
from ..errors import SettingsError
from ..labels import UNASSIGNED, ScheduleKey, schedule_label
from ..money import cents
from ..sources.client_toml import (ALT_MAP_DEFAULT, PEER, SURVEY_PREFIX, Settings,
                                   benchmark_percentile)
from ..wording import folded, plural

if TYPE_CHECKING:
    from .asks import Asks


class GapRow(NamedTuple):
    """One payer × code: what the payer allows against the office fee and the peers."""

    payer: str
    network: str
    code: str
    category: str
    description: str
    office_fee: float
    allowed: float
    volume: float
    gap: float                  # office fee − allowed
    gap_pct: float | None       # of the office fee
    allowed_pct: float | None
    benchmark: float | None     # the other payers' percentile (or the external benchmark)
    shortfall: float            # benchmark − allowed, never below 0
    write_off: float            # volume × gap (a negative gap writes nothing off)
    proposed: float
    impact: float               # volume × (proposed − allowed)
    priority: float             # volume × shortfall


class AltRow(NamedTuple):
    """One payer × posterior composite paid as its alternate: what the patient pays."""

    payer: str
    network: str
    code: str
    alt_code: str | None        # None: the schedule gives the amount without naming a code
    base: float                 # the office fee, or the allowed amount (balance_basis)
    alt_before: float
    alt_after: float
    coverage: float
    balance_before: float
    balance_after: float
    savings: float
    savings_pct: float | None
    volume: float
    annual_savings: float
    alt_source: str | None
    # In the payer's alternate-benefit ask (xlfees.analysis.asks.alternates_asked): the
    # rows the letter lists and the payer's alt savings count.
    asked: bool = False


class PayerRow(NamedTuple):
    """One payer schedule's totals."""

    payer: str
    network: str
    codes: int
    missing_codes: list[str]
    effective_rate: float | None
    annual_writeoff: float
    impact_at_ask: float
    volume_share: float | None
    break_even_retention: float | None
    alt_savings: float = 0.0    # patients' savings a year from the alternates asked


GAP_COLUMNS = GapRow._fields
ALT_COLUMNS = AltRow._fields
# Where an alternate benefit came from. "schedule": the payer's schedule gives the
# amount; the others take the payer's allowed amount for the alternate code, which
# the schedule names, client.toml maps, or the default map assumes.
ALT_FROM_SCHEDULE = "schedule"
ALT_FROM_SCHEDULE_CODE = "schedule's alt code"

PAYER_COLUMNS = PayerRow._fields

ANALYSIS = "analysis"  # the stage of the engine's own notes (not a rejected row of a file)

# How payer-level volume was obtained; the workbook and notes say which.
VOLUME_BY_PAYER = "by payer"
VOLUME_BY_SHARES = "split across payers by estimated shares"   # words, not a settings key
VOLUME_PER_100 = "per 100 % of volume"
VOLUME_NONE = "no volume"


# --- single-value formulas (also used by the Excel UDFs) ----------------------------

def percentile(values: Sequence[float], q: float) -> float | None:
    """PERCENTILE.INC of ``values`` at ``q`` (0–1): linear between ranks; None when empty.

    The median of an even count is the mean of the middle two, as in Excel.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def percentile_without(ordered: Sequence[float], own: float, q: float) -> float | None:
    """``percentile`` of ``ordered`` (sorted) with one ``own`` value left out, in O(log n).

    The j-th smallest of the others is the j-th smallest of all when it comes before
    ``own``'s place, else the (j+1)-th: the same numbers ``percentile`` would sort, so the
    same result, without a list per payer × code (200 payers × 500 codes: 100,000 lists).
    """
    others = len(ordered) - 1
    if others < 1:
        return None
    place = bisect.bisect_left(ordered, own)

    def nth(j: int) -> float:
        return ordered[j] if j < place else ordered[j + 1]
    position = (others - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, others - 1)
    return nth(lower) + (position - lower) * (nth(upper) - nth(lower))


def proposed_fee(allowed: float, office_fee: float, ask: float | str,
                 benchmark: float | None = None) -> float:
    """The fee to ask for: +ask (or the peer benchmark), capped at the office fee.

    Rounded to cents as Excel's ROUND does. Never below the current allowed:
    where a payer already pays above the office fee there is nothing to ask.
    """
    if ask == PEER:
        target = allowed if benchmark is None else cents(benchmark)
    else:
        target = cents(allowed * (1 + float(ask)))
    return max(allowed, min(office_fee, target))


def proposed_alt(alt_allowed: float, allowed: float, alt_ask: float) -> float:
    """The proposed alternate benefit ``min(A(c), round(F × (1 + alt_ask)))``, never below F."""
    return max(alt_allowed, min(allowed, cents(alt_allowed * (1 + alt_ask))))


def patient_balance(base: float, coverage: float, alt_allowed: float) -> float:
    """What the patient owes when the plan pays ``coverage`` of the alternate amount."""
    return base - coverage * alt_allowed


def _note(reason: str, file: str | None = None) -> Note:
    """A note of the analysis itself (not a row rejected while reading a file)."""
    return Note(reason=reason, file=file, stage=ANALYSIS)


# --- volume -------------------------------------------------------------------------

UNMATCHED = "(no schedule)"   # a volume row whose payer has no schedule: left out


@dataclass(frozen=True)
class VolumeByPayer:
    """Annual volume per (payer, network, code) and how it was obtained.

    Every volume row is resolved to the schedule it counts for (``schedules``,
    parallel to the client's volume rows: a label, UNASSIGNED or UNMATCHED);
    unassigned rows count for each schedule × its ``unassigned_share``. The
    workbook's Volume formulas repeat exactly this.
    """

    counts: dict[tuple[str, str, str], float]
    schedules: list[str]
    unassigned_share: dict[ScheduleKey, float]
    basis: str
    notes: tuple[Note, ...]


def _payer_lookup(keys: Iterable[ScheduleKey]) -> dict[str, list[ScheduleKey]]:
    """Names a volume report or setting may use for a schedule: payer, or payer + network."""
    keys = sorted(set(keys))
    by_payer: dict[str, list[ScheduleKey]] = {}
    for key in keys:
        by_payer.setdefault(folded(key[0]), []).append(key)
    lookup: dict[str, list[ScheduleKey]] = dict(by_payer)
    for key in keys:
        if key[1]:
            for name in {folded(f"{key[0]} {key[1]}"), folded(schedule_label(*key))}:
                if key not in lookup.setdefault(name, []):
                    lookup[name].append(key)
    return lookup


def volume_by_payer(client: Client, keys: Sequence[ScheduleKey]) -> VolumeByPayer:
    """Attribute volume to schedules: a payer column, else payer_shares, else 100 % each."""
    lookup = _payer_lookup(keys)
    notes: list[Note] = []
    volume = client.volume
    has_payers = bool((volume["payer"] != "").any())
    has_unassigned = bool((volume["payer"] == "").any())
    labels: list[str] = []
    unmatched: dict[str, float] = {}
    for payer, count in columns(volume, ["payer", "count"]):
        if payer == "":
            labels.append(UNASSIGNED)
            continue
        matches = lookup.get(folded(payer), [])
        if len(matches) == 1:
            labels.append(schedule_label(*matches[0]))
        else:
            labels.append(UNMATCHED)
            unmatched[payer] = unmatched.get(payer, 0.0) + count
    for payer, count in sorted(unmatched.items()):
        matches = lookup.get(folded(payer), [])
        if matches:
            networks = ", ".join(k[1] for k in matches)
            reason = (f"volume for payer '{payer}' ({plural(count, 'procedure')}) cannot be split "
                      f"between its networks {networks}: name the network in the payer column")
        else:
            reason = (f"volume for payer '{payer}' ({plural(count, 'procedure')}) matches no payer "
                      "schedule and is left out")
        notes.append(_note(reason, file="volume"))

    shares = _shares_by_key(client.settings, lookup)
    if not has_unassigned:
        basis = VOLUME_BY_PAYER if has_payers else VOLUME_NONE
        share = {key: 0.0 for key in keys}
    elif shares:
        basis = VOLUME_BY_SHARES
        share = {key: shares.get(key, 0.0) for key in keys}
        without = [schedule_label(*k) for k in keys if k not in shares]
        if without:
            notes.append(_note("[payer_shares] gives no share to " + ", ".join(without)
                               + ": the volume without a payer counts 0 for them",
                               file="volume"))
    elif not has_payers:
        basis = VOLUME_PER_100
        share = {key: 1.0 for key in keys}
    else:
        basis = VOLUME_BY_PAYER
        share = {key: 0.0 for key in keys}
        total = float(volume.loc[volume["payer"] == "", "count"].sum())
        notes.append(_note(f"{plural(total, 'procedure')} in the volume have no payer and are "
                           "left out: add the payer, or set [payer_shares] in client.toml",
                           file="volume"))
    if basis == VOLUME_PER_100:
        notes.append(_note("volume has no payer column and client.toml sets no "
                           "[payer_shares]: every payer's annual figures are per 100 % "
                           "of volume", file="volume"))
    elif basis == VOLUME_NONE:
        notes.append(_note("no volume: annual figures are zero and effective rates are "
                           "unweighted; add volume.csv", file="volume"))

    counts: dict[tuple[str, str, str], float] = {}
    by_label = {schedule_label(*key): key for key in keys}
    for code, count, label in zip(volume["code"].tolist(), volume["count"].tolist(), labels):
        if label == UNASSIGNED:
            for key in keys:
                if share[key]:
                    counts[(*key, code)] = counts.get((*key, code), 0.0) + count * share[key]
        elif label != UNMATCHED:
            key = by_label[label]
            counts[(*key, code)] = counts.get((*key, code), 0.0) + count
    return VolumeByPayer(counts=counts, schedules=labels, unassigned_share=share, basis=basis,
                         notes=tuple(notes))


def _shares_by_key(settings: Settings,
                   lookup: dict[str, list[ScheduleKey]]) -> dict[ScheduleKey, float]:
    shares: dict[ScheduleKey, float] = {}
    for name, share in settings.payer_shares.items():
        matches = lookup.get(folded(name), [])
        if len(matches) != 1:
            known = sorted({schedule_label(p, n) for keys in lookup.values() for p, n in keys})
            problem = ("matches no payer schedule" if not matches
                       else "matches several networks")
            raise SettingsError(f"payer_shares.{name}", problem,
                                "use one of: " + ", ".join(known))
        shares[matches[0]] = float(share)
    return shares


# --- the whole analysis ---------------------------------------------------------------

@dataclass(frozen=True)
class Tables:
    """The engine's result tables (full precision; rounding is for presentation)."""

    gaps: pd.DataFrame
    targets: pd.DataFrame
    payers: pd.DataFrame
    alt_benefits: pd.DataFrame
    notes: tuple[Note, ...]
    volume_basis: str
    volume_schedules: list[str]                 # per client.volume row: the schedule it counts for
    unassigned_share: dict[ScheduleKey, float]  # share of payer-less volume per schedule
    asks: "Asks"                                # each payer's packages, the one chosen


def compute(client: Client) -> Tables:
    """Run every computation (docs/workbook.md says each in words) over one client."""
    settings = client.settings
    office = dict(columns(client.office_fees, ["code", "office_fee"]))
    descriptions = dict(columns(client.office_fees, ["code", "description"]))
    schedules = client.schedules
    keys: list[ScheduleKey] = sorted(set(columns(schedules, ["payer", "network"])))
    notes: list[Note] = list(client.notes)

    allowed: dict[ScheduleKey, dict[str, float]] = {k: {} for k in keys}
    alt_given: dict[tuple[str, str, str], tuple[str | None, float]] = {}
    for payer, network, code, amount, alt_code, alt_amount in columns(
            schedules, ["payer", "network", "code", "allowed", "alt_code", "alt_allowed"]):
        allowed[(payer, network)][code] = float(amount)
        alt_code = alt_code if isinstance(alt_code, str) else None  # pandas stores None as NaN
        if alt_code is not None or not math.isnan(alt_amount):
            alt_given[(payer, network, code)] = (alt_code, float(alt_amount))

    no_office_fee = sorted(set(schedules["code"].tolist()) - set(office))
    for code in no_office_fee:
        holders = ", ".join(sorted({p for (p, _), codes in allowed.items() if code in codes}))
        notes.append(_note(f"{code} has no office fee and is left out of the gaps "
                           f"(in the schedule of {holders}): add it to the office fees",
                           file="office fees"))

    volume = volume_by_payer(client, keys)
    notes.extend(volume.notes)
    volume_codes = {code for (_, _, code), count in volume.counts.items() if count > 0}
    for code in sorted(set(client.volume["code"].tolist()) - set(office)):
        notes.append(_note(f"volume for {code} is left out: it has no office fee",
                           file="volume"))
    analysed = sorted((set(schedules["code"].tolist()) | volume_codes) & set(office))

    q = benchmark_percentile(settings.benchmark)
    external = {code: float(value) for code, value in
                zip(client.office_fees["code"], client.office_fees["benchmark"])
                if not math.isnan(value)}
    if q is None:
        lacking = sorted(set(schedules["code"].tolist()) & set(office) - set(external))
        if lacking:
            source = ("the fee survey" if settings.benchmark.startswith(SURVEY_PREFIX)
                      else "the office fees")
            notes.append(_note(f"benchmark is \"{settings.benchmark}\" but these codes have no "
                               f"benchmark in {source}, so no shortfall: "
                               + ", ".join(lacking), file="office fees"))
    gap_rows = []
    # Every schedule's amount for each code, sorted once: a pair's peer benchmark is an
    # order statistic of it with the pair's own amount left out.
    amounts_by_code: dict[str, list[float]] = {}
    for key in keys:
        for code, amount in allowed[key].items():
            amounts_by_code.setdefault(code, []).append(amount)
    for amounts in amounts_by_code.values():
        amounts.sort()
    for key in keys:
        for code in sorted(set(allowed[key]) & set(office)):
            a, o = allowed[key][code], office[code]
            v = volume.counts.get((key[0], key[1], code), 0.0)
            if q is None:
                b = external.get(code)
            else:
                b = percentile_without(amounts_by_code[code], a, q)
            shortfall = max(0.0, b - a) if b is not None else 0.0
            p = proposed_fee(a, o, settings.ask, b)
            gap_rows.append(GapRow(
                payer=key[0], network=key[1], code=code, category=category(code),
                description=descriptions[code], office_fee=o, allowed=a, volume=v,
                gap=o - a, gap_pct=(o - a) / o if o else None,
                allowed_pct=a / o if o else None, benchmark=b, shortfall=shortfall,
                write_off=v * max(0.0, o - a), proposed=p, impact=v * (p - a),
                priority=v * shortfall))
    gaps = pd.DataFrame(gap_rows, columns=list(GAP_COLUMNS))
    for column in ("gap_pct", "allowed_pct", "benchmark"):
        gaps[column] = gaps[column].astype(float)
    # The ask is decided once (xlfees.analysis.asks): a code's proposed fee is what the
    # payer's chosen package requests, else today's amount; its impact follows.
    # here: asks itself imports this module's percentiles
    from .asks import alternates_asked, ask_packages
    asks = ask_packages(gaps, settings, has_volume=volume.basis != VOLUME_NONE,
                        schedules=keys)
    requested = {(key[0], key[1], line.code): line.requested
                 for key, packages in asks.by_schedule.items()
                 for line in packages[asks.chosen].lines}
    gaps["proposed"] = [requested.get((p, n, c), a) for p, n, c, a in zip(
        gaps["payer"].tolist(), gaps["network"].tolist(), gaps["code"].tolist(),
        gaps["allowed"].tolist())]
    gaps["impact"] = gaps["volume"] * (gaps["proposed"] - gaps["allowed"])

    targets = _rank_targets(gaps)
    alt_rows, alt_notes = _alt_benefits(allowed, alt_given, office, volume.counts, settings)
    # The alternate-benefit ask travels in the payer's letter: one package, one figure.
    alt_rows["asked"] = alternates_asked(alt_rows, asks, settings,
                                         has_volume=volume.basis != VOLUME_NONE)
    payers, payer_notes = _payer_summary(gaps, keys, allowed, analysed,
                                         _volume_shares(volume, keys, client.volume),
                                         settings.oon_collection, alt_rows)
    notes.extend(payer_notes)
    notes.extend(alt_notes)
    return Tables(gaps=gaps, targets=targets, payers=payers, alt_benefits=alt_rows,
                  notes=tuple(notes), volume_basis=volume.basis,
                  volume_schedules=volume.schedules, unassigned_share=volume.unassigned_share,
                  asks=asks)


def _rank_targets(gaps: pd.DataFrame) -> pd.DataFrame:
    """Payer × code pairs by priority (volume × shortfall), then impact, payer, code."""
    # Descending on money, ascending on names: a stable multi-key sort.
    targets = gaps.sort_values(["priority", "impact", "payer", "network", "code"],
                               ascending=[False, False, True, True, True],
                               kind="mergesort").reset_index(drop=True)
    total = math.fsum(targets["priority"])
    running = targets["priority"].cumsum()
    targets["cumulative_share"] = running / total if total > 0 else 0.0
    targets.insert(0, "rank", range(1, len(targets) + 1))
    return targets


def _volume_shares(volume: VolumeByPayer, keys: Sequence[ScheduleKey],
                   rows: pd.DataFrame) -> dict[ScheduleKey, float | None]:
    """Each schedule's share of all procedures performed (1 each when per 100 %)."""
    total = math.fsum(rows["count"])
    if total <= 0:
        return {key: None for key in keys}
    mine: dict[ScheduleKey, list[float]] = {key: [] for key in keys}
    for (payer, network, _), count in volume.counts.items():
        mine[(payer, network)].append(count)
    return {key: math.fsum(mine[key]) / total for key in keys}


def by_schedule(frame: pd.DataFrame) -> Callable[[ScheduleKey], pd.DataFrame]:
    """A frame's rows for one (payer, network), each schedule's split off once: a
    comparison over the whole frame per schedule costs 200 payers × 100,000 rows."""
    groups = {(str(payer), str(network)): rows for (payer, network), rows in
              frame.groupby(["payer", "network"], sort=False, dropna=False)}
    empty = frame.iloc[0:0]
    return lambda key: groups.get(key, empty)


def _payer_summary(gaps: pd.DataFrame, keys: Sequence[ScheduleKey],
                   allowed: dict[ScheduleKey, dict[str, float]],
                   analysed: Sequence[str], shares: dict[ScheduleKey, float | None],
                   oon_collection: float, alternates: pd.DataFrame,
                   ) -> tuple[pd.DataFrame, list[Note]]:
    rows = []
    notes: list[Note] = []
    rows_of = by_schedule(gaps)
    savings_asked: dict[ScheduleKey, list[float]] = {}
    for payer, network, savings, asked in columns(
            alternates, ["payer", "network", "annual_savings", "asked"]):
        if asked:
            savings_asked.setdefault((payer, network), []).append(savings)
    alt_savings = {key: math.fsum(values) for key, values in savings_asked.items()}
    for key in keys:
        mine = rows_of(key)
        weighted_office = math.fsum(mine["volume"] * mine["office_fee"])
        if weighted_office > 0:
            rate: float | None = math.fsum(mine["volume"] * mine["allowed"]) / weighted_office
        elif math.fsum(mine["office_fee"]) > 0:
            rate = math.fsum(mine["allowed"]) / math.fsum(mine["office_fee"])
            notes.append(_note(f"{schedule_label(*key)} has no volume on its codes: its "
                               "effective rate is unweighted (each code counts once)"))
        else:
            rate = None
        missing = [code for code in analysed if code not in allowed[key]]
        # Break-even retention r* = Σ V·A ÷ (Σ V·O × oon_collection): the share of this
        # payer's patients the office must keep, paying its fee out of network, to
        # collect what it collects today (over 1: leaving never pays).
        break_even = rate / oon_collection if rate is not None else None
        rows.append(PayerRow(
            payer=key[0], network=key[1], codes=len(mine), missing_codes=missing,
            effective_rate=rate, annual_writeoff=math.fsum(mine["write_off"]),
            impact_at_ask=math.fsum(mine["impact"]), volume_share=shares[key],
            break_even_retention=break_even, alt_savings=alt_savings.get(key, 0.0)))
    return pd.DataFrame(rows, columns=list(PAYER_COLUMNS)), notes


def _alt_benefits(allowed: dict[ScheduleKey, dict[str, float]],
                  alt_given: dict[tuple[str, str, str], tuple[str | None, float]],
                  office: dict[str, float], counts: dict[tuple[str, str, str], float],
                  settings: Settings) -> tuple[pd.DataFrame, list[Note]]:
    rows = []
    notes: list[Note] = []
    assumed: dict[ScheduleKey, list[str]] = {}   # downgrades taken from the default map
    # The code the payer pays instead and where that comes from; None: no downgrade.
    alt_code: str | None
    source: str | None
    for key in sorted(allowed):
        for code in sorted(set(allowed[key]) & set(office)):
            given_code, given_amount = alt_given.get((key[0], key[1], code), (None, math.nan))
            if given_code:
                alt_code, source = given_code, ALT_FROM_SCHEDULE_CODE
            else:
                alt_code, source = settings.alternate_for(key[0], code)
            if alt_code is None and math.isnan(given_amount):
                continue
            a = allowed[key][code]
            if not math.isnan(given_amount):
                before, source = given_amount, ALT_FROM_SCHEDULE
            elif alt_code in allowed[key]:
                before = allowed[key][alt_code]
                if source == ALT_MAP_DEFAULT:
                    assumed.setdefault(key, []).append(f"{code}→{alt_code}")
            else:
                notes.append(_note(f"{schedule_label(*key)} pays {code} as {alt_code}, but its "
                                   f"schedule has no amount for {alt_code}: alternate "
                                   "benefit not computed"))
                continue
            # A plan never pays the alternate above what it allows for the code performed.
            before = min(before, a)
            after = proposed_alt(before, a, settings.alt_ask)
            k = settings.coverage_for(category(code))
            base = office[code] if settings.balance_basis == "office" else a
            balance_before = patient_balance(base, k, before)
            balance_after = patient_balance(base, k, after)
            savings = k * (after - before)
            v = counts.get((key[0], key[1], code), 0.0)
            rows.append(AltRow(
                payer=key[0], network=key[1], code=code, alt_code=alt_code, base=base,
                alt_before=before, alt_after=after, coverage=k,
                balance_before=balance_before, balance_after=balance_after, savings=savings,
                savings_pct=savings / balance_before if balance_before > 0 else None,
                volume=v, annual_savings=v * savings, alt_source=source))
    for key, pairs in assumed.items():
        notes.append(_note(f"{schedule_label(*key)}: alternate benefits assumed from the "
                           f"default map ({', '.join(pairs)}), not from its schedule; check "
                           "the plan's downgrade rules, and set them in client.toml "
                           f'([payer_alt_map."{key[0]}"], or alt_map = "none")'))
    frame = pd.DataFrame(rows, columns=list(ALT_COLUMNS))
    frame["savings_pct"] = frame["savings_pct"].astype(float)
    return frame, notes
