"""The ask: one package per payer (the codes asked on, the amount requested for each),
chosen once here, and the alternatives beside it (DESIGN "The ask").

- Candidates: the codes the payer lists that the practice performs for that payer at
  least ``ask_min_volume`` times a year, with a requested amount R above today's A.
- R: ``to_benchmark``: min(O, B) where A < B (B the peer benchmark of the settings);
  ``percent``: min(O, ROUND(A × (1 + ask), 2)). Rounded as Excel's ROUND, never above
  the office fee O.
- The package: the candidates ranked by annual value V × (R − A), the top ``ask_codes``.
  With ``ask_cap``, the codes with the largest shortfall (B − A) come first and the
  package stops where Σ V·(R − A) / Σ V·A over every code the practice performs for the
  payer would pass the cap, the last code's R cut (to the cent below) to meet it.
- Alternatives, computed the same way: conservative (``percent`` at half the ask, ten
  codes at most), target (the settings as given), stretch (to the 75th percentile of the
  other payers, or the office fee when that is lower).
- The alternate-benefit ask follows the same rule: it travels in the payer's letter, so a
  payer asked nothing gets none; its candidates are the alternates a raise would save
  patients money on, performed at least ``ask_min_volume`` times a year, ranked by the
  patients' annual savings, the top ``MOST_ALTERNATES``. Their savings are the payer's
  "alt savings" everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

import pandas as pd

from ..labels import ScheduleKey
from ..money import ask_percent, cents, excel_round
from ..sources.client_toml import ASK_PACKAGES, DEFAULT_ASK, PERCENT, TO_BENCHMARK, Settings
from .engine import percentile_without

CONSERVATIVE_CODES = 10    # a small ask: the ten codes worth most
# Alternate benefits one letter asks on: with 15 codes, the letter's body stays within two
# pages (tests/test_letters_rendered.py).
MOST_ALTERNATES = 8
STRETCH_PERCENTILE = 0.75  # a hard ask: the other payers' 75th percentile
NO_CANDIDATE = "it allows at least the benchmark on every code the practice performs for it"
NO_CANDIDATE_PERCENT = ("it already allows the office fee on every code the practice performs "
                        "for it")
NO_VOLUME = "the practice performs none of its codes for it"
NO_CODES = "it has no codes in common with the office fees"
NO_BENCHMARK = ("no other schedule lists the codes the practice performs for it, so there is "
                "no benchmark to ask against")
NO_ROOM = "the ask_cap leaves no room for a raise on any code"


@dataclass(frozen=True)
class AskLine:
    """One code of a package: what the payer allows, what is asked and what it is worth."""

    code: str
    volume: float
    office_fee: float
    allowed: float
    benchmark: float | None
    requested: float

    @property
    def annual_value(self) -> float:
        return self.volume * (self.requested - self.allowed)

    @property
    def at_or_below_benchmark(self) -> bool:
        return self.benchmark is not None and self.requested <= cents(self.benchmark)


@dataclass(frozen=True)
class AskPackage:
    """What one payer is asked for under one strategy; no lines: nothing, and why."""

    payer: str
    network: str
    name: str                      # conservative | target | stretch
    lines: tuple[AskLine, ...]
    allowed_a_year: float          # Σ V·A over the payer's performed codes
    reason: str = ""               # why there is no package (empty when there is one)

    @property
    def annual_value(self) -> float:
        return math.fsum(line.annual_value for line in self.lines)

    @property
    def weighted_increase(self) -> float:
        """Σ V·(R − A) / Σ V·A: how much the package raises what the payer pays a year."""
        return self.annual_value / self.allowed_a_year if self.allowed_a_year else 0.0

    @property
    def within_benchmark(self) -> bool:
        """Every requested amount at or below the peer benchmark: "in line with what
        comparable plans pay" may be said."""
        return bool(self.lines) and all(line.at_or_below_benchmark for line in self.lines)

    def to_dict(self) -> dict[str, object]:
        """--json: money to the cent, the weighted increase to 4 places (as Excel rounds)."""
        def money(value: float | None) -> float | None:
            return None if value is None else excel_round(value, 2)
        return {"package": self.name, "annual_value": money(self.annual_value),
                "weighted_increase": excel_round(self.weighted_increase, 4),
                "reason": self.reason or None,
                "codes": [{"code": line.code, "volume": excel_round(line.volume, 4),
                           "allowed": money(line.allowed), "requested": money(line.requested),
                           "benchmark": money(line.benchmark),
                           "office_fee": money(line.office_fee),
                           "annual_value": money(line.annual_value)} for line in self.lines]}


