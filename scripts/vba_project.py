"""Write a vbaProject.bin from VBA module sources, by the public specifications.

[MS-OVBA] (the VBA project: the PROJECT, PROJECTwm, VBA/dir and VBA/_VBA_PROJECT
streams and one compressed source stream per module) inside an [MS-CFB] compound
file (version 3, 512-byte sectors). The project carries source only: _VBA_PROJECT
declares version 0xFFFF, so Excel ignores the (absent) compiled cache and compiles
the modules from their source when it opens the add-in, as it does for a project
whose cache belongs to another VBA version.

Everything is deterministic: the same modules and project id give the same bytes.

    from vba_project import Module, vba_project
    data = vba_project("xlfees", "{…GUID…}", [Module("RibbonFees", "procedural", source)])
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CODE_PAGE = 1252
LCID = 0x0409
# The host extender every Excel project declares (MS-OVBA 2.3.1.18).
HOST_EXTENDERS = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


@dataclass(frozen=True)
class Module:
    """One VBA module: ``kind`` is "procedural" (a .bas), "class" or "document" (the
    code behind ThisWorkbook or a sheet). ``source`` is the text as VBA stores it, its
    ``Attribute VB_…`` lines first."""

    name: str
    kind: str
    source: str

    def __post_init__(self) -> None:
        if self.kind not in ("procedural", "class", "document"):
            raise ValueError(f"module {self.name}: kind {self.kind!r}")


# --- MS-OVBA 2.4.1: compression ---------------------------------------------------------

def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature 0x01, then one chunk per 4096 bytes of data."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        out += _compress_chunk(data[start:start + 4096])
    return bytes(out)


def _copy_token_layout(position: int) -> tuple[int, int]:
    """(bit count of the offset, longest copy) at ``position`` bytes into a chunk."""
    bit_count = max((position - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _longest_match(chunk: bytes, position: int, index: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the longest earlier copy of the bytes at ``position``."""
    if position + 3 > len(chunk):
        return 0, 0
    _, most = _copy_token_layout(position)
    best_offset, best_length = 0, 0
    for candidate in reversed(index.get(chunk[position:position + 3], ())):
        length = 3
        limit = min(most, len(chunk) - position)
        while length < limit and chunk[candidate + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = position - candidate, length
            if length == limit:
                break
    return best_offset, best_length


def _compress_chunk(chunk: bytes) -> bytes:
    """One CompressedChunk: flag bytes, each over up to 8 literal bytes or copy tokens."""
    body = bytearray()
    index: dict[bytes, list[int]] = {}   # 3-byte prefix → where it starts, earlier first
    indexed = position = 0
    while position < len(chunk):
        flags_at = len(body)
        body.append(0)
        for bit in range(8):
            if position >= len(chunk):
                break
            for start in range(indexed, position):
                index.setdefault(chunk[start:start + 3], []).append(start)
            indexed = position
            offset, length = _longest_match(chunk, position, index)
            if length >= 3:
                bit_count, _ = _copy_token_layout(position)
                body += struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))
                body[flags_at] |= 1 << bit
                position += length
            else:
                body.append(chunk[position])
                position += 1
    if len(body) <= 4096:
        return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)
    if len(chunk) == 4096:   # incompressible: a raw chunk holds exactly 4096 bytes
        return struct.pack("<H", 0x3000 | (4096 - 1)) + chunk
    raise ValueError("an incompressible last chunk: not VBA source text")


# --- MS-OVBA 2.4.3: the "data encryption" of the protection fields --------------------------

