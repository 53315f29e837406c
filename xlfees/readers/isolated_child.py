"""Runs in a child process: a workbook's sheets (calamine) or a PDF's text lines (pdfium's
character boxes; pdfminer measures each page's content first).

Run as a script, it imports nothing of xlfees: a hostile file can make these libraries
abort, panic or allocate without bound, and here that ends only this process, under
the memory and time limits the parent set (see ``isolation.py``). The answer is a
pickled dict on stdout; progress ("page 3") goes to stderr so a parent that had to
stop us can say where.
"""

from __future__ import annotations

import pickle
import re
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
    """Each page's text lines as ``[line number, text]``, read by position (pdfium's
    character boxes): two tables printed side by side on a page come back one after the
    other, each line of each table a line of its own."""
    import time

    import pypdfium2 as pdfium

    started = time.monotonic()
    # Every page within the limit unless the file's streams, all together, could hold a
    # page past it: then (rarely) each page's content is measured (pdfminer, 0.1 s).
    sizes = (_content_sizes(path) if _streams_could_exceed(path, max_content_bytes)
             else [])
    document = pdfium.PdfDocument(path)
    try:
        if len(document) > max_pages:
            return {"refused": "pages", "pages": len(document)}
        # The time a PDF may take grows with its pages: a legal 200-page schedule reads.
        budget = round(seconds + per_page * len(document), 2)
        pages = []
        for number in range(1, len(document) + 1):
            if time.monotonic() - started > budget:
                return {"refused": "time", "page": number, "seconds": budget}
            _progress(f"page {number}")
            # What the page draws, decompressed: laying it out costs memory and time in
            # proportion, so an outsized page is refused before it is loaded.
            size = sizes[number - 1] if number - 1 < len(sizes) else 0
            if size > max_content_bytes:
                return {"refused": "content", "page": number, "bytes": size}
            page = document[number - 1]
            try:
                pages.append(page_lines(page))
            finally:
                page.close()
    finally:
        document.close()
    return {"pages": pages}


def _streams_could_exceed(path: str, limit: int) -> bool:
    """Whether a page could draw more than ``limit`` bytes: the file's streams, inflated
    (each at most to the limit and one byte), add up to more than the limit for each page,
    or one stream alone passes it, or a stream is encoded other than by Flate."""
    import base64
    import binascii
    import zlib

    with open(path, "rb") as handle:
        data = handle.read()
    pages = max(1, len(re.findall(rb"/Type\s*/Page(?![s\w])", data)))
    total = 0
    for match in re.finditer(rb"stream\r?\n", data):
        if data[max(0, match.start() - 3):match.start()] == b"end":
            continue
        end = data.find(b"endstream", match.end())
        if end < 0:
            return True
        head = data[max(0, match.start() - 400):match.start()]
        head = head[head.rfind(b"obj") + 3:] if b"obj" in head else head
        raw = data[match.end():end]
        filters = re.search(rb"/Filter\s*(\[[^\]]*\]|/\w+)", head)
        names = re.findall(rb"/(\w+)", filters.group(1)) if filters else []
        if any(n in (b"DCTDecode", b"JPXDecode", b"CCITTFaxDecode", b"JBIG2Decode")
               for n in names):
            continue   # an image: drawn by one operator, never laid out as text
        try:
            for name in names:
                if name == b"ASCII85Decode":
                    raw = base64.a85decode(raw.strip().removesuffix(b"~>"), adobe=False)
                elif name == b"ASCIIHexDecode":
                    raw = binascii.unhexlify(re.sub(rb"\s", b"", raw).removesuffix(b">"))
                elif name == b"FlateDecode":
                    raw = zlib.decompressobj().decompress(raw, limit + 1)
                else:
                    return True   # another filter: measured the slow way
        except (ValueError, zlib.error, binascii.Error):
            return True
        size = len(raw)
        if size > limit:
            return True
        total += size
    return total > limit * pages


