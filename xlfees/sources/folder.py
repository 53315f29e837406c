"""Reading a client folder: every file classified by content, pinned by client.toml."""

from __future__ import annotations

import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..notes import Note
from ..written import is_deliverable
from ..labels import schedule_label
from .era import Remittance, looks_like_x12, read_era, reconcile
from ..errors import ClientFolderError, SettingsError, XlfeesError
from ..files import NotAFileError, TooLargeError, read_limited
from ..readers.limits import Limits, ReadError, unsupported_reason
from ..readers.limits import SUPPORTED as SUPPORTED_SUFFIXES
from ..readers.pins import FilePins
from ..readers.reader import FileRead, XlfeesWorkbook, name_hint, read_file
from .client_toml import (PRACTICE_TEXT_KEYS, Settings, limits_from_toml, pins_from_toml,
                          survey_statistic)
from ..wording import printable, readable_name

CLIENT_TOML = "client.toml"
TOML_MAX_BYTES = 1024 * 1024   # a client.toml of settings is a few kilobytes
# Files a client folder may hold that are not inputs.
# xlfees-pull.json: the record `xlfees pull opendental` leaves of what it read.
# recovery.csv: the recovery worklist xlfees keeps in the folder (a result, not an input).
_NOT_INPUTS = {CLIENT_TOML, "readme.md", "readme.txt", "notes.txt", "xlfees-pull.json",
               "recovery.csv"}


@dataclass(frozen=True)
class Inputs:
    """What a client folder's files hold, by table."""

    office_fees: pd.DataFrame
    schedule_history: pd.DataFrame      # every schedule row as read (each dated version)
    volume: pd.DataFrame | None
    copays: pd.DataFrame | None         # copay (DHMO) plans: what patients pay


SKIPPED = "left out on purpose (skip = true in client.toml)"


def copay_note(read: FileRead) -> Note:
    """What a copay schedule is to the analysis, said once per file."""
    plans = ", ".join(dict.fromkeys(schedule_label(r["payer"], r["network"])
                                    for r in read.copays)) or "its plan"
    return Note(reason=f"a copay schedule (what patients pay under {plans}): shown on the "
                       "Copays sheet, kept out of effective rates and asks", file=read.file)


def read_inputs(folder: Path, opened: "Folder", settings: Settings, notes: list[Note]
                ) -> Inputs:
    """Office fees, every schedule row as read (each dated version), volume and copays,
    from a client folder's files; what each file noted goes to ``notes``."""
    reads: list[FileRead] = []
    for relative in opened.files:
        if opened.skipped(relative):
            notes.append(Note(reason=SKIPPED, file=relative))
            continue
        try:
            read = opened.read(relative)
        except XlfeesWorkbook:
            notes.append(Note(reason=RESULT_NOT_READ, file=relative))
            continue
        reads.append(read)
        notes.extend(read.notes)
        if read.role == "copay":
            notes.append(copay_note(read))
        notes.extend(read.rejected)
    office_fees = _office_fees(folder, reads, notes)
    office_fees = _survey_benchmark(office_fees, reads, settings, opened.toml_path, notes)
    schedule_rows = [row | {"source": r.file} for r in reads for row in r.schedules]
    if not schedule_rows:
        # A schedule whose every row was refused (a region to choose, say) is the usual
        # reason: say which file and why, not where schedules go.
        refused = next((r for r in reads if r.role == "schedule" and r.rejected
                        and not (r.office_fees or r.volume)), None)
        if refused is not None:   # read as a schedule, and no file kept a schedule row
            first = refused.rejected[0]
            place = f"row {first.row}: " if first.row is not None else ""
            raise ClientFolderError(
                f"{folder}: no payer schedules found: every row of {refused.file} was left "
                f"out ({refused.rejected_count:,} rows); {place}{first.reason}")
        raise ClientFolderError(f"{folder}: no payer schedules found: put each payer's schedule "
                                "in payers/, or pin a file in client.toml with "
                                'role = "schedule"')
    volume_frames = [r.frame("volume") for r in reads if r.role == "volume"]
    volume = pd.concat(volume_frames, ignore_index=True) if volume_frames else None
    copay_rows = [row | {"source": r.file} for r in reads for row in r.copays]
    return Inputs(office_fees, pd.DataFrame(schedule_rows), volume,
                  pd.DataFrame(copay_rows) if copay_rows else None)


