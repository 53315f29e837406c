"""CDT code normalisation and categories."""

from __future__ import annotations

import pytest

from xlfees import category, normalize_code


@pytest.mark.parametrize(("text", "code"), [
    ("D2391", "D2391"), ("d2391", "D2391"), ("2391", "D2391"), (" D2391 ", "D2391"),
    ("D2391 - Resin-based composite", "D2391"), ("D2391.", "D2391"), ("2391.", "D2391"),
    (2391, "D2391"), (2391.0, "D2391"), ("D0120", "D0120"), ("0120", "D0120"),
])
def test_codes_in_every_form(text: object, code: str) -> None:
    """Codes as schedules write them normalise to D + 4 digits."""
    assert normalize_code(text) == code


@pytest.mark.parametrize("text", [
    "", "X123", "D239", "D23911", "Total", "2391 apples", None, float("nan"), 2391.5,
    "D0099", True,
])
def test_non_codes_are_refused(text: object) -> None:
    """Anything that is not a CDT code gives None."""
    assert normalize_code(text) is None


@pytest.mark.parametrize(("code", "name"), [
    ("D0120", "Diagnostic"), ("D0999", "Diagnostic"), ("D1110", "Preventive"),
    ("D2391", "Restorative"), ("D3330", "Endodontics"), ("D4341", "Periodontics"),
    ("D5110", "Removable prosthodontics"), ("D5899", "Removable prosthodontics"),
    ("D5900", "Maxillofacial prosthetics"), ("D6010", "Implant services"),
    ("D6199", "Implant services"), ("D6200", "Fixed prosthodontics"),
    ("D7140", "Oral and maxillofacial surgery"), ("D8080", "Orthodontics"),
    ("D9999", "Adjunctive general services"),
])
def test_category_by_cdt_range(code: str, name: str) -> None:
    """Each code falls in the CDT category of its range, boundaries included."""
    assert category(code) == name
