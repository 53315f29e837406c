"""LibreOffice as the independent oracle: recalculate a workbook headless, read what it got."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import openpyxl

# A throwaway profile whose registry makes Calc recalculate every formula on load
# (otherwise it keeps the values stored in an xlsx, and would "agree" with anything).
REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(workbook: Path, scratch: Path) -> Path:
    """Open ``workbook`` in headless LibreOffice, recalculate everything, save it as xlsx."""
    return recalculate_many([workbook], scratch)[0]


def formula_cells(workbook: Path) -> dict[tuple[str, str], tuple[str, Any]]:
    """(sheet, cell) → (formula, stored value) for every formula cell of a workbook."""
    formulas = openpyxl.load_workbook(workbook, data_only=False)
    values = openpyxl.load_workbook(workbook, data_only=True)
    cells = {}
    for sheet in formulas:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cells[(sheet.title, cell.coordinate)] = (
                        cell.value, values[sheet.title][cell.coordinate].value)
    return cells


def same(stored: Any, recalculated: Any) -> bool:
    """Equal to the cent (and ratios far closer); '' and an empty cell are the same."""
    if stored in (None, "") and recalculated in (None, ""):
        return True
    if isinstance(stored, (int, float)) and isinstance(recalculated, (int, float)):
        return math.isclose(stored, recalculated, rel_tol=1e-9, abs_tol=1e-6)
    return stored == recalculated


def values(workbook: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(workbook, data_only=True)


def _convert(files: list[Path], scratch: Path, target: str, folder: str) -> list[Path]:
    """Convert ``files`` with headless LibreOffice in one run, in a throwaway profile that
    recalculates every formula on load; the results go to ``scratch/folder``."""
    profile = scratch / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(REGISTRY, encoding="utf-8")
    out = scratch / folder
    out.mkdir(exist_ok=True)
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    command = [soffice() or "soffice", f"-env:UserInstallation={profile.as_uri()}",
               "--headless", "--norestore", "--convert-to", target, "--outdir", str(out),
               *map(str, files)]
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=600)
    results = [out / f"{file.stem}.{target}" for file in files]
    missing = [r for r in results if not r.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote nothing for {missing}")
    return results


def recalculate_many(workbooks: list[Path], scratch: Path) -> list[Path]:
    """Recalculate several workbooks in one LibreOffice run (their names must differ)."""
    return _convert(workbooks, scratch, "xlsx", "recalculated")


def to_pdf(documents: list[Path], scratch: Path) -> list[Path]:
    """Render documents (.docx, .xlsx) to PDF with LibreOffice in one run, as a person
    printing them would see them."""
    return _convert(documents, scratch, "pdf", "pdf")


def unavailable(message: str) -> NoReturn:
    """A tool a test needs is missing: skip on a developer's machine, fail in CI (CI set),
    where .ci/run installs it and a skip would pass unseen."""
    import os

    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"{message}; .ci/run installs it, so in CI this is a failure")
    pytest.skip(message)
