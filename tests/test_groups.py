"""Multi-location groups: the roll-up by hand, against the locations' workbooks, in
LibreOffice, sorted, and the one-page network value summaries read back."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pdfplumber
import pytest
from click.testing import CliRunner

from xlfees import Client, Settings, analyze, write_workbook
from xlfees.batch.run import run_batch
from xlfees.cli import cli
from xlfees.sources.group_toml import GroupError, read_group_file
from xlfees.analysis.rollup import location_figures, roll_up
from xlfees.workbook.group import write_group_workbook

import libreoffice as lo
from test_workbook import EXCEL_2010, _formulas

ROOT = Path(__file__).parent.parent
DAY = date(2026, 11, 24)


def _location(name: str, fees: dict[str, float], allowed: dict[str, dict[str, float]],
              volume: dict[str, dict[str, int]], oon_collection: float,
              group: str | None = "Hand-worked Partners") -> Client:
    """A location from plain dictionaries: payer → code → amount / count."""
    office = pd.DataFrame({"code": list(fees), "description": [f"procedure {c}" for c in fees],
                           "office_fee": list(fees.values())})
    schedules = pd.DataFrame([{"payer": payer, "network": "PPO", "code": code, "allowed": a}
                              for payer, codes in allowed.items() for code, a in codes.items()])
    counts = pd.DataFrame([{"code": code, "payer": f"{payer} PPO", "count": n}
                           for payer, codes in volume.items() for code, n in codes.items()])
    return Client.from_frames(name, office, schedules, counts,
                              Settings(ask=0.10, oon_collection=oon_collection), group=group)


# Two locations, two payers, two codes; every figure below is worked by hand.
LOCATION_A = dict(name="Location A", fees={"D1110": 100.0, "D2391": 200.0},
                  allowed={"Alpha": {"D1110": 70.0, "D2391": 140.0},
                           "Beta": {"D1110": 80.0, "D2391": 150.0}},
                  volume={"Alpha": {"D1110": 10, "D2391": 5}, "Beta": {"D1110": 4, "D2391": 2}},
                  oon_collection=0.9)
LOCATION_B = dict(name="Location B", fees={"D1110": 110.0, "D2391": 220.0},
                  allowed={"Alpha": {"D1110": 70.0, "D2391": 150.0},
                           "Beta": {"D1110": 85.0, "D2391": 160.0}},
                  volume={"Alpha": {"D1110": 6, "D2391": 3}, "Beta": {"D1110": 10}},
                  oon_collection=0.8)


@pytest.fixture
def locations():
    return [analyze(_location(**LOCATION_A)), analyze(_location(**LOCATION_B))]


@pytest.fixture
def rollup(locations):
    return roll_up("Hand-worked Partners", [location_figures(a) for a in locations])


def test_roll_up_by_hand(rollup) -> None:
    """Each payer's sums across locations, rates and break-even as worked on paper."""
    alpha, beta = rollup.payers   # Alpha has more procedures (24 against 16)
    # Alpha: A 10×70 + 5×140 = 1400 of 10×100 + 5×200 = 2000; B 6×70 + 3×150 = 870 of
    # 6×110 + 3×220 = 1320. Write-off 600 + 450; the ask, up to the other payer's amount
    # (the benchmark): 10×(80−70) + 5×(150−140) + 6×(85−70) + 3×(160−150) = 270.
    assert (alpha.payer, alpha.procedures, alpha.allowed, alpha.office) == \
        ("Alpha (PPO)", 24, 2270, 3320)
    assert (alpha.write_off, alpha.ask_value) == (1050, 270)
    assert alpha.effective_rate == pytest.approx(2270 / 3320)
    # Out of network each location collects its own share: 2000 × 0.9 + 1320 × 0.8.
    assert alpha.collectible == pytest.approx(2856)
    assert alpha.break_even_retention == pytest.approx(2270 / 2856)
    # Beta: A 4×80 + 2×150 = 620 of 800; B 10×85 = 850 of 1100 (D2391 never performed).
    assert (beta.procedures, beta.allowed, beta.office, beta.write_off) == (16, 1470, 1900, 430)
    # Beta allows more than Alpha (its only peer) on every code: nothing to ask
    assert beta.ask_value == 0.0
    assert beta.break_even_retention == pytest.approx(1470 / (800 * 0.9 + 1100 * 0.8))
    # Against the group's other payers: each other's rate.
    assert alpha.others_rate == pytest.approx(1470 / 1900)
    assert beta.others_rate == pytest.approx(2270 / 3320)
    assert alpha.categories == {"Preventive": 16, "Restorative": 8}
    assert beta.categories == {"Preventive": 14, "Restorative": 2}
    assert alpha.locations == beta.locations == ("Location A", "Location B")
    assert rollup.total("allowed") == 3740 and rollup.total("write_off") == 1480


