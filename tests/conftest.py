"""Shared fixtures: the hand-worked client folder kept under tests/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from libreoffice import soffice

DATA = Path(__file__).parent / "data"


@pytest.fixture
def handworked_dir() -> Path:
    """The client folder whose every figure is worked by hand in test_engine.py."""
    return DATA / "clients" / "handworked"


@pytest.fixture
def needs_libreoffice() -> None:
    """Skip without LibreOffice on a developer's machine; in CI its absence is a failure."""
    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs "
                        "libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
