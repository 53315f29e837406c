"""Per-client work functions for the batch's tests: a worker that dies mid-client."""

from __future__ import annotations

import os
from pathlib import Path

from xlfees.batch.run import process_client


def abort_on_doomed(task):  # type: ignore[no-untyped-def]
    """Like the batch's own work, but the process aborts (SIGABRT) on a folder named doomed."""
    if Path(task.folder).name == "doomed":
        os.abort()
    return process_client(task)


def exit_on_doomed(task):  # type: ignore[no-untyped-def]
    """The process vanishes without a result, as under the OOM killer's SIGKILL."""
    if Path(task.folder).name == "doomed":
        os.kill(os.getpid(), 9)
    return process_client(task)