def test_roll_up_totals_are_the_locations_workbooks_summed(locations, rollup,
                                                          tmp_path: Path) -> None:
    """Per payer, write-off and value of the ask equal the locations' workbooks' Payers
    rows added up, to the cent; so do the group's totals."""
    summed: dict[str, dict[str, float]] = {}
    for number, analysis in enumerate(locations):
        path = write_workbook(analysis, tmp_path / f"location{number}.xlsx")
        payers = pd.read_excel(path, sheet_name="Payers", header=2, engine="openpyxl")
        for row in payers.to_dict("records"):
            sums = summed.setdefault(row["Schedule"], {"write_off": 0.0, "ask": 0.0})
            sums["write_off"] += row["Annual write off"]
            sums["ask"] += row["Impact at ask"]
    for payer in rollup.payers:
        assert round(payer.write_off, 2) == round(summed[payer.payer]["write_off"], 2)
        assert round(payer.ask_value, 2) == round(summed[payer.payer]["ask"], 2)
    assert round(rollup.total("write_off"), 2) == round(
        sum(s["write_off"] for s in summed.values()), 2) == 1480.00


def test_the_group_workbook_recalculates_alike_in_libreoffice(rollup, tmp_path: Path) -> None:
    """Every formula of the roll-up workbook: LibreOffice gets the stored value; Excel 2010
    functions only; the figures a person reads are the hand-worked ones."""
    path = write_group_workbook(rollup, tmp_path / "group.xlsx")
    used: set[str] = set()
    for formula in _formulas(path):
        assert "_xlfn." not in formula and "[" not in formula, formula
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', '""', formula)))
    assert used and used <= EXCEL_2010, used - EXCEL_2010
    if lo.soffice() is None:
        lo.unavailable("LibreOffice is not installed")
    recalculated = lo.values(lo.recalculate(path, tmp_path))
    cells = lo.formula_cells(path)
    assert len(cells) > 40
    for (sheet, ref), (formula, stored) in cells.items():
        assert lo.same(stored, recalculated[sheet][ref].value), (sheet, ref, formula, stored)
    payers = recalculated["Payers"]
    headers = [c.value for c in payers[3]]
    alpha = {h: c.value for h, c in zip(headers, payers[4])}
    assert (alpha["Payer"], alpha["Locations"], alpha["Allowed a year"],
            alpha["Write-off a year"]) == ("Alpha (PPO)", 2, 2270, 1050)
    assert alpha["Break-even retention"] == pytest.approx(2270 / 2856)


def test_names_that_look_like_criteria_or_formulas_are_matched_exactly(tmp_path: Path) -> None:
    """Payers named "Delta*" and "<Aetna" are keyed by number, and "=cmd" stays text."""
    fees = {"D1110": 100.0}
    names = {"Delta*": 60.0, "Delta Dental": 70.0, "<Aetna": 80.0, "=cmd|' /C calc'!A0": 90.0}
    client = _location("Odd names", fees, {p: {"D1110": a} for p, a in names.items()},
                       {p: {"D1110": 10} for p in names}, 0.9)
    rollup = roll_up("=HYPERLINK(\"x\")", [location_figures(analyze(client))])
    path = write_group_workbook(rollup, tmp_path / "odd.xlsx")
    formulas = openpyxl.load_workbook(path)
    assert formulas["Summary"]["B3"].value == "=HYPERLINK(\"x\")"
    assert formulas["Summary"]["B3"].data_type == "s"
    if lo.soffice() is None:
        lo.unavailable("LibreOffice is not installed")
    recalculated = lo.values(lo.recalculate(path, tmp_path))
    rows = {r[1].value: r[5].value for r in recalculated["Payers"].iter_rows(min_row=4)}
    assert rows == {f"{p} (PPO)": 10 * a for p, a in names.items()}


