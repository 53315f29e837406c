"""`xlfees worklist import`: a person's Worklist edits in a workbook, back into the
client folder's recovery.csv (one call for the command line)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..deliverables.worklist import Imported, import_edits, workbook_edits
from ..workbook import spec
from ..workbook.edits import table_rows

EDITED = ("Key", "Status", "Owner", "Notes", "Status as written", "Owner as written",
          "Notes as written")


def import_worklist(workbook: str | Path, folder: str | Path, day: date) -> Imported:
    """The Status, Owner and Notes of the workbook's Worklist, into ``folder``'s file."""
    rows = table_rows(workbook, spec.WORKLIST, EDITED)
    return import_edits(workbook_edits(rows, str(workbook)), workbook, folder, day)
