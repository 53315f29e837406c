"""What client.toml can say about one file ([files."…"]): the pins every reader obeys,
the roles a file can have and the columns a reader knows by header."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


# copay: a DHMO's patient charges (what the patient pays), never a payer's allowed amounts.
FILE_ROLES = ("schedule", "office_fees", "volume", "survey", "copay")


# What a [files."…"] columns table may map: every column a reader knows by its header
# (readers/layout.py's SYNONYMS has a list of header texts for each, and a test keeps
# the two the same).
COLUMN_NAMES = ("code", "description", "allowed", "office_fee", "alt_code", "alt_allowed",
                "count", "payer", "network", "effective", "dimension", "benchmark", "min_age",
                "max_age", "copay", "service_date", "status")

# The patient's age whose band a schedule with age columns is read for: an adult's, as a
# practice expects; [files."…"] age = N reads another band.
ADULT_AGE = 21


@dataclass(frozen=True)
class FilePins:
    """What client.toml says about one file ([files."…"]): its role, payer, sheet, columns."""

    role: str | None = None
    payer: str | None = None
    network: str | None = None
    sheet: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    header_row: int | None = None
    dimension: str | None = None   # the one modifier / tier / region value to keep
    age: int | None = None         # the age band to read (default: ADULT_AGE)
    skip: bool = False             # left out on purpose (noted), never read