def _cascade(tmp_path: Path) -> Path:
    clients = tmp_path / "clients"
    for name in ("cascade-downtown", "cascade-eastside", "cascade-northgate",
                 "riverbend-family-dental", "lakeside-dental"):
        shutil.copytree(ROOT / "examples" / name, clients / name)
    shutil.copy(ROOT / "examples" / "group.toml", clients / "group.toml")
    return clients


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory) -> tuple[Path, object]:
    tmp_path = tmp_path_factory.mktemp("groups")
    clients = _cascade(tmp_path)
    batch = run_batch(clients, tmp_path / "out", jobs=2, letter_date=DAY)
    return tmp_path / "out", batch


def test_batch_writes_each_groups_roll_up_and_one_pagers(batch_out) -> None:
    """client.toml's group and group.toml's each give a workbook and one PDF per payer."""
    out, batch = batch_out
    groups = {g.group: g for g in batch.groups}
    assert set(groups) == {"Cascade Dental Partners", "Willamette Dental Partners"}
    cascade = groups["Cascade Dental Partners"]
    assert [Path(f).name for f in cascade.locations] == [
        "cascade-downtown", "cascade-eastside", "cascade-northgate"]
    assert Path(cascade.workbook) == out / "Cascade Dental Partners.xlsx"
    assert sorted(Path(f).name for f in cascade.files) == [
        "network-value-aetna-ppo.pdf", "network-value-cigna-dppo.pdf",
        "network-value-delta-dental-ppo.pdf", "network-value-metlife-pdp-plus.pdf"]
    willamette = groups["Willamette Dental Partners"].rollup
    # The aliases join "Delta Dental PPO" (Lakeside) to "Delta Dental (PPO)" (Riverbend).
    delta = next(p for p in willamette.payers if p.payer == "Delta Dental (PPO)")
    assert delta.locations == ("Lakeside Dental Group", "Riverbend Family Dental")
    assert len(willamette.payers) == 8
    assert willamette.notes == ("Lakeside Dental Group: procedures by payer are estimated "
                                "from its [payer_shares]",)


def test_batch_roll_up_equals_its_locations_workbooks(batch_out) -> None:
    """Cascade's allowed, write-off and ask per payer: the three locations' workbooks'
    Targets rows (volume × allowed, write-off, impact) added up, to the cent."""
    out, batch = batch_out
    cascade = next(g for g in batch.groups if g.group == "Cascade Dental Partners").rollup
    expected: dict[str, list[float]] = {}
    for name in ("cascade-downtown", "cascade-eastside", "cascade-northgate"):
        targets = pd.read_excel(out / f"{name}.xlsx", sheet_name="Targets", header=2,
                                engine="openpyxl")
        for row in targets.to_dict("records"):
            sums = expected.setdefault(row["Schedule"], [0.0, 0.0, 0.0, 0.0])
            sums[0] += row["Volume"]
            sums[1] += row["Volume"] * row["Allowed"]
            sums[2] += row["Write off"]
            sums[3] += row["Impact"]
    assert {p.payer for p in cascade.payers} == set(expected)
    for payer in cascade.payers:
        procedures, allowed, write_off, ask = expected[payer.payer]
        assert round(payer.procedures, 2) == round(procedures, 2)
        assert round(payer.allowed, 2) == round(allowed, 2)
        assert round(payer.write_off, 2) == round(write_off, 2)
        assert round(payer.ask_value, 2) == round(ask, 2)
    # Eastside's ERAs: Delta and MetLife have claims, the others none.
    eras = {p.payer: p.claims for p in cascade.payers}
    assert eras["Delta Dental (PPO)"] == 31 and eras["Cigna (DPPO)"] == 0


def test_network_value_summaries_are_one_page_with_the_figures(batch_out) -> None:
    """Each PDF is one page, dated, and says the payer's procedures, allowed and rate."""
    out, batch = batch_out
    cascade = next(g for g in batch.groups if g.group == "Cascade Dental Partners")
    by_payer = {p.payer: p for p in cascade.rollup.payers}
    for file in cascade.files:
        with pdfplumber.open(file) as pdf:
            assert len(pdf.pages) == 1, file
            text = pdf.pages[0].extract_text()
        payer = next(p for p in by_payer.values()
                     if Path(file).name.startswith("network-value-" + re.sub(
                         r"[^a-z0-9]+", "-", p.payer.casefold()).strip("-")))
        assert "November 24, 2026" in text
        assert f"{payer.procedures:,.0f}" in text
        assert f"${payer.allowed:,.2f}" in text
        assert f"{payer.effective_rate * 100:.1f}%" in text
        if payer.claims:
            assert "clean-claim rate" in text and f"{payer.clean_claim_rate * 100:.1f}%" in text
        else:
            assert "No remittances (ERAs) from this payer are on file" in text


