"""Low-level xlsx surgery: cells, rows, table ranges and chart caches written as XML text.

Working on the package's XML directly (rather than through a library's object
model) is what lets a filled workbook keep everything a consultant put in
their template, store a formula *and* its value in the same cell, and be
written fast.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

from ..cells import column_letter
from ..cells import column_number as column_index  # A → 1, AA → 27


# Stands for the row number in a formula written down a column ("$K" + ROW → "$K5"):
# the cells of a run that differ only by it are stored as one shared formula.
ROW = "\x00"
PREVIOUS_ROW = "\x01"   # the row above: a running sum reads it, never its own column


def at_row(template: str, row: int) -> str:
    """A formula template as row ``row`` holds it."""
    return template.replace(ROW, str(row)).replace(PREVIOUS_ROW, str(row - 1))


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PLAIN_TEXT = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff&<>]*")
_ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.DOTALL)
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.DOTALL)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_REF = re.compile(r"([A-Z]+)(\d+)")


# Excel refuses a file with a longer text in one cell.
CELL_TEXT_LIMIT = 32_767


def text(value: str) -> str:
    """Text made safe for XML (control characters dropped, markup escaped, cut to what a
    cell holds: a 40,000-character description ends in "…")."""
    if _PLAIN_TEXT.fullmatch(value) and len(value) <= CELL_TEXT_LIMIT:
        return value   # the usual name or code: nothing to drop, escape or cut
    return escape(cell_text(value))


def cell_text(value: str) -> str:
    """Text a cell can hold (control characters dropped, cut to the limit), not escaped:
    for a writer that escapes it itself."""
    value = _ILLEGAL.sub("", value)
    if len(value) > CELL_TEXT_LIMIT:
        value = value[:CELL_TEXT_LIMIT - 1] + "…"
    return value


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Shared:
    """A cell's part in a shared formula: the run's first cell holds the text and range."""

    index: int
    formula: str | None = None
    ref: str | None = None

    def element(self) -> str:
        return self._element   # made once: a pointer is written on every row below

    @functools.cached_property
    def _element(self) -> str:
        if self.formula is None:
            return f'<f t="shared" si="{self.index}"/>'
        return (f'<f t="shared" ref="{self.ref}" si="{self.index}">'
                f"{text(self.formula.lstrip('='))}</f>")


def shared_formulas(grid: Sequence[Sequence[str | None]], first_row: int,
                    first_column: int = 1) -> list[list[str | Shared | None]]:
    """Formula templates (``ROW`` for the row number) → what each cell stores: every run
    of one template down a column becomes one shared formula, a lone cell a plain one.

    Excel and LibreOffice then parse a column's formula once, not once per row.
    """
    # Only a run's first cell (or a lone cell) gets its text; the rest just point at it.
    out: list[list[str | Shared | None]] = [[None] * len(row) for row in grid]
    width = max((len(row) for row in grid), default=0)
    index = 0
    for c in range(width):
        letter = column_letter(first_column + c)
        r = 0
        while r < len(grid):
            template = grid[r][c] if c < len(grid[r]) else None
            end = r + 1
            while (template is not None and end < len(grid) and c < len(grid[end])
                   and grid[end][c] == template):
                end += 1
            if template is not None:
                text = at_row(template, first_row + r)
                if end - r > 1:
                    out[r][c] = Shared(index, text,
                                       f"{letter}{first_row + r}:{letter}{first_row + end - 1}")
                    for below in range(r + 1, end):
                        out[below][c] = Shared(index)
                    index += 1
                else:
                    out[r][c] = text
            r = end
    return out


def column_formulas(templates: Sequence[str | None], rows: int, first_row: int,
                    first_column: int = 1) -> list[tuple[str | Shared | None, Shared | None]]:
    """What ``shared_formulas`` gives a table whose every row has the same templates,
    per column without a grid: (the first row's formula, the one pointer every row
    below stores). A 250,000-row table is 25 runs, not 6 million comparisons."""
    out: list[tuple[str | Shared | None, Shared | None]] = []
    index = 0
    for c, template in enumerate(templates):
        if template is None or rows == 0:
            out.append((None, None))
            continue
        text_ = at_row(template, first_row)
        if rows == 1:
            out.append((text_, None))
            continue
        letter = column_letter(first_column + c)
        out.append((Shared(index, text_, f"{letter}{first_row}:{letter}{first_row + rows - 1}"),
                    Shared(index)))
        index += 1
    return out


# The height of one line of 11 pt text, in points, as Excel sets a row's; no row may be
# taller than Excel's 409 points (a 30,000-character note shows its first 27 lines).
LINE_HEIGHT = 15
TALLEST_ROW = 409


def row_height(lines: int) -> int:
    return min(LINE_HEIGHT * lines, TALLEST_ROW)


# Calibri's advance widths for the printable ASCII characters, " " to "~", in 1/2048 em:
# read from Carlito (fonts-crosextra-carlito), made metric-compatible with Calibri. A
# column's width counts widths of the digit "0" (1038).
_ADVANCE = dict(zip(map(chr, range(32, 127)), (
    463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791,
    1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 548, 548, 1020, 1020, 1020,
    949, 1831, 1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751,
    1322, 1356, 1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959, 628, 791, 628,
    1020, 1020, 596, 981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636,
    1076, 1080, 1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644,
    1020)))
_DIGIT = 1038
_OTHER = 1300   # a character outside ASCII: taken as wide as a capital


def _advance(word: str) -> int:
    return sum(_ADVANCE.get(character, _OTHER) for character in word)


def lines_of(value: str, width: float) -> int:
    """How many lines ``value`` takes in a wrapping column ``width`` wide (the column's
    width in digits, as Excel counts it), wrapped at spaces as Excel wraps, a word wider
    than the column broken where it reaches the edge."""
    room = (width - 0.5) * _DIGIT   # the cell's margins
    if len(value) * 1831 <= room and "\n" not in value:   # even all "@"s would fit
        return 1
    lines, used = 1, 0.0
    for paragraph_number, paragraph in enumerate(value.split("\n")):
        if paragraph_number:
            lines, used = lines + 1, 0.0
        for word in paragraph.split(" "):
            size: float = _advance(word)
            if used and used + _ADVANCE[" "] + size <= room:
                used += _ADVANCE[" "] + size
                continue
            if used:
                lines += 1
            while size > room:   # broken across lines of its own
                lines += 1
                size -= room
            used = size
    return lines


def table_rows(records: Sequence[Mapping[str, Any]],
               columns: Sequence[tuple[str, str, str | None, str | Shared | None,
                                       Shared | None]],
               first_row: int, wrapped: Mapping[str, float] | None = None) -> list[str]:
    """The ``<row>`` elements of a table's data rows: for each record and column (letter,
    header, style, the first row's formula, the pointer every row below stores) what
    ``cell`` writes, byte for byte, with the common cells (finite numbers, plain text,
    blanks) written inline: a 250,000-row table has 6 million cells, and a call each
    was most of the time a big workbook took.

    ``wrapped``: the columns whose text wraps, and how many characters a line of each
    holds. A row whose text takes more lines gets their height: neither Excel nor
    LibreOffice grows a row for wrapped text in a file it opens."""
    wrapped = wrapped or {}
    prepared = [(letter, header, style, f' s="{style}"' if style is not None else "",
                 first, below,
                 None if first is None else (first.element() if isinstance(first, Shared)
                                             else f"<f>{text(first.lstrip('='))}</f>"),
                 None if below is None else below.element(), wrapped.get(header, 0))
                for letter, header, style, first, below in columns]
    out = []
    for offset, record in enumerate(records):
        number = str(first_row + offset)
        parts = [f'<row r="{number}">']
        lines = 1
        for letter, header, style, s, first, below, first_xml, below_xml, width in prepared:
            value: Any = record.get(header)   # any cell's value: its class picks the branch
            ref = letter + number
            f = below_xml if offset else first_xml
            kind = value.__class__
            if kind is float and math.isfinite(value):
                v = (str(int(value)) if value.is_integer() and abs(value) < 1e15
                     else repr(value))
            elif kind is int and abs(value) < 10 ** 15:
                v = str(value)
            elif value is None or value == "":
                parts.append(f'<c r="{ref}"{s} t="str">{f}<v></v></c>' if f is not None
                             else f'<c r="{ref}"{s}/>')
                continue
            elif kind is str:
                if width and (len(value) > width * 0.5 or "\n" in value):
                    lines = max(lines, lines_of(value, width))
                shown = text(value)
                parts.append(f'<c r="{ref}"{s} t="str">{f}<v>{shown}</v></c>' if f is not None
                             else f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">'
                                  f"{shown}</t></is></c>")
                continue
            else:   # NaN, numpy scalars, whatever else: the one general writer
                parts.append(cell(ref, value, style, below if offset else first))
                continue
            parts.append(f'<c r="{ref}"{s}>{f}<v>{v}</v></c>' if f is not None
                         else f'<c r="{ref}"{s}><v>{v}</v></c>')
        if lines > 1:
            parts[0] = f'<row r="{number}" ht="{row_height(lines)}" customHeight="1">'
        parts.append("</row>")
        out.append("".join(parts))
    return out


def cell(ref: str, value: Any, style: str | None = None,
         formula: str | Shared | None = None) -> str:
    """One ``<c>`` element: an input value, or a formula with its cached value.

    Text is always written as an inline string, never as a formula, whatever
    it starts with (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM``).
    """
    s = f' s="{style}"' if style is not None else ""
    if formula is not None:
        f = (formula.element() if isinstance(formula, Shared)
             else f"<f>{text(formula.lstrip('='))}</f>")
        if is_blank(value) or value == "":
            return f'<c r="{ref}"{s} t="str">{f}<v></v></c>'
        if isinstance(value, str):
            return f'<c r="{ref}"{s} t="str">{f}<v>{text(value)}</v></c>'
        return f'<c r="{ref}"{s}>{f}<v>{_number(value)}</v></c>'
    if is_blank(value) or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, str):
        return (f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text(value)}'
                "</t></is></c>")
    return f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'


def _number(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):   # the usual case, quickly
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        raise TypeError("booleans are not written")
    number = float(value)
    if not math.isfinite(number):   # "inf" is no number to Excel: the file would not open
        raise ValueError(f"cannot write {number!r} in a workbook cell")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def sheet_data(xml: str) -> tuple[int, int, str]:
    """(start, end, inner) of the ``<sheetData>`` element (inner is '' when self-closed)."""
    match = re.search(r"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", xml, re.DOTALL)
    if match is None:
        raise ValueError("worksheet has no sheetData")
    return match.start(), match.end(), match.group(1) or ""


def rows_of(inner: str) -> list[tuple[int, str]]:
    """(row number, row xml) of every row in a sheetData."""
    rows = []
    for match in _ROW.finditer(inner):
        number = int(re.search(r'\br="(\d+)"', match.group(0)).group(1))  # type: ignore[union-attr]
        rows.append((number, match.group(0)))
    return rows


def row_styles(row_xml: str) -> dict[str, str]:
    """Column letter → style index of each cell in a row."""
    styles = {}
    for match in _CELL.finditer(row_xml):
        attrs = dict(_ATTR.findall(match.group(0).split(">", 1)[0]))
        ref = _REF.fullmatch(attrs.get("r", ""))
        if ref and "s" in attrs:
            styles[ref.group(1)] = attrs["s"]
    return styles


def split_rows_from(xml: str, first_row: int) -> tuple[str, list[str], str]:
    """The sheet up to its data rows, the rows above ``first_row`` kept, and the rest of
    the sheet: new rows go between the kept ones and the rest (``replace_rows_from`` in
    pieces, for a sheet too big to join)."""
    start, end, inner = sheet_data(xml)
    kept = [row for number, row in rows_of(inner) if number < first_row]
    return f"{xml[:start]}<sheetData>", kept, f"</sheetData>{xml[end:]}"


def replace_rows_from(xml: str, first_row: int, new_rows: Iterable[str]) -> str:
    """Keep the rows above ``first_row``, replace the rest with ``new_rows``."""
    head, kept, tail = split_rows_from(xml, first_row)
    return head + "".join(kept) + "".join(new_rows) + tail


def merge_rows(xml: str, new_rows: Iterable[str]) -> str:
    """Put ``new_rows``' cells into the sheet beside the cells already there (a table
    beside another): a row both have gets both's cells in column order, the taller
    height; a new row is added in its place."""
    start, end, inner = sheet_data(xml)
    rows = dict(rows_of(inner))
    for number, new in rows_of("".join(new_rows)):
        old = rows.get(number)
        if old is None:
            rows[number] = new
            continue
        cells = {m.group(1): c for c in _CELL.findall(old) + _CELL.findall(new)
                 if (m := re.search(r'\br="([A-Z]+)\d+"', c))}
        heights = [float(h) for h in re.findall(r'<row\b[^>]*?\bht="([\d.]+)"',
                                                 old + new)]
        tag = (f'<row r="{number}" ht="{max(heights):g}" customHeight="1">' if heights
               else f'<row r="{number}">')
        rows[number] = tag + "".join(cells[letter] for letter in
                                     sorted(cells, key=column_index)) + "</row>"
    body = "".join(rows[n] for n in sorted(rows))
    return f"{xml[:start]}<sheetData>{body}</sheetData>{xml[end:]}"


def row(number: int, cells: Sequence[str], lines: int = 1) -> str:
    """A ``<row>``, as tall as ``lines`` lines of text when that is more than one."""
    height = f' ht="{row_height(lines)}" customHeight="1"' if lines > 1 else ""
    return f'<row r="{number}"{height}>{"".join(cells)}</row>'


def set_cells(xml: str, values: Mapping[str, tuple[Any, str | None]]) -> str:
    """Set single cells (``{"B4": (value, formula)}``), keeping each cell's template style."""
    start, end, inner = sheet_data(xml)
    rows = dict(rows_of(inner))
    by_row: dict[int, dict[str, tuple[Any, str | None]]] = {}
    for ref, content in values.items():
        match = _REF.fullmatch(ref)
        assert match, ref
        by_row.setdefault(int(match.group(2)), {})[match.group(1)] = content
    for number, changes in by_row.items():
        existing = rows.get(number, f'<row r="{number}"></row>')
        open_tag = re.match(r"<row\b[^>]*?/?>", existing).group(0)  # type: ignore[union-attr]
        open_tag = open_tag[:-2] + ">" if open_tag.endswith("/>") else open_tag
        cells = {}
        for match in _CELL.finditer(existing):
            attrs = dict(_ATTR.findall(match.group(0).split(">", 1)[0]))
            cells[_REF.fullmatch(attrs["r"]).group(1)] = (match.group(0), attrs.get("s"))  # type: ignore[union-attr]
        for letter, (value, formula) in changes.items():
            style = cells.get(letter, (None, None))[1]
            cells[letter] = (cell(f"{letter}{number}", value, style, formula), style)
        ordered = sorted(cells.items(), key=lambda item: column_index(item[0]))
        rows[number] = open_tag + "".join(xml_ for _, (xml_, _) in ordered) + "</row>"
    body = "".join(rows[n] for n in sorted(rows))
    return f"{xml[:start]}<sheetData>{body}</sheetData>{xml[end:]}"


