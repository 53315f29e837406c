"""Finding the table in a grid: the header row, what each column holds, the title above."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping

from ..amounts import is_non_amount_word, parse_amount
from ..cdt import normalize_code, other_code_set
from .columns import column_stats, describe_rest, header_stats, judge
from .grids import Cell, Grid

# Header texts, normalised (lower case, punctuation to spaces), for each canonical column.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("code", "cdt", "cdt code", "procedure code", "proc code", "proccode", "ada code",
             "proc",
             "ada", "procedure", "service code", "cdt procedure code", "procedure cd",
             "code cdt"),
    "description": ("description", "desc", "descript", "procedure description",
                    "abbrdesc", "procedure name", "service", "service description",
                    "nomenclature"),
    "allowed": ("allowed", "allowance", "allowed amount", "maximum plan allowance",
                "max plan allowance", "max allowance", "maximum allowance",
                "maximum allowable", "max allowable", "maximum allowable charge", "mac",
                "contracted fee", "contract fee", "contracted amount", "ppo fee",
                "network fee", "schedule amount", "fee schedule amount", "plan allowance",
                "reimbursement", "maximum fee", "allowable", "allowable fee",
                "in network fee", "participating fee", "member fee", "plan fee",
                "contracted rate", "fee allowance", "ppo allowance", "network allowance",
                "max fee", "max pay amt", "max pay amount", "maximum payment",
                "max allowable fee", "maximum fee allowed", "medicaid fee", "state fee",
                "plan maximum", "max allowed"),
    "office_fee": ("office fee", "ucr", "ucr fee", "usual fee", "usual and customary",
                   "standard fee", "practice fee", "our fee", "office", "billed fee",
                   "full fee", "office fees", "usual customary", "submitted fee",
                   "office ucr"),
    "alt_code": ("alternate code", "alt code", "alternate procedure", "alternate benefit code",
                 "alt benefit code", "paid as", "alternate cdt", "alt procedure",
                 "alternate procedure code"),
    "alt_allowed": ("alternate benefit", "alt benefit", "alternate allowance",
                    "alt allowance", "alternate amount", "alt allowed", "alternate allowed",
                    "alternate benefit amount", "alt benefit amount", "alt amount",
                    "alternate benefit allowance"),
    "count": ("quantity", "qty", "count", "volume", "procedures", "number", "#",
              "times performed", "units", "frequency", "procedure count", "total procedures",
              "num", "no", "number performed", "proc count", "procs"),
    "payer": ("payer", "payor", "carrier", "insurance", "insurance company", "plan",
              "ins plan", "insurance plan", "primary insurance", "insurance carrier",
              "carrier name", "payer name"),
    "network": ("network", "product", "plan type", "network name"),
    "effective": ("effective", "effective date", "eff date", "eff", "effective from",
                  "start date"),
    # What tells one code's amounts apart besides network and date: a modifier, a tier,
    # a region, an age group. Rows differ by it; a client.toml pin chooses one value.
    "dimension": ("modifier", "mod", "modifiers", "tier", "fee tier", "region", "area",
                  "geographic area", "age group", "age band", "ages", "level", "fee level",
                  "location", "state", "zone"),
    # An office-fee file's own comparison figure (settings: benchmark = "external").
    "benchmark": ("benchmark", "external benchmark", "benchmark fee", "ucr benchmark",
                  "survey benchmark", "benchmark amount"),
    # The ages a row's amount applies to (a Medicaid schedule's child and adult bands).
    "min_age": ("min age", "minimum age", "age min", "from age", "age from", "lower age",
                "min age limit", "age minimum", "low age"),
    "max_age": ("max age", "maximum age", "age max", "to age", "age to", "upper age",
                "max age limit", "age maximum", "high age"),
    # What the patient pays under a DHMO / copay plan: never a payer's allowed amount.
    "copay": ("copay", "copayment", "co pay", "co payment", "patient charge",
              "patient charges", "member copay", "member copayment", "patient pays",
              "you pay", "member pays", "patient copay", "patient copayment",
              "member charge", "copay amount", "copayment amount", "member cost"),
    # A procedure log: the day each procedure was performed, and whether it was.
    "service_date": ("date", "service date", "date of service", "dos", "proc date",
                     "procdate", "procedure date", "treatment date", "date completed",
                     "completed date", "date performed", "visit date", "datecomplete"),
    "status": ("status", "proc status", "procstatus", "procedure status"),
}
# Generic amount headers: an allowed amount in a payer's file, an office fee in the office's.
GENERIC_AMOUNT = ("fee", "fees", "amount", "price", "charge", "rate", "fee amount", "amt")

_LOOKUP = {text: name for name, texts in SYNONYMS.items() for text in texts}
_LOOKUP.update({text: "amount" for text in GENERIC_AMOUNT})
# Columns of reports that are derived figures, never a schedule's amount.
_DERIVED = re.compile(r"\b(average|avg|total|totals|sum|ytd|percent|%|mean|median|diff|"
                      r"difference|gap|variance)\b")
_TOTALS = re.compile(r"^(grand\s+)?(sub\s*)?totals?\b[:.]?", re.IGNORECASE)
_AMOUNT_WORDS = re.compile(r"\b(fee|fees|allowance|allowed|allowable|amount|amt|rate|charge|"
                           r"price|reimbursement|payment)\b")
NETWORK_WORDS = {"ppo", "dppo", "premier", "pdp", "pdp plus", "hmo", "dhmo", "epo",
                 "indemnity", "in network", "out of network", "core", "advantage", "plus"}


def header_key(text: Cell) -> str:
    """``"Maximum Plan Allowance ($)"`` → ``"maximum plan allowance"``."""
    if not isinstance(text, str):
        return ""
    cleaned = re.sub(r"\(.*?\)", " ", text.lower())
    cleaned = re.sub(r"[^a-z0-9#%]+", " ", cleaned)
    return " ".join(cleaned.split())


def map_header(text: Cell) -> str | None:
    """The canonical column a header names, 'amount' for a generic fee column, else None.

    Past the exact names, a long header says what it is in a few words: "CPT or HCPCS
    Procedure Code" is the code, "Procedure Code Modifier" a modifier, "Total CO Medicaid
    Allowable (…)" the allowed amount."""
    key = header_key(text)
    found = _LOOKUP.get(key)
    if found is not None or not key:
        return found
    for pattern, name in _HEADER_WORDS:
        if pattern.search(key):
            return name
    return None