def test_a_rerun_writes_the_same_bytes(batch_out, tmp_path: Path) -> None:
    """Same inputs, same day: the roll-up workbook and PDFs are byte-identical."""
    out, _ = batch_out
    again = tmp_path / "again"
    run_batch(_cascade(tmp_path), again, jobs=1, letter_date=DAY)
    for name in ("Cascade Dental Partners.xlsx",
                 "Cascade Dental Partners/network-value-delta-dental-ppo.pdf",
                 "Willamette Dental Partners.xlsx"):
        assert hashlib.sha256((out / name).read_bytes()).digest() == \
            hashlib.sha256((again / name).read_bytes()).digest(), name


def test_a_failed_location_is_named_in_the_roll_up(tmp_path: Path) -> None:
    """A location that fails: the roll-up of the others says which one is missing."""
    clients = _cascade(tmp_path)
    (clients / "cascade-northgate" / "schedules.csv").write_text("nothing useful\n")
    result = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Group Cascade Dental Partners: 2 locations, 4 payers" in result.output
    assert ("  Cascade Dental - Northgate is not in the roll-up: its analysis failed: "
            "schedules.csv: holds no CDT code (D0120 and the like) anywhere in it") \
        in result.output
    book = openpyxl.load_workbook(tmp_path / "out" / "Cascade Dental Partners.xlsx")
    notes = [c.value for c in book["Group Notes"]["A"][3:]]
    assert notes[0].startswith("Cascade Dental - Northgate is not in the roll-up")


def test_a_location_without_payer_volume_is_left_out_with_a_note(locations) -> None:
    """Volume counted at 100 % for every payer would be summed once per payer: left out."""
    a, _ = locations
    hand = _location(**LOCATION_A)
    no_payer = Client.from_frames("No payer column", hand.office_fees, hand.schedules,
                                  pd.DataFrame({"code": ["D1110"], "count": [10]}),
                                  hand.settings)
    rollup = roll_up("G", [location_figures(a), location_figures(analyze(no_payer))])
    assert rollup.locations == ("Location A",)
    assert rollup.notes[0].startswith("No payer column is not in the roll-up: its volume has "
                                      "no payer breakdown")


