"""Monitoring: are payers paying what they contracted? From a client's ERAs (X12 835).

Each service line is joined to the payer's schedule in force on its service date:
underpayments (allowed below the contracted amount by more than a cent, on a line the
payer paid), denials (lines paid nothing for a reason other than the patient's share),
days from claim received to payment, the first-pass clean-claim rate; reversals
(CLP02 = 22) cancel the claim they reverse. Pure: pandas and the standard library.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Hashable, Iterable, cast

import pandas as pd

from ..money import excel_round
from ..cdt import category, normalize_code
from ..client import Client, columns
from ..notes import Note
from .engine import by_schedule, percentile
from ..sources.era import Claim, Remittance, ServiceLine
from ..wording import name_words

MONITORING = "monitoring"   # the stage of the notes made here

# Adjustments that are the patient's share or the contract's write-off, not a denial.
PATIENT_SHARE = {"1", "2", "3"}          # deductible, coinsurance, copay
CONTRACTUAL = {"45", "253"}              # over the fee schedule; sequestration
ADMINISTRATIVE, CLINICAL = "administrative", "clinical/benefit"
# Common claim adjustment reason codes, in our own words, with the kind of denial.
CARCS: dict[str, tuple[str, str]] = {
    "4": ("procedure code inconsistent with a modifier", ADMINISTRATIVE),
    "5": ("procedure code inconsistent with the place of service", ADMINISTRATIVE),
    "15": ("authorization number missing or invalid", ADMINISTRATIVE),
    "16": ("the claim lacks information needed to adjudicate it", ADMINISTRATIVE),
    "18": ("a duplicate of a claim already processed", ADMINISTRATIVE),
    "22": ("another payer may cover this (coordination of benefits)", ADMINISTRATIVE),
    "26": ("service before the coverage began", ADMINISTRATIVE),
    "27": ("service after the coverage ended", ADMINISTRATIVE),
    "29": ("the time limit for filing has passed", ADMINISTRATIVE),
    "31": ("the patient is not identified as the payer's insured", ADMINISTRATIVE),
    "109": ("not covered by this payer: send it to the right one", ADMINISTRATIVE),
    "140": ("patient and insured's identification do not match", ADMINISTRATIVE),
    "181": ("the procedure code was not valid on the date of service", ADMINISTRATIVE),
    "197": ("pre-certification or authorization absent", ADMINISTRATIVE),
    "252": ("an attachment or other documentation is needed", ADMINISTRATIVE),
    "50": ("not deemed a medical necessity", CLINICAL),
    "96": ("a charge the plan does not cover", CLINICAL),
    "97": ("included in the payment for another service (bundled)", CLINICAL),
    "119": ("the benefit maximum for the period has been reached", CLINICAL),
    "151": ("more services than the payer allows (frequency)", CLINICAL),
    "204": ("not covered under the patient's benefit plan", CLINICAL),
    "273": ("coverage or program guidelines were exceeded", CLINICAL),
    "A1": ("claim or service denied", CLINICAL),
}
GROUPS = {"CO": "contractual obligation", "PR": "patient responsibility",
          "OA": "other adjustment", "PI": "payer-initiated reduction",
          "CR": "correction or reversal"}


@dataclass(frozen=True)
class ClaimTiming:
    """One schedule's claims in the ERAs: how many, how many clean, days to each payment."""

    claims: int                  # claims adjudicated (the clean-claim rate's denominator)
    clean: int                   # paid on the first pass, nothing denied, never reversed
    days: tuple[float, ...]      # received → paid, per payment not reversed