_HEADER_WORDS = (
    (re.compile(r"\b(alt|alternate)\b"), None),
    (re.compile(r"\b(modifier|modifiers|mod)\b"), "dimension"),
    (re.compile(r"\b(min|minimum|lower|from)\b.*\bage\b|\bage\b.*\b(min|minimum|from)\b"),
     "min_age"),
    (re.compile(r"\b(max|maximum|upper|to)\b.*\bage\b|\bage\b.*\b(max|maximum|to)\b"),
     "max_age"),
    (re.compile(r"\b(procedure|proc|cpt|hcpcs|cdt|ada|service)\b.*\bcodes?\b"), "code"),
    (re.compile(r"\b(allowable|allowance|allowed)\b"), "allowed"),
    (re.compile(r"\b(copay|copayment|patient charge)\b"), "copay"),
)
# Columns that identify a record, a person or a place in the mouth: never money, whatever
# their cells (a patient id of 10002 is no allowed amount).
ID_HEADER = re.compile(r"\b(id|ids|num|number|no|nbr|key|patient|patients|pat|patnum|"
                       r"provider|prov|provnum|dentist|doctor|tooth|teeth|toothnum|surface|"
                       r"surfaces|surf|quadrant|quad|area|arch|claim|chart|account|acct|ssn|"
                       r"member|subscriber|clinic|location|site|visit|appointment|apt|"
                       r"sequence|seq|line|row|index)\b|(?:num|id)$")


def is_totals(row: list[Cell]) -> bool:
    """A report's totals line: a cell that reads 'Total', 'Grand total', 'Subtotal'."""
    return any(isinstance(cell, str) and _TOTALS.match(cell.strip()) for cell in row)


