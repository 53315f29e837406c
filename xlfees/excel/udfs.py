"""Worksheet functions for Excel (xlwings on Windows, xlwings Lite on Mac and the web).

Each is a thin, array-aware wrapper over the engine: pass a single value, a
row, a column or a block, and one call fills the matching range. Blank cells
give blank results; a bad argument gives an Excel-style error value
("#VALUE!", "#DIV/0!", "#N/A") in its own cell, never a traceback.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pandas as pd
from xlwings import arg, func, ret

from ..analysis import analyze
from ..cdt import normalize_code
from ..client import Client
from ..analysis.engine import patient_balance, percentile, proposed_alt
from ..errors import XlfeesError
from ..money import excel_round_array
from ..sources.client_toml import DEFAULT_ASK, Settings, benchmark_percentile

VALUE, DIV0, NA = "#VALUE!", "#DIV/0!", "#N/A"
DEFAULT_ALT_ASK = Settings().alt_ask


def _grid(value: Any) -> list[list[Any]]:
    """What Excel passes, as rows: a value, a row, a column or a block."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if not value:
        return [[None]]
    if not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(row) for row in value]


def _shape_out(rows: list[list[Any]]) -> Any:
    """One cell back as a value, anything larger as rows."""
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, str) and not value.strip():
        raise ValueError
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def _rate(value: Any, default: float) -> float | None:
    """An optional single-cell rate argument (an ask); None when it is not a number."""
    try:
        return _number(default if _is_blank(value) else _grid(value)[0][0])
    except (TypeError, ValueError):
        return None


def _elementwise(function: Callable[..., float], *arguments: Any) -> Any:
    """Apply ``function`` cell by cell, broadcasting single cells, rows and columns."""
    grids = [_grid(a) for a in arguments]
    try:
        arrays = [np.array(g, dtype=float) for g in grids]
        if all(np.isfinite(a).all() for a in arrays):
            result = function(*np.broadcast_arrays(*arrays), vectorised=True)
            return _shape_out(np.asarray(result, dtype=float).tolist())
    except (TypeError, ValueError):
        pass  # blanks, text or ragged shapes: go cell by cell
    try:
        shape = np.broadcast_shapes(*[(len(g), len(g[0])) for g in grids])
    except ValueError:
        return VALUE
    rows = []
    for r in range(shape[0]):
        row = []
        for c in range(shape[1]):
            cells = [g[r if len(g) > 1 else 0][c if len(g[0]) > 1 else 0] for g in grids]
            row.append(_cell(function, cells))
        rows.append(row)
    return _shape_out(rows)


def _cell(function: Callable[..., float], cells: list[Any]) -> Any:
    if any(_is_blank(c) for c in cells):
        return ""
    try:
        numbers = [_number(c) for c in cells]
    except (TypeError, ValueError):
        return VALUE
    try:
        return float(function(*[np.array(n) for n in numbers], vectorised=False))
    except ZeroDivisionError:
        return DIV0
    except (ValueError, FloatingPointError):
        return VALUE


def _gap(office_fee, allowed, vectorised):
    return office_fee - allowed


def _gap_pct(office_fee, allowed, vectorised):
    if not vectorised and office_fee == 0:
        raise ZeroDivisionError
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (office_fee - allowed) / office_fee
    if vectorised and (office_fee == 0).any():
        result = np.where(office_fee == 0, np.nan, result)
        return np.where(np.isnan(result), DIV0, result).astype(object)
    return result


@func
@arg("office_fee", ndim=2, doc="The office's usual fee: a cell, a column or a block.")
@arg("allowed", ndim=2, doc="The payer's allowed amount, same shape (or one cell).")
def FEES_GAP(office_fee, allowed):
    """Write-off per procedure: office fee − allowed. =FEES_GAP(C2:C200, D2:D200)"""
    return _elementwise(_gap, office_fee, allowed)


