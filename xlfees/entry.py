"""The ``xlfees`` command's entry point: signal handlers first, then the command line.

Ctrl-C or SIGTERM at any moment, even while pandas is still importing, ends the
run with "Interrupted." and exit status 130, never a traceback; the writers
remove their temporary files as the interrupt unwinds them.
"""

from __future__ import annotations

import signal
import sys

from .signals import INTERRUPTED, received, interrupted, raise_interrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        from .cli import run   # the heavy imports happen here, under the handlers
        # An interrupt raised inside importlib's own clean-up is printed as "Exception
        # ignored" and lost: the flag it left says to stop all the same.
        code = interrupted() if received else run()
    except KeyboardInterrupt:
        code = interrupted()
    if received and code != INTERRUPTED:
        code = interrupted()
    sys.exit(code)