def remittances_in(folder: Path) -> tuple[list[Remittance], list[Note]]:
    """The 835s of a client folder's era/ (the ribbon's Analyze reads them too)."""
    era = folder / ERA_FOLDER
    eras = ({f"{ERA_FOLDER}/{p.name}": p for p in sorted(era.iterdir()) if p.is_file()}
            if era.is_dir() else {})
    notes: list[Note] = []
    return _read_remittances(eras, notes), notes


def _read_remittances(eras: dict[str, Path], notes: list[Note]) -> list[Remittance]:
    """Each 835 (by its path inside the client folder) read; one that does not read, and
    what the reader noted, go to ``notes``."""
    found = []
    for relative, path in eras.items():
        try:
            remittance = read_era(path)
        except XlfeesError as error:
            notes.append(Note(reason=f"remittance not read: {error}", file=relative))
            continue
        remittance.file = relative
        found.append(remittance)
        notes.extend(Note(reason=f"segment {segment}: {text}", file=relative)
                     for segment, text in remittance.notes)
    return found


ERA_FOLDER = "era"   # a client's remittances (X12 835), any extension
RESULT_NOT_READ = "an xlfees workbook (a result, not an input): not read"


@dataclass
class Folder:
    """A client folder opened: its client.toml, the limits and pins it sets, the files to
    read, and the notes on what is passed over."""

    toml_path: Path
    document: dict[str, Any]
    limits: Limits
    pins: dict[str, FilePins]
    files: dict[str, Path]
    notes: list[Note]
    settings: Settings | None = None
    eras: dict[str, Path] = field(default_factory=dict)   # remittances (X12 835)

    def remittances(self) -> list[Remittance]:
        """Every 835 that reads; one that does not is a note with the reason."""
        return _read_remittances(self.eras, self.notes)

    @classmethod
    def open(cls, folder: Path, with_settings: bool = False) -> "Folder":
        """Read client.toml (its settings validated first, with ``with_settings``), then
        the limits and pins, then list the files."""
        toml_path = folder / CLIENT_TOML
        document = read_toml(toml_path)
        # TOML allows "\u0001" escapes, which no workbook or letter can hold.
        for key in PRACTICE_TEXT_KEYS:
            if isinstance(document.get(key), str):
                document[key] = printable(document[key])
        settings = (Settings.from_toml(document, source=str(toml_path)) if with_settings
                    else None)
        limits, pins = limits_from_toml(document, toml_path), pins_from_toml(document, toml_path)
        notes: list[Note] = []
        eras: dict[str, Path] = {}
        files = _input_files(folder, notes, eras)
        return cls(toml_path, document, limits, pins, files, notes, settings, eras)

    def skipped(self, relative: str) -> bool:
        """``skip = true`` in client.toml: left out on purpose."""
        pins = self.pins.get(relative)
        return pins is not None and pins.skip

    def read(self, relative: str) -> FileRead:
        """One of its files, read as load_client reads it."""
        return read_file(self.files[relative], self.pins.get(relative), display=relative,
                         hint=name_hint(relative), limits=self.limits)


@dataclass(frozen=True)
class FolderEntry:
    """How one file of a client folder reads (a line of ``xlfees inspect DIR``)."""

    file: str
    role: str | None = None       # None: not read (see ``why``)
    payers: tuple[str, ...] = ()
    kept: int = 0
    rejected: int = 0
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "role": self.role, "payers": list(self.payers),
                "kept": self.kept, "rejected": self.rejected, "why": self.why}


