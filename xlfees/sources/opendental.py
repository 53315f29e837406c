"""Open Dental as a source: a client folder pulled, read-only, from its MySQL/MariaDB database.

What is read (Open Dental's own table and column names):

- the office's standard fees: the fee schedule of the practice's default provider
  (``preference`` PracticeDefaultProv → ``provider.FeeSched``);
- each insurance plan's allowed schedule: ``insplan.FeeSched`` for PPO (``p``) and
  flat-copay (``f``) plans, ``insplan.AllowedFeeSched`` for category-percentage plans
  (``''``); capitation plans (``c``) have none; hidden plans and schedules are skipped;
- fees: ``fee`` rows, the base fee (ClinicNum 0, ProvNum 0) replaced by the clinic's
  override when a clinic is pulled (an override of -1 is blank: no fee there);
- volume: completed procedures (``ProcStatus = 2``) since ``since``, units
  ``max(1, BaseUnits + UnitQty)``, each under the plan of its first claim procedure
  (not a pre-authorization); none → "(no payer)";
- payments (``claimproc`` received or supplemental) and received ERAs (``etrans``
  Etype 27 with their X12 text), when present.

Only SELECTs run, inside a read-only transaction that is rolled back. The driver is
PyMySQL; nothing here imports click, openpyxl or xlwings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..money import excel_round
from ..amounts import MAX_COUNT
from ..cdt import normalize_code
from ..csvtext import csv_bytes
from ..labels import schedule_label
from ..errors import XlfeesError
from ..wording import folded, plural, printable, slug

PASSWORD_ENV = "XLFEES_DB_PASSWORD"
PULL_RECORD = "xlfees-pull.json"      # what was pulled, when, from where (not an input)
NO_PAYER = "(no payer)"
MIN_VERSION = (17, 1)                  # every table and column below exists from here on

# The tables and columns read: a database without them is not Open Dental (or too old).
TABLES: dict[str, tuple[str, ...]] = {
    "preference": ("PrefName", "ValueString"),
    "provider": ("ProvNum", "FeeSched"),
    "procedurecode": ("CodeNum", "ProcCode", "Descript"),
    "feesched": ("FeeSchedNum", "Description", "FeeSchedType", "IsHidden"),
    "fee": ("FeeNum", "FeeSched", "CodeNum", "Amount", "ClinicNum", "ProvNum"),
    "carrier": ("CarrierNum", "CarrierName", "Address", "Address2", "City", "State", "Zip"),
    "insplan": ("PlanNum", "CarrierNum", "PlanType", "FeeSched", "AllowedFeeSched",
                "IsHidden"),
    "procedurelog": ("ProcNum", "ProcDate", "ProcStatus", "CodeNum", "ClinicNum",
                     "BaseUnits", "UnitQty"),
    "claimproc": ("ClaimProcNum", "ProcNum", "PlanNum", "Status", "InsPayAmt", "WriteOff",
                  "DateCP", "ClinicNum", "ClaimNum"),
    # The claim sent: primary (P) or secondary (S), and the clinic an ERA's claims are.
    "claim": ("ClaimNum", "PlanNum", "ClinicNum", "ClaimType"),
    "clinic": ("ClinicNum", "Abbr", "Description"),
}
# Read when present (ERAs): a database without them still pulls. Open Dental keeps each
# 835 file once (etransmessagetext) and one etrans row per transaction in it, with no
# clinic and, for an imported 835, no carrier (CarrierNum 0, the payer's name in
# CarrierNameRaw); the claims it matched are in etrans835attach.
ERA_TABLES: dict[str, tuple[str, ...]] = {
    "etrans": ("EtransNum", "DateTimeTrans", "Etype", "CarrierNum", "CarrierNameRaw",
               "EtransMessageTextNum", "TranSetId835"),
    "etransmessagetext": ("EtransMessageTextNum", "MessageText"),
    "etrans835attach": ("EtransNum", "ClaimNum"),
}
PLAN_TYPES = {"p": "PPO", "f": "flat copay", "": "category percentage", "c": "capitation"}
# claimproc.Status (Open Dental's ClaimProcStatus): 9 exists from 21.1 on.
RECEIVED, PREAUTH, BENEFIT_ADJUSTMENT, SUPPLEMENTAL, INSURANCE_HISTORY = 1, 2, 3, 4, 9
ERA_ETYPE = 27


class PullError(XlfeesError):
    """The database cannot be pulled (refused login, not Open Dental, too old)."""


@dataclass(frozen=True)
class Database:
    """Where the practice's database is and who reads it (the password never printed)."""

    host: str
    port: int
    user: str
    database: str
    password: str = field(default="", repr=False)


