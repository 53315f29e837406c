"""`xlfees pull opendental` against a real MariaDB server holding a hand-made practice in
Open Dental's tables: the folder it writes, its analysis to the cent, and nothing written."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from xlfees import analyze, load_client
from xlfees.cli import cli
from xlfees.sources.opendental import Database, PullError, pull_opendental

from era_make import Claim, Line, Payment, remittance
from mariadb_server import (TABLES, checksums, create_database, grant_select, insert,
                            mariadb_available, start_server)

TODAY = date(2026, 11, 24)       # the pull's "today": procedures since 2025-11-24
READER, PASSWORD = "xlfees_read", "s3cret-read"

pytestmark = pytest.mark.skipif(not mariadb_available() and not os.environ.get("CI"),
                                reason="MariaDB is not installed (apt-get install "
                                       "mariadb-server)")


def _era() -> bytes:
    """Delta's ERA for P1 as Open Dental keeps it (etransmessagetext.MessageText)."""
    claim = Claim("P1", [Line("D1110", 100.0, 56.0, 70.0, [("CO", "45", 30.0),
                                                          ("PR", "2", 14.0)],
                              service_date=date(2026, 3, 1))], received=date(2026, 3, 5))
    return remittance([Payment("DELTA DENTAL OF OREGON INC", [claim],
                               paid_on=date(2026, 3, 20), payee="SMITH FAMILY DENTAL")])


