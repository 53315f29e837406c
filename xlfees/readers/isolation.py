"""Reading workbooks and PDFs in a child process, inside a memory and a time budget.

calamine, pdfium and pdfminer are fast and good, but a hostile file can make them abort
(a cell at XFD200000: calamine asks for 100 GB), panic, or run for minutes (a page
of 60,000 lines, a stream that inflates to 1.5 GB). Run in a child with an address
space limit and a timeout, such a file fails with one clear error and the caller,
a batch of fifty clients say, carries on.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from .limits import MB, Limits, ReadError

CHILD = Path(__file__).with_name("isolated_child.py")


# What the child's answer may hold besides lists, dicts, text and numbers: the cell
# types calamine gives. Nothing else can be named, so nothing else can be called: a
# child subverted through a parser bug cannot make the parent run code by its answer.
_ALLOWED = {("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"),
            ("datetime", "timedelta")}


class _PlainData(pickle.Unpickler):
    """An unpickler of plain data only (the restricted unpickler of Python's docs)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _limit_memory(limit: int) -> Any:
    """A preexec function capping the child's address space (POSIX only)."""
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_isolated(mode: str, path: Path, numbers: list[int], limits: Limits,
                 shown: str) -> dict[str, Any]:
    """The child's answer for ``mode`` ("workbook" or "pdf"), or a ReadError saying why not."""
    command = [sys.executable, "-I", str(CHILD), mode, str(path), *map(str, numbers)]
    seconds = limits.max_seconds
    if mode == "pdf":
        # The child holds each PDF to its own budget by its page count; this is the
        # most any PDF may take (a page that never finishes laying out).
        command += [repr(limits.max_seconds), repr(limits.pdf_seconds_per_page)]
        # ... and 5 s more for the child's own start (importing its readers), so that the
        # child, which knows the page count, is the one to stop a PDF that is merely slow.
        seconds += limits.pdf_seconds_per_page * limits.max_pdf_pages + 5
    options: dict[str, Any] = {}
    if os.name == "posix":
        options["preexec_fn"] = _limit_memory(limits.max_memory_bytes)
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds,
                              check=False, **options)
    except subprocess.TimeoutExpired as stopped:
        where = _last_place(stopped.stderr)
        raise ReadError(shown, f"took more than {seconds:g} s to read{where}, "
                               "so it was stopped", _FIX[mode]) from None
    if done.returncode != 0 or not done.stdout:
        where = _last_place(done.stderr)
        raise ReadError(shown, f"could not be read within {limits.max_memory_bytes // MB:,} MB "
                               f"of memory{where} (the reader stopped with status "
                               f"{done.returncode})", _FIX[mode])
    try:
        answer: dict[str, Any] = _PlainData(io.BytesIO(done.stdout)).load()
    except (pickle.UnpicklingError, EOFError, ValueError) as error:
        raise ReadError(shown, f"could not be read (the reader's answer was refused: "
                               f"{error})", _FIX[mode]) from None
    if "failed" in answer:   # calamine and pdfminer raise many types for damaged files
        what, fix = _FAILED[mode]
        raise ReadError(shown, f"cannot be read as {what} ({answer['failed']})", fix)
    if answer.get("refused") == "time":
        raise ReadError(shown, f"took more than {answer['seconds']:g} s to read (at page "
                               f"{answer['page']}), so it was stopped", _FIX[mode])
    if answer.get("refused") == "memory":
        raise ReadError(shown, f"needs more than {limits.max_memory_bytes // MB:,} MB of "
                               f"memory to read{_last_place(done.stderr)}", _FIX[mode])
    return answer


_FAILED = {
    "workbook": ("a workbook", "open it in Excel and save it again as .xlsx"),
    "pdf": ("a PDF", "ask the payer for the schedule as Excel or CSV, or print it to a new PDF"),
}
_FIX = {
    "workbook": "open it in Excel, copy the table to a new workbook and save that as .xlsx",
    "pdf": "ask the payer for the schedule as Excel or CSV, or print it to a new PDF",
}


def _last_place(stderr: bytes | None) -> str:
    """Where the child was when it stopped: its last "@ page 3" progress line."""
    places = [line[2:] for line in (stderr or b"").decode("utf-8", "replace").splitlines()
              if line.startswith("@ ") and len(line) < 300]
    return f" (at {places[-1]})" if places else ""
