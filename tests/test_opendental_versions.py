"""`xlfees pull opendental` against each Open Dental version's published schema (issue 29).

The databases are built from tests/data/opendental/schema-<version>.sql, which
scripts/opendental_schema.py writes from Open Dental's own OpenDentalDocumentation.xml
(17.4, 21.1 and 24.3): the pull meets the columns Open Dental has, nothing invented.

One practice, "Riverside Dental", no clinics; Delta Dental of Oregon (a PPO plan and a
capitation plan) and Cigna (a PPO plan); fees D0120 / D1110: office 50 / 100, Delta 35 / 70,
Cigna 40 / 65.

    proc  date   code   claim procedures (ClaimProcNum: plan, status, claim type)
    P1    03-01  D1110  1: Delta PPO, received, primary       (paid 56, write-off 30)
    P2    03-02  D0120  2: Cigna, received, primary           (paid 32, write-off 10)
    P3    04-01  D1110  3: Delta capitation, cap complete     (not the PPO's volume)
    P4    05-01  D0120  4: Cigna, estimate, secondary claim;  5: Delta, received, primary

One 835 as Open Dental keeps it: one message text with two transactions (Delta's P1,
Cigna's P2), two etrans rows pointing at it with CarrierNum 0 and the payers' names as
the 835 gives them, each attached to its claim.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

import pytest

from xlfees import analyze, load_client
from xlfees.sources.opendental import Database, pull_opendental

from era_make import Claim, Line, Payment, remittance
from mariadb_server import (VERSIONS, checksums, create_database, insert, mariadb_available,
                            start_server)

TODAY = date(2026, 11, 24)
DELTA, CIGNA = "DELTA DENTAL OF OREGON INC", "CIGNA HEALTH AND LIFE"

pytestmark = pytest.mark.skipif(not mariadb_available() and not os.environ.get("CI"),
                                reason="MariaDB is not installed (apt-get install "
                                       "mariadb-server)")


def _era() -> bytes:
    return remittance([
        Payment(DELTA, [Claim("P1", [Line("D1110", 100, 56, 70, [("CO", "45", 30),
                                                                  ("PR", "2", 14)],
                                          service_date=date(2026, 3, 1))])],
                paid_on=date(2026, 3, 20), trace="1001"),
        Payment(CIGNA, [Claim("P2", [Line("D0120", 50, 32, 40, [("CO", "45", 10),
                                                                 ("PR", "2", 8)],
                                          service_date=date(2026, 3, 2))])],
                paid_on=date(2026, 3, 20), trace="2001")])


def _practice(server, name: str, version: str) -> None:
    create_database(server, name, version=version)

    def add(table: str, columns: str, *rows: tuple) -> None:
        names = columns.split()
        insert(server, name, table, [dict(zip(names, row)) for row in rows])
    add("preference", "PrefName ValueString", ("PracticeTitle", "Riverside Dental"),
        ("PracticeDefaultProv", "1"), ("DataBaseVersion", f"{version}.0.0"))
    add("provider", "ProvNum Abbr FeeSched", (1, "DOC1", 1))
    add("procedurecode", "CodeNum ProcCode Descript", (1, "D0120", "Periodic oral evaluation"),
        (2, "D1110", "Prophylaxis - adult"))
    add("feesched", "FeeSchedNum Description FeeSchedType ItemOrder IsHidden",
        (1, "Standard", 0, 0, 0), (2, "Delta PPO", 0, 1, 0), (3, "Cigna DPPO", 0, 2, 0))
    add("fee", "FeeNum FeeSched CodeNum Amount ClinicNum ProvNum",
        (1, 1, 1, 50, 0, 0), (2, 1, 2, 100, 0, 0), (3, 2, 1, 35, 0, 0), (4, 2, 2, 70, 0, 0),
        (5, 3, 1, 40, 0, 0), (6, 3, 2, 65, 0, 0))
    add("carrier", "CarrierNum CarrierName", (1, "Delta Dental of Oregon"), (2, "Cigna"))
    add("insplan", "PlanNum CarrierNum PlanType FeeSched AllowedFeeSched IsHidden",
        (10, 1, "p", 2, 0, 0), (12, 2, "p", 3, 0, 0), (15, 1, "c", 0, 0, 0))
    add("procedurelog", "ProcNum ProcDate ProcStatus CodeNum ClinicNum BaseUnits UnitQty",
        (1, "2026-03-01", 2, 2, 0, 0, 1), (2, "2026-03-02", 2, 1, 0, 0, 1),
        (3, "2026-04-01", 2, 2, 0, 0, 1), (4, "2026-05-01", 2, 1, 0, 0, 1))
    add("claim", "ClaimNum PlanNum ClinicNum ClaimType",
        (1, 10, 0, "P"), (2, 12, 0, "P"), (4, 12, 0, "S"), (5, 10, 0, "P"))
    add("claimproc", "ClaimProcNum ProcNum PlanNum Status ClaimNum InsPayAmt WriteOff DateCP",
        (1, 1, 10, 1, 1, 56, 30, "2026-03-20"), (2, 2, 12, 1, 2, 32, 10, "2026-03-20"),
        (3, 3, 15, 7, 0, 0, 0, "0001-01-01"), (4, 4, 12, 6, 4, 0, 0, "0001-01-01"),
        (5, 4, 10, 1, 5, 28, 15, "2026-05-20"))
    add("etransmessagetext", "EtransMessageTextNum MessageText", (1, _era().decode("ascii")))
    add("etrans", "EtransNum DateTimeTrans Etype CarrierNum CarrierNameRaw "
        "EtransMessageTextNum TranSetId835",
        (1, "2026-03-20 09:30:00", 27, 0, DELTA, 1, "0001"),
        (2, "2026-03-20 09:30:00", 27, 0, CIGNA, 1, "0002"))
    add("etrans835attach", "Etrans835AttachNum EtransNum ClaimNum", (1, 1, 1), (2, 2, 2))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("mariadb"))
    yield running
    running.stop()


@pytest.mark.parametrize("version", VERSIONS)
def test_a_pull_from_each_published_schema(server, tmp_path: Path, version: str) -> None:
    """Each version: the 835 once, the practice's name, both payers' aliases, volume by the
    primary claim with capitation kept out of the PPO's, monitoring by hand, nothing
    written to the database."""
    name = "od" + version.replace(".", "")
    _practice(server, name, version)
    before = checksums(server, name)
    out = tmp_path / "riverside"
    result = pull_opendental(out, Database("127.0.0.1", server.port, "root", name, ""),
                             today=TODAY)
    assert checksums(server, name) == before
    [folder] = result.folders
    assert folder.eras == 1 and len(list((out / "era").iterdir())) == 1
    document = tomllib.loads((out / "client.toml").read_text(encoding="utf-8"))
    assert document["name"] == "Riverside Dental"
    assert document["payer_aliases"] == {DELTA: "Delta Dental of Oregon", CIGNA: "Cigna"}
    # P4's payer is its primary claim's (Delta), not Cigna's lower-numbered estimate; P3
    # is the capitation plan's, never the Delta PPO's.
    assert folder.procedures == {"Delta Dental of Oregon": 2, "Cigna": 1,
                                 "Delta Dental of Oregon (capitation)": 1}
    analysis = analyze(load_client(out))
    payers = {r["payer"]: r for r in analysis.monitoring.payers.to_dict("records")}
    assert {p: (r["claims"], r["lines"], r["paid"], r["allowed"], r["underpaid_lines"])
            for p, r in payers.items()} == {
        "Delta Dental of Oregon": (1, 1, 56.0, 70.0, 0),   # allowed 70 = Delta's D1110
        "Cigna": (1, 1, 32.0, 40.0, 0)}                     # allowed 40 = Cigna's D0120
    assert ("volume for payer 'Delta Dental of Oregon (capitation)' (1 procedure) matches no "
            "payer schedule and is left out") in [note.reason for note in analysis.notes]
