"""What a column holds, from its cells: codes, money, whole numbers, dates or text.

Header words only propose a role; the cells decide. "PROCEDURES" over a column of
descriptions is the description, not a count; a second "Procedure" column of text
beside the code column is the description; a column of long text is never an
amount or a count. Every decision keeps its reason, which ``xlfees inspect`` shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..amounts import is_non_amount_word, parse_amount
from ..cdt import normalize_code

if TYPE_CHECKING:
    from .grids import Cell
    from .layout import Layout

_FLAGS = frozenset({"yes", "no", "y", "n", "true", "false", "x"})
_DATE_TEXT = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
_CENTS = re.compile(r"\d[.,]\d{2}\s*$|^\s*\(?\s*[$€£]")


@dataclass(frozen=True)
class ColumnStats:
    """Shares of a column's non-blank cells, over the rows that hold a CDT code."""

    cells: int
    codes: float
    money: float      # an amount, or BR / N/C / Not covered
    cents: float      # written as money: with cents or a currency sign
    whole: float      # whole numbers written without cents or currency
    dates: float
    text: float       # words: not a number, not a code, not a date
    flags: float = 0.0   # yes / no (a "Prior Authorization Needed" column)

    def summary(self) -> str:
        """'97 % CDT codes', '88 % money', '100 % whole numbers', 'text', 'empty'."""
        if not self.cells:
            return "no values"
        if self.money >= 0.5 and self.cents < 0.1 and self.whole >= 0.5:
            return _share(self.whole, "whole numbers")
        for share, what in ((self.codes, "CDT codes"), (self.money, "amounts"),
                            (self.dates, "dates"), (self.text, "text")):
            if share >= 0.5:
                return _share(share, what)
        return "mixed values"


def _share(share: float, what: str) -> str:
    return f"{share * 100:.0f} % {what}"


def column_stats(rows: list[list[Cell]], column: int, code_column: int,
                 limit: int = 400) -> ColumnStats:
    """What the cells of ``column`` hold, on the first ``limit`` rows that hold a code."""
    counts = {"codes": 0, "money": 0, "cents": 0, "whole": 0, "dates": 0, "text": 0,
              "flags": 0}
    cells = 0
    for row in rows:
        if cells >= limit:
            break
        if code_column >= len(row) or not normalize_code(row[code_column]):
            continue
        cell = row[column] if column < len(row) else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        cells += 1
        kind = _kind(cell)
        for name in kind:
            counts[name] += 1
        if isinstance(cell, str) and cell.strip().lower() in _FLAGS:
            counts["flags"] += 1
    if not cells:
        return ColumnStats(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return ColumnStats(cells, *(counts[n] / cells for n in
                                ("codes", "money", "cents", "whole", "dates", "text",
                                 "flags")))


def _kind(cell: Cell) -> tuple[str, ...]:
    if isinstance(cell, (datetime, date)):
        return ("dates",)
    if isinstance(cell, bool):
        return ("text",)
    if isinstance(cell, (int, float)):
        if float(cell).is_integer():
            return ("money", "whole")
        return ("money", "cents")
    text = str(cell).strip()
    if normalize_code(text) and len(text) <= 8:
        return ("codes",)
    if _DATE_TEXT.match(text):
        return ("dates",)
    if is_non_amount_word(text):
        return ("money",)
    if parse_amount(text) is not None or parse_amount(text, decimal_comma=True) is not None:
        return ("money", "cents") if _CENTS.search(text) else ("money", "whole")
    return ("text",)


def header_stats(layout: Layout, rows: list[list[Cell]]) -> dict[int, ColumnStats]:
    """What each headed column holds (computed once, for judge and describe_rest)."""
    return {c: column_stats(rows, c, layout.columns["code"]) for c in layout.headers}


def judge(layout: Layout, stats: dict[int, ColumnStats], extra: dict[int, str],
          pinned: set[int] | frozenset[int] = frozenset()) -> None:
    """Check each header-proposed role against the cells; record why in ``layout.why``.

    ``extra`` holds columns whose header proposed a role already taken (a second
    "Procedure" beside "Code"): the cells may make them the description.
    """
    taken = dict(layout.columns)
    for name, column in sorted(taken.items(), key=lambda item: item[1]):
        cells, header = stats.get(column), layout.headers.get(column, f"column {column + 1}")
        if cells is None or name == "code" or column in pinned:
            layout.why[column] = (f"{name}: " + ("pinned in client.toml" if column in pinned
                                                 else f"header {header!r}")
                                  + (f"; {cells.summary()}" if cells else ""))
            continue
        numeric = name in ("count", "allowed", "office_fee", "amount", "alt_allowed",
                           "benchmark")
        if numeric and cells.cells and cells.text >= 0.5:
            del layout.columns[name]
            if "description" not in layout.columns:
                layout.columns["description"] = column
                layout.why[column] = (f"description: the header {header!r} reads as "
                                      f"{name.replace('_', ' ')}, but its cells are text")
            else:
                layout.why[column] = (f"not used: the header {header!r} reads as "
                                      f"{name.replace('_', ' ')}, but its cells are text")
            continue
        if name == "count" and cells.cells and cells.cents >= 0.5 and cells.whole < 0.2:
            # "Qty" over $ amounts: money, not a count.
            del layout.columns[name]
            if not any(n in layout.columns for n in ("allowed", "office_fee", "amount")):
                layout.columns["amount"] = column
                layout.why[column] = (f"amount: the header {header!r} reads as a count, but "
                                      "its cells are money")
            else:
                layout.why[column] = (f"not used: the header {header!r} reads as a count, "
                                      "but its cells are money")
            continue
        layout.why[column] = f"{name}: header {header!r}; {cells.summary()}"
    for column, name in sorted(extra.items()):
        cells = stats[column]
        header = layout.headers[column]
        if "description" not in layout.columns and cells.text >= 0.5:
            layout.columns["description"] = column
            layout.why[column] = (f"description: the header {header!r} reads as {name} "
                                  "(already given), and its cells are text")


def describe_rest(layout: Layout, stats: dict[int, ColumnStats]) -> None:
    """Columns no role took: a text column may be the description; the rest say why not."""
    used = set(layout.columns.values()) | {c for c, _, _ in layout.wide}
    for column, header in sorted(layout.headers.items()):
        if column in used or column in layout.why:
            continue
        cells = stats[column]
        if cells.flags >= 0.9:
            layout.why[column] = f"not used: yes/no flags (header {header!r})"
        elif "description" not in layout.columns and cells.text >= 0.5:
            layout.columns["description"] = column
            layout.why[column] = f"description: its cells are text (header {header!r})"
        else:
            layout.why[column] = f"not used: {cells.summary()} (header {header!r})"