@func
@arg("office_fee", ndim=2, doc="The office's usual fee.")
@arg("allowed", ndim=2, doc="The payer's allowed amount.")
def FEES_GAPPCT(office_fee, allowed):
    """Gap as a share of the office fee: (office − allowed) ÷ office. =FEES_GAPPCT(C2, D2)"""
    result = _elementwise(_gap_pct, office_fee, allowed)
    return result


@func
@arg("peers", ndim=2, doc="The other payers' allowed amounts for a code: one row per code.")
@arg("method", doc='"median" (default), "max" or a percentile such as "p75".')
def FEES_BENCHMARK(peers, method="median"):
    """The peer benchmark of each row: median, max or pNN of the amounts (blanks ignored).

    =FEES_BENCHMARK(E2:H2) — the median of the other payers on that code.
    """
    try:
        q = benchmark_percentile(str(method or "median").strip().lower())
    except XlfeesError:
        return VALUE
    if q is None:
        return VALUE          # "external" has no meaning for a range of peers
    rows = []
    for row in _grid(peers):
        amounts = []
        for value in row:
            if _is_blank(value):
                continue
            try:
                amounts.append(_number(value))
            except (TypeError, ValueError):
                continue       # "BR", "N/C": not an amount, left out as the engine does
        benchmark = percentile(amounts, q)
        rows.append([NA if benchmark is None else benchmark])
    return _shape_out(rows)


def _proposal(volume, allowed, office_fee, ask):
    target = excel_round_array(np.asarray(allowed * (1 + ask), dtype=float))
    proposed = np.maximum(allowed, np.minimum(office_fee, target))
    return volume * (proposed - allowed)


@func
@arg("volume", ndim=2, doc="Procedures a year with this payer.")
@arg("allowed", ndim=2, doc="The payer's allowed amount.")
@arg("office_fee", ndim=2, doc="The office's usual fee (the cap of the ask).")
@arg("ask", doc="The increase asked for, 0.10 = +10 % (default).")
def FEES_IMPACT(volume, allowed, office_fee, ask=DEFAULT_ASK):
    """Revenue a year from the ask: volume × (min(office, ROUND(allowed × (1 + ask), 2)) − allowed).

    =FEES_IMPACT(B2:B200, D2:D200, C2:C200, 10%)
    """
    ask = _rate(ask, DEFAULT_ASK)
    if ask is None:
        return VALUE
    return _elementwise(lambda v, a, o, vectorised: _proposal(v, a, o, ask),
                        volume, allowed, office_fee)


@func
@arg("base", ndim=2, doc="What the patient is charged: the office fee (or contracted fee).")
@arg("coverage", ndim=2, doc="The plan's coverage for the category, 0.8 = 80 %.")
@arg("alt_allowed", ndim=2, doc="The alternate benefit the plan pays on.")
def FEES_PATIENTBALANCE(base, coverage, alt_allowed):
    """What the patient owes under an alternate benefit: base − coverage × alternate.

    =FEES_PATIENTBALANCE(275, 100%, 120) gives 155.
    """
    return _elementwise(lambda b, k, f, vectorised: patient_balance(b, k, f),
                        base, coverage, alt_allowed)


def _alt_savings(alt_allowed, allowed, coverage, alt_ask, vectorised):
    before = np.minimum(alt_allowed, allowed)
    if vectorised:
        after = np.maximum(before, np.minimum(allowed, excel_round_array(
            np.asarray(before * (1 + alt_ask), dtype=float))))
    else:
        after = proposed_alt(float(before), float(allowed), float(alt_ask))
    return coverage * (after - before)


