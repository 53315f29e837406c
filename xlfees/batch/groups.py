"""A batch's groups: which clients are the locations of which group (group.toml, or each
client.toml's ``group``), and each group's roll-up workbook and one-pagers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Sequence

from ..errors import XlfeesError, describe_error
from ..sources.group_toml import GROUP_TOML, GroupFile
from ..wording import folded
from .results import ClientResult, GroupResult


def _toml_text(result: ClientResult, key: str) -> str | None:
    """A text of a client's client.toml, read again for a client that failed."""
    from ..sources.folder import CLIENT_TOML, read_toml
    try:
        value = read_toml(Path(result.folder) / CLIENT_TOML).get(key)
    except XlfeesError:
        return None
    return value.strip() or None if isinstance(value, str) else None


def _declared_group(result: ClientResult) -> str | None:
    """The group a client's client.toml names."""
    if result.location is not None:
        return result.location.group
    return _toml_text(result, "group")


def group_members(results: list[ClientResult], group_file: GroupFile | None,
                  ) -> dict[str, tuple[list[ClientResult], dict[str, str], list[str]]]:
    """Each group's locations (client.toml's ``group``, and group.toml's), aliases and
    notes. Group names match whatever their case and spacing; group.toml has the last
    word on a location it lists."""
    groups: dict[str, tuple[list[ClientResult], dict[str, str], list[str]]] = {}
    spelled: dict[str, str] = {}    # a name folded → the group's name as first written

    def group(name: str) -> tuple[list[ClientResult], dict[str, str], list[str]]:
        return groups.setdefault(spelled.setdefault(folded(name), name), ([], {}, []))
    listed = set(group_file.locations) if group_file else set()
    if group_file is not None:
        by_folder = {Path(r.folder).name: r for r in results}
        members, aliases, notes = group(group_file.name)
        members.extend(by_folder[name] for name in group_file.locations)
        aliases.update(group_file.payer_aliases)
        for name in group_file.locations:
            declared = _declared_group(by_folder[name])
            if declared and spelled.get(folded(declared)) != group_file.name:
                notes.append(f"{by_folder[name].client}: its client.toml names the group "
                             f"{declared!r}; {GROUP_TOML} lists it in this one")
    for result in results:
        declared = _declared_group(result)
        if declared and Path(result.folder).name not in listed:
            group(declared)[0].append(result)
    return groups


def write_group(group: str, locations: list[ClientResult], aliases: dict[str, str],
                out_dir: Path, name: str, day: date, notes: Sequence[str] = ()) -> GroupResult:
    """Roll ``locations`` up and write ``<name>.xlsx`` and ``<name>/network-value-*.pdf``;
    an error becomes the group's result (the clients' workbooks stand)."""
    from ..deliverables.network import write_network_summaries
    from ..analysis.rollup import roll_up
    from ..workbook.group import write_group_workbook

    folders = tuple(r.folder for r in locations)
    try:
        rollup = roll_up(group, [r.location for r in locations if r.location is not None],
                         payer_aliases=aliases,
                         missing=[(_toml_text(r, "name") or r.client,
                                   f"its analysis failed: {r.error}")
                                  for r in locations if r.location is None],
                         group_notes=notes)
        workbook = write_group_workbook(rollup, out_dir / f"{name}.xlsx")
        files = write_network_summaries(rollup, out_dir / name, day)
    except Exception as error:  # noqa: BLE001 - the group fails, the batch goes on
        return GroupResult(group=group, locations=folders, error=describe_error(error))
    return GroupResult(group=group, locations=folders, workbook=str(workbook),
                       files=tuple(str(f) for f in files), rollup=rollup)
