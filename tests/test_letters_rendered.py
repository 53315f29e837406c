"""The request letters as a practice manager prints them: rendered by LibreOffice Writer.

Every example client's letters are written, converted to PDF in one Writer run and
read back: at most two pages for up to 15 codes, no word in a table cell broken across
lines, every requested code below its benchmark, the header row repeated on a new page.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from docx import Document

from libreoffice import to_pdf, unavailable
from xlfees import Client, Settings, analyze, load_client
from xlfees.client import Practice
from xlfees.deliverables import write_deliverables

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = tuple(sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir()))
DAY = date(2026, 11, 24)


def _long_client() -> Client:
    """The longest letter xlfees writes: 30 codes below the benchmark with the longest
    descriptions, an alternate benefit on 15 of them, a four-line address."""
    codes = [f"D{2000 + n}" for n in range(30)]
    description = ("Resin-based composite - four or more surfaces, posterior, with "
                   "extraordinary documentation of every surface")
    office = pd.DataFrame({"code": codes, "description": [description] * 30,
                           "office_fee": [12_345.67] * 30})
    rows = []
    for payer, factor in (("Lowpay Dental Insurance Company of the Western States", 0.5),
                          ("Peer One", 0.8), ("Peer Two", 0.9)):
        for n, code in enumerate(codes):
            alt = f"D{1000 + n}" if payer != "Peer One" and n < 15 else None
            rows.append({"payer": payer, "network": "PPO", "code": code,
                         "allowed": round(10_000 * factor - n, 2), "alt_code": alt,
                         "alt_allowed": round(5_000 * factor, 2) if alt else None})
    schedules = pd.DataFrame(rows)
    volume = pd.DataFrame({"code": codes * 3, "count": [40 - n for n in range(30)] * 3,
                           "payer": [p for p in ("Lowpay Dental Insurance Company of the "
                                                 "Western States PPO", "Peer One PPO",
                                                 "Peer Two PPO") for _ in codes]})
    practice = Practice(tin="12-3456789", npi="1234567893", phone="(555) 010-2030",
                        address="Suite 1200, The Professional Building\n"
                                "12345 Long Boulevard of the Dental Arts\n"
                                "Springfield, OR 97477\nUnited States",
                        signer="Dr. Ada Molar", signer_title="Owner and practice dentist")
    return Client.from_frames("The Long Name Family and Cosmetic Dentistry Practice", office,
                              schedules, volume, practice=practice,
                              settings=Settings())


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path, str]]:
    """(docx, pdf, what it is) for every example letter and the long one at --top 15 and 30."""
    if not _writer_ready():
        unavailable("LibreOffice Writer or Carlito missing")
    scratch = tmp_path_factory.mktemp("letters")
    written: list[tuple[Path, str]] = []
    for name in EXAMPLES:
        files = write_deliverables(analyze(load_client(ROOT / "examples" / name)),
                                   scratch / name, day=DAY)
        written += [(path, name) for path in files.letters]
    for top in (15, 30):   # packages of up to 15 and 30 codes (letters --top)
        files = write_deliverables(analyze(_long_client().asking_on(top)),
                                   scratch / f"long-{top}", day=DAY)
        written += [(path, f"long-{top}") for path in files.letters
                    if path.name.startswith("Lowpay")]
    # Writer names each PDF after its document: give every letter a distinct name.
    flat = scratch / "flat"
    flat.mkdir()
    renamed = []
    for number, (path, origin) in enumerate(written):
        target = flat / f"{number:02d} {path.name}"
        target.write_bytes(path.read_bytes())
        renamed.append((target, origin))
    pdfs = to_pdf([path for path, _ in renamed], scratch)
    return [(docx, pdf, origin) for (docx, origin), pdf in zip(renamed, pdfs)]


def _writer_ready() -> bool:
    from conftest import writer_ready
    return writer_ready()


def _code_rows(docx: Path) -> list[list[str]]:
    table = Document(docx).tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows][1:]


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


@pytest.mark.usefixtures("needs_writer")
def test_a_fifteen_code_letter_is_at_most_two_pages(letters) -> None:
    """Up to 15 codes (every example letter, and the longest letter xlfees writes): ≤ 2 pages."""
    fifteen = 0
    for docx, pdf, _ in letters:
        codes = len(_code_rows(docx))
        with pdfplumber.open(pdf) as document:
            texts = [page.extract_text() for page in document.pages]
        # The underpaid-claims appendix (from ERAs) starts a page of its own after them.
        pages = next((n for n, text in enumerate(texts) if text.startswith("Appendix: ")),
                     len(texts))
        if codes <= 15:
            assert pages <= 2, f"{docx.name}: {codes} codes on {pages} pages"
        fifteen += codes == 15
    assert fifteen >= 5     # the examples have several full letters, the long one too


@pytest.mark.usefixtures("needs_writer")
def test_no_table_cell_text_is_broken_inside_a_word(letters) -> None:
    """Every word of every table cell appears whole among the PDF's words."""
    for docx, pdf, _ in letters:
        cell_words: Counter[str] = Counter()
        for table in Document(docx).tables:
            for row in table.rows:
                for cell in row.cells:
                    cell_words.update(cell.text.split())
        with pdfplumber.open(pdf) as document:
            pdf_words = Counter(word["text"] for page in document.pages
                                for word in page.extract_words(x_tolerance=1.5))
        broken = cell_words - pdf_words
        assert not broken, f"{docx.name}: words broken or missing in the PDF: {dict(broken)}"


