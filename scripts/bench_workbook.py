"""Benchmark: the full workbook vs a plain DataFrame.to_excel vs openpyxl values-only,
then LibreOffice loading and recalculating it against the same cells as values.

One realistic client (8 payers × 700 codes) written three ways; prints seconds
and ratios (no assertions: speed is not a test). Targets: the full workbook
within 1.0× of the plain dump to write; LibreOffice's load-and-recalculate within
2.5× of the values workbook, at 8 and at 12 payers (``--lo-payers 8 12``), the
ratio not growing with payers. Beside it, the same workbook with the cheapest formula
in every formula cell: the least any formula layer with as many formula cells costs.

    python scripts/bench_workbook.py [--payers 8] [--codes 700] [--repeat 3]
                                     [--lo-payers 8 12]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable

from timing import best_of

import pandas as pd


def synthetic_client(payers: int, codes: int, seed: int = 7):
    """A client with ``payers`` schedules over ``codes`` CDT codes, volume by payer."""
    from xlfees import Client

    rng = random.Random(seed)
    pool = sorted(rng.sample(range(100, 9999), codes))
    code_list = [f"D{n:04d}" for n in pool]
    office = pd.DataFrame({"code": code_list,
                           "description": [f"Procedure {c} description" for c in code_list],
                           "office_fee": [round(rng.uniform(40, 3000), 2) for _ in code_list]})
    fees = dict(zip(office["code"], office["office_fee"]))
    names = [f"Payer {i + 1}" for i in range(payers)]
    schedule_rows, volume_rows = [], []
    for name in names:
        rate = rng.uniform(0.5, 0.8)
        for code in code_list:
            if rng.random() < 0.97:
                schedule_rows.append((name, "PPO", code,
                                      round(fees[code] * rate * rng.uniform(0.9, 1.1), 2)))
            volume_rows.append((code, f"{name} PPO", float(rng.randint(0, 120))))
    schedules = pd.DataFrame(schedule_rows, columns=["payer", "network", "code", "allowed"])
    volume = pd.DataFrame(volume_rows, columns=["code", "payer", "count"])
    return Client.from_frames("Benchmark Dental", office, schedules, volume)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payers", type=int, default=8)
    parser.add_argument("--codes", type=int, default=700)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lo-payers", type=int, nargs="*", default=[8, 12],
                        help="payer counts to time in LibreOffice (none: skip)")
    args = parser.parse_args()

    import openpyxl

    import xlfees
    from xlfees.workbook import tables as content

    client = synthetic_client(args.payers, args.codes)
    start = time.perf_counter()
    analysis = xlfees.analyze(client)
    analyze_seconds = time.perf_counter() - start
    tables = {"Office Fees": client.office_fees, "Schedules": client.schedules,
              "Volume": client.volume, "Targets": analysis.targets,
              "Alt Benefits": analysis.alt_benefits, "Payers": analysis.payers}
    records = {"Office Fees": content.office_fee_rows(analysis),
               "Schedules": content.schedule_rows(analysis),
               "Volume": content.volume_rows(analysis), "Targets": content.target_rows(analysis),
               "Alt Benefits": content.alt_rows(analysis), "Payers": content.payer_rows(analysis)}

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)

        def full() -> None:
            xlfees.write_workbook(analysis, out / "full.xlsx")

        def plain_dump() -> None:
            with pd.ExcelWriter(out / "plain.xlsx", engine="openpyxl") as writer:
                for name, frame in tables.items():
                    frame.to_excel(writer, sheet_name=name, index=False)

        def values_only() -> None:
            book = openpyxl.Workbook(write_only=True)
            for name, rows in records.items():
                sheet = book.create_sheet(name)
                if rows:
                    sheet.append(list(rows[0]))
                for row in rows:
                    sheet.append([v if not isinstance(v, list) else ", ".join(v)
                                  for v in row.values()])
            book.save(out / "values.xlsx")

        full_seconds = best_of(args.repeat, full)
        plain_seconds = best_of(args.repeat, plain_dump)
        values_seconds = best_of(args.repeat, values_only)
        size = (out / "full.xlsx").stat().st_size
    pairs = len(analysis.targets)
    print(f"client: {args.payers} payers × {args.codes} codes = {pairs:,} payer × code pairs "
          f"(best of {args.repeat})")
    print(f"analyze (engine):                  {analyze_seconds:7.3f} s")
    print(f"full workbook (formulas + values): {full_seconds:7.3f} s  ({size / 1e6:.1f} MB)")
    print(f"plain DataFrame.to_excel:          {plain_seconds:7.3f} s")
    print(f"openpyxl values only:              {values_seconds:7.3f} s")
    print(f"full / plain dump:                 {full_seconds / plain_seconds:7.2f}x  "
          "(target ≤ 1.0x)")
    print(f"full / openpyxl values only:       {full_seconds / values_seconds:7.2f}x")
    per_pair = [libreoffice(payers, args.codes, args.repeat) for payers in args.lo_payers]
    if len(per_pair) > 1 and all(per_pair) and min(per_pair) > 0:
        # Linear recalculation: the seconds the formulas add per payer × code pair stay
        # flat as payers grow (the ratio above creeps up only because LibreOffice's
        # start-up, the same for both files, is a smaller share of a bigger workbook).
        print(f"formula seconds per 1,000 pairs, largest ÷ smallest client: "
              f"{max(per_pair) / min(per_pair):5.2f}x (linear: about 1x)")


def _rewrite_sheets(source: Path, target: Path, pattern: bytes,
                    replacement: bytes | Callable[[re.Match[bytes]], bytes]) -> None:
    """A copy of the workbook with ``pattern`` replaced in every worksheet part."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w",
                                                             zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(pattern, replacement, data)
            out.writestr(info, data)


