"""Benchmark: reading a 24-page text PDF fee schedule, xlfees against ``pdftotext -layout``
(poppler) on the same file: the ratio (the budget: 5×).

Prints seconds and the ratio; no assertions (speed is not a test).

    python scripts/bench_pdf.py [--pages 24] [--repeat 3] [--two-tables]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from timing import best_of


def make_schedule(path: Path, pages: int, two_tables: bool) -> int:
    """A payer's text PDF: a title, column titles and 45 code lines a page (two tables
    side by side with ``two_tables``); returns the number of code lines."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    rl_config.useA85 = 0   # binary Flate streams, as Word and Acrobat write them

    # Compressed page streams (Flate), as payers' PDFs come.
    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1, pageCompression=1)
    code = 100
    lines = 0
    for page in range(pages):
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(40, 760, "Benchmark Dental PPO - Schedule of Maximum Allowances 2026")
        pdf.setFont("Helvetica", 9)
        for left in ((40, 320) if two_tables else (40,)):
            pdf.drawString(left, 740, "Code")
            pdf.drawString(left + 45, 740, "Description")
            pdf.drawRightString(left + 260 if two_tables else 540, 740, "Allowance")
        for row in range(45):
            for left in ((40, 320) if two_tables else (40,)):
                y = 725 - 15 * row
                pdf.drawString(left, y, f"D{code:04d}")
                pdf.drawString(left + 45, y, f"Procedure {code} description text")
                pdf.drawRightString(left + 260 if two_tables else 540, y,
                                    f"${50 + code * 0.37:,.2f}")
                code = code + 1 if code < 9999 else 100
                lines += 1
        pdf.drawString(40, 30, f"Page {page + 1} of {pages}")
        pdf.showPage()
    pdf.save()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--two-tables", action="store_true")
    args = parser.parse_args()
    from xlfees import read_schedule

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "benchmark dental ppo 2026.pdf"
        lines = make_schedule(path, args.pages, args.two_tables)
        pdftotext = shutil.which("pdftotext")
        poppler = best_of(args.repeat, lambda: subprocess.run(
            [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True)) \
            if pdftotext else None
        read = read_schedule(path)

        def cold() -> None:
            # Each run as the first of a process: the parsers' caches emptied.
            from xlfees.amounts import _parse_text
            from xlfees.cdt import _normalize_text
            _parse_text.cache_clear()
            _normalize_text.cache_clear()
            read_schedule(path)
        ours = best_of(args.repeat, cold)
        print(f"{args.pages} pages, {lines} code lines; xlfees kept {len(read.rows)} rows, "
              f"rejected {read.rejected_count}")
        print(f"xlfees read:          {ours:.3f} s")
        if poppler is not None:
            print(f"pdftotext -layout:    {poppler:.3f} s")
            print(f"ratio:                {ours / poppler:.1f}x (budget 5x)")
        else:
            print("pdftotext not found (apt install poppler-utils) for the ratio")


if __name__ == "__main__":
    main()
