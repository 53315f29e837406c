"""A note: something left out or assumed, with where it came from (every stage makes them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Note:
    """Something the analysis left out or assumed, with where it came from."""

    reason: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    text: str | None = None
    stage: str = "reading"   # "reading" a file, or "analysis" (the engine's own notes)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row,
                "text": self.text, "reason": self.reason}
