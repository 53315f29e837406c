"""The ``xlfees`` command's entry point: signal handlers first, then the command line.

Ctrl-C or SIGTERM at any moment, even while pandas is still importing, ends the
run with "Interrupted." and exit status 130, never a traceback; the writers
remove their temporary files as the interrupt unwinds them.
"""

from __future__ import annotations

import signal
import sys
# typing is not imported: 9 ms before the signal handlers are in place.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

INTERRUPTED = 130


_received: list[int] = []   # the signals raise_interrupt has seen


def raise_interrupt(signum: int, frame: Any) -> None:
    """A signal handler that turns SIGTERM into KeyboardInterrupt, so cleanup code runs."""
    _received.append(signum)
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        from .cli import run   # the heavy imports happen here, under the handlers
        # An interrupt raised inside importlib's own clean-up is printed as "Exception
        # ignored" and lost: the flag it left says to stop all the same.
        code = interrupted() if _received else run()
    except KeyboardInterrupt:
        code = interrupted()
    if _received and code != INTERRUPTED:
        code = interrupted()
    sys.exit(code)


def interrupted() -> int:
    """Say so once, on stderr, and give the interrupt's exit status."""
    try:
        sys.stderr.write("\nInterrupted: no partial file was left.\n")
        sys.stderr.flush()
    except (OSError, ValueError):   # a closed terminal: nothing to say it on
        pass
    return INTERRUPTED
