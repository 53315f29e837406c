"""LibreOffice, forced to recalculate, must reproduce every value the engine stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from libreoffice import formula_cells, recalculate, recalculate_many, same, values
from test_paid_on import make_client
from xlfees import Client, Settings, analyze, load_client, write_workbook
from xlfees.labels import schedule_label

ROOT = Path(__file__).parent.parent
READERS = Path(__file__).parent / "data" / "readers"

pytestmark = pytest.mark.usefixtures("needs_libreoffice")


def _variant(handworked: Path, **settings) -> Client:
    client = load_client(handworked)
    return Client.from_frames(client.name, client.office_fees, client.schedules,
                              client.volume, Settings(**settings), client.notes)


def _messy(tmp: Path) -> Client:
    folder = tmp / "messy"
    (folder / "payers").mkdir(parents=True)
    shutil.copy(READERS / "office fees.xlsx", folder / "office fees.xlsx")
    shutil.copy(READERS / "procedures_by_code.csv", folder / "procedures_by_code.csv")
    for name in ("Delta Dental PPO 2026.csv", "Ameritas PPO 2026.pdf", "metlife-pdp.xlsx",
                 "Delta Dental 2026.xlsx"):
        shutil.copy(READERS / name, folder / "payers" / name)
    return load_client(folder)


def _not_reproduced(workbook: Path, scratch: Path) -> tuple[int, dict]:
    """How many formula cells the workbook stores, and those whose stored value LibreOffice's
    recalculation does not reproduce: (sheet, cell) → (formula, stored, recalculated)."""
    stored = formula_cells(workbook)
    recalculated = values(recalculate(workbook, scratch))
    return len(stored), {(sheet, ref): (formula, value, recalculated[sheet][ref].value)
                         for (sheet, ref), (formula, value) in stored.items()
                         if not same(value, recalculated[sheet][ref].value)}


VARIANTS = {
    "handworked": lambda hw, tmp: load_client(hw),
    "example smile-studio": lambda hw, tmp: load_client(ROOT / "examples" / "smile-studio"),
    "example lakeside (wide sheet, shares)":
        lambda hw, tmp: load_client(ROOT / "examples" / "lakeside-dental"),
    "example riverbend (PDF, Open Dental, networks)":
        lambda hw, tmp: load_client(ROOT / "examples" / "riverbend-family-dental"),
    "to peer, p75, contracted basis": lambda hw, tmp: _variant(
        hw, ask="peer", benchmark="p75", balance_basis="contracted", alt_ask=0.2),
    "max benchmark": lambda hw, tmp: _variant(hw, benchmark="max", ask=0.0375),
    "messy folder, per 100 % volume": lambda hw, tmp: _messy(tmp),
    "which contract paid (ERAs, two dated schedules, a rental network)":
        lambda hw, tmp: load_client(make_client(tmp / "contract-check")),
    "no volume at all": lambda hw, tmp: Client.from_frames(
        "no volume", load_client(hw).office_fees, load_client(hw).schedules, None),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_libreoffice_reproduces_every_stored_value(variant: str, handworked_dir: Path,
                                                   tmp_path: Path) -> None:
    """Every formula cell's stored value equals LibreOffice's recalculation to the cent."""
    analysis = analyze(VARIANTS[variant](handworked_dir, tmp_path))
    stored, wrong = _not_reproduced(write_workbook(analysis, tmp_path / "client.xlsx"),
                                    tmp_path)
    assert stored > 50
    assert wrong == {}


def test_external_benchmark_and_payer_shares(handworked_dir: Path, tmp_path: Path) -> None:
    """An external benchmark column and volume split by payer_shares recalculate the same."""
    client = load_client(handworked_dir)
    office = client.office_fees.assign(
        benchmark=[52.0 if c == "D0120" else (180.0 if c == "D2391" else float("nan"))
                   for c in client.office_fees["code"]])
    volume = pd.DataFrame({"code": ["D0120", "D2391"], "count": [200.0, 90.0]})
    settings = Settings(benchmark="external", payer_shares={"Alpha Dental": 0.5,
                                                            "Gamma Plan": 0.2})
    analysis = analyze(Client.from_frames(client.name, office, client.schedules, volume,
                                          settings))
    stored, differing = _not_reproduced(write_workbook(analysis, tmp_path / "external.xlsx"),
                                        tmp_path)
    assert stored > 100
    assert differing == {}


def _set(sheet, column_header: str, match: dict[str, str], value, header_row: int = 3) -> None:
    headers = [c.value for c in sheet[header_row]]
    target = headers.index(column_header)
    keys = {name: headers.index(name) for name in match}
    for row in sheet.iter_rows(min_row=header_row + 1):
        if all(row[i].value == match[name] for name, i in keys.items()):
            row[target].value = value
            return
    raise AssertionError(f"no row {match}")


def test_edited_inputs_recalculate_like_the_engine(handworked_dir: Path, tmp_path: Path) -> None:
    """Edit a fee, an allowed amount, a volume and the ask in the file: LibreOffice's figures
    equal the engine's on the same edited inputs. The ask package (Proposed) was chosen once
    by the engine and stays as written; its Impact follows the edited volume and allowed."""
    before = analyze(load_client(handworked_dir))
    workbook = write_workbook(before, tmp_path / "before.xlsx")
    book = openpyxl.load_workbook(workbook)
    _set(book["Office Fees"], "Office fee", {"Code": "D2391"}, 300)
    _set(book["Schedules"], "Allowed", {"Schedule": "Gamma Plan (PPO)", "Code": "D0120"}, 47)
    _set(book["Volume"], "Count", {"Code": "D2740", "Schedule": "Beta Health"}, 25)
    book["Settings"]["B5"] = 0.125
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    recalculated = values(recalculate(edited, tmp_path))

    # The same edits made to the inputs, then the engine.
    client = load_client(handworked_dir)
    office = client.office_fees.copy()
    office.loc[office["code"] == "D2391", "office_fee"] = 300.0
    schedules = client.schedules.copy()
    schedules.loc[(schedules["payer"] == "Gamma Plan") & (schedules["code"] == "D0120"),
                  "allowed"] = 47.0
    volume = client.volume.copy()
    volume.loc[(volume["code"] == "D2740") & (volume["payer"] == "Beta Health"), "count"] = 25.0
    engine = analyze(Client.from_frames(client.name, office, schedules, volume,
                                        Settings(ask=0.125)))

    sheet = recalculated["Targets"]
    headers = [c.value for c in sheet[3]]
    by_key = {(row[headers.index("Schedule")], row[headers.index("Code")]): row
              for row in sheet.iter_rows(min_row=4, values_only=True)}
    columns = {"volume": "Volume", "office_fee": "Office fee", "allowed": "Allowed",
               "benchmark": "Benchmark", "shortfall": "Shortfall", "write_off": "Write off",
               "priority": "Priority"}
    chosen = {(schedule_label(p, n), c): r for p, n, c, r in zip(
        before.gaps["payer"], before.gaps["network"], before.gaps["code"],
        before.gaps["proposed"])}
    for record in engine.gaps.to_dict("records"):
        label = schedule_label(record["payer"], record["network"])
        row = by_key[(label, record["code"])]
        for field, header in columns.items():
            expected = record[field]
            got = row[headers.index(header)]
            if expected != expected:  # NaN: no benchmark
                assert got in (None, ""), (label, record["code"], header)
            else:
                assert got == pytest.approx(expected, abs=0.005), (label, record["code"], header)
        proposed = row[headers.index("Proposed")]
        assert proposed == chosen[(label, record["code"])]
        assert row[headers.index("Impact")] == pytest.approx(
            row[headers.index("Volume")] * (proposed - row[headers.index("Allowed")]),
            abs=0.005)
    payers = recalculated["Payers"]
    headers = [c.value for c in payers[3]]
    rates = {row[headers.index("Schedule")]: row[headers.index("Effective rate")]
             for row in payers.iter_rows(min_row=4, values_only=True)}
    for record in engine.payers.to_dict("records"):
        label = schedule_label(record["payer"], record["network"])
        assert rates[label] == pytest.approx(record["effective_rate"], abs=1e-9)


def test_summary_prints_on_one_landscape_page(tmp_path: Path) -> None:
    """LibreOffice prints the Summary (figures and charts) on one page, landscape."""
    import os
    import subprocess

    import pdfplumber

    from libreoffice import REGISTRY, soffice

    workbook = write_workbook(analyze(load_client(ROOT / "examples" / "riverbend-family-dental")),
                              tmp_path / "riverbend.xlsx")
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(REGISTRY)
    subprocess.run([soffice() or "soffice", f"-env:UserInstallation={profile.as_uri()}",
                    "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), str(workbook)], check=True, capture_output=True,
                   env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"}, timeout=300)
    with pdfplumber.open(tmp_path / "riverbend.pdf") as pdf:
        first, second = pdf.pages[0], pdf.pages[1]
        assert first.width > first.height                       # landscape
        text = first.extract_text()
        assert "Fee schedule analysis" in text and "Riverbend Family Dental" in text
        assert "Effective rate by payer" in text and "Top 15 targets" in text
        assert "Alternate-benefit patient" in text
        assert second.extract_text().startswith("Settings: the assumptions")


def test_a_template_saved_by_libreoffice_fills(tmp_path: Path) -> None:
    """The template opened and saved by LibreOffice (attributes in its order, its own
    defined-name attributes): filled, its Peers names sized to the client, and every
    stored value what LibreOffice recalculates."""
    from xlfees.workbook import copy_template

    blank = copy_template(tmp_path / "blank.xlsx")
    [resaved] = recalculate_many([blank], tmp_path / "resave")
    workbook = write_workbook(analyze(load_client(ROOT / "examples" / "smile-studio")),
                              tmp_path / "filled.xlsx", template=resaved)
    names = openpyxl.load_workbook(workbook).defined_names
    schedules = len(analyze(load_client(ROOT / "examples" / "smile-studio")).payers)
    last = chr(ord("L") + schedules - 1)
    assert names["PeerSchedules"].attr_text == f"Peers!$L$3:${last}$3"
    stored, differing = _not_reproduced(workbook, tmp_path / "check")
    assert stored > 500
    assert differing == {}


# Payer names Excel would read as wildcards (* ? ~) or comparisons (< > =) in a lookup or a
# criterion, and the plain names of the same payers.
TRICKY = {"Alpha Dental": "Delta*", "Beta Health": "<Aetna", "Delta Care": "=MetLife",
          "Gamma Plan": "Cigna ~2"}
PLAIN = {"Alpha Dental": "Delta", "Beta Health": "Aetna", "Delta Care": "MetLife",
         "Gamma Plan": "Cigna 2"}


def _renamed(handworked: Path, names: dict[str, str], fifth: str) -> Client:
    """The hand-worked client with its payers renamed, a fifth payer (Gamma's amounts + 5),
    and Delta Dental Plus (Alpha's amounts × 2) for "Delta*" to wrongly match."""
    client = load_client(handworked)
    schedules = client.schedules.copy()
    extra = [schedules[schedules["payer"] == "Gamma Plan"].assign(
                 payer=fifth, allowed=lambda f: f["allowed"] + 5),
             schedules[schedules["payer"] == "Alpha Dental"].assign(
                 payer="Delta Dental Plus", allowed=lambda f: f["allowed"] * 2)]
    schedules["payer"] = schedules["payer"].map(names)
    schedules = pd.concat([schedules, *extra], ignore_index=True)
    volume = client.volume.copy()
    for old, new in names.items():
        volume["payer"] = volume["payer"].str.replace(old, new, regex=False)
    return Client.from_frames(client.name, client.office_fees, schedules, volume)


def test_payer_names_excel_would_read_as_patterns(handworked_dir: Path,
                                                  tmp_path: Path) -> None:
    """Payers named Delta*, <Aetna, =MetLife, Cigna ~2 and Guardian?: LibreOffice's
    recalculation reproduces every stored value, and the Payers sheet's figures are those
    of the same payers under plain names (Delta Dental Plus is there to be matched by
    "Delta*" if the names were patterns)."""
    tricky = analyze(_renamed(handworked_dir, TRICKY, "Guardian?"))
    plain = analyze(_renamed(handworked_dir, PLAIN, "Guardian"))
    stored, wrong = _not_reproduced(write_workbook(tricky, tmp_path / "tricky.xlsx"), tmp_path)
    assert stored > 100 and wrong == {}
    figures = ["codes", "effective_rate", "annual_writeoff", "impact_at_ask", "alt_savings"]
    rename = {**{v: k for k, v in TRICKY.items()}, "Guardian?": "Guardian"}
    ours = {rename.get(r["payer"], r["payer"]): [r[f] for f in figures]
            for r in tricky.payers.to_dict("records")}
    plain_rename = {**{v: k for k, v in PLAIN.items()}}
    theirs = {plain_rename.get(r["payer"], r["payer"]): [r[f] for f in figures]
              for r in plain.payers.to_dict("records")}
    assert ours == theirs and len(ours) == 6


def test_every_page_prints_at_7_pt_or_more(tmp_path: Path) -> None:
    """Riverbend's workbook printed by LibreOffice: no page has text below 7 pt, the
    one-page Summary (figures, and charts whose labels are 11 pt) nor the tables (split
    across pages where wide, their first column repeated)."""
    import pdfplumber

    from libreoffice import to_pdf

    workbook = write_workbook(analyze(load_client(ROOT / "examples" / "riverbend-family-dental")),
                              tmp_path / "printed.xlsx")
    [printed] = to_pdf([workbook], tmp_path)
    with pdfplumber.open(printed) as pdf:
        small = {number: min(char["size"] for char in page.chars)
                 for number, page in enumerate(pdf.pages, start=1) if page.chars
                 and min(char["size"] for char in page.chars) < 7.0}
        assert len(pdf.pages) > 10
    assert small == {}
