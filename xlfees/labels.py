"""How a schedule is named and keyed: 'Delta Dental (PPO)', (payer, network)."""

from __future__ import annotations


ScheduleKey = tuple[str, str]  # (payer, network)


UNASSIGNED = "(no payer)"      # a volume row without a payer: split by shares or 100 %


def schedule_label(payer: str, network: str) -> str:
    """How the workbook and the notes name one schedule: 'Delta Dental (PPO)'.

    The brackets keep payer "Delta Dental" network "PPO" apart from a payer
    whose name is "Delta Dental PPO".
    """
    return f"{payer} ({network})" if network else payer
