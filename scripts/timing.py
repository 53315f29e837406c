"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import time
from typing import Callable


def best_of(repeat: int, function: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)