@dataclass(frozen=True)
class Monitoring:
    """The ERAs analysed: one row per service line, and the summaries built from them."""

    lines: pd.DataFrame
    payers: pd.DataFrame
    underpayments: pd.DataFrame
    denials: pd.DataFrame
    notes: tuple[Note, ...]
    # Per schedule, what a group's roll-up needs to combine locations exactly: claims
    # adjudicated, those clean on the first pass, and each payment's days.
    timing: dict[tuple[str, str], "ClaimTiming"] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``monitoring`` object of ``xlfees analyze --json`` (docs/json.md)."""
        def records(frame: pd.DataFrame) -> list[dict[Hashable, Any]]:
            return [{key: _plain(value) for key, value in row.items()}
                    for row in frame.to_dict("records")]
        return {"payers": records(self.payers), "underpayments": records(self.underpayments),
                "denials": records(self.denials)}


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


# Each line's remittance and the contract evidence the 835 gives with it.
EVIDENCE_COLUMNS = ("trace", "era_payer", "payer_id", "payee_tin", "class_of_contract",
                    "repriced", "rate_code", "line_control", "rarc", "line_number",
                    "adjustments")
PAYER_COLUMNS = ("payer", "network", "claims", "lines", "billed", "allowed", "paid",
                 "underpaid_lines", "underpaid_amount", "denied_lines", "denial_rate",
                 "median_days_to_payment", "p90_days_to_payment", "clean_claim_rate",
                 "reversals")
UNDERPAYMENT_COLUMNS = ("payer", "network", "claim", "patient_control_number", "patient",
                        "service_date", "code", "units", "contracted", "allowed", "difference",
                        "paid", "file")
DENIAL_COLUMNS = ("payer", "network", "category", "carc", "reason", "group", "class", "lines",
                  "amount")


def match_payers(names: Iterable[str], keys: list[tuple[str, str]],
                 aliases: dict[str, str]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """ERA payer names → schedules: an alias first, then the same name (case and
    punctuation aside), then a unique shared leading word; the rest are notes."""
    labels = {(f"{p} ({n})" if n else p): (p, n) for p, n in keys}
    by_payer: dict[str, list[tuple[str, str]]] = {}
    for payer, network in keys:
        by_payer.setdefault(payer, []).append((payer, network))
    alias = {" ".join(name_words(k)): v for k, v in aliases.items()}
    matched: dict[str, tuple[str, str]] = {}
    notes = []
    for name in sorted(set(names)):
        words = name_words(name)
        target = alias.get(" ".join(words))
        candidates: list[tuple[str, str]] = []
        how = "its [payer_aliases] entry"
        if target is not None:
            candidates = [labels[target]] if target in labels else by_payer.get(target, [])
        else:
            same = [k for label, k in labels.items() if name_words(label) == words]
            same += [k for payer, group in by_payer.items() if name_words(payer) == words
                     for k in group if k not in same]
            if same:
                candidates, how = same, "its name"
            elif words:
                lead = [payer for payer in by_payer if name_words(payer)[:1] == words[:1]]
                if len(lead) == 1:
                    candidates, how = by_payer[lead[0]], f"the shared word {words[0]!r}"
        if len(candidates) == 1:
            matched[name] = candidates[0]
        elif len(candidates) > 1:
            options = ", ".join(f'"{name}" = "{p} ({n})"' if n else f'"{name}" = "{p}"'
                                for p, n in candidates)
            notes.append(f"ERA payer {name!r} matches {len(candidates)} schedules by {how}: "
                         f"say which in [payer_aliases] ({options}); its lines were not "
                         "compared")
        else:
            notes.append(f"ERA payer {name!r} matches no schedule: add it to "
                         "[payer_aliases] in client.toml; its lines were not compared")
    return matched, notes


def effective_date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    try:
        return pd.Timestamp(str(value)).date()
    except (ValueError, TypeError):
        return None


class _Contracts:
    """The allowed amount in force for a schedule and code on a date."""

    def __init__(self, history: pd.DataFrame) -> None:
        self.rows: dict[tuple[str, str, str], list[tuple[date | None, float]]] = {}
        if "effective" not in history:
            history = history.assign(effective=None)
        history = history[history["allowed"].notna()]
        for payer, network, code, allowed, effective in columns(
                history, ["payer", "network", "code", "allowed", "effective"]):
            self.rows.setdefault((payer, network, code), []).append(
                (effective_date(effective), float(allowed)))
        for versions in self.rows.values():
            versions.sort(key=lambda v: v[0] or date.min)

    def on(self, key: tuple[str, str], code: str, day: date | None) -> float | None | str:
        """The amount; None when the schedule lacks the code; "later" when every version
        of the code starts after ``day``."""
        versions = self.rows.get((*key, code))
        if not versions:
            return None
        if day is None:
            return versions[-1][1]
        in_force = [amount for start, amount in versions if start is None or start <= day]
        return in_force[-1] if in_force else "later"


def _denial(line: ServiceLine) -> tuple[str, str] | None:
    """(group, CARC) of a line paid nothing for a reason other than the patient's share
    or the contract's write-off; None when it is no denial."""
    if line.paid != 0:
        return None
    reasons = [a for a in line.adjustments if a.carc not in PATIENT_SHARE | CONTRACTUAL]
    if not reasons:
        return None
    largest = max(reasons, key=lambda a: a.amount)
    return largest.group, largest.carc


