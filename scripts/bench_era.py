"""Benchmark: a generated 5,000-claim X12 835 read and analysed against a client's schedules.

Prints seconds and the process's peak memory (no assertions: speed is not a test).
Targets: read and analysed in under 5 s, peak memory under 300 MB.

    python scripts/bench_era.py [--claims 5000]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from era_make import Claim, Line, Payment, remittance  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=5000)
    args = parser.parse_args()

    from xlfees import analyze, load_client
    from xlfees.sources.era import read_era

    client = load_client(ROOT / "examples" / "smile-studio")
    schedule = client.schedules[client.schedules["payer"] == "Delta Dental"]
    amounts = dict(zip(schedule["code"], schedule["allowed"]))
    codes = sorted(amounts)
    rng = random.Random(5)
    claims = []
    for number in range(args.claims):
        lines = []
        for _ in range(rng.randint(1, 5)):
            code = rng.choice(codes)
            allowed = amounts[code] - (rng.choice([0, 0, 0, 0, 5]))
            if rng.random() < 0.05:
                lines.append(Line(code, allowed * 1.5, 0, None, [("CO", "119", allowed * 1.5)]))
            else:
                lines.append(Line(code, allowed * 1.5, round(allowed * 0.8, 2), allowed,
                                  [("CO", "45", allowed * 0.5),
                                   ("PR", "2", round(allowed * 0.2, 2))]))
        received = date(2026, 1, 1) + timedelta(days=rng.randint(0, 270))
        claims.append(Claim(f"PCN{number:06d}", lines, received=received))
    payments = [Payment("DELTA DENTAL INSURANCE CO", claims[i:i + 500], trace=str(i))
                for i in range(0, len(claims), 500)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.835"
        path.write_bytes(remittance(payments, crlf=True))
        size = path.stat().st_size
        start = time.perf_counter()
        era = read_era(path)
        read_seconds = time.perf_counter() - start
        from dataclasses import replace
        start = time.perf_counter()
        monitoring = analyze(replace(client, remittances=(era,))).monitoring
        analyse_seconds = time.perf_counter() - start
    lines = sum(len(c.lines) for p in era.payments for c in p.claims)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"835: {args.claims:,} claims, {lines:,} lines, {size / 1e6:.1f} MB")
    print(f"read:                 {read_seconds:6.2f} s")
    print(f"analyse (engine, monitoring): {analyse_seconds:6.2f} s")
    print(f"total:                {read_seconds + analyse_seconds:6.2f} s (target < 5 s)")
    print(f"peak memory:          {peak:6.0f} MB (target < 300 MB)")
    print(f"underpaid lines found: {int(monitoring.payers['underpaid_lines'].sum()):,}")


if __name__ == "__main__":
    main()
