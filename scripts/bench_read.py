"""Benchmark: reading a 10,000-row xlsx schedule with calamine (xlfees' reader) vs openpyxl,
then `xlfees inspect` of every file in the reader corpus, each in a fresh process: the
slowest file and the largest peak memory (the budget: 2 s and 300 MB a file).

Prints seconds and megabytes; no assertions (speed is not a test).

    python scripts/bench_read.py [--rows 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import best_of


def make_schedule(path: Path, rows: int) -> None:
    """A payer schedule: title rows, a header, ``rows`` codes with money as numbers."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Schedule")
    sheet.append(["Benchmark Dental PPO - Fee Schedule (effective 01/01/2026)"])
    sheet.append([])
    sheet.append(["Procedure Code", "Network", "Description", "Maximum Plan Allowance",
                  "Alternate Code"])
    for i in range(rows):
        # Two networks, so 10,000 rows hold 5,000 distinct codes each (CDT has fewer than 9,000).
        code = f"D{1000 + (i // 2) % 9000:04d}"
        network = ("PPO", "Premier")[i % 2]
        sheet.append([code, network, f"Procedure {i} with a realistic description",
                      round(50 + (i % 997) * 1.37, 2), None])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import openpyxl
    from python_calamine import CalamineWorkbook

    import xlfees

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "benchmark_ppo.xlsx"
        make_schedule(path, args.rows)

        def calamine_cells() -> None:
            book = CalamineWorkbook.from_path(str(path))
            book.get_sheet_by_name("Schedule").to_python(skip_empty_area=False)
            book.close()

        def openpyxl_cells() -> None:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            list(book["Schedule"].iter_rows(values_only=True))
            book.close()

        def xlfees_read() -> None:
            read = xlfees.read_schedule(path)
            assert len(read.schedules) == args.rows, len(read.rejected)

        calamine = best_of(args.repeat, calamine_cells)
        openpyxl_time = best_of(args.repeat, openpyxl_cells)
        full = best_of(args.repeat, xlfees_read)
    print(f"rows: {args.rows:,} (best of {args.repeat})")
    print(f"calamine cells:          {calamine:8.3f} s")
    print(f"openpyxl cells:          {openpyxl_time:8.3f} s")
    print(f"xlfees.read_schedule:    {full:8.3f} s  (calamine + detection + parsing)")
    print(f"openpyxl / calamine:     {openpyxl_time / calamine:8.1f}x")
    corpus()


def corpus() -> None:
    """`xlfees inspect` of each corpus file in its own process: time and peak memory."""
    import os
    import subprocess
    import sys
    import time

    folder = Path(__file__).resolve().parent.parent / "tests" / "data" / "readers"
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix not in (".json", ".py", ".md"))
    measured = []
    for path in files:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "xlfees", "inspect", str(path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        # ru_maxrss of the inspect process; a workbook or PDF child reads under its own
        # 1 GB limit and is counted by RUSAGE_CHILDREN of that process, not here.
        measured.append((seconds, usage.ru_maxrss / 1024, path.name))
    slowest = max(measured)
    largest = max(measured, key=lambda m: m[1])
    print(f"corpus: {len(files)} files inspected, each in a fresh process")
    print(f"slowest:                 {slowest[0]:8.3f} s   {slowest[2]}")
    print(f"largest peak memory:     {largest[1]:8.1f} MB  {largest[2]}")


if __name__ == "__main__":
    main()
