"""Schedule changes: two dated versions of a payer's schedule compared code by code.

The negotiation as a campaign: when a client folder holds a payer's schedule before
and after a round (two files, or rows, with different effective dates), each code's
old and new allowed amount, the change, what it is worth a year at today's volume,
what was asked (the ask applied to the old amount, as xlfees proposes it) and what of
it was won. Pure: pandas and the engine's own proposal rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Hashable

import pandas as pd

from ..client import columns
from .engine import proposed_fee
from ..money import excel_round
from .monitoring import effective_date

CODE_COLUMNS = ("payer", "network", "code", "description", "old_effective", "new_effective",
                "old", "new", "change", "change_pct", "volume", "annual_value", "asked",
                "asked_value")
# annual_value: what the round won a year (a cut counts against it); won_share: of the
# value of what was asked.
PAYER_COLUMNS = ("payer", "network", "old_effective", "new_effective", "codes",
                 "codes_raised", "codes_cut", "annual_value", "asked_value", "won_share")


@dataclass(frozen=True)
class Changes:
    codes: pd.DataFrame     # one row per code whose schedule has two dated versions
    payers: pd.DataFrame    # one row per payer schedule with a change

    @property
    def won(self) -> float:
        """What the round won a year, every payer together."""
        return math.fsum(self.payers["annual_value"])

    def to_dict(self) -> dict[str, Any]:
        """The ``changes`` object of ``xlfees analyze --json`` (docs/json.md)."""
        return {"payers": [{k: _present(k, v) for k, v in row.items()}
                           for row in self.payers.to_dict("records")],
                "codes": [{k: _present(k, v) for k, v in row.items()}
                          for row in self.codes.to_dict("records")]}


_RATIOS = ("change_pct", "won_share")


def _present(key: Hashable, value: Any) -> Any:
    return present(value, 4 if key in _RATIOS else 2)


def present(value: Any, places: int = 2) -> Any:
    """A value as --json prints it: numpy's as Python's, dates ISO, NaN null, a number
    rounded as Excel rounds (money to the cent, a ratio to ``places``)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return excel_round(value, places)
    return value


def schedule_changes(history: pd.DataFrame | None, targets: pd.DataFrame,
                     office_fees: pd.DataFrame, ask: float | str) -> Changes:
    """Every code with an earlier dated version: the latest against the one before it."""
    empty = Changes(pd.DataFrame(columns=list(CODE_COLUMNS)),
                    pd.DataFrame(columns=list(PAYER_COLUMNS)))
    if history is None or "effective" not in history or history.empty:
        return empty
    dated = history.assign(day=history["effective"].map(effective_date))
    dated = dated[dated["day"].notna() & dated["allowed"].notna()]
    office = dict(columns(office_fees, ["code", "office_fee"]))
    descriptions = dict(columns(office_fees, ["code", "description"]))
    volume = {(p, n, c): v for p, n, c, v in columns(targets,
                                                     ["payer", "network", "code", "volume"])}
    benchmark = {(p, n, c): b for p, n, c, b in columns(targets, ["payer", "network", "code",
                                                                  "benchmark"])}
    rows = []
    for (payer, network, code), versions in dated.groupby(["payer", "network", "code"],
                                                         sort=True):
        versions = versions.sort_values("day", kind="stable").drop_duplicates("day", keep="last")
        if len(versions) < 2 or code not in office:
            continue
        before, after = versions.iloc[-2], versions.iloc[-1]
        old, new = float(before["allowed"]), float(after["allowed"])
        key = (payer, network, code)
        peer = benchmark.get(key)
        asked = proposed_fee(old, float(office[code]), ask,
                             None if peer is None or (isinstance(peer, float) and math.isnan(peer))
                             else float(peer))
        count = float(volume.get(key, 0.0))
        rows.append({
            "payer": payer, "network": network, "code": code,
            "description": descriptions.get(code, ""),
            "old_effective": before["day"], "new_effective": after["day"],
            "old": old, "new": new, "change": excel_round(new - old, 2),
            "change_pct": (new - old) / old if old else math.nan, "volume": count,
            "annual_value": count * (new - old), "asked": asked,
            "asked_value": count * (asked - old)})
    codes = pd.DataFrame(rows, columns=list(CODE_COLUMNS))
    payers = []
    for (payer, network), mine in codes.groupby(["payer", "network"], sort=True):
        asked_value = math.fsum(mine["asked_value"])
        won_value = math.fsum(mine["annual_value"])
        payers.append({
            "payer": payer, "network": network, "old_effective": mine["old_effective"].min(),
            "new_effective": mine["new_effective"].max(), "codes": len(mine),
            "codes_raised": int((mine["change"] > 0).sum()),
            "codes_cut": int((mine["change"] < 0).sum()),
            "annual_value": won_value, "asked_value": asked_value,
            "won_share": won_value / asked_value if asked_value > 0 else math.nan})
    return Changes(codes, pd.DataFrame(payers, columns=list(PAYER_COLUMNS)))
