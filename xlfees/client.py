"""A client: office fees, payer schedules, volume and settings, validated into canonical tables."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import pandas as pd

from .amounts import implausible
from .cdt import normalize_code
from .errors import ClientFolderError, InputError, SettingsError, XlfeesError
from .sources.folder import Folder, latest_effective, read_inputs, schedule_versions
from .labels import schedule_label
from .notes import Note
from .sources.client_toml import Settings, email_addresses
from .wording import printable, readable_name

if TYPE_CHECKING:
    from .sources.era import Remittance

OFFICE_FEE_COLUMNS = ("code", "description", "office_fee", "benchmark")
SCHEDULE_COLUMNS = ("payer", "network", "code", "allowed", "alt_code", "alt_allowed",
                    "effective", "source", "row")
VOLUME_COLUMNS = ("code", "payer", "count")
COPAY_COLUMNS = ("payer", "network", "code", "copay", "effective", "source", "row")


@dataclass(frozen=True)
class PayerContact:
    """Who a payer's letter is addressed to (``[payers."Name"]`` in client.toml)."""

    name: str | None = None           # a person, "Jordan Lee"
    title: str | None = None          # "Network Manager"
    department: str | None = None     # default: Provider Relations
    address: str | None = None        # postal address, lines as written


@dataclass(frozen=True)
class Practice:
    """What letters to payers say about the practice (all optional, from client.toml)."""

    tin: str | None = None
    npi: str | None = None
    address: str | None = None
    phone: str | None = None
    signer: str | None = None             # who signs the letters
    signer_title: str | None = None
    contracts: dict[str, str] = field(default_factory=dict)   # payer or schedule → number
    payer_contacts: dict[str, PayerContact] = field(default_factory=dict)  # payer or schedule
    appeal_days: dict[str, int] = field(default_factory=dict)   # payer or schedule → days

    def contract_for(self, payer: str, label: str) -> str | None:
        return self.contracts.get(label) or self.contracts.get(payer)

    def contact_for(self, payer: str, label: str) -> PayerContact | None:
        return self.payer_contacts.get(label) or self.payer_contacts.get(payer)

    def appeal_days_for(self, payer: str, label: str, default: int) -> int:
        """Days after a payment the payer takes an appeal of it."""
        return self.appeal_days.get(label) or self.appeal_days.get(payer) or default


@dataclass(frozen=True)
class Client:
    """One practice's inputs in canonical long form; build with :meth:`from_frames`."""

    name: str
    office_fees: pd.DataFrame
    schedules: pd.DataFrame
    volume: pd.DataFrame
    settings: Settings = field(default_factory=Settings)
    notes: tuple[Note, ...] = ()
    owner_email: tuple[str, ...] = ()   # who receives the workbook (xlfees send)
    cc: tuple[str, ...] = ()
    practice: Practice = field(default_factory=Practice)
    # Monitoring: the ERAs, other spellings of payer names, and every dated version of
    # each schedule (the one in force on a service date is what a line is held to).
    remittances: tuple[Any, ...] = ()
    payer_aliases: dict[str, str] = field(default_factory=dict)
    schedule_history: pd.DataFrame | None = None
    group: str | None = None   # the multi-location group it is a location of (client.toml)
    # Copay (DHMO) plans: what patients pay for each code; never allowed amounts, kept out
    # of every rate and ask (payer, network, code, copay, effective, source, row).
    copays: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(
        COPAY_COLUMNS)))

    def asking_on(self, codes: int) -> "Client":
        """This client with packages of at most ``codes`` codes (``letters --top``)."""
        return dataclasses.replace(self, settings=dataclasses.replace(self.settings,
                                                                      ask_codes=codes))

    @classmethod
    def from_frames(cls, name: str, office_fees: pd.DataFrame, schedules: pd.DataFrame,
                    volume: pd.DataFrame | None = None, settings: Settings | None = None,
                    notes: Iterable[Note] = (), owner_email: Iterable[str] = (),
                    practice: Practice | None = None, cc: Iterable[str] = (),
                    remittances: Iterable[Any] = (), payer_aliases: dict[str, str] | None = None,
                    schedule_history: pd.DataFrame | None = None,
                    group: str | None = None,
                    copays: pd.DataFrame | None = None) -> "Client":
        """Validate and normalise the three tables; bad rows raise :class:`InputError`."""
        if volume is None:
            volume = pd.DataFrame(columns=list(VOLUME_COLUMNS))
        notes = list(notes)
        return cls(
            name=name,
            office_fees=_office_fees(office_fees),
            schedules=_distinct_labels(_schedules(schedules), notes),
            volume=_volume(volume),
            settings=settings or Settings(),
            notes=tuple(notes),
            owner_email=(owner_email,) if isinstance(owner_email, str) else tuple(owner_email),
            cc=(cc,) if isinstance(cc, str) else tuple(cc),
            practice=practice or Practice(),
            remittances=tuple(remittances), payer_aliases=dict(payer_aliases or {}),
            # As read (several dated versions of a code): only monitoring looks at it.
            schedule_history=(None if schedule_history is None
                              else schedule_history.reset_index(drop=True)),
            group=group, copays=_copays(copays),
        )