@dataclass
class Layout:
    """Where a grid's table is and what its columns mean."""

    header_index: int | None            # index into grid.rows; None when there is no header
    columns: dict[str, int]             # canonical name (or 'amount') → column index
    headers: dict[int, str]             # column index → header text as written
    wide: list[tuple[int, str, str]] = field(default_factory=list)  # (column, payer, network)
    title_lines: list[str] = field(default_factory=list)
    data_start: int = 0                 # index of the first row that may hold data
    why: dict[int, str] = field(default_factory=dict)   # column → its role and the reason
    survey: dict[str, int] = field(default_factory=dict)  # a fee survey: statistic → column


def fill_merged(grid: Grid) -> list[list[Cell]]:
    """The rows with each merged range's value copied into every cell it covers (the
    grid's own rows, not a copy, when nothing is merged: they are only read)."""
    if not grid.merged:
        return grid.rows
    rows = [list(row) for row in grid.rows]
    width = max((len(row) for row in rows), default=0)
    for (top, left), (bottom, right) in grid.merged:
        # A merge past the last row or column that holds anything covers nothing to read
        # (and D1:XFD20000 would otherwise fill 300 million cells).
        right = min(right, width - 1)
        if top >= len(rows) or left > right:
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                if row[c] in ("", None):
                    row[c] = value
    return rows


def _cell(row: list[Cell], index: int) -> Cell:
    return row[index] if index < len(row) else None


def _is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_sub_header(rows: list[list[Cell]], index: int, code_column: int) -> bool:
    """The row under a header is more header: no code, only text, and not a data row."""
    if index >= len(rows) or normalize_code(_cell(rows[index], code_column)):
        return False
    texts = [c for i, c in enumerate(rows[index]) if i != code_column and not _is_blank(c)]
    return bool(texts) and all(isinstance(c, str) and parse_amount(c) is None
                               and not is_totals([c]) for c in texts) and len(texts) >= 2


def _code_rows(rows: list[list[Cell]], column: int, start: int, limit: int = 40,
               with_d: bool = False) -> int:
    """Cells holding a CDT code; ``with_d``: only codes written with their D (a column no
    header names: "3759" there is as likely dollars as D3759)."""
    if with_d:
        return sum(1 for row in rows[start:start + limit]
                   if _written_with_d(_cell(row, column)))
    return sum(1 for row in rows[start:start + limit] if normalize_code(_cell(row, column)))


def _written_with_d(cell: Cell) -> bool:
    return isinstance(cell, str) and cell.lstrip()[:1] in ("D", "d") \
        and normalize_code(cell) is not None


def _cdt_among_other_codes(rows: list[list[Cell]], column: int, start: int) -> bool:
    """A column of CPT / HCPCS codes (a state Medicaid schedule) with CDT codes further
    down: its dental rows may be a few percent of the table, thousands of rows below."""
    if not any(other_code_set(_cell(row, column)) for row in rows[start:start + 40]):
        return False
    return any(normalize_code(_cell(row, column)) for row in rows[start + 40:])