def set_dimension(xml: str, last_column: int, last_row: int) -> str:
    ref = f"A1:{column_letter(max(last_column, 1))}{max(last_row, 1)}"
    if "<dimension " in xml:
        return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml, count=1)
    return xml


def set_table_ref(table_xml: str, ref: str) -> str:
    """Point a table (and its autofilter) at a new range."""
    table_xml = re.sub(r'(<table\b[^>]*?\bref=")[^"]*(")', rf"\g<1>{ref}\g<2>", table_xml,
                       count=1)
    return re.sub(r'(<autoFilter\b[^>]*?\bref=")[^"]*(")', rf"\g<1>{ref}\g<2>", table_xml,
                  count=1)


def ensure_full_calc_on_load(workbook_xml: str) -> str:
    """Excel recomputes every formula when the file opens (fullCalcOnLoad stays on)."""
    if re.search(r"<calcPr\b", workbook_xml):
        if "fullCalcOnLoad=" in workbook_xml:
            return re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', workbook_xml)
        return re.sub(r"<calcPr\b", '<calcPr fullCalcOnLoad="1"', workbook_xml, count=1)
    return workbook_xml.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')


# --- charts -------------------------------------------------------------------------

_SERIES = re.compile(r"<((?:c:)?)ser>(.*?)</(?:c:)?ser>", re.DOTALL)
_PART = re.compile(r"<((?:c:)?)(cat|val)>(.*?)</(?:c:)?(?:cat|val)>", re.DOTALL)
_FORMULA = re.compile(r"<(?:c:)?f>(.*?)</(?:c:)?f>", re.DOTALL)
_RANGE = re.compile(r"^'?([^'!]+)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?$")


