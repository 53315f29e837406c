"""The filled workbook: readable without recalculation, deterministic, safe, template-faithful."""

from __future__ import annotations

import hashlib
import importlib.util
import html
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from xlfees import Client, OutputError, Settings, analyze, load_client, write_workbook
from xlfees.cli import cli
from xlfees.workbook import TemplateError, spec, template_path

ROOT = Path(__file__).parent.parent
# The functions DESIGN.md allows: Excel 2010 has them and LibreOffice computes them alike.
EXCEL_2010 = {"ROUND", "MIN", "MAX", "SUM", "COUNT", "AVERAGE", "MEDIAN", "PERCENTILE",
              "LARGE", "SMALL", "IF", "IFERROR", "SUMIF", "SUMIFS", "COUNTIF", "COUNTIFS",
              "AVERAGEIF", "AVERAGEIFS", "SUMPRODUCT", "INDEX", "MATCH", "VLOOKUP",
              "MID",   # MID: a code's number (D0120 → 120) for the numeric keys
              "SUBSTITUTE"}   # a payer's name escaped (~ * ?) where it is looked up


@pytest.fixture
def analysis(handworked_dir: Path):
    return analyze(load_client(handworked_dir))


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pandas_sees_numbers_without_recalculation(analysis, tmp_path: Path) -> None:
    """Formula cells carry the engine's values: pandas reads the Targets sheet as numbers."""
    path = write_workbook(analysis, tmp_path / "hw.xlsx")
    targets = pd.read_excel(path, sheet_name="Targets", header=2, engine="openpyxl")
    first = targets.iloc[0]
    # Alpha D2740: 10 × 100 shortfall = 1000 priority (hand-worked in test_engine.py)
    assert (first["Schedule"], first["Code"], first["Priority"], first["Write off"]) == \
        ("Alpha Dental (PPO)", "D2740", 1000, 3000)
    payers = pd.read_excel(path, sheet_name="Payers", header=2, engine="openpyxl")
    alpha = payers[payers["Schedule"] == "Alpha Dental (PPO)"].iloc[0]
    assert alpha["Effective rate"] == pytest.approx(22000 / 32500)
    # Volume by payer: the share is the payer's procedures of all, not the no-payer split.
    assert alpha["Volume share"] == pytest.approx(162 / 397)
    assert alpha["Share of volume without payer"] == 0
    alt = pd.read_excel(path, sheet_name="Alt Benefits", header=2, engine="openpyxl")
    d2391 = alt[(alt["Schedule"] == "Alpha Dental (PPO)") & (alt["Code"] == "D2391")].iloc[0]
    assert d2391["Alt source"] == "assumed (default map)"   # handworked's schedules name none
    summary = openpyxl.load_workbook(path, data_only=True)["Summary"]
    assert summary["B3"].value == "Hand-worked Dental"
    # write-off 10500 + 5080 + 2200 + 720 + Delta D2140 (no volume) 0
    assert summary["B6"].value == pytest.approx(18500)


def _formulas(path: Path) -> list[str]:
    """The text of every <f> in every worksheet part of an xlsx, as Excel stores it."""
    with zipfile.ZipFile(path) as archive:
        return [html.unescape(f) for name in archive.namelist()
                if name.startswith("xl/worksheets/sheet")
                for f in re.findall(r"<f>(.*?)</f>", archive.read(name).decode("utf-8"))]


def _clients(handworked_dir: Path) -> dict[str, object]:
    hand = load_client(handworked_dir)
    variants = {name: load_client(ROOT / "examples" / name)
                for name in ("smile-studio", "lakeside-dental", "riverbend-family-dental")}
    variants["handworked"] = hand
    for name, settings in (("peer p75", Settings(ask="peer", benchmark="p75")),
                           ("external", Settings(benchmark="external")),
                           ("contracted", Settings(balance_basis="contracted"))):
        variants[name] = Client.from_frames(hand.name, hand.office_fees, hand.schedules,
                                            hand.volume, settings, hand.notes)
    return variants