@dataclass
class PulledFolder:
    """One client folder written by a pull, and what went into it."""

    folder: Path
    name: str
    office_fees: int = 0
    schedules: dict[str, int] = field(default_factory=dict)      # label → codes
    procedures: dict[str, float] = field(default_factory=dict)   # volume payer → units
    payments: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    eras: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class PullResult:
    """Every folder written (one, or one per clinic), the version, the statements run."""

    folders: list[PulledFolder]
    version: str
    statements: list[str]
    read_only: bool = True        # False: the server has no read-only transactions


class _ReadOnly:
    """A connection that runs only SELECTs, inside a read-only transaction, and keeps
    each statement (``--verbose`` lists them)."""

    ALLOWED = re.compile(r"^\s*(SELECT|START TRANSACTION READ ONLY|ROLLBACK|SET SESSION "
                         r"TRANSACTION READ ONLY|START TRANSACTION$)\b", re.IGNORECASE)

    def __init__(self, connection: Any, on_statement: Callable[[str], None] | None) -> None:
        self.connection = connection
        self.statements: list[str] = []
        self.on_statement = on_statement

    def run(self, sql: str, params: Iterable[Any] = (), *,
            raw: bool = False) -> list[tuple[Any, ...]]:
        """The rows of one read; the server's refusal as a PullError (``raw``: as raised)."""
        import pymysql

        if not self.ALLOWED.match(sql):
            raise AssertionError(f"not a read: {sql}")   # a programming error, never data
        text = " ".join(sql.split())
        self.statements.append(text)
        if self.on_statement:
            self.on_statement(text)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, tuple(params))
                return list(cursor.fetchall())
        except pymysql.err.MySQLError as error:
            if raw:
                raise
            message = error.args[-1] if error.args else str(error)
            raise PullError(f"the server refused a read ({message}) in: {text[:120]}; check "
                            "the user's GRANT SELECT on the tables the README lists") from None


def connect(database: Database) -> Any:
    """A PyMySQL connection, or a PullError that says what to fix."""
    import pymysql

    try:
        return pymysql.connect(host=database.host, port=database.port, user=database.user,
                               password=database.password, database=database.database,
                               charset="utf8mb4", connect_timeout=10, read_timeout=600,
                               autocommit=False)
    except pymysql.err.OperationalError as error:
        code = error.args[0] if error.args else None
        where = f"{database.host}:{database.port}"
        if code == 1045:
            raise PullError(f"{where} refused user {database.user!r} (access denied): check "
                            f"the user name and the password in {PASSWORD_ENV}") from None
        if code == 1044 or code == 1049:
            raise PullError(f"{where}: user {database.user!r} cannot open database "
                            f"{database.database!r} (it does not exist, or is not granted): "
                            "check --database and the user's GRANT SELECT") from None
        if code in (2003, 2005, 2006, 2013):
            raise PullError(f"cannot reach a MySQL/MariaDB server at {where} ({error.args[-1]}):"
                            " check --host and --port, and that the server allows "
                            "connections from this computer") from None
        raise PullError(f"{where}: {error.args[-1] if error.args else error}") from None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:4])


def check_schema(db: _ReadOnly, database: str) -> tuple[str, bool]:
    """The Open Dental version, and whether the ERA tables are there; a PullError when
    the database is not Open Dental, lacks a table or column, or is too old."""
    wanted = {**TABLES, **ERA_TABLES}
    rows = db.run("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
                  "WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN ("
                  + ",".join(["%s"] * len(wanted)) + ")", [database, *wanted])
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(str(table).lower(), set()).add(str(column).lower())
    if not any(table in found for table in TABLES):
        raise PullError(f"database {database!r} is not an Open Dental database: it has none "
                        "of the tables fee, feesched, insplan, procedurelog (or the user "
                        "may not read them): check --database, and GRANT SELECT on them")
    for table, columns in TABLES.items():
        if table not in found:
            raise PullError(f"database {database!r} has no table {table} that the user can "
                            f"read: GRANT SELECT ON {database}.{table} to the user, or check "
                            "this is an Open Dental database")
        missing = [c for c in columns if c.lower() not in found[table]]
        if missing:
            raise PullError(f"table {table} has no column {missing[0]}: Open Dental "
                            f"{'.'.join(map(str, MIN_VERSION))} or later is needed")
    rows = db.run("SELECT ValueString FROM preference WHERE PrefName = %s", ["DataBaseVersion"])
    version = str(rows[0][0]) if rows and rows[0][0] else ""
    if not version:
        raise PullError(f"database {database!r} has no DataBaseVersion preference: it is not "
                        "an Open Dental database xlfees can read")
    if _version(version)[:2] < MIN_VERSION:
        raise PullError(f"Open Dental {version} is older than "
                        f"{'.'.join(map(str, MIN_VERSION))}, the first version xlfees reads: "
                        "update Open Dental, or export the fee schedules and reports by hand")
    eras = all(t in found and all(c.lower() in found[t] for c in cols)
               for t, cols in ERA_TABLES.items())
    return version, eras


