"""Benchmark: `xlfees batch` over N synthetic clients with --jobs 1 and --jobs 2.

Prints per-client seconds, the speed-up from 2 jobs, and the peak memory of
the whole process tree (the batch and its workers, sampled from /proc). No
assertions: speed is not a test. Targets: ≥ 1.7× with 2 jobs on 2 cores;
peak memory flat in N (under 400 MB at N = 500).

    python scripts/bench_batch.py [-n 50] [--payers 6] [--codes 200]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def make_clients(folder: Path, count: int, payers: int, codes: int) -> None:
    """``count`` client folders in the canonical CSV layout, each a little different."""
    for number in range(count):
        rng = random.Random(number)
        client = folder / f"client-{number:03d}"
        client.mkdir(parents=True)
        pool = [f"D{n:04d}" for n in sorted(rng.sample(range(100, 9999), codes))]
        fees = {code: round(rng.uniform(40, 3000), 2) for code in pool}
        with (client / "office_fees.csv").open("w") as out:
            out.write("code,description,office_fee\n")
            out.writelines(f"{c},Procedure {c},{fees[c]}\n" for c in pool)
        with (client / "schedules.csv").open("w") as out:
            out.write("payer,network,code,allowed\n")
            for p in range(payers):
                rate = rng.uniform(0.5, 0.8)
                out.writelines(f"Payer {p},PPO,{c},{round(fees[c] * rate, 2)}\n" for c in pool)
        with (client / "volume.csv").open("w") as out:
            out.write("code,payer,count\n")
            for p in range(payers):
                out.writelines(f"{c},Payer {p} PPO,{rng.randint(0, 90)}\n" for c in pool)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run(clients: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Seconds and peak tree memory (MB) of one `xlfees batch` run."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "xlfees", "batch", str(clients), "-o",
                                str(out), "--jobs", str(jobs)], stdout=subprocess.DEVNULL)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"batch failed with status {process.returncode}")
    return time.perf_counter() - start, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--clients", type=int, default=50)
    parser.add_argument("--payers", type=int, default=6)
    parser.add_argument("--codes", type=int, default=200)
    args = parser.parse_args()
    if not 1 <= args.clients <= 500:
        parser.error("-n must be between 1 and 500")
    with tempfile.TemporaryDirectory() as folder:
        clients = Path(folder) / "clients"
        make_clients(clients, args.clients, args.payers, args.codes)
        one, memory_one = run(clients, Path(folder) / "out1", 1)
        two, memory_two = run(clients, Path(folder) / "out2", 2)
    print(f"clients: {args.clients} ({args.payers} payers × {args.codes} codes each), "
          f"cores: {os.cpu_count()}")
    print(f"--jobs 1: {one:7.2f} s  ({one / args.clients:.3f} s per client), "
          f"peak memory {memory_one:6.0f} MB")
    print(f"--jobs 2: {two:7.2f} s  ({two / args.clients:.3f} s per client), "
          f"peak memory {memory_two:6.0f} MB")
    print(f"speed-up with 2 jobs: {one / two:.2f}x  (target ≥ 1.7x)")


if __name__ == "__main__":
    main()
