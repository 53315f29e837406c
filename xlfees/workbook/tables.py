"""What goes in each table of the workbook: the engine's figures as rows keyed by header."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..analysis import Analysis
from ..cdt import CATEGORIES, category
from ..labels import UNASSIGNED, schedule_label
from ..analysis.asks import strategies
from ..money import excel_round
from ..wording import short_description
from ..sources.client_toml import (ASK_PACKAGES, DEFAULT_ASK, PEER, TO_BENCHMARK,
                                  benchmark_percentile, is_external)
from . import spec

if TYPE_CHECKING:
    import pandas as pd

# Characters of a procedure's description in a target's label ("… D2740 Crown -
# porcelain/ceramic"): the Top 15 chart's labels stay on one line.
TARGET_DESCRIPTION = 26


def _value(value: Any) -> Any:
    """NaN and None become an empty cell; numpy scalars become Python numbers."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _blank_if_none(value: Any) -> Any:
    value = _value(value)
    return "" if value is None else value


def _tuples(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``columns`` as plain tuples, each column read as a list first: a pandas
    string column iterated a cell at a time costs a microsecond a cell, 4 million cells
    in a big client's workbook."""
    return zip(*(frame[c].tolist() for c in columns))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, read column by column (see ``_tuples``)."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, values)) for values in _tuples(frame, columns)]


class _Row:
    """A record's fields as attributes (what ``itertuples`` gave)."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.__dict__.update(fields)

    if TYPE_CHECKING:
        # The fields are a frame's columns, known at run time: any name, any value.
        def __getattr__(self, name: str) -> Any: ...


def office_fee_rows(analysis: Analysis) -> list[dict[str, Any]]:
    fees = analysis.client.office_fees
    return [{"Code": c, "Description": d, "Office fee": f, "Benchmark": _value(b)}
            for c, d, f, b in _tuples(fees, ["code", "description", "office_fee",
                                             "benchmark"])]


def schedule_numbers(analysis: Analysis) -> dict[str, int]:
    """Each schedule's place (1, 2, …) across the Peers matrix: the first part of a key."""
    schedules = analysis.client.schedules
    labels = sorted({schedule_label(p, n) for p, n in zip(schedules["payer"].tolist(),
                                                          schedules["network"].tolist())})
    return {label: number for number, label in enumerate(labels, start=1)}


def peer_codes(analysis: Analysis) -> list[str]:
    """Every code a schedule lists, in order: the rows of the Peers matrix."""
    return sorted(set(analysis.client.schedules["code"].tolist()))


def key(number: int, code: str) -> int:
    """The numeric key the workbook's lookups use: schedule place × 10000 + code number
    (0 for volume without a payer, -1 for a payer with no schedule)."""
    return number * 10_000 + int(code[1:])


def _volume_key(label: str, code: str, numbers: dict[str, int]) -> int:
    if label == UNASSIGNED:
        return key(0, code)
    return key(numbers.get(label, -1), code)


def schedule_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Schedules in key order (schedule place, then code): what makes lookups a binary
    search."""
    numbers = schedule_numbers(analysis)
    rows = []
    for r in map(_Row, _records(analysis.client.schedules)):
        rows.append({"Payer": r.payer, "Network": r.network,
                     "Schedule": schedule_label(r.payer, r.network), "Code": r.code,
                     "Allowed": r.allowed,
                     "Alt code": r.alt_code if isinstance(r.alt_code, str) else None,
                     "Alt allowed": _value(r.alt_allowed),
                     "Effective": r.effective if isinstance(r.effective, str) else None,
                     "Source": r.source if isinstance(r.source, str) else None,
                     "Row": _value(r.row),
                     "Key": key(numbers[schedule_label(r.payer, r.network)], r.code)})
    return sorted(rows, key=lambda row: row["Key"])


def copay_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Copay plans' rows, as read (what patients pay)."""
    return [{"Plan": r["payer"], "Network": r["network"],
             "Schedule": schedule_label(r["payer"], r["network"]), "Code": r["code"],
             "Patient pays": r["copay"],
             "Effective": r["effective"] if isinstance(r["effective"], str) else None,
             "Source": r["source"] if isinstance(r["source"], str) else None,
             "Row": _value(r["row"])}
            for r in _records(analysis.client.copays)]


def volume_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Volume in key order (stable: rows of one key keep their order)."""
    volume = analysis.client.volume
    numbers = schedule_numbers(analysis)
    rows = [{"Code": c, "Payer": p, "Schedule": label, "Count": n,
             "Key": _volume_key(label, c, numbers)}
            for (c, p, n), label in zip(_tuples(volume, ["code", "payer", "count"]),
                                        analysis.volume_schedules)]
    return sorted(rows, key=lambda row: row["Key"])


def target_rows(analysis: Analysis) -> list[dict[str, Any]]:
    targets = analysis.targets
    peer_rows = {code: number for number, code in enumerate(peer_codes(analysis), start=1)}
    peer_columns = schedule_numbers(analysis)
    running = 0.0
    rows = []
    for record in _records(targets):
        label = schedule_label(record["payer"], record["network"])
        running += record["priority"]
        helper = {"Peer row": peer_rows[record["code"]], "Peer column": peer_columns[label],
                  "Key": key(peer_columns[label], record["code"]),
                  "Running priority": running}
        rows.append({
            "Rank": record["rank"], "Payer": record["payer"], "Network": record["network"],
            "Schedule": label, "Code": record["code"], "Category": record["category"],
            "Description": record["description"], "Volume": record["volume"],
            "Office fee": record["office_fee"], "Allowed": record["allowed"],
            "Gap": record["gap"], "Gap percent": _blank_if_none(record["gap_pct"]),
            "Allowed percent": _blank_if_none(record["allowed_pct"]),
            "Benchmark": _blank_if_none(record["benchmark"]), "Shortfall": record["shortfall"],
            "Write off": record["write_off"], "Proposed": record["proposed"],
            "Impact": record["impact"], "Priority": record["priority"],
            "Cumulative share": record["cumulative_share"],
            # Payer, code and what the procedure is: the Top 15 chart's labels.
            "Target": target_label(record["payer"], record["network"], record["code"],
                                   record["description"]),
            **helper,
        })
    return rows


def peers_cells(analysis: Analysis) -> dict[str, Any]:
    """The shared single cells on the Peers sheet: total priority, and the order flags (all
    tables are written in the order their lookups need)."""
    return {"TotalPriority": math.fsum(analysis.targets["priority"]),
            "TargetsInRankOrder": 1, "SchedulesInKeyOrder": 1, "VolumeInKeyOrder": 1}


def alt_rows(analysis: Analysis) -> list[dict[str, Any]]:
    allowed = {(schedule_label(p, n), c): a for p, n, c, a in _tuples(
        analysis.client.schedules, ["payer", "network", "code", "allowed"])}
    rows = []
    for r in _records(analysis.alt_benefits):
        label = schedule_label(r["payer"], r["network"])
        rows.append({
            "Payer": r["payer"], "Network": r["network"], "Schedule": label, "Code": r["code"],
            "Category": category(r["code"]), "Alt code": r["alt_code"],
            "Alt source": r["alt_source"], "Allowed": allowed[(label, r["code"])],
            "Base": r["base"], "Alt before": r["alt_before"], "Alt after": r["alt_after"],
            "Coverage": r["coverage"], "Balance before": r["balance_before"],
            "Balance after": r["balance_after"], "Savings": r["savings"],
            "Savings percent": _blank_if_none(r["savings_pct"]), "Volume": r["volume"],
            "Annual savings": r["annual_savings"], "Asked": "yes" if r["asked"] else None,
        })
    return rows


def payer_rows(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    for r in _records(analysis.payers):
        key = (r["payer"], r["network"])
        rows.append({
            "Payer": r["payer"], "Network": r["network"], "Schedule": schedule_label(*key),
            "Volume share": _blank_if_none(r["volume_share"]),
            spec.NO_PAYER_SPLIT: analysis.unassigned_share.get(key, 0.0), "Codes": r["codes"],
            "Effective rate": _blank_if_none(r["effective_rate"]),
            "Annual write off": r["annual_writeoff"], "Impact at ask": r["impact_at_ask"],
            "Alt savings": r["alt_savings"],
            "Break-even retention": _blank_if_none(r["break_even_retention"]),
            "Missing codes": ", ".join(r["missing_codes"]) or None,
        })
    return rows


def ask_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Every code of every payer's packages (conservative, target, stretch), most valuable
    first, the carried package marked; an empty package is one row saying why."""
    words = {s.name: s.words for s in strategies(analysis.client.settings)}
    rows = []
    for (payer, network), packages in analysis.asks.by_schedule.items():
        for name in ASK_PACKAGES:
            package = packages[name]
            common = {"Payer": payer, "Network": network,
                      "Schedule": schedule_label(payer, network), "Package": name,
                      "Carried": "yes" if name == analysis.asks.chosen else None,
                      "Rule": words[name], "Package codes": len(package.lines),
                      # As --json gives them: the package is decided, not recalculated.
                      "Package value": excel_round(package.annual_value, 2),
                      "Weighted increase": excel_round(package.weighted_increase, 4)}
            if not package.lines:
                rows.append({**common, "Annual value": 0.0, "Why none": package.reason or None})
            rows += [{**common, "Code": line.code, "Volume": line.volume,
                      "Allowed": line.allowed, "Requested": line.requested,
                      "Annual value": line.annual_value} for line in package.lines]
    return rows


def coverage_rows(analysis: Analysis) -> list[dict[str, Any]]:
    settings = analysis.client.settings
    return [{"Category": name, "Coverage": settings.coverage_for(name)} for name in CATEGORIES]


# Import Notes lists this many; a file that rejects a million rows says so in one more row.
MAX_NOTE_ROWS = 100_000


def note_rows(analysis: Analysis) -> list[dict[str, Any]]:
    notes = analysis.notes
    rows = [{"File": n.file, "Sheet": n.sheet, "Row": n.row, "Text": n.text,
             "Reason": n.reason, "Stage": n.stage} for n in notes[:MAX_NOTE_ROWS]]
    if len(notes) > MAX_NOTE_ROWS:
        rows.append({"File": None, "Sheet": None, "Row": None, "Text": None,
                     "Reason": f"… and {len(notes) - MAX_NOTE_ROWS:,} more notes, not listed "
                               "here: `xlfees analyze --json` lists every one",
                     "Stage": "analysis"})
    return rows


def payment_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Every ERA service line analysed (empty without remittances)."""
    if analysis.monitoring is None:
        return []
    rows = []
    # Which schedule priced each line the payer allowed something on (by its place).
    priced = ({} if analysis.paid_on is None else
              {r["line"]: r for r in _records(analysis.paid_on.lines)})
    for number, r in enumerate(_records(analysis.monitoring.lines)):
        underpaid = r["difference"] if r["status"] == "underpaid" else 0.0
        paid_on = priced.get(number, {})
        rows.append({
            "Payer": r["payer"], "Network": r["network"],
            "Schedule": schedule_label(r["payer"], r["network"]), "Claim": r["claim"],
            "Patient control number": r["patient_control_number"],
            "Service date": r["service_date"].isoformat() if r["service_date"] else "",
            "Code": r["code"], "Category": r["category"], "Units": r["units"],
            "Billed": r["billed"], "Allowed": r["allowed"], "Paid": r["paid"],
            "Contracted": _blank_if_none(r["contracted"]), "Status": r["status"],
            "CARC": r["carc"], "Group": r["group"], "Underpaid": underpaid,
            "File": r["file"],
            "Month": month_number(paid_on["month"]) if paid_on else "",
            "Schedule matched": paid_on.get("schedule_matched", ""),
            "Matched as": paid_on.get("matched_as", ""),
            "Since raise": paid_on.get("since_raise", ""),
            "Old rate": _blank_if_none(paid_on.get("old_rate")),
            "New rate": _blank_if_none(paid_on.get("new_rate")),
            "Missed": paid_on.get("missed", 0.0),
            "ERA payer": (f"{r['era_payer']} ({r['payer_id']})" if r["payer_id"]
                          else r["era_payer"]),
            "Trace number": r["trace"], "Class of contract": r["class_of_contract"],
            "Repricing": r["repriced"], "Rate code": r["rate_code"]})
    return rows


def month_number(month: str) -> int:
    """"2026-07" as the workbook's Month, 202607; a line without a service date 0
    (shown "no date": a blank criterion would match no blank cell)."""
    return int(month[:4]) * 100 + int(month[5:7]) if month else 0


def paid_on_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Each payer × code × month × schedule matched (empty without remittances)."""
    if analysis.paid_on is None:
        return []
    return [{"Payer": r["payer"], "Network": r["network"],
             "Schedule": schedule_label(r["payer"], r["network"]), "Code": r["code"],
             "Month": month_number(r["month"]), "Schedule matched": r["schedule_matched"],
             "Matched as": r["matched_as"], "Lines": r["lines"], "Allowed": r["allowed"],
             "Contracted": _blank_if_none(r["contracted"]),
             "Difference": _blank_if_none(r["difference"])}
            for r in _records(analysis.paid_on.groups)]


def realized_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Each payer with a raise: what its remittances paid since (empty without)."""
    if analysis.paid_on is None:
        return []
    return [{"Payer": r["payer"], "Network": r["network"],
             "Schedule": schedule_label(r["payer"], r["network"]),
             "Effective": r["effective"].isoformat(), "At new": r["lines_at_new"],
             "At old": r["lines_at_old"], "Other": r["lines_other"],
             "Lines since": r["lines_since"], "Promised": r["promised"],
             "Realized": r["realized"], "Missed": r["missed"],
             "Last at old rate": (r["last_old_rate_date"].isoformat()
                                  if r["last_old_rate_date"] else "")}
            for r in _records(analysis.paid_on.realized)]


def underpayment_rows(analysis: Analysis) -> list[dict[str, Any]]:
    if analysis.monitoring is None:
        return []
    return [{"Payer": r["payer"], "Network": r["network"], "Claim": r["claim"],
             "Patient control number": r["patient_control_number"], "Patient": r["patient"],
             "Service date": r["service_date"].isoformat() if r["service_date"] else "",
             "Code": r["code"], "Contracted": r["contracted"], "Allowed": r["allowed"],
             "Difference": r["difference"]}
            for r in _records(analysis.monitoring.underpayments)]


def denial_rows(analysis: Analysis) -> list[dict[str, Any]]:
    if analysis.monitoring is None:
        return []
    return [{"Payer": r["payer"], "Network": r["network"],
             "Schedule": schedule_label(r["payer"], r["network"]), "Category": r["category"],
             "CARC": r["carc"], "Reason": r["reason"], "Group": r["group"],
             "Class": r["class"], "Lines": r["lines"], "Amount": r["amount"]}
            for r in _records(analysis.monitoring.denials)]


def change_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Each code of a schedule with an earlier dated version (empty without)."""
    if analysis.changes is None:
        return []
    return [{"Payer": r["payer"], "Network": r["network"], "Code": r["code"],
             "Description": r["description"], "Old effective": r["old_effective"].isoformat(),
             "New effective": r["new_effective"].isoformat(), "Old": r["old"], "New": r["new"],
             "Change": r["change"], "Change percent": _blank_if_none(r["change_pct"]),
             "Volume": r["volume"], "Annual value": r["annual_value"], "Asked": r["asked"],
             "Asked value": r["asked_value"]}
            for r in _records(analysis.changes.codes)]


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def worklist_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """The recovery worklist, nearest deadline first (empty without one)."""
    if analysis.worklist is None:
        return []
    due = {item.key for item in analysis.worklist.due_soon()}
    return [{"Deadline": _iso(i.deadline), "Status": i.status, "Owner": i.owner,
             "Notes": i.notes, "Payer": i.payer, "Kind": i.kind, "Claim": i.claim,
             "Patient control number": i.patient_control_number,
             "Service date": _iso(i.service_date), "Code": i.code, "Billed": i.billed,
             "Allowed": i.allowed, "Paid": i.paid, "Contracted": _blank_if_none(i.contracted),
             "Difference": i.difference, "CARC/RARC": i.carc_rarc, "Trace number": i.trace,
             "Paid on": _iso(i.paid_on), "Found": _iso(i.found), "Recovered": i.recovered,
             "Updated": _iso(i.updated), "Due soon": "yes" if i.key in due else "",
             "Key": i.key, "Status as written": i.status, "Owner as written": i.owner,
             "Notes as written": i.notes}
            for i in analysis.worklist.by_deadline()]


def worklist_values(analysis: Analysis) -> list[Any]:
    """The Summary's worklist figures, in the order of spec.WORKLIST_HEADLINES."""
    worklist = analysis.worklist
    if worklist is None:
        return [0.0, 0.0, 0.0, 0.0, 0]
    return [worklist.total("open_amount"), worklist.total("appealed_amount"),
            worklist.total("recovered_amount"), worklist.total("written_off_amount"),
            len(worklist.due_soon())]


def monitoring_values(analysis: Analysis) -> list[Any]:
    """The Summary's monitoring figures, in the order of spec.MONITORING_HEADLINES."""
    rows = payment_rows(analysis)
    denied = [r for r in rows if r["Status"] == "denied"]
    return [sum(1 for r in rows if r["Underpaid"] > 0),
            math.fsum(r["Underpaid"] for r in rows), len(denied),
            math.fsum(r["Billed"] for r in denied)]


def settings_values(analysis: Analysis) -> dict[str, Any]:
    """The named settings cells."""
    settings = analysis.client.settings
    return {
        # "peer": each package asks up to the benchmark; "ask": the percentage below.
        "Strategy": "peer" if settings.ask_strategy == TO_BENCHMARK else "ask",
        "Ask": DEFAULT_ASK if settings.ask == PEER else float(settings.ask),
        "AltAsk": settings.alt_ask,
        # A survey benchmark is in Office Fees' Benchmark column: external to the formulas.
        "Benchmark": "external" if is_external(settings.benchmark) else "percentile",
        "BenchmarkQ": benchmark_percentile(settings.benchmark),
        "BalanceBasis": settings.balance_basis,
        "VolumeBasis": analysis.volume_basis,
        # A finished workbook travels to the owner: it names no folder of the consultant's.
        "ClientFolder": None,
        "OonCollection": settings.oon_collection,
    }


def summary_values(analysis: Analysis) -> list[Any]:
    """The Summary headline figures, in the order of spec.SUMMARY_HEADLINES."""
    gaps, payers = analysis.gaps, analysis.payers
    weighted_office = math.fsum(gaps["volume"] * gaps["office_fee"])
    overall = (math.fsum(gaps["volume"] * gaps["allowed"]) / weighted_office
               if weighted_office > 0 else "")
    priority = math.fsum(analysis.targets["priority"])
    carrying = (int((analysis.targets["cumulative_share"] < 0.8).sum()) + 1
                if priority > 0 else 0)
    return [len(payers), math.fsum(payers["annual_writeoff"]), math.fsum(payers["impact_at_ask"]),
            math.fsum(payers["alt_savings"]), overall, carrying]


def lowest_break_even(analysis: Analysis) -> tuple[str, Any]:
    """The Summary's break-even line: its label (naming the payer easiest to leave, the
    first of equals as MATCH finds it in the Payers rows) and the lowest retention."""
    rows = [(r["Schedule"], r["Break-even retention"]) for r in payer_rows(analysis)
            if r["Break-even retention"] != ""]
    if not rows:
        return "Lowest break-even retention", ""
    lowest = min(value for _, value in rows)
    schedule = next(label for label, value in rows if value == lowest)
    return f"Lowest break-even retention: {schedule}", lowest


MISSING = object()   # a matrix cell with no target / no amount: left empty, no formula


def gap_matrix(analysis: Analysis) -> tuple[list[str], list[tuple[str, str, list[Any]]]]:
    """Schedule labels across, target codes down: each cell the pair's gap percent
    ("" when the office fee is 0), or MISSING where the schedule has no target row."""
    targets = analysis.targets
    labels = sorted({schedule_label(p, n) for p, n in zip(targets["payer"].tolist(),
                                                          targets["network"].tolist())})
    gaps = {(schedule_label(p, n), c): _blank_if_none(g) for p, n, c, g in _tuples(
        targets, ["payer", "network", "code", "gap_pct"])}
    descriptions = dict(zip(targets["code"].tolist(), targets["description"].tolist()))
    rows = [(code, descriptions[code], [gaps.get((label, code), MISSING) for label in labels])
            for code in sorted(descriptions)]
    return labels, rows


def top_targets(analysis: Analysis) -> list[tuple[str, float | str]]:
    """(target, priority) of ranks 1…15, ("", "") past the last target: the chart's data."""
    targets = analysis.targets.head(spec.TOP_TARGETS)
    found = [(target_label(p, n, c, d), v) for p, n, c, d, v in _tuples(
        targets, ["payer", "network", "code", "description", "priority"])]
    return found + [("", "")] * (spec.TOP_TARGETS - len(found))


def target_label(payer: str, network: str, code: str, description: str) -> str:
    """"United Concordia D2740 Crown - porcelain/ceramic": Targets' Target column and the
    Top 15 chart's label (one place)."""
    return (f"{schedule_label(payer, network)} {code} "
            f"{short_description(description, TARGET_DESCRIPTION)}").rstrip()


def _order_statistics(amounts: list[float], q: float) -> dict[str, Any]:
    """A code's Peers columns from its schedules' amounts: how many, where the q-th
    percentile of n - 1 of them falls (floor and fraction), and the order statistics on
    either side of it with and without one amount below (docs/workbook.md, Peers)."""
    ordered = sorted(amounts)
    n = len(ordered)
    if n < 2:
        return {"Payers on code": n, "Peer floor": 0, "Peer fraction": 0, "Low": "",
                "Low above": "", "High": "", "High above": ""}
    position = (n - 2) * q
    floor = math.floor(position)
    high = min(floor + 2, n - 1)   # 1-based ranks, as SMALL counts them
    return {"Payers on code": n, "Peer floor": floor, "Peer fraction": position - floor,
            "Low": ordered[floor], "Low above": ordered[floor + 1],
            "High": ordered[high - 1], "High above": ordered[high]}


def peer_code_values(analysis: Analysis,
                     matrix: list[tuple[str, str, list[Any]]]) -> list[dict[str, Any]]:
    """Per code of the Peers matrix (``peer_matrix``'s rows, in order), the values of its
    per-code columns (spec.PEER_CODE_COLUMNS): office fee, external benchmark, volume
    without a payer and the order statistics the peer benchmark reads."""
    fees = analysis.client.office_fees
    office = dict(zip(fees["code"].tolist(), fees["office_fee"].tolist()))
    external = dict(zip(fees["code"].tolist(), fees["benchmark"].tolist()))
    q = benchmark_percentile(analysis.client.settings.benchmark) or 0.0
    no_payer: dict[str, float] = {}
    for row in volume_rows(analysis):
        if row["Schedule"] == UNASSIGNED:
            no_payer[row["Code"]] = no_payer.get(row["Code"], 0) + row["Count"]
    any_no_payer = sum(no_payer.values()) != 0
    values = []
    for code, _, amounts in matrix:
        values.append({"Office fee": _blank_if_none(office.get(code)),
                       "External benchmark": _blank_if_none(external.get(code)),
                       "Volume without payer": no_payer.get(code, 0) if any_no_payer else 0,
                       **_order_statistics([a for a in amounts if a != ""], q)})
    return values


def peer_shares(analysis: Analysis) -> list[float]:
    """Each schedule's share of volume without a payer, in the Peers matrix's order."""
    shares = {row["Schedule"]: row[spec.NO_PAYER_SPLIT] for row in payer_rows(analysis)}
    return [shares.get(label, 0) for label in schedule_numbers(analysis)]


def peer_matrix(analysis: Analysis) -> tuple[list[str], list[tuple[str, str, list[Any]]]]:
    """Every schedule across, every code a schedule lists down: the allowed amount, or ""
    where the schedule has none (what the peer benchmark and lookups read)."""
    schedules = analysis.client.schedules
    amounts = {(schedule_label(p, n), c): a for p, n, c, a in _tuples(
        schedules, ["payer", "network", "code", "allowed"])}
    labels = list(schedule_numbers(analysis))
    descriptions = dict(zip(analysis.client.office_fees["code"].tolist(),
                            analysis.client.office_fees["description"].tolist()))
    return labels, [(code, descriptions.get(code, ""),
                     [amounts.get((label, code), "") for label in labels])
                    for code in peer_codes(analysis)]
