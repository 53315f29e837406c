"""The template as a package of parts: refused unless it is a well-formed, safe xlsx of this
xlfees version (its sheets, tables, columns and defined names read as XML), filled part by
part, saved atomically; and what may be written over (never the template, an input or
someone's own file)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

from .. import written
from ..errors import OutputError, XlfeesError, check_suffix
from ..files import NotAFileError, TooLargeError, read_limited
from ..resources import GROUP_SHEETS, RESULT_SHEETS, addin_path, template_path
from ..wording import one_line
from . import parts, spec


class TemplateError(XlfeesError):
    """The template is not an xlfees template (a sheet or table is missing)."""


# The built-in template is 40 KB; a restyled one with a logo a few MB.
TEMPLATE_MAX_BYTES = 100 * 1024 * 1024


TEMPLATE_MAX_FILE_BYTES = 50 * 1024 * 1024


TEMPLATE_MAX_RATIO = 150.0


WORKBOOK_PART_MAX_BYTES = 8 * 1024 * 1024
SPILL_ROWS = 50_000           # a table sheet of more rows waits on disk until the zip


def _safe_part_name(name: str) -> bool:
    """A zip entry name that is a part name of an OPC package (ISO/IEC 29500-2 §6.2.2):
    relative, forward slashes, no empty, "." or ".." segment: never a path out."""
    segments = name.split("/")
    return (bool(name) and not name.startswith("/") and "\\" not in name
            and ":" not in segments[0] and all(s not in ("", ".", "..") for s in segments)
            and not any(c in name for c in "\x00\r\n"))


class Package:
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
            xml_part = name.lower().endswith((".xml", ".rels"))
            if xml_part and not parts.well_formed(self.parts[name]):
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
            # A workbook part lists sheets and names: a few kilobytes. Someone's file
            # claiming far more is not ours, and is not inflated to find out.
            if archive.getinfo("xl/workbook.xml").file_size > WORKBOOK_PART_MAX_BYTES:
                return False
            data = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError, NotImplementedError, EOFError):
        return False
    if not parts.well_formed(data):   # someone's file: never an entity expanded
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