def pull_opendental(out_dir: str | Path, database: Database, *, since: date | None = None,
                    until: date | None = None, clinic: str | None = None,
                    today: date | None = None,
                    progress: Callable[[str], None] | None = None,
                    on_statement: Callable[[str], None] | None = None) -> PullResult:
    """Read the practice's Open Dental database and write a client folder to ``out_dir``.

    ``clinic``: None for the whole practice; a clinic's number or abbreviation for
    that clinic; ``"all"`` for one folder per clinic inside ``out_dir`` (each with the
    practice as its ``group``). ``until``: the last procedure date (default:
    ``today``); ``since``: the first (default: a year before ``until``).
    """
    out_dir = Path(out_dir)
    until = until or today or date.today()
    since = since or until - timedelta(days=365)
    if since > until:
        raise PullError(f"the first date {since.isoformat()} is after the last "
                        f"{until.isoformat()}: give --since before --until")
    say = progress or (lambda _: None)
    _check_out_dir(out_dir)
    say(f"connecting to {database.host}:{database.port} as {database.user}")
    connection = connect(database)
    db = _ReadOnly(connection, on_statement)
    try:
        read_only = _begin_read_only(db)
        version, has_eras = check_schema(db, database.database)
        say(f"Open Dental {version}: reading the practice")
        source = _Source(db, since, until, has_eras)
        clinics = source.clinics(clinic)
        folders = []
        taken: set[str] = set()
        for number, (clinic_num, clinic_name) in enumerate(clinics, start=1):
            folder = out_dir
            if clinic == "all":   # one folder per clinic, never the same name twice
                name = base = slug(clinic_name) or "clinic"
                while name in taken:
                    name = f"{base}-{clinic_num}"
                    base = name
                taken.add(name)
                folder = out_dir / name
            prefix = f"[{number}/{len(clinics)}]" + (f" {clinic_name}," if clinic_num is not None
                                                      else "")

            def say_clinic(line: str, prefix: str = prefix) -> None:
                say(f"{prefix} {line}")
            folders.append(source.write_folder(folder, clinic_num, clinic_name,
                                               group=source.practice if clinic == "all"
                                               else None, version=version, database=database,
                                               say=say_clinic))
        db.run("ROLLBACK")
    finally:
        connection.close()
    return PullResult(folders=folders, version=version, statements=db.statements,
                      read_only=read_only)


def _begin_read_only(db: _ReadOnly) -> bool:
    """A read-only transaction (True); a server older than MySQL 5.6.5 (Open Dental long
    shipped MySQL 5.5) has none, and gets a plain one (False): the statements are
    SELECTs either way."""
    import pymysql

    try:
        db.run("SET SESSION TRANSACTION READ ONLY", raw=True)
        db.run("START TRANSACTION READ ONLY", raw=True)
    except pymysql.err.ProgrammingError:     # 1064: the syntax is unknown there
        db.run("START TRANSACTION")
        return False
    return True