@func
@arg("alt_allowed", ndim=2, doc="Today's alternate benefit (e.g. the amalgam allowance).")
@arg("allowed", ndim=2, doc="The allowed amount of the procedure performed (the cap).")
@arg("coverage", ndim=2, doc="The plan's coverage, 0.8 = 80 %.")
@arg("alt_ask", doc="The increase asked for on the alternate, 0.15 = +15 % (default).")
def FEES_ALTSAVINGS(alt_allowed, allowed, coverage, alt_ask=DEFAULT_ALT_ASK):
    """What a patient saves per procedure if the alternate benefit is raised by alt_ask.

    =FEES_ALTSAVINGS(120, 200, 100%, 1/3) gives 40 (120 → 160).
    """
    alt_ask = _rate(alt_ask, DEFAULT_ALT_ASK)
    if alt_ask is None:
        return VALUE
    return _elementwise(lambda f, a, k, vectorised: _alt_savings(f, a, k, alt_ask, vectorised),
                        alt_allowed, allowed, coverage)


@func
@arg("codes", ndim=2, doc="Procedure codes in any form (D2391, 2391, 'D2391 - …').")
def FEES_CODE(codes):
    """The code in CDT form (D + 4 digits), or #N/A. =FEES_CODE(A2:A500)"""
    rows = [[("" if _is_blank(c) else (normalize_code(c) or NA)) for c in row]
            for row in _grid(codes)]
    return _shape_out(rows)


TARGET_HEADER = ["Rank", "Payer", "Code", "Volume", "Allowed", "Office fee", "Benchmark",
                 "Shortfall", "Priority", "Proposed", "Impact", "Cumulative share"]


@func
@arg("codes", ndim=2, doc="One code per row.")
@arg("payers", ndim=2, doc="The payer of each row.")
@arg("volume", ndim=2, doc="Procedures a year for that payer and code.")
@arg("allowed", ndim=2, doc="The payer's allowed amount.")
@arg("office_fee", ndim=2, doc="The office's usual fee for the code.")
@arg("top", doc="How many targets to list (default 15).")
@arg("ask", doc="The increase asked for, 0.10 = +10 % (default).")
@arg("benchmark", doc='"median" (default), "max" or "pNN".')
@ret(index=False)
def FEES_TARGETS(codes, payers, volume, allowed, office_fee, top=15, ask=DEFAULT_ASK,
                 benchmark="median"):
    """The ranked target list (volume × shortfall vs the other payers), with a header row.

    =FEES_TARGETS(A2:A500, B2:B500, C2:C500, D2:D500, E2:E500, 15)
    """
    try:
        columns = [[row[0] if row else None for row in _grid(x)]
                   for x in (codes, payers, volume, allowed, office_fee)]
        if len({len(c) for c in columns}) != 1:
            return [[VALUE]]
        rows = [r for r in zip(*columns) if not all(_is_blank(v) for v in r)]
        frame = pd.DataFrame(rows, columns=["code", "payer", "count", "allowed", "office_fee"])
        settings = Settings(ask=DEFAULT_ASK if _is_blank(ask) else _number(ask),
                            benchmark=str(benchmark or "median").strip().lower())
        office = frame[["code", "office_fee"]].drop_duplicates()
        client = Client.from_frames("FEES_TARGETS", office, frame[["payer", "code", "allowed"]],
                                    frame[["code", "payer", "count"]], settings)
        targets = analyze(client).to_dict()["targets"]
        count = int(_number(15 if _is_blank(top) else top))
    except (XlfeesError, TypeError, ValueError):
        return [[VALUE]]
    table: list[list[Any]] = [TARGET_HEADER]   # the header, then rows of ranks, text and figures
    for rank, t in enumerate(targets[:max(count, 0)], start=1):
        table.append([rank, t["payer"], t["code"], t["volume"], t["allowed"], t["office_fee"],
                      "" if t["benchmark"] is None else t["benchmark"], t["shortfall"],
                      t["priority"], t["proposed"], t["impact"], t["cumulative_share"]])
    return table


ALL = (FEES_GAP, FEES_GAPPCT, FEES_BENCHMARK, FEES_ALTSAVINGS, FEES_PATIENTBALANCE, FEES_IMPACT,
       FEES_TARGETS, FEES_CODE)
