"""Encodings and delimiters of text files, detected rather than assumed."""

from __future__ import annotations

import pytest

from xlfees.amounts import looks_decimal_comma, parse_amount
from xlfees.readers.grids import decode, sniff_delimiter, split_pdf_line

TEXT = "Code;Description;Fee\nD0120;Évaluation – périodique;36,50\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),                 # with BOM
    (TEXT.encode("utf-16-le"), "utf-16-le"),           # without BOM
    (TEXT.encode("utf-16-be"), "utf-16-be"),
    (TEXT.encode("cp1252"), "cp1252"),                 # é and the en dash in one byte each
])
def test_encodings(data: bytes, encoding: str) -> None:
    """Each encoding is recognised and the text decodes intact."""
    text, detected = decode(data)
    assert (text.lstrip("\ufeff"), detected) == (TEXT, encoding)


@pytest.mark.parametrize(("lines", "delimiter"), [
    (["Code,Fee", "D0120,40", "D1110,70"], ","),
    (["Code;Fee;Note", "D0120;40,50;a, b", "D1110;70,00;c"], ";"),
    (["Code\tFee", "D0120\t40", "D1110\t70"], "\t"),
    (['"Code"|"Fee"', '"D0120"|"4,0"', '"D1110"|"7,0"'], "|"),
    (["Code~Fee", "D0120~$2~021.00", "D1110~$70.00", "D2391~$99.00"], "~"),
    (["Title, with a comma", "Code;Fee", "D0120;40", "D1110;70"], ";"),
])
def test_delimiters(lines: list[str], delimiter: str) -> None:
    """The delimiter that splits most lines the same way wins."""
    assert sniff_delimiter(lines) == delimiter


@pytest.mark.parametrize(("text", "decimal_comma", "value"), [
    ("1105", False, 1105.0), ("$1,105.00", False, 1105.0), ("1,105.00 ", False, 1105.0),
    ("1 105,00", True, 1105.0), ("1.105,00", True, 1105.0), ("105,5", True, 105.5),
    ("(12.00)", False, -12.0), ("USD 12.50", False, 12.5), ("BR", False, None),
    ("1,10,5", False, None), ("", False, None),
])
def test_amount_forms(text: str, decimal_comma: bool, value: float | None) -> None:
    """Money in the forms schedules write it."""
    assert parse_amount(text, decimal_comma) == value


def test_decimal_comma_only_when_clear() -> None:
    """A file is decimal-comma only when its amounts say so and none uses a decimal dot."""
    assert looks_decimal_comma(["36,50", "1 105,00", "BR"])
    assert not looks_decimal_comma(["36,50", "1,105.00"])
    assert not looks_decimal_comma(["1,105"])       # a thousands comma, not a decimal


@pytest.mark.parametrize(("line", "cells"), [
    ("D2391 Resin composite $151.43", ["D2391", "Resin composite", "$151.43"]),
    ("D6010 Implant body: endosteal $1,301.67", ["D6010", "Implant body: endosteal",
                                                 "$1,301.67"]),
    ("D2950 Core buildup By Report", ["D2950", "Core buildup", "By Report"]),
    ("D2740 Crown 750.00 600.00", ["D2740", "Crown", "750.00", "600.00"]),
    ("D3330 Endo molar tooth 3", ["D3330", "Endo molar tooth 3", ""]),
    ("Page 1 of 2", ["Page 1 of 2"]),
])
def test_pdf_lines(line: str, cells: list[str]) -> None:
    """A PDF text line splits into code, description and trailing amounts."""
    assert split_pdf_line(line) == cells
