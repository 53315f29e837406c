"""group.toml: which client folders are the locations of one group (DSO), and the payer
names the roll-up uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import XlfeesError
from ..wording import printable


GROUP_TOML = "group.toml"


_GROUP_KEYS = {"name", "locations", "payer_aliases"}


class GroupError(XlfeesError):
    """A group.toml that cannot be used (no name, a location that is no client folder)."""


@dataclass(frozen=True)
class GroupFile:
    """A clients folder's group.toml: the group's name, its locations' folders, aliases."""

    name: str
    locations: tuple[str, ...]
    payer_aliases: dict[str, str] = field(default_factory=dict)
    path: str = GROUP_TOML


def read_group_file(clients_dir: Path, folders: Iterable[str]) -> GroupFile | None:
    """``clients_dir/group.toml`` checked against the client folders in it (None if absent)."""
    from .folder import read_toml

    path = clients_dir / GROUP_TOML
    if not path.exists() and not path.is_symlink():
        return None      # a pipe or a folder of that name is refused by read_toml
    return group_file_from_toml(read_toml(path), path, folders)


def group_file_from_toml(document: Mapping[str, Any], path: Path,
                         folders: Iterable[str]) -> GroupFile:
    """A parsed group.toml validated: its name, its locations among ``folders``."""
    clients_dir = path.parent

    def fail(key: str, problem: str, fix: str) -> GroupError:
        return GroupError(f"{path}: {key} {problem}: {fix}")
    unknown = sorted(set(document) - _GROUP_KEYS)
    if unknown:
        raise fail(unknown[0], "is not a known key", "a group.toml holds name, locations "
                   "and [payer_aliases]")
    name = document.get("name")
    if not isinstance(name, str) or not printable(name).strip():
        raise fail("name", "is missing", 'name the group: name = "Cascade Dental Partners"')
    locations = document.get("locations")
    if (not isinstance(locations, list) or not locations
            or not all(isinstance(item, str) for item in locations)):
        raise fail("locations", "is not a list of folder names",
                   'list the locations\' client folders: locations = ["downtown", "eastside"]')
    known = set(folders)
    for location in locations:
        if location not in known:
            raise fail("locations", f'names "{location}", which is no client folder in '
                       f"{clients_dir}", "write each location's folder name as it is, "
                       "one of: " + ", ".join(sorted(known)))
    aliases = document.get("payer_aliases", {})
    if not isinstance(aliases, Mapping) or not all(isinstance(v, str) for v in aliases.values()):
        raise fail("payer_aliases", "is not a table of names",
                   'write each as "Name at a location" = "Name in the roll-up"')
    return GroupFile(name=printable(name).strip(), locations=tuple(dict.fromkeys(locations)),
                     payer_aliases={printable(k): printable(v) for k, v in aliases.items()},
                     path=str(path))
