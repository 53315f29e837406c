"""``analyze(client)`` and the :class:`Analysis` it returns (``to_dict`` is the --json contract)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from .changes import Changes, schedule_changes
from ..client import Client
from .engine import ALT_COLUMNS, PAYER_COLUMNS, Tables, compute
from ..money import excel_round
from .monitoring import Monitoring, analyze_remittances
from .paid_on import PaidOn, contracts_paid
from .worklist import Worklist

# Presentation precision in --json: money to the cent, ratios to 4 places.
_MONEY = ("office_fee", "allowed", "benchmark", "shortfall", "priority", "proposed", "impact",
          "annual_writeoff", "impact_at_ask", "base", "alt_before", "alt_after",
          "balance_before", "balance_after", "savings", "annual_savings", "alt_savings")
_RATIOS = ("effective_rate", "cumulative_share", "coverage", "savings_pct", "volume",
           "volume_share", "break_even_retention")

_TARGET_KEYS = ("payer", "network", "code", "volume", "allowed", "office_fee", "benchmark",
                "shortfall", "priority", "proposed", "impact", "cumulative_share")
_PAYER_KEYS = PAYER_COLUMNS
_ALT_KEYS = ALT_COLUMNS


@dataclass(frozen=True)
class Analysis(Tables):
    """A client's analysis: the engine's tables at full precision (its notes joined by
    monitoring's), what the client's ERAs and dated schedules show, and the client."""

    client: Client
    monitoring: Monitoring | None = None   # from the client's ERAs, when it has any
    changes: Changes | None = None         # when a schedule has two dated versions
    paid_on: PaidOn | None = None          # which schedule priced each ERA line
    # The recovery worklist, once merged with the client folder's recovery.csv (a run
    # that keeps one: xlfees.deliverables.worklist).
    worklist: Worklist | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``xlfees analyze --json`` document (docs/json.md)."""
        return {
            "client": self.client.name,
            "payers": _records(self.payers, _PAYER_KEYS),
            "targets": _records(self.targets, _TARGET_KEYS),
            "alt_benefits": _records(self.alt_benefits, _ALT_KEYS),
            "monitoring": self.monitoring.to_dict() if self.monitoring is not None else None,
            "changes": self.changes.to_dict() if self.changes is not None else None,
            # Which schedule priced each payer × code × month, and the raises realized.
            **(self.paid_on.to_dict() if self.paid_on is not None
               else {"paid_on": [], "realized": []}),
            "asks": self.asks.to_dict(),
            "worklist": self.worklist.to_dict() if self.worklist is not None else None,
            "notes": [note.to_dict() for note in self.notes],
        }


def analyze(client: Client) -> Analysis:
    """Compute gaps, targets, payer rates and alternate-benefit savings for one client."""
    tables: Tables = compute(client)
    monitoring = analyze_remittances(client, client.remittances) if client.remittances else None
    notes = tables.notes + (monitoring.notes if monitoring is not None else ())
    changes = schedule_changes(client.schedule_history, tables.targets, client.office_fees,
                               client.settings.ask)
    changed = changes if len(changes.codes) else None
    paid_on = None
    if monitoring is not None:
        history = (client.schedule_history if client.schedule_history is not None
                   else client.schedules)
        paid_on = contracts_paid(monitoring.lines, history, changed)
    computed = {field.name: getattr(tables, field.name) for field in fields(Tables)}
    return Analysis(**{**computed, "notes": notes}, client=client, monitoring=monitoring,
                    changes=changed, paid_on=paid_on)


def _records(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    columns = {key: frame[key].tolist() for key in keys}
    return [{key: _present(key, columns[key][i]) for key in keys} for i in range(len(frame))]


def _present(key: str, value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalar → Python
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if key in _MONEY:
            return excel_round(value, 2)
        if key in _RATIOS:
            return excel_round(value, 4)
    return value