def inspect_folder(folder: str | Path) -> list[FolderEntry]:
    """Every file of a client folder as ``load_client`` would take it, one entry each.

    Unlike ``load_client`` it does not stop at the first file that cannot be read:
    that file's entry says why, and the others are still read.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ClientFolderError(f"{folder} is not a folder: pass a client folder")
    opened = Folder.open(folder)
    entries = [FolderEntry(file=note.file or "", why=note.reason) for note in opened.notes]
    for relative in opened.files:
        if opened.skipped(relative):
            entries.append(FolderEntry(relative, why=SKIPPED))
            continue
        try:
            read = opened.read(relative)
        except XlfeesWorkbook:
            entries.append(FolderEntry(relative, why=RESULT_NOT_READ))
            continue
        except XlfeesError as error:
            problem = (f"{error.problem}; {error.fix}" if isinstance(error, ReadError)
                       else str(error))
            entries.append(FolderEntry(relative, why=f"refused: {problem}"))
            continue
        payers = tuple(dict.fromkeys(
            schedule_label(r["payer"], r["network"]) for r in read.schedules + read.copays))
        entries.append(FolderEntry(relative, read.role, payers, len(read.rows),
                                   read.rejected_count, read.column_mapping()))
    for relative, path in opened.eras.items():
        try:
            remittance = read_era(path)
        except XlfeesError as error:
            entries.append(FolderEntry(relative, why=f"refused: {error}"))
            continue
        claims = [c for p in remittance.payments for c in p.claims]
        balanced = all(not (check := reconcile(p)).claims_off and check.check_difference == 0
                       for p in remittance.payments)
        entries.append(FolderEntry(
            relative, "remittance",
            tuple(dict.fromkeys(p.payer for p in remittance.payments)),
            sum(len(c.lines) for c in claims), len(remittance.notes),
            f"{len(remittance.payments)} payment{'s' if len(remittance.payments) != 1 else ''}, "
            f"{len(claims)} claims; "
            + ("the money reconciles" if balanced
               else f"the money does not reconcile: `xlfees inspect {relative}` says where")))
    return sorted(entries, key=lambda e: e.file)


def pin_key(path: Path) -> str:
    """A file's name as its client folder's client.toml names it in ``[files."…"]``: the
    path inside the folder that holds client.toml (or holds ``payers/``), whatever path
    was typed to reach it."""
    path = path.resolve()
    for parent in list(path.parents)[:3]:
        if (parent / CLIENT_TOML).is_file():
            return path.relative_to(parent).as_posix()
    if path.parent.name.lower() in ("payers", "schedules", "payer", "carriers"):
        return f"{path.parent.name}/{path.name}"
    return path.name


def read_toml(path: Path) -> dict[str, Any]:
    """client.toml parsed ({} when absent); a broken file is a ClientFolderError.

    Only a regular file of at most a megabyte is read: a pipe or a device in its
    place is refused at once, never waited on."""
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        # Never through a link out of its folder: the settings are the folder's own.
        data = read_limited(path, TOML_MAX_BYTES, readable_name(str(path)), root=path.parent)
    except (NotAFileError, TooLargeError) as error:
        raise ClientFolderError(str(error)) from None
    except OSError as error:
        raise ClientFolderError(f"{readable_name(str(path))}: cannot be read "
                                f"({error.strerror or error}); check its permissions") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ClientFolderError(f"{path} is not valid TOML ({error}): fix the line named") \
            from None
    except UnicodeDecodeError:
        raise ClientFolderError(f"{path} is not UTF-8 text: save it as UTF-8") from None
    except RecursionError:
        raise ClientFolderError(f"{path} nests tables or arrays too deeply to read: "
                                "client.toml needs at most three levels") from None


def _entries(folder: Path, root: Path, depth: int, notes: list[Note]) -> list[Path]:
    """The files in ``folder`` and (at depth 1) its sub-folders, never leaving ``root``.

    A link is followed only when it stays inside the client folder; a link out of it,
    a broken one, a pipe or a device is noted and passed over, never read.
    """
    try:
        children = sorted(folder.iterdir())
    except OSError as error:
        notes.append(Note(reason=f"this folder cannot be opened ({error.strerror or error}): "
                                 "its files were not read; check its permissions",
                          file=_shown(folder, root) + "/"))
        return []
    found: list[Path] = []
    for path in children:
        if path.name.startswith((".", "~$", "_")):
            continue  # hidden files, Office lock files, our own scratch
        shown = _shown(path, root)
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                notes.append(Note(reason="a broken or looping link: not read", file=shown))
                continue
            if root.resolve() not in target.parents:
                notes.append(Note(reason="a link to a file outside the client folder: not "
                                         "followed; copy the file into the folder instead",
                                  file=shown))
                continue
        try:
            mode = path.stat().st_mode
        except OSError as error:
            notes.append(Note(reason=f"cannot be read ({error.strerror or error})", file=shown))
            continue
        if stat.S_ISDIR(mode):
            if Path(path.name).suffix.lower() in SUPPORTED_SUFFIXES:
                notes.append(Note(reason="a folder, not a file: not read", file=shown + "/"))
            elif depth == 0:
                found.extend(_entries(path, root, 1, notes))
            else:
                notes.append(Note(reason="a folder two levels down: its files were not read; "
                                         "move them up into payers/ or the client folder",
                                  file=shown + "/"))
            continue
        if not stat.S_ISREG(mode):
            notes.append(Note(reason="not a regular file (a pipe, socket or device): not read",
                              file=shown))
            continue
        found.append(path)
    return found


def _shown(path: Path, root: Path) -> str:
    return readable_name(path.relative_to(root).as_posix())


def _is_remittance(relative: Path, path: Path) -> bool:
    """An 835 file: anything in era/ (any extension), or a file that starts with ISA."""
    return relative.parts[0].casefold() == ERA_FOLDER or looks_like_x12(path)


def _input_files(folder: Path, notes: list[Note],
                 eras: dict[str, Path] | None = None) -> dict[str, Path]:
    """Every input file in the folder and one level of sub-folders, by relative path
    (remittances go to ``eras``)."""
    files: dict[str, Path] = {}
    seen: dict[Path, str] = {}   # a link inside the folder to a file it already holds
    for path in sorted(_entries(folder, folder, 0, notes), key=lambda p: (p.is_symlink(), p)):
        relative = path.relative_to(folder)
        same = seen.get(path.resolve())
        if same is not None:
            notes.append(Note(reason=f"the same file as {same} (a link to it): read once",
                              file=_shown(path, folder)))
            continue
        seen[path.resolve()] = _shown(path, folder)
        if path.name.lower() in _NOT_INPUTS or path.name.lower() in ("thumbs.db", "desktop.ini"):
            continue
        key = readable_name(relative.as_posix())
        if is_deliverable(path.name):
            notes.append(Note(reason="an xlfees letter, summary or proposed schedule (a result, "
                                     "not an input): not read", file=key))
            continue
        if eras is not None and _is_remittance(relative, path):
            eras[key] = path
            continue
        reason = unsupported_reason(path)
        if reason:
            notes.append(Note(reason=f"not read: it {reason}", file=key))
            continue
        files[key] = path
    return files


def _office_fees(folder: Path, reads: list[FileRead], notes: list[Note]) -> pd.DataFrame:
    """Office fees from their own file(s), else from a comparison sheet's office-fee column."""
    own = [r for r in reads if r.role == "office_fees"]
    from_sheets = [r for r in reads if r.role == "schedule" and r.office_fees]
    if own:
        empty = [r for r in own if not r.office_fees]
        if empty:
            raise ClientFolderError(_no_office_fee_rows(empty[0]))
        for read in from_sheets:
            notes.append(Note(reason="office-fee column not used: "
                                     + ", ".join(r.file for r in own) + " gives the office fees",
                              file=read.file))
        return pd.concat([r.frame("office_fees") for r in own], ignore_index=True)
    if from_sheets:
        return pd.concat([r.frame("office_fees") for r in from_sheets], ignore_index=True)
    raise ClientFolderError(_no_office_fees(folder, reads))