def _check_out_dir(out_dir: Path) -> None:
    """An empty or new folder, or one an earlier pull wrote: never someone's own files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise PullError(f"{out_dir}: is a file; give a folder for the client, e.g. "
                        f"{out_dir.with_suffix('')}")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / PULL_RECORD).exists() \
            and not any((child / PULL_RECORD).exists() for child in out_dir.iterdir()
                        if child.is_dir()):
        raise PullError(f"{out_dir}: already holds files that an earlier pull did not write; "
                        "pull into a new folder, e.g. "
                        f"{out_dir.parent / (out_dir.name + '-opendental')}")


class _Source:
    """What one database holds, read once; each folder picks its clinic's part."""

    def __init__(self, db: _ReadOnly, since: date, until: date, has_eras: bool) -> None:
        self.db, self.since, self.until, self.has_eras = db, since, until, has_eras
        # Open Dental's preference names (its preference table, every version): the
        # practice's title is PracticeTitle.
        prefs = dict(db.run("SELECT PrefName, ValueString FROM preference WHERE PrefName IN "
                            "(%s, %s)", ["PracticeTitle", "PracticeDefaultProv"]))
        self.practice = (printable(str(prefs.get("PracticeTitle") or "")).strip()
                         or "Open Dental practice")
        setting = str(prefs.get("PracticeDefaultProv") or "0").strip() or "0"
        if not setting.isdigit():
            raise PullError(f"the practice's default provider setting (PracticeDefaultProv) "
                            f"holds {setting[:40]!r}, not a provider number: choose the "
                            "default provider in Open Dental (Setup › Practice), then pull "
                            "again")
        default_provider = int(setting)
        rows = db.run("SELECT FeeSched FROM provider WHERE ProvNum = %s", [default_provider])
        if not rows or not rows[0][0]:
            raise PullError("the practice's default provider (Setup › Practice › Default "
                            "provider) has no fee schedule: set one in Open Dental, then pull "
                            "again")
        self.office_schedule = int(rows[0][0])
        self.codes = {int(num): (str(code or ""), printable(str(text or "")).strip())
                      for num, code, text in db.run(
                          "SELECT CodeNum, ProcCode, Descript FROM procedurecode")}
        # A code listed under two CodeNums (a duplicate row in procedurecode): its fees
        # come from the lowest CodeNum, and the others' fees are left out with a note,
        # never silently laid over it. Procedures under any of them are counted.
        numbers: dict[str, list[int]] = {}
        for num in sorted(self.codes):
            code = self._code(num)
            if code is not None:
                numbers.setdefault(code, []).append(num)
        self.fee_code_nums = {nums[0] for nums in numbers.values()}
        self.duplicate_codes = {code: nums for code, nums in numbers.items() if len(nums) > 1}
        self.fee_schedules = {int(num): (printable(str(desc or "")).strip(), int(kind),
                                         bool(hidden))
                              for num, desc, kind, hidden in db.run(
                                  "SELECT FeeSchedNum, Description, FeeSchedType, IsHidden "
                                  "FROM feesched")}
        self.carriers = {int(num): row for num, *row in db.run(
            "SELECT CarrierNum, CarrierName, Address, Address2, City, State, Zip FROM carrier")}
        self.plans = db.run("SELECT PlanNum, CarrierNum, PlanType, FeeSched, AllowedFeeSched, "
                            "IsHidden FROM insplan")

    def clinics(self, wanted: str | None) -> list[tuple[int | None, str]]:
        if wanted is None:
            return [(None, self.practice)]
        rows = [(int(num), printable(str(abbr or "")).strip(),
                 printable(str(desc or "")).strip())
                for num, abbr, desc in self.db.run(
                    "SELECT ClinicNum, Abbr, Description FROM clinic ORDER BY ClinicNum")]
        if wanted == "all":
            if not rows:
                raise PullError("--clinic all: this database has no clinics; pull without "
                                "--clinic")
            return [(num, desc or abbr) for num, abbr, desc in rows]
        for num, abbr, desc in rows:
            if wanted in (str(num), abbr, desc) or wanted.casefold() in (
                    abbr.casefold(), desc.casefold()):
                return [(num, desc or abbr)]
        known = ", ".join(f"{num} ({abbr or desc})" for num, abbr, desc in rows) or "none"
        raise PullError(f"--clinic {wanted}: no such clinic; the clinics are: {known}")

    # --- fees -------------------------------------------------------------------------

    def fees(self, schedules: Iterable[int], clinic: int | None) -> dict[int, dict[str, float]]:
        """Schedule → code → amount: base fees, overridden by the clinic's (-1: blank)."""
        schedules = sorted(set(schedules))
        if not schedules:
            return {}
        clinics = [0] if clinic is None else [0, clinic]
        rows = self.db.run(
            "SELECT FeeSched, CodeNum, Amount, ClinicNum FROM fee WHERE ProvNum = 0 AND "
            "FeeSched IN (" + ",".join(["%s"] * len(schedules)) + ") AND ClinicNum IN ("
            + ",".join(["%s"] * len(clinics)) + ") ORDER BY ClinicNum, FeeNum",
            [*schedules, *clinics])
        fees: dict[int, dict[str, float | None]] = {s: {} for s in schedules}
        # Base first, then the clinic's override; of duplicate rows (Open Dental databases
        # have them) the newest, every time.
        for schedule, code_num, amount, _ in rows:
            code = self._code(int(code_num))
            if code is None or int(code_num) not in self.fee_code_nums:
                continue
            fees[int(schedule)][code] = None if amount is None or float(amount) < 0 \
                else excel_round(float(amount), 2)
        return {s: {c: a for c, a in codes.items() if a is not None}
                for s, codes in fees.items()}

    def _code(self, code_num: int) -> str | None:
        entry = self.codes.get(code_num)
        if entry is None:
            return None
        code = normalize_code(entry[0])
        return code if code is not None and code == entry[0].strip().upper() else None

    # --- plans → schedules ------------------------------------------------------------

    def carrier_name(self, carrier: Any) -> str:
        """A carrier's name as the folder gives it; never the name volume uses for
        procedures without a payer, which would take its volume away."""
        row = self.carriers.get(int(carrier or 0))
        name = printable(str(row[0] if row else "")).strip() or f"carrier {carrier}"
        if folded(name) == folded(NO_PAYER):
            name = f"{name} (carrier {carrier})"
        return name

    def plan_schedules(self, notes: list[str]) -> dict[int, tuple[str, int] | None]:
        """Plan → (carrier name, allowed fee schedule), or None (no schedule: why noted)."""
        chosen: dict[int, tuple[str, int] | None] = {}
        why: dict[tuple[str, str], int] = {}
        for plan, carrier, plan_type, fee_sched, allowed_sched, hidden in self.plans:
            name = self.carrier_name(carrier)
            plan_type = str(plan_type or "").strip().lower()
            schedule = {"p": fee_sched, "f": fee_sched, "": allowed_sched}.get(plan_type)
            reason = None
            if hidden:
                reason = "hidden plans"
            elif plan_type == "c":
                reason = "capitation plans (no allowed schedule)"
            elif plan_type not in PLAN_TYPES:
                reason = f"plans of type {plan_type!r}"
            elif not schedule:
                reason = ("category-percentage plans without an allowed-fee schedule"
                          if plan_type == "" else "plans without a fee schedule")
            elif int(schedule) not in self.fee_schedules:
                reason = "plans whose fee schedule was deleted"
            elif self.fee_schedules[int(schedule)][2]:
                reason = "plans on a hidden fee schedule"
            if reason:
                why[(name, reason)] = why.get((name, reason), 0) + 1
                chosen[int(plan)] = None
                continue
            assert schedule is not None   # no reason: the "not schedule" check above passed
            chosen[int(plan)] = (name, int(schedule))
        for (name, reason), count in sorted(why.items()):
            notes.append(f"{name}: {plural(count, 'plan')} left out: {reason}")
        return chosen

    # --- one folder -----------------------------------------------------------------

    def write_folder(self, folder: Path, clinic: int | None, clinic_name: str,
                     group: str | None, version: str, database: Database,
                     say: Callable[[str], None] = lambda _: None) -> PulledFolder:
        from ..written import write_atomically

        name = self.practice if clinic is None else f"{self.practice} - {clinic_name}"
        pulled = PulledFolder(folder=folder, name=name)
        notes = pulled.notes
        office = self.fees([self.office_schedule], clinic).get(self.office_schedule, {})
        if not office:
            raise PullError(f"the office fee schedule "
                            f"({self.fee_schedules.get(self.office_schedule, ('?',))[0]}) has "
                            "no fees" + (f" at {clinic_name}" if clinic is not None else "")
                            + ": enter the office's fees in Open Dental, then pull again")
        say(f"office fees: {plural(len(office), 'code')} "
            f"({self.fee_schedules.get(self.office_schedule, ('?',))[0]})")
        plans = self.plan_schedules(notes)
        by_carrier: dict[str, set[int]] = {}
        for entry in plans.values():
            if entry is not None:
                by_carrier.setdefault(entry[0], set()).add(entry[1])
        fees = self.fees({s for schedules in by_carrier.values() for s in schedules}, clinic)
        labels: dict[tuple[str, int], tuple[str, str]] = {}
        schedule_rows = []
        for carrier in sorted(by_carrier, key=str.casefold):
            own = sorted(by_carrier[carrier])
            for schedule in own:
                # One schedule: the carrier's name is the payer; several: each is a network.
                network = self.fee_schedules[schedule][0] if len(own) > 1 else ""
                amounts = fees.get(schedule, {})
                if not amounts:
                    notes.append(f"{carrier}: fee schedule "
                                 f"{self.fee_schedules[schedule][0]!r} has no fees: left out")
                    continue
                labels[(carrier, schedule)] = (carrier, network)
                pulled.schedules[schedule_label(carrier, network)] = len(amounts)
                schedule_rows += [(carrier, network, code, amount)
                                  for code, amount in sorted(amounts.items())]
        used = sum(1 for entry in plans.values() if entry is not None)
        say(f"payer schedules: {len(labels)} from {plural(used, 'plan')} "
            f"({len(plans) - used} left out)")
        if not labels:
            # A folder without a payer schedule is one `analyze` refuses: say why now.
            raise PullError("no insurance plan has a fee schedule xlfees can read ("
                            + ("; ".join(notes) or "there are no insurance plans")
                            + "): check the plans' fee schedules in Open Dental")
        for code, numbers in sorted(self.duplicate_codes.items()):
            notes.append(f"{code} is in procedurecode {len(numbers)} times (CodeNum "
                         f"{', '.join(map(str, numbers))}): fees of CodeNum {numbers[0]} "
                         "used, the others' left out; procedures under any of them counted")
        volume = self.volume(clinic, plans, labels, notes)
        pulled.procedures = {}
        for (_, payer), units in volume.items():
            pulled.procedures[payer] = pulled.procedures.get(payer, 0) + units
        say(f"procedures {self.since.isoformat()} to {self.until.isoformat()}: "
            f"{plural(sum(pulled.procedures.values()), 'unit')}")
        pulled.payments = self.payments(clinic, plans, labels)
        say(f"insurance payments: {plural(sum(p[2] for p in pulled.payments.values()), 'line')}")
        pulled.office_fees = len(office)

        folder.mkdir(parents=True, exist_ok=True)
        descriptions = {self._code(num): text for num, (_, text) in self.codes.items()
                        if num in self.fee_code_nums}
        write_atomically(folder / "office_fees.csv", _csv(
            ["code", "description", "office_fee"],
            [(code, descriptions.get(code, ""), f"{amount:.2f}")
             for code, amount in sorted(office.items())]))
        write_atomically(folder / "schedules.csv", _csv(
            ["payer", "network", "code", "allowed"],
            [(p, n, c, f"{a:.2f}") for p, n, c, a in schedule_rows]))
        if volume:
            write_atomically(folder / "volume.csv", _csv(
                ["code", "payer", "count"],
                [(code, payer, f"{units:g}") for (code, payer), units in sorted(volume.items())]))
        else:   # a volume file without rows is one analyze refuses; an earlier pull's goes
            (folder / "volume.csv").unlink(missing_ok=True)
        aliases = self.eras(folder, clinic, pulled, labels) if self.has_eras else {}
        say(f"ERAs: {pulled.eras}" if self.has_eras else "ERAs: no etrans tables to read")
        write_atomically(folder / "client.toml", _client_toml(
            name, group, database, version, self.since, self.until, aliases,
            {carrier: self.carriers[num] for num in self.carriers
             for carrier in [self.carrier_name(num)]
             if carrier in {p for p, _ in labels.values()}}).encode("utf-8"))
        record = {"source": "Open Dental", "version": version, "host": database.host,
                  "port": database.port, "database": database.database,
                  "clinic": None if clinic is None else clinic_name,
                  "since": self.since.isoformat(), "until": self.until.isoformat(),
                  "schedules": pulled.schedules,
                  "procedures": {k: pulled.procedures[k] for k in sorted(pulled.procedures)},
                  "payments": {k: {"paid": v[0], "write_off": v[1], "lines": v[2]}
                               for k, v in sorted(pulled.payments.items())},
                  "eras": pulled.eras, "notes": notes}
        write_atomically(folder / PULL_RECORD,
                         (json.dumps(record, indent=1, ensure_ascii=False) + "\n")
                         .encode("utf-8"))
        return pulled

    def _payer(self, plan: int | None, plans: dict[int, tuple[str, int] | None],
               labels: dict[tuple[str, int], tuple[str, str]]) -> str:
        if not plan:
            return NO_PAYER
        entry = plans.get(int(plan))
        if entry is None:
            row = next((r for r in self.plans if int(r[0]) == int(plan)), None)
            carrier = (self.carrier_name(row[1]) if row is not None and int(row[1])
                       in self.carriers else f"plan {plan}")
            if row is not None and str(row[2] or "").strip().lower() == "c" and carrier in {
                    payer for payer, _ in labels.values()}:
                # A capitation plan of a carrier whose PPO has a schedule: its patients
                # are not that schedule's (analyze notes a payer without a schedule).
                return f"{carrier} (capitation)"
            return carrier       # a payer without a schedule: analyze notes it, left out
        label = labels.get(entry)
        return schedule_label(*label) if label else entry[0]

    def volume(self, clinic: int | None, plans: dict[int, tuple[str, int] | None],
               labels: dict[tuple[str, int], tuple[str, str]],
               notes: list[str]) -> dict[tuple[str, str], float]:
        """(code, payer) → units of completed procedures since ``since``."""
        where = "" if clinic is None else " AND pl.ClinicNum = %s"
        # Each procedure's payer: the plan of the primary claim sent for it (claim.ClaimType
        # P), else of its first claim procedure that is not a secondary claim's; never a
        # pre-authorization, a benefit adjustment or an insurance-history row. Found
        # through the ProcNum index, one procedure at a time: a derived table grouping all
        # of claimproc first took four times as long (1,000,000 procedures: 40.7 s against
        # 10.7 s, same figures).
        rows = self.db.run(
            "SELECT x.CodeNum, cp.PlanNum, SUM(x.Units), COUNT(*) FROM ("
            "SELECT pl.CodeNum, GREATEST(1, pl.BaseUnits + pl.UnitQty) AS Units, "
            "(SELECT c.ClaimProcNum FROM claimproc c LEFT JOIN claim cl ON cl.ClaimNum = "
            "c.ClaimNum AND c.ClaimNum > 0 WHERE c.ProcNum = pl.ProcNum AND c.Status NOT IN "
            "(%s, %s, %s) ORDER BY COALESCE(cl.ClaimType, '') = 'P' DESC, "
            "COALESCE(cl.ClaimType, '') = 'S', c.ClaimProcNum LIMIT 1) AS First "
            "FROM procedurelog pl "
            "WHERE pl.ProcStatus = 2 AND pl.ProcDate >= %s AND pl.ProcDate <= %s" + where
            + ") x LEFT JOIN claimproc cp ON cp.ClaimProcNum = x.First "
            "GROUP BY x.CodeNum, cp.PlanNum",
            [PREAUTH, BENEFIT_ADJUSTMENT, INSURANCE_HISTORY, self.since, self.until,
             *([] if clinic is None else [clinic])])
        volume: dict[tuple[str, str], float] = {}
        skipped = 0
        for code_num, plan, units, _ in rows:
            code = self._code(int(code_num))
            if code is None:
                skipped += int(units)
                continue
            key = (code, self._payer(plan, plans, labels))
            volume[key] = volume.get(key, 0) + float(units)
        if skipped:
            notes.append(f"{plural(skipped, 'procedure')} with codes that are not CDT codes "
                         "(D + 4 digits) left out of the volume")
        if clinic is not None:
            # Procedures entered without a clinic are no clinic's: said, never lost quietly.
            [(unassigned,)] = self.db.run(
                "SELECT COUNT(*) FROM procedurelog WHERE ProcStatus = 2 AND ProcDate >= %s "
                "AND ProcDate <= %s AND ClinicNum = 0", [self.since, self.until])
            if unassigned:
                notes.append(f"{plural(int(unassigned), 'completed procedure')} of the practice "
                             "have no clinic (ClinicNum 0): in no clinic's volume; pull "
                             "without --clinic to count them")
        for key, units in sorted(volume.items()):
            if units > MAX_COUNT:
                # Units no office performs (a UnitQty typed wrong): the reader would
                # reject the row; left out here, with the figure named.
                notes.append(f"{key[0]} for {key[1]}: {units:,.0f} units, more than "
                             f"{MAX_COUNT:,.0f} a year; left out of the volume: check the "
                             "procedures' units in Open Dental")
                del volume[key]
        if not volume:
            notes.append(f"no completed procedures from {self.since.isoformat()} to "
                         f"{self.until.isoformat()}: the figures are per 100 % of volume")
        return volume

    def payments(self, clinic: int | None, plans: dict[int, tuple[str, int] | None],
                 labels: dict[tuple[str, int], tuple[str, str]],
                 ) -> dict[str, tuple[float, float, int]]:
        """Payer → (insurance paid, written off, lines) received since ``since``."""
        where = "" if clinic is None else " AND ClinicNum = %s"
        rows = self.db.run(
            # Grouped by an expression: by the bare column MariaDB walks the PlanNum index
            # and fetches every row through it (1,000,000 rows: 8.9 s), not one scan.
            "SELECT PlanNum + 0 AS Plan, SUM(InsPayAmt), SUM(WriteOff), COUNT(*) FROM "
            "claimproc WHERE Status IN (%s, %s) AND DateCP >= %s AND DateCP <= %s" + where
            + " GROUP BY Plan",
            [RECEIVED, SUPPLEMENTAL, self.since, self.until,
             *([] if clinic is None else [clinic])])
        paid: dict[str, tuple[float, float, int]] = {}
        for plan, amount, write_off, lines in rows:
            payer = self._payer(plan, plans, labels)
            old = paid.get(payer, (0.0, 0.0, 0))
            paid[payer] = (excel_round(old[0] + float(amount or 0), 2),
                           excel_round(old[1] + float(write_off or 0), 2), old[2] + int(lines))
        return paid

    def eras(self, folder: Path, clinic: int | None, pulled: PulledFolder,
             labels: dict[tuple[str, int], tuple[str, str]]) -> dict[str, str]:
        """Write each received 835 to ``era/`` once (Open Dental keeps one etrans row per
        transaction, all on one message text); the payer names they use → carriers."""
        from .era import parse_era
        from ..written import write_atomically

        period = [ERA_ETYPE, self.since, self.until + timedelta(days=1)]
        # One row per transaction (ST/SE) of an 835, several on one message text.
        transactions: dict[int, list[tuple[int, str, int, str]]] = {}
        first: dict[int, tuple[Any, int]] = {}
        for number, when, message, control, carrier, raw_name in self.db.run(
                "SELECT EtransNum, DateTimeTrans, EtransMessageTextNum, TranSetId835, "
                "CarrierNum, CarrierNameRaw FROM etrans WHERE Etype = %s AND "
                "DateTimeTrans >= %s AND DateTimeTrans < %s AND EtransMessageTextNum > 0 "
                "ORDER BY EtransNum", period):
            transactions.setdefault(int(message), []).append(
                (int(number), str(control or "").strip(), int(carrier or 0),
                 str(raw_name or "")))
            first.setdefault(int(message), (when, int(number)))
        # The carriers and clinics of the claims Open Dental matched each transaction to.
        claims: dict[int, list[tuple[int, int]]] = {}
        for number, carrier, claim_clinic in self.db.run(
                "SELECT e.EtransNum, p.CarrierNum, c.ClinicNum FROM etrans e "
                "JOIN etrans835attach a ON a.EtransNum = e.EtransNum "
                "JOIN claim c ON c.ClaimNum = a.ClaimNum "
                "LEFT JOIN insplan p ON p.PlanNum = c.PlanNum "
                "WHERE e.Etype = %s AND e.DateTimeTrans >= %s AND e.DateTimeTrans < %s",
                period):
            claims.setdefault(int(number), []).append((int(carrier or 0),
                                                       int(claim_clinic or 0)))
        aliases: dict[str, str] = {}
        payers = {p for p, _ in labels.values()}
        by_name = {folded(self.carrier_name(num)): num for num in self.carriers}

        def carrier_of(row: tuple[int, str, int, str], payer: str) -> int:
            """The etrans row's carrier (rarely set for an 835), else the one every
            claim it was matched to is with, else the carrier named as the 835 names it."""
            found = {c for c, _ in claims.get(row[0], []) if c}
            return row[2] or (found.pop() if len(found) == 1 else 0) \
                or by_name.get(folded(row[3]), 0) or by_name.get(folded(payer), 0)
        unplaced = 0
        for message, rows in transactions.items():
            when, number = first[message]
            matched = [m for row in rows for m in claims.get(row[0], [])]
            if clinic is not None and not any(c == clinic for _, c in matched):
                unplaced += not matched   # a clinic's folder: only its claims' 835s
                continue
            [(text,)] = self.db.run("SELECT MessageText FROM etransmessagetext WHERE "
                                    "EtransMessageTextNum = %s", [message]) or [(None,)]
            if not text:
                continue
            data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
            day = when.date().isoformat() if hasattr(when, "date") else "undated"
            name = f"era/{day}-{number}.835"
            write_atomically(folder / name, data)
            pulled.eras += 1
            try:
                remittance = parse_era(data, name)
            except XlfeesError:
                continue        # analyze reads it again and notes what is wrong
            for payment in remittance.payments:
                # Its etrans row: by the transaction's control number (TranSetId835 is
                # ST02), or the message's only one.
                row = next((r for r in rows if r[1] and r[1] == payment.control),
                           rows[0] if len(rows) == 1 else None)
                carrier = carrier_of(row, payment.payer) if row is not None else \
                    by_name.get(folded(payment.payer), 0)
                label = self.carrier_name(carrier) if carrier in self.carriers else ""
                if label in payers and payment.payer and payment.payer != label:
                    aliases[payment.payer] = label
        if unplaced:
            pulled.notes.append(f"{plural(unplaced, 'ERA')} matched to no claim in Open Dental "
                                "cannot be placed in a clinic: in no clinic's era/; pull "
                                "without --clinic to read them")
        return aliases


