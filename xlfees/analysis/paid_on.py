"""Which contract paid each remittance line, and did the raise arrive.

Each service line's allowed amount is compared with every schedule the client folder
holds (DESIGN, "Which contract paid"): the payer's own, each dated version, and every
other schedule (other payers', rental and umbrella networks kept in payers/). A
schedule version priced the line when its amount for the code, times the units,
equals the allowed amount to the cent. When several do, the one pricing most of that
payer's lines in the same month wins; a tie is reported as ambiguous, never guessed.

For a payer whose schedule comes in two dated versions (the Changes), every line on
or after the new effective date is paid at the new amount, at the old one, or at
something else: promised, realized and missed follow. Pure: pandas and the standard
library.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Hashable

import pandas as pd

from ..client import columns
from ..money import excel_round, percent
from .changes import Changes, present
from .monitoring import effective_date

# What priced a line, against the schedule the practice contracted for with its payer.
CONTRACTED = "contracted"         # the payer's own schedule in force on the service date
OLDER = "older version"           # the payer's own schedule, a version no longer in force
OTHER = "other schedule"          # another payer's or network's schedule in the folder
NONE = "none known"               # no schedule in the folder gives that amount
AMBIGUOUS = "ambiguous"           # two schedules give it, and the month does not decide

# line: the line's place in Monitoring.lines (the workbook's Payments row it annotates).
# since_raise: on or after a raise's effective date, paid at the "new" amount, the "old"
# one or an "other"; old_rate, new_rate: those amounts × units; missed: how far below the
# new amount it was paid (0 when not more than a cent).
LINE_COLUMNS = ("line", "payer", "network", "claim", "patient_control_number", "service_date",
                "month", "code", "units", "allowed", "paid", "contracted", "schedule_matched",
                "matched_as", "difference", "since_raise", "old_rate", "new_rate", "missed",
                "trace",
                "era_payer", "payer_id", "class_of_contract", "repriced", "rate_code")
GROUP_COLUMNS = ("payer", "network", "code", "month", "lines", "schedule_matched",
                 "matched_as", "contracted", "allowed", "difference")
PAYER_COLUMNS = ("payer", "network", "lines", "contracted_lines", "older_lines",
                 "other_lines", "ambiguous_lines", "unknown_lines", "contracted_share",
                 "lost", "months", "lost_a_year", "schedules")
REALIZED_COLUMNS = ("payer", "network", "effective", "lines_since", "lines_at_new",
                    "lines_at_old", "lines_other", "promised", "realized", "missed",
                    "last_old_rate_date")
EXHIBIT_COLUMNS = ("payer", "network", "claim", "patient_control_number", "service_date",
                   "code", "units", "allowed", "contracted", "difference", "schedule_matched",
                   "matched_as", "trace")
CENT = 0.005   # "to the cent": amounts rounded to cents are equal


@dataclass(frozen=True)
class Version:
    """One dated version of one schedule: what a line's allowed amount is held to."""

    payer: str
    network: str
    effective: date | None
    dated_versions: int          # how many dated versions the schedule has

    @property
    def key(self) -> tuple[str, str]:
        return self.payer, self.network

    @property
    def label(self) -> str:
        name = f"{self.payer} ({self.network})" if self.network else self.payer
        if self.effective is not None and self.dated_versions > 1:
            return f"{name}, effective {self.effective.isoformat()}"
        return name


@dataclass(frozen=True)
class PaidOn:
    """Every compared line's schedule, by payer × code × month, per payer, the realized
    raises and the lines paid below the schedule in force."""

    lines: pd.DataFrame
    groups: pd.DataFrame
    payers: pd.DataFrame
    realized: pd.DataFrame
    exhibit: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """``paid_on`` and ``realized`` of ``xlfees analyze --json`` (docs/json.md)."""
        return {"paid_on": [{k: _present(k, v) for k, v in row.items()}
                            for row in self.groups.to_dict("records")],
                "realized": [{k: _present(k, v) for k, v in row.items()}
                             for row in self.realized.to_dict("records")]}

    def missed(self, key: tuple[str, str] | None = None) -> float:
        """What the raises still paid at the old rate (or below) came to: one payer's, or
        every payer's together."""
        rows = self.realized if key is None else self.realized[
            (self.realized["payer"] == key[0]) & (self.realized["network"] == key[1])]
        return excel_round(math.fsum(rows["missed"]), 2)


def _present(key: Hashable, value: Any) -> Any:
    return present(value, 4 if key == "contracted_share" else 2)