ROLE_WORDS = {"schedule": "a payer schedule", "office_fees": "the office fees",
              "volume": "a volume report", "survey": "a fee survey"}


def _survey_benchmark(office_fees: pd.DataFrame, reads: list[FileRead], settings: Settings,
                      source: Path, notes: list[Note]) -> pd.DataFrame:
    """With ``benchmark = "survey:p80"`` the survey's column is every code's benchmark.

    A survey in the folder is otherwise only noted: it never becomes a payer.
    """
    surveys = [r for r in reads if r.role == "survey"]
    statistic = survey_statistic(settings.benchmark)
    if statistic is None:
        for read in surveys:
            notes.append(Note(reason='a fee survey: used as the benchmark with '
                                     'benchmark = "survey:p80" (or another of its columns) in '
                                     "client.toml", file=read.file))
        return office_fees
    if not surveys:
        raise SettingsError("settings.benchmark", f"is {settings.benchmark!r} but the folder "
                            "holds no fee survey", "add the survey file (code, description, "
                            'percentiles), or use benchmark = "median"', source=str(source))
    if len(surveys) > 1:
        raise SettingsError("settings.benchmark", f"is {settings.benchmark!r} and the folder "
                            "holds several surveys (" + ", ".join(r.file for r in surveys) + ")",
                            "keep one survey in the folder", source=str(source))
    [survey] = surveys
    available = sorted({k for row in survey.survey for k, v in row.items()
                        if k not in ("code", "description", "sheet", "row", "responses",
                                     "std_dev") and v is not None})
    if statistic not in available:
        raise SettingsError("settings.benchmark", f"is {settings.benchmark!r} but "
                            f"{survey.file} has no {statistic} column",
                            "use one it has: " + ", ".join(f'"survey:{a}"' for a in available),
                            source=str(source))
    values = {row["code"]: row[statistic] for row in survey.survey
              if row.get(statistic) is not None}
    office_fees = office_fees.copy()
    office_fees["benchmark"] = [values.get(code) for code in office_fees["code"]]
    notes.append(Note(reason=f"the benchmark is this survey's {statistic} for "
                             f"{len(values)} codes", file=survey.file))
    return office_fees


