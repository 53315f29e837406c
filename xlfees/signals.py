"""Ctrl-C and SIGTERM: both unwind as KeyboardInterrupt, and the run says so once (exit 130)."""

from __future__ import annotations

import sys
# typing is not imported: 9 ms before the signal handlers are in place.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


INTERRUPTED = 130


received: list[int] = []   # the signals raise_interrupt has seen


def raise_interrupt(signum: int, frame: Any) -> None:
    """A signal handler that turns SIGTERM into KeyboardInterrupt, so cleanup code runs."""
    received.append(signum)
    raise KeyboardInterrupt


def interrupted() -> int:
    """Say so once, on stderr, and give the interrupt's exit status."""
    try:
        sys.stderr.write("\nInterrupted: no partial file was left.\n")
        sys.stderr.flush()
    except (OSError, ValueError):   # a closed terminal: nothing to say it on
        pass
    return INTERRUPTED
