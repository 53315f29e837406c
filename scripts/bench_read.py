"""Benchmark: reading a 10,000-row xlsx schedule with calamine (xlfees' reader) vs openpyxl.

Prints seconds for each and the ratio; no assertions (speed is not a test).

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


if __name__ == "__main__":
    main()