def _versions(history: pd.DataFrame) -> dict[str, list[tuple[Version, float]]]:
    """Code → every (schedule version, allowed amount) the folder holds for it."""
    if "effective" not in history:
        history = history.assign(effective=None)
    history = history[history["allowed"].notna()]
    rows = [(payer, network, code, float(allowed), effective_date(effective))
            for payer, network, code, allowed, effective in columns(
                history, ["payer", "network", "code", "allowed", "effective"])]
    dated: dict[tuple[str, str], set[date]] = {}
    for payer, network, _, _, effective in rows:
        if effective is not None:
            dated.setdefault((payer, network), set()).add(effective)
    by_code: dict[str, dict[Version, float]] = {}
    for payer, network, code, allowed, effective in rows:
        version = Version(payer, network, effective, len(dated.get((payer, network), ())))
        by_code.setdefault(code, {})[version] = allowed   # a later row of one version wins
    return {code: sorted(versions.items(), key=lambda item: (item[0].payer, item[0].network,
                                                             item[0].effective or date.min))
            for code, versions in by_code.items()}


def _in_force(versions: list[tuple[Version, float]], key: tuple[str, str],
              day: date | None) -> Version | None:
    """The payer's own version in force on ``day`` (its latest started by then)."""
    own = [v for v, _ in versions if v.key == key and (day is None or v.effective is None
                                                        or v.effective <= day)]
    return max(own, key=lambda v: v.effective or date.min) if own else None


def _same(a: float, b: float) -> bool:
    return abs(excel_round(a, 2) - excel_round(b, 2)) < CENT


def contracts_paid(lines: pd.DataFrame, history: pd.DataFrame,
                   changes: Changes | None) -> PaidOn:
    """Every line the payers allowed something on (``Monitoring.lines``) against every
    schedule version in ``history`` (the client's schedules, each dated version)."""
    versions = _versions(history)
    # The lines the payer's own schedule gives an amount for (the rest are notes: a code
    # it lacks, a date before its first version), that it allowed something on.
    compared = lines[(lines["status"] != "denied") & (lines["allowed"] > 0)
                     & lines["contracted"].notna()]
    candidates: list[list[Version]] = []
    in_force: list[Version | None] = []
    for payer, network, code, day, units, allowed in columns(
            compared, ["payer", "network", "code", "service_date", "units", "allowed"]):
        held = versions.get(code, [])
        started = [(v, amount) for v, amount in held
                   if day is None or v.effective is None or v.effective <= day]
        current = _in_force(held, (payer, network), day)
        matches = [v for v, amount in started if _same(amount * units, allowed)]
        if current is not None and current in matches:
            # The payer's older versions that give the same amount are the same contract
            # amount for this code: the one in force is what priced it.
            matches = [v for v in matches if v.key != current.key or v == current]
        candidates.append(matches)
        in_force.append(current)
    # How many of each payer's lines each version prices, month by month.
    months = [day.strftime("%Y-%m") if isinstance(day, date) else ""
              for day in compared["service_date"]]
    priced: Counter[tuple[tuple[str, str], str, Version]] = Counter()
    keys = list(zip(compared["payer"], compared["network"]))
    for key, month, matches in zip(keys, months, candidates):
        for version in matches:
            priced[(key, month, version)] += 1
    matched_labels, kinds = [], []
    for key, month, matches, current in zip(keys, months, candidates, in_force):
        chosen: Version | None = None
        if len(matches) == 1:
            chosen = matches[0]
        elif matches:
            counts = sorted(((priced[(key, month, v)], v) for v in matches),
                            key=lambda item: -item[0])
            if counts[0][0] > counts[1][0]:
                chosen = counts[0][1]
            else:
                tied = [v.label for count, v in counts if count == counts[0][0]]
                matched_labels.append(" or ".join(sorted(tied)))
                kinds.append(AMBIGUOUS)
                continue
        if chosen is None:
            matched_labels.append("")
            kinds.append(NONE)
        else:
            matched_labels.append(chosen.label)
            kinds.append(CONTRACTED if chosen == current else
                         OLDER if chosen.key == key else OTHER)
    attributed = compared.assign(line=lines.index.get_indexer(compared.index), month=months,
                                 schedule_matched=matched_labels, matched_as=kinds)
    contracted = attributed["contracted"].astype(float)
    attributed = attributed.assign(
        difference=[excel_round(c - a, 2) if not math.isnan(c) else math.nan
                    for c, a in zip(contracted, attributed["allowed"])],
        **_since_raise(attributed, changes))
    attributed = attributed.reindex(columns=list(LINE_COLUMNS)).reset_index(drop=True)
    return PaidOn(lines=attributed, groups=_groups(attributed), payers=_payers(attributed),
                  realized=_realized(attributed, changes), exhibit=_exhibit(attributed))


def _since_raise(lines: pd.DataFrame, changes: Changes | None) -> dict[str, list[Any]]:
    """Each line on or after its code's raise took effect: paid at the new amount, the
    old one, or another; those two amounts × units, and how far below the new one it was
    paid ("", NaN and 0 before a raise)."""
    rates = {} if changes is None else {
        (p, n, c): (float(old), float(new), effective)
        for p, n, c, old, new, effective in columns(
            changes.codes, ["payer", "network", "code", "old", "new", "new_effective"])}
    since: list[str] = []
    olds: list[float] = []
    news: list[float] = []
    missed: list[float] = []
    for payer, network, code, day, units, allowed in columns(
            lines, ["payer", "network", "code", "service_date", "units", "allowed"]):
        rate = rates.get((payer, network, code))
        if rate is None or not isinstance(day, date) or day < rate[2]:
            since.append("")
            olds.append(math.nan)
            news.append(math.nan)
            missed.append(0.0)
            continue
        old, new = excel_round(rate[0] * units, 2), excel_round(rate[1] * units, 2)
        since.append("new" if _same(allowed, new) else "old" if _same(allowed, old)
                     else "other")
        olds.append(old)
        news.append(new)
        below = excel_round(new - allowed, 2)
        missed.append(below if below > CENT * 2 else 0.0)
    return {"since_raise": since, "old_rate": olds, "new_rate": news, "missed": missed}


