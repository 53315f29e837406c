"""E-mail addresses a person wrote (``owner_email``, ``cc``, ``--from``), checked strictly.

An address decides who receives a practice's figures, so a value is taken only when
it is exactly one mailbox and two independent readings of it agree: the standard
library's header parser (``email.headerregistry``) and its older ``getaddresses``.
The two famously disagree on crafted values (CVE-2023-27043); where they do, or where
a value holds a line break, a control character, a second address, a group, or a
comment, it is refused with the key named, never guessed at. Names are kept only as
display text: headers are built from the parts, so no value can add a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import errors, policy
from email.headerregistry import Address
from email.utils import getaddresses
from typing import Any

from .errors import SettingsError

# How `xlfees send` talks to the SMTP server (--security).
SECURITY = ("starttls", "tls", "none")

# C0 and C1 controls, DEL, and the Unicode line separators and bidirectional
# overrides that make a value read differently from what it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# RFC 5322 dot-atom text for the part before @ (RFC 6531 allows UTF-8 letters too).
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+"
                    r"(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+)*$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
FIX_ONE = 'write one address per item: {key} = ["Name <name@domain.com>", "b@domain.com"]'


@dataclass(frozen=True)
class Mailbox:
    """One recipient: the display name (may be empty) and the address as written."""

    name: str
    address: str

    @property
    def ascii_address(self) -> str:
        """The address for the SMTP envelope: the domain in IDNA (``xn--``) form."""
        local, _, domain = self.address.rpartition("@")
        return f"{local}@{ascii_domain(domain)}"

    @property
    def needs_smtputf8(self) -> bool:
        """A mailbox name outside ASCII, which only a server offering SMTPUTF8 takes."""
        return not self.address.rpartition("@")[0].isascii()

    def header(self) -> Address:
        """The header value built from its parts: the name is encoded, never parsed."""
        local, _, domain = self.address.rpartition("@")
        return Address(display_name=self.name, username=local, domain=domain)

    def __str__(self) -> str:
        return str(self.header())


def ascii_domain(domain: str) -> str:
    """``bücher.example`` → ``xn--bcher-kva.example``; ValueError when it is no host name."""
    labels = domain.split(".")
    encoded = [label.encode("idna").decode("ascii") if not label.isascii() else label.lower()
               for label in labels]
    if len(encoded) < 2 or not all(_LABEL.match(label) for label in encoded):
        raise ValueError(domain)
    return ".".join(encoded)


def parse_mailbox(text: str, key: str) -> Mailbox:
    """Exactly one mailbox from ``text``, or a SettingsError naming ``key`` and the fix."""
    if _UNSAFE.search(text):
        raise SettingsError(key, f"holds {text!r}, with a line break or a control "
                                 "character in it", FIX_ONE.format(key=key))
    header: Any = policy.default.header_factory("to", text)   # an AddressHeader
    parsed = [(a.display_name, a.addr_spec) for a in header.addresses]
    classic = getaddresses([text])
    if len(parsed) != 1 or len(classic) != 1 or header.groups[0].display_name:
        raise SettingsError(key, f"holds {text!r}, which is not exactly one address",
                            FIX_ONE.format(key=key))
    name, address = parsed[0]
    if "@" not in address:
        raise SettingsError(key, f"holds {address or text!r}, not an e-mail address",
                            'write it as "name@domain.com"')
    # An obsolete but common form ("Dr. Ada Molar" unquoted) and a UTF-8 mailbox name
    # (RFC 6531) are flaws in name only; any other flaw may change where it goes.
    flaws = [d for d in header.defects if not isinstance(d, (errors.ObsoleteHeaderDefect,
                                                              errors.NonASCIILocalPartDefect))]
    if flaws or classic != [(name, address)] or "(" in address or "@" in name:
        # The two readers disagree, or one found a flaw: what it shows may not be
        # where it goes.
        raise SettingsError(key, f"holds {text!r}, which does not read as one plain "
                                 "address", 'write it as "Name <name@domain.com>"')
    local, at, domain = address.rpartition("@")
    try:
        ascii_domain(domain)
        fine = bool(at and _LOCAL.match(local))
    except (ValueError, UnicodeError):
        fine = False
    if not fine:
        raise SettingsError(key, f"holds {address or text!r}, not an e-mail address",
                            'write it as "name@domain.com"')
    return Mailbox(name, address)


def parse_mailboxes(value: Any, key: str) -> tuple[Mailbox, ...]:
    """The mailboxes of a client.toml value: one address, or a list of them."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise SettingsError(key, "is not an address or a list of addresses",
                            f'write {key} = "owner@practice.com" or '
                            f'{key} = ["owner@practice.com", "manager@practice.com"]')
    return tuple(parse_mailbox(item, key) for item in items if item.strip())
