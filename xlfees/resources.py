"""The files a coordinator opens: the workbook template and the add-in.

They live in the repository's top-level ``workbook_templates/`` folder and are
copied into the wheel as ``xlfees/workbook_templates/``; installed code finds
them through ``importlib.resources``, a source checkout beside the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

TEMPLATE_NAME = "xlfees_template.xlsx"
# The sheets that give away a workbook (or template) xlfees wrote: a result, never an input.
RESULT_SHEETS = frozenset({"Summary", "Targets", "Alt Benefits", "Payers", "Import Notes"})
# ... and the sheets of a group's roll-up workbook (xlfees.workbook.group).
GROUP_SHEETS = frozenset({"Summary", "Payers", "Categories", "Locations", "Detail",
                          "Group Notes"})
ADDIN_NAME = "xlfees.xlam"


def templates_dir() -> Path:
    """The folder holding xlfees_template.xlsx, xlfees.xlam and the ribbon's sources."""
    packaged = Path(str(files("xlfees") / "workbook_templates"))
    if packaged.is_dir():
        return packaged
    # A source checkout that was never built: the repository's own folder.
    return Path(__file__).resolve().parent.parent / "workbook_templates"


def template_path() -> Path:
    """The blank workbook template that ships with the package."""
    return templates_dir() / TEMPLATE_NAME


def addin_path() -> Path:
    """The "Fees" ribbon add-in that ships with the package."""
    return templates_dir() / ADDIN_NAME