@dataclass(frozen=True)
class Strategy:
    """How one package sets R and how many codes it takes."""

    name: str
    kind: str                      # to_benchmark | percent
    ask: float
    codes: int
    percentile: float | None = None   # to_benchmark: None = the settings' benchmark column

    @property
    def words(self) -> str:
        """How R is set, in a few words (the summary PDF, the Asks sheet)."""
        if self.kind == PERCENT:
            return f"+{ask_percent(self.ask)} on allowed amounts"
        if self.percentile is not None:
            return f"up to the other plans' {self.percentile * 100:.0f}th percentile"
        return "up to the benchmark"


def strategies(settings: Settings) -> tuple[Strategy, ...]:
    """conservative, target and stretch for these settings (DESIGN "The ask")."""
    ask = settings.ask if isinstance(settings.ask, float | int) else DEFAULT_ASK
    return (Strategy("conservative", PERCENT, float(ask) / 2,
                     min(CONSERVATIVE_CODES, settings.ask_codes)),
            Strategy("target", settings.ask_strategy, float(ask), settings.ask_codes),
            Strategy("stretch", TO_BENCHMARK, float(ask), settings.ask_codes,
                     percentile=STRETCH_PERCENTILE))


def chosen_strategy(settings: Settings) -> Strategy:
    """The strategy of the package the outputs carry (``ask_package``)."""
    return next(s for s in strategies(settings) if s.name == settings.ask_package)


def requested_amount(strategy: Strategy, allowed: float, office_fee: float,
                     benchmark: float | None) -> float | None:
    """R for one code, or None when nothing can be asked on it."""
    if strategy.kind == PERCENT:
        target = cents(allowed * (1 + strategy.ask))
    elif benchmark is None:
        return None
    else:
        target = cents(benchmark)
    requested = min(office_fee, target)
    return requested if requested > allowed else None


def package(payer: str, network: str, strategy: Strategy, rows: Iterable[AskLine],
            allowed_a_year: float, cap: float | None) -> AskPackage:
    """The codes asked on among ``rows`` (each with R set): ranked, counted, capped."""
    rows = list(rows)
    candidates = [row for row in rows if row.requested > row.allowed]
    if not candidates:
        reason = (NO_CANDIDATE_PERCENT if strategy.kind == PERCENT
                  else NO_CANDIDATE if any(row.benchmark is not None for row in rows)
                  else NO_BENCHMARK)
        return AskPackage(payer, network, strategy.name, (), allowed_a_year, reason)
    if cap is None:
        ranked = sorted(candidates, key=lambda line: (-line.annual_value,
                                                      -(line.requested - line.allowed),
                                                      line.code))
        chosen = ranked[:strategy.codes]
    else:
        # The cap's budget goes to the codes furthest below the benchmark first (then the
        # largest raise per procedure, where there is no benchmark).
        ranked = sorted(candidates, key=lambda line: (
            -max(0.0, (line.benchmark or 0.0) - line.allowed),
            -(line.requested - line.allowed), line.code))
        budget = cap * allowed_a_year
        chosen = []
        for line in ranked[:strategy.codes]:
            if line.annual_value <= budget + 1e-9:
                chosen.append(line)
                budget -= line.annual_value
                continue
            # The last code asks only what the cap leaves, to the cent below.
            cut = math.floor((line.allowed + budget / line.volume) * 100 + 1e-9) / 100
            if cut > line.allowed:
                chosen.append(AskLine(line.code, line.volume, line.office_fee, line.allowed,
                                      line.benchmark, cut))
            break
    lines = tuple(sorted(chosen, key=lambda line: (-line.annual_value, line.code)))
    return AskPackage(payer, network, strategy.name, lines, allowed_a_year,
                      "" if lines else NO_ROOM)