def fill_chart(chart_xml: str, column_values) -> str:
    """Point each series at its data's real length and store the values it shows.

    ``column_values(sheet, column_letter, first_row)`` gives the values of that
    column from ``first_row`` down (already capped to what the chart shows).
    """
    def series(match: re.Match[str]) -> str:
        prefix, body = match.group(1), match.group(2)

        def part(part_match: re.Match[str]) -> str:
            p, kind, inner = part_match.group(1), part_match.group(2), part_match.group(3)
            formula = _FORMULA.search(inner)
            if not formula:
                return part_match.group(0)
            ref = _RANGE.match(formula.group(1).strip())
            if not ref:
                return part_match.group(0)
            sheet, letter, first = ref.group(1), ref.group(2), int(ref.group(3))
            values = column_values(sheet, letter, first)
            last = first + max(len(values), 1) - 1
            address = f"'{sheet}'!${letter}${first}:${letter}${last}"
            points = "".join(
                f'<{p}pt idx="{i}"><{p}v>{text(str(v)) if kind == "cat" else _number(v)}'
                f"</{p}v></{p}pt>"
                for i, v in enumerate(values) if not is_blank(v) and v != "")
            if kind == "cat":
                reference = (f"<{p}strRef><{p}f>{text(address)}</{p}f><{p}strCache>"
                             f'<{p}ptCount val="{len(values)}"/>{points}</{p}strCache></{p}strRef>')
            else:
                reference = (f"<{p}numRef><{p}f>{text(address)}</{p}f><{p}numCache>"
                             f"<{p}formatCode>General</{p}formatCode>"
                             f'<{p}ptCount val="{len(values)}"/>{points}</{p}numCache>'
                             f"</{p}numRef>")
            return f"<{p}{kind}>{reference}</{p}{kind}>"

        return f"<{prefix}ser>{_PART.sub(part, body)}</{prefix}ser>"

    return _SERIES.sub(series, chart_xml)


# --- whole files -----------------------------------------------------------------------


