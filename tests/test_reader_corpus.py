"""csvkit-style corpus: each ugly input under data/readers next to its hand-written expectation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from xlfees import XlfeesError, read_schedule

CORPUS = Path(__file__).parent / "data" / "readers"
CASES = sorted(p for p in CORPUS.iterdir()
               if p.is_file() and p.suffix not in (".json", ".py", ".md"))


def _compact(read) -> dict[str, Any]:
    document = read.to_dict()
    result: dict[str, Any] = {k: document[k] for k in ("role", "sheet", "header_row")}
    if read.role == "schedule":
        result["rows"] = [[r["payer"], r["network"], r["code"], r["allowed"], r["alt_code"],
                           r["alt_allowed"], r["effective"], r["row"]]
                          + ([r["sheet"]] if r["sheet"] and r["sheet"].startswith("page")
                             else [])
                          for r in document["rows"]]
    elif read.role == "office_fees":
        result["rows"] = [[r["code"], r["office_fee"], r["row"]] for r in document["rows"]]
    elif read.role == "copay":
        result["rows"] = [[r["payer"], r["network"], r["code"], r["copay"], r["effective"],
                           r["row"]] + ([r["sheet"]] if r["sheet"] and
                                        r["sheet"].startswith("page") else [])
                          for r in document["rows"]]
    elif read.role == "survey":
        result["rows"] = [[r["code"], r.get("p50"), r.get("average"), r["row"]]
                          for r in document["rows"]]
    else:
        result["rows"] = [[r["code"], r["payer"], r["count"], r["row"]]
                          for r in document["rows"]]
    if "office_fees" in document:
        result["office_fees"] = [[r["code"], r["office_fee"], r["row"]]
                                 for r in document["office_fees"]]
    # A reason may name the file as given ({file} in the expectation).
    result["rejected"] = [[r["sheet"], r["row"], r["text"],
                           r["reason"].replace(str(read.file), "{file}")]
                          for r in document["rejected"]]
    if read.notes:
        result["notes"] = [[n.sheet, n.reason] for n in read.notes]
    # Checked only where an expectation names them (the newer fixtures do).
    result["descriptions"] = [r.get("description") for r in document["rows"]]
    result["benchmarks"] = [r.get("benchmark") for r in document["rows"]]
    result["columns"] = document["columns"]
    return result


OPTIONAL = ("descriptions", "benchmarks", "columns")


def test_corpus_is_large_enough() -> None:
    """At least 15 ugly files, each with its expectation."""
    assert len(CASES) >= 15
    for case in CASES:
        assert case.with_name(case.name + ".expected.json").exists(), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reads_as_expected(case: Path) -> None:
    """The file reads to exactly its hand-written expected rows and rejections."""
    expected = json.loads(case.with_name(case.name + ".expected.json").read_text("utf-8"))
    if "error" in expected:   # a file refused clearly: the message names it and the fix
        with pytest.raises(XlfeesError) as refused:
            read_schedule(case)
        assert str(refused.value) == f"{case}: " + expected["error"].replace("{file}", str(case))
        return
    actual = _compact(read_schedule(case))
    for key in OPTIONAL:
        if key not in expected:
            del actual[key]
    assert actual == expected


def test_inputs_are_not_modified(tmp_path: Path) -> None:
    """Reading leaves every input byte for byte as it was."""
    before = {case: case.read_bytes() for case in CASES}
    for case in CASES:
        try:
            read_schedule(case)
        except XlfeesError:
            pass   # the refused ones are read too, up to their refusal
    assert {case: case.read_bytes() for case in CASES} == before


def corpus_score() -> dict[str, list[str]]:
    """Each corpus file as read exactly, refused clearly, or wrong (scripts/corpus_score.py)."""
    score: dict[str, list[str]] = {"read exactly": [], "refused clearly": [], "wrong": []}
    for case in CASES:
        expected = json.loads(case.with_name(case.name + ".expected.json").read_text("utf-8"))
        try:
            actual = _compact(read_schedule(case))
        except XlfeesError as error:
            wanted = f"{case}: " + expected.get("error", "").replace("{file}", str(case))
            score["refused clearly" if str(error) == wanted else "wrong"].append(case.name)
            continue
        for key in OPTIONAL:
            if key not in expected:
                del actual[key]
        score["read exactly" if actual == expected else "wrong"].append(case.name)
    return score


def test_corpus_score_has_nothing_wrong() -> None:
    """The score over the whole corpus: at least 40 files, none read wrong."""
    score = corpus_score()
    print({name: len(files) for name, files in score.items()})
    assert sum(len(files) for files in score.values()) >= 40
    assert score["wrong"] == []