def find_layout(grid: Grid, pinned: Mapping[str, str] | None = None,
                header_row: int | None = None) -> Layout | None:
    """Find the header row (title rows above it, merged cells filled) and map its columns.

    ``pinned`` maps canonical names to header texts from client.toml. Without
    a header row, a column that is mostly CDT codes is the code column
    (Open Dental's export has no header).
    """
    rows = fill_merged(grid)
    pinned_by_text = {header_key(text): name for name, text in (pinned or {}).items()}
    candidates = [header_row - 1] if header_row else range(min(len(rows), 60))
    for index in candidates:
        if index >= len(rows):
            break
        row = rows[index]
        headers = {column: " ".join(cell.split()) for column, cell in enumerate(row)
                   if isinstance(cell, str) and cell.strip()}   # "Average\nFee" → "Average Fee"
        mapped, extra = _map_headers(headers, pinned_by_text)
        if "code" not in mapped or len(headers) < 2:
            continue
        if _code_rows(rows, mapped["code"], index + 1) == 0 and not _cdt_among_other_codes(
                rows, mapped["code"], index + 1):
            # A pin wins: the pinned header's code column holds a CDT code further down.
            pinned_here = header_row is not None or "code" in pinned_by_text.values()
            if not (pinned_here and any(normalize_code(_cell(row, mapped["code"]))
                                        for row in rows[index + 1:])):
                continue
        if _is_sub_header(rows, index + 1, mapped["code"]):
            # A two-row header ("Delta Dental" merged over "PPO" | "Premier"): the lower
            # row names the columns, the upper one groups them.
            index += 1
            for column, cell in enumerate(rows[index]):
                if isinstance(cell, str) and cell.strip():
                    headers[column] = " ".join(cell.split())
            mapped, extra = _map_headers(headers, pinned_by_text)
            if "code" not in mapped:
                continue
        layout = Layout(header_index=index, columns=mapped, headers=headers,
                        data_start=index + 1)
        pinned_columns = {mapped[n] for n in pinned_by_text.values() if n in mapped}
        layout.survey = survey_columns(headers)
        for statistic, column in layout.survey.items():
            layout.why[column] = (f"survey {statistic}: header {headers[column]!r} names a "
                                  "fee-survey statistic")
            for name in [n for n, c in layout.columns.items() if c == column]:
                del layout.columns[name]
        stats = header_stats(layout, rows)
        judge(layout, stats, extra, pinned_columns)
        if not layout.survey:   # a survey's statistics are no payers
            _find_wide_columns(layout, rows)
        describe_rest(layout, stats)
        # Rows above the header that hold codes are misplaced data, not a title.
        layout.title_lines = _titles([row for row in rows[:index]
                                      if not normalize_code(_cell(row, mapped["code"]))])
        return layout
    if header_row:
        return None
    return _headerless(rows)


# Fee-survey statistics: "10th Percentile", "P75", "50th", "Average Fee", "Std Dev", "N".
_PERCENTILE_HEADER = re.compile(r"^(?:p\s?(\d{1,2})|(\d{1,2})(?:st|nd|rd|th)(?:\s(?:percentile|"
                                r"pctl|pct))?|(\d{1,2})\s?(?:percentile|pctl|pct))$")
_SURVEY_WORDS = {
    "average": ("average", "average fee", "avg", "avg fee", "mean", "mean fee", "average charge"),
    "p50": ("median", "median fee"),
    "std_dev": ("std dev", "standard deviation", "sd", "std", "stdev", "std deviation"),
    "responses": ("responses", "number of responses", "n", "respondents", "no of responses",
                  "response count"),
}


def survey_columns(headers: dict[int, str]) -> dict[str, int]:
    """The statistic each column of a fee survey holds; {} unless three percentiles say survey."""
    found: dict[str, int] = {}
    for column, text in sorted(headers.items()):
        key = header_key(text)
        match = _PERCENTILE_HEADER.match(key)
        if match:
            found.setdefault(f"p{int(next(g for g in match.groups() if g))}", column)
            continue
        for statistic, words in _SURVEY_WORDS.items():
            if key in words:
                found.setdefault(statistic, column)
    percentiles = [s for s in found if s.startswith("p") and s != "p50"] + (
        ["p50"] if "p50" in found else [])
    return found if len(percentiles) >= 3 else {}


def _map_headers(headers: dict[int, str], pinned_by_text: dict[str, str],
                 ) -> tuple[dict[str, int], dict[int, str]]:
    """Canonical name → column, from header words (a pin first); and the columns whose
    header names a role another column already took (``extra``: the cells decide)."""
    mapped: dict[str, int] = {}
    extra: dict[int, str] = {}
    for column, text in sorted(headers.items()):
        name = pinned_by_text.get(header_key(text)) or map_header(text)
        if not name:
            continue
        if name in mapped:
            extra[column] = name
        else:
            mapped[name] = column
    return mapped, extra


