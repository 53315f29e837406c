"""Payer names and effective dates from titles inside files and from file names."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

# Network and product abbreviations kept in capitals when a file name is title-cased.
ACRONYMS = {"ppo", "dppo", "pdp", "hmo", "dhmo", "epo", "uhc", "bcbs", "ucci", "ucr", "dmo",
            "ppo2", "npa", "gehaa", "geha", "aarp", "tricare", "fep", "dds", "pc", "llc"}
# Words of a title or file name that say what the document is, not who the payer is.
_NOISE = re.compile(
    r"\b(provider|participating|dentist|dental office|fee\s*schedules?|schedules?\s+of\s+"
    r"(allowances|benefits|fees)|schedule|allowances?|maximum plan allowance|fees?|"
    r"export(ed)?|opendental|open dental|report|final|copy|draft|rev\d*|v\d+|updated?|"
    r"new|current|effective|eff|patient\s+charges?|copay(ment)?s?|co-?pays?|member\s+"
    r"charges?)\b", re.IGNORECASE)
_DATE_PATTERNS = (
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("m", "d", "y")),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})"), ("m", "d", "y")),   # "01-01-2026"
)
_PAREN = re.compile(r"\(.*?\)")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_NOT_A_PAYER = re.compile(r"\b(comparison|compare|procedures by|date range|production|"
                          r"report|page \d+|office fees?|ucr|allowed amounts?)\b", re.IGNORECASE)


def _find_date(text: str, whole: bool) -> str | None:
    """The first m/d/yyyy or yyyy-mm-dd date in ``text`` (or ``text`` being one), as ISO."""
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(text) if whole else pattern.search(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups())))
            try:
                return date(parts["y"], parts["m"], parts["d"]).isoformat()
            except ValueError:
                return None
    return None


def effective_date(text: str) -> str | None:
    """An ISO date from a title such as '(effective 03/01/2026)'."""
    if "eff" not in text.lower():
        return None
    return _find_date(text, whole=False)


@functools.lru_cache(maxsize=4096)   # a column of dates repeats the same few
def iso_date(text: str) -> str:
    """'01/01/2026' or '2026-01-01 00:00:00' → '2026-01-01'; other text is kept as written."""
    first_word = text.strip().split(" ")[0] if text.strip() else ""
    return _find_date(first_word, whole=True) or text


def clean_payer(text: str) -> str:
    """'Ameritas Dental PPO - Provider Fee Schedule (effective 03/01/2026)' →
    'Ameritas Dental PPO'."""
    cleaned = _PAREN.sub(" ", text)
    cleaned = _YEAR.sub(" ", cleaned)
    # "Payer – Provider Fee Schedule": the payer stands before the dash.
    parts = re.split(r"\s+[-–—:|]\s+", cleaned)
    kept = [p for p in parts if _NOISE.sub(" ", p).strip(" -–—:|,._")]
    cleaned = kept[0] if kept else ""
    cleaned = _NOISE.sub(" ", cleaned)
    cleaned = re.sub(r"\d{1,2}/\d{1,2}/\d{2,4}", " ", cleaned)
    return " ".join(cleaned.replace("_", " ").split()).strip(" -–—:|,.")


# Dental carriers, to pick the title line that names the payer among page furniture.
CARRIERS = re.compile(
    r"\b(delta\s+dental|delta|metlife|cigna|aetna|guardian|united\s+concordia|"
    r"unitedhealth\s*care|uhc|humana|ameritas|principal|sun\s*life|anthem|bcbs|"
    r"blue\s+cross|blue\s+shield|careington|connection\s+dental|geha|dentemax|"
    r"dental\s+select|lincoln|renaissance|assurant|spirit\s+dental|mutual\s+of\s+omaha|"
    r"physicians\s+mutual|solstice|avesis|mcna|dentaquest|liberty\s+dental|beam|"
    r"dominion|highmark|premier\s+access|envolve|skygen|careington|zelis|firstcarolina|"
    r"tricare|fep\s*blue|guardian\s+dental)\b", re.IGNORECASE)
# Page furniture that is never a payer: form numbers (K1-09, DG 2026-11), page numbers.
_FORM_NUMBER = re.compile(r"^(?:form\s*)?[A-Z]{0,4}[\s-]?\d[\w./-]*$", re.IGNORECASE)


def _plausible_payer(name: str) -> bool:
    letters = sum(ch.isalpha() for ch in name)
    return (bool(name) and letters >= 3 and len(name) <= 60
            and not _FORM_NUMBER.match(name) and letters > sum(ch.isdigit() for ch in name))


def payer_from_title(titles: list[str]) -> str | None:
    """The payer a title names: a line naming a known carrier first, else the first title
    line that reads as a name (never a form number, a date or a page number)."""
    for title in titles[:8]:
        if CARRIERS.search(title) and not _NOT_A_PAYER.search(title):
            name = clean_payer(title)
            if _plausible_payer(name) and CARRIERS.search(name):
                return name
    for title in titles[:2]:
        if _NOT_A_PAYER.search(title):
            continue
        name = clean_payer(title)
        if _plausible_payer(name):
            return name
    return None


def payer_from_filename(path: str | Path) -> str:
    """'Delta Dental PPO 2026.xlsx' → 'Delta Dental PPO'; 'cigna_dppo.csv' → 'Cigna DPPO'."""
    stem = Path(path).stem
    words = re.sub(r"[_\-.]+", " ", stem)
    cleaned = clean_payer(words) or " ".join(words.split())
    return " ".join(_title_word(word) for word in cleaned.split())


def _title_word(word: str) -> str:
    if word.lower() in ACRONYMS:
        return word.upper()
    if word.islower():
        return word.capitalize()
    return word
