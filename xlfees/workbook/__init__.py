"""The workbook: a template filled with a client's analysis, formulas and their values.

``write_workbook(analysis, path)`` copies the template part by part, replacing
only the data rows of each sheet, the tables' ranges, the charts' ranges and
cached values, and the settings and summary cells. Everything else a
template holds (a logo, colours, an extra sheet) passes through untouched.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape
from typing import Any, Callable

from ..analysis import Analysis
from ..labels import UNASSIGNED
from ..errors import OutputError, XlfeesError, check_suffix
from ..files import NotAFileError, TooLargeError, read_limited
from ..resources import GROUP_SHEETS, RESULT_SHEETS, addin_path, template_path
from ..wording import one_line
from .. import written
from . import content, parts, spec, xlsx

class TemplateError(XlfeesError):
    """The template is not an xlfees template (a sheet or table is missing)."""


# The built-in template is 40 KB; a restyled one with a logo a few MB.
TEMPLATE_MAX_BYTES = 100 * 1024 * 1024
TEMPLATE_MAX_FILE_BYTES = 50 * 1024 * 1024
TEMPLATE_MAX_RATIO = 150.0
SHEET_ROWS = 1_048_576 - 10   # a worksheet's rows, less the title and header above a table
SPILL_ROWS = 50_000           # a table sheet of more rows waits on disk until the zip


def _records_for(table: spec.TableSpec) -> Callable[[Analysis], list[dict[str, Any]]]:
    return {
        "OfficeFees": content.office_fee_rows, "Schedules": content.schedule_rows,
        "Volume": content.volume_rows, "Targets": content.target_rows,
        "AltBenefits": content.alt_rows, "Payers": content.payer_rows,
        "Coverage": content.coverage_rows, "ImportNotes": content.note_rows,
        "Payments": content.payment_rows, "Underpayments": content.underpayment_rows,
        "Denials": content.denial_rows, "Changes": content.change_rows,
    }[table.name]


def _safe_part_name(name: str) -> bool:
    """A zip entry name that is a part name of an OPC package (ISO/IEC 29500-2 §6.2.2):
    relative, forward slashes, no empty, "." or ".." segment: never a path out."""
    segments = name.split("/")
    return (bool(name) and not name.startswith("/") and "\\" not in name
            and ":" not in segments[0] and all(s not in ("", ".", "..") for s in segments)
            and not any(c in name for c in "\x00\r\n"))


def _well_formed(data: bytes) -> bool:
    """XML a parser reads to its end, with no document type (no entity expansion)."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: Any) -> None:
        raise ValueError("a document type")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except (xml.parsers.expat.ExpatError, ValueError):
        return False
    return True