def _amount_share(rows: list[list[Cell]], column: int, code_column: int) -> float:
    """Share of coded rows whose cell in ``column`` is an amount (blanks and BR not counted)."""
    seen = amounts = 0
    for row in rows[:300]:
        if not normalize_code(_cell(row, code_column)):
            continue
        cell = _cell(row, column)
        if _is_blank(cell) or is_non_amount_word(cell):
            continue
        seen += 1
        amounts += parse_amount(cell) is not None or _decimal_comma_amount(cell)
    return amounts / seen if seen else 0.0


def _decimal_comma_amount(cell: Cell) -> bool:
    return isinstance(cell, str) and parse_amount(cell, decimal_comma=True) is not None


def _find_wide_columns(layout: Layout, rows: list[list[Cell]]) -> None:
    """Unnamed columns of amounts beside the code column are payers (a comparison sheet)."""
    assert layout.header_index is not None
    header = layout.header_index
    decided = set(layout.columns.values()) | set(layout.why)
    group_row = rows[header - 1] if header > 0 else []
    data = rows[header + 1:]
    # A table that names its amount column (a payer's schedule, a copay schedule) has no
    # payer columns besides: its other figures (a base value, a conversion factor) are not.
    named_amount = any(n in layout.columns for n in ("allowed", "amount", "copay", "count"))
    for column, text in sorted(layout.headers.items()):
        if column in decided:
            continue
        if ID_HEADER.search(header_key(text)) and not _AMOUNT_WORDS.search(header_key(text)):
            # ("Member Price" names an amount, "Member ID" does not.)
            layout.why[column] = (f"not used: an id, person or tooth column, never money "
                                  f"(header {text!r})")
            continue
        if _DERIVED.search(header_key(text)):
            layout.why[column] = f"not used: a derived figure (header {text!r})"
            continue
        share = _amount_share(data, column, layout.columns["code"])
        if share < 0.5:
            continue
        if named_amount:
            layout.why[column] = (f"not used: the amount is read from its named column "
                                  f"(header {text!r})")
            continue
        if _sequential(data, column, layout.columns["code"]):
            layout.why[column] = (f"not used: numbers counting up one by one are ids, not "
                                  f"money (header {text!r})")
            continue
        if _AMOUNT_WORDS.search(header_key(text)):
            # "Member Fee", "Fee 2026": an amount column with an unlisted name, not a payer.
            if not any(n in layout.columns for n in ("allowed", "office_fee", "amount")):
                layout.columns["amount"] = column
                layout.why[column] = (f"amount: header {text!r} names an amount; "
                                      f"{share:.0%} of its cells are amounts".replace("%", " %"))
            else:
                layout.why[column] = (f"not used: another column already gives the amount "
                                      f"(header {text!r})")
            continue
        group = _cell(group_row, column)
        if header_key(text) in NETWORK_WORDS and isinstance(group, str) and group.strip():
            layout.wide.append((column, group.strip(), text))
        else:
            layout.wide.append((column, text, ""))
        layout.why[column] = (f"a payer's allowed amounts: header {text!r} is a name, not a "
                              f"column xlfees knows, and {share:.0%} of its cells are "
                              "amounts").replace("%", " %")


def _sequential(rows: list[list[Cell]], column: int, code_column: int) -> bool:
    """Whole numbers that count up one by one down the coded rows (a record number)."""
    numbers = []
    for row in rows[:300]:
        if not normalize_code(_cell(row, code_column)):
            continue
        value = parse_amount(_cell(row, column))
        if value is None or not float(value).is_integer():
            return False
        numbers.append(value)
    return len(numbers) >= 5 and all(b - a == 1 for a, b in zip(numbers, numbers[1:]))


def _titles(rows: list[list[Cell]]) -> list[str]:
    """Text rows above the header: a title, a date line, a group header."""
    titles = []
    for row in rows:
        texts = [str(c).strip() for c in row if isinstance(c, str) and c.strip()]
        if texts:
            titles.append(" ".join(dict.fromkeys(texts)))  # merged cells repeat their text
    return titles


