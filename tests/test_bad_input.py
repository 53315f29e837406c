"""Bad input raises an XlfeesError subclass naming the table (or key) and row."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from xlfees import Client, InputError, Settings, SettingsError, XlfeesError, analyze

OFFICE = pd.DataFrame({"code": ["D0120", "D1110"], "description": ["", ""],
                       "office_fee": [60.0, 100.0]})
SCHEDULES = pd.DataFrame({"payer": ["P", "P"], "code": ["D0120", "D1110"],
                          "allowed": [40.0, 70.0]})


def _client(office=OFFICE, schedules=SCHEDULES, volume=None, settings=None) -> Client:
    return Client.from_frames("bad", office, schedules, volume, settings)


@pytest.mark.parametrize(("fee", "problem"), [
    (-5.0, "office fees row 2: office_fee -5 is negative or infinite; "
           "enter the amount as a positive number"),
    (math.nan, "office fees row 2: office_fee is empty (NaN); enter the amount, or remove the row"),
    ("abc", "office fees row 2: office_fee 'abc' is not a number; enter the amount as a number"),
])
def test_bad_office_fee(fee, problem) -> None:
    """A negative, NaN or text office fee names the table and row."""
    office = OFFICE.astype({"office_fee": object})
    office.loc[1, "office_fee"] = fee
    with pytest.raises(InputError) as raised:
        _client(office=office)
    assert str(raised.value) == problem
    assert (raised.value.table, raised.value.row) == ("office fees", 2)


def test_negative_allowed_names_source_and_row() -> None:
    """A reader's source file and row number appear in the message."""
    schedules = SCHEDULES.assign(allowed=[40.0, -1.0], source="aetna.csv", row=[14, 15])
    with pytest.raises(InputError, match=r"^schedules \(aetna\.csv, row 15\): allowed -1 "):
        _client(schedules=schedules)


def test_code_that_is_not_cdt() -> None:
    """'X123' is refused with the table and row."""
    schedules = SCHEDULES.assign(code=["D0120", "X123"])
    with pytest.raises(InputError, match=r"^schedules row 2: code 'X123' is not a CDT code"):
        _client(schedules=schedules)


def test_nan_volume_count() -> None:
    """A NaN count in the volume table is refused."""
    volume = pd.DataFrame({"code": ["D0120"], "payer": ["P"], "count": [math.nan]})
    with pytest.raises(InputError, match=r"^volume row 1: count is empty"):
        _client(volume=volume)


def test_conflicting_duplicate_office_fee() -> None:
    """The same code twice with two fees is refused; the same fee twice is kept once."""
    same = pd.DataFrame({"code": ["D0120", "d0120"], "office_fee": [60.0, 60.0]})
    assert len(_client(office=same).office_fees) == 1
    conflicting = pd.DataFrame({"code": ["D0120", "D0120"], "office_fee": [60.0, 65.0]})
    with pytest.raises(InputError, match="D0120 has office fee 65 here and 60 at row 1"):
        _client(office=conflicting)


def test_missing_column() -> None:
    """A table without a required column says which."""
    with pytest.raises(InputError, match="office fees: has no column 'office_fee'"):
        _client(office=OFFICE.drop(columns="office_fee"))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"payer_shares": {"Delta": 1.7}},
     "setting 'payer_shares.Delta' is 1.7; use a fraction between 0 and 1 (0.8 = 80 %)"),
    ({"payer_shares": {"Delta": -0.1}},
     "setting 'payer_shares.Delta' is -0.1; use a fraction between 0 and 1 (0.8 = 80 %)"),
    ({"payer_shares": {"Delta": 0.6, "Aetna": 0.5}},
     "setting 'payer_shares' add up to 1.1, more than 1; "
     "make the shares of all payers sum to at most 1"),
    ({"coverage": {"Restorative": -1}},
     "setting 'coverage.Restorative' is -1; use a fraction between 0 and 1 (0.8 = 80 %)"),
    ({"benchmark": "average"},
     "setting 'settings.benchmark' is 'average'; "
     "use \"median\", \"max\", a percentile such as \"p75\", \"external\", or a fee "
     "survey's column: \"survey:p80\""),
    ({"ask": 10}, "setting 'settings.ask' is 10; use a fraction between 0 and 1 (0.8 = 80 %)"),
])
def test_impossible_settings(kwargs, message) -> None:
    """Impossible values raise SettingsError naming the key."""
    with pytest.raises(SettingsError) as raised:
        Settings(**kwargs)
    assert str(raised.value) == message
    assert isinstance(raised.value, XlfeesError)


def test_unknown_toml_key() -> None:
    """An unknown key in client.toml is an error, not a silent default."""
    with pytest.raises(SettingsError, match=r"setting 'settings.askk' is not a known key"):
        Settings.from_toml({"settings": {"askk": 0.1}})


def test_payer_share_for_unknown_payer() -> None:
    """A share for a payer with no schedule names the key and the payers there are."""
    volume = pd.DataFrame({"code": ["D0120"], "count": [10.0]})
    client = _client(volume=volume, settings=Settings(payer_shares={"Nobody": 0.5}))
    with pytest.raises(SettingsError,
                       match=r"setting 'payer_shares.Nobody' matches no payer schedule; "
                             r"use one of: P"):
        analyze(client)
