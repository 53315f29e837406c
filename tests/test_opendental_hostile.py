"""`xlfees pull opendental` against hostile rows in a real MariaDB (issue 25, items 4, 14).

Formula-like carrier names and descriptions, a DEL in an address and in an ERA's payer
name, a procedure code listed twice, a carrier called "(no payer)", a default provider
that is not a number, every plan hidden, units no office performs: each pull ends in a
folder `analyze` reads (every refusal noted) or in one Error line, and writes nothing
to the database.
"""

from __future__ import annotations

import csv
import io
import os
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlfees import analyze, load_client
from xlfees.cli import cli
from xlfees.csvtext import FORMULA_START
from xlfees.sources.opendental import Database, PullError, pull_opendental

from era_make import Claim, Line, Payment, remittance
from mariadb_server import checksums, create_database, insert, mariadb_available, start_server

UNTIL = date(2026, 11, 24)
FORMULA = '=HYPERLINK("http://x.example","FZQ")'
ERA_PAYER = "DELTA\x7fDENTAL"

pytestmark = pytest.mark.skipif(not mariadb_available() and not os.environ.get("CI"),
                                reason="MariaDB is not installed (apt-get install "
                                       "mariadb-server)")


def _practice(server, name: str, *, default_provider: str = "1", hidden: int = 0,
              units: int = 1) -> None:
    """A small practice with hostile rows; the keywords make one thing worse."""
    create_database(server, name)

    def add(table: str, columns: str, *rows: tuple) -> None:
        names = columns.split()
        insert(server, name, table, [dict(zip(names, row)) for row in rows])
    era = remittance([Payment(ERA_PAYER, [Claim("P1", [Line(
        "D1110", 100.0, 56.0, 70.0, [("CO", "45", 30.0)], service_date=date(2026, 3, 1))])],
        paid_on=date(2026, 3, 20), payee="SMITH")])
    add("preference", "PrefName ValueString", ("PracticeTitle", "Hostile Dental"),
        ("PracticeDefaultProv", default_provider), ("DataBaseVersion", "24.3.35.0"))
    add("provider", "ProvNum Abbr FeeSched", (1, "DOC1", 1))
    add("procedurecode", "CodeNum ProcCode Descript",
        (1, "D1110", "=cmd|' /C calc'!A0"), (2, "D2391", "+Composite"),
        (3, "D0120", "@SUM(1)"), (7, "D1110", "Prophylaxis (duplicate row)"))
    add("feesched", "FeeSchedNum Description FeeSchedType ItemOrder IsHidden",
        (1, "Standard", 0, 0, 0), (2, "-PPO", 0, 1, 0), (3, "Plain", 0, 2, 0))
    add("fee", "FeeSched CodeNum Amount ClinicNum ProvNum",
        (1, 1, 100, 0, 0), (1, 2, 200, 0, 0), (1, 3, 50, 0, 0),
        (2, 1, 41.70, 0, 0), (2, 2, 140, 0, 0), (2, 3, 35, 0, 0),
        (2, 7, 99.00, 0, 0),                      # the duplicate code's fee: not laid over
        (3, 1, 60, 0, 0), (3, 2, 150, 0, 0))
    add("carrier", "CarrierNum CarrierName Address Address2 City State Zip",
        (1, FORMULA, "PO Box\x7f 1", "", "El Paso", "TX", "79998"),
        (2, "(no payer)", "", "", "", "", ""))
    add("insplan", "PlanNum CarrierNum PlanType FeeSched AllowedFeeSched IsHidden",
        (10, 1, "p", 2, 0, hidden), (11, 2, "p", 3, 0, hidden))
    add("clinic", "ClinicNum Description Abbr", (1, "Main", "MN"))
    add("procedurelog", "ProcNum ProcDate ProcStatus CodeNum ClinicNum BaseUnits UnitQty",
        (1, "2026-03-01", 2, 1, 0, 0, 1), (2, "2026-04-01", 2, 7, 0, 0, 1),
        (3, "2026-05-01", 2, 2, 0, 0, units), (4, "2026-06-01", 2, 3, 0, 0, 1))
    add("claimproc", "ClaimProcNum ProcNum PlanNum Status InsPayAmt WriteOff DateCP ClinicNum",
        (1, 1, 10, 1, 56, 30, "2026-03-20", 0), (2, 2, 10, 1, 30, 10, "2026-04-20", 0),
        (3, 3, 11, 1, 100, 50, "2026-05-20", 0), (4, 4, 11, 0, 0, 0, "0001-01-01", 0))
    add("etransmessagetext", "EtransMessageTextNum MessageText", (1, era.decode("latin-1")))
    add("etrans", "EtransNum DateTimeTrans Etype CarrierNum CarrierNameRaw "
        "EtransMessageTextNum", (1, "2026-03-20 09:30:00", 27, 1, ERA_PAYER, 1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("mariadb"))
    yield running
    running.stop()


def _database(server, name: str) -> Database:
    return Database("127.0.0.1", server.port, "root", name, "")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_hostile_rows_pull_into_a_folder_that_analyses(server, tmp_path: Path) -> None:
    """Formula names inert in the CSVs and read back as they were; client.toml valid TOML
    with the DEL kept; the duplicate code noted, its first fee kept; '(no payer)' keeps
    its volume; nothing written to the database."""
    _practice(server, "hostile")
    before = checksums(server, "hostile")
    out = tmp_path / "hostile"
    result = pull_opendental(out, _database(server, "hostile"), until=UNTIL)
    assert checksums(server, "hostile") == before
    for name in ("office_fees.csv", "schedules.csv", "volume.csv"):
        for row in _rows(out / name):
            assert not any(field.startswith(FORMULA_START) for field in row), (name, row)
    schedules = _rows(out / "schedules.csv")
    assert ["'" + FORMULA, "", "D1110", "41.70"] in schedules   # the first CodeNum's fee
    document = tomllib.loads((out / "client.toml").read_text(encoding="utf-8"))
    # the city of two words whole: "El Paso, TX 79998", never "El, Paso TX 79998"
    assert document["payers"][FORMULA]["address"] == "PO Box\x7f 1\nEl Paso, TX 79998"
    assert document["payer_aliases"] == {ERA_PAYER: FORMULA}
    [folder] = result.folders
    assert ("D1110 is in procedurecode 2 times (CodeNum 1, 7): fees of CodeNum 1 used, the "
            "others' left out; procedures under any of them counted") in folder.notes
    assert folder.procedures == {FORMULA: 2, "(no payer) (carrier 2)": 2}
    analysis = analyze(load_client(out))
    payers = set(analysis.payers["payer"])
    assert payers == {FORMULA, "(no payer) (carrier 2)"}
    office = dict(zip(analysis.client.office_fees["code"],
                      analysis.client.office_fees["description"]))
    assert office["D1110"] == "=cmd|' /C calc'!A0" and office["D2391"] == "+Composite"


def test_a_default_provider_that_is_not_a_number(server, tmp_path: Path) -> None:
    """PracticeDefaultProv 'abc': one Error naming the setting, no folder."""
    _practice(server, "badprov", default_provider="abc")
    with pytest.raises(PullError, match=r"^the practice's default provider setting "
                                        r"\(PracticeDefaultProv\) holds 'abc', not a provider "
                                        r"number: choose"):
        pull_opendental(tmp_path / "x", _database(server, "badprov"), until=UNTIL)
    assert not (tmp_path / "x").exists()


def test_every_plan_hidden_is_refused_with_the_reason(server, tmp_path: Path) -> None:
    """No plan with a usable schedule: refused, each carrier's reason named."""
    _practice(server, "hidden", hidden=1)
    with pytest.raises(PullError) as caught:
        pull_opendental(tmp_path / "x", _database(server, "hidden"), until=UNTIL)
    assert str(caught.value) == (
        "no insurance plan has a fee schedule xlfees can read ((no payer) (carrier 2): 1 "
        f"plan left out: hidden plans; {FORMULA}: 1 plan left out: hidden plans): check the "
        "plans' fee schedules in Open Dental")


def test_units_no_office_performs_are_left_out_and_named(server, tmp_path: Path) -> None:
    """A UnitQty of two billion: that volume left out and noted; the folder analyses."""
    _practice(server, "units", units=2_000_000_000)
    out = tmp_path / "units"
    [folder] = pull_opendental(out, _database(server, "units"), until=UNTIL).folders
    assert ("D2391 for (no payer) (carrier 2): 2,000,000,000 units, more than 10,000,000 a "
            "year; left out of the volume: check the procedures' units in Open Dental"
            in folder.notes)
    assert analyze(load_client(out)).payers.shape[0] == 2


def test_the_cli_exits_1_when_nothing_is_in_range(server, tmp_path: Path) -> None:
    """A range with no procedures: pulled, noted, and the folder still analyses (exit 0);
    a refusal is one Error line (exit 1)."""
    _practice(server, "empty")
    runner = CliRunner()
    result = runner.invoke(cli, ["pull", "opendental", "--host", "127.0.0.1", "--port",
                                 str(server.port), "--user", "root", "--database", "empty",
                                 "-o", str(tmp_path / "e"), "--since", "2020-01-01",
                                 "--until", "2020-12-31"], env={"XLFEES_DB_PASSWORD": ""})
    assert result.exit_code == 0, result.output + result.stderr
    assert ("no completed procedures from 2020-01-01 to 2020-12-31: the figures are per "
            "100 % of volume") in result.stdout
    _practice(server, "hidden2", hidden=1)
    result = runner.invoke(cli, ["pull", "opendental", "--host", "127.0.0.1", "--port",
                                 str(server.port), "--user", "root", "--database", "hidden2",
                                 "-o", str(tmp_path / "h")], env={"XLFEES_DB_PASSWORD": ""})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: no insurance plan has a fee "
                                                     "schedule xlfees can read")


def test_procedures_without_a_clinic_are_said_not_lost(server, tmp_path: Path) -> None:
    """Pulled for its one clinic, a practice whose procedures carry no clinic (ClinicNum 0)
    says how many are in no clinic's volume, and how to count them."""
    _practice(server, "noclinic")
    result = pull_opendental(tmp_path / "main", _database(server, "noclinic"), clinic="MN",
                             today=UNTIL)
    [folder] = result.folders
    assert ("4 completed procedures of the practice have no clinic (ClinicNum 0): in no "
            "clinic's volume; pull without --clinic to count them") in folder.notes