def test_every_formula_is_in_the_excel_2010_set(handworked_dir: Path, tmp_path: Path) -> None:
    """Every function in every <f> of every workbook written: Excel 2010's, no _xlfn., no [@]."""
    used: set[str] = set()
    paths = [template_path()] + [
        write_workbook(analyze(client), tmp_path / f"{number}.xlsx")
        for number, client in enumerate(_clients(handworked_dir).values())]
    for path in paths:
        for formula in _formulas(path):
            assert "_xlfn." not in formula and "_xlws." not in formula, formula
            assert "[@" not in formula and "#Headers" not in formula, formula
            assert "#All" not in formula, formula
            # Function names: a word before "(" that is not inside a quoted string.
            unquoted = re.sub(r'"[^"]*"', '""', formula)
            used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", unquoted))
    assert used and used <= EXCEL_2010, used - EXCEL_2010


def test_the_checker_catches_a_newer_function() -> None:
    """The test above would fail on MAXIFS, which Excel stores as _xlfn.MAXIFS."""
    assert "MAXIFS" not in EXCEL_2010 and "XLOOKUP" not in EXCEL_2010


def test_full_calc_on_load_and_tables(analysis, tmp_path: Path) -> None:
    """fullCalcOnLoad is on; every input and result is an Excel Table sized to its rows."""
    path = write_workbook(analysis, tmp_path / "hw.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert 'fullCalcOnLoad="1"' in archive.read("xl/workbook.xml").decode()
    book = openpyxl.load_workbook(path)
    refs = {name: ref for sheet in book for name, ref in sheet.tables.items()}
    assert refs["Targets"] == "A3:Y17"      # 14 payer × code pairs below the header
    assert refs["OfficeFees"] == "A3:D8"     # 5 codes
    assert refs["Payers"] == "A3:L7"         # 4 schedules
    assert refs["Coverage"] == "A15:B27"     # 12 CDT categories


def test_same_inputs_same_bytes(analysis, tmp_path: Path) -> None:
    """Two runs on the same inputs write identical files."""
    first = write_workbook(analysis, tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(analyze(analysis.client), tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_text_that_looks_like_a_formula_stays_text(handworked_dir: Path, tmp_path: Path) -> None:
    """Descriptions and payer names starting with =, +, - or @ are written as strings."""
    client = load_client(handworked_dir)
    office = client.office_fees.copy()
    hostile = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0",
               "-2+3", "@SUM(1+1)", "=1+1"]
    office["description"] = hostile
    schedules = client.schedules.copy()
    schedules.loc[schedules["payer"] == "Delta Care", "payer"] = "=Delta Care"
    injected = Client.from_frames(client.name, office, schedules, None, client.settings)
    path = write_workbook(analyze(injected), tmp_path / "injected.xlsx")
    book = openpyxl.load_workbook(path)
    descriptions = [row[1] for row in book["Office Fees"].iter_rows(min_row=4, values_only=True)]
    assert descriptions == hostile
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if "worksheets/" in n
                  and n.endswith(".xml")]
    formulas = [f for xml in sheets for f in re.findall(r"<f>(.*?)</f>", xml)]
    assert not any("HYPERLINK" in f or "cmd|" in f or "Delta Care" in f for f in formulas)


def test_template_and_inputs_untouched(analysis, handworked_dir: Path, tmp_path: Path) -> None:
    """Writing never modifies the template or the client folder."""
    template = template_path()
    before = (hashlib.sha256(template.read_bytes()).hexdigest(), _digest(handworked_dir))
    write_workbook(analysis, tmp_path / "out.xlsx")
    assert (hashlib.sha256(template.read_bytes()).hexdigest(), _digest(handworked_dir)) == before


def test_failed_write_leaves_no_file(analysis, tmp_path: Path) -> None:
    """A template that is not an xlfees template: an error, and no output file."""
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            if "tables/table6" not in name:          # the Targets table is gone
                target.writestr(name, source.read(name))
    with pytest.raises(TemplateError, match="has no table 'Targets'"):
        write_workbook(analysis, tmp_path / "client.xlsx", template=broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xlsx"]


def test_interrupted_write_keeps_the_previous_file(analysis, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of writing: the earlier workbook is intact, no partial file left."""
    path = write_workbook(analysis, tmp_path / "client.xlsx")
    previous = path.read_bytes()
    calls = {"n": 0}
    original = zipfile.ZipFile.writestr

    def interrupted(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_workbook(analysis, path)
    assert path.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client.xlsx"]


def _png() -> bytes:
    """A 2 × 2 red PNG, built by hand (a logo stand-in)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _build_template_module():
    location = ROOT / "scripts" / "build_template.py"
    module_spec = importlib.util.spec_from_file_location("build_template", location)
    module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
    module_spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_consultants_restyled_template_is_honoured(analysis, tmp_path: Path) -> None:
    """A template with a logo, other colours and an extra sheet keeps all three when filled."""
    pytest.importorskip("PIL", reason="openpyxl needs Pillow to place an image")
    custom = tmp_path / "branded.xlsx"
    _build_template_module().build(custom, brand="C00000", logo=_png(),
                                   extra_sheet="Consultant notes")
    before = custom.read_bytes()
    path = write_workbook(analysis, tmp_path / "branded_client.xlsx", template=custom)
    assert custom.read_bytes() == before
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert any(n.startswith("xl/media/") for n in names)
        assert 'rgb="00C00000"' in archive.read("xl/styles.xml").decode()
    book = openpyxl.load_workbook(path, data_only=True)
    assert book.sheetnames[-1] == "Consultant notes"
    assert book["Consultant notes"]["A1"].value == "Consultant's own notes"
    assert book["Targets"]["S4"].value == 1000          # the data is filled all the same


def test_shipped_template_matches_its_build_script(tmp_path: Path) -> None:
    """The committed template has the sheets, tables and names the script builds from the spec."""
    rebuilt = tmp_path / "rebuilt.xlsx"
    _build_template_module().build(rebuilt)

    def shape(path: Path):
        book = openpyxl.load_workbook(path)
        return (book.sheetnames,
                {t.displayName: (s.title, t.ref, [c.name for c in t.tableColumns])
                 for s in book for t in s.tables.values()},
                sorted(book.defined_names))
    assert shape(template_path()) == shape(rebuilt)
    assert shape(template_path())[0] == list(spec.SHEET_ORDER)


def test_schedules_with_colliding_names_stay_apart(tmp_path: Path) -> None:
    """'Delta Dental' network 'PPO' and a payer named 'Delta Dental PPO' get distinct labels."""
    office = pd.DataFrame({"code": ["D0120"], "office_fee": [60.0]})
    schedules = pd.DataFrame({"payer": ["Delta Dental", "Delta Dental PPO"],
                              "network": ["PPO", ""], "code": ["D0120", "D0120"],
                              "allowed": [40.0, 45.0]})
    path = write_workbook(analyze(Client.from_frames("c", office, schedules)),
                          tmp_path / "c.xlsx")
    payers = pd.read_excel(path, sheet_name="Payers", header=2, engine="openpyxl")
    assert sorted(payers["Schedule"]) == ["Delta Dental (PPO)", "Delta Dental PPO"]
    assert list(payers["Codes"]) == [1, 1]


def test_cli_analyze_writes_the_workbook(handworked_dir: Path, tmp_path: Path) -> None:
    """`xlfees analyze DIR -o OUT.xlsx` writes the workbook and says where."""
    out = tmp_path / "reports" / "hw.xlsx"
    result = CliRunner().invoke(cli, ["analyze", str(handworked_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    assert openpyxl.load_workbook(out).sheetnames == list(spec.SHEET_ORDER)


def test_cli_template(tmp_path: Path) -> None:
    """`xlfees template -o PATH` writes the blank template."""
    out = tmp_path / "blank.xlsx"
    result = CliRunner().invoke(cli, ["template", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes()[:2] == b"PK"
    assert openpyxl.load_workbook(out).sheetnames == list(spec.SHEET_ORDER)


def test_cli_bad_template(handworked_dir: Path, tmp_path: Path) -> None:
    """A --template that is not an xlsx: one Error line, exit 1."""
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_text("not a workbook")
    result = CliRunner().invoke(cli, ["analyze", str(handworked_dir), "-o",
                                      str(tmp_path / "o.xlsx"), "--template", str(bogus)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bogus}: not a readable xlsx template")
    assert not (tmp_path / "o.xlsx").exists()


def _older_template(tmp_path: Path, part_name: str, old: str, new: str) -> Path:
    """The shipped template with one part edited as an older xlfees wrote it."""
    older = tmp_path / "older.xlsx"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(older, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if re.fullmatch(part_name, info.filename):
                data = data.replace(old.encode(), new.encode())
            target.writestr(info, data)
    return older


@pytest.mark.parametrize(("part", "old", "new", "message"), [
    (r"xl/tables/table\d+\.xml", 'name="Running priority"', 'name="Peer high"',
     "its table 'Targets' has the columns of another xlfees version"),
    ("xl/workbook.xml", 'name="PeerLowAbove"', 'name="PeerLowAboveOld"',
     "has no defined name PeerLowAbove (a template of another xlfees version)"),
])
def test_template_of_another_version_is_refused(handworked_dir: Path, tmp_path: Path, part: str,
                                                old: str, new: str, message: str) -> None:
    """A template restyled from another xlfees version: one Error line naming the fix."""
    older = _older_template(tmp_path, part, old, new)
    result = CliRunner().invoke(cli, ["analyze", str(handworked_dir), "-o",
                                      str(tmp_path / "o.xlsx"), "--template", str(older)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {older}: {message}; write a fresh template with "
                             "`xlfees template -o PATH` and restyle that\n")
    assert not (tmp_path / "o.xlsx").exists()


def test_a_big_table_waiting_on_disk_gives_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    """Past SPILL_ROWS rows a table sheet waits in a temporary file for the zip: the
    workbook is byte for byte the one written from memory, and no temporary file stays."""
    import tempfile

    import xlfees.workbook as workbook

    analysis = analyze(load_client(ROOT / "examples" / "riverbend-family-dental"))
    in_memory = workbook.write_workbook(analysis, tmp_path / "memory.xlsx").read_bytes()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "spill"))
    (tmp_path / "spill").mkdir()
    monkeypatch.setattr(workbook.package, "SPILL_ROWS", 5)
    spills: list[int] = []
    import xlfees.written as written

    spill = written.spill
    monkeypatch.setattr(written, "spill",
                        lambda pieces: (spills.append(len(pieces)), spill(pieces))[1])
    spilled = workbook.write_workbook(analysis, tmp_path / "disk.xlsx").read_bytes()
    assert len(spills) >= 3    # Schedules, Volume, Targets at least
    assert spilled == in_memory
    assert list((tmp_path / "spill").iterdir()) == []


def test_a_file_whose_workbook_part_is_huge_is_not_ours(tmp_path: Path) -> None:
    """out.xlsx whose workbook part names every sheet of ours but is 9 MB (a zip of
    spaces, a few kilobytes on disk) is someone's file: not inflated, not overwritten."""
    import zipfile

    from xlfees.resources import RESULT_SHEETS
    from xlfees.workbook.package import is_xlfees_workbook

    path = tmp_path / "out.xlsx"
    sheets = "".join(f'<sheet name="{name}"/>' for name in sorted(RESULT_SHEETS))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats'
                         f'.org/spreadsheetml/2006/main"><sheets>{sheets}'
                         + " " * (9 * 1024 * 1024) + "</sheets></workbook>")
    assert not is_xlfees_workbook(path)
    before = path.read_bytes()
    analysis = analyze(load_client(Path(__file__).parent / "data" / "clients" / "handworked"))
    with pytest.raises(OutputError, match="exists and is not a workbook xlfees wrote"):
        write_workbook(analysis, path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(("renamed", "message"), [
    ("table1.XML", "its part xl/tables/table1.XML is not well-formed XML"),
    ("table1.part", "not an xlsx workbook xlfees can fill"),
])
def test_a_table_part_with_entities_under_another_name_is_refused(
        tmp_path: Path, renamed: str, message: str) -> None:
    """A template whose table part is renamed (an .XML, or a name no XML check looks at)
    and declares an entity: refused as a template, the entity never expanded."""
    import zipfile

    from xlfees.workbook import TemplateError

    source = zipfile.ZipFile(template_path())
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            name = info.filename
            if name == "xl/tables/table1.xml":
                text = data.decode("utf-8")
                body = text[text.index("<table"):]
                body = body.replace('displayName="', 'displayName="&a;', 1)
                data = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "PWN">]>'
                        + body).encode("utf-8")
                name = f"xl/tables/{renamed}"
            elif name.endswith(".rels"):
                data = data.replace(b"tables/table1.xml", f"tables/{renamed}".encode())
            out.writestr(name, data)
    analysis = analyze(load_client(Path(__file__).parent / "data" / "clients" / "handworked"))
    with pytest.raises(TemplateError, match=message):
        write_workbook(analysis, tmp_path / "out.xlsx", template=hostile)
    assert not (tmp_path / "out.xlsx").exists()


def test_defined_names_are_resized_whatever_their_attributes() -> None:
    """A name whose comment holds ">" (legal inside quotes), its attributes in LibreOffice's
    order, is resized with every other byte kept; one the filler cannot find is an error,
    never left at the template's size."""
    from xlfees.workbook.parts import set_defined_names

    xml = ('<workbook><definedNames><definedName function="false" comment="rows > 3" '
           "name='PeerMatrix' hidden=\"false\">Peers!$L$4:$SQ$10003</definedName>"
           '<definedName name="Ask">Settings!$B$5</definedName></definedNames></workbook>')
    assert set_defined_names(xml, {"PeerMatrix": "Peers!$L$4:$O$40"}) == xml.replace(
        "Peers!$L$4:$SQ$10003", "Peers!$L$4:$O$40")
    with pytest.raises(ValueError, match="PeerCodes"):
        set_defined_names('<workbook><definedName name="PeerCodes"/></workbook>',
                          {"PeerCodes": "Peers!$A$4:$A$40"})


def test_charts_plot_their_hidden_data(analysis, tmp_path: Path) -> None:
    """The Top 15's data is in hidden Summary columns: every chart says plot hidden cells
    too (plotVisOnly 0), or Excel draws it empty."""
    path = write_workbook(analysis, tmp_path / "charts.xlsx")
    with zipfile.ZipFile(path) as book:
        charts = [n for n in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 3
        for name in charts:
            assert re.findall(rb'<(?:c:)?plotVisOnly val="(\d)"', book.read(name)) == [b"0"], name


def test_no_formula_refers_to_a_range_holding_itself(analysis, tmp_path: Path) -> None:
    """Every formula cell's same-sheet ranges leave the cell out (Excel, and one engine of
    three, would call it circular): Targets' running priority reads the row above."""
    from openpyxl.utils import column_index_from_string

    book = openpyxl.load_workbook(write_workbook(analysis, tmp_path / "refs.xlsx"))
    ranges = re.compile(r"(?<![!A-Za-z$])\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")
    checked = 0
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                checked += 1
                for first, top, last, bottom in ranges.findall(cell.value):
                    inside = (column_index_from_string(first) <= cell.column
                              <= column_index_from_string(last)
                              and int(top) <= cell.row <= int(bottom))
                    assert not inside, (sheet.title, cell.coordinate, cell.value)
    assert checked > 100


def test_codes_stored_as_text_raise_no_green_triangles(analysis, tmp_path: Path) -> None:
    """Every sheet tells Excel that numbers stored as text (a CARC "45", a code) are meant:
    no green error triangle on them."""
    path = write_workbook(analysis, tmp_path / "text.xlsx")
    with zipfile.ZipFile(path) as book:
        sheets = [n for n in book.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert len(sheets) == len(spec.SHEET_ORDER)
        for name in sheets:
            assert b'numberStoredAsText="1"' in book.read(name), name


def test_targets_say_what_the_procedure_is(analysis, tmp_path: Path) -> None:
    """The first target (Alpha's D2740) is labelled with its payer, code and procedure, on
    the Targets sheet and on the Top 15 chart's data alike."""
    book = openpyxl.load_workbook(write_workbook(analysis, tmp_path / "labels.xlsx"),
                                  data_only=True)   # the stored values
    headers = [cell.value for cell in book["Targets"][3]]
    first = [cell.value for cell in book["Targets"][4]]
    label = first[headers.index("Target")]
    assert label.startswith("Alpha Dental (PPO) D2740 ") and len(label) > len(
        "Alpha Dental (PPO) D2740 ")
    assert book["Summary"][f"{spec.TOP_LABEL_COLUMN}{spec.TOP_FIRST_ROW}"].value == label


CARLITO = Path("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf")


def _greedy_lines(text: str, room: float, length) -> int:
    """Word wrap by a second measure: ``length`` of each candidate line, as PIL lays it."""
    lines, line = 1, ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and length(candidate) > room:
            lines, line = lines + 1, word
        else:
            line = candidate
    return lines


@pytest.mark.parametrize("text", [
    "Guardian DentalGuard Preferred", "up to the other plans' 75th percentile",
    "Surgical placement of implant body: endosteal implant",
    "Crown - porcelain fused to predominantly base metal",
    "Resin-based composite - three surfaces, posterior", "WWW MMM @@@ iii lll"])
@pytest.mark.parametrize("width", [12, 20, 24, 28, 34])
def test_wrapped_text_takes_the_lines_calibri_gives_it(text: str, width: int) -> None:
    """A row's height counts the lines Calibri's metrics wrap the text to: the same count
    as PIL laying the words out in Carlito (Calibri's metrics) at the column's width."""
    from PIL import ImageFont

    from xlfees.workbook.xlsx import lines_of

    if not CARLITO.exists():
        from libreoffice import unavailable
        unavailable("Carlito is not installed (apt-get install fonts-crosextra-carlito)")
    font = ImageFont.truetype(str(CARLITO), 2048)   # one pixel per font unit
    digit = font.getlength("0")
    room = (width - 0.5) * digit
    assert lines_of(text, width) == _greedy_lines(text, room, font.getlength)


@pytest.mark.usefixtures("needs_libreoffice")
def test_long_payer_names_and_descriptions_wrap_and_print_whole(tmp_path: Path) -> None:
    """A long payer name and description wrap in their cells, each row as tall as its
    lines, and every word of them is on the printed Targets page."""
    import pdfplumber

    from libreoffice import to_pdf

    payer = "Guardian DentalGuard Preferred Provider Organization Plus Network"
    description = "Surgical placement of implant body: endosteal implant, with everything"
    office = pd.DataFrame({"code": ["D6010", "D1110"], "description": [description, "Prophy"],
                           "office_fee": [2500.0, 120.0]})
    schedules = pd.DataFrame({"payer": [payer, payer, "Aetna", "Aetna"], "network": "",
                              "code": ["D6010", "D1110", "D6010", "D1110"],
                              "allowed": [1500.0, 70.0, 1700.0, 80.0]})
    volume = pd.DataFrame({"code": ["D6010", "D1110"], "count": [10, 100]})
    path = write_workbook(analyze(Client.from_frames("Long", office, schedules, volume)),
                          tmp_path / "long.xlsx")
    sheet = openpyxl.load_workbook(path)["Targets"]
    header = spec.TABLE_BY_NAME["Targets"].header_row
    rows = {sheet.cell(row=r, column=2).value: r for r in range(header + 1, header + 5)}
    row = rows[payer]
    assert sheet.cell(row=row, column=2).alignment.wrap_text
    # 64 characters in a 22-wide Payer column: three lines of Calibri 11
    assert sheet.row_dimensions[row].height == 45
    printed_words: list[str] = []
    with pdfplumber.open(to_pdf([path], tmp_path)[0]) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            if "ranked by volume" in text:
                printed_words += text.split()
    for word in (payer + " " + description).split():
        assert word in printed_words, word


def test_a_row_is_never_taller_than_excel_allows(tmp_path: Path) -> None:
    """A 30,000-character description wraps to hundreds of lines: its row is 409 points,
    Excel's most, never more (a taller row is a file Excel repairs)."""
    office = pd.DataFrame({"code": ["D0120"], "description": ["word " * 6000],
                           "office_fee": [60.0]})
    schedules = pd.DataFrame({"payer": ["A", "B"], "network": "", "code": "D0120",
                              "allowed": [40.0, 45.0]})
    path = write_workbook(analyze(Client.from_frames("Tall", office, schedules)),
                          tmp_path / "tall.xlsx")
    sheet = openpyxl.load_workbook(path)["Office Fees"]
    header = spec.TABLE_BY_NAME["OfficeFees"].header_row
    assert sheet.row_dimensions[header + 1].height == 409


def test_a_line_break_counts_as_a_line() -> None:
    """Short text on two lines takes two lines, however wide its column."""
    from xlfees.workbook.xlsx import lines_of

    assert lines_of("Paid\nCall Mon", 30) == 2
    assert lines_of("Paid", 30) == 1