@pytest.mark.usefixtures("needs_writer")
def test_every_requested_code_is_below_its_benchmark(letters) -> None:
    """The letter asks only where the payer allows less than the benchmark it prints."""
    rows = 0
    for docx, _, origin in letters:
        if origin.startswith("long"):
            continue
        for code, _, allowed, benchmark, requested, change in _code_rows(docx):
            assert _money(allowed) < _money(benchmark), (docx.name, code)
            assert _money(requested) > _money(allowed), (docx.name, code)
            assert re.fullmatch(r"\+\d+\.\d%", change), change
            rows += 1
    assert rows > 150


@pytest.mark.usefixtures("needs_writer")
def test_a_long_table_repeats_its_header_on_the_next_page(letters) -> None:
    """30 codes run onto page 2, which opens with the table's header row again."""
    docx, pdf, _ = next(item for item in letters if item[2] == "long-30")
    assert len(_code_rows(docx)) == 30
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 2
        second = document.pages[1].extract_text().splitlines()
    assert second[0].startswith("Code Description Current Peer Requested Change")


@pytest.mark.usefixtures("needs_writer")
def test_money_is_right_aligned(letters) -> None:
    """The money columns end at one right edge, whatever the amount's width."""
    docx, pdf, _ = next(item for item in letters if item[2] == "smile-studio")
    with pdfplumber.open(pdf) as document:
        words = document.pages[0].extract_words()
    amounts = [w for w in words if re.fullmatch(r"\$[\d,]+\.\d\d[,.;]?", w["text"])]
    edges = Counter(round(w["x1"]) for w in amounts)
    # The amounts the letter's sentences hold (its paragraphs, not its tables).
    prose = sum(len(re.findall(r"\$[\d,]+\.\d\d", p.text)) for p in Document(docx).paragraphs)
    # Four money columns (current, benchmark, requested) and every other amount on one.
    assert len(amounts) > 20
    assert sum(count for _, count in edges.most_common(4)) >= len(amounts) - prose


@pytest.mark.usefixtures("needs_writer")
def test_the_underpaid_claims_appendix_starts_its_own_page(letters) -> None:
    """Smile Studio's ERAs: Delta's letter ends with the claims to reprocess, on a new page."""
    docx, pdf, _ = next(item for item in letters if item[2] == "smile-studio"
                        and "Delta Dental" in item[0].name)
    appendix = Document(docx).tables[-1]
    header = [cell.text for cell in appendix.rows[0].cells]
    assert header == ["Claim", "Patient control no.", "Service date", "Code", "Contracted",
                      "Allowed", "Difference"]
    rows = [[cell.text for cell in row.cells] for row in appendix.rows[1:]]
    for row in rows:
        assert _money(row[4]) - _money(row[5]) == pytest.approx(_money(row[6]))
        assert _money(row[6]) > 0.01
    with pdfplumber.open(pdf) as document:
        texts = [page.extract_text() for page in document.pages]
    starts = [n for n, text in enumerate(texts) if text.startswith("Appendix: claims allowed")]
    assert len(starts) == 1 and "Sincerely," in "".join(texts[:starts[0]])


@pytest.mark.usefixtures("needs_writer")
def test_the_closing_never_stands_alone_on_a_page(letters) -> None:
    """The page that holds "Sincerely," also holds the closing sentence and at least one
    table row above it (a line that starts with a code): a page never carries only the
    closing and the signature."""
    checked = 0
    for docx, pdf, _ in letters:
        with pdfplumber.open(pdf) as document:
            texts = [page.extract_text() or "" for page in document.pages]
        page = next(text for text in texts if "Sincerely," in text)
        before = page[:page.index("Sincerely,")]
        assert "We would welcome a revised schedule" in before, docx.name
        # A table row: a line that starts with its code (the case's words never do).
        assert re.search(r"(?m)^D\d{4} ", before), f"{docx.name}: the closing stands alone"
        checked += 1
    assert checked >= 10
