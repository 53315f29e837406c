"""The workbook's layout: sheets, tables, columns and their formulas.

One description serves both ``scripts/build_template.py`` (which draws the
template from it) and the filler (which writes data and formulas into it).
Formulas use only what Excel 2010 and LibreOffice both compute (docs/workbook.md,
"Rules every formula keeps"): arithmetic, ROUND, MIN/MAX, IF/IFERROR, SUM,
SUMPRODUCT, SUMIFS, COUNT/COUNTIF(S), SMALL, INDEX/MATCH. Column formulas are
written here with ``[Col]`` (this row's Col) and ``Table[Col]`` (a whole column) and
stored as plain references (``plain_references``). Every figure is found by its key
(schedule and code), never by row position, so sorting a table changes nothing; the
peer benchmark reads one code's row of the Peers matrix, so recalculation grows
linearly with payers × codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ..analysis.engine import ALT_FROM_SCHEDULE
from ..labels import UNASSIGNED
from .xlsx import PREVIOUS_ROW, ROW
from ..cells import column_letter

NO_PAYER_SPLIT = "Share of volume without payer"

# Number formats by column style; "text" and "code" cells hold text.
FORMATS = {
    "text": "@",
    "code": "@",
    "money": '"$"#,##0.00',
    "percent": "0.0%",
    "count": "#,##0",       # not "#,##0.##": Excel shows 156 as "156."
    "integer": "0",
    # A fraction: four places ("0.####" shows 156 as "156." in Excel).
    "number": "0.0000",
    # A month as the number 202607, shown 2026-07: matched as a number, never as a date.
    "month": '0000"-"00;-0;"no date"',
}


@dataclass(frozen=True)
class Column:
    """One table column: its header (also its structured-reference name) and formula."""

    header: str
    style: str = "text"
    width: float = 12.0
    formula: str | None = None     # "[X]" stands for this row's X, "{T}" for the table
    hidden: bool = False           # helper columns: kept out of sight, grouped


@dataclass(frozen=True)
class TableSpec:
    """An Excel Table on its own sheet, its header on ``header_row``."""

    sheet: str
    name: str
    title: str
    columns: tuple[Column, ...]
    header_row: int = 3
    first_column: int = 1          # 1 = column A

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)

    def index(self, header: str) -> int:
        """0-based position of a column in the table."""
        return [c.header for c in self.columns].index(header)


_THIS_ROW = re.compile(r"(?<![A-Za-z0-9_\]])\[([A-Za-z][A-Za-z ]*)\]")
# "[^Col]": Col on the row above (a running sum), never a range holding its own cell.
_ROW_ABOVE = re.compile(r"\[\^([A-Za-z][A-Za-z ]*)\]")
# "[=Col]": a SUMIFS / COUNTIFS criterion matching this row's Col exactly (``same_as``).
_SAME_AS = re.compile(r"\[=([A-Za-z][A-Za-z ]*)\]")
_WHOLE_COLUMN = re.compile(r"\b([A-Za-z][A-Za-z0-9_]*)\[([A-Za-z][A-Za-z ]*)\]")

def sheet_prefix(sheet: str) -> str:
    """``'Office Fees'!``: a sheet name as a formula reference names it."""
    return "'" + sheet.replace("'", "''") + "'!"


def plain_references(formula: str, sheet: str, last_rows: dict[str, int],
                     table: TableSpec | None = None) -> str:
    """A formula with its structured references written as plain ones, for a cell on
    ``sheet`` (in ``table``'s rows, if given), the row number left as ``ROW``.

    ``Volume[Count]`` (a whole column) becomes the absolute range of that column's
    data rows, ``'Volume'!$D$4:$D$903`` (``last_rows``: each table's last data row),
    and ``[Gap]`` (this row's Gap) ``$K<row>``. Plain references, not structured
    ones: LibreOffice takes twice as long to load a workbook of 200,000 structured
    references, and plain ones make a column one shared formula, which is what Excel
    itself writes for a filled-down column. Both stay sort-proof: a row's cells move
    together, and a whole-column range stays where its table is.
    """
    def whole_column(match: re.Match[str]) -> str:
        other = TABLE_BY_NAME.get(match.group(1))
        if other is None:
            return match.group(0)
        letter = column_letter(other.first_column + other.index(match.group(2)))
        prefix = "" if other.sheet == sheet else sheet_prefix(other.sheet)
        return (f"{prefix}${letter}${other.header_row + 1}:"
                f"${letter}${last_rows[other.name]}")

    formula = _WHOLE_COLUMN.sub(whole_column, formula)
    if table is None:
        return formula

    def this_row(match: re.Match[str]) -> str:
        return f"${column_letter(table.first_column + table.index(match.group(1)))}{ROW}"

    def row_above(match: re.Match[str]) -> str:
        letter = column_letter(table.first_column + table.index(match.group(1)))
        return f"${letter}{PREVIOUS_ROW}"

    def criterion(match: re.Match[str]) -> str:
        return same_as(f"[{match.group(1)}]")
    formula = _SAME_AS.sub(criterion, _ROW_ABOVE.sub(row_above, formula))
    return _THIS_ROW.sub(this_row, formula)


def row_formula(formula: str, table: TableSpec, last_rows: dict[str, int]) -> str:
    """A table column's formula as each of its rows holds it (``ROW`` for the row)."""
    return plain_references(formula.replace("{T}", table.name), table.sheet, last_rows, table)


def literally(ref: str) -> str:
    """``ref``'s text as MATCH looks it up exactly: Excel reads * ? ~ in a lookup value as
    wildcards (a payer named "Delta*" would match every Delta), so each is escaped."""
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({ref},"~","~~"),"*","~*"),"?","~?")'


def same_as(ref: str) -> str:
    """A SUMIFS / COUNTIFS criterion matching ``ref``'s text and nothing else: escaped as
    ``literally`` and led by "=", so a name such as "<Aetna" or "=MetLife" is not read as
    a comparison."""
    return f'"="&{literally(ref)}'


def schedule_number(ref: str) -> str:
    """The schedule's place among PeerSchedules (what every key is made of)."""
    return f"MATCH({literally(ref)},PeerSchedules,0)"


# The Peers sheet (hidden): codes down, schedules across, each cell the schedule's
# allowed amount for the code ("" where it has none). Left of the matrix, what every
# Targets row of a code shares, computed once per code (a Targets row reads it by its
# Peer row, in one step: no lookup, no scan of the matrix row per payer). Its names are
# fixed in size, big enough for any client xlfees accepts, so filling it never has to
# move them.
PEERS_SHEET = "Peers"
PEERS_HEADER_ROW = 3
PEERS_SHARE_ROW = 2              # each schedule's share of volume without a payer
PEERS_MAX_CODES = 10_000         # D0100…D9999
PEERS_MAX_SCHEDULES = 500        # xlfees.client.MAX_SCHEDULES

# A code as a number (D0120 → 120): with the schedule's place in PeerSchedules it makes
# the numeric key (place × 10000 + code) rows are written in order of, so a lookup is a
# binary search (MATCH …, 1), not a scan of the whole table.
CODE_NUMBER = "MID([Code],2,4)*1"


def _keyed_sum(key: str) -> str:
    """Σ Volume[Count] of the rows whose key is ``key``: two binary searches while Volume
    is in key order (as written), a SUMIF once someone has sorted it otherwise."""
    last = f"IFERROR(MATCH({key},Volume[Key],1),0)"
    first = f"IFERROR(MATCH({key}-0.5,Volume[Key],1),0)+1"
    return (f"IF(VolumeInKeyOrder=1,IF({last}<{first},0,SUM(INDEX(Volume[Count],{first}):"
            f"INDEX(Volume[Count],{last}))),SUMIF(Volume[Key],{key},Volume[Count]))")


@dataclass(frozen=True)
class PeerColumn:
    """A per-code column of the Peers sheet: its header, the name Targets reads it by,
    and its formula (``$A<row>`` is the code, ``{row}`` the code's row of the matrix)."""

    header: str
    name: str
    style: str
    formula: str


_CODE = f"$A{ROW}"
_OFFICE_FEE_ROW = f"MATCH({_CODE},OfficeFees[Code],0)"
# The peer benchmark of a Targets row is the q-th percentile of the *other* schedules'
# amounts on its code (linear between ranks, as PERCENTILE). With n amounts on the code
# and k = floor((n - 2) × q), it lies between the (k+1)-th and (k+2)-th smallest of the
# others. Leaving the row's own amount out shifts the ranks at and above it by one, so
# each is one of two of the code's own order statistics: the j-th smallest of the others
# is the code's j-th smallest when that is below the row's amount, else its (j+1)-th.
PEER_CODE_COLUMNS = (
    PeerColumn("Office fee", "PeerOfficeFees", "money",
               f'=IFERROR(INDEX(OfficeFees[Office fee],{_OFFICE_FEE_ROW}),"")'),
    PeerColumn("External benchmark", "PeerExternal", "money",
               f'=IFERROR(IF(INDEX(OfficeFees[Benchmark],{_OFFICE_FEE_ROW})="","",'
               f'INDEX(OfficeFees[Benchmark],{_OFFICE_FEE_ROW})),"")'),
    PeerColumn("Volume without payer", "PeerNoPayer", "count",
               "=IF(NoPayerVolume=0,0," + _keyed_sum(f"MID({_CODE},2,4)*1") + ")"),
    PeerColumn("Payers on code", "PeerCount", "integer", "=COUNT({row})"),
    # floor(position) with ROUND, which every version computes alike
    PeerColumn("Peer floor", "PeerFloor", "integer",
               f"=IF($E{ROW}>1,ROUND(($E{ROW}-2)*BenchmarkQ,0)"
               f"-IF(ROUND(($E{ROW}-2)*BenchmarkQ,0)>($E{ROW}-2)*BenchmarkQ,1,0),0)"),
    PeerColumn("Peer fraction", "PeerFraction", "number",
               f"=IF($E{ROW}>1,($E{ROW}-2)*BenchmarkQ-$F{ROW},0)"),
    PeerColumn("Low", "PeerLow", "money", f'=IF($E{ROW}>1,SMALL({{row}},$F{ROW}+1),"")'),
    PeerColumn("Low above", "PeerLowAbove", "money",
               f'=IF($E{ROW}>1,SMALL({{row}},$F{ROW}+2),"")'),
    PeerColumn("High", "PeerHigh", "money",
               f'=IF($E{ROW}>1,SMALL({{row}},MIN($F{ROW}+2,$E{ROW}-1)),"")'),
    PeerColumn("High above", "PeerHighAbove", "money",
               f'=IF($E{ROW}>1,SMALL({{row}},MIN($F{ROW}+2,$E{ROW}-1)+1),"")'),
)
assert [c.header for c in PEER_CODE_COLUMNS][3:5] == ["Payers on code", "Peer floor"]  # E, F
PEERS_FIRST_SCHEDULE_COLUMN = 2 + len(PEER_CODE_COLUMNS)   # after Code and the above
PEER_SHARE = (f"=IFERROR(INDEX(Payers[{NO_PAYER_SPLIT}],MATCH("
              + literally(f"{{column}}${PEERS_HEADER_ROW}") + ",Payers[Schedule],0)),0)")


def peer_names(codes: int, schedules: int) -> dict[str, str]:
    """The Peers sheet's defined names and what they point at, for a matrix of ``codes``
    rows and ``schedules`` columns (the template's: the largest; a filled workbook's: its
    own, so a row of the matrix is as wide as its schedules)."""
    header = PEERS_HEADER_ROW
    last_row = header + max(codes, 1)
    first = column_letter(PEERS_FIRST_SCHEDULE_COLUMN)
    last = column_letter(PEERS_FIRST_SCHEDULE_COLUMN + max(schedules, 1) - 1)
    sheet = PEERS_SHEET
    refs = {"PeerCodes": f"{sheet}!$A${header + 1}:$A${last_row}",
            "PeerSchedules": f"{sheet}!${first}${header}:${last}${header}",
            "PeerMatrix": f"{sheet}!${first}${header + 1}:${last}${last_row}",
            "PeerShares": f"{sheet}!${first}${PEERS_SHARE_ROW}:${last}${PEERS_SHARE_ROW}"}
    for offset, column in enumerate(PEER_CODE_COLUMNS, start=2):
        letter = column_letter(offset)
        refs[column.name] = f"{sheet}!${letter}${header + 1}:${letter}${last_row}"
    return refs


def _of_code(name: str) -> str:
    return f"INDEX({name},[Peer row])"


def _kth_of_others(below: str, above: str) -> str:
    """The order statistic of the other schedules' amounts that sits between ``below``
    (the code's own, when under this row's amount) and ``above``."""
    return f"IF({_of_code(below)}<[Allowed],{_of_code(below)},{_of_code(above)})"


def in_order(column: str, consecutive: bool = False) -> str:
    """1 when ``column`` is in ascending order as it stands (or counts 1, 2, 3 … with
    ``consecutive``), else 0: whether the binary searches above may be trusted."""
    n = f"COUNT({column})"
    later = f"INDEX({column},2):INDEX({column},{n})"
    earlier = f"INDEX({column},1):INDEX({column},{n}-1)"
    test = (f"({later}-{earlier}<>1)" if consecutive else f"({later}<{earlier})")
    start = f"(INDEX({column},1)=1)*" if consecutive else ""
    return f"=IF({n}<2,1,{start}IF(SUMPRODUCT(--{test})=0,1,0))"


# Single cells on the hidden Peers sheet the formulas share (computed once, not per row).
class NamedCell(NamedTuple):
    """A single cell the formulas share by a defined name (the Peers sheet's flags)."""

    ref: str
    name: str
    formula: str
    style: str


class SettingCell(NamedTuple):
    """A Settings row: the value in column B under a defined name, its label in A."""

    row: int
    name: str
    label: str
    style: str


class FigureCell(NamedTuple):
    """A named figure on the Settings sheet: a formula and the engine's value."""

    row: int
    name: str
    label: str
    formula: str


class Headline(NamedTuple):
    """A Summary headline: its label in A, the formula (and the engine's value) in B."""

    row: int
    label: str
    style: str
    formula: str


PEERS_CELLS = (    NamedCell("E1", "TotalPriority", "=SUM(Targets[Priority])", "money"),
    NamedCell("F1", "TargetsInRankOrder", in_order("Targets[Rank]", consecutive=True),
              "integer"),
    NamedCell("G1", "SchedulesInKeyOrder", in_order("Schedules[Key]"), "integer"),
    NamedCell("H1", "VolumeInKeyOrder", in_order("Volume[Key]"), "integer"),
)


def peer_lookup(code: str, schedule: str) -> str:
    """A schedule's allowed amount for a code, from the Peers matrix (by key, not row)."""
    return f"INDEX(PeerMatrix,MATCH({code},PeerCodes,0),{schedule_number(schedule)})"


OFFICE_FEES = TableSpec("Office Fees", "OfficeFees", "Office fees (the practice's usual fees)", (
    Column("Code", "code", 9),
    Column("Description", "text", 48),
    Column("Office fee", "money", 13),
    Column("Benchmark", "money", 13),
))

SCHEDULES = TableSpec("Schedules", "Schedules", "Payer fee schedules as read", (
    Column("Payer", "text", 24),
    Column("Network", "text", 12),
    Column("Schedule", "text", 28),
    Column("Code", "code", 9),
    Column("Allowed", "money", 12),
    Column("Alt code", "code", 9),
    Column("Alt allowed", "money", 12),
    Column("Effective", "text", 12),
    Column("Source", "text", 30),
    Column("Row", "integer", 7),
    # The key the Peers matrix looks amounts up by (filled in for rows a user adds too).
    Column("Key", "integer", 10, "=" + schedule_number("[Schedule]") + "*10000+" + CODE_NUMBER,
           hidden=True),
))

# Copay (DHMO) plans, on a sheet beside Schedules (not beside its table: filtering one
# table hides the other's rows): what the patient pays, never an allowed amount (kept out
# of every rate and ask). An input like the schedules.
COPAYS = TableSpec("Copays", "Copays",
                   "Copay plans: what patients pay (not allowed amounts; not in the rates)", (
    Column("Plan", "text", 24),
    Column("Network", "text", 12),
    Column("Schedule", "text", 28),
    Column("Code", "code", 9),
    Column("Patient pays", "money", 12),
    Column("Effective", "text", 12),
    Column("Source", "text", 30),
    Column("Row", "integer", 7),
))

VOLUME = TableSpec("Volume", "Volume", "Procedures performed in the last 12 months", (
    Column("Code", "code", 9),
    Column("Payer", "text", 28),
    Column("Schedule", "text", 28),
    Column("Count", "count", 10),
    # Volume without a payer keys as schedule 0, volume for a payer with no schedule as -1.
    Column("Key", "integer", 10,
           "=IFERROR(" + schedule_number("[Schedule]") + f',IF([Schedule]="{UNASSIGNED}",0,-1))'
           "*10000+" + CODE_NUMBER, hidden=True),
))

TARGETS = TableSpec("Targets", "Targets", "Payer × code targets, ranked by volume × shortfall", (
    Column("Rank", "integer", 7),
    Column("Payer", "text", 22),
    Column("Network", "text", 11),
    Column("Schedule", "text", 26),
    Column("Code", "code", 8),
    Column("Category", "text", 16),
    Column("Description", "text", 34),
    # The schedule's own procedures, plus its share of the code's procedures without a
    # payer (both summed once per code on the Peers sheet).
    Column("Volume", "count", 9,
           "=" + _keyed_sum("[Key]") + "+" + _of_code("PeerNoPayer")
           + "*INDEX(PeerShares,[Peer column])"),
    Column("Office fee", "money", 12, "=" + _of_code("PeerOfficeFees")),
    Column("Allowed", "money", 12, "=INDEX(PeerMatrix,[Peer row],[Peer column])"),
    Column("Gap", "money", 12, "=[Office fee]-[Allowed]"),
    Column("Gap percent", "percent", 9, '=IF([Office fee]>0,[Gap]/[Office fee],"")'),
    Column("Allowed percent", "percent", 9, '=IF([Office fee]>0,[Allowed]/[Office fee],"")'),
    Column("Benchmark", "money", 12,
           '=IF(Benchmark="external",' + _of_code("PeerExternal") + ","
           f'IF({_of_code("PeerCount")}>1,' + _kth_of_others("PeerLow", "PeerLowAbove")
           + f'+{_of_code("PeerFraction")}*(' + _kth_of_others("PeerHigh", "PeerHighAbove")
           + "-" + _kth_of_others("PeerLow", "PeerLowAbove") + '),""))'),
    Column("Shortfall", "money", 12, '=IF([Benchmark]="",0,MAX(0,[Benchmark]-[Allowed]))'),
    Column("Write off", "money", 13, "=[Volume]*MAX(0,[Gap])"),
    # What the payer's chosen ask package requests (xlfees.analysis.asks), else today's
    # amount: decided once by the engine, like Rank.
    Column("Proposed", "money", 12),
    Column("Impact", "money", 12, "=[Volume]*([Proposed]-[Allowed])"),
    Column("Priority", "money", 12, "=[Volume]*[Shortfall]"),
    Column("Cumulative share", "percent", 11,
           "=IF(TotalPriority>0,[Running priority]/TotalPriority,0)"),
    Column("Target", "text", 30),
    # Helpers: where this row's code and schedule sit in the Peers matrix (numbers, like
    # the code and schedule they stand for: a row is never re-keyed, and 3 formula cells a
    # row fewer load faster).
    Column("Peer row", "integer", 8, hidden=True),
    Column("Peer column", "integer", 8, hidden=True),
    Column("Key", "integer", 10, hidden=True),
    # The priorities of this rank and every rank above it: a running sum while the rows
    # are in rank order (as written), a SUMIFS once someone has sorted them otherwise.
    # In rank order the row above is the rank before: its running sum, not a lookup into
    # the column this cell is in (which some engines, Excel among them, call circular).
    Column("Running priority", "money", 12,
           '=IF(TargetsInRankOrder=1,[Priority]+IF([Rank]=1,0,[^Running priority]),'
           'SUMIFS({T}[Priority],{T}[Rank],"<="&[Rank]))',
           hidden=True),
))

ALT_BENEFITS = TableSpec("Alt Benefits", "AltBenefits",
                         "Alternate benefits: what patients owe, and save with a raised alternate",
                         (
    Column("Payer", "text", 22),
    Column("Network", "text", 11),
    Column("Schedule", "text", 26),
    Column("Code", "code", 8),
    Column("Category", "text", 14),
    Column("Alt code", "code", 9),
    Column("Alt source", "text", 21),
    Column("Allowed", "money", 12, "=" + peer_lookup("[Code]", "[Schedule]")),
    Column("Base", "money", 12,
           '=IF(BalanceBasis="contracted",[Allowed],'
           "INDEX(OfficeFees[Office fee],MATCH([Code],OfficeFees[Code],0)))"),
    Column("Alt before", "money", 12,
           "=MIN([Allowed],"
           f'IF([Alt source]="{ALT_FROM_SCHEDULE}",'
           "INDEX(Schedules[Alt allowed],MATCH(" + schedule_number("[Schedule]") + "*10000+"
           + CODE_NUMBER + ",Schedules[Key],0)),"
           + peer_lookup("[Alt code]", "[Schedule]") + "))"),
    Column("Alt after", "money", 12,
           "=MAX([Alt before],MIN([Allowed],ROUND([Alt before]*(1+AltAsk),2)))"),
    Column("Coverage", "percent", 9,
           "=INDEX(Coverage[Coverage],MATCH([Category],Coverage[Category],0))"),
    Column("Balance before", "money", 13, "=[Base]-[Coverage]*[Alt before]"),
    Column("Balance after", "money", 13, "=[Base]-[Coverage]*[Alt after]"),
    Column("Savings", "money", 11, "=[Coverage]*([Alt after]-[Alt before])"),
    Column("Savings percent", "percent", 9,
           '=IF([Balance before]>0,[Savings]/[Balance before],"")'),
    Column("Volume", "count", 9,
           "=INDEX(Targets[Volume],MATCH(" + schedule_number("[Schedule]") + "*10000+"
           + CODE_NUMBER + ",Targets[Key],0))"),
    Column("Annual savings", "money", 13, "=[Volume]*[Savings]"),
    # In the payer's alternate-benefit ask ("yes"), decided once by the engine like the
    # Targets' Proposed: the letter lists these rows and Payers' Alt savings sums them.
    Column("Asked", "text", 8),
))

PAYERS = TableSpec("Payers", "Payers", "One row per payer schedule", (
    Column("Payer", "text", 22),
    Column("Network", "text", 11),
    Column("Schedule", "text", 26),
    # The payer's share of every procedure performed (1 each when per 100 % of volume).
    Column("Volume share", "percent", 10,
           '=IF(SUM(Volume[Count])>0,(SUMIFS(Volume[Count],Volume[Schedule],[=Schedule])'
           f'+SUMIFS(Volume[Count],Volume[Schedule],"{UNASSIGNED}")*[{NO_PAYER_SPLIT}])'
           '/SUM(Volume[Count]),"")'),
    # An input: how volume without a payer is split ([payer_shares]; 1 when per 100 %).
    Column(NO_PAYER_SPLIT, "percent", 13),
    Column("Codes", "integer", 8, "=COUNTIFS(Targets[Schedule],[=Schedule])"),
    Column("Effective rate", "percent", 10,
           "=IF(SUMPRODUCT((Targets[Schedule]=[Schedule])*Targets[Volume]*Targets[Office fee])>0,"
           "SUMPRODUCT((Targets[Schedule]=[Schedule])*Targets[Volume]*Targets[Allowed])"
           "/SUMPRODUCT((Targets[Schedule]=[Schedule])*Targets[Volume]*Targets[Office fee]),"
           "IF(SUMIFS(Targets[Office fee],Targets[Schedule],[=Schedule])>0,"
           "SUMIFS(Targets[Allowed],Targets[Schedule],[=Schedule])"
           '/SUMIFS(Targets[Office fee],Targets[Schedule],[=Schedule]),""))'),
    Column("Annual write off", "money", 14,
           "=SUMIFS(Targets[Write off],Targets[Schedule],[=Schedule])"),
    Column("Impact at ask", "money", 14, "=SUMIFS(Targets[Impact],Targets[Schedule],[=Schedule])"),
    Column("Alt savings", "money", 13,
           "=SUMIFS(AltBenefits[Annual savings],AltBenefits[Schedule],[=Schedule],"
           'AltBenefits[Asked],"yes")'),
    # The share of this payer's patients to keep, paying the office fee out of network,
    # to collect what the office collects today (over 100 %: leaving never pays).
    Column("Break-even retention", "percent", 11,
           '=IF([Effective rate]="","",[Effective rate]/OonCollection)'),
    Column("Missing codes", "text", 40),
))

# The ask packages (xlfees.analysis.asks): one row per code of each payer's conservative,
# target and stretch package (one row, with the reason, for an empty package), the package
# the letters carry marked; filter on Package or Carried to see one. What is requested and
# the package's figures are values the engine decides, like the Targets' Rank.
ASKS = TableSpec("Asks", "Asks",
                 "What to ask each payer: the package the letters carry, and the alternatives", (
    Column("Payer", "text", 22),
    Column("Network", "text", 11),
    Column("Schedule", "text", 26),
    Column("Package", "text", 12),
    Column("Carried", "text", 8),          # "yes": the letters and import files carry it
    Column("Rule", "text", 32),
    Column("Code", "code", 8),
    # The Targets row's volume (by key, as Alt Benefits reads it): the same procedures.
    Column("Volume", "count", 9,
           '=IF([Code]="","",INDEX(Targets[Volume],MATCH(' + schedule_number("[Schedule]")
           + "*10000+" + CODE_NUMBER + ",Targets[Key],0)))"),
    Column("Allowed", "money", 12),
    Column("Requested", "money", 12),
    Column("Annual value", "money", 12, '=IF([Code]="",0,[Volume]*([Requested]-[Allowed]))'),
    Column("Package codes", "integer", 9),
    Column("Package value", "money", 13),
    Column("Weighted increase", "percent", 10),   # package value ÷ Σ volume × allowed
    Column("Why none", "text", 50),
))

COVERAGE = TableSpec("Settings", "Coverage", "Coverage by CDT category", (
    Column("Category", "text", 30),
    Column("Coverage", "percent", 12),
), header_row=15)

NOTES = TableSpec("Import Notes", "ImportNotes", "Every row left out, and why", (
    Column("File", "text", 36),
    Column("Sheet", "text", 14),
    Column("Row", "integer", 7),
    Column("Text", "text", 30),
    Column("Reason", "text", 80),
    Column("Stage", "text", 10, hidden=True),   # reading a file, or the analysis
))

# Monitoring, from the client's ERAs (era/): empty tables when it has none.
PAYMENTS = TableSpec("Payments", "Payments",
                     "Service lines the payers' remittances (ERAs) paid, against the schedule "
                     "in force on the service date", (
    Column("Payer", "text", 20),
    Column("Network", "text", 10),
    Column("Schedule", "text", 24),
    Column("Claim", "text", 14),
    Column("Patient control number", "text", 14),
    Column("Service date", "code", 11),
    Column("Code", "code", 8),
    Column("Category", "text", 16),
    Column("Units", "integer", 6),
    Column("Billed", "money", 11),
    Column("Allowed", "money", 11),
    Column("Paid", "money", 11),
    # The schedule's amount × units on the service date (blank: not in the schedule).
    Column("Contracted", "money", 11),
    Column("Status", "text", 12),         # paid, underpaid, denied, not compared
    Column("CARC", "code", 7),
    Column("Group", "code", 7),
    # Allowed below the contract by more than a cent on a line the payer paid.
    Column("Underpaid", "money", 11,
           '=IF([Status]="denied",0,IF([Paid]<=0,0,IF([Contracted]="",0,'
           "IF(ROUND([Contracted]-[Allowed],2)>0.01,ROUND([Contracted]-[Allowed],2),0))))"),
    Column("File", "text", 24),
    # Which contract paid (DESIGN, "Which contract paid"): the month as a number shown
    # 2026-07 (a criterion "2026-07" would be read as a date), the schedule version whose
    # amount equals the allowed amount, and how it stands to the payer's own.
    Column("Month", "month", 8),
    Column("Schedule matched", "text", 40),
    Column("Matched as", "text", 13),      # contracted, older version, other schedule…
    # On or after a raise's effective date: paid at the new amount, the old one, or other.
    Column("Since raise", "text", 8),
    Column("Old rate", "money", 11),       # the old and new amounts × units, since a raise
    Column("New rate", "money", 11),
    Column("Missed", "money", 11,
           '=IF([New rate]="",0,IF(ROUND([New rate]-[Allowed],2)>0.01,'
           "ROUND([New rate]-[Allowed],2),0))"),
    # The 835's own evidence: the payer as it names itself (N1*PR, its REF*2U id), the
    # trace (check or EFT) number, REF*CE, REF*9A/9C, REF*RB.
    Column("ERA payer", "text", 20),
    Column("Trace number", "code", 14),
    Column("Class of contract", "text", 14),
    Column("Repricing", "text", 14),
    Column("Rate code", "text", 10),
))


# The Payments lines of a Paid On row: its schedule, code, month, schedule matched and
# how it stands (names matched exactly, never as patterns).
_PAID_LINES = ("Payments[Schedule],[=Schedule],Payments[Code],[Code],Payments[Month],[Month],"
               "Payments[Schedule matched],[=Schedule matched],Payments[Matched as],[Matched as]")


def _paid(column: str) -> str:
    return f"Payments[{column}],{_PAID_LINES}"


PAID_ON = TableSpec("Paid On", "PaidOn",
                    "Which schedule priced the payers' lines: each payer, code and month "
                    "against every schedule in the folder", (
    Column("Payer", "text", 20),
    Column("Network", "text", 10),
    Column("Schedule", "text", 24),
    Column("Code", "code", 8),
    Column("Month", "month", 8),
    Column("Schedule matched", "text", 40),
    Column("Matched as", "text", 13),
    Column("Lines", "integer", 7, f"=COUNTIFS({_PAID_LINES})"),
    Column("Allowed", "money", 11, "=SUMIFS(" + _paid("Allowed") + ")"),
    # The schedule in force on the lines' service dates (blank: the code is not in it).
    Column("Contracted", "money", 11,
           f'=IF(COUNTIFS({_PAID_LINES},Payments[Contracted],"<>")=0,"",'
           f'SUMIFS({_paid("Contracted")}))'),
    Column("Difference", "money", 11,
           '=IF([Contracted]="","",ROUND([Contracted]-[Allowed],2))'),
))

UNDERPAYMENTS = TableSpec("Underpayments", "Underpayments",
                          "Lines allowed below the contracted fee: the list to appeal from", (
    Column("Payer", "text", 20),
    Column("Network", "text", 10),
    Column("Claim", "text", 14),
    Column("Patient control number", "text", 14),
    Column("Patient", "text", 20),
    Column("Service date", "code", 11),
    Column("Code", "code", 8),
    Column("Contracted", "money", 11),
    Column("Allowed", "money", 11),
    Column("Difference", "money", 11, "=ROUND([Contracted]-[Allowed],2)"),
))

DENIALS = TableSpec("Denials", "Denials",
                    "Lines paid nothing, by payer, CDT category and reason (CARC)", (
    Column("Payer", "text", 20),
    Column("Network", "text", 10),
    Column("Schedule", "text", 24),
    Column("Category", "text", 18),
    Column("CARC", "code", 7),
    Column("Reason", "text", 44),
    Column("Group", "code", 7),
    Column("Class", "text", 15),
    Column("Lines", "integer", 7,
           '=COUNTIFS(Payments[Schedule],[=Schedule],Payments[Category],[Category],'
           'Payments[CARC],[CARC],Payments[Status],"denied")'),
    Column("Amount", "money", 12,
           '=SUMIFS(Payments[Billed],Payments[Schedule],[=Schedule],Payments[Category],'
           '[Category],Payments[CARC],[CARC],Payments[Status],"denied")'),
))

# A round of negotiation: codes whose schedule has an earlier dated version (empty when
# no schedule has two).
CHANGES = TableSpec("Changes", "Changes",
                    "Schedule changes: the latest version of each schedule against the one "
                    "before", (
    Column("Payer", "text", 20),
    Column("Network", "text", 10),
    Column("Code", "code", 8),
    Column("Description", "text", 30),
    Column("Old effective", "code", 11),
    Column("New effective", "code", 11),
    Column("Old", "money", 11),
    Column("New", "money", 11),
    Column("Change", "money", 11, "=ROUND([New]-[Old],2)"),
    Column("Change percent", "percent", 9, '=IF([Old]>0,([New]-[Old])/[Old],"")'),
    Column("Volume", "count", 9),
    Column("Annual value", "money", 12, "=[Volume]*([New]-[Old])"),
    # What was asked: the ask applied to the old amount, capped at the office fee.
    Column("Asked", "money", 11),
    Column("Asked value", "money", 12, "=[Volume]*([Asked]-[Old])"),
))

# The recovery worklist (the client folder's recovery.csv), nearest deadline first; the
# person's columns (status, owner, notes) first, what xlfees found after.
WORKLIST = TableSpec("Worklist", "Worklist",
                     "Recovery worklist: underpaid and denied lines to recover "
                     "(recovery.csv; edit Status, Owner, Notes, then xlfees worklist import)", (
    Column("Deadline", "code", 11),
    Column("Status", "text", 11),          # open, appealed, recovered, written off, dismissed
    Column("Owner", "text", 12),
    Column("Notes", "text", 30),
    Column("Payer", "text", 22),
    Column("Kind", "text", 10),            # underpaid, denied
    Column("Claim", "text", 14),
    Column("Patient control number", "text", 14),
    Column("Service date", "code", 11),
    Column("Code", "code", 8),
    Column("Billed", "money", 11),
    Column("Allowed", "money", 11),
    Column("Paid", "money", 11),
    Column("Contracted", "money", 11),
    # What is owed: the contract less the allowed amount (a denial without a contracted
    # amount: the billed amount).
    Column("Difference", "money", 11,
           '=IF([Contracted]="",ROUND([Billed]-[Allowed],2),ROUND([Contracted]-[Allowed],2))'),
    Column("CARC/RARC", "text", 12),
    Column("Trace number", "code", 14),
    Column("Paid on", "code", 11),
    Column("Found", "code", 11),
    Column("Recovered", "money", 11),
    Column("Updated", "code", 11),
    # Open or appealed, its deadline within the next 30 days of the run ("yes").
    Column("Due soon", "text", 8),
    Column("Key", "text", 40),
    # What xlfees wrote in Status, Owner and Notes (hidden): an import takes only what a
    # person changed since, and refuses a field changed in recovery.csv meanwhile too.
    Column("Status as written", "text", 11, hidden=True),
    Column("Owner as written", "text", 12, hidden=True),
    Column("Notes as written", "text", 30, hidden=True),
))


def _since_raise(column: str) -> str:
    return f"Payments[{column}],Payments[Schedule],[=Schedule]"


# Beside the Changes: for each payer with a raise, what its remittances paid since.
REALIZED = TableSpec("Changes", "Realized",
                     "Realized: the lines paid since each raise took effect", (
    Column("Payer", "text", 20),
    Column("Network", "text", 10),
    Column("Schedule", "text", 24),
    Column("Effective", "code", 11),
    Column("At new", "integer", 8,
           '=COUNTIFS(Payments[Schedule],[=Schedule],Payments[Since raise],"new")'),
    Column("At old", "integer", 8,
           '=COUNTIFS(Payments[Schedule],[=Schedule],Payments[Since raise],"old")'),
    Column("Other", "integer", 8,
           '=COUNTIFS(Payments[Schedule],[=Schedule],Payments[Since raise],"other")'),
    Column("Lines since", "integer", 8, "=[At new]+[At old]+[Other]"),
    # The Changes' annual value of the raise for this payer.
    Column("Promised", "money", 12,
           "=SUMIFS(Changes[Annual value],Changes[Payer],[=Payer],Changes[Network],[=Network])"),
    # Σ (allowed − old) over the lines since: the lines with an old rate.
    Column("Realized", "money", 12,
           '=ROUND(SUMIFS(Payments[Allowed],Payments[Schedule],[=Schedule],'
           'Payments[Old rate],"<>")-SUMIFS(' + _since_raise("Old rate") + "),2)"),
    Column("Missed", "money", 12, "=SUMIFS(" + _since_raise("Missed") + ")"),
    Column("Last at old rate", "code", 11),
), first_column=len(CHANGES.columns) + 2)

TABLES = (OFFICE_FEES, SCHEDULES, COPAYS, VOLUME, TARGETS, ALT_BENEFITS, PAYERS, ASKS, COVERAGE,
          NOTES, PAYMENTS, PAID_ON, UNDERPAYMENTS, DENIALS, CHANGES, REALIZED, WORKLIST)
TABLE_BY_NAME = {table.name: table for table in TABLES}


def beside(table: TableSpec) -> bool:
    """Whether ``table`` sits beside a table written before it on the same sheet."""
    return any(other.sheet == table.sheet for other in TABLES[:TABLES.index(table)])


def sheet_last_column(sheet: str) -> int:
    """The last column any table of ``sheet`` uses."""
    return max(t.first_column + len(t.columns) - 1 for t in TABLES if t.sheet == sheet)

SHEET_ORDER = ("Summary", "Settings", "Office Fees", "Schedules", "Copays", "Volume", "Gaps",
               "Targets", "Alt Benefits", "Payers", "Asks", "Changes", "Payments",
               "Paid On", "Underpayments", "Worklist", "Denials", "Import Notes", PEERS_SHEET)

# Settings!B4… : the named cells every formula refers to.
SETTINGS_CELLS = (
    SettingCell(4, "Strategy", "Strategy (ask | peer)", "text"),
    SettingCell(5, "Ask", "Ask on allowed amounts", "percent"),
    SettingCell(6, "AltAsk", "Ask on alternate benefits", "percent"),
    SettingCell(7, "Benchmark", "Benchmark: percentile of the other payers, or external", "text"),
    SettingCell(8, "BenchmarkQ",
                "Percentile of the other payers (50 % = median, 100 % = max)", "percent"),
    SettingCell(9, "BalanceBasis", "Patient balance from (office | contracted)", "text"),
    SettingCell(10, "VolumeBasis", "Volume", "text"),
    SettingCell(12, "ClientFolder",
                "Client folder the ribbon's Import reads (blank: this workbook's)", "text"),
    SettingCell(13, "OonCollection", "Share of the office fee collected out of network",
                "percent"),
)
# A figure, not a setting: procedures in Volume without a payer (split by the shares).
NO_PAYER_CELL = FigureCell(11, "NoPayerVolume", "Procedures without a payer",
                           f'=SUMIF(Volume[Schedule],"{UNASSIGNED}",Volume[Count])')

# The Gaps sheet: a code × payer matrix of gap percent, with a heat map.
GAPS_SHEET = "Gaps"
GAPS_HEADER_ROW = 3
GAPS_FIRST_PAYER_COLUMN = 3  # C

# Summary: headline cells; the value comes from the engine.
SUMMARY_HEADLINES = (
    Headline(5, "Payer schedules", "integer", '=COUNTIFS(Payers[Codes],">=0")'),
    Headline(6, "Annual write-off (office fee − allowed)", "money",
             "=SUMPRODUCT(Payers[Annual write off])"),
    Headline(7, "Value of the ask a year", "money", "=SUMPRODUCT(Payers[Impact at ask])"),
    Headline(8, "Patient savings a year from the alternate-benefit ask", "money",
             "=SUMPRODUCT(Payers[Alt savings])"),
    Headline(9, "Effective rate, all payers (volume-weighted)", "percent",
             "=IF(SUMPRODUCT(Targets[Volume],Targets[Office fee])>0,"
             "SUMPRODUCT(Targets[Volume],Targets[Allowed])/SUMPRODUCT(Targets[Volume],"
             'Targets[Office fee]),"")'),
    Headline(10, "Targets carrying 80 % of the shortfall", "integer",
             '=IF(SUMPRODUCT(Targets[Priority])>0,'
             'COUNTIFS(Targets[Cumulative share],"<0.8")+1,0)'),
)
# The payer easiest to leave: the lowest break-even retention (Payers), and its schedule
# in the label (found by the value, so a sorted Payers changes nothing).
SUMMARY_BREAK_EVEN_ROW = 12
LOWEST_BREAK_EVEN = ('=IF(COUNT(Payers[Break-even retention])=0,"",'
                     "MIN(Payers[Break-even retention]))")
BREAK_EVEN_LABEL = ('="Lowest break-even retention"&IF(COUNT(Payers[Break-even retention])=0,'
                    '"",": "&INDEX(Payers[Schedule],MATCH(MIN(Payers[Break-even retention]),'
                    "Payers[Break-even retention],0)))")
# Below the headlines, beside the charts: what the ERAs show (zeros without an era/).
MONITORING_TITLE_ROW = 13
MONITORING_HEADLINES = (
    Headline(14, "Lines allowed below the contract (ERAs)", "integer",
             '=COUNTIFS(Payments[Underpaid],">0")'),
    Headline(15, "Underpaid, to have reprocessed", "money", "=SUM(Payments[Underpaid])"),
    Headline(16, "Lines denied", "integer", '=COUNTIFS(Payments[Status],"denied")'),
    Headline(17, "Billed on denied lines", "money",
             '=SUMIFS(Payments[Billed],Payments[Status],"denied")'),
)
# Below it: the recovery worklist (zeros without a recovery.csv).
WORKLIST_TITLE_ROW = 19
WORKLIST_HEADLINES = (
    Headline(20, "Open, to recover", "money",
             '=SUMIFS(Worklist[Difference],Worklist[Status],"open")'),
    Headline(21, "Appealed, awaiting the payer", "money",
             '=SUMIFS(Worklist[Difference],Worklist[Status],"appealed")'),
    Headline(22, "Recovered", "money",
             '=SUMIFS(Worklist[Recovered],Worklist[Status],"recovered")'),
    Headline(23, "Written off", "money",
             '=SUMIFS(Worklist[Difference],Worklist[Status],"written off")'),
    Headline(24, "Appeal deadlines in the next 30 days", "integer",
             '=COUNTIFS(Worklist[Due soon],"yes")'),
)
SUMMARY_CLIENT_CELL = "B3"
SUMMARY_VOLUME_NOTE_ROW = 11
SUMMARY_TITLE = "Fee schedule analysis"

# The top targets by rank, looked up by rank (so a sorted Targets changes nothing), in
# hidden Summary columns past the print area: the Top 15 chart's data.
TOP_TARGETS = 15
TOP_FIRST_ROW = 4
TOP_RANK_COLUMN, TOP_LABEL_COLUMN, TOP_VALUE_COLUMN = "U", "V", "W"


def top_target_formulas(row: int) -> tuple[str, str]:
    """The label and priority of the target ranked in column U of ``row``."""
    match = f"MATCH({TOP_RANK_COLUMN}{row},Targets[Rank],0)"
    return (f'=IFERROR(INDEX(Targets[Target],{match}),"")',
            f'=IFERROR(INDEX(Targets[Priority],{match}),"")')


# Charts: (title, sheet of the data, label column, value column, anchor, width × height cm).
# Inside the print area (A:S, rows 1-40) with room to spare: nothing is cut on paper.
CHARTS = (
    ("Effective rate by payer", "Payers", "Schedule", "Effective rate", "D3", (10, 7)),
    ("Alternate-benefit patient savings a year", "Payers", "Schedule", "Alt savings", "J3",
     (10, 7)),
    ("Top 15 targets: volume × shortfall a year", "Summary", TOP_LABEL_COLUMN, TOP_VALUE_COLUMN,
     "D18", (20.5, 9.5)),
)
SUMMARY_PRINT_AREA = "A1:P40"