def _content_sizes(path: str) -> list[int]:
    """Each page's content streams, decompressed, in bytes (pdfminer's parser: no layout)."""
    import logging

    logging.disable(logging.CRITICAL)   # pdfminer's warnings about a damaged file are not ours
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    sizes = []
    with open(path, "rb") as handle:
        for page in PDFPage.create_pages(PDFDocument(PDFParser(handle))):
            size = 0
            for stream in page.contents or []:
                stream = resolve1(stream)
                if hasattr(stream, "get_data"):
                    size += len(stream.get_data())
            sizes.append(size)
    return sizes


_CODE_WORD = re.compile(r"^[Dd]\d{4}\.?$")
LINE_TOLERANCE = 3.0    # points: words this close vertically share a line
TABLE_GAP = 6.0         # points of blank before a second table's column, at least
TABLE_WIDTH = 150.0     # points: tables side by side start at least this far apart


def page_lines(page: Any) -> list[list[Any]]:
    """The page's lines, top down, as ``[number, text]``: words (pdfium's) grouped by
    their height on the page, joined by one space; a page holding tables side by side
    gives the left table's lines, then the next table's (the same line numbers)."""
    textpage = page.get_textpage()
    try:
        words = _words(textpage)
    finally:
        textpage.close()
    lines: list[list[tuple[float, float, str]]] = []
    heights: list[float] = []
    for x0, x1, y, text in sorted(words, key=lambda w: (-w[2], w[0])):
        if heights and abs(heights[-1] - y) <= LINE_TOLERANCE:
            lines[-1].append((x0, x1, text))
        else:
            lines.append([(x0, x1, text)])
            heights.append(y)
    for line in lines:
        line.sort()
    starts = _table_starts(lines)
    tables: list[list[list[Any]]] = [[] for _ in range(len(starts) + 1)]
    for number, line in enumerate(lines, start=1):
        for table, part in _split_across(line, starts):
            tables[table].append([number, " ".join(text for _, _, text in part)])
    return [entry for table in tables for entry in table]


def _words(textpage: Any) -> list[tuple[float, float, float, str]]:
    """(left, right, baseline, text) of each word pdfium's text holds."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:   # characters beyond the BMP: one call a character instead
        text = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
    import pypdfium2.raw as pdfium_c

    # The loose box (the font's ascent to descent): the same bottom for "(" and "e". One
    # rectangle for every call: a page of 600 words asks 1,200 times.
    box = pdfium_c.FS_RECTF()
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    words = []
    for match in re.finditer(r"\S+", text):
        loose_box(textpage.raw, match.start(), box)
        left, bottom = box.left, box.bottom
        loose_box(textpage.raw, match.end() - 1, box)
        words.append((left, max(box.right, left), bottom, match.group()))
    return words


def _table_starts(lines: list[list[tuple[float, float, str]]]) -> list[float]:
    """Where tables printed beside the first begin: the left edges at which codes line up
    (three codes or more), well to the right of the first table's."""
    edges = sorted(x0 for line in lines for x0, _, text in line if _CODE_WORD.match(text))
    clusters: list[list[float]] = []
    for x0 in edges:
        if clusters and x0 - clusters[-1][-1] <= 4.0:
            clusters[-1].append(x0)
        else:
            clusters.append([x0])
    lefts = [cluster[0] for cluster in clusters if len(cluster) >= 3]
    starts: list[float] = []
    for left in lefts[1:]:
        if left - (starts[-1] if starts else lefts[0]) >= TABLE_WIDTH:
            starts.append(left - 1.0)
    return starts


def _split_across(line: list[tuple[float, float, str]], starts: list[float]
                  ) -> list[tuple[int, list[tuple[float, float, str]]]]:
    """A line's words by the table they stand in. A line is split at a table's start only
    where a gap is (a title running across the page stays whole, in the first table)."""
    parts: list[tuple[int, list[tuple[float, float, str]]]] = [(0, [])]
    table = 0
    for word in line:
        while table < len(starts) and word[0] >= starts[table]:
            table += 1
            previous = parts[-1][1]
            if previous and word[0] - previous[-1][1] < TABLE_GAP:
                continue   # no gap: the same text running on
            parts.append((table, []))
        parts[-1][1].append(word)
    return [(index, words) for index, words in parts if words]


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
