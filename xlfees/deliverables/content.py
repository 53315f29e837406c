"""What the request letters and the leave-behind say, as plain text and numbers.

Built from the analysis alone (no document library here), so the tests can
compare every figure a letter prints with ``analyze --json``.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date

from typing import Any

from ..analysis import Analysis
from ..analysis.asks import chosen_strategy
from ..client import PayerContact, Practice
from ..analysis.engine import VOLUME_BY_PAYER, VOLUME_BY_SHARES, VOLUME_NONE, VOLUME_PER_100
from ..labels import schedule_label
from ..analysis.paid_on import AMBIGUOUS, NONE
from ..money import ask_percent, cents, count, excel_round, money, percent
from ..sources.client_toml import EXTERNAL, PERCENT, SURVEY_PREFIX
from ..wording import plural, short_description


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


@dataclass(frozen=True)
class CodeLine:
    """One code a letter asks about: the payer allows less than the benchmark."""

    code: str
    description: str
    volume: float
    allowed: float
    benchmark: float
    office_fee: float
    requested: float
    change: float            # (requested − allowed) ÷ allowed
    impact: float            # volume × (requested − allowed), a year


@dataclass(frozen=True)
class AltLine:
    code: str
    description: str
    alt_code: str | None
    alt_before: float
    alt_after: float
    savings: float           # per procedure, for the patient
    annual_savings: float


@dataclass(frozen=True)
class Letter:
    """One payer's request letter, every sentence and figure already decided."""

    payer: str
    network: str
    label: str
    practice: str
    day: date
    letterhead: list[str]             # under the practice's name: address, phone, TIN/NPI
    addressee: list[str]              # the inside address
    subject: str
    salutation: str
    case: list[str]                   # the short case, in plain words
    benchmark_header: str             # "Peer benchmark", "Survey benchmark"
    codes: list[CodeLine]
    alternates_intro: str | None
    alternates: list[AltLine]
    closing: str
    signer: str | None
    signer_title: str | None
    annual_impact: float = 0.0
    # From the ERAs: lines this payer allowed below its own schedule, for reprocessing.
    underpaid: list[UnderpaidLine] = field(default_factory=list)
    underpaid_intro: str | None = None


@dataclass(frozen=True)
class UnderpaidLine:
    claim: str
    patient_control_number: str
    service_date: date | None
    code: str
    contracted: float
    allowed: float
    difference: float


def _underpaid(analysis: Analysis, payer: str, network: str) -> list[UnderpaidLine]:
    monitoring = analysis.monitoring
    if monitoring is None:
        return []
    table = monitoring.underpayments
    mine = table[(table["payer"] == payer) & (table["network"] == network)]
    return [UnderpaidLine(r["claim"], r["patient_control_number"], r["service_date"],
                          r["code"], r["contracted"], r["allowed"], r["difference"])
            for r in mine.to_dict("records")]


def _underpaid_intro(lines: list[UnderpaidLine]) -> str:
    total = math.fsum(line.difference for line in lines)
    return (f"Your remittances allowed the {plural(len(lines), 'service line')} below less "
            "than the fee schedule in force on the date of service. We ask that these claims "
            f"be reprocessed at the contracted amounts: {money(total)} in all.")


@dataclass(frozen=True)
class LetterPlan:
    """The letters to write, and the payers that get none with the reason."""

    letters: list[Letter]
    passed_over: list[tuple[str, str]]     # (schedule label, why no letter)


def _benchmark_words(analysis: Analysis) -> tuple[str, str]:
    """(table header, words in a sentence) for the benchmark the letters compare with."""
    benchmark = str(analysis.client.settings.benchmark)
    if benchmark.startswith(SURVEY_PREFIX):
        return "Survey benchmark", "the fee survey's benchmark"
    if benchmark == EXTERNAL:
        return "Benchmark", "the benchmark fees"
    return "Peer benchmark", "what the other plans we participate in allow"


def _ask_sentence(analysis: Analysis) -> str:
    """What the chosen package asks, in words (its numbers are in the table)."""
    strategy = chosen_strategy(analysis.client.settings)
    if strategy.kind == PERCENT:
        return (f"We ask that each allowance be raised by {ask_percent(strategy.ask)}, and "
                "never above our usual fee.")
    if strategy.percentile is not None:
        return ("We ask that each allowance be raised to what the upper quarter of the plans "
                "we participate in allow for it, and never above our usual fee.")
    return ("We ask that each allowance be raised to the benchmark shown, and never "
            "above our usual fee.")


