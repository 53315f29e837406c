"""Counted nouns for messages people read: "1 payer", "3 payers", "2.5 procedures"."""

from __future__ import annotations


def plural(count: float, noun: str, many: str | None = None) -> str:
    """``count`` and the noun, singular only for exactly one (``many`` for irregular plurals)."""
    number = f"{count:,.0f}" if float(count).is_integer() else f"{count:,g}"
    return f"{number} {noun if count == 1 else (many or noun + 's')}"
