"""Benchmark: `xlfees pull opendental` over 50,000 procedures in a real MariaDB server.

Starts mariadbd in a temporary folder (tests/mariadb_server.py), loads a generated
practice in Open Dental's tables (300 codes, 6 carriers with 12 plans, 50,000 completed
procedures with a claim procedure each, a tenth with a second; deleted and planned ones
beside them), pulls it as a SELECT-only user and prints seconds (no assertions: speed
is not a test). Target: under 10 s; 1,000,000 procedures within 30 s (issue 25). Then
``load_client`` + ``analyze`` of the folder.

    python scripts/bench_pull.py [--procedures 50000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from mariadb_server import (create_database, grant_select, insert,  # noqa: E402
                            start_server)


def load(server, procedures: int) -> None:
    rng = random.Random(50_000)
    create_database(server, "opendental")
    codes = [f"D{n:04d}" for n in rng.sample(range(100, 9999), 300)]
    insert(server, "opendental", "preference", [
        {"PrefName": "PracTitle", "ValueString": "Benchmark Dental"},
        {"PrefName": "PracticeDefaultProv", "ValueString": "1"},
        {"PrefName": "DataBaseVersion", "ValueString": "24.3.35.0"}])
    insert(server, "opendental", "provider", [{"ProvNum": 1, "Abbr": "DOC", "FeeSched": 1}])
    insert(server, "opendental", "procedurecode", [
        {"CodeNum": i, "ProcCode": code, "Descript": f"procedure {code}"}
        for i, code in enumerate(codes, start=1)])
    insert(server, "opendental", "feesched", [
        {"FeeSchedNum": s, "Description": f"schedule {s}", "FeeSchedType": 0, "ItemOrder": s,
         "IsHidden": 0} for s in range(1, 8)])
    insert(server, "opendental", "fee", [
        {"FeeSched": s, "CodeNum": c, "Amount": round(rng.uniform(40, 1500), 2),
         "ClinicNum": 0, "ProvNum": 0} for s in range(1, 8) for c in range(1, 301)])
    insert(server, "opendental", "carrier", [
        {"CarrierNum": c, "CarrierName": f"Carrier {c}", "Address": "", "Address2": "",
         "City": "", "State": "", "Zip": ""} for c in range(1, 7)])
    insert(server, "opendental", "insplan", [
        {"PlanNum": p, "CarrierNum": (p - 1) % 6 + 1, "PlanType": "p",
         "FeeSched": (p - 1) % 6 + 2, "AllowedFeeSched": 0, "IsHidden": 0}
        for p in range(1, 13)])
    start = date(2025, 12, 1)
    rows, claims = [], []
    for number in range(1, procedures + 1):
        status = 2 if number % 20 else rng.choice([1, 6])   # a few planned or deleted
        rows.append({"ProcNum": number, "ProcDate": start + timedelta(days=rng.randint(0, 350)),
                     "ProcStatus": status, "CodeNum": rng.randint(1, 300), "ClinicNum": 0,
                     "BaseUnits": 0, "UnitQty": rng.choice([1, 1, 1, 2])})
        claims.append({"ProcNum": number, "PlanNum": rng.randint(1, 12), "Status": 1,
                       "InsPayAmt": 50.0, "WriteOff": 10.0,
                       "DateCP": start + timedelta(days=rng.randint(0, 350)), "ClinicNum": 0})
        if number % 10 == 0:
            claims.append({"ProcNum": number, "PlanNum": rng.randint(1, 12), "Status": 0,
                           "InsPayAmt": 0.0, "WriteOff": 0.0, "DateCP": date(1, 1, 1),
                           "ClinicNum": 0})
    for first in range(0, len(rows), 5000):
        insert(server, "opendental", "procedurelog", rows[first:first + 5000])
    for first in range(0, len(claims), 5000):
        insert(server, "opendental", "claimproc", claims[first:first + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=50_000)
    args = parser.parse_args()

    from xlfees import analyze, load_client
    from xlfees.sources.opendental import Database, pull_opendental

    with tempfile.TemporaryDirectory() as scratch:
        server = start_server(Path(scratch))
        try:
            began = time.perf_counter()
            load(server, args.procedures)
            grant_select(server, "opendental", "bench", "bench")
            print(f"loaded {args.procedures:,} procedures in {time.perf_counter() - began:.1f} s")
            began = time.perf_counter()
            result = pull_opendental(Path(scratch) / "client",
                                     Database("127.0.0.1", server.port, "bench", "opendental",
                                              "bench"), today=date(2026, 11, 24))
            pulled = time.perf_counter() - began
            (folder,) = result.folders
            print(f"pulled in {pulled:.2f} s (target under 10 s): "
                  f"{sum(folder.procedures.values()):,.0f} procedure units, "
                  f"{len(folder.schedules)} schedules, {len(result.statements)} statements; "
                  f"{pulled / args.procedures * 1000:.3f} s per 1,000 procedures")
            began = time.perf_counter()
            analysis = analyze(load_client(folder.folder))
            print(f"load_client + analyze of the pulled folder: "
                  f"{time.perf_counter() - began:.2f} s ({len(analysis.gaps):,} payer × code "
                  "rows)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