def test_group_toml_errors_name_the_key_and_the_fix(tmp_path: Path) -> None:
    """A group.toml naming a folder that is not there, or without a name, is refused."""
    (tmp_path / "downtown").mkdir()
    (tmp_path / "group.toml").write_text('name = "G"\nlocations = ["downtown", "uptown"]\n')
    with pytest.raises(GroupError) as error:
        read_group_file(tmp_path, ["downtown"])
    assert str(error.value) == (
        f'{tmp_path / "group.toml"}: locations names "uptown", which is no client folder in '
        f"{tmp_path}: write each location's folder name as it is, one of: downtown")
    (tmp_path / "group.toml").write_text('locations = ["downtown"]\n')
    with pytest.raises(GroupError, match='name is missing: name the group: name = '):
        read_group_file(tmp_path, ["downtown"])
    result = CliRunner().invoke(cli, ["batch", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "name is missing" in result.output


def _uno_python() -> str | None:
    python = shutil.which("python3", path="/usr/bin")
    if python is None or lo.soffice() is None:
        return None
    probe = subprocess.run([python, "-c", "import uno"], capture_output=True)
    return python if probe.returncode == 0 else None


def test_sorting_the_group_tables_changes_no_figure(batch_out, tmp_path: Path) -> None:
    """LibreOffice sorts Detail, Locations and Payers (Data › Sort, descending on a money
    column), recalculates, and every figure outside the sorted rows is as before."""
    if _uno_python() is None:
        lo.unavailable("LibreOffice's Python (uno) is not installed")
    out, _ = batch_out
    source = out / "Cascade Dental Partners.xlsx"
    book = openpyxl.load_workbook(source)
    ranges = {}
    for sheet, column in (("Detail", 6), ("Locations", 3), ("Payers", 4)):
        ws = book[sheet]
        last = ws.max_row
        ranges[sheet] = f"{sheet}!A4:{openpyxl.utils.get_column_letter(ws.max_column)}{last}" \
                        f":{column}:desc"
    target = tmp_path / "sorted.xlsx"
    subprocess.run([_uno_python(), str(ROOT / "tests" / "libreoffice_sort.py"), str(source),
                    str(target), *ranges.values()], check=True, timeout=300,
                   cwd=ROOT / "tests", capture_output=True)
    before = lo.values(source)
    after = lo.values(target)

    def rows(book_: openpyxl.Workbook, sheet: str, keys: int) -> dict[tuple, list]:
        return {tuple(c.value for c in row[:keys]): [c.value for c in row]
                for row in book_[sheet].iter_rows(min_row=4)}
    # Rows moved, each row's figures went with it: compare by key.
    for sheet, keys in (("Payers", 1), ("Locations", 3), ("Categories", 1), ("Detail", 5)):
        old, new = rows(before, sheet, keys), rows(after, sheet, keys)
        assert old.keys() == new.keys(), sheet
        for key, values in old.items():
            assert all(lo.same(a, b) for a, b in zip(values, new[key])), (sheet, key)
    assert [lo.same(before["Summary"][f"B{r}"].value, after["Summary"][f"B{r}"].value)
            for r in range(1, 20)] == [True] * 19
    # And the sort did move rows (a test of nothing otherwise).
    assert [c.value for c in before["Detail"]["B"][3:8]] != \
        [c.value for c in after["Detail"]["B"][3:8]]


def test_a_roll_up_is_never_read_as_an_input(batch_out) -> None:
    """`xlfees inspect` on a roll-up workbook says what it is and where the inputs are."""
    out, _ = batch_out
    result = CliRunner().invoke(cli, ["inspect", str(out / "Cascade Dental Partners.xlsx")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {out / 'Cascade Dental Partners.xlsx'}: is a group's roll-up xlfees wrote "
        "(its Payers, Locations and Detail sheets are results, not inputs); inspect the "
        "locations' own files: each client folder's office fees, payer schedules and volume "
        "report\n")


def test_two_locations_with_one_name_stay_two(locations) -> None:
    """Locations whose client.toml give the same name are told apart by their folders."""
    a, b = (replace(location_figures(x, folder), location="Smile Dental")
            for x, folder in zip(locations, ("/clients/north", "/clients/south")))
    rollup = roll_up("G", [a, b])
    assert rollup.locations == ("Smile Dental (north)", "Smile Dental (south)")
    alpha = rollup.payers[0]
    assert alpha.locations == ("Smile Dental (north)", "Smile Dental (south)")
    assert alpha.allowed == 2270


def test_group_names_match_whatever_their_case_and_group_toml_has_the_last_word(
        tmp_path: Path) -> None:
    """"Cascade dental partners" is Cascade Dental Partners; a location group.toml lists
    though its client.toml names another group is in group.toml's, with a note."""
    clients = _cascade(tmp_path)
    toml = clients / "cascade-northgate" / "client.toml"
    toml.write_text(toml.read_text().replace("Cascade Dental Partners",
                                             "cascade  DENTAL partners"))
    lakeside = clients / "lakeside-dental" / "client.toml"
    lakeside.write_text('group = "Lakeside Group"\n' + lakeside.read_text())
    batch = run_batch(clients, tmp_path / "out", jobs=2, letter_date=DAY)
    groups = {g.group: g.rollup for g in batch.groups}
    assert set(groups) == {"Cascade Dental Partners", "Willamette Dental Partners"}
    assert len(groups["Cascade Dental Partners"].locations) == 3
    assert groups["Willamette Dental Partners"].notes[0] == (
        "Lakeside Dental Group: its client.toml names the group 'Lakeside Group'; "
        "group.toml lists it in this one")


def test_the_index_lists_each_group(batch_out) -> None:
    """index.xlsx gains a Groups sheet: totals, and links to the workbook and one-pagers."""
    out, batch = batch_out
    sheet = openpyxl.load_workbook(out / "index.xlsx")["Groups"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    cascade = rows["Cascade Dental Partners"]
    rollup = next(g.rollup for g in batch.groups if g.group == "Cascade Dental Partners")
    assert [c.value for c in cascade[1:4]] == ["ok", 3, 4]
    assert cascade[4].value == pytest.approx(rollup.total("allowed"))
    # links are URIs: the spaces percent-encoded
    assert cascade[7].hyperlink.target == "Cascade%20Dental%20Partners.xlsx"
    assert cascade[8].hyperlink.target == "Cascade%20Dental%20Partners"   # the folder
    assert rows["Willamette Dental Partners"][9].value == (
        "Lakeside Dental Group: procedures by payer are estimated from its [payer_shares]")


def test_two_schedules_one_payer_at_a_location_are_summed_and_said_once() -> None:
    """"Alpha-PPO" and "Alpha (PPO)" at one location are one payer: summed, one note."""
    office = pd.DataFrame({"code": ["D1110", "D2391"], "description": ["a", "b"],
                           "office_fee": [100.0, 200.0]})
    schedules = pd.DataFrame([("Alpha-PPO", "", "D1110", 70.0), ("Alpha-PPO", "", "D2391", 140.0),
                              ("Alpha", "PPO", "D1110", 60.0), ("Alpha", "PPO", "D2391", 120.0)],
                             columns=["payer", "network", "code", "allowed"])
    volume = pd.DataFrame([("D1110", "Alpha-PPO", 10), ("D2391", "Alpha-PPO", 5),
                           ("D1110", "Alpha (PPO)", 2), ("D2391", "Alpha (PPO)", 1)],
                          columns=["code", "payer", "count"])
    client = Client.from_frames("One", office, schedules, volume)
    rollup = roll_up("G", [location_figures(analyze(client))])
    (alpha,) = rollup.payers
    assert alpha.allowed == 10 * 70 + 5 * 140 + 2 * 60 + 1 * 120
    assert rollup.notes == ("One: schedules Alpha (PPO) and Alpha-PPO are both counted as "
                            "Alpha (PPO)",)


def test_a_large_group_still_fits_one_page(tmp_path: Path) -> None:
    """14 locations with long names, every CDT category, ERAs, long payer and group names:
    one page, every line above the footer, the locations past ten summed in one line."""
    from xlfees.cdt import CATEGORIES
    from xlfees.deliverables.network import write_network_summary
    from xlfees.analysis.rollup import LocationFigures, PayerCategory, PayerClaims
    from xlfees.analysis.monitoring import ClaimTiming

    payer = "Delta Dental of a Very Long Regional Name (PPO Premier Plus)"
    locations = [LocationFigures(
        f"Location number {i} with a long descriptive name, Suite 100", f"/c/l{i}", "G",
        "by payer", 0.9, tuple(PayerCategory(payer, c, 10 + i, 1000.0, 1500.0, 500.0, 100.0)
                               for c in CATEGORIES),
        (PayerClaims(payer, ClaimTiming(10, 9, (10.0, 20.0)), 500.0),)) for i in range(14)]
    rollup = roll_up("A Very Long Dental Service Organization Name Partners LLC", locations)
    path = write_network_summary(rollup, rollup.payers[0], tmp_path / "big.pdf", DAY)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        lines = page.extract_text().splitlines()
        footer = next(w for w in page.extract_words() if w["text"] == "Prepared")
        assert all(w["bottom"] <= footer["top"] for w in page.extract_words()
                   if w["top"] < footer["top"] - 1)
    assert "4 more locations 552 $48,000.00 66.7%" in lines
    assert "Adjunctive general services 231 8.3%" in lines
    assert "Median days from claim received to payment 15.0" in lines


@pytest.mark.usefixtures("needs_libreoffice")
def test_the_group_workbook_prints_at_7_pt_or_more(batch_out, tmp_path: Path) -> None:
    """Cascade's roll-up printed by LibreOffice: every page, the wide Locations and Detail
    sheets split across pages rather than shrunk, has no text below 7 pt."""
    import pdfplumber

    from libreoffice import to_pdf

    out, _ = batch_out
    [printed] = to_pdf([out / "Cascade Dental Partners.xlsx"], tmp_path)
    with pdfplumber.open(printed) as pdf:
        small = {number: round(min(c["size"] for c in page.chars), 1)
                 for number, page in enumerate(pdf.pages, start=1)
                 if page.chars and min(c["size"] for c in page.chars) < 7.0}
        assert len(pdf.pages) > 3
    assert small == {}