def _csv(header: list[str], rows: Iterable[tuple[Any, ...]]) -> bytes:
    # Names as Open Dental holds them, but a carrier called "=…" made inert for a
    # spreadsheet (xlfees reads it back unchanged).
    return csv_bytes(header, rows)


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, but for DEL (U+007F), which JSON leaves raw
    # and TOML does not allow unescaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _client_toml(name: str, group: str | None, database: Database, version: str,
                 since: date, until: date, aliases: Mapping[str, str],
                 carriers: Mapping[str, Sequence[Any]]) -> str:
    lines = [f"# Pulled from Open Dental {version} ({database.database} on {database.host}) "
             f"by xlfees pull opendental:",
             f"# procedures completed {since.isoformat()} to {until.isoformat()}.",
             f"name = {_toml_string(name)}"]
    if group:
        lines.append(f"group = {_toml_string(group)}")
    if aliases:
        lines += ["", "# The names the payers' ERAs give them → the carrier in Open Dental.",
                  "[payer_aliases]"]
        lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in sorted(aliases.items())]
    for carrier, row in sorted(carriers.items()):
        address = [str(x).strip() for x in row[1:3] if x and str(x).strip()]
        # "El Paso, TX 79998": the comma after the whole city, as the envelope prints it.
        city, state_zip = (str(row[3] or "").strip(),
                           " ".join(str(x).strip() for x in row[4:6] if x and str(x).strip()))
        line = ", ".join(part for part in (city, state_zip) if part)
        if line:
            address.append(line)
        if address:
            lines += ["", f"[payers.{_toml_string(carrier)}]",
                      f"address = {_toml_string(chr(10).join(address))}"]
    return "\n".join(lines) + "\n"