def load_practice(server, database: str, *, version: str = "24.3.35.0") -> None:
    """Two clinics, four carriers (PPO, category and capitation plans), overrides, a hidden
    plan and schedule, deleted and planned procedures, units, blank dates."""
    create_database(server, database)

    def add(table: str, columns: str, *rows: tuple) -> None:
        names = columns.split()
        insert(server, database, table, [dict(zip(names, row)) for row in rows])
    add("preference", "PrefName ValueString", ("PracticeTitle", "Smith Family Dental"),
        ("PracticeDefaultProv", "1"), ("DataBaseVersion", version))
    add("provider", "ProvNum Abbr FeeSched", (1, "DOC1", 1), (5, "HYG", 1))
    add("procedurecode", "CodeNum ProcCode Descript",
        (1, "D1110", "Prophylaxis - adult"),
        (2, "D2391", "Resin-based composite - one surface, posterior"),
        (3, "D2740", "Crown - porcelain/ceramic"), (4, "N4118", "Missed appointment"),
        (5, "D0120", "Periodic oral evaluation"))
    add("feesched", "FeeSchedNum Description FeeSchedType ItemOrder IsHidden",
        (1, "Standard", 0, 0, 0), (2, "Delta PPO", 0, 1, 0), (3, "Cigna DPPO", 0, 2, 0),
        (4, "MetLife Allowed", 2, 3, 0), (5, "Delta PPO 2019", 0, 4, 1))
    add("fee", "FeeSched CodeNum Amount ClinicNum ProvNum",
        # Standard (the default provider's): base fees; Keizer's overrides (D2740 blank).
        (1, 1, 100, 0, 0), (1, 2, 200, 0, 0), (1, 3, 1000, 0, 0), (1, 4, 30, 0, 0),
        (1, 5, 50, 0, 0), (1, 1, 110, 2, 0), (1, 3, -1, 2, 0),
        # Delta PPO, Keizer's D2391 override, and a provider's override (not read).
        (2, 1, 70, 0, 0), (2, 2, 140, 0, 0), (2, 3, 700, 0, 0), (2, 5, 35, 0, 0),
        (2, 2, 150, 2, 0), (2, 1, 90, 0, 5),
        # Cigna: no D0120 row (no fee); MetLife's allowed schedule; the hidden old Delta.
        (3, 1, 65, 0, 0), (3, 2, 130, 0, 0), (3, 3, 650, 0, 0),
        (4, 1, 80, 0, 0), (4, 2, 150, 0, 0), (4, 3, 800, 0, 0), (4, 5, 40, 0, 0),
        (5, 1, 60, 0, 0))
    add("carrier", "CarrierNum CarrierName Address Address2 City State Zip",
        (1, "Delta Dental of Oregon", "PO Box 40384", "", "Portland", "OR", "97240"),
        (2, "Cigna", "", "", "", "", ""), (3, "MetLife", "", "", "", "", ""),
        (4, "Willamette Dental (capitation)", "", "", "", "", ""))
    add("insplan", "PlanNum CarrierNum PlanType FeeSched AllowedFeeSched IsHidden",
        (10, 1, "p", 2, 0, 0), (11, 1, "p", 5, 0, 0),    # 11: on the hidden schedule
        (12, 2, "p", 3, 0, 0), (13, 3, "", 1, 4, 0),       # 13: category, allowed sched 4
        (14, 4, "c", 0, 0, 0), (15, 2, "p", 3, 0, 1))      # 14 capitation, 15 hidden
    add("clinic", "ClinicNum Description Abbr", (1, "Salem", "SAL"), (2, "Keizer", "KZR"))
    add("procedurelog", "ProcNum ProcDate ProcStatus CodeNum ClinicNum BaseUnits UnitQty",
        (1, "2026-03-01", 2, 1, 1, 0, 1), (2, "2026-04-01", 2, 1, 1, 0, 0),
        (3, "2026-05-01", 2, 2, 1, 0, 3), (4, "2026-06-01", 2, 3, 1, 0, 1),
        (5, "2026-06-02", 6, 3, 1, 0, 1),                  # deleted
        (6, "0001-01-01", 2, 1, 1, 0, 1),                  # no date
        (7, "2025-10-01", 2, 1, 1, 0, 1),                  # before --since
        (8, "2026-07-01", 2, 5, 1, 0, 1),                  # no claim: (no payer)
        (9, "2026-07-01", 2, 4, 1, 0, 1),                  # N4118: not a CDT code
        (10, "2026-08-01", 1, 1, 1, 0, 1),                 # treatment planned
        (11, "2026-09-01", 2, 1, 1, 0, 1),                 # capitation
        (12, "2026-09-10", 2, 2, 1, 1, 1),                 # 2 units, Delta then Cigna
        (20, "2026-02-01", 2, 1, 2, 0, 1), (21, "2026-03-01", 2, 2, 2, 0, 1),
        (22, "2026-04-01", 2, 3, 2, 0, 1), (23, "2026-05-01", 2, 1, 2, 0, 1))
    add("claimproc", "ClaimProcNum ProcNum PlanNum Status InsPayAmt WriteOff DateCP ClinicNum",
        (1, 1, 10, 1, 56, 30, "2026-03-20", 1), (2, 2, 10, 0, 0, 0, "0001-01-01", 1),
        (3, 3, 12, 1, 312, 210, "2026-05-15", 1),
        (4, 4, 12, 2, 0, 0, "0001-01-01", 1),              # a pre-authorization: not the payer
        (5, 4, 13, 1, 400, 200, "2026-06-20", 1), (6, 5, 10, 0, 0, 0, "0001-01-01", 1),
        (7, 11, 14, 7, 0, 0, "0001-01-01", 1),
        (8, 12, 10, 0, 0, 0, "0001-01-01", 1), (9, 12, 12, 0, 0, 0, "0001-01-01", 1),
        (20, 20, 10, 1, 60, 50, "0000-00-00", 2),          # received, no payment date
        (21, 21, 10, 1, 120, 50, "2026-03-20", 2), (22, 21, 10, 4, 10, 0, "2026-04-01", 2),
        (23, 22, 12, 0, 0, 0, "0001-01-01", 2), (24, 23, 13, 0, 0, 0, "0001-01-01", 2))
    add("etransmessagetext", "EtransMessageTextNum MessageText",
        (1, _era().decode("ascii")), (2, "ISA*00*claim sent, not an ERA~"))
    # As Open Dental imports an 835: CarrierNum 0, the payer's name as the 835 gives it,
    # the claim it matched (Salem's P1, Delta's plan) in etrans835attach.
    add("etrans", "EtransNum DateTimeTrans Etype CarrierNum CarrierNameRaw "
        "EtransMessageTextNum TranSetId835",
        (1, "2026-03-20 09:30:00", 27, 0, "DELTA DENTAL OF OREGON INC", 1, "0001"),
        (2, "2026-03-06 10:00:00", 21, 1, "", 2, ""))
    add("claim", "ClaimNum PlanNum ClinicNum ClaimType", (1, 10, 1, "P"))
    add("etrans835attach", "Etrans835AttachNum EtransNum ClaimNum", (1, 1, 1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("mariadb"))
    load_practice(running, "opendental")
    grant_select(running, "opendental", READER, PASSWORD)
    yield running
    running.stop()


def _database(server, user: str = READER, password: str = PASSWORD,
              name: str = "opendental") -> Database:
    return Database("127.0.0.1", server.port, user, name, password)


@pytest.fixture(scope="module")
def pulled(server, tmp_path_factory):
    """The whole practice pulled once by the SELECT-only user, with the tables' checksums
    before and after."""
    out = tmp_path_factory.mktemp("pull") / "smith"
    before = checksums(server, "opendental")
    result = pull_opendental(out, _database(server), today=TODAY)
    return out, result, before, checksums(server, "opendental")


def test_the_folder_holds_the_hand_worked_rows(pulled) -> None:
    """Office fees, one schedule per carrier, volume by carrier: as the tables say."""
    out, result, _, _ = pulled
    office = pd.read_csv(out / "office_fees.csv")
    assert office.values.tolist() == [
        ["D0120", "Periodic oral evaluation", 50.0], ["D1110", "Prophylaxis - adult", 100.0],
        ["D2391", "Resin-based composite - one surface, posterior", 200.0],
        ["D2740", "Crown - porcelain/ceramic", 1000.0]]        # N4118 is no CDT code
    schedules = pd.read_csv(out / "schedules.csv", keep_default_na=False)
    assert schedules.values.tolist() == [
        ["Cigna", "", "D1110", 65.0], ["Cigna", "", "D2391", 130.0],
        ["Cigna", "", "D2740", 650.0],
        # The provider's D1110 override (90) and the hidden 2019 schedule are not read.
        ["Delta Dental of Oregon", "", "D0120", 35.0],
        ["Delta Dental of Oregon", "", "D1110", 70.0],
        ["Delta Dental of Oregon", "", "D2391", 140.0],
        ["Delta Dental of Oregon", "", "D2740", 700.0],
        ["MetLife", "", "D0120", 40.0], ["MetLife", "", "D1110", 80.0],
        ["MetLife", "", "D2391", 150.0], ["MetLife", "", "D2740", 800.0]]
    volume = pd.read_csv(out / "volume.csv")
    assert sorted(volume.values.tolist()) == sorted([
        # Delta: P1 + P2 + Keizer's P20 (D1110); P12's 2 units + P21 (D2391).
        ["D1110", "Delta Dental of Oregon", 3], ["D2391", "Delta Dental of Oregon", 3],
        # Cigna: P3's 3 units; Keizer's crown P22. MetLife: P4 (its pre-authorization
        # went to Cigna) and P23.
        ["D2391", "Cigna", 3], ["D2740", "Cigna", 1],
        ["D2740", "MetLife", 1], ["D1110", "MetLife", 1],
        ["D0120", "(no payer)", 1], ["D1110", "Willamette Dental (capitation)", 1]])
    (folder,) = result.folders
    assert folder.payments == {
        # P20's payment has no date (0000-00-00): not in the year; P21 paid and supplemented.
        "Delta Dental of Oregon": (186.0, 80.0, 3), "Cigna": (312.0, 210.0, 1),
        "MetLife": (400.0, 200.0, 1)}
    assert folder.notes == [
        "Cigna: 1 plan left out: hidden plans",
        "Delta Dental of Oregon: 1 plan left out: plans on a hidden fee schedule",
        "Willamette Dental (capitation): 1 plan left out: capitation plans (no allowed "
        "schedule)",
        "1 procedure with codes that are not CDT codes (D + 4 digits) left out of the volume"]


def test_analyze_gives_the_hand_worked_rates(pulled) -> None:
    """Effective rates and volume by carrier to the cent, through load_client and analyze."""
    out, _, _, _ = pulled
    analysis = analyze(load_client(out))
    payers = {p: (r, w) for p, r, w in
              analysis.payers[["payer", "effective_rate", "annual_writeoff"]]
              .itertuples(index=False)}
    # Delta: (3×70 + 3×140) / (3×100 + 3×200) = 630 / 900; write-off 3×30 + 3×60.
    assert payers["Delta Dental of Oregon"][0] == pytest.approx(630 / 900)
    assert round(payers["Delta Dental of Oregon"][1], 2) == 270.00
    # Cigna: (3×130 + 650) / (3×200 + 1000) = 1040 / 1600; MetLife (800 + 80) / 1100.
    assert payers["Cigna"][0] == pytest.approx(1040 / 1600)
    assert payers["MetLife"][0] == pytest.approx(880 / 1100)
    volume = analysis.gaps.groupby("payer")["volume"].sum().to_dict()
    assert volume == {"Cigna": 4, "Delta Dental of Oregon": 6, "MetLife": 2}
    # The ERA is in era/, its payer name an alias of the carrier: monitoring matched it.
    assert analysis.monitoring is not None
    (row,) = analysis.monitoring.payers.to_dict("records")
    assert (row["payer"], row["claims"], row["paid"]) == ("Delta Dental of Oregon", 1, 56.0)


def test_client_toml_names_the_practice_aliases_and_addresses(pulled) -> None:
    """client.toml: the practice's name, the ERA's payer name → carrier, its address."""
    out, _, _, _ = pulled
    import tomllib
    document = tomllib.loads((out / "client.toml").read_text(encoding="utf-8"))
    assert document["name"] == "Smith Family Dental"
    assert document["payer_aliases"] == {"DELTA DENTAL OF OREGON INC": "Delta Dental of Oregon"}
    assert document["payers"] == {"Delta Dental of Oregon": {
        "address": "PO Box 40384\nPortland, OR 97240"}}
    assert sorted(p.name for p in (out / "era").iterdir()) == ["2026-03-20-1.835"]


def test_nothing_is_written_to_the_database(pulled, server) -> None:
    """Every table's checksum is unchanged, and every statement was a read."""
    _, result, before, after = pulled
    assert before == after and set(before) == {f"opendental.{t}" for t in TABLES}
    assert all(s.startswith(("SELECT", "START TRANSACTION READ ONLY", "ROLLBACK",
                             "SET SESSION TRANSACTION READ ONLY"))
               for s in result.statements)


def test_the_select_only_user_cannot_write(server) -> None:
    """The pull's user is the one the README tells a practice to create: it can only read."""
    import pymysql
    with server.connect("opendental", READER, PASSWORD) as connection:
        with connection.cursor() as cursor, pytest.raises(pymysql.err.OperationalError):
            cursor.execute("UPDATE fee SET Amount = 0")


def test_one_clinic_takes_its_overrides(server, tmp_path: Path) -> None:
    """Keizer: its office fee override (D1110 110), D2740 blank there, Delta's D2391 150."""
    result = pull_opendental(tmp_path / "keizer", _database(server), clinic="KZR", today=TODAY)
    analysis = analyze(load_client(tmp_path / "keizer"))
    fees = analysis.client.office_fees
    office = dict(zip(fees["code"], fees["office_fee"]))
    assert office == {"D0120": 50, "D1110": 110, "D2391": 200}
    rates = dict(zip(analysis.payers["payer"], analysis.payers["effective_rate"]))
    assert rates["Delta Dental of Oregon"] == pytest.approx((70 + 150) / (110 + 200))
    assert rates["MetLife"] == pytest.approx(80 / 110)
    assert result.folders[0].name == "Smith Family Dental - Keizer"
    # Keizer's only ERA-free: no era/ folder at all.
    assert not (tmp_path / "keizer" / "era").exists()


def test_every_clinic_is_a_location_of_the_practice(server, tmp_path: Path) -> None:
    """--clinic all: one folder per clinic, each with the practice as its group."""
    result = pull_opendental(tmp_path / "smith", _database(server), clinic="all", today=TODAY)
    assert [f.folder.name for f in result.folders] == ["salem", "keizer"]
    import tomllib
    for folder in result.folders:
        document = tomllib.loads((folder.folder / "client.toml").read_text(encoding="utf-8"))
        assert document["group"] == "Smith Family Dental"
    salem, keizer = result.folders
    assert salem.procedures == {"Delta Dental of Oregon": 4, "Cigna": 3, "MetLife": 1,
                                "(no payer)": 1, "Willamette Dental (capitation)": 1}
    assert keizer.procedures == {"Delta Dental of Oregon": 2, "Cigna": 1, "MetLife": 1}


def test_cli_pull_then_analyze(server, tmp_path: Path) -> None:
    """The command: password from XLFEES_DB_PASSWORD, a line per step, --verbose lists SQL."""
    out = tmp_path / "smith"
    result = CliRunner().invoke(
        cli, ["pull", "opendental", "--host", "127.0.0.1", "--port", str(server.port),
              "--user", READER, "-o", str(out), "--since", "2025-11-24", "--until", "2026-11-24",
              "--verbose"],
        env={"XLFEES_DB_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output + result.stderr
    assert f"connecting to 127.0.0.1:{server.port} as {READER}" in result.stderr
    assert "Open Dental 24.3.35.0: reading the practice" in result.stderr
    assert "  SQL: SELECT PlanNum, CarrierNum, PlanType" in result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("[1/1]")]
    assert progress == ["[1/1] office fees: 4 codes (Standard)",
                        "[1/1] payer schedules: 3 from 3 plans (3 left out)",
                        "[1/1] procedures 2025-11-24 to 2026-11-24: 14 units",
                        "[1/1] insurance payments: 5 lines", "[1/1] ERAs: 1"]
    assert result.stdout.splitlines()[0].startswith(
        f"Smith Family Dental → {out}: 4 office fees, 3 payer schedules")
    assert result.stdout.splitlines()[-1].endswith(
        f"all reads, in a read-only transaction. Next: xlfees analyze {out}")
    analysed = CliRunner().invoke(cli, ["analyze", str(out)])
    assert analysed.exit_code == 0 and "Delta Dental of Oregon" in analysed.output


def test_a_refused_login_says_what_to_check(server, tmp_path: Path) -> None:
    """A wrong password: one Error line naming the server and the user."""
    result = CliRunner().invoke(
        cli, ["pull", "opendental", "--host", "127.0.0.1", "--port", str(server.port),
              "--user", READER, "-o", str(tmp_path / "x")],
        env={"XLFEES_DB_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert result.stderr == (f"connecting to 127.0.0.1:{server.port} as {READER}\n"
                             f"Error: 127.0.0.1:{server.port} refused user '{READER}' "
                             "(access denied): check the user name and the password in "
                             "XLFEES_DB_PASSWORD\n")
    assert not (tmp_path / "x").exists()


def test_a_database_that_is_not_open_dental(server, tmp_path: Path) -> None:
    """An empty database, one without claimproc, one of Open Dental 16.4: clear refusals."""
    create_database(server, "notod", tables=())
    with pytest.raises(PullError, match="database 'notod' is not an Open Dental database"):
        pull_opendental(tmp_path / "a", _database(server, "root", "", "notod"), today=TODAY)
    create_database(server, "noclaims", tables=tuple(t for t in TABLES if t != "claimproc"))
    with pytest.raises(PullError, match="has no table claimproc that the user can read"):
        pull_opendental(tmp_path / "b", _database(server, "root", "", "noclaims"), today=TODAY)
    load_practice(server, "old", version="16.4.28.0")
    with pytest.raises(PullError, match="Open Dental 16.4.28.0 is older than 17.1"):
        pull_opendental(tmp_path / "c", _database(server, "root", "", "old"), today=TODAY)


def test_a_folder_of_someone_elses_files_is_not_pulled_into(server, tmp_path: Path) -> None:
    """An output folder holding other files is refused before anything is read."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.docx").write_bytes(b"x")
    with pytest.raises(PullError, match="already holds files that an earlier pull did not"):
        pull_opendental(tmp_path / "mine", _database(server), today=TODAY)


def test_a_second_pull_replaces_the_first(server, pulled, tmp_path: Path) -> None:
    """Pulling again into the same folder is allowed, and gives the same files."""
    out, _, _, _ = pulled
    first = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    pull_opendental(out, _database(server), today=TODAY)
    again = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert first == again
    assert json.loads(again["xlfees-pull.json"])["since"] == "2025-11-24"


def test_clinics_pulled_then_batched_give_the_group_roll_up(server, tmp_path: Path) -> None:
    """--clinic all, then `xlfees batch`: each clinic's workbook and the practice's roll-up,
    whose Delta figures are the two clinics' added up."""
    from xlfees.batch.run import run_batch

    pull_opendental(tmp_path / "smith", _database(server), clinic="all", today=TODAY)
    batch = run_batch(tmp_path / "smith", tmp_path / "out", jobs=1, letter_date=TODAY)
    assert [r.ok for r in batch.results] == [True, True]
    (group,) = batch.groups
    assert group.group == "Smith Family Dental" and group.ok
    delta = next(p for p in group.rollup.payers if p.payer == "Delta Dental of Oregon")
    # Salem: D1110 2 × 70 of 2 × 100, D2391 2 × 140 of 2 × 200; Keizer: D1110 70 of 110,
    # D2391 150 of 200 (its overrides).
    assert delta.allowed == 2 * 70 + 2 * 140 + 70 + 150
    assert delta.office == 2 * 100 + 2 * 200 + 110 + 200
    assert delta.locations == ("Smith Family Dental - Keizer", "Smith Family Dental - Salem")
    assert delta.claims == 1        # Salem's ERA
    assert (tmp_path / "out" / "Smith Family Dental.xlsx").exists()


def test_a_table_the_user_may_not_read_is_named(server, tmp_path: Path) -> None:
    """A user without SELECT on claimproc: the error names the table and the grant."""
    grant_select(server, "opendental", "partial", "pw",
                 tables=tuple(t for t in TABLES if t != "claimproc"))
    with pytest.raises(PullError) as error:
        pull_opendental(tmp_path / "x", _database(server, "partial", "pw"), today=TODAY)
    assert str(error.value) == ("database 'opendental' has no table claimproc that the user "
                                "can read: GRANT SELECT ON opendental.claimproc to the user, "
                                "or check this is an Open Dental database")


def test_no_password_and_no_terminal_is_a_usage_error(tmp_path: Path) -> None:
    """Without XLFEES_DB_PASSWORD and no terminal to ask in: exit 2, saying what to set."""
    result = CliRunner().invoke(cli, ["pull", "opendental", "--user", READER, "-o",
                                      str(tmp_path / "x")], env={"XLFEES_DB_PASSWORD": None})
    assert result.exit_code == 2
    assert "no database password: set XLFEES_DB_PASSWORD (or run in a terminal to be asked " \
           "for it)" in result.output
