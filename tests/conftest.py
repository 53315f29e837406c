"""Shared fixtures: the hand-worked client folder kept under tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def handworked_dir() -> Path:
    """The client folder whose every figure is worked by hand in test_engine.py."""
    return DATA / "clients" / "handworked"
