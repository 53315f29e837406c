"""A1 references: column letters and numbers."""

from __future__ import annotations


def column_number(letters: str) -> int:
    """"A" → 1, "XFD" → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
