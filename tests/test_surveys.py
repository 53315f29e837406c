"""Fee surveys in a client folder: never payers; the benchmark when client.toml says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlfees import SettingsError, analyze, load_client, write_workbook

SURVEY = Path(__file__).parent / "data" / "readers" / "ada_survey_2024.csv"


@pytest.fixture
def client(handworked_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    shutil.copy(SURVEY, folder / "ada_survey_2024.csv")
    return folder


def _benchmark(folder: Path, value: str) -> None:
    toml = (folder / "client.toml").read_text()
    (folder / "client.toml").write_text(toml.replace('benchmark = "median"',
                                                     f'benchmark = "{value}"'))


def test_a_survey_is_never_a_payer(client: Path) -> None:
    """Without a survey benchmark the survey is noted, and no payer is named after a statistic."""
    loaded = load_client(client)
    assert set(loaded.schedules["payer"]) == {"Alpha Dental", "Beta Health", "Gamma Plan",
                                              "Delta Care"}
    assert any(n.file == "ada_survey_2024.csv" and n.reason.startswith("a fee survey")
               for n in loaded.notes)


def test_survey_p75_is_every_payers_benchmark(client: Path) -> None:
    """benchmark = "survey:p75": D0120's benchmark is the survey's 64.00 for every payer."""
    _benchmark(client, "survey:p75")
    analysis = analyze(load_client(client))
    d0120 = analysis.targets[analysis.targets["code"] == "D0120"]
    assert set(d0120["benchmark"]) == {64.0}
    # Alpha allows 40: shortfall 24, 100 procedures a year → priority 2,400
    alpha = d0120[d0120["payer"] == "Alpha Dental"].iloc[0]
    assert (alpha["shortfall"], alpha["priority"]) == (24.0, 2400.0)
    assert any("this survey's p75 for 4 codes" in n.reason for n in analysis.notes)


def test_survey_median_and_missing_statistics(client: Path) -> None:
    """survey:median is its 50th percentile; a missing statistic is an error naming the others."""
    _benchmark(client, "survey:median")
    d2391 = analyze(load_client(client)).targets
    assert set(d2391[d2391["code"] == "D2391"]["benchmark"]) == {195.0}
    _benchmark(client, "survey:median")
    (client / "client.toml").write_text((client / "client.toml").read_text()
                                        .replace("survey:median", "survey:p80"))
    with pytest.raises(SettingsError, match=r'has no p80 column; use one it has: '
                                            r'"survey:average", "survey:p10", "survey:p25"'):
        load_client(client)


def test_survey_benchmark_without_a_survey(handworked_dir: Path, tmp_path: Path) -> None:
    """benchmark = "survey:p75" and no survey in the folder: an error saying what to add."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    _benchmark(folder, "survey:p75")
    with pytest.raises(SettingsError, match="holds no fee survey; add the survey file"):
        load_client(folder)


@pytest.mark.usefixtures("needs_libreoffice")
def test_libreoffice_agrees_with_a_survey_benchmark(client: Path, tmp_path: Path) -> None:
    """The workbook of a survey benchmark recalculates to the engine's values."""
    from libreoffice import formula_cells, recalculate, same, values

    _benchmark(client, "survey:p75")
    workbook = write_workbook(analyze(load_client(client)), tmp_path / "survey.xlsx")
    recalculated = values(recalculate(workbook, tmp_path))
    stored = formula_cells(workbook)
    wrong = {key: value for key, (_, value) in stored.items()
             if not same(value, recalculated[key[0]][key[1]].value)}
    assert stored and wrong == {}