def analyze_remittances(client: Client, remittances: Iterable[Remittance],
                        aliases: dict[str, str] | None = None) -> Monitoring:
    """Every service line of ``remittances`` against ``client``'s schedules."""
    remittances = list(remittances)
    schedules = client.schedule_history if client.schedule_history is not None \
        else client.schedules
    keys = sorted(set(columns(client.schedules, ["payer", "network"])))
    names = [p.payer for r in remittances for p in r.payments]
    matched, match_notes = match_payers(names, keys, aliases or client.payer_aliases)
    notes = [Note(reason=n, stage=MONITORING) for n in match_notes]
    contracts = _Contracts(schedules)

    # Each payment once (the same 835 twice in era/ is one payment), then in the order
    # the payers paid them: the figures never depend on what the files are called.
    seen: dict[tuple[Any, ...], str] = {}
    payments: list[tuple[str, Any]] = []
    for remittance in sorted(remittances, key=lambda r: r.file):
        for payment in remittance.payments:
            signature = _signature(payment)
            if signature in seen:
                notes.append(Note(reason=f"payment {payment.trace or '(no trace number)'} of "
                                         f"{payment.payer} repeats the one in "
                                         f"{seen[signature]}: counted once",
                                  file=remittance.file, stage=MONITORING))
                continue
            seen[signature] = remittance.file
            payments.append((remittance.file, payment))
    payments.sort(key=lambda item: (item[1].payment_date or date.min, item[1].payer,
                                    item[1].trace, item[1].total_paid))
    claims: list[tuple[tuple[str, str], Claim, Any, str]] = []
    for file, payment in payments:
        key = matched.get(payment.payer)
        if key is None:
            continue
        claims += [(key, claim, payment, file) for claim in payment.claims]
    reversed_claims = _reversed(claims, notes)
    rows: list[dict[str, Any]] = []
    missing: dict[tuple[tuple[str, str], str, str], int] = {}   # (schedule, code, why) → lines
    adjudications: dict[tuple[tuple[str, str], str], list[dict[str, Any]]] = {}
    for key, claim, payment, file in claims:
        group = adjudications.setdefault((key, claim.claim_id), [])
        if claim.reversal:
            group.append({"reversal": True})
            continue
        reversed_claim = id(claim) in reversed_claims
        days = ((payment.payment_date - claim.received).days
                if payment.payment_date and claim.received else None)
        record = {"reversal": False, "reversed": reversed_claim, "paid": claim.paid,
                  "denied": False, "days": days if days is not None and days >= 0 else None}
        group.append(record)
        if reversed_claim:
            continue
        codes_seen: dict[str, int] = {}
        for line in claim.lines:
            code = normalize_code(line.code) if line.qualifier == "AD" else None
            if not code:
                why = ("not a CDT code", line.code) if line.code else ("no procedure code",
                                                                          "(none)")
                missing.setdefault((key, why[1], why[0]), 0)
                missing[(key, why[1], why[0])] += 1
                continue
            codes_seen[code] = codes_seen.get(code, 0) + 1
            allowed = (line.allowed if line.allowed is not None
                       else excel_round(line.charge - line.adjusted("CO"), 2))
            # A line without its own date has the claim's (DTM*232), never none.
            service_date = line.service_date or claim.statement_from
            contracted = contracts.on(key, code, service_date)
            denial = _denial(line)
            status, difference, amount = "paid", 0.0, None
            if denial is not None:
                status = "denied"
                record["denied"] = True
                if isinstance(contracted, float):   # what recovering it would bring
                    amount = excel_round(contracted * line.units, 2)
            elif contracted is None or contracted == "later":
                reason = ("a code its schedule lacks" if contracted is None else
                          "a service date before its schedule's first effective date")
                missing.setdefault((key, code, reason), 0)
                missing[(key, code, reason)] += 1
                status = "not compared"
            else:
                amount = excel_round(float(contracted) * line.units, 2)
                difference = excel_round(amount - allowed, 2)
                if line.paid > 0 and difference > 0.01:
                    status = "underpaid"
            rows.append({
                "payer": key[0], "network": key[1], "claim": claim.payer_claim_id,
                "patient_control_number": claim.claim_id, "patient": claim.patient,
                "service_date": service_date, "received": claim.received,
                "payment_date": payment.payment_date, "code": code,
                "category": category(code), "units": line.units, "billed": line.charge,
                "allowed": allowed, "paid": line.paid, "contracted": amount,
                "difference": difference if status == "underpaid" else 0.0, "status": status,
                "group": denial[0] if denial else "", "carc": denial[1] if denial else "",
                "file": file, "segment": line.segment,
                # The 835's own evidence of the contract applied (DESIGN, "Which
                # contract paid"), and what finds the line again.
                "trace": payment.trace, "era_payer": payment.payer,
                "payer_id": payment.payer_id, "payee_tin": payment.payee_tin,
                "class_of_contract": claim.class_of_contract, "repriced": claim.repriced,
                "rate_code": line.rate_code, "line_control": line.control,
                "rarc": " ".join(line.remarks),
                # Every adjustment of the line as the 835 gives it: "CO-45 PR-2".
                "adjustments": " ".join(f"{a.group}-{a.carc}" for a in line.adjustments),
                # The line within its claim: the practice's own control number (REF*6R)
                # when the 835 gives it, else its code (the second D1110 of the claim
                # "D1110#2"): a reprocessed claim may list its lines in another order.
                "line_number": line.control or (code if codes_seen[code] == 1
                                                else f"{code}#{codes_seen[code]}")})
    for (key, code, reason), count in sorted(missing.items()):
        label = f"{key[0]} ({key[1]})" if key[1] else key[0]
        notes.append(Note(reason=f"{label}: {count} ERA line{'s' if count != 1 else ''} for "
                                 f"{code}, {reason}: not compared", text=code,
                          stage=MONITORING))
    lines = pd.DataFrame(rows, columns=["payer", "network", "claim", "patient_control_number",
                                        "patient", "service_date", "received", "payment_date",
                                        "code", "category", "units", "billed", "allowed",
                                        "paid", "contracted", "difference", "status", "group",
                                        "carc", "file", "segment", *EVIDENCE_COLUMNS])
    timing: dict[tuple[str, str], ClaimTiming] = {}
    return Monitoring(lines=lines, payers=_payer_rows(lines, adjudications, keys, timing),
                      underpayments=_underpayments(lines), denials=_denials(lines),
                      notes=tuple(notes), timing=timing)


