"""Benchmark: Python time of FEES_GAP and FEES_IMPACT over 10,000 rows (target under 20 ms).

Arguments are shaped as Excel passes them with ndim=2: a list of 10,000
one-element rows. No assertions: speed is not a test.

    python scripts/bench_udfs.py [--rows 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from xlfees.excel.udfs import FEES_GAP, FEES_IMPACT

    rng = random.Random(3)
    office = [[round(rng.uniform(40, 3000), 2)] for _ in range(args.rows)]
    allowed = [[round(fee[0] * rng.uniform(0.5, 0.9), 2)] for fee in office]
    volume = [[float(rng.randint(0, 200))] for _ in range(args.rows)]
    for name, call in (("FEES_GAP", lambda: FEES_GAP(office, allowed)),
                       ("FEES_IMPACT", lambda: FEES_IMPACT(volume, allowed, office, 0.1))):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        times.sort()
        print(f"{name:12} {args.rows:,} rows: best {times[0] * 1000:6.2f} ms, "
              f"median {times[len(times) // 2] * 1000:6.2f} ms  (target < 20 ms)")


if __name__ == "__main__":
    main()
