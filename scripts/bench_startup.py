"""Benchmark: how long `xlfees --version` and `xlfees --help` take beside `import click`.

Each command runs 15 times in a fresh interpreter; the medians and their ratio are
printed. No assertion: speed is not a test. Budget (issue 26): within 3× of
`python -c "import click"`.

    python scripts/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def median_seconds(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    click = median_seconds(["-c", "import click"])
    label = 'python -c "import click"'
    print(f"{label:<28}{click:>8.3f} s")
    for args in (["--version"], ["--help"], ["analyze", "--help"]):
        seconds = median_seconds(["-m", "xlfees", *args])
        print(f"{'xlfees ' + ' '.join(args):<28}{seconds:>8.3f} s  {seconds / click:.1f}× "
              f"(budget 3×)")


if __name__ == "__main__":
    main()