def _copays(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Copay plans' rows checked like a schedule's: a payer, a CDT code, an amount."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=list(COPAY_COLUMNS))
    table = "copays"
    _require(frame, table, ("payer", "code", "copay"))
    rows = []
    for where, record in zip(_locations(frame), frame.to_dict("records")):
        payer = _text(record.get("payer"))
        if not payer:
            raise InputError(table, where[1], "has no payer name",
                             "fill in the plan's name, or pin it in client.toml",
                             source=where[0])
        rows.append({"payer": payer, "network": _text(record.get("network")),
                     "code": _code(table, record.get("code"), where),
                     "copay": _amount(table, "copay", record.get("copay"), where),
                     "effective": _text(record.get("effective")) or None,
                     "source": where[0], "row": where[1]})
    return pd.DataFrame(rows, columns=list(COPAY_COLUMNS))


def _require(frame: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(table, None, "has no column " + ", ".join(repr(c) for c in missing),
                         "add the column or map it in client.toml")


def _locations(frame: pd.DataFrame) -> list[tuple[str | None, int]]:
    """(source file, row number) of every row: the reader's own, else 1-based position."""
    sources = frame["source"].tolist() if "source" in frame.columns else [None] * len(frame)
    if "row" in frame.columns:
        rows = [int(r) if _is_number(r) else i + 1 for i, r in enumerate(frame["row"].tolist())]
    else:
        rows = list(range(1, len(frame) + 1))
    return [(_text(s) or None, r) for s, r in zip(sources, rows)]


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    return printable(str(value)).strip()   # no control character reaches a workbook or letter


def _code(table: str, value: Any, where: tuple[str | None, int], column: str = "code") -> str:
    code = normalize_code(value)
    if code is None:
        raise InputError(table, where[1], f"{column} {value!r} is not a CDT code",
                         "write codes as D + 4 digits (D2391)", source=where[0])
    return code


def _amount(table: str, column: str, value: Any, where: tuple[str | None, int],
            optional: bool = False) -> float:
    if optional and (value is None or value is pd.NA
                     or (isinstance(value, float) and math.isnan(value))):
        return math.nan
    if isinstance(value, str) or not _is_number_like(value):
        raise InputError(table, where[1], f"{column} {value!r} is not a number",
                         "enter the amount as a number", source=where[0])
    number = float(value)
    if math.isnan(number):
        raise InputError(table, where[1], f"{column} is empty (NaN)",
                         "enter the amount, or remove the row", source=where[0])
    if not math.isfinite(number) or number < 0:
        raise InputError(table, where[1], f"{column} {number:g} is negative or infinite",
                         "enter the amount as a positive number", source=where[0])
    reason = implausible(number, count=column == "count")
    if reason:
        raise InputError(table, where[1], f"{column} {reason}", "correct the amount",
                         source=where[0])
    return number


def _is_number_like(value: Any) -> bool:
    if value is None or value is pd.NA or isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _office_fees(frame: pd.DataFrame) -> pd.DataFrame:
    table = "office fees"
    _require(frame, table, ("code", "office_fee"))
    kept: dict[str, tuple[str, float, float, tuple[str | None, int]]] = {}
    n = len(frame)
    descriptions = frame["description"].tolist() if "description" in frame else [""] * n
    # An optional external benchmark (a fee survey, UCR percentile) per code.
    benchmarks = frame["benchmark"].tolist() if "benchmark" in frame else [None] * n
    for where, code, description, fee, benchmark in zip(
            _locations(frame), frame["code"].tolist(), descriptions,
            frame["office_fee"].tolist(), benchmarks):
        code = _code(table, code, where)
        fee = _amount(table, "office_fee", fee, where)
        benchmark = _amount(table, "benchmark", benchmark, where, optional=True)
        if code in kept and kept[code][1] != fee:
            first = kept[code][3]
            raise InputError(table, where[1],
                             f"{code} has office fee {fee:g} here and {kept[code][1]:g} "
                             f"at row {first[1]}", "keep one fee per code", source=where[0])
        if code not in kept:
            kept[code] = (_text(description), fee, benchmark, where)
    rows = [(code, d, fee, b) for code, (d, fee, b, _) in sorted(kept.items())]
    result = pd.DataFrame(rows, columns=list(OFFICE_FEE_COLUMNS))
    for column in ("office_fee", "benchmark"):
        result[column] = result[column].astype(float)
    return result


def columns(frame: pd.DataFrame, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``names`` as plain tuples, each column read as a list first (pandas
    string columns give a cell at a time at a microsecond each: 100,000 rows × 6 columns
    is most of an analysis)."""
    return zip(*(frame[name].tolist() for name in names))


def _schedules(frame: pd.DataFrame) -> pd.DataFrame:
    table = "schedules"
    _require(frame, table, ("payer", "code", "allowed"))
    n = len(frame)
    # Columns as lists once: a cell at a time through pandas costs 20 µs, 250,000 rows 5 s.
    column = {c: frame[c].tolist() if c in frame.columns else [None] * n
              for c in ("payer", "code", "allowed", "network", "alt_code", "alt_allowed",
                        "effective")}
    kept: dict[tuple[str, str, str], dict[str, Any]] = {}
    for i, where in enumerate(_locations(frame)):
        payer = _text(column["payer"][i])
        if not payer:
            raise InputError(table, where[1], "has no payer name",
                             "fill in the payer, or pin it in client.toml", source=where[0])
        network = _text(column["network"][i])
        code = _code(table, column["code"][i], where)
        allowed = _amount(table, "allowed", column["allowed"][i], where)
        alt_raw = column["alt_code"][i]
        alt_code = _code(table, alt_raw, where, "alt_code") if _text(alt_raw) else None
        alt_allowed = _amount(table, "alt_allowed", column["alt_allowed"][i], where,
                              optional=True)
        record = {"payer": payer, "network": network, "code": code, "allowed": allowed,
                  "alt_code": alt_code, "alt_allowed": alt_allowed,
                  "effective": _text(column["effective"][i]) or None,
                  "source": where[0], "row": where[1]}
        key = (payer, network, code)
        if key in kept:
            first = kept[key]
            same = (first["allowed"] == allowed and first["alt_code"] == alt_code
                    and _same_amount(first["alt_allowed"], alt_allowed))
            if not same:
                raise InputError(table, where[1],
                                 f"{payer} {network} {code} is {allowed:g} here and "
                                 f"{first['allowed']:g} at row {first['row']}".replace("  ", " "),
                                 "keep one amount per payer, network and code", source=where[0])
            continue
        kept[key] = record
    rows = [kept[k] for k in sorted(kept)]
    result = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))
    for c in ("allowed", "alt_allowed"):
        result[c] = result[c].astype(float)
    result["row"] = result["row"].astype("int64")
    return result


# The most schedules one client may have: a worksheet has 16,384 columns (the Gaps
# sheet has one per schedule) and no practice is in network with hundreds of plans.
MAX_SCHEDULES = 500


def _distinct_labels(schedules: pd.DataFrame, notes: list[Note]) -> pd.DataFrame:
    """Payer "Delta Dental" network "PPO" and payer "Delta Dental (PPO)" would share the
    label "Delta Dental (PPO)", and so one column and one set of figures: the second is
    renamed "… #2", with a note."""

    keys = sorted(set(columns(schedules, ["payer", "network"])))
    if len(keys) > MAX_SCHEDULES:
        raise InputError("schedules", None, f"hold {len(keys):,} payer schedules, more than "
                         f"the {MAX_SCHEDULES} one workbook can compare",
                         "check the payer names the files give (a payer per row?), or split "
                         "the client")
    taken: set[str] = set()
    renames: dict[tuple[str, str], str] = {}
    for payer, network in keys:
        label, number, renamed = schedule_label(payer, network), 1, payer
        while label.casefold() in taken:
            number += 1
            renamed = f"{payer} #{number}"
            label = schedule_label(renamed, network)
        taken.add(label.casefold())
        if renamed != payer:
            renames[(payer, network)] = renamed
            which = f"payer '{payer}'" + (f" network '{network}'" if network else "")
            notes.append(Note(reason=f"{which} would be shown like another schedule: it is "
                                     f"shown as '{label}'; give it a distinct name with a "
                                     "client.toml pin", file="schedules", stage="analysis"))
    if renames:
        schedules = schedules.copy()
        schedules["payer"] = [renames.get((p, n), p)
                              for p, n in zip(schedules["payer"], schedules["network"])]
    return schedules


def _same_amount(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _volume(frame: pd.DataFrame) -> pd.DataFrame:
    table = "volume"
    _require(frame, table, ("code", "count"))
    payers = frame["payer"].tolist() if "payer" in frame.columns else [None] * len(frame)
    totals: dict[tuple[str, str], float] = {}
    for where, code, payer, count in zip(_locations(frame), frame["code"].tolist(), payers,
                                         frame["count"].tolist()):
        code = _code(table, code, where)
        count = _amount(table, "count", count, where)
        key = (code, _text(payer))
        # A report may list a code once per provider or location: counts add up.
        totals[key] = totals.get(key, 0.0) + count
    rows = [(code, payer, count) for (code, payer), count in sorted(totals.items())]
    result = pd.DataFrame(rows, columns=list(VOLUME_COLUMNS))
    result["count"] = result["count"].astype(float)
    return result


def load_client(folder: str | Path) -> Client:
    """Read a client folder: office fees, payer schedules (any shape), volume, client.toml.

    Files are recognised by content, with their name and folder (``payers/``)
    as a tie-breaker; ``[files."…"]`` in client.toml pins what detection
    cannot guess. Rows that cannot be read are reported in the client's notes.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ClientFolderError(f"{folder} is not a folder: pass a client folder holding the "
                                "office fees and the payer schedules")
    opened = Folder.open(folder, with_settings=True)
    document, toml_path, notes = opened.document, opened.toml_path, opened.notes
    settings = opened.settings
    assert settings is not None   # asked for with_settings
    unknown = sorted(set(opened.pins) - set(opened.files))
    if unknown:
        raise SettingsError(f'files."{unknown[0]}"', "names no file in the folder",
                            "write the path as it is inside the client folder, e.g. "
                            '"payers/aetna.xlsx"', source=str(toml_path))
    inputs = read_inputs(folder, opened, settings, notes)
    return build_client(folder, document, toml_path, settings=settings,
                        office_fees=inputs.office_fees, schedule_history=inputs.schedule_history,
                        volume=inputs.volume, copays=inputs.copays, notes=notes,
                        remittances=opened.remittances())


def build_client(folder: Path, document: dict[str, Any], toml_path: Path, *,
                 settings: Settings, office_fees: pd.DataFrame,
                 schedule_history: pd.DataFrame, volume: pd.DataFrame | None,
                 notes: list[Note], remittances: Iterable[Remittance] = (),
                 name: str | None = None, copays: pd.DataFrame | None = None) -> Client:
    """The one way a client is made, from a folder's files or from the ribbon's sheets:
    every dated version of each schedule (the newest in force; the others noted and kept
    for the Changes sheet and monitoring), the practice, payer contacts and aliases, the
    e-mail addresses and the group, all from ``document`` (the parsed client.toml)."""
    schedules = latest_effective(schedule_history, notes)
    practice = practice_from_toml(document)
    _check_payer_contacts(practice, schedules, toml_path)
    aliases = {printable(k): printable(v) for k, v in document.get("payer_aliases", {}).items()}
    _check_names(aliases.values(), "payer_aliases", schedules, toml_path)
    return Client.from_frames(
        name=name or document.get("name") or readable_name(folder.resolve().name),
        office_fees=office_fees, schedules=schedules, volume=volume,
        settings=settings,
        # Read twice (the ribbon keeps the folder's notes in its sheet), said once.
        notes=list(dict.fromkeys(notes)),
        owner_email=email_addresses(document.get("owner_email", []), "owner_email"),
        cc=email_addresses(document.get("cc", []), "cc"),
        remittances=tuple(remittances), payer_aliases=aliases,
        schedule_history=schedule_history, practice=practice,
        group=_toml_text(document.get("group")), copays=copays,
    )


def superseded_versions(folder: Path, notes: list[Note]) -> pd.DataFrame | None:
    """The dated schedule rows of a client folder that a newer version replaces (what the
    ribbon's Schedules sheet does not show), or None when the folder has none or cannot be
    read as a client folder (a coordinator who types the inputs into the sheets keeps the
    workbook in any folder: the sheets alone are the client then; a note says so)."""
    try:
        opened = Folder.open(folder, with_settings=True)
        assert opened.settings is not None
        history = read_inputs(folder, opened, opened.settings, []).schedule_history
    except XlfeesError as error:
        notes.append(Note(reason="older schedule versions not read from the client folder "
                                 f"({error}): the Changes sheet and remittances use the "
                                 "Schedules sheet alone", stage="analysis"))
        return None
    _, superseded = schedule_versions(history)
    return history.loc[[index for index, _ in superseded]] if superseded else None


def practice_from_toml(document: dict[str, Any]) -> Practice:
    """What the letters say about the practice and address to each payer, from a parsed
    (and validated) client.toml."""
    return Practice(
        tin=_toml_text(document.get("tin")), npi=_toml_text(document.get("npi")),
        address=_toml_text(document.get("address")), phone=_toml_text(document.get("phone")),
        # "contact" is the older name of "signer"
        signer=_toml_text(document.get("signer") or document.get("contact")),
        signer_title=_toml_text(document.get("signer_title")),
        contracts={payer: printable(number)
                   for payer, number in document.get("contracts", {}).items()},
        payer_contacts={payer: PayerContact(name=_toml_text(keys.get("contact")),
                                            title=_toml_text(keys.get("title")),
                                            department=_toml_text(keys.get("department")),
                                            address=_toml_text(keys.get("address")))
                        for payer, keys in document.get("payers", {}).items()},
        appeal_days={payer: keys["appeal_days"]
                     for payer, keys in document.get("payers", {}).items()
                     if "appeal_days" in keys})


def _check_payer_contacts(practice: Practice, schedules: pd.DataFrame, toml_path: Path) -> None:
    """A ``[payers."Name"]`` section that names no payer would address no letter: say so."""
    _check_names(practice.payer_contacts, "payers", schedules, toml_path)


def _check_names(names: Iterable[str], section: str, schedules: pd.DataFrame,
                 toml_path: Path) -> None:
    """Names in a client.toml section must be a payer or a schedule ("Payer (Network)")."""
    known = set(schedules["payer"].tolist()) | {schedule_label(p, n) for p, n in set(zip(
        schedules["payer"].tolist(), schedules["network"].tolist()))}
    unknown = sorted(set(names) - known)
    if unknown:
        raise SettingsError(f"{section}.{unknown[0]}" if section == "payers"
                            else f"{section} = {unknown[0]!r}", "names no payer of this client",
                            "write it as a payer or schedule is named: "
                            + ", ".join(sorted(known)), source=str(toml_path))


def _toml_text(value: str | None) -> str | None:
    """A client.toml text as a letter may print it (no control characters); None if blank."""
    return printable(value).strip() or None if value else None