def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """CMG / DPB / GC values: ``data`` obfuscated with the project's key (hex, upper case)."""
    version = 2
    project_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ project_key])
    unencrypted, encrypted_1, encrypted_2 = project_key, seed ^ project_key, seed ^ version
    ignored = [seed] * ((seed & 6) // 2)   # what VBA itself writes there
    for byte in [*ignored, *struct.pack("<I", len(data)), *data]:
        encrypted = byte ^ ((encrypted_2 + unencrypted) & 0xFF)
        out.append(encrypted)
        encrypted_2, encrypted_1, unencrypted = encrypted_1, encrypted, byte
    return out.hex().upper()


# --- MS-OVBA 2.3: the streams -------------------------------------------------------------

def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def dir_stream(project: str, modules: list[Module]) -> bytes:
    """The VBA/dir stream, uncompressed: project information, references, modules."""
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))                  # SysKind: Win32
    out += _record(0x0002, struct.pack("<I", LCID))               # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", LCID))               # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))          # PROJECTCODEPAGE
    out += _record(0x0004, _mbcs(project))                        # PROJECTNAME
    out += _record(0x0005, b"") + _record(0x0040, b"")            # PROJECTDOCSTRING
    out += _record(0x0006, b"") + _record(0x003D, b"")            # PROJECTHELPFILEPATH
    out += _record(0x0007, struct.pack("<I", 0))                  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))                  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)                  # PROJECTVERSION 1.0
    out += _record(0x000C, b"") + _record(0x003C, b"")            # PROJECTCONSTANTS
    for name, libid in _REFERENCES:
        out += _record(0x0016, _mbcs(name)) + _record(0x003E, name.encode("utf-16-le"))
        registered = struct.pack("<I", len(libid)) + _mbcs(libid) + struct.pack("<IH", 0, 0)
        out += _record(0x000D, registered)                        # REFERENCEREGISTERED
    out += _record(0x000F, struct.pack("<H", len(modules)))       # PROJECTMODULES
    out += _record(0x0013, struct.pack("<H", 0xFFFF))             # PROJECTCOOKIE
    for module in modules:
        out += _record(0x0019, _mbcs(module.name))                # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))   # MODULENAMEUNICODE
        out += _record(0x001A, _mbcs(module.name))                # MODULESTREAMNAME
        out += struct.pack("<HI", 0x0032, 2 * len(module.name)) + module.name.encode("utf-16-le")
        out += _record(0x001C, b"") + _record(0x0048, b"")        # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))              # MODULEOFFSET: source at 0
        out += _record(0x001E, struct.pack("<I", 0))              # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))         # MODULECOOKIE
        out += _record(0x0021 if module.kind == "procedural" else 0x0022, b"")  # MODULETYPE
        out += struct.pack("<HI", 0x002B, 0)                      # module terminator
    out += struct.pack("<HI", 0x0010, 0)                          # dir terminator
    return bytes(out)


# The type libraries every Excel VBA project references: OLE Automation and Office.
_REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
               "C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
               "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL"
               "#Microsoft Office 16.0 Object Library"),
)


def project_stream(project: str, project_id: str, modules: list[Module]) -> bytes:
    """The PROJECT stream: the module list (it MUST name the modules the dir stream has)."""
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [f'Name="{project}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              # Not protected, no password, visible (MS-OVBA 2.3.1.15-17).
              f'CMG="{encrypt(project_id, struct.pack("<I", 0), 0x13)}"',
              f'DPB="{encrypt(project_id, bytes([0]), 0x17)}"',
              f'GC="{encrypt(project_id, bytes([0xFF]), 0x1B)}"',
              "", "[Host Extender Info]", HOST_EXTENDERS, "", "[Workspace]"]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def project_wm_stream(modules: list[Module]) -> bytes:
    """PROJECTwm: each module name in the code page and in UTF-16."""
    out = bytearray()
    for module in modules:
        out += _mbcs(module.name) + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def module_source(module: Module) -> bytes:
    """A module's text as its stream holds it: CRLF lines in the project's code page."""
    text = module.source.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\r\n").encode("cp1252")


def vba_project(project: str, project_id: str, modules: list[Module]) -> bytes:
    """The whole vbaProject.bin."""
    names = [m.name.casefold() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("two modules share a name")
    streams = {
        ("PROJECT",): project_stream(project, project_id, modules),
        ("PROJECTwm",): project_wm_stream(modules),
        # MS-OVBA 2.3.4.1: reserved 0x61CC, version 0xFFFF (no cache: compile from source).
        ("VBA", "_VBA_PROJECT"): struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 0),
        ("VBA", "dir"): compress(dir_stream(project, modules)),
    }
    for module in modules:
        streams[("VBA", module.name)] = compress(module_source(module))
    return compound_file(streams)


# --- MS-CFB: the compound file --------------------------------------------------------------

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF


@dataclass
class _Entry:
    name: str
    kind: int                 # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list["_Entry"] | None = None
    start: int = END
    left: int = NO_STREAM
    right: int = NO_STREAM
    child: int = NO_STREAM