def _values_copy(source: Path, target: Path) -> None:
    """The same workbook with every formula dropped: its cells keep the stored values."""
    _rewrite_sheets(source, target, rb"<f\b[^>]*/>|<f\b[^>]*>.*?</f>", b"")  # shared ones too


def _cheapest_copy(source: Path, target: Path) -> None:
    """The same workbook with every formula replaced by the cheapest there is (this row's
    first cell + 1), shared as before: what any formula layer with as many formula cells
    costs at least."""
    # A shared formula's first cell and every unshared formula: the text after "<f …>".
    _rewrite_sheets(source, target, rb'(<c r="[A-Z]+(\d+)"[^>]*><f\b(?:[^>/]|/(?!>))*>).*?</f>',
                    lambda m: m.group(1) + b"$A" + m.group(2) + b"+1</f>")


def libreoffice(payers: int, codes: int, repeat: int = 3) -> float | None:
    """Seconds for headless LibreOffice to load, recalculate and save the workbook, and
    the same for its values-only copy (a recalculate-always profile, one file a run)."""
    import os
    import shutil
    import subprocess
    import sys

    soffice = shutil.which("soffice")
    if soffice is None:
        print("LibreOffice: not installed (apt-get install libreoffice-calc-nogui)")
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from libreoffice import REGISTRY

    import xlfees

    analysis = xlfees.analyze(synthetic_client(payers, codes))
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        formulas = xlfees.write_workbook(analysis, scratch / "formulas.xlsx")
        values = scratch / "values.xlsx"
        _values_copy(formulas, values)
        cheapest = scratch / "cheapest.xlsx"
        _cheapest_copy(formulas, cheapest)
        profile = scratch / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(REGISTRY)
        env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}

        def convert(path: Path) -> float:
            start = time.perf_counter()
            subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                            "--norestore", "--convert-to", "ods", "--outdir",
                            str(scratch / "out"), str(path)], check=True, env=env,
                           capture_output=True, timeout=900)
            return time.perf_counter() - start

        convert(values)   # the first run of a profile builds it: not counted
        # The fastest of a few runs each, alternating: the least disturbed by the machine.
        runs = [(convert(formulas), convert(values), convert(cheapest)) for _ in range(repeat)]
        formula_seconds = min(run[0] for run in runs)
        values_seconds = min(run[1] for run in runs)
        cheapest_seconds = min(run[2] for run in runs)
    pairs = len(analysis.targets)
    added = (formula_seconds - values_seconds) / pairs * 1000
    print(f"LibreOffice {payers} × {codes}: formulas {formula_seconds:6.2f} s, values "
          f"{values_seconds:6.2f} s: {formula_seconds / values_seconds:5.2f}x (target ≤ 2.5x); "
          f"formulas add {added:.3f} s per 1,000 pairs; the cheapest formula in every "
          f"formula cell {cheapest_seconds:6.2f} s: {cheapest_seconds / values_seconds:5.2f}x")
    return added


if __name__ == "__main__":
    main()
