"""Write the MariaDB tables `xlfees pull opendental` reads, as Open Dental's published
schema documentation defines them, one file per version: tests/data/opendental/
schema-<version>.sql. The tests build their practices' databases from these files, so the
pull meets Open Dental's own columns and types, never ones made up for a test.

Open Dental publishes its schema as OpenDentalDocumentation.xml (every table, column and
MySQL type, generated from its CrudTable classes; opendental.com/OpenDentalDocumentationNN-N
.xml), in its repository's DocumentationBuilder folder. Give the XML files:

    python scripts/opendental_schema.py DOC.xml [DOC.xml ...]

The files in tests/data/opendental were made from (repository @ commit):
  17.4.0.0  WaltWatt/OpenDental @ 2143e92afde205e8c6fa9034aee7e52056e0927c
  21.1.37.0 OpenDental/opendental branch 21_1 @ 13c335c47e7f62734b7bb75b7fb4d9557d9498fc
  24.3.0.0  OpenDental/opendental branch 24_3 @ 3bdbc04485e2ca77c72634bcddf4262ae278223f
(17.1 has no public copy; 16.3 and 17.4 give the same columns for these tables, and no
ConvertDatabases step between them adds or drops one. 24.3 is the newest public one.)
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "opendental"
# The tables the pull reads (xlfees.sources.opendental), and those it reads through.
TABLES = ("preference", "provider", "procedurecode", "feesched", "fee", "carrier", "insplan",
          "clinic", "procedurelog", "claimproc", "claim", "etrans", "etransmessagetext",
          "etrans835attach")
# Indexes Open Dental keeps on the columns the pull looks rows up by.
KEYS = {"procedurelog": ("ProcDate", "CodeNum"), "claimproc": ("ProcNum", "PlanNum",
                                                               "ClaimNum"),
        "fee": ("FeeSched", "CodeNum"), "procedurecode": ("ProcCode",),
        "etrans": ("Etype", "EtransMessageTextNum"), "etrans835attach": ("EtransNum",)}


def _default(kind: str) -> str:
    """The NOT NULL default Open Dental's own tables give a column of this type."""
    if re.match(r"(tiny|small|medium|big)?int|double|float|decimal", kind):
        return " NOT NULL DEFAULT 0"
    if kind.startswith(("varchar", "char")):
        return " NOT NULL DEFAULT ''"
    if kind == "date":
        return " NOT NULL DEFAULT '0001-01-01'"
    if kind == "datetime":
        return " NOT NULL DEFAULT '0001-01-01 00:00:00'"
    if kind in ("time",):
        return " NOT NULL DEFAULT '00:00:00'"
    return ""   # text, mediumtext, longtext, blobs, timestamp: as MariaDB gives them


def schema(document: Path) -> tuple[str, str]:
    """(version, the CREATE TABLE statements) of one documentation file."""
    root = ElementTree.parse(document).getroot()
    version = root.get("version", "")
    statements = [f"-- Open Dental {version}: the tables xlfees' pull reads, as "
                  "OpenDentalDocumentation.xml gives them (scripts/opendental_schema.py)."]
    found = {table.get("name"): table for table in root.iter("table")}
    for name in TABLES:
        table = found.get(name)
        if table is None:
            statements.append(f"-- no table {name} in {version}")
            continue
        columns = sorted(table.iter("column"), key=lambda c: int(c.get("order", "0")))
        # The primary key: the column its summary says is ("Primary key."), else the first.
        key = next((c for c in columns if (c.findtext("summary") or "").strip().lower()
                    .startswith("primary key")), columns[0])
        lines = []
        for column in columns:
            kind = column.get("type", "")
            if column is key:
                lines.append(f"  {column.get('name')} {kind} NOT NULL"
                             + (" AUTO_INCREMENT" if "int" in kind else ""))
            else:
                lines.append(f"  {column.get('name')} {kind}{_default(kind)}")
        lines.append(f"  PRIMARY KEY ({key.get('name')})")
        names = {c.get("name") for c in columns}
        lines += [f"  KEY {index} ({index})" for index in KEYS.get(name, ()) if index in names]
        statements.append(f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n);")
    return version, "\n".join(statements) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="+", type=Path)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for document in args.documents:
        version, text = schema(document)
        short = ".".join(version.split(".")[:2])
        path = OUT / f"schema-{short}.sql"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} (Open Dental {version})", file=sys.stderr)


if __name__ == "__main__":
    main()
