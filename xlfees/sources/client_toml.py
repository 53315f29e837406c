"""client.toml, the one model of it: every key checked (``[settings]``, ``[coverage]``,
``[files."…"]``, ``[limits]``, the practice and payer keys), and what each section becomes
(Settings, the file pins, the read limits)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Mapping

from ..cdt import CATEGORIES, normalize_code
from ..errors import SettingsError
from ..files import MB
from ..readers.limits import Limits
from ..readers.pins import COLUMN_NAMES, FILE_ROLES, FilePins

# Typical PPO coinsurance by category: basic services 80 %, major 50 %.
DEFAULT_COVERAGE: Mapping[str, float] = MappingProxyType({
    "Diagnostic": 1.0,
    "Preventive": 1.0,
    "Restorative": 0.8,
    "Endodontics": 0.8,
    "Periodontics": 0.8,
    "Removable prosthodontics": 0.5,
    "Maxillofacial prosthetics": 0.5,
    "Implant services": 0.5,
    "Fixed prosthodontics": 0.5,
    "Oral and maxillofacial surgery": 0.5,
    "Orthodontics": 0.5,
    "Adjunctive general services": 0.8,
})

# Performed code → the cheaper code plans pay instead. Implant and build-up
# downgrades vary by plan, so they come only from a schedule or client.toml.
DEFAULT_ALT_MAP: Mapping[str, str] = MappingProxyType({
    "D2391": "D2140",
    "D2392": "D2150",
    "D2393": "D2160",
    "D2394": "D2161",
    "D2740": "D2791",
    "D2750": "D2751",
})

# Where a downgrade came from, as the workbook, the JSON and the notes say it.
ALT_MAP_SETTINGS = "client.toml"
ALT_MAP_DEFAULT = "assumed (default map)"
NONE = "none"   # alt_map = "none", payer_alt_map."Payer" = "none": no downgrades

PEER = "peer"
DEFAULT_ASK = 0.10
BENCHMARKS_FIXED = ("median", "max")
_PERCENTILE = re.compile(r"^p(\d{1,2}|100)$")
BALANCE_BASES = ("office", "contracted")
# The ask (DESIGN "The ask"): how each code's requested amount is set, and the packages.
TO_BENCHMARK, PERCENT = "to_benchmark", "percent"
ASK_STRATEGIES = (TO_BENCHMARK, PERCENT)
ASK_PACKAGES = ("conservative", "target", "stretch")
# Letters and import files list at most this many codes per payer (xlfees letters --top).
DEFAULT_TOP = 15


@dataclass(frozen=True)
class Settings:
    """Assumptions of one analysis; every field has its docs/client_toml.md default."""

    ask: float | str = DEFAULT_ASK   # a fraction (0.10 = +10 %) or "peer"
    alt_ask: float = 0.15
    benchmark: str = "median"        # median | max | pNN | external
    balance_basis: str = "office"    # office | contracted
    coverage: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_COVERAGE))
    payer_shares: Mapping[str, float] = field(default_factory=dict)
    # [alt_map] of client.toml: downgrades for every payer, over the default map.
    alt_map: Mapping[str, str] = field(default_factory=dict)
    # False with alt_map = "none": DEFAULT_ALT_MAP is not assumed for any payer.
    default_alt_map: bool = True
    # [payer_alt_map."Payer"]: one payer's own downgrades; None (= "none"): no downgrade
    # for that payer beyond what its own schedule says.
    payer_alt_map: Mapping[str, Mapping[str, str] | None] = field(default_factory=dict)
    # What the office would collect of its fee from a patient out of network (for the
    # break-even retention of leaving a network), and whether letters may say so.
    oon_collection: float = 0.9
    letter_mentions_leaving: bool = False
    # One package of codes and requested amounts per payer (xlfees.analysis.asks).
    ask_strategy: str = TO_BENCHMARK   # to_benchmark | percent
    ask_codes: int = DEFAULT_TOP       # at most this many codes in a package
    ask_min_volume: float = 1.0        # only codes performed at least this often a year
    ask_cap: float | None = None       # the most a package raises the weighted rate
    ask_package: str = "target"        # conservative | target | stretch: what letters carry
    # The recovery worklist: days after the payment a payer takes appeals (per payer in
    # [payers."…"] appeal_days; this default for the rest).
    appeal_days: int = 180

    def __post_init__(self) -> None:
        _check_days("settings.appeal_days", self.appeal_days)
        _check_ask(self.ask)
        _check_fraction("settings.oon_collection", self.oon_collection, upper=1.0)
        if self.oon_collection == 0:
            raise SettingsError("settings.oon_collection", "is 0",
                                "write the share of the office fee collected out of network, "
                                "e.g. 0.9")
        if not isinstance(self.letter_mentions_leaving, bool):
            raise SettingsError("settings.letter_mentions_leaving",
                                f"is {self.letter_mentions_leaving!r}", "write true or false")
        _check_fraction("settings.alt_ask", self.alt_ask, upper=1.0)
        _check_ask_package(self)
        benchmark_percentile(self.benchmark)
        if self.balance_basis not in BALANCE_BASES:
            raise SettingsError("settings.balance_basis", f"is {self.balance_basis!r}",
                                "use \"office\" or \"contracted\"")
        for name, value in self.coverage.items():
            if name not in CATEGORIES:
                raise SettingsError(f"coverage.{name}", "is not a CDT category",
                                    "use one of: " + ", ".join(CATEGORIES))
            _check_fraction(f"coverage.{name}", value, upper=1.0)
        for payer, share in self.payer_shares.items():
            _check_fraction(f"payer_shares.{payer}", share, upper=1.0)
        total = math.fsum(self.payer_shares.values())
        if total > 1.0 + 1e-9:
            raise SettingsError("payer_shares", f"add up to {total:g}, more than 1",
                                "make the shares of all payers sum to at most 1")
        _check_alt_map("alt_map", self.alt_map)
        for payer, mapping in self.payer_alt_map.items():
            if mapping is not None:
                _check_alt_map(f"payer_alt_map.{payer}", mapping)

    def coverage_for(self, category: str) -> float:
        """Coverage fraction for a CDT category, the default where not set."""
        return float(self.coverage.get(category, DEFAULT_COVERAGE[category]))

    def alternate_for(self, payer: str, code: str) -> tuple[str | None, str | None]:
        """The code ``payer`` pays ``code`` as, and where that comes from.

        ``(alternate, ALT_MAP_SETTINGS)`` for a client.toml line, ``(alternate,
        ALT_MAP_DEFAULT)`` for the default map, ``(None, None)`` for no downgrade.
        """
        if payer in self.payer_alt_map:
            by_payer = self.payer_alt_map[payer]
            if by_payer is None:
                return None, None
            if code in by_payer:
                return by_payer[code] or None, ALT_MAP_SETTINGS  # "" switches it off
        if code in self.alt_map:
            return self.alt_map[code] or None, ALT_MAP_SETTINGS
        if self.default_alt_map and code in DEFAULT_ALT_MAP:
            return DEFAULT_ALT_MAP[code], ALT_MAP_DEFAULT
        return None, None

    @classmethod
    def from_toml(cls, document: Mapping[str, Any], source: str | None = None) -> "Settings":
        """Build settings from a parsed ``client.toml``; unknown keys are errors."""
        try:
            return _settings_from_toml(document)
        except SettingsError as error:
            if source and not error.source:
                raise SettingsError(error.key, error.problem, error.fix, source) from None
            raise


EXTERNAL = "external"


def benchmark_percentile(benchmark: str) -> float | None:
    """The percentile (0–1) a benchmark setting stands for: median 0.5, max 1, p75 0.75.

    None for ``external``: the office-fee table's own ``benchmark`` column
    (a survey or UCR figure) is the benchmark for every payer.
    """
    if benchmark == EXTERNAL:
        return None
    if isinstance(benchmark, str) and benchmark.startswith(SURVEY_PREFIX):
        survey_statistic(benchmark)   # validates
        return None
    if benchmark == "median":
        return 0.5
    if benchmark == "max":
        return 1.0
    match = _PERCENTILE.match(benchmark) if isinstance(benchmark, str) else None
    if match is None:
        raise SettingsError("settings.benchmark", f"is {benchmark!r}",
                            "use \"median\", \"max\", a percentile such as \"p75\", "
                            "\"external\", or a fee survey's column: \"survey:p80\"")
    return int(match.group(1)) / 100


SURVEY_PREFIX = "survey:"


def survey_statistic(benchmark: str) -> str | None:
    """``"survey:p80"`` → ``"p80"``, ``"survey:median"`` → ``"p50"``; None for other benchmarks."""
    if not benchmark.startswith(SURVEY_PREFIX):
        return None
    statistic = benchmark[len(SURVEY_PREFIX):].strip().lower()
    statistic = {"median": "p50", "mean": "average"}.get(statistic, statistic)
    if statistic == "average" or _PERCENTILE.match(statistic):
        return statistic
    raise SettingsError("settings.benchmark", f"is {benchmark!r}",
                        'name a survey column: "survey:p80" (any percentile it lists), '
                        '"survey:median" or "survey:average"')


def is_external(benchmark: str) -> bool:
    """The benchmark is a figure per code from outside the payers (a column, a survey)."""
    return benchmark == EXTERNAL or benchmark.startswith(SURVEY_PREFIX)


def _check_ask(ask: object) -> None:
    if ask == PEER:
        return
    if isinstance(ask, str):
        raise SettingsError("settings.ask", f"is {ask!r}",
                            'use a fraction such as 0.10 (= +10 %) or "peer"')
    _check_fraction("settings.ask", ask, upper=1.0)


def _check_ask_package(settings: Settings) -> None:
    if settings.ask_strategy not in ASK_STRATEGIES:
        raise SettingsError("settings.ask_strategy", f"is {settings.ask_strategy!r}",
                            'use "to_benchmark" (up to the peer benchmark) or "percent" '
                            "(+ask on today's allowed amounts)")
    if settings.ask_strategy == PERCENT and settings.ask == PEER:
        raise SettingsError("settings.ask", 'is "peer" with ask_strategy = "percent"',
                            "give the percentage as a fraction, e.g. ask = 0.10")
    codes = settings.ask_codes
    if isinstance(codes, bool) or not isinstance(codes, int) or not 1 <= codes <= 200:
        raise SettingsError("settings.ask_codes", f"is {codes!r}",
                            "use a whole number of codes from 1 to 200 (15 fill a letter)")
    _check_fraction("settings.ask_min_volume", settings.ask_min_volume, upper=None)
    if settings.ask_cap is not None:
        _check_fraction("settings.ask_cap", settings.ask_cap, upper=1.0)
        if settings.ask_cap == 0:
            raise SettingsError("settings.ask_cap", "is 0",
                                "leave it out for no cap, or give the most the weighted rate "
                                "may rise, e.g. 0.08")
    if settings.ask_package not in ASK_PACKAGES:
        raise SettingsError("settings.ask_package", f"is {settings.ask_package!r}",
                            "use one of: " + ", ".join(ASK_PACKAGES))


def _check_fraction(key: str, value: object, upper: float | None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(key, f"is {value!r}, not a number", "write a number such as 0.8")
    if not math.isfinite(value) or value < 0 or (upper is not None and value > upper):
        limit = f"between 0 and {upper:g}" if upper is not None else "0 or more"
        raise SettingsError(key, f"is {value!r}", f"use a fraction {limit} (0.8 = 80 %)")


def _check_alt_map(key: str, mapping: Mapping[str, str]) -> None:
    for performed, alternate in mapping.items():
        if normalize_code(performed) != performed:
            raise SettingsError(f"{key}.{performed}", "is not a CDT code",
                                "write codes as D + 4 digits, e.g. D2391 = \"D2140\"")
        if alternate and normalize_code(alternate) != alternate:
            raise SettingsError(f"{key}.{performed}", f"maps to {alternate!r}, not a CDT code",
                                "write the alternate as D + 4 digits, or \"\" for none")


def _check_days(key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
        raise SettingsError(key, f"is {value!r}",
                            "give the appeal window in whole days, e.g. appeal_days = 180")


_TOP_KEYS = {"name", "owner_email", "settings", "coverage", "payer_shares", "alt_map",
             "payer_alt_map", "files", "limits", "tin", "npi", "address", "phone", "contact",
             "signer", "signer_title", "contracts", "payers", "cc", "payer_aliases",
             "group"}
# "group": the multi-location group (DSO) the practice is a location of (xlfees batch
# writes the group's roll-up beside the locations' workbooks).
PRACTICE_TEXT_KEYS = ("name", "tin", "npi", "address", "phone", "contact",
                      "signer", "signer_title", "group")
ADDRESS_KEYS = ("owner_email", "cc")   # one address, several in one text, or a list
PAYER_CONTACT_KEYS = ("contact", "title", "department", "address")
_LIMIT_KEYS = {"max_file_mb", "max_pdf_pages"}
_SETTINGS_KEYS = {"ask", "alt_ask", "benchmark", "balance_basis", "oon_collection",
                  "letter_mentions_leaving", "ask_strategy", "ask_codes", "ask_min_volume",
                  "ask_cap", "ask_package", "appeal_days"}


_FILE_KEYS = {f.name for f in fields(FilePins)}
_COLUMN_NAMES = set(COLUMN_NAMES)


def _table(document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = document.get(key, {})
    if not isinstance(value, Mapping):
        raise SettingsError(key, "is not a table", f"write it as a [{key}] section")
    return value


def _settings_from_toml(document: Mapping[str, Any]) -> Settings:
    unknown = sorted(set(document) - _TOP_KEYS)
    if unknown:
        raise SettingsError(unknown[0], "is not a known key",
                            "known keys: " + ", ".join(sorted(_TOP_KEYS)))
    for key in PRACTICE_TEXT_KEYS:
        if key in document and not isinstance(document[key], str):
            raise SettingsError(key, "is not text", f'write it in quotes: {key} = "…"')
    for key in ADDRESS_KEYS:
        if key in document:
            email_addresses(document[key], key)
    for alias, payer in _table(document, "payer_aliases").items():
        if not isinstance(payer, str):
            raise SettingsError(f"payer_aliases.{alias}", "is not text",
                                f'write the payer as its schedules name it: "{alias}" = '
                                '"Delta Dental"')
    for payer, number in _table(document, "contracts").items():
        if not isinstance(number, str):
            raise SettingsError(f"contracts.{payer}", "is not text",
                                f'write the contract number in quotes: "{payer}" = "…"')
    for payer, contact in _table(document, "payers").items():
        if not isinstance(contact, Mapping):
            raise SettingsError(f"payers.{payer}", "is not a table",
                                f'write it as a [payers."{payer}"] section with '
                                + ", ".join(PAYER_CONTACT_KEYS))
        bad = sorted(set(contact) - set(PAYER_CONTACT_KEYS) - {"appeal_days"})
        if bad:
            raise SettingsError(f"payers.{payer}.{bad[0]}", "is not a known key",
                                "known keys: " + ", ".join(PAYER_CONTACT_KEYS)
                                + ", appeal_days")
        for key, value in contact.items():
            if key == "appeal_days":
                _check_days(f"payers.{payer}.appeal_days", value)
            elif not isinstance(value, str):
                raise SettingsError(f"payers.{payer}.{key}", "is not text",
                                    f'write it in quotes: {key} = "…"')
    section = _table(document, "settings")
    unknown = sorted(set(section) - _SETTINGS_KEYS)
    if unknown:
        raise SettingsError(f"settings.{unknown[0]}", "is not a known key",
                            "known keys: " + ", ".join(sorted(_SETTINGS_KEYS)))
    values: dict[str, Any] = {k: section[k] for k in _SETTINGS_KEYS if k in section}
    coverage = dict(DEFAULT_COVERAGE)
    coverage.update(_table(document, "coverage"))
    values["coverage"] = coverage
    values["payer_shares"] = dict(_table(document, "payer_shares"))
    if document.get("alt_map") == NONE:
        values["default_alt_map"] = False
    elif "alt_map" in document and not isinstance(document["alt_map"], Mapping):
        raise SettingsError("alt_map", f"is {document['alt_map']!r}",
                            'write "none" (no assumed downgrades), or an [alt_map] section '
                            'of code = "alternate" lines')
    else:
        values["alt_map"] = dict(_table(document, "alt_map"))
    payer_alt_map = _table(document, "payer_alt_map")
    for payer, mapping in payer_alt_map.items():
        if mapping != NONE and not isinstance(mapping, Mapping):
            raise SettingsError(f"payer_alt_map.{payer}", f"is {mapping!r}",
                                f'write "none", or a [payer_alt_map."{payer}"] section with '
                                'code = "alternate" lines')
    values["payer_alt_map"] = {p: None if m == NONE else dict(m)
                               for p, m in payer_alt_map.items()}
    for name, pins in _table(document, "files").items():
        if not isinstance(pins, Mapping):
            raise SettingsError(f"files.{name}", "is not a table",
                                f'write it as [files."{name}"] with role = "schedule" etc.')
        bad = sorted(set(pins) - _FILE_KEYS)
        if bad:
            raise SettingsError(f"files.{name}.{bad[0]}", "is not a known key",
                                "known keys: " + ", ".join(sorted(_FILE_KEYS)))
        if "skip" in pins and not isinstance(pins["skip"], bool):
            raise SettingsError(f"files.{name}.skip", f"is {pins['skip']!r}",
                                "write skip = true to leave the file out, or remove the line")
        age = pins.get("age")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int)
                                or not 0 <= age <= 120):
            raise SettingsError(f"files.{name}.age", f"is {age!r}",
                                "give the patient's age in whole years (21 reads the adult "
                                "band, e.g. age = 10 a child's)")
        for key in ("payer", "network", "sheet", "dimension"):
            if key in pins and not isinstance(pins[key], str):
                raise SettingsError(f"files.{name}.{key}", "is not text",
                                    f'write it in quotes: {key} = "…"')
        columns = pins.get("columns", {})
        if not isinstance(columns, Mapping) or not all(isinstance(v, str)
                                                       for v in columns.values()):
            raise SettingsError(f"files.{name}.columns", "is not a table of header names",
                                'write it as columns = { code = "Proc", allowed = "Fee" }')
        bad = sorted(set(columns) - _COLUMN_NAMES)
        if bad:
            raise SettingsError(f"files.{name}.columns.{bad[0]}", "is not a column xlfees knows",
                                "known columns: " + ", ".join(sorted(_COLUMN_NAMES)))
        if "role" in pins and pins["role"] not in FILE_ROLES:
            raise SettingsError(f"files.{name}.role", f"is {pins['role']!r}",
                                "use one of: " + ", ".join(FILE_ROLES))
    bad = sorted(set(_table(document, "limits")) - _LIMIT_KEYS)
    if bad:
        raise SettingsError(f"limits.{bad[0]}", "is not a known key",
                            "known keys: " + ", ".join(sorted(_LIMIT_KEYS)))
    return Settings(**values)


def email_addresses(value: Any, key: str = "owner_email") -> tuple[str, ...]:
    """Addresses from client.toml: "a@x.com", "Ann <a@x.com>" or a list of them, each
    exactly one address (xlfees.mailboxes says what is refused and why)."""
    from ..mailboxes import parse_mailboxes

    return tuple(str(mailbox) for mailbox in parse_mailboxes(value, key))


def limits_from_toml(document: Mapping[str, Any], source: Path) -> Limits:
    """[limits]: how large a file of this client may be before it is refused."""
    section = document.get("limits", {})
    values: dict[str, Any] = {}
    for key, field_name, scale, most in (("max_file_mb", "max_file_bytes", MB, 1024),
                                         ("max_pdf_pages", "max_pdf_pages", 1, 5000)):
        if key in section:
            value = section[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0 < value <= most:   # also refuses inf and nan
                raise SettingsError(f"limits.{key}", f"is {value!r}",
                                    f"use a number above 0 and at most {most:,}",
                                    source=str(source))
            values[field_name] = int(value * scale)
    return Limits(**values)


def pins_from_toml(document: Mapping[str, Any], source: Path) -> dict[str, FilePins]:
    """[files."…"]: what client.toml pins about each file, by its path in the folder."""
    pins = {}
    for name, entry in document.get("files", {}).items():
        columns = entry.get("columns", {})
        header_row = entry.get("header_row")
        if header_row is not None and (isinstance(header_row, bool)
                                       or not isinstance(header_row, int) or header_row < 1):
            raise SettingsError(f'files."{name}".header_row', f"is {header_row!r}",
                                "use the row number as Excel shows it (1, 2, …)",
                                source=str(source))
        pins[str(PurePosixPath(name))] = FilePins(
            role=entry.get("role"), payer=entry.get("payer"), network=entry.get("network"),
            sheet=entry.get("sheet"), columns=dict(columns), header_row=header_row,
            dimension=entry.get("dimension"), age=entry.get("age"),
            skip=bool(entry.get("skip", False)))
    return pins