@dataclass(frozen=True)
class Asks:
    """Every payer's packages, by schedule, and which one the letters carry."""

    chosen: str
    by_schedule: Mapping[ScheduleKey, Mapping[str, AskPackage]]

    def chosen_for(self, key: ScheduleKey) -> AskPackage:
        return self.by_schedule[key][self.chosen]

    def nothing_asked(self) -> list[tuple[ScheduleKey, str]]:
        """Each schedule whose chosen package is empty, and why (in words)."""
        return [(key, packages[self.chosen].reason)
                for key, packages in self.by_schedule.items()
                if not packages[self.chosen].lines]

    def to_dict(self) -> list[dict[str, object]]:
        return [{"payer": payer, "network": network, "chosen": self.chosen,
                 "packages": [packages[name].to_dict() for name in ASK_PACKAGES]}
                for (payer, network), packages in self.by_schedule.items()]


def ask_packages(gaps: pd.DataFrame, settings: Settings, has_volume: bool = True,
                 schedules: Iterable[ScheduleKey] = ()) -> Asks:
    """The packages of every payer in ``gaps`` (the engine's payer × code rows), and of each
    of ``schedules`` with no row there (no code in common with the office fees: asked
    nothing, and why).

    Without any volume (``has_volume`` False) every code a payer lists counts as performed:
    the packages then rank by the raise per procedure, their annual values are 0."""
    columns = ["payer", "network", "code", "office_fee", "allowed", "volume", "benchmark"]
    rows = list(zip(*(gaps[column].tolist() for column in columns)))
    amounts_by_code: dict[str, list[float]] = {}
    for _, _, code, _, allowed, _, _ in rows:
        amounts_by_code.setdefault(code, []).append(float(allowed))
    for amounts in amounts_by_code.values():
        amounts.sort()
    by_schedule: dict[ScheduleKey, list[tuple[str, float, float, float, float | None]]] = {
        key: [] for key in schedules}
    for payer, network, code, office_fee, allowed, volume, benchmark in rows:
        by_schedule.setdefault((payer, network), []).append(
            (code, float(volume), float(office_fee), float(allowed),
             None if benchmark is None or (isinstance(benchmark, float)
                                           and math.isnan(benchmark)) else float(benchmark)))
    result: dict[ScheduleKey, dict[str, AskPackage]] = {}
    for (payer, network), codes in sorted(by_schedule.items()):
        performed = ([c for c in codes if c[1] >= settings.ask_min_volume and c[1] > 0]
                     if has_volume else codes)
        # The weighted rate is over everything the practice performs for the payer.
        allowed_a_year = math.fsum(volume * allowed for _, volume, _, allowed, _ in codes
                                   if volume > 0)
        packages: dict[str, AskPackage] = {}
        for strategy in strategies(settings):
            if not performed:
                packages[strategy.name] = AskPackage(payer, network, strategy.name, (),
                                                     allowed_a_year,
                                                     NO_VOLUME if codes else NO_CODES)
                continue
            lines = []
            for code, volume, office_fee, allowed, benchmark in performed:
                b = benchmark if strategy.percentile is None else percentile_without(
                    amounts_by_code[code], allowed, strategy.percentile)
                requested = requested_amount(strategy, allowed, office_fee, b)
                # A code nothing can be asked on stays, at today's amount: the package
                # says why it is empty (no benchmark, or at least the benchmark).
                lines.append(AskLine(code, volume, office_fee, allowed, benchmark,
                                     allowed if requested is None else requested))
            packages[strategy.name] = package(payer, network, strategy, lines, allowed_a_year,
                                              settings.ask_cap)
        result[(payer, network)] = packages
    return Asks(settings.ask_package, result)


def alternates_asked(alternates: pd.DataFrame, asks: Asks, settings: Settings,
                     has_volume: bool = True) -> list[bool]:
    """For each row of ``alternates`` (the engine's AltRows): is it in its payer's
    alternate-benefit ask? (The rule is in this module's docstring.)"""
    columns = ["payer", "network", "code", "savings", "volume", "annual_savings"]
    candidates: dict[ScheduleKey, list[tuple[float, float, str, int]]] = {}
    for place, (payer, network, code, savings, volume, annual) in enumerate(
            zip(*(alternates[column].tolist() for column in columns))):
        key = (payer, network)
        if key not in asks.by_schedule or not asks.chosen_for(key).lines:
            continue
        if cents(savings) <= 0:
            continue
        if has_volume and not (volume > 0 and volume >= settings.ask_min_volume):
            continue
        candidates.setdefault(key, []).append((-annual, -savings, code, place))
    asked = [False] * len(alternates)
    for rows in candidates.values():
        for _, _, _, place in sorted(rows)[:MOST_ALTERNATES]:
            asked[place] = True
    return asked