def _groups(lines: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (payer, network, code, month, matched, kind), mine in lines.groupby(
            ["payer", "network", "code", "month", "schedule_matched", "matched_as"],
            sort=True, dropna=False):
        known = mine["contracted"].notna()
        rows.append({"payer": payer, "network": network, "code": code, "month": month,
                     "lines": len(mine), "schedule_matched": matched, "matched_as": kind,
                     "contracted": (excel_round(math.fsum(mine.loc[known, "contracted"]), 2)
                                    if known.any() else math.nan),
                     "allowed": excel_round(math.fsum(mine["allowed"]), 2),
                     "difference": (excel_round(math.fsum(mine.loc[known, "difference"]), 2)
                                    if known.any() else math.nan)})
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))


def _month_count(months: list[str]) -> int:
    """Months from the first to the last, both counted ("2026-01" … "2026-03": 3)."""
    known = sorted(m for m in months if m)
    if not known:
        return 0
    first, last = (int(known[0][:4]), int(known[0][5:])), (int(known[-1][:4]), int(known[-1][5:]))
    return (last[0] - first[0]) * 12 + last[1] - first[1] + 1


def _payers(lines: pd.DataFrame) -> pd.DataFrame:
    """Per payer: the share of its lines on each schedule, and what paying below the
    schedule in force lost, over the period and a year ahead at the period's pace."""
    rows = []
    for (payer, network), mine in lines.groupby(["payer", "network"], sort=True):
        kinds = Counter(mine["matched_as"])
        below = mine[mine["difference"] > CENT * 2]   # more than a cent below
        lost = excel_round(math.fsum(below["difference"]), 2)
        months = _month_count(list(mine["month"]))
        shares = Counter(label or NONE for label in mine["schedule_matched"])
        rows.append({
            "payer": payer, "network": network, "lines": len(mine),
            "contracted_lines": kinds[CONTRACTED], "older_lines": kinds[OLDER],
            "other_lines": kinds[OTHER], "ambiguous_lines": kinds[AMBIGUOUS],
            "unknown_lines": kinds[NONE],
            "contracted_share": kinds[CONTRACTED] / len(mine),
            "lost": lost, "months": months,
            "lost_a_year": excel_round(lost * 12 / months, 2) if months else 0.0,
            "schedules": "; ".join(f"{label} {percent(count / len(mine))}" for label, count in
                                   sorted(shares.items(), key=lambda i: (-i[1], i[0])))})
    return pd.DataFrame(rows, columns=list(PAYER_COLUMNS))


def _realized(lines: pd.DataFrame, changes: Changes | None) -> pd.DataFrame:
    """Per payer with a raise (two dated versions): the lines since it took effect.
    promised: the Changes' annual value; realized: Σ (allowed − old); missed: Σ (new −
    allowed) over the lines paid below the new amount; the last line at the old rate."""
    if changes is None or changes.payers.empty:
        return pd.DataFrame(columns=list(REALIZED_COLUMNS))
    rows = []
    for payer, network, effective, promised in columns(
            changes.payers, ["payer", "network", "new_effective", "annual_value"]):
        mine = lines[(lines["payer"] == payer) & (lines["network"] == network)
                     & (lines["since_raise"] != "")]
        kinds = Counter(mine["since_raise"])
        realized = [excel_round(a - o, 2) for a, o in zip(mine["allowed"], mine["old_rate"])]
        at_old = mine.loc[mine["since_raise"] == "old", "service_date"]
        rows.append({"payer": payer, "network": network, "effective": effective,
                     "lines_since": len(mine), "lines_at_new": kinds["new"],
                     "lines_at_old": kinds["old"], "lines_other": kinds["other"],
                     "promised": excel_round(promised, 2),
                     "realized": excel_round(math.fsum(realized), 2),
                     "missed": excel_round(math.fsum(mine["missed"]), 2),
                     "last_old_rate_date": max(at_old) if len(at_old) else None})
    return pd.DataFrame(rows, columns=list(REALIZED_COLUMNS))


def _exhibit(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines allowed below the schedule in force by more than a cent: what a payer's
    provider relations is shown."""
    below = lines[lines["difference"] > CENT * 2]
    return below.reindex(columns=list(EXHIBIT_COLUMNS)).sort_values(
        ["payer", "network", "service_date", "claim", "code"], kind="stable").reset_index(
        drop=True)