def _rate(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _addressee(contact: PayerContact | None, payer: str) -> tuple[list[str], str]:
    """The inside address and the salutation: a named person if client.toml gives one."""
    contact = contact or PayerContact()
    lines = [line for line in (contact.name, contact.title) if line]
    lines.append(contact.department or "Provider Relations")
    lines.append(payer)
    lines += [line.strip() for line in (contact.address or "").splitlines() if line.strip()]
    salutation = f"Dear {contact.name}," if contact.name else "Dear Provider Relations team,"
    return lines, salutation


def _letterhead(practice: Practice) -> list[str]:
    lines = [", ".join(line.strip() for line in (practice.address or "").splitlines()
                       if line.strip())]
    identifiers = [f"Phone {practice.phone}" if practice.phone else "",
                   f"TIN {practice.tin}" if practice.tin else "",
                   f"NPI {practice.npi}" if practice.npi else ""]
    lines.append("  ·  ".join(i for i in identifiers if i))
    return [line for line in lines if line]


def letters(analysis: Analysis, day: date) -> LetterPlan:
    """One letter per payer whose chosen ask package (xlfees.analysis.asks) is not empty.

    The letter lists that package's codes, most valuable first, and the alternates asked
    (the Alt Benefits rows marked Asked): nothing more, nothing less, so its figures are
    the workbook's.
    """
    client = analysis.client
    practice = client.practice
    has_volume = analysis.volume_basis in (VOLUME_BY_PAYER, VOLUME_BY_SHARES)
    estimated = analysis.volume_basis == VOLUME_BY_SHARES
    header, benchmark_words = _benchmark_words(analysis)
    rates = {(r["payer"], r["network"]): _rate(r["effective_rate"])
             for r in analysis.payers.to_dict("records")}
    break_even = {(r["payer"], r["network"]): _rate(r["break_even_retention"])
                  for r in analysis.payers.to_dict("records")}
    plan = LetterPlan([], [])
    targets, alt = analysis.targets, analysis.alt_benefits
    for key, rate in rates.items():
        payer, network = key
        label = schedule_label(payer, network)
        mine = targets[(targets["payer"] == payer) & (targets["network"] == network)]
        # The payer's chosen ask package (proposed above allowed), most valuable first.
        asked = mine[mine["proposed"] > mine["allowed"]].sort_values(
            ["impact", "code"], ascending=[False, True], kind="stable")
        if asked.empty:   # its package is empty (xlfees.analysis.asks says why)
            plan.passed_over.append((label, analysis.asks.chosen_for(key).reason))
            continue
        codes = [CodeLine(code=r["code"], description=short_description(r["description"]),
                          volume=r["volume"], allowed=r["allowed"], benchmark=r["benchmark"],
                          office_fee=r["office_fee"], requested=r["proposed"],
                          change=(r["proposed"] - r["allowed"]) / r["allowed"]
                          if r["allowed"] else 0.0, impact=r["impact"])
                 for r in asked.to_dict("records")]
        alt_payer = alt[(alt["payer"] == payer) & (alt["network"] == network)]
        alt_count = int((alt_payer["savings"] > 0).sum())
        alt_mine = alt_payer[alt_payer["asked"].astype(bool)].sort_values(
            ["annual_savings", "savings", "code"], ascending=[False, False, True],
            kind="stable")
        descriptions = dict(zip(mine["code"], mine["description"]))
        alternates = [AltLine(code=r["code"],
                              description=short_description(descriptions.get(r["code"], "")),
                              # NaN where the schedule gives the amount without a code
                              alt_code=r["alt_code"] if isinstance(r["alt_code"], str)
                              else None, alt_before=r["alt_before"],
                              alt_after=r["alt_after"], savings=r["savings"],
                              annual_savings=r["annual_savings"])
                      for r in alt_mine.to_dict("records")]
        addressee, salutation = _addressee(practice.contact_for(payer, label), payer)
        underpaid = _underpaid(analysis, payer, network)
        ids = [f"contract {c}" for c in [practice.contract_for(payer, label)] if c]
        subject = f"Re: Fee schedule review, {client.name}, {label}"
        if ids:
            subject += " (" + ", ".join(ids) + ")"
        impact = math.fsum(c.impact for c in codes)
        others = [r for k, r in rates.items() if k != key and r is not None]
        case = _case(client.name, label, mine, codes, rate, others, impact, has_volume,
                     estimated, benchmark_words, _ask_sentence(analysis),
                     # A negotiating card the practice chooses to play, never by default.
                     break_even.get(key) if client.settings.letter_mentions_leaving
                     else None)
        paid_below = paid_on_sentence(analysis, key)
        if paid_below:
            case.append(paid_below)
        plan.letters.append(Letter(
            payer=payer, network=network, label=label, practice=client.name, day=day,
            letterhead=_letterhead(practice), addressee=addressee, subject=subject,
            salutation=salutation, case=case,
            benchmark_header=header, codes=codes,
            alternates_intro=_alternates_intro(alternates, alt_count, has_volume,
                                               client.settings.alt_ask) if alternates else None,
            alternates=alternates,
            closing=("We would welcome a revised schedule, or a call to discuss it"
                     + (f" at {practice.phone}" if practice.phone else "")
                     + ". Thank you for your consideration."),
            signer=practice.signer, signer_title=practice.signer_title,
            annual_impact=impact, underpaid=underpaid,
            underpaid_intro=_underpaid_intro(underpaid) if underpaid else None))
    return plan


def _case(practice: str, label: str, mine: Any, codes: list[CodeLine], rate: float | None,
          others: list[float], impact: float, has_volume: bool, estimated: bool,
          benchmark_words: str, ask_sentence: str,
          mention_leaving: float | None = None) -> list[str]:
    """The short case: who we are to this plan, how it pays, what we ask and its worth."""
    n = len(codes)
    opening = (f"{practice} is a participating provider in your {label} network. We ask you "
               f"to review our fee schedule for the {plural(n, 'procedure code')} below, where "
               f"your allowances are furthest below {benchmark_words}.")
    paragraphs = [opening]
    facts = []
    plan_volume = math.fsum(mine["volume"])
    if has_volume and plan_volume > 0:
        about = "about " if estimated else ""
        facts.append(f"In the last twelve months we performed {about}{count(plan_volume)} "
                     f"procedure{'' if count(plan_volume) == '1' else 's'} for your members.")
    if rate is not None:
        sentence = (f"{'Across those procedures' if facts else 'Across the codes we perform'}, "
                    f"your schedule pays {percent(rate)} of our usual fees")
        if len(others) > 1:
            sentence += (f"; the other plans we participate in pay {percent(min(others))} to "
                         f"{percent(max(others))} (median {percent(statistics.median(others))})")
        elif others:
            sentence += f"; the other plan we participate in pays {percent(others[0])}"
        facts.append(sentence + ".")
    if mention_leaving is not None and mention_leaving < 1:
        facts.append(f"Were we to leave your network, keeping {percent(mention_leaving)} of "
                     "your members as patients at our usual fees would collect what we "
                     "collect today.")
    if facts:
        paragraphs.append(" ".join(facts))
    ask = ask_sentence
    if has_volume and impact > 0:
        allowed_now = math.fsum(mine["volume"] * mine["allowed"])
        worth = f" At our current volume the change comes to {money(impact)} a year"
        if allowed_now > 0:
            worth += (f", {percent(impact / allowed_now)} of the {money(allowed_now)} a year "
                      "your plan allows us for our work for your members")
        # "In line with comparable plans" only where it is true: every requested amount
        # at or below the benchmark printed beside it.
        within = all(c.benchmark is not None and not math.isnan(c.benchmark)
                     and c.requested <= cents(c.benchmark) for c in codes)
        ask += worth + (". It brings these codes in line with what comparable plans already "
                        "pay, so that we can keep seeing your members on the same terms."
                        if within else ". It would let us keep seeing your members on the "
                        "same terms.")
    paragraphs.append(ask)
    return paragraphs


def _alternates_intro(alternates: list[AltLine], alt_count: int, has_volume: bool,
                      alt_ask: float) -> str:
    listed = ("the procedures below" if alt_count == len(alternates) else
              f"the procedures below (the {len(alternates)} with the largest savings for "
              f"your members, of {alt_count})")
    text = (f"Your plan pays {listed} at the allowance of a less costly alternative, and "
            "your members pay the difference. We ask that these alternate allowances be "
            f"raised by {ask_percent(alt_ask)}, never above the allowance for the procedure "
            "itself")
    total = math.fsum(a.annual_savings for a in alternates)
    if has_volume and total > 0:
        text += f": your members would pay {money(total)} a year less"
    return text + "."


@dataclass(frozen=True)
class Summary:
    """The one-page leave-behind's figures."""

    practice: str
    day: date
    # label, effective rate, write-off, ask value, break-even retention
    payers: list[tuple[str, float | None, float, float, float | None]]
    annual_writeoff: float
    ask: str                                               # "+10% on allowed amounts"
    ask_value: float
    alt_savings: float
    alt_ask: str                                           # "+15%"
    top_targets: list[tuple[str, str, float]]              # label, code, value a year
    volume_note: str | None
    no_ask: list[str] = field(default_factory=list)        # "Beta: no ask: it allows …"


def _ask_words(analysis: Analysis) -> str:
    """The chosen package's rule in a few words (the summary's "The ask (…)")."""
    return chosen_strategy(analysis.client.settings).words


def _volume_note(basis: str) -> str | None:
    """What the owner should know about the volume behind the annual figures, in words."""
    if basis == VOLUME_BY_PAYER:
        return None
    if basis == VOLUME_BY_SHARES:
        return ("Volume: the practice's procedures without a payer, split across the payers "
                "by their estimated shares of patients.")
    if basis == VOLUME_PER_100:
        return ("Annual figures are per 100% of the practice's volume: each payer as if it "
                "had all of the practice's patients.")
    if basis == VOLUME_NONE:
        return "No procedure volume was given: annual figures are zero."
    return f"Volume: {basis}."


def summary(analysis: Analysis, day: date) -> Summary:
    payers = [(schedule_label(r["payer"], r["network"]), _rate(r["effective_rate"]),
               r["annual_writeoff"], r["impact_at_ask"], _rate(r["break_even_retention"]))
              for r in analysis.payers.to_dict("records")]
    top = [(schedule_label(r["payer"], r["network"]), r["code"], r["priority"])
           for r in analysis.targets.head(5).to_dict("records") if r["priority"] > 0]
    return Summary(practice=analysis.client.name, day=day, payers=payers,
                   annual_writeoff=math.fsum(p[2] for p in payers), ask=_ask_words(analysis),
                   ask_value=math.fsum(p[3] for p in payers),
                   alt_savings=math.fsum(analysis.payers["alt_savings"]),
                   alt_ask=f"+{ask_percent(analysis.client.settings.alt_ask)}",
                   top_targets=top, volume_note=_volume_note(analysis.volume_basis),
                   no_ask=[f"{schedule_label(*key)}: no ask: {why}." for key, why in
                           analysis.asks.nothing_asked()])


# --- which contract paid: the exhibit for a payer's provider relations ------------------------

@dataclass(frozen=True)
class ExhibitLine:
    claim: str
    patient_control_number: str
    service_date: date | None
    code: str
    paid_at: float          # the allowed amount the remittance gave
    should_be: float        # the schedule in force on the service date
    difference: float
    trace: str
    priced_by: str          # the schedule whose amount it equals, or how it stands


@dataclass(frozen=True)
class Exhibit:
    """One payer's lines paid below the schedule in force, with what they come to."""

    payer: str
    network: str
    label: str
    practice: str
    day: date
    contract: str | None
    summary: list[str]                       # the first page's paragraphs
    schedules: list[tuple[str, str, int]]    # (schedule matched, how it stands, lines)
    lines: list[ExhibitLine]
    total: float


def _matched_words(matched: str, kind: str) -> str:
    if kind == NONE:
        return "an amount no schedule we hold gives"
    if kind == AMBIGUOUS:   # "A or B": the amount is in both
        return f"an amount both {matched.replace(' or ', ' and ')} give"
    return matched


def paid_on_sentence(analysis: Analysis, key: tuple[str, str]) -> str | None:
    """The letter's sentence when the payer's remittances pay below the schedule in force
    (its raise not yet paid, or another network's rates): None when they do not."""
    paid_on = analysis.paid_on
    if paid_on is None:
        return None
    realized = paid_on.realized[(paid_on.realized["payer"] == key[0])
                                & (paid_on.realized["network"] == key[1])]
    exhibit = paid_on.exhibit[(paid_on.exhibit["payer"] == key[0])
                              & (paid_on.exhibit["network"] == key[1])]
    if exhibit.empty:
        return None
    total = excel_round(math.fsum(exhibit["difference"]), 2)
    lines = plural(len(exhibit), "service line")
    if len(realized) and realized.iloc[0]["missed"] > 0:
        row = realized.iloc[0]
        old = int(row["lines_at_old"])
        return (f"Your schedule effective {long_date(row['effective'])} is not yet paid in "
                f"full: of {plural(int(row['lines_since']), 'line')} since, "
                f"{old} {'was' if old == 1 else 'were'} paid at the earlier rates"
                + (f" (the last on {long_date(row['last_old_rate_date'])})"
                   if row["last_old_rate_date"] else "")
                + f". In all, {lines} were allowed below the schedule in force, "
                f"{money(total)} short; the enclosed exhibit lists each one, and we ask that "
                "they be reprocessed.")
    return (f"Your remittances allowed {lines} below our contracted schedule, {money(total)} "
            "in all; the enclosed exhibit lists each one with the schedule its amount "
            "matches, and we ask that they be reprocessed.")


def exhibits(analysis: Analysis, day: date) -> list[Exhibit]:
    """One exhibit per payer whose remittances allowed lines below the schedule in force."""
    paid_on = analysis.paid_on
    if paid_on is None or paid_on.exhibit.empty:
        return []
    practice = analysis.client.practice
    out = []
    for (payer, network), below in paid_on.exhibit.groupby(["payer", "network"], sort=True):
        label = schedule_label(payer, network)
        mine = paid_on.lines[(paid_on.lines["payer"] == payer)
                             & (paid_on.lines["network"] == network)]
        (summary_row,) = paid_on.payers[(paid_on.payers["payer"] == payer)
                                        & (paid_on.payers["network"] == network)
                                        ].to_dict("records")
        kinds = {(r["schedule_matched"], r["matched_as"]) for r in mine.to_dict("records")}
        schedules = sorted(((_matched_words(m, k), k, int(((mine["schedule_matched"] == m)
                                                           & (mine["matched_as"] == k)).sum()))
                            for m, k in kinds), key=lambda s: (-s[2], s[0]))
        total = excel_round(math.fsum(below["difference"]), 2)
        summary = [
            f"{analysis.client.name} examined {plural(len(mine), 'service line')} your "
            f"remittances allowed an amount on, against every fee schedule we hold: "
            f"{percent(summary_row['contracted_share'])} were priced at our contracted "
            "schedule in force on the date of service.",
            f"{plural(len(below), 'line')} were allowed below it, {money(total)} in all"
            + (f"; at this pace {money(summary_row['lost_a_year'])} a year"
               if summary_row["months"] else "") + ".",
        ]
        realized = paid_on.realized[(paid_on.realized["payer"] == payer)
                                    & (paid_on.realized["network"] == network)]
        if len(realized):
            row = realized.iloc[0]
            summary.append(
                f"The schedule effective {long_date(row['effective'])} was worth "
                f"{money(row['promised'])} a year at our volume. Since then "
                f"{plural(int(row['lines_since']), 'line')}: {row['lines_at_new']} paid at "
                f"the new amounts, {row['lines_at_old']} at the earlier ones, "
                f"{row['lines_other']} at other amounts; {money(row['missed'])} below the "
                "new schedule" + (f", the last at the earlier rate on "
                                  f"{long_date(row['last_old_rate_date'])}"
                                  if row["last_old_rate_date"] else "") + ".")
        summary.append("We ask that these claims be reprocessed at the contracted amounts.")
        out.append(Exhibit(
            payer=payer, network=network, label=label, practice=analysis.client.name,
            day=day, contract=practice.contract_for(payer, label), summary=summary,
            schedules=schedules,
            lines=[ExhibitLine(r["claim"], r["patient_control_number"], r["service_date"],
                               r["code"], r["allowed"], r["contracted"], r["difference"],
                               r["trace"], _matched_words(r["schedule_matched"],
                                                          r["matched_as"]))
                   for r in below.to_dict("records")],
            total=total))
    return out
