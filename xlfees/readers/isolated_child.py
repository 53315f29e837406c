"""Runs in a child process: a workbook's sheets (calamine) or a PDF's text (pdfplumber).

Run as a script, it imports nothing of xlfees: a hostile file can make these libraries
abort, panic or allocate without bound, and here that ends only this process, under
the memory and time limits the parent set (see ``isolation.py``). The answer is a
pickled dict on stdout; progress ("page 3") goes to stderr so a parent that had to
stop us can say where.
"""

from __future__ import annotations

import pickle
import sys
from typing import Any


def read_workbook(path: str, max_rows: int, max_cells: int) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    sheets = []
    hidden: list[str] = []
    try:
        for meta in book.sheets_metadata:
            if str(meta.visible).rsplit(".", 1)[-1].lower() != "visible":
                hidden.append(meta.name)   # lookups, not the schedule: named, not read
                continue
            if "worksheet" not in str(meta.typ).lower():
                continue
            _progress(f"sheet '{meta.name}'")
            sheet = book.get_sheet_by_name(meta.name)
            height, width = sheet.total_height, sheet.total_width
            if height > max_rows:
                return {"refused": "rows", "sheet": meta.name, "rows": height}
            if height * width > max_cells:
                return {"refused": "cells", "sheet": meta.name, "rows": height, "columns": width}
            rows = sheet.to_python(skip_empty_area=False)   # already a list of lists
            sheets.append({"name": meta.name, "rows": rows,
                           "merged": list(sheet.merged_cell_ranges or [])})
    finally:
        book.close()
    return {"sheets": sheets, "hidden": hidden}


def read_pdf(path: str, max_pages: int, max_content_bytes: int, seconds: float = 10.0,
             per_page: float = 0.15) -> dict[str, Any]:
    import logging
    import time

    started = time.monotonic()
    logging.disable(logging.CRITICAL)   # pdfminer's warnings about a damaged file are not ours
    import pdfplumber
    from pdfminer.pdftypes import resolve1

    pages = []
    with pdfplumber.open(path) as document:
        if len(document.pages) > max_pages:
            return {"refused": "pages", "pages": len(document.pages)}
        # The time a PDF may take grows with its pages: a legal 200-page schedule reads.
        budget = round(seconds + per_page * len(document.pages), 2)
        for number, page in enumerate(document.pages, start=1):
            if time.monotonic() - started > budget:
                return {"refused": "time", "page": number, "seconds": budget}
            _progress(f"page {number}")
            # What the page draws, decompressed: the text extraction below costs memory
            # and time in proportion, so an outsized page is refused before it.
            size = 0
            for stream in page.page_obj.contents:
                stream = resolve1(stream)
                if hasattr(stream, "get_data"):
                    size += len(stream.get_data())
            if size > max_content_bytes:
                return {"refused": "content", "page": number, "bytes": size}
            pages.append(page.extract_text() or "")
    return {"pages": pages}


def _progress(where: str) -> None:
    sys.stderr.write(f"@ {where}\n")
    sys.stderr.flush()


def main() -> None:
    mode, path, *numbers = sys.argv[1:]
    # The parent's limits in the reader's parameters' order: counts as int, seconds as float.
    limits: list[Any] = [float(n) if "." in n else int(n) for n in numbers]
    try:
        answer = (read_workbook if mode == "workbook" else read_pdf)(path, *limits)
    except MemoryError:
        answer = {"refused": "memory"}
    except BaseException as error:  # noqa: BLE001 - a Rust panic is a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        lines = str(error).strip().splitlines() or [type(error).__name__]
        answer = {"failed": lines[0][:200]}
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
