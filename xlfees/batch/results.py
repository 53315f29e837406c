"""What a batch gives back: per client, per group and for the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.rollup import GroupRollup, LocationFigures
from ..errors import XlfeesError


class BatchError(XlfeesError):
    """The batch as a whole cannot run (there are no client folders)."""


@dataclass(frozen=True)
class ClientResult:
    """How one client went: its workbook and headline figures, or why it failed."""

    client: str
    folder: str
    ok: bool
    workbook: str | None = None
    error: str | None = None
    payers: int = 0
    codes: int = 0
    effective_rate: float | None = None
    payer_rates: tuple[tuple[str, float | None], ...] = ()
    annual_writeoff: float = 0.0
    impact_at_ask: float = 0.0
    payer_asks: tuple[tuple[str, float], ...] = ()   # each payer's value of the ask a year
    patient_savings: float = 0.0
    top_target: str | None = None
    top_target_value: float = 0.0
    top_targets: tuple[tuple[str, float], ...] = ()   # the three largest: label, a year
    won_this_round: float | None = None   # schedules with two dated versions: won a year
    # Since each raise took effect: what the payers still paid below the new schedule.
    missed_since_raise: float | None = None
    # The recovery worklist by payer: (payer, open, appealed, recovered, written off,
    # appeal deadlines in the next 30 days); empty for a client that keeps none.
    worklist: tuple[tuple[str, float, float, float, float, int], ...] = ()
    owner_email: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    files: tuple[str, ...] = ()   # letters and summary written with --letters
    notes: int = 0
    deliverables: int = 0     # letters, summary and schedules written with --letters
    passed_over: tuple[str, ...] = ()   # payers that got no letter, and why
    no_ask: tuple[str, ...] = ()        # payers with an empty ask package, and why
    seconds: float = 0.0
    location: LocationFigures | None = None   # what a group's roll-up takes from it


@dataclass(frozen=True)
class GroupResult:
    """A group's roll-up: its workbook and one-pagers, or why it was not written."""

    group: str
    locations: tuple[str, ...] = ()      # the client folders that are its locations
    workbook: str | None = None
    files: tuple[str, ...] = ()          # the network value summaries
    rollup: GroupRollup | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchResult:
    """Every client's result, in client-name order, and where the index went."""

    results: list[ClientResult] = field(default_factory=list)
    index: Path | None = None
    groups: list[GroupResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ClientResult]:
        return [r for r in self.results if not r.ok]

    @property
    def succeeded(self) -> list[ClientResult]:
        return [r for r in self.results if r.ok]