def _headerless(rows: list[list[Cell]]) -> Layout | None:
    """Open Dental's export and other header-less lists: find the code and amount columns."""
    width = max((len(r) for r in rows[:300]), default=0)
    best, best_count = None, 0
    for column in range(width):
        # No header says which column holds the codes: only codes written with their D
        # count (a column of 4-digit dollar amounts is not one of codes).
        count = _code_rows(rows, column, 0, limit=300, with_d=True)
        if count > best_count:
            best, best_count = column, count
    # Rows with two or more cells: a PDF's one-cell titles and footers do not count.
    coded = [r for r in rows[:300] if sum(not _is_blank(c) for c in r) >= 2]
    if best is None or best_count < 3 or best_count < 0.5 * len(coded):
        return None
    columns: dict[str, int] = {"code": best}
    for column in range(width):
        if column != best and _amount_share(rows, column, best) >= 0.8:
            columns["amount"] = column
            break
    # The description: the column with the longest texts.
    lengths = {c: sum(len(str(_cell(r, c) or "")) for r in coded) for c in range(width)
               if c not in columns.values()}
    if lengths:
        columns["description"] = max(lengths, key=lambda c: (lengths[c], -c))
    first_code = next(i for i, r in enumerate(rows) if normalize_code(_cell(r, best)))
    titles = _titles(rows[:first_code])
    if "amount" in columns and titles:
        # A PDF's column titles ("CDT Code Description Allowance") say what the amount is.
        words = f" {header_key(titles[-1])} "
        for name in ("allowed", "office_fee"):
            if any(f" {synonym} " in words for synonym in SYNONYMS[name] if len(synonym) > 3):
                columns[name] = columns.pop("amount")
                break
    headers = _headers_in_line(titles, columns)
    # A PDF prints its column titles as a line of text: that line is its header row,
    # when it names the code column (a title such as "… Fee Schedule" is no header).
    header_index = None
    if best in headers:
        header_index = max(i for i, row in enumerate(rows[:first_code])
                           if any(isinstance(c, str) and c.strip() for c in row))
    else:
        headers = {}
    layout = Layout(header_index=header_index, columns=columns, headers=headers,
                    title_lines=titles, data_start=first_code)
    _networks_in_line(layout, rows, best)
    for name, column in columns.items():
        cells = column_stats(rows, column, best)
        source = (f"the column title {headers[column]!r}" if column in headers
                  else "no header")
        layout.why[column] = f"{name}: {source}; {cells.summary()}"
    return layout


def _networks_in_line(layout: Layout, rows: list[list[Cell]], code_column: int) -> None:
    """Column titles ending in network names ("Code Description PPO Premier") over lines
    with as many amounts: one schedule per network, as a two-row header would say."""
    if not layout.title_lines or layout.header_index is None:
        return
    widths = Counter(len(r) for r in rows if len(r) > 1 and normalize_code(_cell(r, code_column)))
    if not widths:
        return
    amounts = widths.most_common(1)[0][0] - 2
    words = layout.title_lines[-1].split()
    if amounts < 2 or len(words) < amounts:
        return
    networks = words[-amounts:]
    if not all(header_key(word) in NETWORK_WORDS for word in networks):
        return
    for name in ("amount", "allowed", "office_fee"):
        layout.columns.pop(name, None)
    for offset, network in enumerate(networks):
        layout.wide.append((2 + offset, "", network))
        layout.headers[2 + offset] = network
        layout.why[2 + offset] = (f"a payer's allowed amounts: the column title {network!r} "
                                  "names a network")


def _headers_in_line(titles: list[str], columns: dict[str, int]) -> dict[int, str]:
    """Column names a PDF prints as one line of text ("CDT Code Description Allowance")."""
    if not titles:
        return {}
    line = titles[-1]
    headers: dict[int, str] = {}
    for name, column in columns.items():
        words = SYNONYMS.get(name, ()) + (GENERIC_AMOUNT if name == "amount" else ())
        for synonym in sorted(words, key=len, reverse=True):
            match = re.search(rf"\b{re.escape(synonym)}\b", line, re.IGNORECASE)
            if match and len(synonym) > 2:
                headers[column] = match.group(0)
                break
    return headers