class _Package:
    """The template's parts, and where each sheet and table lives among them."""

    def __init__(self, template: Path) -> None:
        self.template = template
        self.spilled: list[Path] = []
        fresh = "use `xlfees template -o PATH` for a fresh one"
        try:
            # A regular file of a template's size only: a pipe or /dev/zero is refused
            # before it is read, not waited on.
            data = read_limited(template, TEMPLATE_MAX_FILE_BYTES, str(template))
        except (NotAFileError, TooLargeError) as error:
            raise TemplateError(f"{error}; {fresh}") from None
        except OSError as error:
            raise TemplateError(f"{template}: cannot be read ({error.strerror or error}); "
                                "check the path") from None
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                unzipped = sum(info.file_size for info in infos)
                zipped = sum(info.compress_size for info in infos) or 1
                if unzipped > TEMPLATE_MAX_BYTES or unzipped / zipped > TEMPLATE_MAX_RATIO:
                    raise TemplateError(f"{template}: unpacks to {unzipped:,} bytes "
                                        f"({unzipped / zipped:.0f}× its size), more than a "
                                        f"template holds; {fresh}")
                # Folder entries hold nothing a package needs; they are not copied.
                self.order = [info.filename for info in infos if not info.is_dir()]
                unsafe = [name for name in self.order if not _safe_part_name(name)]
                if unsafe or len(set(self.order)) != len(self.order):
                    shown = one_line(repr(unsafe[0])) if unsafe else "a part stored twice"
                    raise TemplateError(f"{template}: holds {shown}, not a part name of an "
                                        f"xlsx package (ISO/IEC 29500-2); {fresh}")
                self.parts = {name: archive.read(name) for name in self.order}
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise TemplateError(f"{template}: not a readable xlsx template ({error}); "
                                f"{fresh}") from None
        for name in self.order:
            if name.endswith((".xml", ".rels")) and not _well_formed(self.parts[name]):
                raise TemplateError(f"{template}: its part {one_line(name)} is not "
                                    f"well-formed XML (Excel would not open the workbook); "
                                    f"{fresh}")
        try:
            self._find_sheets_and_tables()
        except (KeyError, AttributeError, ValueError) as error:
            raise TemplateError(f"{template}: is not an xlsx workbook xlfees can fill "
                                f"({type(error).__name__}: {error}); use `xlfees template -o "
                                "PATH` for a fresh one, restyle it, and pass that") from None
        missing = ([f"sheet '{name}'" for name in spec.SHEET_ORDER if name not in self.sheets]
                   + [f"table '{table.name}'" for table in spec.TABLES
                      if table.name not in self.tables])
        if missing:
            raise TemplateError(f"{self.template}: has no " + ", ".join(missing)
                                + "; an xlfees template needs the sheets "
                                + ", ".join(spec.SHEET_ORDER) + " and their tables: restyle "
                                "the one `xlfees template -o PATH` writes")
        self._check_version()

    def _check_version(self) -> None:
        """A template restyled from an older xlfees has other columns or names than these
        formulas read: refused by name, not filled into a table Excel would call corrupt."""
        for table in spec.TABLES:
            _, table_part = self.tables[table.name]
            found = parts.table_columns(self.text(table_part))
            if found != [column.header for column in table.columns]:
                raise TemplateError(
                    f"{self.template}: its table '{table.name}' has the columns of another "
                    "xlfees version; write a fresh template with `xlfees template -o PATH` "
                    "and restyle that")
        defined = parts.defined_names(self.text("xl/workbook.xml"))
        names = set(spec.peer_names(1, 1)) | {cell.name for cell in spec.PEERS_CELLS}
        absent = sorted(name for name in names if name not in defined)
        if absent:
            raise TemplateError(
                f"{self.template}: has no defined name {', '.join(absent)} (a template of "
                "another xlfees version); write a fresh template with `xlfees template -o "
                "PATH` and restyle that")

    def _find_sheets_and_tables(self) -> None:
        if "xl/workbook.xml" not in self.parts:
            raise KeyError("no xl/workbook.xml")
        rels = self._rels("xl/workbook.xml")
        self.sheets: dict[str, str] = {
            entry.name: rels[entry.relationship]
            for entry in parts.sheets(self.text("xl/workbook.xml"))}
        self.tables: dict[str, tuple[str, str]] = {}  # table name → (sheet part, table part)
        for sheet_part in self.sheets.values():
            for target in self._rels(sheet_part).values():
                if "/tables/" in target and target in self.parts:
                    self.tables[parts.table_name(self.text(target))] = (sheet_part, target)

    def text(self, name: str) -> str:
        value = self.parts[name]
        if isinstance(value, written.SpilledPart):
            value = self.parts[name] = value.path.read_bytes()
        if isinstance(value, list):   # written in pieces (put_pieces): joined on demand
            value = self.parts[name] = "".join(value).encode("utf-8")
        return value.decode("utf-8")

    def put(self, name: str, value: str) -> None:
        self.parts[name] = value.encode("utf-8")

    def put_pieces(self, name: str, pieces: list[str]) -> None:
        """A big sheet as the pieces it was made of, written to the zip one by one: a
        250,000-row table is never joined into one string, nor encoded as a whole; past
        SPILL_ROWS rows it waits in a temporary file, not in memory."""
        if len(pieces) > SPILL_ROWS:
            part = written.spill(pieces)
            self.spilled.append(part.path)
            self.parts[name] = part   # type: ignore[assignment]
        else:
            self.parts[name] = pieces   # type: ignore[assignment]

    def close(self) -> None:
        """Remove the temporary files of spilled parts (whatever became of the write)."""
        for path in self.spilled:
            path.unlink(missing_ok=True)
        self.spilled.clear()

    def _rels(self, part: str) -> dict[str, str]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.parts:
            return {}
        return {rel.id: (rel.target.lstrip("/") if rel.target.startswith("/")
                         else posixpath.normpath(posixpath.join(folder, rel.target)))
                for rel in parts.relationships(self.text(rels_name)) if not rel.external}

    def sheet(self, name: str) -> str:
        if name not in self.sheets:
            raise TemplateError(f"{self.template}: has no sheet '{name}'; an xlfees template "
                                "needs the sheets " + ", ".join(spec.SHEET_ORDER))
        return self.sheets[name]

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file beside the target, then a rename."""
        written.write_atomically(path, parts=((name, self.parts[name]) for name in self.order))


def check_overwrite(path: Path, template: Path | None = None) -> None:
    """Refuse to write over the template, or over any file that is not an xlfees workbook
    (an input schedule, the office fees, someone's own spreadsheet)."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name such as {path / 'report.xlsx'}")
    for source in {template_path(), *([template] if template else [])}:
        if path.exists() and path.resolve() == Path(source).resolve():
            raise OutputError(f"{path}: is the template being filled; write the workbook "
                              "under another name")
    if path.exists() and not is_xlfees_workbook(path):
        raise OutputError(f"{path}: exists and is not a workbook xlfees wrote (an input, or "
                          "someone's own file), so it is not overwritten; choose another "
                          "name, or move that file first")


def is_xlfees_workbook(path: Path) -> bool:
    """A workbook (or template, or group roll-up) xlfees wrote: its sheets give it away."""
    if not path.is_file():   # a pipe would block the read
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    if not _well_formed(data):   # someone's file: never an entity expanded
        return False
    names = {entry.name for entry in parts.sheets(data.decode("utf-8", "replace"))}
    return RESULT_SHEETS <= names or GROUP_SHEETS <= names


def copy_template(path: str | Path) -> Path:
    """Write the built-in template to ``path`` (atomically), byte for byte."""
    path = Path(path)
    check_suffix(path, ".xlsx", "the template")
    check_overwrite(path)
    return written.write_atomically(path, template_path().read_bytes())


def copy_addin(path: str | Path) -> Path:
    """Write the "Fees" ribbon add-in to ``path`` (atomically), byte for byte."""
    path = Path(path)
    check_suffix(path, ".xlam", "the add-in")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name such as {path / 'xlfees.xlam'}")
    if path.exists() and path.resolve() == addin_path().resolve():
        raise OutputError(f"{path}: is the add-in itself; write the copy somewhere else")
    return written.write_atomically(path, addin_path().read_bytes())


def write_workbook(analysis: Analysis, path: str | Path,
                   template: str | Path | None = None) -> Path:
    """Fill the template with ``analysis`` and write it to ``path`` (atomically).

    Every derived figure is a native formula that also stores the engine's
    value, so the file reads correctly in viewers that do not calculate.
    The template and the inputs are never modified.
    """
    path = Path(path)
    check_suffix(path, ".xlsx", "the workbook")
    check_overwrite(path, Path(template) if template else None)
    largest = max(len(analysis.targets), len(analysis.client.schedules),
                  len(analysis.client.volume))
    if largest > SHEET_ROWS:
        raise OutputError(f"{path}: the analysis has {largest:,} rows for one sheet, more than "
                          f"a worksheet holds ({SHEET_ROWS:,}); split the client's payers "
                          "or use `xlfees analyze --json`")
    package = _Package(Path(template) if template else template_path())
    try:
        chart_values: dict[tuple[str, str], list[Any]] = {}
        records = table_records(analysis)
        last_rows = table_last_rows(records)
        for table in spec.TABLES:
            # Each table's records let go once its rows are XML: a big client's records are
            # half a gigabyte, and the sheets wait (in pieces, or on disk) for the zip.
            _fill_table(package, table, records.pop(table.name), last_rows, chart_values)
        _fill_settings(package, analysis)
        _fill_matrix(package, spec.GAPS_SHEET, spec.GAPS_HEADER_ROW,
                     _gap_matrix(analysis, last_rows), heat_map=True)
        _fill_peers(package, analysis, last_rows)
        _fill_summary(package, analysis)
        top = content.top_targets(analysis)
        chart_values[("Summary", spec.TOP_LABEL_COLUMN)] = [label for label, _ in top]
        chart_values[("Summary", spec.TOP_VALUE_COLUMN)] = [value for _, value in top]
        for name in package.order:
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
                package.put(name, xlsx.fill_chart(package.text(name),
                                                  _chart_lookup(chart_values)))
        package.put("xl/workbook.xml",
                    xlsx.ensure_full_calc_on_load(package.text("xl/workbook.xml")))
        package.save(path)
    finally:
        package.close()   # the spilled sheets' temporary files, however the write ended
    return path


def _chart_lookup(chart_values: dict[tuple[str, str], list[Any]]):
    def values(sheet: str, letter: str, first_row: int) -> list[Any]:
        return chart_values.get((sheet, letter), [])
    return values


def _last_rows(row_counts: dict[str, int]) -> dict[str, int]:
    """Each table's last data row (a table without records keeps one empty row)."""
    return {table.name: table.header_row + max(row_counts[table.name], 1)
            for table in spec.TABLES}


def table_records(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """Every table's data rows for ``analysis``, by table name (built once per workbook)."""
    return {table.name: _records_for(table)(analysis) for table in spec.TABLES}


def table_last_rows(records: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Each table's last data row once ``records`` are written: where the plain
    references of every formula end."""
    return _last_rows({name: len(rows) for name, rows in records.items()})


def _fill_table(package: _Package, table: spec.TableSpec, records: list[dict[str, Any]],
                last_rows: dict[str, int],
                chart_values: dict[tuple[str, str], list[Any]]) -> None:
    if table.name not in package.tables:
        raise TemplateError(f"{package.template}: has no table '{table.name}' on sheet "
                            f"'{table.sheet}'; use `xlfees template -o PATH` for a fresh one")
    sheet_part, table_part = package.tables[table.name]
    xml = package.text(sheet_part)
    first_row = table.header_row + 1
    _, _, inner = xlsx.sheet_data(xml)
    placeholder = dict(xlsx.rows_of(inner)).get(first_row, "")
    styles = xlsx.row_styles(placeholder)
    letters = [xlsx.column_letter(table.first_column + i) for i in range(len(table.columns))]
    templates = _formula_templates(table, last_rows)
    # Each formula column is one shared formula: its text on the first row, a pointer below.
    runs = xlsx.column_formulas(templates, len(records), first_row, table.first_column)
    columns = [(letter, column.header, styles.get(letter), first, below)
               for letter, column, (first, below) in zip(letters, table.columns, runs)]
    rows = xlsx.table_rows(records, columns, first_row)
    if not records:  # a table keeps one (empty, styled) row
        rows.append(xlsx.row(first_row, [xlsx.cell(f"{letter}{first_row}", None,
                                                   styles.get(letter)) for letter in letters]))
    last_row = first_row + max(len(records), 1) - 1
    if table.name == "Coverage":
        # Settings holds more than the table: replace only the coverage rows' cells.
        values = {f"{letters[i]}{first_row + n}": (record[c.header], None)
                  for n, record in enumerate(records) for i, c in enumerate(table.columns)}
        xml = xlsx.set_cells(xml, values)
        package.put(sheet_part, xml)
    else:
        head, kept, tail = xlsx.split_rows_from(xml, first_row)
        head = xlsx.set_dimension(head, table.first_column + len(table.columns) - 1, last_row)
        package.put_pieces(sheet_part, [head, *kept, *rows, tail])
    ref = f"{letters[0]}{table.header_row}:{letters[-1]}{last_row}"
    package.put(table_part, xlsx.set_table_ref(package.text(table_part), ref))
    for letter, column in zip(letters, table.columns):
        chart_values[(table.sheet, letter)] = [r.get(column.header) for r in records]


def _formula_templates(table: spec.TableSpec, last_rows: dict[str, int]) -> list[str | None]:
    return [spec.row_formula(c.formula, table, last_rows) if c.formula else None
            for c in table.columns]


def table_cells(table: spec.TableSpec, records: list[dict[str, Any]],
                last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """(value, formula) for every cell of a table's data rows, in column order.

    The batch's writer and the Excel add-in both write these formulas: one code path
    (the batch stores each column's as one shared formula).
    """
    templates = _formula_templates(table, last_rows)
    first_row = table.header_row + 1
    return [[(record.get(column.header),
              None if template is None else template.replace(xlsx.ROW, str(first_row + n)))
             for column, template in zip(table.columns, templates)]
            for n, record in enumerate(records)]


def settings_cells(analysis: Analysis) -> dict[str, tuple[Any, str | None]]:
    """The named settings cells on the Settings sheet."""
    values = content.settings_values(analysis)
    cells: dict[str, tuple[Any, str | None]] = {
        f"B{cell.row}": (values[cell.name], None) for cell in spec.SETTINGS_CELLS}
    no_payer = spec.NO_PAYER_CELL
    volume = analysis.client.volume
    cells[f"B{no_payer.row}"] = (
        float(volume.loc[[s == UNASSIGNED for s in analysis.volume_schedules], "count"].sum()),
        no_payer.formula)
    return cells


def summary_cells(analysis: Analysis) -> dict[str, tuple[Any, str | None]]:
    """The Summary sheet's client name, headline formulas (with values) and volume note."""
    cells: dict[str, tuple[Any, str | None]] = {
        spec.SUMMARY_CLIENT_CELL: (analysis.client.name, None),
        f"B{spec.SUMMARY_VOLUME_NOTE_ROW}": (analysis.volume_basis, None),
    }
    for headline, value in zip(spec.SUMMARY_HEADLINES, content.summary_values(analysis)):
        cells[f"B{headline.row}"] = (value, headline.formula)
    label, lowest = content.lowest_break_even(analysis)
    cells[f"A{spec.SUMMARY_BREAK_EVEN_ROW}"] = (label, spec.BREAK_EVEN_LABEL)
    cells[f"B{spec.SUMMARY_BREAK_EVEN_ROW}"] = (lowest, spec.LOWEST_BREAK_EVEN)
    for headline, value in zip(spec.MONITORING_HEADLINES,
                               content.monitoring_values(analysis)):
        cells[f"B{headline.row}"] = (value, headline.formula)
    for rank, (label, value) in enumerate(content.top_targets(analysis), start=1):
        row = spec.TOP_FIRST_ROW + rank - 1
        label_formula, value_formula = spec.top_target_formulas(row)
        cells[f"{spec.TOP_RANK_COLUMN}{row}"] = (rank, None)
        cells[f"{spec.TOP_LABEL_COLUMN}{row}"] = (label, label_formula)
        cells[f"{spec.TOP_VALUE_COLUMN}{row}"] = (value, value_formula)
    return cells


def _gap_matrix(analysis: Analysis,
                last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    labels, matrix = content.gap_matrix(analysis)

    def formula(column: str) -> str:
        row = spec.GAPS_HEADER_ROW
        allowed = spec.peer_lookup(f"$A{xlsx.ROW}", f"{column}${row}")
        office = spec.plain_references(
            f"INDEX(OfficeFees[Office fee],MATCH($A{xlsx.ROW},OfficeFees[Code],0))",
            spec.GAPS_SHEET, last_rows)
        return f'=IF({office}>0,({office}-{allowed})/{office},"")'
    return _matrix_cells(labels, matrix, formula)


def gap_matrix_cells(analysis: Analysis,
                     last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """The Gaps sheet from its header row down: codes × schedules, gap percent formulas
    that find their Targets row by key (a sorted Targets changes nothing).

    A payer with no amount for a code gets an empty cell (None, None).
    """
    return _numbered(_gap_matrix(analysis, last_rows), spec.GAPS_HEADER_ROW)


def _peer_matrix(analysis: Analysis,
                 last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """The Peers sheet from its header row down: Code, the per-code columns, then a column
    per schedule, each cell the schedule's amount for the code found in Schedules by key
    (a binary search while Schedules is in key order)."""
    labels, matrix = content.peer_matrix(analysis)
    first = spec.PEERS_FIRST_SCHEDULE_COLUMN
    last = xlsx.column_letter(first + max(len(labels), 1) - 1)
    code_row = f"${xlsx.column_letter(first)}{xlsx.ROW}:${last}{xlsx.ROW}"
    per_code = [spec.plain_references(column.formula.replace("{row}", code_row),
                                      spec.PEERS_SHEET, last_rows)
                for column in spec.PEER_CODE_COLUMNS]

    def amount(number: int) -> str:
        # The schedule's place is the column's: a number, not a MATCH per cell.
        key = f"({number}*10000+MID($A{xlsx.ROW},2,4))"
        found = f"MATCH({key},Schedules[Key],1)"
        return spec.plain_references(
            f"=IF(SchedulesInKeyOrder=1,IFERROR(IF(INDEX(Schedules[Key],{found})={key},"
            f'INDEX(Schedules[Allowed],{found}),""),""),'
            f'IFERROR(INDEX(Schedules[Allowed],MATCH({key},Schedules[Key],0)),""))',
            spec.PEERS_SHEET, last_rows)
    by_column = [amount(number) for number in range(1, len(labels) + 1)]
    rows: list[list[tuple[Any, str | None]]] = [
        [("Code", None), *[(column.header, None) for column in spec.PEER_CODE_COLUMNS],
         *[(label, None) for label in labels]]]
    for (code, _, amounts), values in zip(matrix, content.peer_code_values(analysis, matrix)):
        rows.append([(code, None),
                     *[(values[column.header], formula)
                       for column, formula in zip(spec.PEER_CODE_COLUMNS, per_code)],
                     *[(None, None) if value is content.MISSING else (value, template)
                       for value, template in zip(amounts, by_column)]])
    return rows


def peer_matrix_cells(analysis: Analysis,
                      last_rows: dict[str, int]) -> list[list[tuple[Any, str | None]]]:
    """The hidden Peers sheet from its header row down: every code × schedule, the
    allowed amount looked up in Schedules by key ("" where the schedule has none)."""
    return _numbered(_peer_matrix(analysis, last_rows), spec.PEERS_HEADER_ROW)


def peer_share_cells(analysis: Analysis,
                     last_rows: dict[str, int]) -> dict[str, tuple[Any, str | None]]:
    """The Peers row above the schedules: each one's share of volume without a payer."""
    first = spec.PEERS_FIRST_SCHEDULE_COLUMN
    cells: dict[str, tuple[Any, str | None]] = {
        f"A{spec.PEERS_SHARE_ROW}": (spec.NO_PAYER_SPLIT, None)}
    for offset, share in enumerate(content.peer_shares(analysis)):
        column = xlsx.column_letter(first + offset)
        formula = spec.plain_references(spec.PEER_SHARE.replace("{column}", column),
                                        spec.PEERS_SHEET, last_rows)
        cells[f"{column}{spec.PEERS_SHARE_ROW}"] = (share, formula)
    return cells


def peers_cells(analysis: Analysis) -> dict[str, tuple[Any, str | None]]:
    """The single cells on the Peers sheet the formulas share, formula and value."""
    values = content.peers_cells(analysis)
    return {cell.ref: (values[cell.name], cell.formula) for cell in spec.PEERS_CELLS}


def _matrix_cells(labels: list[str], matrix: list[tuple[str, str, list[Any]]],
                  formula: Callable[[str], str]) -> list[list[tuple[Any, str | None]]]:
    """The header row, then a row per code: (value, formula template) for each cell."""
    by_column = [formula(xlsx.column_letter(3 + offset)) for offset in range(len(labels))]
    rows: list[list[tuple[Any, str | None]]] = [
        [("Code", None), ("Description", None), *[(label, None) for label in labels]]]
    for code, description, values in matrix:
        rows.append([(code, None), (description, None), *[
            (None, None) if value is content.MISSING else (value, template)
            for value, template in zip(values, by_column)]])
    return rows


def _numbered(cells: list[list[tuple[Any, str | None]]],
              first_row: int) -> list[list[tuple[Any, str | None]]]:
    """Formula templates with their row numbers filled in (the first row is ``first_row``)."""
    return [[(value, None if formula is None else formula.replace(xlsx.ROW, str(first_row + n)))
             for value, formula in row] for n, row in enumerate(cells)]


def _fill_settings(package: _Package, analysis: Analysis) -> None:
    part = package.sheet("Settings")
    package.put(part, xlsx.set_cells(package.text(part), settings_cells(analysis)))


def _fill_peers(package: _Package, analysis: Analysis, last_rows: dict[str, int]) -> None:
    cells = _peer_matrix(analysis, last_rows)
    _fill_matrix(package, spec.PEERS_SHEET, spec.PEERS_HEADER_ROW, cells, heat_map=False,
                 first=spec.PEERS_FIRST_SCHEDULE_COLUMN)
    part = package.sheet(spec.PEERS_SHEET)
    package.put(part, xlsx.set_cells(package.text(part), {
        **peers_cells(analysis), **peer_share_cells(analysis, last_rows)}))
    # The header row and then one row per code; Code and the per-code columns first.
    package.put("xl/workbook.xml", _peer_names(
        package.text("xl/workbook.xml"), len(cells) - 1,
        len(cells[0]) - spec.PEERS_FIRST_SCHEDULE_COLUMN + 1))


def _fill_matrix(package: _Package, sheet: str, header: int,
                 matrix: list[list[tuple[Any, str | None]]], heat_map: bool,
                 first: int = spec.GAPS_FIRST_PAYER_COLUMN) -> None:
    part = package.sheet(sheet)
    xml = package.text(part)
    _, _, inner = xlsx.sheet_data(xml)
    rows_by_number = dict(xlsx.rows_of(inner))
    header_styles = xlsx.row_styles(rows_by_number.get(header, ""))
    data_styles = xlsx.row_styles(rows_by_number.get(header + 1, ""))
    value_style = data_styles.get(xlsx.column_letter(first))
    formulas = xlsx.shared_formulas([[formula for _, formula in cells] for cells in matrix],
                                    header)
    # Each column's letter and its data rows' style, worked out once (a matrix of 1,000
    # codes × 250 schedules is a quarter of a million cells).
    width = max((len(cells) for cells in matrix), default=0)
    letters = [xlsx.column_letter(column) for column in range(1, width + 1)]
    header_row_styles = [header_styles.get(letter if column < first
                                           else xlsx.column_letter(first))
                         for column, letter in enumerate(letters, start=1)]
    body_styles = [(data_styles.get(letter) if column > 1 else None) if column < first
                   else value_style for column, letter in enumerate(letters, start=1)]
    cell = xlsx.cell
    rows = []
    for offset, cells in enumerate(matrix):
        number = str(header + offset)
        styles = header_row_styles if offset == 0 else body_styles
        written = [cell(letter + number, value, style, formula)
                   for letter, style, (value, _), formula in zip(letters, styles, cells,
                                                                 formulas[offset])
                   # no amount for this code: the cell is left empty
                   if value is not None or formula is not None]
        rows.append(xlsx.row(int(number), written))
    xml = xlsx.replace_rows_from(xml, header, rows)
    labels = len(matrix[0]) - (first - 1)
    last_column = first + max(labels, 1) - 1
    last_row = header + max(len(matrix) - 1, 1)
    area = f"{xlsx.column_letter(first)}{header + 1}:{xlsx.column_letter(last_column)}{last_row}"
    if heat_map:
        xml = re.sub(r'(<conditionalFormatting\b[^>]*?\bsqref=")[^"]*(")',
                     rf"\g<1>{area}\g<2>", xml, count=1)
    xml = xlsx.set_dimension(xml, last_column, last_row)
    if labels:
        xml = _payer_column_widths(xml, first, last_column)
    package.put(part, xml)


def _peer_names(workbook_xml: str, codes: int, schedules: int) -> str:
    """The Peers names sized to this client's matrix: a row of the matrix is then as wide
    as its schedules, not the 500 the template allows."""
    return parts.set_defined_names(workbook_xml, {
        name: escape(ref) for name, ref in spec.peer_names(codes, schedules).items()})


def _payer_column_widths(xml: str, first: int, last: int) -> str:
    column = f'<col min="{first}" max="{last}" width="15" customWidth="1"/>'
    if re.search(rf'<col\b[^>]*\bmin="{first}"', xml):
        return xml
    if "<cols>" in xml:
        return xml.replace("</cols>", column + "</cols>", 1)
    return re.sub(r"(<sheetData)", f"<cols>{column}</cols>\\1", xml, count=1)


def _fill_summary(package: _Package, analysis: Analysis) -> None:
    part = package.sheet("Summary")
    package.put(part, xlsx.set_cells(package.text(part), summary_cells(analysis)))
