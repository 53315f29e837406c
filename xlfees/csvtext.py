"""Text written to CSV/TXT files a person may open in a spreadsheet, made inert.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or a carriage return) as a formula: ``=HYPERLINK(…)`` in a carrier's
name becomes a link, ``=cmd|…`` worse. As OWASP advises for CSV injection, such a
text field is written with a leading apostrophe, which every spreadsheet shows as
text; xlfees' own text reader takes the apostrophe off again (``restored``), so a
file xlfees writes reads back unchanged. Numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


# Text that starts a formula, after any apostrophes: guarded with one more apostrophe,
# so that a name which itself starts "'=" also reads back as it was.
_GUARDED = re.compile("^'*[=+\\-@\t\r]")


def neutralised(text: str) -> str:
    """``=SUM(A1)`` → ``'=SUM(A1)``; any other text as it is."""
    return GUARD + text if _GUARDED.match(text) else text


def restored(text: str) -> str:
    """What ``neutralised`` wrote, read back: ``'=SUM(A1)`` → ``=SUM(A1)``."""
    return text[1:] if text.startswith(GUARD) and _GUARDED.match(text[1:]) else text


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ",",
              line_end: str = "\n") -> bytes:
    """UTF-8 CSV with every text field neutralised (numbers are passed as numbers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow([neutralised(h) for h in header])
    writer.writerows([neutralised(cell) if isinstance(cell, str) else cell for cell in row]
                     for row in rows)
    return buffer.getvalue().encode("utf-8")
