"""Shared fixtures: the hand-worked client folder kept under tests/data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `python -m pytest` puts the checkout first on sys.path, and xlfees/ sits at its top:
# take it off so the tests import the installed package (and so check that the wheel
# ships everything the package needs, the workbook template among it).
sys.path[:] = [entry for entry in sys.path if Path(entry or os.curdir).resolve() != ROOT]

import pytest  # noqa: E402

from libreoffice import soffice, unavailable  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.fixture
def handworked_dir() -> Path:
    """The client folder whose every figure is worked by hand in test_engine.py."""
    return DATA / "clients" / "handworked"


@pytest.fixture
def needs_libreoffice() -> None:
    """Skip without LibreOffice on a developer's machine; in CI its absence is a failure."""
    if soffice() is None:
        unavailable("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")


def writer_ready() -> bool:
    """LibreOffice Writer and Carlito (Calibri's metrics), which render the letters."""
    import shutil
    import subprocess

    office = soffice()
    writer = office is not None and (Path(office).resolve().parent / "libswlo.so").exists()
    return bool(writer and shutil.which("fc-list") and "Carlito" in subprocess.run(
        ["fc-list"], capture_output=True, text=True).stdout)


@pytest.fixture
def needs_writer() -> None:
    """Skip without Writer and Carlito on a developer's machine; in CI, fail."""
    if not writer_ready():
        unavailable("LibreOffice Writer and the Carlito font are needed (apt-get install "
                    "libreoffice-writer-nogui fonts-crosextra-carlito)")