def _signature(payment: Any) -> tuple[Any, ...]:
    """What makes two payments the same one: payer, trace number and every figure."""
    return (payment.payer, payment.payer_id, payment.trace, payment.total_paid,
            payment.payment_date, tuple(
                (c.claim_id, c.status, c.charge, c.paid, c.payer_claim_id,
                 tuple((line.code, line.charge, line.paid, line.service_date)
                       for line in c.lines)) for c in payment.claims))


def _reversed(claims: list[tuple[tuple[str, str], Claim, Any, str]],
              notes: list[Note]) -> set[int]:
    """The claims a reversal (CLP02 22) takes back: for each reversal, the latest claim
    before it (in payment order) of the same payer claim number (CLP07; the patient
    control number when there is none) whose payment it cancels. A reversal whose
    original is not among these remittances (paid before the period they cover) takes
    back nothing here, and a note says so; its correction counts."""
    taken: set[int] = set()
    for place, (key, reversal, _, file) in enumerate(claims):
        if not reversal.reversal:
            continue
        number = (("payer_claim_id", reversal.payer_claim_id) if reversal.payer_claim_id
                  else ("claim_id", reversal.claim_id))
        original = next((claim for other, claim, _, _ in reversed(claims[:place])
                         if other == key and not claim.reversal and id(claim) not in taken
                         and getattr(claim, number[0]) == number[1]
                         and excel_round(claim.paid + reversal.paid, 2) == 0), None)
        if original is not None:
            taken.add(id(original))
            continue
        label = f"{key[0]} ({key[1]})" if key[1] else key[0]
        notes.append(Note(reason=f"{label}: claim {reversal.claim_id} "
                                 f"({reversal.payer_claim_id or 'no payer claim number'}) "
                                 "reverses a claim paid before this period: it takes back "
                                 "nothing here", file=file, stage=MONITORING))
    return taken