def _no_office_fees(folder: Path, reads: list[FileRead]) -> str:
    """Say what was looked for, what each file was read as instead, and the line that fixes it."""
    found = []
    for read in reads:
        what = ROLE_WORDS[read.role]
        if read.role == "schedule":
            payers = sorted({r["payer"] for r in read.schedules})
            if len(payers) == 1:
                what += f" for '{payers[0]}'"
        found.append(f"{read.file} ({what})")
    # The file most likely meant as the office fees: named for the office, else any
    # schedule outside payers/.
    likely = next((r.file for r in reads if name_hint(r.file) == "office_fees"), None) or \
        next((r.file for r in reads if r.role == "schedule"
              and name_hint(r.file) != "schedule"), None)
    fix = (f'if {likely} holds the office fees, say so in client.toml: [files."{likely}"] '
           'role = "office_fees"' if likely else
           "add the office's fee list (e.g. office_fees.csv with the columns code, "
           "description, office_fee)")
    return (f"{folder}: no office fees found. Looked for a file whose columns hold CDT codes "
            "and the office's own fee (a header such as 'Office fee', 'UCR' or 'Usual fee', "
            "or 'Fee' in a file named for the office), or an office-fee column in a "
            "comparison sheet; found instead: " + ("; ".join(found) or "no readable file")
            + f". Fix: {fix}")


def _no_office_fee_rows(read: FileRead) -> str:
    """An office-fee file that gave no row: the columns it has and the first rows left out."""
    columns = ", ".join(repr(h) for h in read.headers) or "no header row"
    first = read.rejected[0] if read.rejected else None
    example = (f"; its first rejected row, row {first.row} {first.text!r}: {first.reason}"
               if first else "")
    mapped = ", ".join(f"{name} ← {header!r}" for name, header in read.columns.items()
                       if isinstance(header, str))
    return (f"{read.file}: read as the office fees, but no row gave a code and a fee "
            f"(columns seen: {columns}; read as: {mapped or 'nothing'}{example}). Fix: map "
            f'the fee column in client.toml: [files."{read.file}"] columns = '
            '{ office_fee = "<header>" }')


def latest_effective(schedules: pd.DataFrame, notes: list[Note]) -> pd.DataFrame:
    """Where one payer has dated schedules for a code, the newest applies; the rest are noted."""
    keep, superseded = schedule_versions(schedules)
    for index, newest in superseded:
        row = schedules.loc[index]
        number = row.get("row")   # numpy's int (or a NaN) as the plain int a note holds
        notes.append(Note(reason=f"superseded by the schedule effective {newest}",
                          file=row.get("source"), sheet=row.get("sheet"),
                          row=int(number) if number is not None and number == number else None,
                          text=row["code"]))
    return schedules.loc[keep].reset_index(drop=True)


def schedule_versions(schedules: pd.DataFrame) -> tuple[list[Any], list[tuple[Any, str]]]:
    """The index of each row in force, and (index, newer effective date) of each row a
    newer dated version of the same payer's code replaces."""
    if "effective" not in schedules or schedules["effective"].isna().all():
        return list(schedules.index), []
    keep: list[Any] = []
    superseded: list[tuple[Any, str]] = []
    for _, group in schedules.groupby(["payer", "network", "code"], sort=False, dropna=False):
        dated = group[group["effective"].notna()]
        if len(group) == 1 or len(dated) != len(group) or dated["effective"].nunique() == 1:
            keep.extend(group.index)
            continue
        newest = dated["effective"].max()
        for index, effective in zip(group.index, group["effective"]):
            if effective == newest:
                keep.append(index)
            else:
                superseded.append((index, newest))
    return sorted(keep), superseded
