"""Benchmark: the biggest legal inputs, end to end through the `xlfees` command.

Each case makes its input in a temporary folder, runs the command a user would run in
a child process, and prints seconds and the peak memory of any one process of the run
(the command and its reader children). No assertions: speed is not a test. Budgets
(issue 25): each within 15 s and 1.5 GB.

- schedule-250k: a client whose schedules.csv has 250,000 rows (250 payers × 999
  codes), `xlfees analyze CLIENT -o OUT.xlsx`: every row a payer × code pair of its own,
  the biggest workbook a legal client makes (11 million cells)
- schedule-250k-read: that schedules.csv alone, `xlfees inspect`
- schedule-250k-national: one payer's national export of 250,000 rows (250 regions × 999
  codes, one region pinned in client.toml), `xlfees analyze CLIENT -o OUT.xlsx`
- payers-200x500: 200 payers × 500 codes, the same command
- sheet-4.99M: an xlsx whose one sheet holds 4.99 million cells (a payer's long-format
  export, 20 columns), `xlfees inspect`; sheet-4.99M-conflicting: the same size, codes
  listed 25 times over with other amounts (4.7 million rejected rows)
- era-49MB: an 835 of 49 MB, `xlfees inspect`

    python scripts/bench_limits.py [--only schedule-250k era-49MB …]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from era_make import Claim, Line, Payment, remittance  # noqa: E402

BUDGET_SECONDS, BUDGET_BYTES = 15.0, 1.5 * 1024 ** 3


def client(folder: Path, payers: int, codes: int) -> list[str]:
    """A client folder with ``payers`` × ``codes`` schedule rows and volume by payer."""
    rng = random.Random(payers * codes)
    folder.mkdir(parents=True)
    numbers = sorted(rng.sample(range(100, 10000), codes))
    fees = {n: round(rng.uniform(40, 3000), 2) for n in numbers}
    (folder / "office_fees.csv").write_text(
        "code,description,office_fee\n"
        + "".join(f"D{n:04d},Procedure {n},{fees[n]:.2f}\n" for n in numbers))
    with open(folder / "schedules.csv", "w") as out:
        out.write("payer,network,code,allowed\n")
        for p in range(payers):
            for n in numbers:
                out.write(f"Payer {p:03d},PPO,D{n:04d},{fees[n] * rng.uniform(.4, .9):.2f}\n")
    with open(folder / "volume.csv", "w") as out:
        out.write("code,payer,count\n")
        for p in range(payers):
            for n in numbers:
                out.write(f"D{n:04d},Payer {p:03d} (PPO),{rng.randint(0, 40)}\n")
    return ["analyze", str(folder), "-o", str(folder.parent / "out.xlsx")]


def national(folder: Path, regions: int = 250, codes: int = 999) -> list[str]:
    """One payer's schedule for every region, the client's region pinned."""
    rng = random.Random(regions * codes)
    (folder / "payers").mkdir(parents=True)
    numbers = sorted(rng.sample(range(100, 10000), codes))
    fees = {n: round(rng.uniform(40, 3000), 2) for n in numbers}
    (folder / "office_fees.csv").write_text(
        "code,description,office_fee\n"
        + "".join(f"D{n:04d},Procedure {n},{fees[n]:.2f}\n" for n in numbers))
    name = "payers/Delta Dental national 2026.csv"
    with open(folder / name, "w") as out:
        out.write("region,code,description,allowed\n")
        for r in range(regions):
            for n in numbers:
                out.write(f"R{r:03d},D{n:04d},Procedure {n},"
                          f"{fees[n] * rng.uniform(.4, .9):.2f}\n")
    (folder / "volume.csv").write_text(
        "code,count\n" + "".join(f"D{n:04d},{rng.randint(0, 40)}\n" for n in numbers))
    (folder / "client.toml").write_text(f'[files."{name}"]\ndimension = "R042"\n')
    return ["analyze", str(folder), "-o", str(folder.parent / "out.xlsx")]


def big_sheet(folder: Path, cells: int = 4_990_000, columns: int = 20,
              conflicting: bool = False) -> list[str]:
    """One sheet of ``cells`` cells, its XML written by hand, a row at a time.

    Legal (the default): a payer's long-format export, 20 columns (payer, network,
    state, plan, code, description, allowed, effective and twelve comments), each payer ×
    code once. ``conflicting``: the hostile shape, codes down and 19 payers across with
    every code listed 25 times over with other amounts (each one a rejected row)."""
    folder.mkdir(parents=True)
    path = folder / "wide.xlsx"
    rows = cells // columns
    import zipfile
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
        'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
        'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
        '+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        ' Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Fees" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    letters = "ABCDEFGHIJKLMNOPQRST"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                        b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            header = (["Code"] + [f"Payer {c}" for c in range(1, columns)] if conflicting
                      else ["Payer", "Network", "State", "Plan", "Procedure Code",
                            "Description", "Allowed", "Effective"]
                      + [f"Comment {c}" for c in range(8, columns)])
            sheet.write(b'<row r="1">' + b"".join(
                f'<c r="{letters[c]}1" t="inlineStr"><is><t>{name}</t></is></c>'.encode()
                for c, name in enumerate(header)) + b"</row>")
            for r in range(2, rows + 1):
                if conflicting:
                    code = 100 + (r % 9800)
                    cells_xml = [f'<c r="A{r}" t="inlineStr"><is><t>D{code:04d}</t></is></c>']
                    cells_xml += [f'<c r="{letters[c]}{r}"><v>{(r * c) % 900 + 40}.5</v></c>'
                                  for c in range(1, columns)]
                else:
                    payer, code = divmod(r - 2, 998)
                    texts = [f"Payer {payer:03d}", "PPO", "West", f"P{payer}",
                             f"D{1000 + code * 9:04d}", f"Procedure {code}"]
                    cells_xml = [f'<c r="{letters[c]}{r}" t="inlineStr"><is><t>{t}</t></is>'
                                 f"</c>" for c, t in enumerate(texts)]
                    cells_xml.append(f'<c r="G{r}"><v>{40 + (r * 7) % 900}.25</v></c>')
                    cells_xml.append(f'<c r="H{r}" t="inlineStr"><is><t>2026-01-01</t></is></c>')
                    cells_xml += [f'<c r="{letters[c]}{r}" t="inlineStr"><is><t>see note {c}'
                                  f"</t></is></c>" for c in range(8, columns)]
                sheet.write(f'<row r="{r}">{"".join(cells_xml)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
    return ["inspect", str(path), "--role", "schedule"]


def big_era(folder: Path, megabytes: float = 49) -> list[str]:
    """An 835 of about ``megabytes`` MB: payments of 50 claims of 4 lines each."""
    folder.mkdir(parents=True)
    rng = random.Random(49)
    codes = ["D0120", "D1110", "D2391", "D2740", "D0210", "D4341"]
    chunks, size, number = [], 0, 0
    while size < megabytes * 1024 * 1024:
        claims = []
        for _ in range(50):
            number += 1
            lines = []
            for _ in range(4):
                charge = round(rng.uniform(50, 1500), 2)
                allowed = round(charge * 0.7, 2)
                paid = round(allowed * 0.8, 2)
                lines.append(Line(rng.choice(codes), charge, paid, allowed,
                                  [("CO", "45", round(charge - allowed, 2)),
                                   ("PR", "2", round(allowed - paid, 2))],
                                  service_date=date(2026, 3, 1)))
            claims.append(Claim(f"P{number}", lines, received=date(2026, 3, 5)))
        chunk = remittance([Payment("DELTA DENTAL", claims, paid_on=date(2026, 3, 20))])
        chunks.append(chunk)
        size += len(chunk)
    path = folder / "big.835"
    # One interchange per payment: an 835 file may hold several, one after another.
    path.write_bytes(b"".join(chunks))
    return ["inspect", str(path)]


CASES = {
    "schedule-250k": lambda folder: client(folder / "c", 250, 999),
    "schedule-250k-read": lambda folder: ["inspect", client(folder / "c", 250, 999)[1]
                                          + "/schedules.csv"],
    "schedule-250k-national": lambda folder: national(folder / "c"),
    "payers-200x500": lambda folder: client(folder / "c", 200, 500),
    "sheet-4.99M": lambda folder: big_sheet(folder / "s"),
    "sheet-4.99M-conflicting": lambda folder: big_sheet(folder / "s", conflicting=True),
    "era-49MB": lambda folder: big_era(folder / "e"),
}


def measure(args: list[str]) -> tuple[float, int, int]:
    """Seconds, the peak memory of any process of the run (bytes), the exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "xlfees", *args], capture_output=True,
                             text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if process.returncode:
        print("   ", process.stderr.strip().splitlines()[-1][:200])
    # ru_maxrss only rises: a peak below an earlier case's shows as that case's.
    return seconds, max(peak, before) * 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), default=sorted(CASES))
    options = parser.parse_args()
    if not os.environ.get("XLFEES_BENCH_CASE"):
        print(f"{'case':<24}{'seconds':>9}{'peak MB':>9}{'exit':>6}  "
              f"budget {BUDGET_SECONDS:.0f} s, "
              f"{BUDGET_BYTES / 1024 ** 3:.1f} GB", flush=True)
    for name in options.only:
        # Each case in a fresh child of its own, so that ru_maxrss is the case's alone.
        if os.environ.get("XLFEES_BENCH_CASE") != name:
            subprocess.run([sys.executable, __file__, "--only", name],
                           env={**os.environ, "XLFEES_BENCH_CASE": name}, check=False)
            continue
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            made = time.perf_counter()
            args = CASES[name](folder)
            made = time.perf_counter() - made
            seconds, peak, code = measure(args)
            verdict = ("within" if seconds <= BUDGET_SECONDS and peak <= BUDGET_BYTES
                       else "OVER")
            print(f"{name:<24}{seconds:>9.1f}{peak / 1024 ** 2:>9.0f}{code:>6}  {verdict} "
                  f"(input made in {made:.1f} s; {seconds / BUDGET_SECONDS:.2f}× the time "
                  f"budget, {peak / BUDGET_BYTES:.2f}× the memory)")


if __name__ == "__main__":
    main()