def _sort_key(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names first, then by upper-cased UTF-16 code units.
    return (len(name), name.upper())


def compound_file(streams: dict[tuple[str, ...], bytes]) -> bytes:
    """A version-3 compound file holding ``streams`` (path → bytes) in storages."""
    root = _Entry("Root Entry", 5, children=[])
    for path, data in streams.items():
        parent = root
        for storage in path[:-1]:
            found = next((c for c in parent.children or [] if c.name == storage), None)
            if found is None:
                found = _Entry(storage, 1, children=[])
                parent.children.append(found)  # type: ignore[union-attr]
            parent = found
        parent.children.append(_Entry(path[-1], 2, data=data))  # type: ignore[union-attr]

    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entries.append(entry)
        for child in entry.children or []:
            number(child)
    number(root)
    ids = {id(entry): n for n, entry in enumerate(entries)}

    def tree(siblings: list[_Entry]) -> int:
        """A balanced binary search tree of siblings (all black); gives the root's id."""
        if not siblings:
            return NO_STREAM
        ordered = sorted(siblings, key=lambda e: _sort_key(e.name))
        middle = len(ordered) // 2
        node = ordered[middle]
        node.left = tree(ordered[:middle])
        node.right = tree(ordered[middle + 1:])
        return ids[id(node)]
    for entry in entries:
        if entry.children is not None:
            entry.child = tree(entry.children)

    # Small streams go to the mini stream (64-byte sectors), the rest to regular sectors.
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        if len(entry.data) < MINI_CUTOFF:
            if not entry.data:
                continue
            first = len(mini) // MINI_SECTOR
            count = -(-len(entry.data) // MINI_SECTOR)
            mini += entry.data + b"\x00" * (count * MINI_SECTOR - len(entry.data))
            mini_fat += [first + n + 1 for n in range(count - 1)] + [END]
            entry.start = first
        else:
            big.append(entry)
    root.data = bytes(mini)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        if not data:
            return END
        first = len(sectors)
        count = -(-len(data) // SECTOR)
        padded = data + b"\x00" * (count * SECTOR - len(data))
        sectors.extend(padded[n * SECTOR:(n + 1) * SECTOR] for n in range(count))
        fat.extend([first + n + 1 for n in range(count - 1)] + [END])
        return first

    for entry in big:
        entry.start = place(entry.data)
    root.start = place(root.data)
    mini_fat_bytes = b"".join(struct.pack("<I", n) for n in mini_fat)
    if mini_fat_bytes:
        mini_fat_bytes += struct.pack("<I", FREE) * ((-len(mini_fat)) % (SECTOR // 4))
    first_mini_fat = place(mini_fat_bytes)
    directory = b"".join(_directory_entry(e) for e in entries)
    directory += _empty_entry() * ((-len(entries)) % (SECTOR // 128))
    first_directory = place(directory)

    # The FAT covers every sector, its own among them.
    fat_sectors = 1
    while (len(sectors) + fat_sectors) > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("a VBA project this large needs DIFAT sectors")
    fat_start = len(sectors)
    fat += [FAT_SECTOR] * fat_sectors
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))
    fat_bytes = b"".join(struct.pack("<I", n) for n in fat)
    sectors.extend(fat_bytes[n * SECTOR:(n + 1) * SECTOR] for n in range(fat_sectors))

    header = bytearray()
    header += bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, fat_sectors, first_directory, 0, MINI_CUTOFF,
                          first_mini_fat, -(-len(mini_fat_bytes) // SECTOR), END, 0)
    difat = [fat_start + n for n in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header += b"".join(struct.pack("<I", n) for n in difat)
    assert len(header) == SECTOR
    return bytes(header) + b"".join(sectors)


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    if len(name) > 64:
        raise ValueError(f"name too long for a compound file: {entry.name}")
    size = len(entry.data) if entry.kind in (2, 5) else 0
    start = entry.start if size else (END if entry.kind != 1 else 0)
    return (name.ljust(64, b"\x00") + struct.pack("<HBB", len(name), entry.kind, 1)
            + struct.pack("<III", entry.left, entry.right, entry.child) + b"\x00" * 16
            + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size))


def _empty_entry() -> bytes:
    return (b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0)
            + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM) + b"\x00" * 16
            + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", 0, 0))