def _payer_rows(lines: pd.DataFrame, adjudications: dict, keys: list,
                timing: dict[tuple[str, str], ClaimTiming]) -> pd.DataFrame:
    rows = []
    lines_of = by_schedule(lines)
    for key in keys:
        mine = lines_of(key)
        groups = {cid: group for (k, cid), group in adjudications.items() if k == key}
        if not groups:
            continue
        # A claim is one however often adjudicated; a reversal alone (of a claim paid
        # before the period) is none.
        firsts = [g for g in groups.values() if any(not r.get("reversal") for r in g)]
        days = [float(r["days"]) for g in groups.values() for r in g
                if not r.get("reversal") and not r.get("reversed") and r.get("days") is not None]
        clean = sum(1 for g in groups.values()
                    if len(g) == 1 and not g[0].get("reversal") and g[0]["paid"] > 0
                    and not g[0]["denied"])
        timing[key] = ClaimTiming(claims=len(groups), clean=clean, days=tuple(days))
        underpaid = mine[mine["status"] == "underpaid"]
        denied = mine[mine["status"] == "denied"]
        p90 = percentile(days, 0.9)   # None only when there are no days
        rows.append({
            "payer": key[0], "network": key[1], "claims": len(firsts), "lines": len(mine),
            "billed": excel_round(float(mine["billed"].sum()), 2),
            "allowed": excel_round(float(mine["allowed"].sum()), 2),
            "paid": excel_round(float(mine["paid"].sum()), 2),
            "underpaid_lines": len(underpaid),
            "underpaid_amount": excel_round(float(underpaid["difference"].sum()), 2),
            "denied_lines": len(denied),
            "denial_rate": excel_round(len(denied) / len(mine), 4) if len(mine) else None,
            "median_days_to_payment": excel_round(statistics.median(days), 1) if days else None,
            "p90_days_to_payment": excel_round(p90, 1) if p90 is not None else None,
            "clean_claim_rate": excel_round(clean / len(groups), 4) if groups else None,
            "reversals": sum(1 for g in groups.values() for r in g if r.get("reversal"))})
    return pd.DataFrame(rows, columns=list(PAYER_COLUMNS))


def _underpayments(lines: pd.DataFrame) -> pd.DataFrame:
    underpaid = lines[lines["status"] == "underpaid"].sort_values(
        ["payer", "network", "service_date", "patient_control_number", "code"], kind="stable")
    return underpaid[list(UNDERPAYMENT_COLUMNS)].reset_index(drop=True)


def _denials(lines: pd.DataFrame) -> pd.DataFrame:
    denied = lines[lines["status"] == "denied"]
    rows = []
    for (payer, network, cat, carc, group), part in denied.groupby(
            ["payer", "network", "category", "carc", "group"], sort=True):
        # pandas types a group's key as Hashable; the carc column holds text
        reason, kind = CARCS.get(cast(str, carc), (f"reason code {carc}", "other"))
        rows.append({"payer": payer, "network": network, "category": cat, "carc": carc,
                     "reason": reason, "group": group, "class": kind, "lines": len(part),
                     "amount": excel_round(float(part["billed"].sum()), 2)})
    return pd.DataFrame(rows, columns=list(DENIAL_COLUMNS))
